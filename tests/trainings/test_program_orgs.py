"""A program's owner and partners, asked once per page and afresh before a write
(``trainings.selectors.program_org_ids``, issue 15)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cascada.accounts.roles import Cap
from cascada.core.errors import PermissionDeniedError
from cascada.trainings.models import Program
from cascada.trainings.selectors import program_org_ids, user_can
from cascada.trainings.services import cohort_create, program_share
from tests.accounts.factories import login_verified, make_user
from tests.registry.factories import make_org
from tests.trainings.factories import make_cohort, make_program

pytestmark = pytest.mark.django_db


def _partner_reads(queries) -> int:
    return sum(
        1
        for q in queries
        if "trainings_program_shared_with" in q["sql"]
        and q["sql"].startswith('SELECT "registry_organization"."id"')
    )


def test_a_cohort_page_asks_for_the_programs_partners_once(client, org):
    program = make_program(owner=org)
    cohort = make_cohort(program=program)
    login_verified(client, make_user(role="coordinator", organization=org))
    with CaptureQueriesContext(connection) as q:
        assert client.get(reverse("web:cohort_detail", args=[cohort.pk])).status_code == 200
    assert _partner_reads(q.captured_queries) == 1


def test_a_partner_added_counts_at_once_on_the_same_instance(org):
    partner = make_org(name="Aliada")
    owner_staff = make_user(role="coordinator", organization=org)
    partner_staff = make_user(role="coordinator", organization=partner)
    program = make_program(owner=org)
    assert program_org_ids(program) == {org.pk}
    assert not user_can(user=partner_staff, cap=Cap.VIEW_AGGREGATES, program=program)
    program_share(actor=owner_staff, program=program, organization=partner)
    assert user_can(user=partner_staff, cap=Cap.VIEW_AGGREGATES, program=program)


def test_a_write_asks_the_database_again(org):
    """A partner removed behind a remembered answer: the write's check sees it gone."""
    partner = make_org(name="Aliada")
    partner_staff = make_user(role="coordinator", organization=partner)
    program = make_program(owner=org)
    program.shared_with.add(partner)
    assert user_can(user=partner_staff, cap=Cap.MANAGE_PROGRAMS, program=program)
    Program.shared_with.through.objects.filter(program=program).delete()
    assert program_org_ids(program) == {org.pk, partner.pk}  # remembered for reads
    with pytest.raises(PermissionDeniedError):
        cohort_create(
            actor=partner_staff,
            program=program,
            name="Cohorte",
            kind="course",
            start_date=dt.date(2026, 3, 2),
        )
    assert not program.cohorts.exists()
