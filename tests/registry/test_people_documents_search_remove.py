"""People: ID documents checked on every path, search by any part of the name, removal."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from cascada.audit.models import AuditEvent
from cascada.registry.documents import DocumentError
from cascada.registry.models import Consent, Identity, NameToken, Person
from cascada.registry.selectors import person_search_reveal
from cascada.registry.services import (
    PersonInUseError,
    consent_record,
    person_create,
    person_delete,
    person_duplicates,
    person_merge,
    person_update,
)
from tests.accounts.factories import login_verified, make_user
from tests.api.conftest import token_client
from tests.registry.factories import make_org, make_person
from tests.trainings.factories import enrol, make_cohort, make_program

# ---------------------------------------------------------------- documents on every path


def test_a_7_digit_dni_is_refused_by_the_service_and_nothing_is_written(coordinator, org):
    with pytest.raises(DocumentError) as caught:
        person_create(
            actor=coordinator,
            organization=org,
            given_name="Ficticio",
            id_document="dni",
            national_id="1234567",
        )
    assert caught.value.extra["field"] == "national_id"
    assert Person.objects.count() == 0


def test_the_number_is_stored_canonical_and_found_in_any_form(coordinator, org):
    person = person_create(
        actor=coordinator, organization=org, given_name="Ficticio", national_id="10117410-2"
    )
    identity = Identity.objects.get(person=person)
    assert identity.national_id == "10117410" and identity.id_document == "dni"  # Peru's card
    for typed in ("10117410", "10117410-G", " 10117410 "):
        assert person_search_reveal(user=coordinator, text=typed).people == [person]


def test_a_bolivian_organization_reads_a_number_without_type_as_a_ci(coordinator):
    bolivian = make_org(name="Org Bolivia")
    bolivian.country = "BO"
    bolivian.save()
    person = make_person(organization=bolivian, national_id="4789123 lp")
    assert person.identity.id_document == "ci" and person.identity.national_id == "4789123 LP"
    # the same card without its department is a duplicate, not a new man
    again, reason = person_duplicates(national_id="4789123", id_document="ci")
    assert again == [person] and reason == "id_number"


def test_editing_revalidates_a_changed_number_and_refreshes_the_hash(coordinator, org):
    person = make_person(organization=org, national_id="40000001")
    with pytest.raises(DocumentError):
        person_update(actor=coordinator, person=person, national_id="4000001")
    person = Person.objects.get(pk=person.pk)
    assert person.identity.national_id == "40000001"
    person_update(actor=coordinator, person=person, id_document="ce", national_id="001234567")
    assert person_search_reveal(user=coordinator, text="001234567").people == [person]
    assert person_search_reveal(user=coordinator, text="40000001").people == []


def test_a_number_stored_before_the_rules_does_not_block_other_corrections(coordinator, org):
    person = make_person(organization=org, national_id="40000001")
    identity = Identity.objects.get(person=person)
    identity.national_id = "4000001"  # what a 7-digit DNI looked like before the rules
    identity.save()
    person = Person.objects.get(pk=person.pk)
    person_update(
        actor=coordinator, person=person, sex="male", national_id="4000001", id_document="dni"
    )
    assert Person.objects.get(pk=person.pk).sex == "male"


def test_the_form_shows_the_reason_beside_the_id_number(client, coordinator, org):
    login_verified(client, coordinator)
    response = client.post(
        "/people/new/",
        {
            "given_name": "Ficticio",
            "sex": "male",
            "id_document": "dni",
            "national_id": "1234567",
            "roles": ["participant"],
            "organization": org.pk,
        },
    )
    assert response.status_code == 200
    assert "8" in response.content.decode() and Person.objects.count() == 0
    errors = response.context["form"].errors
    assert "national_id" in errors


def test_the_api_refuses_a_bad_number_with_the_reason(coordinator, org):
    api = token_client(coordinator)
    response = api.post(
        "/api/people/",
        {"organization": org.pk, "given_name": "Ficticio", "national_id": "1.23457E+07"},
        format="json",
    )
    assert response.status_code == 400, response.content
    body = response.json()["error"]
    assert body["code"] == "invalid_document" and "scientific" in body["message"]
    assert Person.objects.count() == 0


# ---------------------------------------------------------------- search by any part of the name


@pytest.fixture
def quispes(org):
    return [
        make_person(organization=org, given_name="José Luis", family_name="Quispe Mamani"),
        make_person(organization=org, given_name="Juan", family_name="QUISPE Huanca"),
        make_person(organization=org, given_name="María", family_name="Mamani Quispe"),
        make_person(organization=org, given_name="Jorge", family_name="Condori"),
    ]


@pytest.mark.parametrize(
    "text, found",
    [
        ("Quispe", {0, 1, 2}),
        ("quispe mamani", {0, 2}),
        ("JOSÉ", {0}),
        ("jose", {0}),
        ("  luis   quispe ", {0}),
        ("Condori Quispe", set()),
        ("Quis", set()),  # whole words only
    ],
)
def test_search_by_any_part_of_the_name(coordinator, quispes, text, found):
    result = person_search_reveal(user=coordinator, text=text)
    assert {quispes.index(p) for p in result.people} == found
    assert set(result.names) == {quispes[i].pk for i in found}


def test_search_by_name_stays_in_scope_and_is_audited(coordinator, other_org, quispes):
    stranger = make_person(organization=other_org, given_name="Pedro", family_name="Quispe")
    before = AuditEvent.objects.filter(action="search").count()
    people = person_search_reveal(user=coordinator, text="quispe").people
    assert stranger not in people and len(people) == 3
    assert AuditEvent.objects.filter(action="search").count() == before + 1
    assert "quispe" not in str(AuditEvent.objects.filter(action="search").last().detail).lower()


def test_a_facilitator_without_identity_access_finds_nobody_by_name(org, quispes):
    facilitator = make_user(role="facilitator", organization=org)
    assert person_search_reveal(user=facilitator, text="Quispe").people == []


def test_renaming_refreshes_the_tokens(coordinator, quispes):
    person_update(actor=coordinator, person=quispes[3], family_name="Ccori")
    assert person_search_reveal(user=coordinator, text="condori").people == []
    assert person_search_reveal(user=coordinator, text="ccori").people == [quispes[3]]


def test_name_tokens_hold_no_name_in_clear(quispes):
    with connection.cursor() as cursor:
        cursor.execute("SELECT token_hash FROM registry_nametoken")
        stored = " ".join(row[0] for row in cursor.fetchall()).lower()
    assert stored and "quispe" not in stored and "mamani" not in stored


def test_search_by_name_is_an_indexed_look_up(quispes):
    if connection.vendor != "sqlite":
        pytest.skip("the plan is read in SQLite's words")
    plan = NameToken.objects.filter(token_hash="x").values("person_id").explain()
    assert "SEARCH registry_nametoken USING COVERING INDEX" in plan and "(token_hash=?)" in plan


# ---------------------------------------------------------------- removal


def test_a_person_registered_by_mistake_is_removed_with_identity_consents_and_tokens(
    coordinator, org
):
    person = make_person(organization=org, given_name="Error", national_id="40000009")
    consent_record(
        actor=None, person=person, purpose="participation", granted=True, text_version="v1"
    )
    pk, code = person.pk, person.code
    person_delete(actor=coordinator, person=person)
    assert not Person.objects.filter(pk=pk).exists()
    assert not Identity.objects.filter(person_id=pk).exists()
    assert not Consent.objects.filter(person_id=pk).exists()
    assert not NameToken.objects.filter(person_id=pk).exists()
    event = AuditEvent.objects.get(action="delete", target_type="registry.person")
    assert event.target_id == str(pk) and event.detail == {"code": code}
    assert event.actor == coordinator


def test_a_person_with_history_is_not_removed(coordinator, org):
    person = make_person(organization=org)
    enrol(make_cohort(program=make_program(owner=org), sessions=1), person)
    with pytest.raises(PersonInUseError) as caught:
        person_delete(actor=coordinator, person=person)
    assert "merge" in str(caught.value).lower()
    assert Person.objects.filter(pk=person.pk).exists()
    assert not AuditEvent.objects.filter(action="delete").exists()


def test_a_certification_to_facilitate_keeps_the_record_too(coordinator, org):
    # Rows of a higher app that Django would delete in bulk, without loading them.
    from cascada.cascade.models import Certification

    person = make_person(organization=org)
    cohort = make_cohort(program=make_program(owner=org), sessions=1)
    Certification.objects.create(person=person, cohort=cohort)
    with pytest.raises(PersonInUseError) as caught:
        person_delete(actor=coordinator, person=person)
    assert "certification" in str(caught.value)
    assert Certification.objects.filter(person=person).exists()


def test_a_record_others_were_merged_into_is_not_removed(coordinator, org):
    keep, duplicate = make_person(organization=org), make_person(organization=org)
    person_merge(actor=coordinator, keep=keep, duplicate=duplicate)
    with pytest.raises(PersonInUseError):
        person_delete(actor=coordinator, person=keep)


def test_removal_needs_the_right_to_manage_people(org):
    person = make_person(organization=org)
    viewer = make_user(role="viewer", organization=org)
    with pytest.raises(Exception):  # noqa: B017 - whichever refusal, nothing goes
        person_delete(actor=viewer, person=person)
    assert Person.objects.filter(pk=person.pk).exists()


def test_remove_in_the_browser_asks_then_removes(client, coordinator, org):
    person = make_person(organization=org)
    login_verified(client, coordinator)
    page = client.get(f"/people/{person.pk}/remove/")
    assert page.status_code == 200 and b'data-test="remove-confirm"' in page.content
    assert Person.objects.filter(pk=person.pk).exists()  # a GET removes nothing
    done = client.post(f"/people/{person.pk}/remove/")
    assert done.status_code == 302 and not Person.objects.filter(pk=person.pk).exists()


def test_remove_in_the_browser_explains_a_refusal(client, coordinator, org):
    person = make_person(organization=org)
    enrol(make_cohort(program=make_program(owner=org), sessions=1), person)
    login_verified(client, coordinator)
    page = client.get(f"/people/{person.pk}/remove/")
    assert b'data-test="remove-refused"' in page.content
    assert b'data-test="remove-confirm-submit"' not in page.content
    refused = client.post(f"/people/{person.pk}/remove/")
    assert refused.status_code == 409 and Person.objects.filter(pk=person.pk).exists()


def test_remove_through_the_api(coordinator, org, other_org):
    api = token_client(coordinator)
    mine, busy = make_person(organization=org), make_person(organization=org)
    enrol(make_cohort(program=make_program(owner=org), sessions=1), busy)
    theirs = make_person(organization=other_org)
    assert api.delete(f"/api/people/{mine.pk}/").status_code == 204
    refused = api.delete(f"/api/people/{busy.pk}/")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "person_in_use"
    assert api.delete(f"/api/people/{theirs.pk}/").status_code == 404
    assert set(Person.objects.values_list("pk", flat=True)) == {busy.pk, theirs.pk}


# ---------------------------------------------------------------- numbers from before the rules


def test_the_check_command_lists_old_numbers_by_code_without_the_number(coordinator, org, capsys):
    good = make_person(organization=org, national_id="40000001")
    old = make_person(organization=org, national_id="40000002")
    Identity.objects.filter(person=old).delete()
    Identity.objects.create(
        person=old, given_name="Viejo", id_document="dni", national_id="4000002"
    )
    call_command("id_documents_check", "--as", coordinator.username)
    out = capsys.readouterr().out
    assert old.code in out and good.code not in out and "4000002" not in out
    assert AuditEvent.objects.filter(action="check_documents").count() == 1
