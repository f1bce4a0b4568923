"""Migration registry/0004 on numbers stored before the rules: good ones made canonical,
bad ones kept (never a failed migration), name tokens for everyone."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cascada.core.crypto import keyed_hash
from cascada.registry.selectors import person_search_reveal
from tests.accounts.factories import make_user

BEFORE = [("registry", "0003_name_tokens")]
AFTER = [("registry", "0004_documents_and_name_tokens")]


@pytest.mark.django_db(transaction=True)
def test_old_numbers_are_made_canonical_or_kept_and_names_become_searchable():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Organization = apps.get_model("registry", "Organization")
    Person = apps.get_model("registry", "Person")
    Identity = apps.get_model("registry", "Identity")
    org = Organization.objects.create(name="Antes", kind="ngo", country="PE")
    rows = {
        "guion": ("dni", "10117410-2"),  # valid, with its check digit
        "sintipo": ("", "40000001"),  # a number without a type: Peru's DNI
        "corto": ("dni", "1234567"),  # 7 digits: breaks the rules, kept
        "ci": ("ci", "4789123 lp"),
    }
    people = {}
    for name, (kind, number) in rows.items():
        person = Person.objects.create(organization=org, code=f"C{name.upper()[:7]}")
        Identity.objects.create(
            person=person,
            given_name=name.capitalize(),
            family_name="Quispe Mamani",
            id_document=kind,
            national_id=number,
            national_id_hash=keyed_hash(number),
            name_hash="",
        )
        people[name] = person.pk

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # as the other tests expect

    from cascada.registry.models import Identity as Current
    from cascada.registry.models import NameToken

    stored = {
        name: (i.id_document, i.national_id, i.national_id_hash)
        for name, pk in people.items()
        for i in [Current.objects.get(person_id=pk)]
    }
    assert stored["guion"] == ("dni", "10117410", keyed_hash("10117410"))
    assert stored["sintipo"] == ("dni", "40000001", keyed_hash("40000001"))
    assert stored["corto"] == ("dni", "1234567", keyed_hash("1234567"))  # untouched
    assert stored["ci"] == ("ci", "4789123 LP", keyed_hash("4789123"))
    assert NameToken.objects.filter(person_id=people["corto"]).count() == 3  # corto quispe mamani
    from cascada.registry.models import Organization as CurrentOrganization

    coordinator = make_user(
        role="coordinator", organization=CurrentOrganization.objects.get(pk=org.pk)
    )
    found = person_search_reveal(user=coordinator, text="quispe").people
    assert sorted(p.pk for p in found) == sorted(people.values())
