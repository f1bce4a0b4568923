"""A study's protocol, members, ethics approvals, consent forms and sample design (sites,
strata, quotas, screening questions)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from cascada.accounts.models import Membership
from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError

from ..models import (
    ConsentForm,
    EthicsApproval,
    MemberRole,
    Method,
    Quota,
    ScreeningQuestion,
    Site,
    Stratum,
    Study,
    StudyMember,
    StudyStatus,
)
from ..selectors import forget, is_lead, may_create, may_lead
from .base import _allow, _text

CODE_RE = re.compile(r"^[A-Z0-9]{2,10}$")
PROTOCOL_FIELDS = ("aims", "research_objectives", "intervention_objectives", "methods")


def _member_of_organization(user: Any, study: Study) -> bool:
    return (
        bool(getattr(user, "is_active", False))
        and Membership.objects.filter(user=user, organization_id=study.organization_id).exists()
    )


def _dates(starts_on: dt.date, ends_on: dt.date | None) -> None:
    if ends_on is not None and ends_on < starts_on:
        raise ApplicationError(
            _("A study cannot end before it starts."), extra={"field": "ends_on"}
        )


@transaction.atomic
def study_create(
    *,
    actor: Any,
    organization: Any,
    title: str,
    code: str,
    starts_on: dt.date,
    lead: Any,
    ends_on: dt.date | None = None,
    **protocol: str,
) -> Study:
    """A study of ``organization`` (its program managers create it) with its lead, a user
    of the organization (possibly the creator: the principal investigator)."""
    _allow(actor, may_create(actor, organization.pk))
    code = str(code or "").strip().upper()
    if not CODE_RE.match(code):
        raise ApplicationError(
            _("The short code takes 2 to 10 capital letters or digits (e.g. MRV)."),
            extra={"field": "code"},
        )
    _dates(starts_on, ends_on)
    unknown = set(protocol) - set(PROTOCOL_FIELDS)
    if unknown:
        raise TypeError(f"unknown protocol fields: {sorted(unknown)}")
    study = Study(
        organization=organization,
        title=_text(title, 200, field="title", label=_("Title"), required=True),
        code=code,
        starts_on=starts_on,
        ends_on=ends_on,
        **{k: _text(v, 5000, field=k, label=k) for k, v in protocol.items()},
    )
    if Study.objects.filter(organization=organization, code=code).exists():
        raise ApplicationError(
            _("Another study of the organization uses this short code."), extra={"field": "code"}
        )
    study.save()
    if not _member_of_organization(lead, study):
        raise ApplicationError(
            _("The lead must be a user of the study's organization."), extra={"field": "lead"}
        )
    StudyMember.objects.create(study=study, user=lead, role=MemberRole.LEAD)
    forget(lead)
    audit_record(actor=actor, action="create", target=study)
    return study


@transaction.atomic
def study_update(
    *,
    actor: Any,
    study: Study,
    title: str | None = None,
    status: str | None = None,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    curriculum: Any = None,
    **protocol: str,
) -> Study:
    """The protocol (aims, objectives, methods), dates, status and the curriculum the study
    informs: the lead or the organization's program managers."""
    _allow(actor, may_lead(actor, study))
    if title is not None:
        study.title = _text(title, 200, field="title", label=_("Title"), required=True)
    if status is not None:
        if status not in StudyStatus.values:
            raise ApplicationError(_("Unknown status."), extra={"field": "status"})
        study.status = status
    if starts_on is not None:
        study.starts_on = starts_on
    study.ends_on = ends_on if ends_on is not None else study.ends_on
    _dates(study.starts_on, study.ends_on)
    if curriculum is not None:
        if curriculum.organization_id != study.organization_id:
            raise ApplicationError(
                _("Choose a curriculum of the study's organization."),
                extra={"field": "curriculum"},
            )
        study.curriculum = curriculum
    for key, value in protocol.items():
        if key not in PROTOCOL_FIELDS:
            raise TypeError(f"unknown protocol field: {key}")
        setattr(study, key, _text(value, 5000, field=key, label=key))
    study.save()
    audit_record(actor=actor, action="update", target=study)
    return study


# ---------------------------------------------------------------- members


@transaction.atomic
def member_set(*, actor: Any, study: Study, user: Any, role: str) -> StudyMember:
    """Add a member or change a member's role: the lead only, never for themselves (S4: a
    lead does not demote or re-add themselves here; a study keeps at least one lead)."""
    _allow(actor, actor is None or is_lead(actor, study))
    if role not in MemberRole.values:
        raise ApplicationError(_("Unknown role in the study."), extra={"field": "role"})
    if actor is not None and getattr(user, "pk", None) == actor.pk:
        raise ApplicationError(
            _("You cannot change your own role in a study."), extra={"field": "user"}
        )
    if not _member_of_organization(user, study):
        raise ApplicationError(
            _("Members must be users of the study's organization."), extra={"field": "user"}
        )
    member, created = StudyMember.objects.update_or_create(
        study=study, user=user, defaults={"role": role}
    )
    forget(user)
    audit_record(
        actor=actor,
        action="create" if created else "update",
        target=member,
        detail={"role": role},
    )
    return member


@transaction.atomic
def member_remove(*, actor: Any, study: Study, user: Any) -> None:
    _allow(actor, actor is None or is_lead(actor, study))
    member = StudyMember.objects.filter(study=study, user=user).first()
    if member is None:
        return
    if (
        member.role == MemberRole.LEAD
        and not StudyMember.objects.filter(study=study, role=MemberRole.LEAD)
        .exclude(pk=member.pk)
        .exists()
    ):
        raise ApplicationError(
            _("A study needs a lead: name another lead first."), extra={"field": "user"}
        )
    audit_record(actor=actor, action="delete", target=member)
    member.delete()
    forget(user)


# ---------------------------------------------------------------- ethics and consent


@transaction.atomic
def approval_add(
    *,
    actor: Any,
    study: Study,
    committee: str,
    number: str,
    approved_on: dt.date,
    expires_on: dt.date,
) -> EthicsApproval:
    _allow(actor, may_lead(actor, study))
    if expires_on <= approved_on:
        raise ApplicationError(
            _("An approval expires after the day it was given."), extra={"field": "expires_on"}
        )
    approval = EthicsApproval.objects.create(
        study=study,
        committee=_text(
            committee, 200, field="committee", label=_("Ethics committee"), required=True
        ),
        number=_text(number, 60, field="number", label=_("Approval number"), required=True),
        approved_on=approved_on,
        expires_on=expires_on,
    )
    audit_record(actor=actor, action="create", target=approval)
    return approval


def approval_valid_on(study: Study, day: dt.date) -> EthicsApproval | None:
    """The approval that covers ``day``, if any."""
    return (
        EthicsApproval.objects.filter(study=study, approved_on__lte=day, expires_on__gte=day)
        .order_by("-expires_on")
        .first()
    )


@transaction.atomic
def consent_form_add(
    *, actor: Any, study: Study, version: str, approved_on: dt.date, text: str = ""
) -> ConsentForm:
    _allow(actor, may_lead(actor, study))
    version = _text(version, 40, field="version", label=_("Version"), required=True)
    if ConsentForm.objects.filter(study=study, version=version).exists():
        raise ApplicationError(
            _("The study already has a consent form with this version."),
            extra={"field": "version"},
        )
    form = ConsentForm.objects.create(
        study=study,
        version=version,
        approved_on=approved_on,
        text=_text(text, 20000, field="text", label=_("Text")),
    )
    audit_record(actor=actor, action="create", target=form)
    return form


# ---------------------------------------------------------------- sample design


@transaction.atomic
def site_add(*, actor: Any, study: Study, place: Any, name: str = "") -> Site:
    _allow(actor, may_lead(actor, study))
    if Site.objects.filter(study=study, place=place).exists():
        raise ApplicationError(
            _("This place is already a site of the study."), extra={"field": "place"}
        )
    site = Site.objects.create(
        study=study, place=place, name=_text(name or place.name, 120, field="name", label=_("Name"))
    )
    audit_record(actor=actor, action="create", target=site)
    return site


@transaction.atomic
def stratum_add(*, actor: Any, study: Study, name: str, age_min: int, age_max: int) -> Stratum:
    """An age group of the sample (a generation). Age groups do not overlap, so each age
    falls in one group at most."""
    _allow(actor, may_lead(actor, study))
    if not (0 < age_min <= age_max <= 120):
        raise ApplicationError(
            _("Give the youngest and oldest ages, the youngest first."),
            extra={"field": "age_max"},
        )
    overlapping = Stratum.objects.filter(study=study, age_min__lte=age_max, age_max__gte=age_min)
    if overlapping.exists():
        raise ApplicationError(
            _("These ages overlap the group %(name)s.") % {"name": overlapping.first()},
            extra={"field": "age_min"},
        )
    stratum = Stratum.objects.create(
        study=study,
        name=_text(name, 80, field="name", label=_("Name"), required=True),
        age_min=age_min,
        age_max=age_max,
    )
    audit_record(actor=actor, action="create", target=stratum)
    return stratum


@transaction.atomic
def quota_set(
    *, actor: Any, study: Study, site: Site, stratum: Stratum, method: str, target: int
) -> Quota | None:
    """How many participants a site × stratum × method needs; 0 removes the quota (only
    while nobody was recruited for it)."""
    _allow(actor, may_lead(actor, study))
    if site.study_id != study.pk or stratum.study_id != study.pk:
        raise ApplicationError(_("Choose a site and a group of this study."))
    if method not in Method.values:
        raise ApplicationError(_("Unknown method."), extra={"field": "method"})
    if not (0 <= int(target) <= 500):
        raise ApplicationError(
            _("A quota is a number of participants from 0 to 500."), extra={"field": "target"}
        )
    existing = Quota.objects.filter(site=site, stratum=stratum, method=method).first()
    if int(target) == 0:
        if existing is not None:
            if study.recruits.filter(site=site, stratum=stratum, method=method).exists():
                raise ApplicationError(
                    _("People were recruited for this quota: it cannot be removed."),
                    extra={"field": "target"},
                )
            audit_record(actor=actor, action="delete", target=existing)
            existing.delete()
        return None
    quota, created = Quota.objects.update_or_create(
        site=site, stratum=stratum, method=method, defaults={"study": study, "target": target}
    )
    audit_record(
        actor=actor,
        action="create" if created else "update",
        target=quota,
        detail={"target": target},
    )
    return quota


@transaction.atomic
def question_add(
    *, actor: Any, study: Study, text: str, excludes_when: bool, reason: str
) -> ScreeningQuestion:
    """A screening question; the answer ``excludes_when`` excludes (e.g. "Is he an activist
    against gender-based violence?" excludes on yes)."""
    _allow(actor, may_lead(actor, study))
    if study.recruits.exists():
        raise ApplicationError(
            _("People were already screened: the screening questions can no longer change."),
            extra={"field": "text"},
        )
    order = (study.questions.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    try:
        question = ScreeningQuestion.objects.create(
            study=study,
            order=order,
            text=_text(text, 300, field="text", label=_("Question"), required=True),
            excludes_when=bool(excludes_when),
            reason=_text(
                reason, 120, field="reason", label=_("Reason for exclusion"), required=True
            ),
        )
    except IntegrityError as exc:  # two screens added at once
        raise ApplicationError(_("Try again.")) from exc
    audit_record(actor=actor, action="create", target=question)
    return question
