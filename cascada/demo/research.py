"""The demo's formative research (issue 12, seed 002), built through the research and
curricula services.

Universidad Peruana Cayetano Heredia's study "Los hombres renuncian a la violencia"
(code MRV): its protocol, the ethics approval and its renewal, two consent form versions,
three sites (Villa María del Triunfo in Lima, Arequipa, Iquitos), two generations (men
aged 20 to 29 and 35 to 50), quotas, three screening questions and a recruitment log of 45
people (activists and ages outside the strata excluded, some declined, one withdrew);
six interviews and two focus groups with short FICTIONAL transcripts (one de-identified),
a codebook of risk and protective factors in two versions, two coders (three transcripts
coded blind by both, two of them merged), findings linked to the modules of the
curriculum the study informs, and the dissemination plan.

The curriculum: UPCH's training of trainers "Los hombres renuncian a la violencia:
formación de formadores", whose outline (version 1) was validated with the CEMs' community
activists in the three cities, then drafted (version 2) and accredited by the Colegio de
Psicólogos del Perú for 120 hours.

Who writes: the principal investigator (the demo account "investigadora", coordinator at
UPCH: she creates the study, keeps the codebook, merges, writes the findings), the
researcher ("entrevistador": recruitment, interviews, transcripts) and the coder
("codificador"). Dates are fixed in 2025-2026, but for the dissemination plan's lines
still to come (days from the build's day). What the content says lives in
``research_content``.

Idempotent like the rest of the demo: built only when UPCH has no study coded MRV (nor the
curriculum)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.utils import timezone, translation

from cascada.accounts.models import User
from cascada.curricula.models import Curriculum, CurriculumVersion, Module
from cascada.curricula.services import (
    accreditation_record,
    curriculum_create,
    curriculum_version_new,
    module_add,
    module_delete,
    session_plan_add,
    validation_record,
)
from cascada.registry.models import Organization, Place
from cascada.research.models import (
    Code,
    Coding,
    ConsentForm,
    MemberRole,
    Method,
    Recruit,
    Study,
    StudyStatus,
    Transcript,
)
from cascada.research.services.coding import (
    code_create,
    code_update,
    codebook_version_save,
    coding_add,
    coding_memo_set,
    disagreements,
    transcript_double_code,
    transcript_merge,
)
from cascada.research.services.fieldwork import (
    deidentify_flags,
    event_record,
    transcript_deidentify,
    transcript_save,
    turns_map,
)
from cascada.research.services.results import dissemination_add, finding_create
from cascada.research.services.sample import (
    recruit_consent,
    recruit_screen,
    recruit_set_status,
)
from cascada.research.services.study import (
    approval_add,
    consent_form_add,
    member_set,
    question_add,
    quota_set,
    site_add,
    stratum_add,
    study_create,
    study_update,
)
from cascada.research.transcripts import pseudonyms

from . import research_content as c

if TYPE_CHECKING:
    from .build import BuildResult

UPCH = "Universidad Peruana Cayetano Heredia"
STUDY_CODE = "MRV"
LEAD_USERNAME = "investigadora"  # coordinator at UPCH: the principal investigator
RESEARCHER_USERNAME = "entrevistador"  # viewer at UPCH: the study's researcher
CODER_USERNAME = "codificador"  # viewer at UPCH: the study's coder


class _Team:
    def __init__(self, lead: User, researcher: User, coder: User) -> None:
        self.lead, self.researcher, self.coder = lead, researcher, coder

    def who(self, key: str | None) -> User | None:
        return {"lead": self.lead, "researcher": self.researcher, "coder": self.coder}.get(
            key or ""
        )


def _place(code: str) -> Place:
    return Place.objects.get(country="PE", code=code)


# ------------------------------------------------------------------ the curriculum


def _curriculum(upch: Organization, lead: User) -> tuple[Curriculum, CurriculumVersion]:
    """The outline (version 1), its validation in three cities, the drafted version 2 and
    its accreditation. Returns the curriculum and the accredited version."""
    curriculum = curriculum_create(
        actor=lead,
        organization=upch,
        title=c.CURRICULUM_TITLE,
        description=c.CURRICULUM_DESCRIPTION,
        audience="mixed",  # 70% of the CEMs' activists are women
    )
    outline = curriculum.versions.get(number=1)
    for title, plans in c.OUTLINE:
        module = module_add(actor=lead, version=outline, title=title)
        for plan in plans:
            _plan(lead, module, plan)
    modules = {m.title: m for m in outline.modules.all()}
    for v in c.VALIDATIONS:
        validation_record(
            actor=lead,
            version=outline,
            place=_place(v.place),
            held_on=v.held_on,
            with_whom=v.with_whom,
            women=v.women,
            men=v.men,
            notes=v.notes,
            feedback={modules[title]: answer for title, answer in v.feedback.items()},
        )
    draft = curriculum_version_new(actor=lead, curriculum=curriculum, notes=c.V2_NOTES)
    module_delete(actor=lead, module=draft.modules.get(title=c.LEGAL))
    for title, plan in c.ADDED_PLANS:
        _plan(lead, draft.modules.get(title=title), plan)
    a = c.ACCREDITATION
    accreditation_record(
        actor=lead,
        version=draft,
        institution=a.institution,
        credit_hours=a.credit_hours,
        resolution=a.resolution,
        accredited_on=a.accredited_on,
        expires_on=a.expires_on,
    )
    return curriculum, draft


def _plan(lead: User, module: Module, title: str) -> None:
    session_plan_add(
        actor=lead,
        module=module,
        title=title,
        objectives=f"Que las y los activistas reflexionen sobre: {title[0].lower()}{title[1:]}.",
        techniques=c.TECHNIQUES,
        materials=c.MATERIALS,
        duration_minutes=c.PLAN_MINUTES,
        audience="mixed",
    )


# ------------------------------------------------------------------ the study and sample


def _study(upch: Organization, team: _Team) -> Study:
    lead = team.lead
    study = study_create(
        actor=lead,
        organization=upch,
        title=c.TITLE,
        code=STUDY_CODE,
        starts_on=c.STARTS_ON,
        ends_on=c.ENDS_ON,
        lead=lead,
        **c.PROTOCOL,
    )
    member_set(actor=lead, study=study, user=team.researcher, role=MemberRole.RESEARCHER)
    member_set(actor=lead, study=study, user=team.coder, role=MemberRole.CODER)
    for number, approved_on, expires_on in c.APPROVALS:
        approval_add(
            actor=lead,
            study=study,
            committee=c.COMMITTEE,
            number=number,
            approved_on=approved_on,
            expires_on=expires_on,
        )
    for version, approved_on, text in c.CONSENT_FORMS:
        consent_form_add(
            actor=lead, study=study, version=version, approved_on=approved_on, text=text
        )
    sites = [
        site_add(actor=lead, study=study, place=_place(code), name=name)
        for _key, code, name in c.SITES
    ]
    strata = [
        stratum_add(actor=lead, study=study, name=name, age_min=low, age_max=high)
        for _key, name, low, high in c.STRATA
    ]
    for site in sites:
        for stratum in strata:
            for method, target in c.QUOTA_TARGETS.items():
                quota_set(
                    actor=lead,
                    study=study,
                    site=site,
                    stratum=stratum,
                    method=method,
                    target=target,
                )
    for text, excludes_when, reason in c.QUESTIONS:
        question_add(actor=lead, study=study, text=text, excludes_when=excludes_when, reason=reason)
    return study


def _form_on(study: Study, day: dt.date) -> ConsentForm:
    """The latest consent form version approved by ``day``."""
    form = study.consent_forms.filter(approved_on__lte=day).order_by("-approved_on").first()
    if form is None:
        raise RuntimeError(f"demo content: no consent form approved by {day}")
    return form


def _recruit(study: Study, team: _Team) -> dict[str, list[Recruit]]:
    """The recruitment log, screened by the researcher. Returns the participants of each
    interview and focus group (by its key), in the order they were screened."""
    sites = {key: study.sites.get(place__code=code) for key, code, _name in c.SITES}
    questions = list(study.questions.order_by("order"))
    out: dict[str, list[Recruit]] = {}
    for n, rec in enumerate(c.RECRUITS):
        given = c.GIVEN_NAMES[n % len(c.GIVEN_NAMES)]
        family = (
            f"{c.SURNAMES[n % len(c.SURNAMES)]} "
            f"{c.SECOND_SURNAMES[(n // len(c.SURNAMES)) % len(c.SECOND_SURNAMES)]}"
        )
        recruit = recruit_screen(
            actor=team.researcher,
            study=study,
            site=sites[rec.site],
            method=rec.method,
            age=rec.age,
            answers={q.pk: answer for q, answer in zip(questions, rec.answers, strict=True)},
            screened_on=rec.screened_on,
            name=f"{given} {family}",
            contact=f"000 000 {n + 1:03d} (número ficticio)",
        )
        if rec.outcome in (c.EXCLUDED, c.PENDING):
            continue
        if rec.outcome == c.DECLINED:
            recruit_set_status(actor=team.researcher, recruit=recruit, status="declined")
            continue
        on = rec.screened_on + dt.timedelta(days=1)
        recruit = recruit_consent(
            actor=team.researcher,
            recruit=recruit,
            consent_form=_form_on(study, on),
            consented_on=on,
            audio_consent=n % 7 != 3,  # a few do not agree to be recorded
        )
        if rec.outcome == c.WITHDREW:
            recruit_set_status(actor=team.researcher, recruit=recruit, status="withdrawn")
        elif rec.outcome != c.WAITING:
            out.setdefault(rec.outcome, []).append(recruit)
    return out


# ------------------------------------------------------------------ fieldwork


def _text(work: c.Fieldwork) -> str:
    return "\n\n".join(f"{label}: {words}" for label, words in work.turns)


def _fieldwork(study: Study, team: _Team, people: dict[str, list[Recruit]]) -> dict[str, Any]:
    """The interviews and focus groups with their transcripts (typed by the researcher),
    the focus groups' speakers mapped to participants, one transcript de-identified."""
    sites = {key: study.sites.get(place__code=code) for key, code, _name in c.SITES}
    transcripts = {}
    for work in c.FIELDWORK:
        event = event_record(
            actor=team.researcher,
            study=study,
            method=work.method,
            site=sites[work.site],
            held_on=work.held_on,
            participants=people[work.key],
            duration_minutes=work.minutes,
            interviewer=team.who(work.interviewer),
            note_taker=team.who(work.note_taker),
        )
        transcript = transcript_save(
            actor=team.researcher, event=event, text=_text(work), name=work.name
        )
        if work.method == Method.FOCUS_GROUP:
            # "P1".."P8" in the order the participants were screened.
            speakers = {f"P{i}": p for i, p in enumerate(people[work.key], start=1)}
            turns_map(actor=team.researcher, transcript=transcript, speakers=speakers)
        if work.key == c.DEIDENTIFIED:
            flags = deidentify_flags(transcript)
            names = pseudonyms(flags)
            transcript_deidentify(
                actor=team.researcher,
                transcript=transcript,
                replacements={(f.start, f.end): names[f.text] for f in flags},
            )
        transcripts[work.key] = transcript
    return transcripts


# ------------------------------------------------------------------ codebook and coding


def _codebook(study: Study, lead: User) -> dict[str, Code]:
    codes: dict[str, Code] = {}
    for parent, definition, children in c.CODEBOOK:
        top = code_create(actor=lead, study=study, name=parent, definition=definition)
        codes[parent] = top
        for name, child_definition in children:
            codes[name] = code_create(
                actor=lead, study=study, name=name, parent=top, definition=child_definition
            )
    name, memo = c.CODE_MEMO
    code_update(actor=lead, code=codes[name], memo=memo)
    codebook_version_save(actor=lead, study=study, note=c.CODEBOOK_V1_NOTE)
    return codes


def _codebook_v2(study: Study, lead: User, codes: dict[str, Code]) -> None:
    codes[c.CONSENT] = code_create(
        actor=lead,
        study=study,
        name=c.CONSENT,
        parent=codes[c.SEXUALITY],
        definition=c.CONSENT_DEFINITION,
    )
    code_update(actor=lead, code=codes[c.JEALOUSY], definition=c.JEALOUSY_V2)
    codebook_version_save(actor=lead, study=study, note=c.CODEBOOK_V2_NOTE)


def _span(transcript: Transcript, turn: int, words: str) -> tuple[int, int]:
    """Where ``words`` sit in the transcript's ``turn``-th turn (counted from 1)."""
    row = transcript.turns.get(order=turn)
    start = transcript.text.find(words, row.start, row.end)
    if start < 0:
        raise RuntimeError(f"demo content: {words!r} is not in turn {turn} of {transcript}")
    return start, start + len(words)


def _code(
    transcript: Transcript, marks: tuple[c.Mark, ...], codes: dict[str, Code], team: _Team
) -> None:
    for turn, words, code, who in marks:
        start, end = _span(transcript, turn, words)
        coders = [team.lead, team.coder] if who == c.BOTH else [team.who(who)]
        for coder in coders:
            coding_add(actor=coder, transcript=transcript, code=codes[code], start=start, end=end)


def _merge(transcript: Transcript, lead: User, codes: dict[str, Code]) -> None:
    """The lead merges after the discussion: a disagreement is kept when the lead had
    applied the code, or when the team sided with the coder (``KEPT_AFTER_DISCUSSION``)."""
    kept_codes = {codes[name].pk for name in c.KEPT_AFTER_DISCUSSION}
    turns = list(transcript.turns.all())
    by_lead = set()
    for coding in transcript.codings.filter(coder=lead):
        for turn in turns:
            if turn.start < coding.end and coding.start < turn.end:
                by_lead.add((turn.pk, coding.code_id))
    decisions = {key: key in by_lead or key[1] in kept_codes for key in disagreements(transcript)}
    transcript_merge(actor=lead, transcript=transcript, decisions=decisions)


def _coding(study: Study, team: _Team, transcripts: dict[str, Transcript]) -> None:
    codes = _codebook(study, team.lead)
    for key in c.DOUBLE_CODED:
        transcript_double_code(actor=team.lead, transcript=transcripts[key], double_coded=True)
        _code(transcripts[key], c.CODING[key], codes, team)
    for key in c.MERGED:
        _merge(transcripts[key], team.lead, codes)
    _codebook_v2(study, team.lead, codes)
    for key, marks in c.CODING.items():
        if key not in c.DOUBLE_CODED:
            _code(transcripts[key], marks, codes, team)
    for key, turn, words, memo in c.CODING_MEMOS:
        start, end = _span(transcripts[key], turn, words)
        coding = Coding.objects.get(transcript=transcripts[key], start=start, end=end)
        coding_memo_set(actor=coding.coder, coding=coding, memo=memo)


# ------------------------------------------------------------------ findings and plan


def _findings(study: Study, lead: User, version: CurriculumVersion) -> None:
    modules = {m.title: m for m in version.modules.all()}
    plans = {p.title: p for m in modules.values() for p in m.session_plans.all()}
    for spec in c.FINDINGS:
        codes = list(Code.objects.filter(study=study, name__in=spec.codes))
        excerpts = list(
            Coding.objects.filter(transcript__study=study, final=True, code__in=codes).order_by(
                "transcript__name", "start", "pk"
            )[: c.EXCERPTS_PER_FINDING]
        )
        finding_create(
            actor=lead,
            study=study,
            statement=spec.statement,
            codes=codes,
            excerpts=excerpts,
            modules=[modules[t] for t in spec.modules],
            session_plans=[plans[t] for t in spec.plans],
        )


def _dissemination(study: Study, lead: User) -> None:
    today = timezone.localdate()
    for line in c.DISSEMINATION:
        planned = (
            line.planned
            if isinstance(line.planned, dt.date)
            else today + dt.timedelta(days=line.planned)
        )
        dissemination_add(
            actor=lead,
            study=study,
            level=line.level,
            audience=line.audience,
            product=line.product,
            channel=line.channel,
            planned_on=planned,
            status=line.status,
            done_on=line.done_on,
        )


# ------------------------------------------------------------------ entry point


def build_research(*, orgs: dict[str, Organization], r: BuildResult) -> None:
    """UPCH's study and the curriculum it informs; nothing when the study (or the
    curriculum) is already there, or when UPCH or the study's demo accounts are not
    (``build._users`` makes them)."""
    upch = orgs.get(UPCH)
    if upch is None:
        return
    if (
        Study.objects.filter(organization=upch, code=STUDY_CODE).exists()
        or Curriculum.objects.filter(organization=upch, title=c.CURRICULUM_TITLE).exists()
    ):
        return
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=(LEAD_USERNAME, RESEARCHER_USERNAME, CODER_USERNAME)
        )
    }
    if len(users) != 3:
        return
    team = _Team(users[LEAD_USERNAME], users[RESEARCHER_USERNAME], users[CODER_USERNAME])
    # What the services write in words (a reason for exclusion) is Spanish, whoever builds.
    with translation.override("es"):
        curriculum, accredited = _curriculum(upch, team.lead)
        r.add("curricula")
        study = _study(upch, team)
        people = _recruit(study, team)
        transcripts = _fieldwork(study, team, people)
        _coding(study, team, transcripts)
        study_update(
            actor=team.lead, study=study, status=StudyStatus.ANALYSIS, curriculum=curriculum
        )
        _findings(study, team.lead, accredited)
        _dissemination(study, team.lead)
        r.add("studies")
        r.add("research participants", Recruit.objects.filter(study=study).count())
        r.add("transcripts", len(transcripts))


__all__ = [
    "CODER_USERNAME",
    "LEAD_USERNAME",
    "RESEARCHER_USERNAME",
    "STUDY_CODE",
    "UPCH",
    "build_research",
]
