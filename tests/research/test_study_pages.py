"""The pages of a formative study as each role meets them (docs/decisions/research.md): the
lead and the organization's coordinator run the protocol and the sample design, only the
lead the members; researchers screen and take consent and may read a recruit's name, each
read audited; a coder sees the log by code only; a viewer of the organization sees the
protocol and the sample's progress through the disclosure control ("<5"), never the log;
another organization's staff find nothing (404). Every page is sent no-store, forms answer
in Spanish beside the field, and no recruit's name ever appears on the log."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from cascada.accounts.roles import Role
from cascada.audit.models import AuditEvent
from cascada.registry.models import Place
from cascada.research.models import (
    MemberRole,
    Quota,
    Recruit,
    RecruitStatus,
    Site,
    Study,
    StudyMember,
)
from cascada.research.services.fieldwork import event_record
from cascada.research.services.sample import recruit_consent, recruit_screen
from cascada.research.services.study import approval_add, study_create
from cascada.trainings.clock import country_today
from tests.accounts.factories import login_verified, make_user
from tests.research.conftest import answers

pytestmark = pytest.mark.django_db

D = dt.date
ES = {"HTTP_ACCEPT_LANGUAGE": "es"}
NAME = "Juan Quispe Mamani"
CONTACT = "987 654 321"
ROLES = ("lead", "researcher", "coder", "upch_coordinator", "upch_viewer")


def _as(client, user):
    login_verified(client, user)
    return client


def _get(client, url):
    return client.get(url, **ES)


def _post(client, url, data):
    return client.post(url, data, **ES)


def _body(response) -> str:
    return response.content.decode()


def _site(study, name):
    return study.sites.get(name=name)


def _screen(
    study, by, *, site="Villa María del Triunfo", age=25, activist=False, name="", contact=""
):
    return recruit_screen(
        actor=by,
        study=study,
        site=_site(study, site),
        method="interview",
        age=age,
        answers=answers(study, activist=activist),
        screened_on=D(2024, 2, 1),
        name=name,
        contact=contact,
    )


def _took_part(study, by, *, site="Villa María del Triunfo", age=25, name=""):
    """A person screened, consented and interviewed: they took part."""
    recruit = _screen(study, by, site=site, age=age, name=name)
    recruit_consent(
        actor=by,
        recruit=recruit,
        consent_form=study.consent_forms.get(),
        consented_on=D(2024, 2, 2),
    )
    event_record(
        actor=by,
        study=study,
        method="interview",
        site=_site(study, site),
        held_on=D(2024, 2, 5),
        participants=[recruit],
        duration_minutes=60,
    )
    return recruit


def _url(name, obj):
    return reverse(f"web:{name}", args=[obj.pk])


# ---------------------------------------------------------------- who opens what


@pytest.mark.parametrize("who", ROLES)
def test_the_organization_and_members_open_the_study(client, request, study, who):
    user = request.getfixturevalue(who)
    _as(client, user)
    listing = _get(client, reverse("web:study_list"))
    assert listing.status_code == 200
    assert 'data-test="study-row"' in _body(listing) and study.title in _body(listing)
    page = _get(client, _url("study_detail", study))
    body = _body(page)
    assert page.status_code == 200
    assert "Comprender la sexualidad masculina" in body  # the protocol
    assert 'data-test="quota-table"' in body
    assert "no-store" in page["Cache-Control"]


def test_another_organization_finds_nothing(client, stranger, study):
    _as(client, stranger)
    listing = _body(_get(client, reverse("web:study_list")))
    assert study.title not in listing and 'data-test="none"' in listing
    recruit = _screen(study, None, name=NAME)
    for url in (
        _url("study_detail", study),
        _url("study_recruits", study),
        _url("recruit_detail", recruit),
        _url("study_site_add", study),
    ):
        assert _get(client, url).status_code == 404, url
    site = _site(study, "Iquitos")
    young = study.strata.get(age_min=20)
    refused = _post(
        client,
        _url("study_quota", study),
        {"qu-site": site.pk, "qu-stratum": young.pk, "qu-method": "focus_group", "qu-target": 9},
    )
    assert refused.status_code == 404
    assert _post(client, _url("recruit_identity", recruit), {}).status_code == 404
    assert not Quota.objects.filter(site=site, method="focus_group").exists()
    assert not AuditEvent.objects.filter(action="view", target_type="research.recruit").exists()


def test_a_user_without_a_role_is_refused_the_list(client, study):
    _as(client, make_user(username="sin-rol-estudios"))
    assert _get(client, reverse("web:study_list")).status_code == 403


def test_only_staff_who_manage_programs_are_offered_a_new_study(client, upch_coordinator, lead):
    assert 'data-test="study-new-link"' in _body(
        _get(_as(client, upch_coordinator), reverse("web:study_list"))
    )
    _as(client, lead)  # a viewer of the organization, lead of a study
    assert 'data-test="study-new-link"' not in _body(_get(client, reverse("web:study_list")))
    assert _get(client, reverse("web:study_new")).status_code == 403


# ---------------------------------------------------------------- the forms each role gets


LEAD_FORMS = ("protocol", "approval", "consent_form", "stratum", "quota", "question")


def test_the_lead_gets_every_form_and_the_member_buttons(client, lead, study):
    body = _body(_get(_as(client, lead), _url("study_detail", study)))
    for name in (*LEAD_FORMS, "member"):
        assert f'data-test="form-{name}"' in body, name
    assert 'data-test="site-add-link"' in body
    # a remove button on every member but the lead's own row
    assert body.count('data-test="member-remove"') == 3
    assert 'data-test="my-role"' in body


def test_the_coordinator_runs_the_protocol_but_not_the_members(client, upch_coordinator, study):
    body = _body(_get(_as(client, upch_coordinator), _url("study_detail", study)))
    for name in LEAD_FORMS:
        assert f'data-test="form-{name}"' in body, name
    assert 'data-test="form-member"' not in body and 'data-test="member-remove"' not in body


@pytest.mark.parametrize("who", ("researcher", "coder", "upch_viewer"))
def test_others_get_no_form(client, request, study, who):
    body = _body(_get(_as(client, request.getfixturevalue(who)), _url("study_detail", study)))
    assert 'data-test="form-' not in body
    assert 'data-test="member-remove"' not in body and 'data-test="site-add-link"' not in body
    # Members of staff are named (they are not participants).
    assert "investigadora" in body and "codificadora" in body


def test_the_recruitment_log_link_only_for_those_who_read_it(client, upch_viewer, coder, study):
    log = _url("study_recruits", study)
    assert log in _body(_get(_as(client, coder), _url("study_detail", study)))
    assert log not in _body(_get(_as(client, upch_viewer), _url("study_detail", study)))


# ---------------------------------------------------------------- the sample at a glance


def test_progress_is_exact_for_the_lead_and_protected_for_the_viewer(
    client, lead, researcher, upch_viewer, study
):
    _took_part(study, researcher)
    _screen(study, researcher)
    _screen(study, researcher, activist=True)
    lead_page = _body(_get(_as(client, lead), _url("study_detail", study)))
    assert 'data-test="total-took-part">1<' in lead_page
    assert 'data-test="cell-screened">3<' in lead_page
    assert 'data-test="cell-excluded">1<' in lead_page
    assert 'data-test="release-note"' not in lead_page
    listing = _body(_get(client, reverse("web:study_list")))
    assert "1 / 11" in listing  # took part / target

    viewer_page = _body(_get(_as(client, upch_viewer), _url("study_detail", study)))
    assert 'data-test="total-took-part">&lt;5<' in viewer_page
    assert 'data-test="cell-screened">3<' not in viewer_page
    assert 'data-test="cell-took-part">1<' not in viewer_page
    assert 'data-test="release-note"' in viewer_page
    # Targets are the design, not counts of people: shown as they are.
    assert 'data-test="cell-target">6<' in viewer_page
    assert "&lt;5 / 11" in _body(_get(client, reverse("web:study_list")))


def test_a_met_quota_is_marked(client, lead, researcher, study):
    _took_part(study, researcher, site="Iquitos")
    body = _body(_get(_as(client, lead), _url("study_detail", study)))
    assert body.count('data-test="quota-met"') == 1


# ---------------------------------------------------------------- ethics approval


def _today(study):
    return country_today(study.organization.country)


def test_an_expired_approval_is_a_warning(client, lead, study):
    body = _body(_get(_as(client, lead), _url("study_detail", study)))
    assert 'data-test="approval-warning-expired"' in body
    assert "CIE-2024-031" in body


def test_a_study_without_approval_is_warned(client, upch, upch_coordinator, lead, study):
    fresh = study_create(
        actor=upch_coordinator,
        organization=upch,
        title="Estudio sin aprobación",
        code="SIN",
        starts_on=D(2025, 1, 1),
        lead=lead,
    )
    body = _body(_get(_as(client, lead), _url("study_detail", fresh)))
    assert 'data-test="approval-warning-missing"' in body


def test_an_approval_expiring_within_60_days_is_a_warning(client, lead, study):
    today = _today(study)
    approval_add(
        actor=lead,
        study=study,
        committee="Comité Institucional de Ética de la UPCH",
        number="CIE-2025-007",
        approved_on=today - dt.timedelta(days=300),
        expires_on=today + dt.timedelta(days=30),
    )
    body = _body(_get(_as(client, lead), _url("study_detail", study)))
    warning = body.split('data-test="approval-warning-expiring"', 1)[1].split("</div>", 1)[0]
    expires = (today + dt.timedelta(days=30)).strftime("%d/%m/%Y")
    assert "CIE-2025-007" in warning and expires in warning


def test_an_approval_valid_for_months_is_no_warning(client, lead, study):
    today = _today(study)
    approval_add(
        actor=lead,
        study=study,
        committee="Comité Institucional de Ética de la UPCH",
        number="CIE-2025-008",
        approved_on=today - dt.timedelta(days=10),
        expires_on=today + dt.timedelta(days=200),
    )
    body = _body(_get(_as(client, lead), _url("study_detail", study)))
    assert 'data-test="approval-warning' not in body


def test_the_lead_adds_an_approval_and_errors_show_beside_the_field(client, lead, study):
    _as(client, lead)
    url = _url("study_approval", study)
    bad = _post(client, url, {"ap-committee": "CIEI", "ap-number": "", "ap-approved_on": "x"})
    assert bad.status_code == 400
    body = _body(bad)
    assert 'data-test="error-ap-number"' in body and "Este campo es obligatorio" in body
    assert 'data-test="error-ap-approved_on"' in body and "Introduzca una fecha válida" in body
    ok = _post(
        client,
        url,
        {
            "ap-committee": "CIEI",
            "ap-number": "R-2",
            "ap-approved_on": "2025-01-05",
            "ap-expires_on": "2026-01-04",
        },
    )
    assert ok.status_code == 302
    assert study.approvals.filter(number="R-2").exists()


# ---------------------------------------------------------------- creating a study


def _new_study(organization, **overrides):
    data = {
        "organization": organization.pk,
        "title": "Masculinidades en Arequipa",
        "code": "ARQ",
        "starts_on": "2025-03-01",
        "ends_on": "",
        "aims": "Conocer los factores de riesgo.",
        "research_objectives": "",
        "intervention_objectives": "",
        "methods": "Entrevistas.",
    }
    data.update(overrides)
    return data


def test_the_coordinator_creates_a_study_with_its_lead(client, upch, upch_coordinator, lead):
    _as(client, upch_coordinator)
    form = _get(client, reverse("web:study_new"))
    assert form.status_code == 200 and "investigadora" in _body(form)
    created = _post(client, reverse("web:study_new"), _new_study(upch, lead=lead.pk))
    assert created.status_code == 302
    study = Study.objects.get(code="ARQ")
    assert created["Location"] == _url("study_detail", study)
    assert study.organization == upch and study.aims == "Conocer los factores de riesgo."
    assert StudyMember.objects.get(study=study).user == lead


def test_a_new_study_form_answers_in_spanish_beside_the_field(
    client, upch, upch_coordinator, lead, study
):
    _as(client, upch_coordinator)
    missing = _post(client, reverse("web:study_new"), _new_study(upch, lead=lead.pk, title=""))
    assert missing.status_code == 400
    assert 'data-test="error-title"' in _body(missing)
    assert "Este campo es obligatorio" in _body(missing)
    taken = _post(client, reverse("web:study_new"), _new_study(upch, lead=lead.pk, code="MRV"))
    assert taken.status_code == 400 and 'data-test="error-code"' in _body(taken)
    backwards = _post(
        client, reverse("web:study_new"), _new_study(upch, lead=lead.pk, ends_on="2025-01-01")
    )
    assert backwards.status_code == 400 and 'data-test="error-ends_on"' in _body(backwards)
    assert not Study.objects.filter(code="ARQ").exists()


def test_the_lead_must_be_of_the_organization(client, upch, upch_coordinator, stranger):
    _as(client, upch_coordinator)
    answer = _post(client, reverse("web:study_new"), _new_study(upch, lead=stranger.pk))
    assert answer.status_code == 400 and 'data-test="error-lead"' in _body(answer)
    assert stranger.username not in _body(answer)  # never offered
    assert not Study.objects.filter(code="ARQ").exists()


# ---------------------------------------------------------------- members


def test_the_lead_adds_a_member_and_others_cannot(
    client, upch, lead, researcher, upch_coordinator, study
):
    newcomer = make_user(username="nueva-investigadora", role=Role.VIEWER, organization=upch)
    url = _url("study_member", study)
    data = {"me-user": newcomer.pk, "me-role": "researcher"}
    for refused in (researcher, upch_coordinator):
        assert _post(_as(client, refused), url, data).status_code == 403
    assert not StudyMember.objects.filter(user=newcomer).exists()
    assert _post(_as(client, lead), url, data).status_code == 302
    assert StudyMember.objects.get(study=study, user=newcomer).role == MemberRole.RESEARCHER


def test_the_lead_cannot_change_their_own_role(client, lead, study):
    _as(client, lead)
    answer = _post(client, _url("study_member", study), {"me-user": lead.pk, "me-role": "coder"})
    assert answer.status_code == 400 and 'data-test="error-me-user"' in _body(answer)
    assert StudyMember.objects.get(study=study, user=lead).role == MemberRole.LEAD
    removed = _post(client, _url("study_member_remove", study), {"user": lead.pk})
    assert removed.status_code == 302
    assert StudyMember.objects.filter(study=study, user=lead).exists()


def test_the_lead_removes_a_member_and_a_researcher_cannot(client, lead, researcher, coder2, study):
    url = _url("study_member_remove", study)
    assert _post(_as(client, researcher), url, {"user": coder2.pk}).status_code == 403
    assert StudyMember.objects.filter(study=study, user=coder2).exists()
    assert _post(_as(client, lead), url, {"user": coder2.pk}).status_code == 302
    assert not StudyMember.objects.filter(study=study, user=coder2).exists()


# ---------------------------------------------------------------- sample design


def test_the_lead_adds_a_site_with_the_place_picker(client, lead, study):
    _as(client, lead)
    url = _url("study_site_add", study)
    page = _get(client, url)
    assert page.status_code == 200 and 'data-test="place-picker"' in _body(page)
    district = Place.objects.get(country="PE", code="040101")
    province, department = district.parent, district.parent.parent
    step = _post(client, url, {"place0": "PE", "place1": department.pk, "place_refresh": "1"})
    assert step.status_code == 200 and province.name in _body(step)
    assert not Site.objects.filter(study=study, place=district).exists()
    saved = _post(
        client,
        url,
        {"place0": "PE", "place1": department.pk, "place2": province.pk, "place3": district.pk},
    )
    assert saved.status_code == 302
    assert Site.objects.get(study=study, place=district).name == district.name
    again = _post(
        client,
        url,
        {
            "place0": "PE",
            "place1": department.pk,
            "place2": province.pk,
            "place3": district.pk,
            "name": "Otra vez",
        },
    )
    assert again.status_code == 400 and 'data-test="error-place1"' in _body(again)


def test_a_viewer_cannot_add_a_site(client, upch_viewer, coder, study):
    for user in (upch_viewer, coder):
        _as(client, user)
        assert _get(client, _url("study_site_add", study)).status_code == 403


def test_the_lead_sets_a_quota_and_adds_an_age_group(client, lead, upch_viewer, study):
    iquitos = _site(study, "Iquitos")
    older = study.strata.get(age_min=35)
    data = {"qu-site": iquitos.pk, "qu-stratum": older.pk, "qu-method": "interview", "qu-target": 3}
    assert _post(_as(client, upch_viewer), _url("study_quota", study), data).status_code == 403
    assert _post(_as(client, lead), _url("study_quota", study), data).status_code == 302
    assert Quota.objects.get(site=iquitos, stratum=older, method="interview").target == 3
    bad = _post(
        client,
        _url("study_stratum", study),
        {"st-name": "Mayores", "st-age_min": "51", "st-age_max": "130"},
    )
    assert bad.status_code == 400 and 'data-test="error-st-age_max"' in _body(bad)
    assert "menor o igual a 120" in _body(bad)
    assert (
        _post(
            client,
            _url("study_stratum", study),
            {"st-name": "Mayores", "st-age_min": "51", "st-age_max": "65"},
        ).status_code
        == 302
    )
    assert study.strata.filter(name="Mayores").exists()


def test_screening_questions_freeze_once_someone_is_screened(client, lead, researcher, study):
    _as(client, lead)
    assert 'data-test="form-question"' in _body(_get(client, _url("study_detail", study)))
    _screen(study, researcher)
    body = _body(_get(client, _url("study_detail", study)))
    assert 'data-test="form-question"' not in body
    assert "¿Es activista contra la violencia de género?" in body


# ---------------------------------------------------------------- the recruitment log


@pytest.mark.parametrize("who", ("lead", "researcher", "coder", "upch_coordinator"))
def test_the_log_is_for_members_and_overseers(client, request, researcher, study, who):
    _screen(study, researcher, name=NAME, contact=CONTACT)
    _screen(study, researcher, activist=True, name="Pedro Huamán")
    page = _get(_as(client, request.getfixturevalue(who)), _url("study_recruits", study))
    body = _body(page)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert body.count('data-test="recruit-row"') == 2
    assert "MRV-001" in body and "activista contra la violencia de género" in body
    # No name, no contact on the log, whoever reads it.
    assert "Quispe" not in body and "Huamán" not in body and CONTACT not in body
    screens = who in ("lead", "researcher")
    assert ('data-test="screen"' in body) is screens


def test_a_viewer_of_the_organization_gets_no_log(client, upch_viewer, researcher, study):
    recruit = _screen(study, researcher, name=NAME)
    _as(client, upch_viewer)
    assert _get(client, _url("study_recruits", study)).status_code == 403
    assert _get(client, _url("recruit_detail", recruit)).status_code == 404


def test_the_log_filters_by_site_and_status(client, lead, researcher, study):
    _screen(study, researcher)
    _screen(study, researcher, site="Iquitos", activist=True)
    _as(client, lead)
    url = _url("study_recruits", study)
    iquitos = _site(study, "Iquitos")
    by_site = _body(_get(client, f"{url}?site={iquitos.pk}"))
    assert by_site.count('data-test="recruit-row"') == 1 and "MRV-002" in by_site
    eligible = _body(_get(client, f"{url}?status=eligible"))
    assert eligible.count('data-test="recruit-row"') == 1 and "MRV-001" in eligible
    odd = _get(client, f"{url}?site=abc&status=nada&page=99999999999999999999999")
    assert odd.status_code == 200 and _body(odd).count('data-test="recruit-row"') == 2


def test_screening_an_activist_excludes_him_with_the_reason(client, researcher, study):
    _as(client, researcher)
    first, second = study.questions.order_by("order")
    vmt = _site(study, "Villa María del Triunfo")
    answer = _post(
        client,
        _url("study_screen", study),
        {
            "site": vmt.pk,
            "method": "interview",
            "age": "24",
            "screened_on": "2024-02-01",
            f"q_{first.pk}": "yes",
            f"q_{second.pk}": "yes",
            "name": NAME,
            "contact": CONTACT,
        },
    )
    recruit = Recruit.objects.get(study=study)
    assert answer.status_code == 302 and answer["Location"] == _url("recruit_detail", recruit)
    assert NAME not in answer["Location"]
    assert recruit.status == RecruitStatus.EXCLUDED
    assert recruit.exclusion == "activista contra la violencia de género"
    assert recruit.name == NAME  # kept, encrypted, for recontact
    page = _body(client.get(answer["Location"], **ES))
    assert "MRV-001" in page and "activista contra la violencia de género" in page
    message = page.split('data-test="messages"', 1)[1].split("</ul>", 1)[0]
    assert "msg-warning" in message and "MRV-001" in message
    assert NAME not in page
    assert 'data-test="consent"' not in page  # an excluded person gives no consent


def test_every_screening_question_must_be_answered(client, researcher, study):
    _as(client, researcher)
    first, second = study.questions.order_by("order")
    answer = _post(
        client,
        _url("study_screen", study),
        {
            "site": _site(study, "Iquitos").pk,
            "method": "interview",
            "age": "9",
            "screened_on": "2024-02-01",
            f"q_{first.pk}": "no",
        },
    )
    assert answer.status_code == 400
    body = _body(answer)
    assert f'data-test="error-q_{second.pk}"' in body and "Este campo es obligatorio" in body
    assert 'data-test="error-age"' in body and "mayor o igual a 10" in body
    assert not Recruit.objects.exists()


@pytest.mark.parametrize("who", ("coder", "upch_coordinator", "upch_viewer"))
def test_only_the_lead_and_researchers_screen(client, request, study, who):
    first, second = study.questions.order_by("order")
    answer = _post(
        _as(client, request.getfixturevalue(who)),
        _url("study_screen", study),
        {
            "site": _site(study, "Iquitos").pk,
            "method": "interview",
            "age": "25",
            "screened_on": "2024-02-01",
            f"q_{first.pk}": "no",
            f"q_{second.pk}": "yes",
        },
    )
    assert answer.status_code == 403
    assert not Recruit.objects.exists()


# ---------------------------------------------------------------- one recruit


def test_consent_within_the_quota_is_recorded(client, researcher, study):
    recruit = _screen(study, researcher)
    _as(client, researcher)
    page = _body(_get(client, _url("recruit_detail", recruit)))
    assert 'data-test="consent"' in page
    answer = _post(
        client,
        _url("recruit_consent", recruit),
        {
            "co-consent_form": study.consent_forms.get().pk,
            "co-consented_on": "2024-02-03",
            "co-audio_consent": "on",
        },
    )
    assert answer.status_code == 302
    recruit.refresh_from_db()
    assert recruit.status == RecruitStatus.CONSENTED and recruit.audio_consent
    log = _body(_get(client, _url("study_recruits", study)))
    assert "v1.0" in log


def test_consent_beyond_a_met_quota_is_refused_on_the_page(client, researcher, study):
    _took_part(study, researcher, site="Iquitos")  # Iquitos, young, interviews: 1 of 1
    late = _screen(study, researcher, site="Iquitos")
    _as(client, researcher)
    answer = _post(
        client,
        _url("recruit_consent", late),
        {"co-consent_form": study.consent_forms.get().pk, "co-consented_on": "2024-02-10"},
    )
    assert answer.status_code == 400
    body = _body(answer)
    errors = body.split('data-test="form-errors"', 1)[1].split("</ul>", 1)[0]
    assert "Iquitos" in errors and "1" in errors
    late.refresh_from_db()
    assert late.status == RecruitStatus.ELIGIBLE


def test_a_consent_date_error_shows_beside_the_field_in_spanish(client, researcher, study):
    recruit = _screen(study, researcher)
    answer = _post(
        _as(client, researcher),
        _url("recruit_consent", recruit),
        {"co-consent_form": study.consent_forms.get().pk, "co-consented_on": "ayer"},
    )
    assert answer.status_code == 400
    assert 'data-test="error-co-consented_on"' in _body(answer)
    assert "Introduzca una fecha válida" in _body(answer)


@pytest.mark.parametrize("who", ("coder", "upch_coordinator"))
def test_a_coder_or_coordinator_sees_the_recruit_but_takes_no_consent(
    client, request, researcher, study, who
):
    recruit = _screen(study, researcher, name=NAME)
    _as(client, request.getfixturevalue(who))
    page = _get(client, _url("recruit_detail", recruit))
    body = _body(page)
    assert page.status_code == 200 and "MRV-001" in body
    for marker in ('data-test="consent"', 'data-test="identity-form"', 'data-test="decline"'):
        assert marker not in body
    assert NAME not in body
    consent = _post(
        client,
        _url("recruit_consent", recruit),
        {"co-consent_form": study.consent_forms.get().pk, "co-consented_on": "2024-02-03"},
    )
    assert consent.status_code == 403
    assert _post(client, _url("recruit_status", recruit), {"status": "declined"}).status_code == 403
    recruit.refresh_from_db()
    assert recruit.status == RecruitStatus.ELIGIBLE


def test_decline_and_withdraw(client, researcher, study):
    declining = _screen(study, researcher)
    withdrawing = _screen(study, researcher, name=NAME, contact=CONTACT)
    _as(client, researcher)
    assert (
        _post(client, _url("recruit_status", declining), {"status": "declined"}).status_code == 302
    )
    declining.refresh_from_db()
    assert declining.status == RecruitStatus.DECLINED
    assert (
        _post(client, _url("recruit_status", withdrawing), {"status": "withdrawn"}).status_code
        == 302
    )
    withdrawing.refresh_from_db()
    assert withdrawing.status == RecruitStatus.WITHDRAWN and withdrawing.name == ""
    odd = _post(client, _url("recruit_status", declining), {"status": "consented"})
    assert odd.status_code == 302
    declining.refresh_from_db()
    assert declining.status == RecruitStatus.DECLINED


# ---------------------------------------------------------------- the identity, audited


def _reveals(recruit):
    return AuditEvent.objects.filter(
        action="view", target_type="research.recruit", target_id=str(recruit.pk)
    )


def test_the_identity_is_shown_on_request_and_audited_once(client, researcher, lead, study):
    recruit = _screen(study, researcher, name=NAME, contact=CONTACT)
    _as(client, lead)
    page = _body(_get(client, _url("recruit_detail", recruit)))
    assert 'data-test="identity-form"' in page and NAME not in page
    assert not _reveals(recruit).exists()
    shown = _post(client, _url("recruit_identity", recruit), {})
    assert shown.status_code == 200
    assert "no-store" in shown["Cache-Control"]
    body = _body(shown)
    assert NAME in body and CONTACT in body
    (event,) = _reveals(recruit)
    assert event.actor == lead
    assert NAME not in str(event.detail) and "Quispe" not in str(event.detail)
    assert CONTACT not in str(event.detail)
    # Never by GET (a link, a prefetch or the history would reveal it).
    assert _get(client, _url("recruit_identity", recruit)).status_code == 405
    assert _reveals(recruit).count() == 1


@pytest.mark.parametrize("who", ("coder", "upch_coordinator"))
def test_the_identity_is_refused_to_a_coder_and_a_coordinator(
    client, request, researcher, study, who
):
    recruit = _screen(study, researcher, name=NAME, contact=CONTACT)
    answer = _post(_as(client, request.getfixturevalue(who)), _url("recruit_identity", recruit), {})
    assert answer.status_code == 403
    assert NAME not in _body(answer)
    assert not _reveals(recruit).exists()


# ---------------------------------------------------------------- the pages themselves


def test_a_double_tap_on_the_screening_form_screens_once(client, researcher, study):
    _as(client, researcher)
    first, second = study.questions.order_by("order")
    data = {
        "form_token": "doble-toque-tamizaje-0001",
        "site": _site(study, "Iquitos").pk,
        "method": "interview",
        "age": "25",
        "screened_on": "2024-02-01",
        f"q_{first.pk}": "no",
        f"q_{second.pk}": "yes",
    }
    one = _post(client, _url("study_screen", study), data)
    two = _post(client, _url("study_screen", study), data)
    assert one.status_code == two.status_code == 302
    assert one["Location"] == two["Location"]
    assert Recruit.objects.filter(study=study).count() == 1


def test_the_pages_carry_no_inline_script_or_style(client, lead, researcher, study):
    recruit = _screen(study, researcher, name=NAME)
    _as(client, lead)
    for url in (
        reverse("web:study_list"),
        _url("study_detail", study),
        _url("study_recruits", study),
        _url("recruit_detail", recruit),
        _url("study_site_add", study),
    ):
        html = _body(_get(client, url))
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"\sstyle=", html) and "<style" not in html, url
        assert not re.search(r"\son[a-z]+=", html), url
