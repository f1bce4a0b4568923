"""Reads of formative research (docs/decisions/research.md): who may do what, the studies
and their rows a user may open, and the sample's progress against its quotas.

Who may do what, the one place that answers it:
- the study's **members** (``StudyMember``): the lead (principal investigator) runs the
  study (protocol, members, sample, codebook versions, merging, findings, exports);
  researchers do the fieldwork (recruitment with the recruits' identities, interviews,
  transcripts) and code; coders code. Every member reads the transcripts (S3): nobody
  else does, whatever their organization role.
- the organization's staff with ``MANAGE_PROGRAMS`` (coordinators, administrators) create
  studies and name their lead, and see the protocol and the sample's exact progress;
  never a transcript, a memo or a recruit's identity, unless they are members.
- anyone with ``VIEW_AGGREGATES`` in the organization (viewers, facilitators, M&E
  officers) sees the protocol, the findings and the sample's progress through the
  disclosure control (``core.privacy.counts_release``).
Membership is given by the lead (never by oneself, S4) to users of the study's
organization; a member signs in with a second factor (S6)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Prefetch, Q, QuerySet

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.audit.services import audit_record
from cascada.core.errors import NotFoundError
from cascada.core.privacy import Cell, Counts, CountsRelease, counts_release, threshold
from cascada.curricula.models import Module, SessionPlan

from .models import (
    Code,
    Coding,
    Dissemination,
    DisseminationStatus,
    EthicsApproval,
    Event,
    Finding,
    MemberRole,
    Quota,
    Recruit,
    RecruitStatus,
    Study,
    StudyMember,
    StudyStatus,
    Transcript,
    Turn,
)


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def memberships(user: Any) -> QuerySet[StudyMember]:
    if not _active(user):
        return StudyMember.objects.none()
    return StudyMember.objects.filter(
        user=user, study__organization__memberships__user=user
    ).distinct()


def member_needs_two_factor(asked: Any) -> bool:
    """Answers ``accounts.hooks.two_factor_needed``: a study's member reads transcripts
    about violence (S6), whatever their organization role."""
    return memberships(asked.user).exists()


def study_list(*, user: Any) -> QuerySet[Study]:
    """The studies a user may open: members', and their organization's (staff who manage
    programs or see aggregates)."""
    if not _active(user):
        return Study.objects.none()
    orgs = scope.org_ids(user, Cap.MANAGE_PROGRAMS) | scope.org_ids(user, Cap.VIEW_AGGREGATES)
    return (
        Study.objects.filter(Q(organization_id__in=orgs) | Q(members__in=memberships(user)))
        .distinct()
        .select_related("organization")
    )


def study_get(*, user: Any, pk: Any) -> Study:
    study = study_list(user=user).filter(pk=pk).first()
    if study is None:
        raise NotFoundError()
    return study


def role_in(user: Any, study: Study) -> str | None:
    """The user's role in the study, or None (not a member; closed account)."""
    if not _active(user):
        return None
    cache = getattr(user, "_study_roles", None)
    if cache is None:
        # A membership counts while the user belongs to the study's organization: leaving
        # it (or losing every role there) ends the access to its studies.
        cache = dict(
            StudyMember.objects.filter(user=user, study__organization__memberships__user=user)
            .values_list("study_id", "role")
            .distinct()
        )
        user._study_roles = cache
    return cache.get(study.pk)


def forget(user: Any) -> None:
    """Drop the cached study roles (after a membership changes)."""
    if hasattr(user, "_study_roles"):
        del user._study_roles


def may_create(user: Any, organization_id: int) -> bool:
    return _active(user) and scope.has(user, Cap.MANAGE_PROGRAMS, organization_id)


def may_oversee(user: Any, study: Study) -> bool:
    """The organization's program managers: create the study, edit its protocol, see the
    sample's exact progress. No transcript (unless also a member)."""
    return _active(user) and scope.has(user, Cap.MANAGE_PROGRAMS, study.organization_id)


def is_member(user: Any, study: Study) -> bool:
    return role_in(user, study) is not None


def is_lead(user: Any, study: Study) -> bool:
    return role_in(user, study) == MemberRole.LEAD


def may_lead(user: Any, study: Study) -> bool:
    """Protocol, ethics, consent forms, sites, strata, quotas, screening questions:
    the lead, or the organization's program managers."""
    return is_lead(user, study) or may_oversee(user, study)


def may_field(user: Any, study: Study) -> bool:
    """Recruitment (and the recruits' identities), interviews, focus groups, transcripts:
    the lead and researchers."""
    return role_in(user, study) in {MemberRole.LEAD, MemberRole.RESEARCHER}


def reads_transcripts(user: Any, study: Study) -> bool:
    """Transcripts, codings, memos, excerpts (S3): the study's members, nobody else."""
    return is_member(user, study)


def may_code(user: Any, study: Study) -> bool:
    return is_member(user, study)


def reads_reliability_unmerged(user: Any, study: Study) -> bool:
    """Agreement figures of double-coded transcripts not merged yet: the lead only. They
    move with each coder's codings, so a coder reading them would learn what the other
    coded and no longer code blind."""
    return is_lead(user, study)


def may_edit_memo(user: Any, coding: Coding) -> bool:
    """A coding's memo is its coder's own; the lead writes on any final coding (the merged
    ones have no coder). Nobody else overwrites it."""
    study = coding.transcript.study
    if not may_code(user, study):
        return False
    return coding.coder_id == getattr(user, "pk", None) or (coding.final and is_lead(user, study))


def sees_exact(user: Any, study: Study) -> bool:
    """Exact counts of the sample: members and the organization's program managers; others
    through the disclosure control."""
    return is_member(user, study) or may_oversee(user, study)


def transcript_list(*, user: Any, study: Study) -> QuerySet[Transcript]:
    if not reads_transcripts(user, study):
        return Transcript.objects.none()
    return Transcript.objects.filter(study=study).select_related("event", "event__site")


def transcript_get(*, user: Any, pk: Any) -> Transcript:
    """A transcript the user may read (404 otherwise, S2/S3)."""
    transcript = (
        Transcript.objects.filter(pk=pk, study__members__in=memberships(user))
        .select_related("study", "event", "event__site")
        .first()
        if _active(user)
        else None
    )
    if transcript is None:
        raise NotFoundError()
    return transcript


def codings_visible(*, user: Any, transcript: Transcript) -> QuerySet[Coding]:
    """The codings a member sees on a transcript. A double-coded transcript not merged yet
    is coded blind: each coder sees only their own codings (the lead too, while coding);
    once merged, everyone sees the final ones."""
    if not reads_transcripts(user, transcript.study):
        return Coding.objects.none()
    rows = Coding.objects.filter(transcript=transcript).select_related("code")
    if transcript.double_coded and transcript.merged_at is None:
        return rows.filter(coder=user)
    return rows.filter(final=True)


def code_list(*, user: Any, study: Study) -> QuerySet[Code]:
    """The codebook: names and definitions are not sensitive, but only members and the
    study's overseers see it (memos are members' only: ``reads_transcripts``)."""
    if not (is_member(user, study) or may_oversee(user, study)):
        return Code.objects.none()
    return Code.objects.filter(study=study)


def recruit_list(*, user: Any, study: Study) -> QuerySet[Recruit]:
    """The recruitment log (codes, site, stratum, status; identities only through
    ``may_field``): members and overseers."""
    if not sees_exact(user, study):
        return Recruit.objects.none()
    return Recruit.objects.filter(study=study).select_related("site", "stratum")


def event_list(*, user: Any, study: Study) -> QuerySet[Event]:
    if not is_member(user, study):
        return Event.objects.none()
    return Event.objects.filter(study=study).select_related("site").prefetch_related("participants")


def event_get(*, user: Any, pk: Any) -> Event:
    """An interview or focus group the user may open (the study's members; 404 otherwise)."""
    event = (
        Event.objects.filter(pk=pk, study__members__in=memberships(user))
        .select_related("study", "study__organization", "site", "interviewer", "note_taker")
        .first()
        if _active(user)
        else None
    )
    if event is None:
        raise NotFoundError()
    return event


# ---------------------------------------------------------------- the sample at a glance


@dataclass
class QuotaRow:
    quota: Quota
    screened: Cell
    eligible: Cell
    excluded: Cell
    consented: Cell
    took_part: Cell
    target: int

    @property
    def met(self) -> bool:
        return self.took_part.value is not None and self.took_part.value >= self.target


@dataclass
class Progress:
    rows: list[QuotaRow]
    took_part: Cell
    target: int
    exact: bool


def quota_counts(study: Study) -> dict[tuple[int, int, str], dict[str, int]]:
    """Per (site, stratum, method): screened, eligible, excluded, consented, took part.
    Eligible counts everyone who passed screening (consented or not)."""
    counts: dict[tuple[int, int, str], dict[str, int]] = {}
    rows = (
        Recruit.objects.filter(study=study, stratum__isnull=False)
        .values("site_id", "stratum_id", "method", "status")
        .annotate(n=Count("pk", distinct=True))
    )
    for row in rows:
        key = (row["site_id"], row["stratum_id"], row["method"])
        cell = counts.setdefault(key, dict.fromkeys(FIGURES, 0))
        cell["screened"] += row["n"]
        if row["status"] == RecruitStatus.EXCLUDED:
            cell["excluded"] += row["n"]
        else:
            cell["eligible"] += row["n"]
        if row["status"] == RecruitStatus.CONSENTED:
            cell["consented"] += row["n"]
    took = (
        Recruit.objects.filter(study=study, stratum__isnull=False, status=RecruitStatus.CONSENTED)
        .filter(events__method=F("method"))
        .values("site_id", "stratum_id", "method")
        .annotate(n=Count("pk", distinct=True))
    )
    for part in took:
        key = (part["site_id"], part["stratum_id"], part["method"])
        counts.setdefault(key, dict.fromkeys(FIGURES, 0))["took_part"] += part["n"]
    return counts


FIGURES = ("screened", "eligible", "excluded", "consented", "took_part")


def _unpublished(per: dict[Any, int]) -> Any:
    k = threshold()
    return CountsRelease(
        total=Cell(None, k, unpublished=True),
        breakdowns={"cell": Counts({key: Cell(None, k, unpublished=True) for key in per}, False)},
        k=k,
        exact=False,
    )


def quota_progress(*, user: Any, study: Study) -> Progress:
    """The quotas with how far each got: exact for members and overseers; for anyone else
    who took part, through the disclosure control against its total, and no other column
    (they are nested: their differences would be small counts)."""
    quotas = list(
        Quota.objects.filter(study=study)
        .select_related("site", "stratum")
        .order_by("site__name", "stratum__age_min", "method")
    )
    counts = quota_counts(study)
    exact = sees_exact(user, study)
    keyed = {(q.site_id, q.stratum_id, q.method): q for q in quotas}
    columns: dict[str, Any] = {}
    for figure in FIGURES:
        per = {key: counts.get(key, {}).get(figure, 0) for key in keyed}
        if not exact and figure != "took_part":
            # The columns are nested (took part ⊂ consented ⊂ eligible ⊂ screened, and
            # excluded = screened - eligible): released apart, their differences would
            # give away hidden small counts. Whoever does not see the sample exactly
            # reads the progress only: who took part against the quota.
            columns[figure] = _unpublished(per)
            continue
        columns[figure] = counts_release(sum(per.values()), {"cell": per}, exact=exact)
    rows = [
        QuotaRow(
            quota=q,
            target=q.target,
            **{f: columns[f].breakdowns["cell"][key] for f in FIGURES},
        )
        for key, q in keyed.items()
    ]
    return Progress(
        rows=rows,
        took_part=columns["took_part"].total,
        target=sum(q.target for q in quotas),
        exact=exact,
    )


# ---------------------------------------------------------------- a study's pages

APPROVAL_WARNING_DAYS = 60


@dataclass(frozen=True)
class ApprovalWarning:
    """What the study page warns about its ethics approval: ``missing`` (none yet),
    ``expired`` (the latest expired ``days`` ago) or ``expiring`` (in ``days`` days)."""

    kind: str
    approval: EthicsApproval | None
    days: int


def approval_warning(study: Study, today: dt.date) -> ApprovalWarning | None:
    """Fieldwork needs an approval valid on its date: warn when the study has none, when the
    one that lasts longest has expired, or when it expires within 60 days. A closed study
    needs none."""
    if study.status == StudyStatus.CLOSED:
        return None
    latest = EthicsApproval.objects.filter(study=study).order_by("-expires_on").first()
    if latest is None:
        return ApprovalWarning(kind="missing", approval=None, days=0)
    if latest.expires_on < today:
        return ApprovalWarning(
            kind="expired", approval=latest, days=(today - latest.expires_on).days
        )
    left = (latest.expires_on - today).days
    if left <= APPROVAL_WARNING_DAYS:
        return ApprovalWarning(kind="expiring", approval=latest, days=left)
    return None


def member_candidates(organization_id: int) -> QuerySet[Any]:
    """Whom a study of the organization may have as a member or lead: its active users
    (the services refuse anyone else). Staff, not research participants: their usernames
    and full names are shown."""
    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__organization_id=organization_id)
        .distinct()
        .order_by("username")
    )


def recruit_get(*, user: Any, pk: Any) -> Recruit:
    """A row of a recruitment log the user may read (``recruit_list``), 404 otherwise."""
    recruit = (
        Recruit.objects.filter(pk=pk, study__in=study_list(user=user))
        .select_related("study", "study__organization", "site", "stratum", "consent_form")
        .first()
    )
    if recruit is None or not recruit_list(user=user, study=recruit.study).filter(pk=pk).exists():
        raise NotFoundError()
    return recruit


def recruit_identity_reveal(*, user: Any, recruit: Recruit) -> tuple[str, str] | None:
    """A recruit's name and contact, for recontact: the lead and researchers only
    (``may_field``; None for anyone else), each read audited with one row that names the
    recruit and never the values (S10, S11)."""
    if not may_field(user, recruit.study):
        return None
    audit_record(actor=user, action="view", target=recruit, detail={"fields": ["name", "contact"]})
    return recruit.name, recruit.contact


# ---------------------------------------------------------------- findings and dissemination
# (services: ``services/results.py``)


def finding_list(*, user: Any, study: Study) -> QuerySet[Finding]:
    """The study's findings: members, overseers and whoever sees the organization's
    aggregates read their statements and the modules they shaped; the codes are for
    members and overseers (``code_list``), the excerpts for members only
    (``finding_excerpts``)."""
    if not (
        is_member(user, study)
        or may_oversee(user, study)
        or (_active(user) and scope.has(user, Cap.VIEW_AGGREGATES, study.organization_id))
    ):
        return Finding.objects.none()
    return (
        Finding.objects.filter(study=study)
        .select_related("study")
        .prefetch_related(
            "codes",
            "modules__version__curriculum",
            "session_plans__module__version__curriculum",
        )
        .order_by("pk")
    )


def _curricula_q(study: Study, prefix: str) -> Q:
    """Where the modules a finding may shape sit: the versions of the curriculum the study
    informs (``study.curriculum``) or, while the study names none, any curriculum of the
    study's organization. ``prefix`` leads from the row to its curriculum version."""
    if study.curriculum_id is not None:
        return Q(**{f"{prefix}__curriculum_id": study.curriculum_id})
    return Q(**{f"{prefix}__curriculum__organization_id": study.organization_id})


def finding_modules(study: Study) -> QuerySet[Module]:
    """The modules a finding of the study may say it shaped (``_curricula_q``)."""
    return (
        Module.objects.filter(_curricula_q(study, "version"))
        .select_related("version__curriculum")
        .order_by("version__curriculum__title", "-version__number", "order")
    )


def finding_session_plans(study: Study) -> QuerySet[SessionPlan]:
    """The session plans a finding of the study may say it shaped (``_curricula_q``)."""
    return (
        SessionPlan.objects.filter(_curricula_q(study, "module__version"))
        .select_related("module__version__curriculum")
        .order_by("module__order", "order")
    )


def finding_get(*, user: Any, pk: Any) -> Finding:
    """A finding of a study the user may open and whose findings they read, 404 otherwise."""
    finding = (
        Finding.objects.filter(pk=pk, study__in=study_list(user=user))
        .select_related("study", "study__organization")
        .first()
    )
    if finding is None or not finding_list(user=user, study=finding.study).filter(pk=pk).exists():
        raise NotFoundError()
    return finding


@dataclass(frozen=True)
class Excerpt:
    """A final coding as a quotation: its code, its transcript, the text it spans and the
    codes of the participants who speak in it. ``withdrawn``: a participant in it withdrew,
    so the text is not given."""

    coding_id: int
    code: str
    transcript: str
    text: str
    participants: tuple[str, ...]
    withdrawn: bool


def _excerpts(codings: list[Coding]) -> dict[int, Excerpt]:
    """The codings as excerpts; each transcript is read (decrypted) once."""
    transcript_ids = {c.transcript_id for c in codings}
    transcripts = {
        t.pk: t for t in Transcript.objects.filter(pk__in=transcript_ids).only("pk", "name", "text")
    }
    turns: dict[int, list[Turn]] = {}
    for turn in (
        Turn.objects.filter(transcript_id__in=transcript_ids, participant__isnull=False)
        .select_related("participant")
        .order_by("start")
    ):
        turns.setdefault(turn.transcript_id, []).append(turn)
    out: dict[int, Excerpt] = {}
    for coding in codings:
        people = [
            t.participant
            for t in turns.get(coding.transcript_id, [])
            if t.participant is not None and t.start < coding.end and coding.start < t.end
        ]
        withdrawn = any(p.status == RecruitStatus.WITHDRAWN for p in people)
        transcript = transcripts[coding.transcript_id]
        out[coding.pk] = Excerpt(
            coding_id=coding.pk,
            code=coding.code.name,
            transcript=transcript.name,
            text="" if withdrawn else transcript.text[coding.start : coding.end],
            participants=tuple(dict.fromkeys(p.code for p in people)),
            withdrawn=withdrawn,
        )
    return out


def finding_excerpts(*, user: Any, study: Study, findings: Any) -> dict[int, list[Excerpt]]:
    """The excerpts backing each finding (by finding id), sliced from the transcripts:
    for the study's members only (S3); anyone else gets nothing."""
    if not reads_transcripts(user, study):
        return {}
    ids = [f.pk for f in findings]
    links = list(
        Finding.excerpts.through.objects.filter(
            finding_id__in=ids, coding__transcript__study=study
        ).values_list("finding_id", "coding_id")
    )
    codings = list(
        Coding.objects.filter(pk__in={c for _f, c in links})
        .select_related("code")
        .order_by("transcript__name", "start", "pk")
    )
    by_id = _excerpts(codings)
    out: dict[int, list[Excerpt]] = {pk: [] for pk in ids}
    order = {c.pk: i for i, c in enumerate(codings)}
    for finding_id, coding_id in sorted(links, key=lambda fc: order.get(fc[1], 0)):
        if coding_id in by_id:
            out[finding_id].append(by_id[coding_id])
    return out


def excerpt_choices(*, user: Any, study: Study) -> list[tuple[Code, list[Excerpt]]]:
    """What a finding may quote: the study's final codings grouped by code, each as an
    excerpt (members only; a withdrawn participant's words are left out)."""
    if not reads_transcripts(user, study):
        return []
    codings = list(
        Coding.objects.filter(transcript__study=study, final=True)
        .select_related("code")
        .order_by("code__order", "code__name", "transcript__name", "start", "pk")
    )
    by_id = _excerpts(codings)
    groups: dict[int, tuple[Code, list[Excerpt]]] = {}
    for coding in codings:
        excerpt = by_id[coding.pk]
        if excerpt.withdrawn:
            continue
        groups.setdefault(coding.code_id, (coding.code, []))[1].append(excerpt)
    return list(groups.values())


@dataclass(frozen=True)
class VersionFinding:
    """What a curriculum version's page shows of a finding that shaped it: the statement,
    the study's title, and the modules and session plans of that version it shaped. Never
    an excerpt (they stay with the study's members)."""

    statement: str
    study: str
    modules: tuple[str, ...]
    session_plans: tuple[str, ...]


def findings_for_version(version: Any) -> list[VersionFinding]:
    """The findings linked to a module or a session plan of ``version`` (a
    ``curricula.CurriculumVersion``), for whoever may see the version."""
    findings = (
        Finding.objects.filter(
            Q(modules__version=version) | Q(session_plans__module__version=version)
        )
        .distinct()
        .select_related("study")
        .prefetch_related(
            Prefetch(
                "modules",
                queryset=Module.objects.filter(version=version).order_by("order"),
            ),
            Prefetch(
                "session_plans",
                queryset=SessionPlan.objects.filter(module__version=version)
                .select_related("module")
                .order_by("module__order", "order"),
            ),
        )
        .order_by("study__title", "pk")
    )
    return [
        VersionFinding(
            statement=f.statement,
            study=f.study.title,
            modules=tuple(f"{m.order}. {m.title}" for m in f.modules.all()),
            session_plans=tuple(
                f"{p.module.order}.{p.order} {p.title}" for p in f.session_plans.all()
            ),
        )
        for f in findings
    ]


def dissemination_list(*, user: Any, study: Study) -> QuerySet[Dissemination]:
    """The dissemination plan: for whoever may open the study (it is no secret)."""
    if not study_list(user=user).filter(pk=study.pk).exists():
        return Dissemination.objects.none()
    return Dissemination.objects.filter(study=study).order_by("planned_on", "pk")


def dissemination_get(*, user: Any, pk: Any) -> Dissemination:
    item = (
        Dissemination.objects.filter(pk=pk, study__in=study_list(user=user))
        .select_related("study", "study__organization")
        .first()
    )
    if item is None:
        raise NotFoundError()
    return item


def dissemination_overdue(item: Dissemination, today: dt.date) -> bool:
    """Planned for a day already past and neither done nor dropped."""
    return item.planned_on < today and item.status not in {
        DisseminationStatus.DONE,
        DisseminationStatus.DROPPED,
    }
