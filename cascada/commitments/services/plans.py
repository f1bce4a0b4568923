"""Initiatives, commitments kept version by version, and their milestones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError
from cascada.trainings.clock import country_today

from .. import money
from ..models import (
    BudgetLine,
    Commitment,
    CommitmentVersion,
    Indicator,
    Initiative,
    Milestone,
    MilestoneStatus,
    PlannedMilestone,
    Theme,
)
from ..selectors import (
    may_manage_grant,
    may_manage_initiative,
    may_report,
    mentor_candidates,
    version_latest,
)
from .base import _allow, _text, _user

# ---------------------------------------------------------------- initiatives


@transaction.atomic
def initiative_create(
    *,
    actor: Any,
    funder: Any,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    description: str = "",
    organizations: Iterable[Any] = (),
    trainings: Iterable[Any] = (),
) -> Initiative:
    """A training initiative funded by ``funder`` (its staff with MANAGE_PROGRAMS)."""
    _allow(actor, may_manage_initiative(actor, Initiative(funder=funder)))
    if ends_on < starts_on:
        raise ApplicationError(
            _("An initiative cannot end before it starts."), extra={"field": "ends_on"}
        )
    initiative = Initiative.objects.create(
        funder=funder,
        name=_text(name, 200, field="name", label=_("Name"), required=True),
        description=description,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    initiative.organizations.set(list(organizations))
    initiative.trainings.set(list(trainings))
    audit_record(actor=actor, action="create", target=initiative)
    return initiative


# ---------------------------------------------------------------- commitments and versions


@dataclass(frozen=True)
class Plan:
    """What an institution commits to (one version). ``budget``: (label, amount) pairs;
    ``milestones``: {"key", "title", "due_on"}, the key kept across versions;
    ``indicators``: {"name", "unit", "baseline", "target"}."""

    aim: str
    themes: Sequence[str] = ()
    target_populations: str = ""
    places: Sequence[Any] = ()
    activities: str = ""
    people_responsible: str = ""
    budget: Sequence[tuple[str, Any]] = ()
    milestones: Sequence[Mapping[str, Any]] = ()
    indicators: Sequence[Mapping[str, Any]] = ()


def _version_write(
    *,
    actor: Any,
    commitment: Commitment,
    plan: Plan,
    created_on: dt.date,
    note: str,
    presented_at: Any,
) -> CommitmentVersion:
    themes = list(dict.fromkeys(plan.themes))
    if not themes or any(t not in Theme.values for t in themes):
        raise ApplicationError(
            _("Choose at least one theme from the list."), extra={"field": "themes"}
        )
    number = (
        commitment.versions.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    version = CommitmentVersion.objects.create(
        commitment=commitment,
        number=number,
        created_on=created_on,
        presented_at=presented_at,
        note=note,
        aim=_text(plan.aim, 4000, field="aim", label=_("Aim"), required=True),
        themes=themes,
        target_populations=_text(
            plan.target_populations, 4000, field="target_populations", label=_("Target populations")
        ),
        activities=_text(plan.activities, 8000, field="activities", label=_("Activities")),
        people_responsible=_text(
            plan.people_responsible, 2000, field="people_responsible", label=_("People responsible")
        ),
        created_by=_user(actor),
    )
    version.places.set(list(plan.places))
    lines, labels = [], set()
    for n, (label, amount) in enumerate(plan.budget, start=1):
        text = _text(label, 120, field="budget", label=_("Budget line"), required=True)
        if text in labels:
            raise ApplicationError(
                _("Budget line %(n)s: %(label)s appears twice.") % {"n": n, "label": text},
                extra={"field": "budget"},
            )
        labels.add(text)
        amount = money.money(amount, field="budget", label=_("Budget line %(n)s") % {"n": n})
        lines.append(BudgetLine(version=version, label=text, amount=amount))
    BudgetLine.objects.bulk_create(lines)
    Indicator.objects.bulk_create(
        Indicator(
            version=version,
            name=_text(i.get("name"), 200, field="indicators", label=_("Indicator"), required=True),
            unit=_text(i.get("unit"), 60, field="indicators", label=_("Unit")),
            baseline=money.money(
                i.get("baseline", 0), field="indicators", label=_("Baseline"), allow_zero=True
            ),
            target=money.money(
                i.get("target"), field="indicators", label=_("Target"), allow_zero=True
            ),
        )
        for i in plan.indicators
    )
    planned: list[PlannedMilestone] = []
    for n, m in enumerate(plan.milestones, start=1):
        key = _text(m.get("key"), 40, field="milestones", label=_("Key"), required=True)
        title = _text(m.get("title"), 200, field="milestones", label=_("Milestone"), required=True)
        if not isinstance(m.get("due_on"), dt.date):
            raise ApplicationError(
                _("Milestone %(n)s needs a due date.") % {"n": n}, extra={"field": "milestones"}
            )
        if key in {p.key for p in planned}:
            raise ApplicationError(
                _("Milestone %(n)s: the key %(key)s appears twice.") % {"n": n, "key": key},
                extra={"field": "milestones"},
            )
        planned.append(PlannedMilestone(version=version, key=key, title=title, due_on=m["due_on"]))
    PlannedMilestone.objects.bulk_create(planned)
    _milestones_follow(commitment, planned)
    return version


def _milestones_follow(commitment: Commitment, planned: list[PlannedMilestone]) -> None:
    """The live milestones follow the latest version: new keys start not started, planned
    keys take the new title and due date, a key no longer planned is dropped (unless done;
    a dropped key planned again starts again)."""
    live = {m.key: m for m in commitment.milestones.all()}
    for p in planned:
        m = live.pop(p.key, None)
        if m is None:
            Milestone.objects.create(
                commitment=commitment, key=p.key, title=p.title, due_on=p.due_on
            )
            continue
        m.title, m.due_on = p.title, p.due_on
        if m.status == MilestoneStatus.DROPPED:
            m.status = MilestoneStatus.NOT_STARTED
        m.save(update_fields=["title", "due_on", "status"])
    for m in live.values():
        if m.status != MilestoneStatus.DONE:
            m.status = MilestoneStatus.DROPPED
            m.save(update_fields=["status"])


@transaction.atomic
def commitment_create(
    *,
    actor: Any,
    initiative: Initiative,
    institution: Any,
    plan: Plan,
    created_on: dt.date,
    focal_point: Any = None,
    mentor: Any = None,
    presented_at: Any = None,
) -> Commitment:
    """An institution's Commitment to Action, with its first version (what it committed
    to at the training ``presented_at``). By the initiative's grant manager."""
    _allow(actor, may_manage_initiative(actor, initiative))
    if not initiative.organizations.filter(pk=institution.pk).exists():
        raise ApplicationError(
            _("The institution does not take part in this initiative."),
            extra={"field": "institution"},
        )
    if Commitment.objects.filter(initiative=initiative, institution=institution).exists():
        raise ApplicationError(
            _("This institution already has a commitment in this initiative."),
            extra={"field": "institution"},
        )
    commitment = Commitment.objects.create(
        initiative=initiative, institution=institution, focal_point=focal_point, mentor=mentor
    )
    _version_write(
        actor=actor,
        commitment=commitment,
        plan=plan,
        created_on=created_on,
        note="",
        presented_at=presented_at,
    )
    audit_record(actor=actor, action="create", target=commitment)
    return commitment


@transaction.atomic
def commitment_revise(
    *,
    actor: Any,
    commitment: Commitment,
    plan: Plan,
    created_on: dt.date,
    note: str = "",
    presented_at: Any = None,
) -> CommitmentVersion:
    """A new version of the commitment; every earlier version stays exactly as it was.
    By the grant manager or the institution's focal point."""
    _allow(actor, may_report(actor, commitment))
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)  # numbers in turn
    latest = version_latest(commitment)
    if latest is not None and created_on < latest.created_on:
        raise ApplicationError(
            _("A revision cannot be dated before the version it revises."),
            extra={"field": "created_on"},
        )
    version = _version_write(
        actor=actor,
        commitment=commitment,
        plan=plan,
        created_on=created_on,
        note=note,
        presented_at=presented_at,
    )
    audit_record(actor=actor, action="update", target=commitment, detail={"count": version.number})
    return version


@transaction.atomic
def mentor_assign(*, actor: Any, commitment: Commitment, mentor: Any) -> Commitment:
    _allow(actor, may_manage_grant(actor, commitment))
    if mentor is not None and not mentor.is_active:
        raise ApplicationError(_("This user account is closed."), extra={"field": "mentor"})
    if mentor is not None and not mentor_candidates(commitment.initiative).filter(pk=mentor.pk):
        raise ApplicationError(
            _("A mentor is one of the funder's users."), extra={"field": "mentor"}
        )
    commitment.mentor = mentor
    commitment.save(update_fields=["mentor", "updated_at"])
    audit_record(actor=actor, action="update", target=commitment)
    return commitment


# ---------------------------------------------------------------- milestones


@transaction.atomic
def milestone_set_status(
    *, actor: Any, milestone: Milestone, status: str, on: dt.date, note: str = ""
) -> Milestone:
    """The institution reports a milestone's status as of ``on`` (done: the day it was
    done, not in the future). A milestone whose completion released a tranche stays done."""
    commitment = milestone.commitment
    _allow(actor, may_report(actor, commitment))
    if status not in MilestoneStatus.values:
        raise ApplicationError(_("Unknown status."), extra={"field": "status"})
    if on > country_today(commitment.institution.country):
        raise ApplicationError(_("The date is in the future."), extra={"field": "on"})
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if (
        milestone.status == MilestoneStatus.DONE
        and status != MilestoneStatus.DONE
        and milestone.tranches.filter(released_on__isnull=False).exists()
    ):
        raise ApplicationError(
            _("A tranche was released because this milestone was done; it stays done."),
            extra={"field": "status"},
        )
    milestone.status = status
    milestone.status_on = on
    milestone.done_on = on if status == MilestoneStatus.DONE else None
    milestone.note = _text(note, 4000, field="note", label=_("Note"))
    milestone.save(update_fields=["status", "status_on", "done_on", "note"])
    audit_record(actor=actor, action="update", target=milestone, detail={"status": status})
    return milestone
