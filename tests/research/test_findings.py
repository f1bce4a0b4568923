"""From findings to the curriculum (seed 002): a finding of the MRV study backed by codes
and excerpts of its own, linked to the modules of the curriculum it informs; the
dissemination plan at national, regional and local level; and who sees what on the
pages: the excerpts stay with the study's members, never on the curriculum's page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cascada.audit.models import AuditEvent
from cascada.core.errors import ApplicationError, PermissionDeniedError
from cascada.curricula.services import curriculum_create, module_add, session_plan_add
from cascada.research.models import (
    Dissemination,
    DisseminationStatus,
    Finding,
    MemberRole,
    Method,
    RecruitStatus,
)
from cascada.research.services.base import study_today
from cascada.research.services.coding import code_create, coding_add
from cascada.research.services.fieldwork import event_record, transcript_save
from cascada.research.services.results import (
    dissemination_add,
    dissemination_update,
    finding_create,
    finding_delete,
    finding_update,
)
from cascada.research.services.sample import recruit_consent, recruit_screen, recruit_set_status
from cascada.research.services.study import study_create, study_update
from tests.accounts.factories import login_verified, make_user
from tests.registry.factories import make_org

from .conftest import answers

pytestmark = pytest.mark.django_db

D = dt.date
CANARY = "CANARIO-7f3a-EXCERPT"
SAID = f"En mi barrio {CANARY} los mayores decían que el hombre manda en la casa."
TEXT = f"E: ¿Qué aprendiste de niño sobre ser hombre?\nP: {SAID}\nE: Gracias."


@pytest.fixture
def curriculum(upch, upch_coordinator):
    """The ToT curriculum the study informs: two modules, a session plan in the first."""
    c = curriculum_create(
        actor=upch_coordinator, organization=upch, title="Formación de formadores MRV"
    )
    version = c.versions.get()
    first = module_add(actor=upch_coordinator, version=version, title="Sexualidad masculina")
    module_add(actor=upch_coordinator, version=version, title="Violencia sexual")
    session_plan_add(actor=upch_coordinator, module=first, title="Mandatos de la masculinidad")
    return c


@pytest.fixture
def version(curriculum):
    return curriculum.versions.get()


@pytest.fixture
def informs(study, lead, curriculum):
    study_update(actor=lead, study=study, curriculum=curriculum)
    study.refresh_from_db()
    return study


@pytest.fixture
def coded(study, lead, researcher, coder):
    """One interview in VMT with its transcript (the canary in the participant's words),
    a code of risk factors, and a final coding of the participant's turn."""
    site = study.sites.get(name__icontains="Villa")
    young = study.strata.get(age_min=20)
    assert young
    recruit = recruit_screen(
        actor=researcher,
        study=study,
        site=site,
        method=Method.INTERVIEW,
        age=24,
        answers=answers(study),
        screened_on=D(2024, 2, 1),
    )
    recruit_consent(
        actor=researcher,
        recruit=recruit,
        consent_form=study.consent_forms.get(),
        consented_on=D(2024, 2, 2),
    )
    event = event_record(
        actor=researcher,
        study=study,
        method=Method.INTERVIEW,
        site=site,
        held_on=D(2024, 2, 3),
        participants=[recruit],
        duration_minutes=60,
        interviewer=researcher,
    )
    transcript = transcript_save(actor=researcher, event=event, text=TEXT)
    code = code_create(actor=lead, study=study, name="Factores de riesgo")
    start = transcript.text.index(SAID)
    coding = coding_add(
        actor=coder, transcript=transcript, code=code, start=start, end=start + len(SAID)
    )
    return {"recruit": recruit, "transcript": transcript, "code": code, "coding": coding}


@pytest.fixture
def other_study(upch, upch_coordinator, lead):
    return study_create(
        actor=upch_coordinator,
        organization=upch,
        title="Otro estudio",
        code="OTRO",
        starts_on=D(2024, 1, 1),
        lead=lead,
    )


# ---------------------------------------------------------------- the rules of a finding


def test_a_finding_links_its_codes_excerpts_and_the_modules_it_shaped(
    informs, lead, coded, version
):
    module = version.modules.get(order=1)
    plan = module.session_plans.get()
    finding = finding_create(
        actor=lead,
        study=informs,
        statement="Los mandatos de masculinidad se aprenden en la infancia.",
        codes=[coded["code"]],
        excerpts=[coded["coding"]],
        modules=[module],
        session_plans=[plan],
    )
    assert list(finding.codes.all()) == [coded["code"]]
    assert list(finding.excerpts.all()) == [coded["coding"]]
    assert list(finding.modules.all()) == [module]
    assert list(finding.session_plans.all()) == [plan]
    event = AuditEvent.objects.get(target_type="research.finding", action="create")
    assert event.detail == {"codes": 1, "excerpts": 1, "modules": 1, "session_plans": 1}
    assert "mandatos" not in str(event.detail)


def test_codes_and_excerpts_of_another_study_are_refused(
    informs, other_study, lead, coded, version
):
    foreign = code_create(actor=lead, study=other_study, name="Factores de riesgo")
    with pytest.raises(ApplicationError) as refused:
        finding_create(actor=lead, study=other_study, statement="x", codes=[coded["code"]])
    assert refused.value.extra["field"] == "codes"
    with pytest.raises(ApplicationError) as refused:
        finding_create(actor=lead, study=informs, statement="x", codes=[foreign])
    assert refused.value.extra["field"] == "codes"
    with pytest.raises(ApplicationError) as refused:
        finding_create(actor=lead, study=other_study, statement="x", excerpts=[coded["coding"]])
    assert refused.value.extra["field"] == "excerpts"
    assert not Finding.objects.exists()


def test_a_blind_coding_is_no_excerpt(informs, lead, coded):
    coding = coded["coding"]
    coding.final = False  # as a double-coded transcript's coding is until the merge
    coding.save(update_fields=["final"])
    with pytest.raises(ApplicationError):
        finding_create(actor=lead, study=informs, statement="x", excerpts=[coding])


def test_a_module_of_another_curriculum_is_refused(informs, lead, upch, upch_coordinator):
    other = curriculum_create(actor=upch_coordinator, organization=upch, title="Otro currículo")
    foreign = module_add(actor=upch_coordinator, version=other.versions.get(), title="Ajeno")
    plan = session_plan_add(actor=upch_coordinator, module=foreign, title="Sesión ajena")
    with pytest.raises(ApplicationError) as refused:
        finding_create(actor=lead, study=informs, statement="x", modules=[foreign])
    assert refused.value.extra["field"] == "modules"
    with pytest.raises(ApplicationError) as refused:
        finding_create(actor=lead, study=informs, statement="x", session_plans=[plan])
    assert refused.value.extra["field"] == "session_plans"


def test_without_a_curriculum_any_of_the_organization_but_none_of_another(study, lead, version):
    assert study.curriculum_id is None
    module = version.modules.get(order=2)
    finding = finding_create(actor=lead, study=study, statement="x", modules=[module.pk])
    assert list(finding.modules.all()) == [module]
    elsewhere = make_org(name="Otra ONG con currículo")
    foreign = curriculum_create(actor=None, organization=elsewhere, title="Ajeno")
    alien = module_add(actor=None, version=foreign.versions.get(), title="Ajeno")
    with pytest.raises(ApplicationError):
        finding_create(actor=lead, study=study, statement="x", modules=[alien])


def test_the_statement_is_required_and_bounded(informs, lead):
    with pytest.raises(ApplicationError) as refused:
        finding_create(actor=lead, study=informs, statement="   ")
    assert refused.value.extra["field"] == "statement"
    with pytest.raises(ApplicationError):
        finding_create(actor=lead, study=informs, statement="x" * 2001)


def test_only_the_lead_writes_findings(
    informs, lead, researcher, coder, upch_coordinator, upch_viewer
):
    finding = finding_create(actor=lead, study=informs, statement="Una afirmación.")
    for who in (researcher, coder, upch_coordinator, upch_viewer):
        with pytest.raises(PermissionDeniedError):
            finding_create(actor=who, study=informs, statement="x")
        with pytest.raises(PermissionDeniedError):
            finding_update(actor=who, finding=finding, statement="y")
        with pytest.raises(PermissionDeniedError):
            finding_delete(actor=who, finding=finding)
    finding_create(actor=None, study=informs, statement="El operador puede (demo).")


def test_update_replaces_what_it_names_and_delete_removes(informs, lead, coded, version):
    module = version.modules.get(order=1)
    finding = finding_create(
        actor=lead, study=informs, statement="Antes.", codes=[coded["code"]], modules=[module]
    )
    finding_update(actor=lead, finding=finding, statement="Después.", modules=[])
    finding.refresh_from_db()
    assert finding.statement == "Después."
    assert list(finding.codes.all()) == [coded["code"]]  # left as it was
    assert not finding.modules.exists()
    finding_delete(actor=lead, finding=finding)
    assert not Finding.objects.exists()
    assert coded["code"].pk and module.pk  # what it linked stays


# ---------------------------------------------------------------- the dissemination plan


def _line(**kwargs):
    values = {
        "level": "national",
        "audience": "Ministerio de la Mujer y Poblaciones Vulnerables",
        "product": "Resumen de política",
        "channel": "Reunión técnica",
        "planned_on": D(2025, 3, 1),
        "status": DisseminationStatus.PLANNED,
    }
    values.update(kwargs)
    return values


def test_dissemination_done_needs_a_date_not_in_the_future(study, lead):
    today = study_today(study)
    with pytest.raises(ApplicationError) as refused:
        dissemination_add(actor=lead, study=study, **_line(status="done"))
    assert refused.value.extra["field"] == "done_on"
    with pytest.raises(ApplicationError) as refused:
        dissemination_add(
            actor=lead, study=study, **_line(status="done", done_on=today + dt.timedelta(days=1))
        )
    assert refused.value.extra["field"] == "done_on"
    with pytest.raises(ApplicationError) as refused:
        dissemination_add(actor=lead, study=study, **_line(status="planned", done_on=today))
    assert refused.value.extra["field"] == "done_on"
    item = dissemination_add(actor=lead, study=study, **_line(status="done", done_on=today))
    assert (item.status, item.done_on) == ("done", today)


def test_dissemination_update_follows_the_same_rules(study, lead):
    item = dissemination_add(actor=lead, study=study, **_line(level="regional"))
    with pytest.raises(ApplicationError):
        dissemination_update(
            actor=lead, item=item, **_line(status="in_progress", done_on=D(2024, 5, 1))
        )
    dissemination_update(
        actor=lead, item=item, **_line(level="local", status="done", done_on=D(2024, 5, 1))
    )
    item.refresh_from_db()
    assert (item.level, item.status, item.done_on) == ("local", "done", D(2024, 5, 1))
    with pytest.raises(ApplicationError) as refused:
        dissemination_update(actor=lead, item=item, **_line(level="planetary"))
    assert refused.value.extra["field"] == "level"


def test_only_the_lead_plans_dissemination(study, researcher, upch_coordinator):
    for who in (researcher, upch_coordinator):
        with pytest.raises(PermissionDeniedError):
            dissemination_add(actor=who, study=study, **_line())
    assert not Dissemination.objects.exists()


# ---------------------------------------------------------------- the pages


@pytest.fixture
def finding(informs, lead, coded, version):
    module = version.modules.get(order=1)
    return finding_create(
        actor=lead,
        study=informs,
        statement="Los mandatos de masculinidad se aprenden en la infancia.",
        codes=[coded["code"]],
        excerpts=[coded["coding"]],
        modules=[module],
        session_plans=[module.session_plans.get()],
    )


def _get(client, user, name, pk):
    login_verified(client, user)
    return client.get(reverse(name, kwargs={"pk": pk}))


def test_findings_page_per_role(
    client, finding, lead, coder, upch_coordinator, upch_viewer, stranger, coded
):
    url = "web:study_findings"
    study = finding.study
    lead_page = _get(client, lead, url, study.pk)
    body = lead_page.content.decode()
    assert lead_page.status_code == 200
    assert finding.statement in body and CANARY in body
    assert coded["recruit"].code in body  # the participant's code beside the excerpt
    assert 'data-test="finding-form"' in body and 'data-test="finding-edit"' in body

    coder_page = _get(client, coder, url, study.pk).content.decode()
    assert CANARY in coder_page and 'data-test="finding-form"' not in coder_page

    for who in (upch_coordinator, upch_viewer):
        response = _get(client, who, url, study.pk)
        page = response.content.decode()
        assert response.status_code == 200
        assert finding.statement in page and "Sexualidad masculina" in page
        assert CANARY not in page, who.username  # excerpts: members only
        assert 'data-test="finding-form"' not in page
    assert "Factores de riesgo" in _get(client, upch_coordinator, url, study.pk).content.decode()
    assert "Factores de riesgo" not in _get(client, upch_viewer, url, study.pk).content.decode()

    assert _get(client, stranger, url, study.pk).status_code == 404
    assert _get(client, stranger, "web:finding_edit", finding.pk).status_code == 404
    assert _get(client, coder, "web:finding_edit", finding.pk).status_code == 403


def test_a_finding_is_created_edited_and_deleted_through_the_page(
    client, informs, lead, coded, version
):
    login_verified(client, lead)
    module = version.modules.get(order=2)
    response = client.post(
        reverse("web:finding_create", kwargs={"pk": informs.pk}),
        {
            "statement": "La tolerancia social cambia entre generaciones.",
            "codes": [coded["code"].pk],
            "excerpts": [coded["coding"].pk],
            "modules": [module.pk],
        },
    )
    assert response.status_code == 302
    finding = Finding.objects.get()
    assert list(finding.modules.all()) == [module]
    assert list(finding.excerpts.all()) == [coded["coding"]]

    edit = reverse("web:finding_edit", kwargs={"pk": finding.pk})
    assert CANARY in client.get(edit).content.decode()
    client.post(edit, {"statement": "Cambia, pero poco.", "codes": [coded["code"].pk]})
    finding.refresh_from_db()
    assert finding.statement == "Cambia, pero poco." and not finding.modules.exists()

    refused = client.post(
        reverse("web:finding_create", kwargs={"pk": informs.pk}), {"statement": ""}
    )
    assert refused.status_code == 400
    client.post(reverse("web:finding_delete", kwargs={"pk": finding.pk}))
    assert not Finding.objects.exists()


def test_excerpts_never_reach_the_curriculum_page(
    client, finding, lead, upch_coordinator, upch_viewer, version
):
    """The curriculum version shows the finding's statement and the study it came from to
    whoever sees the curriculum, the lead included, but never the excerpt."""
    for who in (lead, upch_coordinator, upch_viewer):
        response = _get(client, who, "web:curriculum_version", version.pk)
        page = response.content.decode()
        assert response.status_code == 200
        assert finding.statement in page and finding.study.title in page
        assert 'data-test="version-finding"' in page
        assert CANARY not in page, who.username


def test_excerpts_never_reach_non_members(client, finding, upch_coordinator, upch_viewer):
    for who in (upch_coordinator, upch_viewer):
        for name, pk in (
            ("web:study_findings", finding.study.pk),
            ("web:study_dissemination", finding.study.pk),
        ):
            response = _get(client, who, name, pk)
            assert response.status_code == 200
            assert CANARY not in response.content.decode()


def test_a_withdrawn_participants_words_are_not_shown(client, finding, lead, researcher, coded):
    recruit_set_status(actor=researcher, recruit=coded["recruit"], status=RecruitStatus.WITHDRAWN)
    page = _get(client, lead, "web:study_findings", finding.study.pk).content.decode()
    assert finding.statement in page and CANARY not in page


def test_dissemination_page_groups_by_level_marks_overdue_and_lets_the_lead_edit(
    client, study, lead, coder, upch_viewer, stranger
):
    today = study_today(study)
    late = dissemination_add(
        actor=lead,
        study=study,
        **_line(
            level="regional", product="Cartilla regional", planned_on=today - dt.timedelta(days=3)
        ),
    )
    dissemination_add(
        actor=lead,
        study=study,
        **_line(
            level="local",
            product="Taller en el CEM",
            planned_on=today - dt.timedelta(days=9),
            status="done",
            done_on=today,
        ),
    )
    dissemination_add(actor=lead, study=study, **_line(planned_on=today + dt.timedelta(days=30)))

    page = _get(client, lead, "web:study_dissemination", study.pk).content.decode()
    assert page.count('data-test="overdue"') == 1
    assert 'id="level-national"' in page and 'id="level-regional"' in page
    assert page.index("Cartilla regional") < page.index("Taller en el CEM")
    assert 'data-test="dissemination-form"' in page

    viewer_page = _get(client, upch_viewer, "web:study_dissemination", study.pk)
    assert viewer_page.status_code == 200
    assert "Cartilla regional" in viewer_page.content.decode()
    assert 'data-test="dissemination-form"' not in viewer_page.content.decode()
    assert _get(client, stranger, "web:study_dissemination", study.pk).status_code == 404

    login_verified(client, lead)
    response = client.post(
        reverse("web:dissemination_edit", kwargs={"pk": late.pk}),
        {
            "level": "regional",
            "audience": late.audience,
            "product": late.product,
            "channel": late.channel,
            "planned_on": late.planned_on.isoformat(),
            "status": "done",
            "done_on": today.isoformat(),
        },
    )
    assert response.status_code == 302
    late.refresh_from_db()
    assert late.status == "done"
    page = _get(client, lead, "web:study_dissemination", study.pk).content.decode()
    assert 'data-test="overdue"' not in page

    login_verified(client, coder)
    assert (
        client.post(
            reverse("web:dissemination_create", kwargs={"pk": study.pk}),
            {
                "level": "local",
                "audience": "a",
                "product": "b",
                "channel": "c",
                "planned_on": "2025-01-01",
                "status": "planned",
            },
        ).status_code
        == 403
    )


def test_the_dissemination_form_shows_the_rule_beside_the_field(client, study, lead):
    login_verified(client, lead)
    response = client.post(
        reverse("web:dissemination_create", kwargs={"pk": study.pk}),
        {
            "level": "national",
            "audience": "Congreso",
            "product": "Informe",
            "channel": "Presentación",
            "planned_on": "2025-01-01",
            "status": "planned",
            "done_on": "2024-12-01",
        },
    )
    assert response.status_code == 400
    assert 'data-test="error-done_on"' in response.content.decode()
    assert not Dissemination.objects.exists()


def test_member_roles_are_what_the_fixture_says(study, lead, coder):
    """(A guard on the fixture the page tests rely on.)"""
    roles = dict(study.members.values_list("user__username", "role"))
    assert roles[lead.username] == MemberRole.LEAD and roles[coder.username] == MemberRole.CODER


def test_a_user_without_role_sees_no_findings(client, finding):
    nobody = make_user(username="sin-rol-hallazgos")
    assert _get(client, nobody, "web:study_findings", finding.study.pk).status_code == 404


def test_the_excerpts_read_is_for_members_only(finding, lead, coder, upch_coordinator, upch_viewer):
    """The selector itself refuses, whatever a page does with its answer (S3)."""
    from cascada.research.selectors import excerpt_choices, finding_excerpts

    study = finding.study
    for member in (lead, coder):
        quotes = finding_excerpts(user=member, study=study, findings=[finding])[finding.pk]
        assert [q.text for q in quotes] == [SAID]
        assert excerpt_choices(user=member, study=study)
    for other in (upch_coordinator, upch_viewer):
        assert finding_excerpts(user=other, study=study, findings=[finding]) == {}
        assert excerpt_choices(user=other, study=study) == []


def test_no_audit_row_holds_a_statement_or_an_excerpt(client, finding, lead):
    """S11: the trail names the finding and counts its links, never the text."""
    login_verified(client, lead)
    client.get(reverse("web:study_findings", kwargs={"pk": finding.study.pk}))
    client.post(
        reverse("web:finding_edit", kwargs={"pk": finding.pk}),
        {"statement": "Los mandatos cambian.", "excerpts": [finding.excerpts.get().pk]},
    )
    for row in AuditEvent.objects.all():
        flat = str(row.detail) + row.target_type + row.target_id
        assert CANARY not in flat and "mandatos" not in flat.lower()


def test_a_double_tap_saves_one_finding_and_one_plan_line(client, informs, lead):
    import secrets

    login_verified(client, lead)
    for url, data in (
        (
            reverse("web:finding_create", kwargs={"pk": informs.pk}),
            {"statement": "Una sola vez."},
        ),
        (
            reverse("web:dissemination_create", kwargs={"pk": informs.pk}),
            {
                "level": "local",
                "audience": "Activistas del CEM",
                "product": "Taller",
                "channel": "Presencial",
                "planned_on": "2025-05-01",
                "status": "planned",
            },
        ),
    ):
        data["form_token"] = secrets.token_urlsafe(18)
        first, second = client.post(url, data), client.post(url, data)
        assert first.status_code == second.status_code == 302
    assert Finding.objects.count() == 1 and Dissemination.objects.count() == 1
