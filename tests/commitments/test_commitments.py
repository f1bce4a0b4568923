"""Commitments to Action: versions keep what was committed first, milestones late by date,
testimonies published only with consent, who sees which commitment (S2), and the grant
manager's portfolio with money by currency (docs/decisions/commitments.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError

from cascada.commitments import models as cm
from cascada.commitments.selectors import (
    commitment_get,
    commitment_list,
    initiative_list,
    milestones_late,
    portfolio,
    portfolio_totals,
    version_first,
    version_latest,
)
from cascada.commitments.selectors import (
    testimonies_publishable as publishable,
)
from cascada.commitments.services import (
    Plan,
    commitment_revise,
    grant_create,
    mentoring_session_record,
    milestone_set_status,
)
from cascada.commitments.services import (
    testimony_consent_set as consent_set,
)
from cascada.commitments.services import (
    testimony_record as record_testimony,
)
from cascada.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from tests.accounts.factories import make_user
from tests.registry.factories import make_org

from .conftest import CIES_PLAN

pytestmark = pytest.mark.django_db
D = dt.date

# ---------------------------------------------------------------- versions


def test_a_revision_keeps_what_was_committed_at_the_first_training(commitment, manager, el_alto):
    first = version_first(commitment)
    revised = Plan(
        aim="Formar a docentes y a juntas escolares de El Alto en masculinidades.",
        themes=["schools"],
        budget=[("Talleres", "9000.00"), ("Materiales", "8000.00"), ("Evaluación", "3000.00")],
        milestones=[
            {"key": "diagnostico", "title": "Diagnóstico participativo", "due_on": D(2019, 8, 31)},
            {"key": "juntas", "title": "Taller con juntas escolares", "due_on": D(2019, 10, 31)},
        ],
    )
    second = commitment_revise(actor=manager, commitment=commitment, plan=revised,
                               created_on=D(2019, 7, 1), note="Después de la mentoría")  # fmt: skip
    assert (first.number, second.number) == (1, 2)
    assert version_latest(commitment) == second
    first.refresh_from_db()
    assert first.aim == CIES_PLAN.aim and first.themes == ["schools", "youth"]
    assert list(first.places.all()) == [el_alto]
    assert {(b.label, b.amount) for b in first.budget_lines.all()} == {
        ("Talleres", Decimal("12000.00")), ("Materiales", Decimal("5000.00")),
        ("Evaluación", Decimal("3000.00")),
    }  # fmt: skip
    assert [(m.key, m.due_on) for m in first.milestones.all()] == [
        ("diagnostico", D(2019, 7, 31)), ("informe-medio", D(2019, 9, 30)),
        ("encuentro", D(2019, 11, 30)),
    ]  # fmt: skip
    assert [i.target for i in first.indicators.all()] == [Decimal("40.00")]
    # The live milestones follow the latest version, by key.
    live = {m.key: m for m in commitment.milestones.all()}
    assert live["diagnostico"].due_on == D(2019, 8, 31)
    assert live["informe-medio"].status == live["encuentro"].status == "dropped"
    assert live["juntas"].status == "not_started"
    # A revision cannot be dated before the version it revises.
    with pytest.raises(ApplicationError):
        commitment_revise(actor=manager, commitment=commitment, plan=revised,
                          created_on=D(2019, 6, 30))  # fmt: skip


def test_a_focal_point_revises_their_own_commitment_and_nobody_elses(
    commitment, alianza_commitment, focal
):
    user = make_user(person=focal)
    commitment_revise(actor=user, commitment=commitment, plan=CIES_PLAN, created_on=D(2019, 5, 1))
    with pytest.raises(PermissionDeniedError):
        commitment_revise(actor=user, commitment=alianza_commitment, plan=CIES_PLAN,
                          created_on=D(2019, 5, 1))  # fmt: skip


# ---------------------------------------------------------------- milestones


def test_milestones_are_late_by_date(commitment, manager):
    ms = {m.key: m for m in commitment.milestones.all()}
    # Due on 30 September: not late that day, late the day after.
    assert [m.key for m in milestones_late(commitment, D(2019, 9, 30))] == ["diagnostico"]
    assert [m.key for m in milestones_late(commitment, D(2019, 10, 1))] == [
        "diagnostico", "informe-medio",
    ]  # fmt: skip
    # "On track" past its date is still late; done or dropped is not.
    milestone_set_status(actor=manager, milestone=ms["diagnostico"], status="done",
                         on=D(2019, 8, 15))  # fmt: skip
    milestone_set_status(actor=manager, milestone=ms["informe-medio"], status="on_track",
                         on=D(2019, 9, 1))  # fmt: skip
    milestone_set_status(actor=manager, milestone=ms["encuentro"], status="dropped",
                         on=D(2019, 9, 1))  # fmt: skip
    assert [m.key for m in milestones_late(commitment, D(2019, 12, 1))] == ["informe-medio"]
    ms = {m.key: m for m in commitment.milestones.all()}
    assert ms["diagnostico"].days_late(D(2020, 1, 1)) == 15  # done 15 days after it was due
    assert ms["informe-medio"].days_late(D(2019, 10, 3)) == 3
    assert ms["encuentro"].days_late(D(2020, 1, 1)) == 0
    # Done again later: done_on follows, the status date too; reopened: no done date.
    milestone_set_status(actor=manager, milestone=ms["diagnostico"], status="on_track",
                         on=D(2019, 8, 20))  # fmt: skip
    ms["diagnostico"].refresh_from_db()
    assert ms["diagnostico"].done_on is None


def test_a_milestone_is_not_done_in_the_future(commitment, manager):
    milestone = commitment.milestones.first()
    with pytest.raises(ApplicationError):
        milestone_set_status(actor=manager, milestone=milestone, status="done",
                             on=dt.date.today() + dt.timedelta(days=2))  # fmt: skip


# ---------------------------------------------------------------- testimonies

QUOTES = {
    "Alianza Solidaria": "El trabajo en masculinidades con jóvenes es clave.",
    "Aldea SOS": "El verdadero aprendizaje está en revisar lo personal.",
    "CIES": "Podemos y debemos identificar los momentos decisivos de un proceso.",
}


def test_a_testimony_without_consent_is_never_publishable(
    commitment, alianza_commitment, initiative, cies, alianza, manager
):
    published = record_testimony(actor=manager, commitment=commitment, quote=QUOTES["CIES"],
                                 author_institution=cies, recorded_on=D(2021, 12, 2),
                                 consent_to_publish=True, consent_on=D(2021, 12, 2))  # fmt: skip
    private = record_testimony(actor=manager, commitment=alianza_commitment,
                               quote=QUOTES["Alianza Solidaria"], author_institution=alianza,
                               recorded_on=D(2021, 12, 2))  # fmt: skip
    withdrawn = record_testimony(actor=manager, commitment=commitment, quote=QUOTES["Aldea SOS"],
                                 author_institution=cies, recorded_on=D(2021, 12, 2),
                                 consent_to_publish=True, consent_on=D(2021, 12, 3))  # fmt: skip
    consent_set(actor=manager, testimony=withdrawn, consent=False, on=None)
    assert list(publishable(initiative=initiative)) == [published]
    assert list(publishable(commitments=[alianza_commitment.pk])) == []
    assert private not in publishable()
    # Consent needs its date, in the service and in the database.
    with pytest.raises(ApplicationError):
        record_testimony(actor=manager, commitment=commitment, quote="x", author_institution=cies,
                         recorded_on=D(2021, 12, 2), consent_to_publish=True)  # fmt: skip
    with pytest.raises(IntegrityError):
        cm.Testimony.objects.filter(pk=private.pk).update(consent_to_publish=True)


# ---------------------------------------------------------------- who sees what (S2)


def test_a_mentor_sees_only_the_commitments_assigned_to_them(
    commitment, alianza_commitment, mentor, other_mentor
):
    assert list(commitment_list(user=mentor)) == [commitment]
    assert list(commitment_list(user=other_mentor)) == [alianza_commitment]
    with pytest.raises(NotFoundError):
        commitment_get(user=mentor, pk=alianza_commitment.pk)
    with pytest.raises(PermissionDeniedError):
        mentoring_session_record(actor=mentor, commitment=alianza_commitment, held_on=D(2019, 5, 2),
                                 mode="video", topics="Avance")  # fmt: skip
    session = mentoring_session_record(
        actor=mentor, commitment=commitment, held_on=D(2019, 5, 2), mode="video",
        topics="Diagnóstico", next_steps="Enviar el cuestionario",
        assessments=[{"milestone": commitment.milestones.get(key="diagnostico"),
                      "status": "on_track", "note": "Buen avance"}],
    )  # fmt: skip
    assert session.mentor == mentor and session.assessments.get().status == "on_track"
    # A closed account sees nothing.
    mentor.is_active = False
    assert list(commitment_list(user=mentor)) == []


def test_another_organization_sees_no_commitment(commitment, alianza_commitment, initiative):
    stranger = make_user(role="coordinator", organization=make_org(name="Otra ONG"))
    assert list(commitment_list(user=stranger)) == []
    assert list(initiative_list(user=stranger)) == []
    assert portfolio(user=stranger, initiative=initiative, today=D(2019, 12, 1)) == []
    with pytest.raises(PermissionDeniedError):
        commitment_revise(actor=stranger, commitment=commitment, plan=CIES_PLAN,
                          created_on=D(2019, 5, 1))  # fmt: skip


def test_the_focal_point_sees_their_own_and_a_viewer_only_the_initiative(
    commitment, alianza_commitment, initiative, focal, funder, manager
):
    assert list(commitment_list(user=make_user(person=focal))) == [commitment]
    viewer = make_user(role="viewer", organization=funder)
    assert list(commitment_list(user=viewer)) == []
    assert list(initiative_list(user=viewer)) == [initiative]
    assert portfolio(user=viewer, initiative=initiative, today=D(2019, 12, 1)) == []
    assert set(commitment_list(user=manager)) == {commitment, alianza_commitment}


# ---------------------------------------------------------------- portfolio


def test_the_portfolio_keeps_currencies_apart(
    commitment, alianza_commitment, initiative, manager, el_alto, cies
):
    grant_create(actor=manager, commitment=commitment, amount="20000.00", currency="BOB",
                 awarded_on=D(2019, 4, 1), tranches=[{"amount": "20000.00"}])  # fmt: skip
    grant_create(actor=manager, commitment=alianza_commitment, amount="900.00", currency="USD",
                 awarded_on=D(2019, 4, 1), tranches=[{"amount": "900.00"}])  # fmt: skip
    mentoring_session_record(actor=manager, commitment=commitment, held_on=D(2019, 5, 2),
                             mode="call", topics="Arranque")  # fmt: skip
    rows = portfolio(user=manager, initiative=initiative, today=D(2019, 10, 2))
    by = {r.commitment.pk: r for r in rows}
    cies_row, alianza_row = by[commitment.pk], by[alianza_commitment.pk]
    assert set(cies_row.money) == {"BOB"} and set(alianza_row.money) == {"USD"}
    assert cies_row.money["BOB"].committed == Decimal("20000.00")
    assert (cies_row.late, cies_row.milestones, cies_row.sessions) == (2, 3, 1)
    assert cies_row.last_session == D(2019, 5, 2) and alianza_row.late == 1
    totals = portfolio_totals(rows)
    assert {c: t.committed for c, t in totals.items()} == {
        "BOB": Decimal("20000.00"), "USD": Decimal("900.00"),
    }  # fmt: skip
    # Filters: theme, place, institution.
    today = D(2019, 10, 2)
    only = portfolio(user=manager, initiative=initiative, today=today, theme="schools")
    assert [r.commitment for r in only] == [commitment]
    assert [r.commitment for r in portfolio(user=manager, initiative=initiative, today=today,
                                            place=el_alto)] == [commitment]  # fmt: skip
    assert [r.commitment for r in portfolio(user=manager, initiative=initiative, today=today,
                                            institution=cies)] == [commitment]  # fmt: skip
    assert len(portfolio(user=manager, initiative=initiative, today=today, theme="youth")) == 2


def test_a_commitment_is_only_for_an_institution_of_the_initiative(initiative, manager):
    from cascada.commitments.services import commitment_create

    with pytest.raises(ApplicationError) as refused:
        commitment_create(actor=manager, initiative=initiative, institution=make_org(name="Ajena"),
                          plan=CIES_PLAN, created_on=D(2019, 3, 15))  # fmt: skip
    assert refused.value.extra["field"] == "institution"


def test_only_the_funders_staff_create_commitments(initiative, alianza, cies):
    from cascada.commitments.services import commitment_create

    outsider = make_user(role="coordinator", organization=cies)
    with pytest.raises(PermissionDeniedError):
        commitment_create(actor=outsider, initiative=initiative, institution=alianza,
                          plan=CIES_PLAN, created_on=D(2019, 3, 15))  # fmt: skip
