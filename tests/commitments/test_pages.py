"""Commitments to Action pages as each role meets them (docs/decisions/commitments.md):
the grant manager sees every commitment of the funder's initiative and its money by
currency; a mentor only the commitments assigned to them, a focal point only their own
(404 otherwise, S2); a viewer only an explanation; another organization nothing. The
forms write through the services, refusals are messages on the form (never a 500), and a
testimony's quote stays on the commitment's page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cascada.accounts.roles import Role
from cascada.commitments.models import (
    Disbursement,
    LessonLearned,
    MentoringSession,
    MilestoneAssessment,
    Spending,
    Tranche,
)
from cascada.commitments.models import Testimony as Quote
from cascada.commitments.services import (
    Plan,
    commitment_revise,
    grant_create,
    milestone_set_status,
)
from cascada.commitments.services import testimony_record as record_testimony
from tests.accounts.factories import login_verified, make_user
from tests.registry.factories import make_org

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = timezone.localdate()
QUOTE = "Aprendimos a escuchar a los padres sin juzgarlos"


@pytest.fixture
def grant(commitment):
    mid = commitment.milestones.get(key="informe-medio")
    return grant_create(
        actor=None,
        commitment=commitment,
        amount="20000.00",
        currency="BOB",
        awarded_on=D(2019, 3, 20),
        tranches=[
            {"amount": "12000.00", "condition": "A la firma"},
            {
                "amount": "8000.00",
                "condition": "Tras la aceptación del informe de medio término",
                "condition_milestone": mid,
            },
        ],
    )


@pytest.fixture
def dollar_grant(alianza_commitment):
    return grant_create(
        actor=None,
        commitment=alianza_commitment,
        amount="900.00",
        currency="USD",
        awarded_on=D(2019, 3, 20),
        tranches=[{"amount": "900.00"}],
    )


@pytest.fixture
def focal_user(focal):
    return make_user(username="juana-cies", person=focal)


def _in(client, user):
    login_verified(client, user)
    return client


def _url(commitment, action=""):
    return f"/commitments/{commitment.pk}/" + (f"{action}/" if action else "")


# ---------------------------------------------------------------- who sees what


def test_the_grant_manager_sees_every_commitment_with_money_by_currency(
    client, manager, commitment, alianza_commitment, grant, dollar_grant
):
    page = _in(client, manager).get("/commitments/")
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('data-test="portfolio-row"') == 2
    assert "CIES Salud Sexual y Reproductiva" in body and "Alianza por la Solidaridad" in body
    # one total per currency, never summed across them
    assert body.count('data-test="total"') == 2
    assert "20000.00" in body and "900.00" in body and "20900.00" not in body
    # every milestone of 2019 is late by date
    assert 'data-test="late"' in body


def test_the_portfolio_filters_by_theme_and_institution(
    client, manager, commitment, alianza_commitment, cies
):
    _in(client, manager)
    schools = client.get("/commitments/?theme=schools").content.decode()
    assert schools.count('data-test="portfolio-row"') == 1 and "CIES" in schools
    alianza = client.get(f"/commitments/?institution={alianza_commitment.institution_id}")
    assert alianza.content.decode().count('data-test="portfolio-row"') == 1
    assert b"Alianza por la Solidaridad</a>" in alianza.content
    odd = client.get("/commitments/?theme=nada&place=abc&institution=-1")
    assert odd.status_code == 200
    assert odd.content.decode().count('data-test="portfolio-row"') == 2


def test_a_mentor_sees_only_the_commitments_assigned_to_them(
    client, mentor, commitment, alianza_commitment
):
    _in(client, mentor)
    body = client.get("/commitments/").content.decode()
    assert body.count('data-test="portfolio-row"') == 1
    assert "CIES Salud Sexual y Reproductiva" in body
    assert "Alianza por la Solidaridad</a>" not in body
    assert client.get(_url(commitment)).status_code == 200
    assert client.get(_url(alianza_commitment)).status_code == 404


def test_a_focal_point_sees_only_their_own_commitment(
    client, focal_user, commitment, alianza_commitment
):
    _in(client, focal_user)
    assert client.get(_url(commitment)).status_code == 200
    assert client.get(_url(alianza_commitment)).status_code == 404
    body = client.get("/commitments/").content.decode()
    assert body.count('data-test="portfolio-row"') == 1


def test_a_viewer_of_the_funder_sees_an_explanation_and_no_commitment(client, funder, commitment):
    viewer = make_user(role=Role.VIEWER, organization=funder)
    _in(client, viewer)
    body = client.get("/commitments/").content.decode()
    assert 'data-test="aggregates-only"' in body
    assert 'data-test="portfolio-row"' not in body and "CIES" not in body
    assert client.get(_url(commitment)).status_code == 404
    # The initiative's figures, through the small-numbers control: one commitment is "<5".
    assert 'data-test="summary-commitments">&lt;5<' in body
    assert 'data-test="booklet-link"' not in body


def test_the_grant_manager_sees_the_initiatives_figures_exactly(client, manager, commitment):
    _in(client, manager)
    body = client.get("/commitments/").content.decode()
    assert 'data-test="summary-commitments">1<' in body


def test_another_organization_finds_nothing(client, commitment, grant):
    stranger = make_user(role=Role.COORDINATOR, organization=make_org(name="Otra ONG"))
    _in(client, stranger)
    body = client.get("/commitments/").content.decode()
    assert 'data-test="none"' in body and "CIES" not in body
    assert client.get(_url(commitment)).status_code == 404
    milestone = commitment.milestones.first()
    post = client.post(
        _url(commitment, "milestone"),
        {"ms-milestone": milestone.pk, "ms-status": "done", "ms-on": "2019-07-30"},
    )
    assert post.status_code == 404
    milestone.refresh_from_db()
    assert milestone.status == "not_started"


# ---------------------------------------------------------------- the commitment page


def test_the_first_version_stays_viewable_after_a_revision(client, manager, commitment):
    commitment_revise(
        actor=None,
        commitment=commitment,
        plan=Plan(aim="Un objetivo revisado", themes=["schools"], budget=[("Talleres", "100.00")]),
        created_on=D(2019, 6, 1),
        note="Se ajustó el objetivo",
    )
    _in(client, manager)
    latest = client.get(_url(commitment)).content.decode()
    assert "Un objetivo revisado" in latest and 'data-test="versions"' in latest
    first = client.get(_url(commitment) + "?version=1").content.decode()
    assert "Incorporar el enfoque de masculinidades" in first
    assert "Un objetivo revisado" not in first
    assert client.get(_url(commitment) + "?version=9").status_code == 404
    assert client.get(_url(commitment) + "?version=uno").status_code == 404


def test_the_page_shows_the_grant_balance_tranches_and_conditions(
    client, manager, commitment, grant
):
    body = _in(client, manager).get(_url(commitment)).content.decode()
    assert body.count('data-test="tranche"') == 2
    assert "Tras la aceptación del informe de medio término" in body
    assert "Informe de medio término" in body
    assert "BOB 20000.00" in body
    assert 'data-test="grant-balance">BOB 0.00' in body


def test_an_unconsented_testimony_is_marked_and_never_on_the_portfolio(client, manager, commitment):
    record_testimony(
        actor=None,
        commitment=commitment,
        quote=QUOTE,
        author_institution=commitment.institution,
        recorded_on=D(2021, 11, 1),
    )
    _in(client, manager)
    page = client.get(_url(commitment)).content.decode()
    assert QUOTE in page and 'data-test="not-for-publication"' in page
    portfolio = client.get("/commitments/").content.decode()
    assert QUOTE not in portfolio


# ---------------------------------------------------------------- the forms


def test_the_focal_point_reports_a_milestone_done_with_evidence(client, focal_user, commitment):
    milestone = commitment.milestones.get(key="diagnostico")
    _in(client, focal_user)
    answer = client.post(
        _url(commitment, "milestone"),
        {
            "ms-milestone": milestone.pk,
            "ms-status": "done",
            "ms-on": "2019-07-29",
            "ms-note": "Informe del diagnóstico en la carpeta compartida",
        },
    )
    assert answer.status_code == 302
    milestone.refresh_from_db()
    assert milestone.status == "done" and milestone.done_on == D(2019, 7, 29)
    assert "carpeta compartida" in milestone.note


def test_a_date_in_the_future_is_a_message_on_the_form(client, focal_user, commitment):
    milestone = commitment.milestones.get(key="diagnostico")
    _in(client, focal_user)
    future = (TODAY + dt.timedelta(days=10)).isoformat()
    answer = client.post(
        _url(commitment, "milestone"),
        {"ms-milestone": milestone.pk, "ms-status": "done", "ms-on": future},
    )
    assert answer.status_code == 400
    assert 'data-test="form-errors"' in answer.content.decode()
    milestone.refresh_from_db()
    assert milestone.status == "not_started"


def test_the_mentor_logs_a_session_with_an_assessment(client, mentor, commitment):
    milestone = commitment.milestones.get(key="diagnostico")
    _in(client, mentor)
    answer = client.post(
        _url(commitment, "session"),
        {
            "se-held_on": "2019-06-10",
            "se-mode": "video",
            "se-topics": "Avance del diagnóstico",
            "se-next_steps": "Enviar el borrador",
            "se-follow_up": "",
            f"se-assess_{milestone.pk}": "delayed",
        },
    )
    assert answer.status_code == 302
    session = MentoringSession.objects.get()
    assert session.mentor == mentor and session.mode == "video"
    assessment = MilestoneAssessment.objects.get()
    assert assessment.milestone == milestone and assessment.status == "delayed"
    milestone.refresh_from_db()
    assert milestone.status == "not_started"  # the institution's report stays its own


def test_roles_may_not_use_each_others_forms(client, mentor, focal_user, commitment, grant):
    tranche = grant.tranches.get(number=1)
    _in(client, mentor)
    refused = client.post(
        _url(commitment, "release"), {"re-tranche": tranche.pk, "re-released_on": "2019-04-01"}
    )
    assert refused.status_code == 403
    client.logout()
    _in(client, focal_user)
    session = client.post(
        _url(commitment, "session"),
        {"se-held_on": "2019-06-10", "se-mode": "video", "se-topics": "x"},
    )
    assert session.status_code == 403
    tranche.refresh_from_db()
    assert tranche.released_on is None and not MentoringSession.objects.exists()


def test_the_grant_manager_releases_a_tranche_only_once_its_condition_is_met(
    client, manager, commitment, grant
):
    second = grant.tranches.get(number=2)
    _in(client, manager)
    data = {"re-tranche": second.pk, "re-released_on": "2019-10-15"}
    refused = client.post(_url(commitment, "release"), data)
    assert refused.status_code == 400
    assert "Informe de medio término" in refused.content.decode()
    second.refresh_from_db()
    assert second.released_on is None
    milestone_set_status(
        actor=None,
        milestone=commitment.milestones.get(key="informe-medio"),
        status="done",
        on=D(2019, 10, 1),
    )
    released = client.post(_url(commitment, "release"), {**data, "re-released_on": "2019-10-16"})
    assert released.status_code == 302
    second.refresh_from_db()
    assert second.released_on == D(2019, 10, 16) and second.released_by == manager


@pytest.mark.parametrize("typed", ["1e3", "1E3", "Infinity", "1_000"])
def test_a_disbursement_in_pythons_spelling_is_refused_and_nothing_kept(
    client, manager, commitment, grant, typed
):
    first = grant.tranches.get(number=1)
    Tranche.objects.filter(pk=first.pk).update(released_on=D(2019, 4, 1))
    _in(client, manager)
    disbursed = client.post(
        _url(commitment, "disbursement"),
        {"di-tranche": first.pk, "di-date": "2019-04-02", "di-amount": typed},
    )
    assert disbursed.status_code == 400
    assert "Amount: not a number. Use digits only" in disbursed.content.decode()
    assert not Disbursement.objects.exists()


def test_a_disbursement_with_a_bad_amount_is_a_message_then_a_good_one_is_kept(
    client, manager, commitment, grant
):
    first = grant.tranches.get(number=1)
    Tranche.objects.filter(pk=first.pk).update(released_on=D(2019, 4, 1))
    _in(client, manager)
    url = _url(commitment, "disbursement")
    for amount in ("doce mil", "12000.005", "-5", "NaN", "99999999999999999999"):
        answer = client.post(
            url, {"di-tranche": first.pk, "di-date": "2019-04-02", "di-amount": amount}
        )
        assert answer.status_code == 400, amount
        assert 'data-test="form-errors"' in answer.content.decode(), amount
    assert not Disbursement.objects.exists()
    kept = client.post(
        url,
        {"di-tranche": first.pk, "di-date": "2019-04-02", "di-amount": "12000.00",
         "di-reference": "TRF-001"},
    )  # fmt: skip
    assert kept.status_code == 302
    assert Disbursement.objects.get().amount == Decimal("12000.00")


def test_the_focal_point_records_spending_lessons_and_testimonies(
    client, focal_user, commitment, grant
):
    _in(client, focal_user)
    spent = client.post(
        _url(commitment, "spending"),
        {"sp-grant": grant.pk, "sp-budget_line": "Talleres", "sp-date": "2019-05-01",
         "sp-amount": "1500.50", "sp-currency": "", "sp-note": "Taller 1"},
    )  # fmt: skip
    assert spent.status_code == 302
    assert Spending.objects.get().amount == Decimal("1500.50")
    other = client.post(
        _url(commitment, "spending"),
        {"sp-grant": grant.pk, "sp-budget_line": "Talleres", "sp-date": "2019-05-01",
         "sp-amount": "10.00", "sp-currency": "USD"},
    )  # fmt: skip
    assert other.status_code == 400 and Spending.objects.count() == 1  # no rate recorded
    lesson = client.post(
        _url(commitment, "lesson"),
        {"le-text": "Los padres vienen si la reunión es de noche", "le-recorded_on": "2021-11-02"},
    )
    assert lesson.status_code == 302 and LessonLearned.objects.count() == 1
    no_date = client.post(
        _url(commitment, "testimony"),
        {"te-quote": QUOTE, "te-author_institution": commitment.institution_id,
         "te-recorded_on": "2021-11-02", "te-consent_to_publish": "on"},
    )  # fmt: skip
    assert no_date.status_code == 400 and not Quote.objects.exists()
    kept = client.post(
        _url(commitment, "testimony"),
        {"te-quote": QUOTE, "te-author_institution": commitment.institution_id,
         "te-recorded_on": "2021-11-02", "te-consent_to_publish": "on",
         "te-consent_on": "2021-11-02"},
    )  # fmt: skip
    assert kept.status_code == 302
    testimony = Quote.objects.get()
    assert testimony.consent_to_publish and testimony.consent_on == D(2021, 11, 2)


def test_odd_input_is_a_message_never_a_server_error(client, manager, commitment, grant):
    _in(client, manager)
    client.raise_request_exception = False
    cases = [
        ("milestone", {"ms-milestone": "999999", "ms-status": "done", "ms-on": "2019-07-01"}),
        ("milestone", {"ms-milestone": "abc", "ms-status": "hecho", "ms-on": "2019-02-30"}),
        ("session", {"se-held_on": "ayer", "se-mode": "telepatía", "se-topics": ""}),
        ("release", {"re-tranche": "-1", "re-released_on": ""}),
        ("spending", {"sp-grant": grant.pk, "sp-budget_line": "Fiesta", "sp-amount": "1e400",
                      "sp-date": "2019-05-01"}),
        ("testimony", {"te-quote": "x" * 5000, "te-author_institution": "0"}),
        ("lesson", {"le-text": "", "le-recorded_on": "2019-13-01"}),
    ]  # fmt: skip
    for action, data in cases:
        answer = client.post(_url(commitment, action), data)
        assert answer.status_code == 400, (action, answer.status_code)
        assert b"errorlist" in answer.content, action


# ---------------------------------------------------------------- what is due


def test_the_mentor_prints_what_is_due(client, mentor, commitment, alianza_commitment):
    _in(client, mentor)
    page = client.get("/commitments/due/")
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('data-test="due-commitment"') == 1
    assert body.count('data-test="due-milestone"') == 3  # all three late since 2019
    assert 'data-test="session-due"' in body
    assert "Encuentro</" not in body  # Alianza's milestone, another mentor's commitment


def test_nothing_due_for_a_user_with_no_commitment(client, commitment):
    _in(client, make_user(username="nadie"))
    body = client.get("/commitments/due/").content.decode()
    assert 'data-test="nothing-due"' in body and "CIES" not in body


def test_the_home_page_reminds_a_mentor_of_late_milestones(client, mentor, commitment):
    _in(client, mentor)
    body = client.get("/").content.decode()
    assert 'data-test="my-commitments"' in body and "CIES" in body
    # The three milestones of 2019 are past and not done: late, by date.
    assert 'data-test="home-late"' in body and "3" in body
    assert 'data-test="no-roles"' not in body


def test_the_home_page_shows_no_commitment_to_others(client, commitment, funder):
    _in(client, make_user(role=Role.VIEWER, organization=funder))
    assert 'data-test="my-commitments"' not in client.get("/").content.decode()
