"""The demo's formative research (issue 12, seed 002): UPCH's study "Los hombres renuncian
a la violencia", as its principal investigator, researcher and coder find it."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from cascada.accounts.models import User
from cascada.audit.models import AuditEvent
from cascada.curricula.models import Accreditation, Curriculum, ModuleFeedback, Validation
from cascada.demo import research as mrv
from cascada.demo import research_content as content
from cascada.demo.build import DEMO_ACCOUNTS, BuildResult, build
from cascada.research import models as rm
from cascada.research.analysis import framework_matrix, study_reliability
from cascada.research.selectors import (
    codings_visible,
    is_lead,
    may_code,
    may_field,
    quota_progress,
    reads_transcripts,
    role_in,
)
from cascada.research.services.coding import coders_of, disagreements

pytestmark = pytest.mark.django_db


def _study() -> rm.Study:
    return rm.Study.objects.get(organization__name=mrv.UPCH, code=mrv.STUDY_CODE)


def _user(username: str) -> User:
    return User.objects.get(username=username)


def test_the_study_accounts_are_demo_accounts_of_upch():
    accounts = {a.username: a for a in DEMO_ACCOUNTS}
    assert accounts[mrv.LEAD_USERNAME].role == "coordinator"
    assert accounts[mrv.RESEARCHER_USERNAME].role == "viewer"
    assert accounts[mrv.CODER_USERNAME].role == "viewer"
    for name in (mrv.LEAD_USERNAME, mrv.RESEARCHER_USERNAME, mrv.CODER_USERNAME):
        assert accounts[name].organization == mrv.UPCH


def test_the_study_follows_seed_002(demo):
    study = _study()
    assert study.status == rm.StudyStatus.ANALYSIS
    assert "dos generaciones" in study.research_objectives
    assert "activistas contra la violencia de género" in study.methods
    assert {s.place.code for s in study.sites.all()} == {"150143", "040101", "160101"}
    assert [(s.age_min, s.age_max) for s in study.strata.order_by("age_min")] == [
        (20, 29),
        (35, 50),
    ]
    # Every site × generation × method has a quota.
    assert study.quotas.count() == 3 * 2 * 2
    approval = study.approvals.order_by("approved_on").first()
    assert approval.committee.startswith("Comité Institucional de Ética")
    events = study.events.all()
    assert events.count() == 8
    assert all(approval.approved_on <= e.held_on <= approval.expires_on for e in events)
    assert set(study.consent_forms.values_list("version", flat=True)) == {"v1.0", "v1.1"}

    # The team: the coordinator leads; the two viewers are a researcher and a coder, who
    # read the transcripts with a second factor; the coder never fields.
    lead, researcher, coder = (
        _user(mrv.LEAD_USERNAME),
        _user(mrv.RESEARCHER_USERNAME),
        _user(mrv.CODER_USERNAME),
    )
    assert is_lead(lead, study)
    assert role_in(researcher, study) == rm.MemberRole.RESEARCHER and may_field(researcher, study)
    assert role_in(coder, study) == rm.MemberRole.CODER and not may_field(coder, study)
    assert all(reads_transcripts(u, study) for u in (lead, researcher, coder))
    for user in (lead, researcher, coder):
        assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_gbv_activists_and_ages_outside_the_generations_are_excluded(demo):
    study = _study()
    excluded = study.recruits.filter(status=rm.RecruitStatus.EXCLUDED)
    assert 40 <= study.recruits.count() <= 60
    assert any("activista" in r.exclusion for r in excluded)
    assert excluded.filter(stratum__isnull=True).exists()  # aged 31, 33, 53, 18
    assert study.recruits.filter(status=rm.RecruitStatus.DECLINED).exists()
    assert study.recruits.filter(status=rm.RecruitStatus.WITHDRAWN).exists()
    # Nobody excluded or declining took part in anything.
    assert not rm.Event.objects.filter(
        study=study, participants__status__in=[rm.RecruitStatus.EXCLUDED, "declined"]
    ).exists()
    # Every recruit has a fictional name, but the one who withdrew: his identity is erased.
    marker_words = content.SURNAMES + content.SECOND_SURNAMES
    withdrawn = rm.RecruitStatus.WITHDRAWN
    assert all(
        any(w in r.name for w in marker_words) for r in study.recruits.exclude(status=withdrawn)
    )
    assert study.recruits.get(status=withdrawn).name == ""


def test_quotas_are_partly_met(demo):
    study = _study()
    progress = quota_progress(user=_user(mrv.LEAD_USERNAME), study=study)
    assert progress.exact
    met = [row for row in progress.rows if row.met]
    assert met and len(met) < len(progress.rows)
    assert progress.took_part.value == 21 < progress.target


def test_focus_groups_have_6_to_10_people_and_every_turn_is_mapped(demo):
    study = _study()
    groups = study.events.filter(method=rm.Method.FOCUS_GROUP)
    assert groups.count() == 2
    for group in groups:
        people = set(group.participants.values_list("pk", flat=True))
        assert 6 <= len(people) <= 10
        turns = group.transcript.turns.all()
        # Every turn is the moderator's or one of the participants' ("P1".."P8").
        assert all(
            t.speaker == rm.SpeakerKind.INTERVIEWER
            or (t.speaker == rm.SpeakerKind.PARTICIPANT and t.participant_id in people)
            for t in turns
        )
        assert {t.participant_id for t in turns if t.participant_id} == people
    for interview in study.events.filter(method=rm.Method.INTERVIEW):
        (person,) = interview.participants.all()
        turns = interview.transcript.turns.all()
        assert 10 <= turns.count() <= 20
        assert {t.participant_id for t in turns if t.participant_id} == {person.pk}


def test_one_transcript_is_de_identified(demo):
    study = _study()
    (transcript,) = study.transcripts.filter(deidentified_at__isnull=False)
    assert "[NOMBRE 1]" in transcript.text and "Wilber" not in transcript.text
    assert "Gladys" not in transcript.text
    # Its turns still start at their speakers' labels.
    assert all(
        transcript.text[t.start : t.start + 2] in ("E:", "P:") for t in transcript.turns.all()
    )


def test_two_coders_coded_blind_and_their_reliability_reads(demo):
    study = _study()
    lead, coder = _user(mrv.LEAD_USERNAME), _user(mrv.CODER_USERNAME)
    double = study.transcripts.filter(double_coded=True)
    assert double.count() == 3
    assert double.filter(merged_at__isnull=False).count() == 2
    waiting = double.get(merged_at__isnull=True)
    assert set(coders_of(waiting)) == {lead.pk, coder.pk}
    assert disagreements(waiting)  # still to discuss
    # Blind: each coder sees only their own codings on the transcript still to merge.
    assert {c.coder_id for c in codings_visible(user=coder, transcript=waiting)} == {coder.pk}
    assert may_code(coder, study)

    report = study_reliability(user=lead, study=study)
    assert report is not None
    assert 0.4 < report.overall.kappa < 0.9
    assert report.overall.disagreements

    # The analysis matrix has final codings for each site × generation.
    matrix = framework_matrix(user=lead, study=study, excerpts=0)
    assert len(matrix.columns) == 6
    assert all(total.references > 0 for total in matrix.column_totals)


def test_the_codebook_has_nested_codes_and_two_versions(demo):
    study = _study()
    top = set(study.codes.filter(parent__isnull=True).values_list("name", flat=True))
    assert top == {content.RISK, content.PROTECTION, content.CHANGE, content.SEXUALITY}
    risk = study.codes.get(name=content.RISK)
    assert {c.name for c in risk.children.all()} >= {content.CHILDHOOD, content.ALCOHOL}
    assert all(code.definition for code in study.codes.all())
    first, second = study.codebook_versions.order_by("number")
    names = {row["name"] for row in first.codes}
    assert content.CONSENT not in names
    assert content.CONSENT in {row["name"] for row in second.codes}


def test_findings_shape_the_accredited_validated_curriculum(demo):
    study = _study()
    curriculum = Curriculum.objects.get(title=content.CURRICULUM_TITLE)
    assert study.curriculum == curriculum
    accreditation = Accreditation.objects.get(version__curriculum=curriculum)
    assert accreditation.institution == "Colegio de Psicólogos del Perú"
    assert accreditation.credit_hours == 120
    accredited = accreditation.version
    assert accredited.modules.count() == 6
    assert (
        sum(p.duration_minutes for m in accredited.modules.all() for p in m.session_plans.all())
        == 120 * 60
    )

    # The outline (version 1) was validated with the CEMs' activists in the three cities,
    # most of them women, with a verdict on each module.
    validations = Validation.objects.filter(version__curriculum=curriculum, version__number=1)
    assert {v.place.code for v in validations} == {"150143", "040101", "160101"}
    assert sum(v.women for v in validations) > sum(v.men for v in validations)
    verdicts = set(
        ModuleFeedback.objects.filter(validation__in=validations).values_list("verdict", flat=True)
    )
    assert verdicts == {"keep", "change", "drop"}

    findings = study.findings.all()
    assert findings.count() == len(content.FINDINGS)
    for finding in findings:
        assert finding.modules.exists()
        assert {m.version_id for m in finding.modules.all()} == {accredited.pk}
        assert finding.excerpts.exists() and not finding.excerpts.filter(final=False).exists()
        assert finding.codes.exists()


def test_the_dissemination_plan_reaches_three_levels(demo):
    study = _study()
    plan = study.dissemination.all()
    assert {line.level for line in plan} == {"national", "regional", "local"}
    assert plan.filter(status="done", done_on__isnull=False).exists()
    assert plan.filter(status="planned").count() >= 2
    overdue = plan.filter(status="planned", planned_on__lt=timezone.localdate())
    assert overdue.count() == 1
    audiences = " ".join(plan.values_list("audience", flat=True))
    assert "MIMP" in audiences and "Arequipa" in audiences and "Loreto" in audiences


def test_building_the_demo_again_adds_no_research(demo):
    models = (
        rm.Study, rm.Recruit, rm.Event, rm.Transcript, rm.Turn, rm.Code, rm.CodebookVersion,
        rm.Coding, rm.Finding, rm.Dissemination, Curriculum, Validation, Accreditation, User,
    )  # fmt: skip
    counts = {m.__name__: m.objects.count() for m in models}
    events = AuditEvent.objects.count()
    result: BuildResult = build(scale=0.2)
    assert "studies" not in result.created and "curricula" not in result.created
    assert {m.__name__: m.objects.count() for m in models} == counts
    assert AuditEvent.objects.count() == events
