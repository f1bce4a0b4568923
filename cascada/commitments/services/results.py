"""Mentoring sessions and assessments, lessons learned, testimonies and their consent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError
from cascada.trainings.clock import country_today

from ..models import (
    Commitment,
    LessonLearned,
    MentoringSession,
    MilestoneAssessment,
    MilestoneStatus,
    Outcome,
    SessionMode,
    Testimony,
)
from ..selectors import (
    may_mentor,
    may_report,
    outcome_actions,
    outcome_cohorts,
)
from .base import _allow, _text, _user

# ---------------------------------------------------------------- mentoring and results


@transaction.atomic
def mentoring_session_record(
    *,
    actor: Any,
    commitment: Commitment,
    held_on: dt.date,
    mode: str,
    topics: str,
    next_steps: str = "",
    follow_up: str = "",
    assessments: Sequence[Mapping[str, Any]] = (),
) -> MentoringSession:
    """A mentoring session: mode, topics, agreed next steps, the follow-up of the last
    session's steps, and the mentor's assessment of milestones ({"milestone", "status",
    "note"}). By the commitment's mentor (or the grant manager)."""
    _allow(actor, may_mentor(actor, commitment))
    if mode not in SessionMode.values:
        raise ApplicationError(_("Unknown mode."), extra={"field": "mode"})
    if held_on > country_today(commitment.institution.country):
        raise ApplicationError(_("The date is in the future."), extra={"field": "held_on"})
    session = MentoringSession.objects.create(
        commitment=commitment,
        mentor=_user(actor) or commitment.mentor,
        held_on=held_on,
        mode=mode,
        topics=_text(topics, 4000, field="topics", label=_("Topics"), required=True),
        next_steps=_text(next_steps, 4000, field="next_steps", label=_("Next steps")),
        follow_up=_text(follow_up, 4000, field="follow_up", label=_("Follow-up")),
    )
    rows = []
    for a in assessments:
        milestone = a.get("milestone")
        if getattr(milestone, "commitment_id", None) != commitment.pk:
            raise ApplicationError(
                _("The milestone belongs to another commitment."), extra={"field": "assessments"}
            )
        if a.get("status") not in MilestoneStatus.values:
            raise ApplicationError(_("Unknown status."), extra={"field": "assessments"})
        rows.append(
            MilestoneAssessment(
                milestone=milestone,
                session=session,
                mentor=session.mentor,
                assessed_on=held_on,
                status=a["status"],
                note=_text(a.get("note"), 2000, field="assessments", label=_("Note")),
            )
        )
    MilestoneAssessment.objects.bulk_create(rows)
    audit_record(actor=actor, action="create", target=session)
    return session


@transaction.atomic
def lesson_record(
    *, actor: Any, commitment: Commitment, text: str, recorded_on: dt.date
) -> LessonLearned:
    _allow(actor, may_report(actor, commitment) or may_mentor(actor, commitment))
    lesson = LessonLearned.objects.create(
        commitment=commitment,
        text=_text(text, 4000, field="text", label=_("Lesson learned"), required=True),
        recorded_on=recorded_on,
        recorded_by=_user(actor),
    )
    audit_record(actor=actor, action="create", target=lesson)
    return lesson


@transaction.atomic
def testimony_record(
    *,
    actor: Any,
    commitment: Commitment,
    quote: str,
    author_institution: Any,
    recorded_on: dt.date,
    consent_to_publish: bool = False,
    consent_on: dt.date | None = None,
    author: Any = None,
    author_role: str = "",
) -> Testimony:
    """A testimony. Consent to publish needs its date; without consent it never leaves the
    commitment's page (``selectors.testimonies_publishable``)."""
    _allow(actor, may_report(actor, commitment) or may_mentor(actor, commitment))
    if consent_to_publish and consent_on is None:
        raise ApplicationError(
            _("Consent to publish: write the date it was given."), extra={"field": "consent_on"}
        )
    testimony = Testimony.objects.create(
        commitment=commitment,
        quote=_text(quote, 4000, field="quote", label=_("Quote"), required=True),
        author_institution=author_institution,
        author=author,
        author_role=_text(author_role, 120, field="author_role", label=_("Author's role")),
        consent_to_publish=bool(consent_to_publish),
        consent_on=consent_on if consent_to_publish else None,
        recorded_on=recorded_on,
        recorded_by=_user(actor),
    )
    audit_record(actor=actor, action="create", target=testimony)
    return testimony


@transaction.atomic
def testimony_consent_set(
    *, actor: Any, testimony: Testimony, consent: bool, on: dt.date | None
) -> Testimony:
    """Consent given (with its date) or withdrawn: withdrawn, the testimony leaves every
    output from then on."""
    _allow(
        actor, may_report(actor, testimony.commitment) or may_mentor(actor, testimony.commitment)
    )
    if consent and on is None:
        raise ApplicationError(
            _("Consent to publish: write the date it was given."), extra={"field": "consent_on"}
        )
    testimony.consent_to_publish = consent
    testimony.consent_on = on if consent else None
    testimony.save(update_fields=["consent_to_publish", "consent_on"])
    audit_record(actor=actor, action="update", target=testimony, detail={"consent": consent})
    return testimony


MAX_DECLARED_REACH = 10_000_000


@transaction.atomic
def outcome_record(
    *,
    actor: Any,
    commitment: Commitment,
    description: str,
    recorded_on: dt.date,
    cohort: Any = None,
    community_action: Any = None,
    people_reached: int | None = None,
) -> Outcome:
    """An outcome of the commitment, with its reach from one source: a training or a
    community action of the institution recorded in Cascada (their reach counts once,
    from their records), or a figure the institution declares. By whoever reports."""
    _allow(actor, may_report(actor, commitment))
    if cohort is not None and community_action is not None:
        raise ApplicationError(
            _("Link a training or a community action, not both."), extra={"field": "link"}
        )
    if cohort is not None and cohort.pk not in set(
        outcome_cohorts(commitment).values_list("pk", flat=True)
    ):
        raise ApplicationError(
            _("The training is not one of the institution's."), extra={"field": "link"}
        )
    if community_action is not None and community_action.pk not in set(
        outcome_actions(commitment).values_list("pk", flat=True)
    ):
        raise ApplicationError(
            _("The community action is not one of the institution's networks'."),
            extra={"field": "link"},
        )
    if people_reached is not None and (cohort is not None or community_action is not None):
        raise ApplicationError(
            _(
                "The reach of a training or an action recorded in Cascada comes from its "
                "record: leave the number of people empty so that nobody is counted twice."
            ),
            extra={"field": "people_reached"},
        )
    if people_reached is not None and not 0 <= people_reached <= MAX_DECLARED_REACH:
        raise ApplicationError(
            _("The number of people must be between 0 and %(max)s.") % {"max": MAX_DECLARED_REACH},
            extra={"field": "people_reached"},
        )
    outcome = Outcome.objects.create(
        commitment=commitment,
        description=_text(
            description, 4000, field="description", label=_("What was achieved"), required=True
        ),
        recorded_on=recorded_on,
        cohort=cohort,
        community_action=community_action,
        people_reached=people_reached,
        recorded_by=_user(actor),
    )
    audit_record(actor=actor, action="create", target=outcome)
    return outcome
