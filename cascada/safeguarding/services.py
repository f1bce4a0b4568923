"""Writes of safeguarding (docs/decisions/safeguarding.md). Every write checks who may
(``selectors``), validates, writes in one transaction and records an audit row holding
ids only: never a note, a reason, a kind of violence or who was at risk (S11)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError, PermissionDeniedError
from cascada.core.writes import actor_user, allow, bounded_text
from cascada.registry.models import ConsentPurpose, Organization, Place
from cascada.registry.services import consent_record
from cascada.trainings.clock import country_today

from . import selectors
from .models import (
    STEPS,
    AtRisk,
    CaseAccess,
    ConsentFrom,
    CourtAgreement,
    CourtNotice,
    CourtSharing,
    Disclosure,
    DisclosureStatus,
    FirstAction,
    HarmKind,
    Lead,
    Referral,
    ReferralBasis,
    Service,
    ServiceKind,
    Step,
    Urgency,
)

NOTES_MAX = 4000
REASON_MAX = 1000


def _today(organization: Organization) -> dt.date:
    return country_today(organization.country)


def _choice(value: Any, choices: Any, *, field: str, label: Any) -> str:
    if value not in choices.values:
        raise ApplicationError(
            _("Choose one of the options for %(field)s.") % {"field": label}, extra={"field": field}
        )
    return str(value)


def _day(value: Any, organization: Organization, *, field: str, not_before: Any = None) -> dt.date:
    if not isinstance(value, dt.date):
        raise ApplicationError(_("Enter a date."), extra={"field": field})
    if value > _today(organization):
        raise ApplicationError(_("This date is still to come."), extra={"field": field})
    if not_before is not None and value < not_before:
        raise ApplicationError(
            _("This date is before %(day)s, the step before it.")
            % {"day": not_before.strftime("%d/%m/%Y")},
            extra={"field": field},
        )
    return value


# ------------------------------------------------------------------ the directory


def service_save(
    *,
    actor: Any,
    organization: Organization,
    name: str,
    kind: str,
    phone: str,
    place: Place | None = None,
    phone_other: str = "",
    hours: str = "",
    address: str = "",
    takes: str = "",
    active: bool = True,
    service: Service | None = None,
) -> Service:
    """Add a service to the organization's directory, or change one (``service``)."""
    allow(actor, selectors.may_keep_directory(actor, organization.pk))
    if service is not None and service.organization_id != organization.pk:
        raise PermissionDeniedError()
    name = bounded_text(name, 200, field="name", label=_("Name"), required=True)
    kind = _choice(kind, ServiceKind, field="kind", label=_("kind of service"))
    phone = bounded_text(phone, 40, field="phone", label=_("Phone"), required=True)
    if not any(ch.isdigit() for ch in phone):
        raise ApplicationError(_("A phone number has digits."), extra={"field": "phone"})
    if place is not None and place.country != organization.country:
        raise ApplicationError(
            _("The place is in another country than the organization."), extra={"field": "place"}
        )
    clash = Service.objects.filter(organization=organization, name__iexact=name)
    if service is not None:
        clash = clash.exclude(pk=service.pk)
    if clash.exists():
        raise ApplicationError(
            _("The directory already has a service called %(name)s.") % {"name": name},
            extra={"field": "name"},
        )
    row = service or Service(organization=organization)
    row.name = name
    row.kind = kind
    row.place = place
    row.country = place.country if place is not None else organization.country
    row.phone = phone
    row.phone_other = bounded_text(phone_other, 40, field="phone_other", label=_("Other phone"))
    row.hours = bounded_text(hours, 120, field="hours", label=_("Opening hours"))
    row.address = bounded_text(address, 200, field="address", label=_("Address"))
    row.takes = bounded_text(takes, 300, field="takes", label=_("What it takes"))
    row.active = bool(active)
    with transaction.atomic():
        created = row.pk is None
        row.save()
        audit_record(
            actor=actor,
            action="safeguarding.service_create" if created else "safeguarding.service_update",
            target=row,
        )
    return row


# ------------------------------------------------------------------ leads


def lead_name(*, actor: Any, organization: Organization, user: Any) -> Lead:
    """Name a safeguarding lead: an administrator of the organization (MANAGE_MEMBERS),
    never oneself (S4), a user who holds a role in it."""
    allow(actor, scope.has(actor, Cap.MANAGE_MEMBERS, organization.pk) if actor else True)
    if actor is not None and actor.pk == user.pk:
        raise ApplicationError(
            _("Nobody names themselves safeguarding lead."), extra={"field": "user"}
        )
    if organization.pk not in selectors.scope_orgs(user):
        raise ApplicationError(
            _("A safeguarding lead holds a role in the organization."), extra={"field": "user"}
        )
    with transaction.atomic():
        lead, _created = Lead.objects.get_or_create(
            organization=organization, user=user, defaults={"named_by": actor_user(actor)}
        )
        audit_record(actor=actor, action="safeguarding.lead_name", target=lead,
                     detail={"user": user.pk})  # fmt: skip
    selectors.forget(user)
    return lead


def lead_remove(*, actor: Any, lead: Lead) -> None:
    allow(actor, scope.has(actor, Cap.MANAGE_MEMBERS, lead.organization_id) if actor else True)
    with transaction.atomic():
        audit_record(actor=actor, action="safeguarding.lead_remove", target=lead,
                     detail={"user": lead.user_id})  # fmt: skip
        lead.delete()
    selectors.forget(lead.user)


# ------------------------------------------------------------------ disclosures


def disclosure_record(
    *,
    actor: Any,
    origin: selectors.Origin,
    occurred_on: dt.date,
    at_risk: str,
    kind: str,
    urgency: str,
    first_actions: list[str],
    notes: str = "",
) -> Disclosure:
    """Record a disclosure from an activity the actor works in (``selectors.origin_get``
    found it). No narrative is asked for; the notes are encrypted (S13)."""
    organization = origin.organization
    day = _day(occurred_on, organization, field="occurred_on")
    at_risk = _choice(at_risk, AtRisk, field="at_risk", label=_("who is at risk"))
    kind = _choice(kind, HarmKind, field="kind", label=_("kind"))
    urgency = _choice(urgency, Urgency, field="urgency", label=_("urgency"))
    done = []
    for code in first_actions or []:
        if code not in FirstAction.values:
            raise ApplicationError(
                _("Choose what was done from the options."), extra={"field": "first_actions"}
            )
        if code not in done:
            done.append(code)
    if not done:
        raise ApplicationError(
            _("Say what was done at once (or “Nothing yet”)."), extra={"field": "first_actions"}
        )
    if FirstAction.NOTHING in done and len(done) > 1:
        raise ApplicationError(
            _("“Nothing yet” cannot go with something done."), extra={"field": "first_actions"}
        )
    notes = bounded_text(notes, NOTES_MAX, field="notes", label=_("Notes"))
    with transaction.atomic():
        case = Disclosure.objects.create(
            organization=organization,
            source=origin.source,
            session=origin.session,
            action=origin.action,
            event=origin.event,
            person=origin.person,
            program=origin.program,
            place=origin.place,
            occurred_on=day,
            at_risk=at_risk,
            kind=kind,
            urgency=urgency,
            first_actions=done,
            notes=notes,
            recorded_by=actor_user(actor),
        )
        audit_record(actor=actor, action="safeguarding.record", target=case)
    if actor is not None:
        selectors.forget(actor)
    return case


def referral_make(
    *,
    actor: Any,
    case: Disclosure,
    service: Service,
    made_on: dt.date,
    basis: str,
    consent_from: str = "",
    consent_on: dt.date | None = None,
    consent_text_version: str = "",
    override_reason: str = "",
    notes: str = "",
) -> Referral:
    """Refer a case to a service of the organization's directory (S16): with the consent
    of the person concerned (date, text version, who took it: S15), or, without it, by a
    lead's override with a written reason and an audit row. A child's case needs a
    parent's or guardian's consent or the override."""
    allow(actor, selectors.may_refer(actor, case) if actor else True)
    organization = case.organization
    if service.organization_id != case.organization_id or not service.active:
        raise ApplicationError(
            _("Choose a service of the organization's directory."), extra={"field": "service"}
        )
    if case.status != DisclosureStatus.OPEN:
        raise ApplicationError(_("The case is closed."))
    day = _day(made_on, organization, field="made_on", not_before=case.occurred_on)
    basis = _choice(basis, ReferralBasis, field="basis", label=_("basis"))
    referral = Referral(
        disclosure=case, service=service, basis=basis, made_on=day, made_by=actor_user(actor)
    )
    if basis == ReferralBasis.CONSENT:
        consent_from = _choice(consent_from, ConsentFrom, field="consent_from",
                               label=_("consent given by"))  # fmt: skip
        if case.at_risk == AtRisk.CHILD and consent_from != ConsentFrom.GUARDIAN:
            raise ApplicationError(
                _("A child's referral needs the consent of a parent or guardian, or the "
                  "safeguarding lead's override."),
                extra={"field": "consent_from"},
            )  # fmt: skip
        if not isinstance(consent_on, dt.date):
            raise ApplicationError(
                _("Without the date of the consent, the referral needs the safeguarding "
                  "lead's override."),
                extra={"field": "consent_on"},
            )  # fmt: skip
        referral.consent_on = _day(consent_on, organization, field="consent_on")
        referral.consent_from = consent_from
        referral.consent_text_version = bounded_text(
            consent_text_version, 40, field="consent_text_version",
            label=_("Consent text version"), required=True,
        )  # fmt: skip
        referral.consent_taken_by = actor_user(actor)
    else:
        if actor is not None and not selectors.may_override(actor, case):
            raise ApplicationError(
                _("Only the safeguarding lead may refer without consent."),
                extra={"field": "basis"},
            )
        referral.override_reason = bounded_text(
            override_reason, REASON_MAX, field="override_reason",
            label=_("Reason for the override"), required=True,
        )  # fmt: skip
        if len(referral.override_reason) < 15:
            raise ApplicationError(
                _("Write the reason for referring without consent in a sentence."),
                extra={"field": "override_reason"},
            )
        referral.override_by = actor_user(actor)
    referral.notes = bounded_text(notes, NOTES_MAX, field="notes", label=_("Notes"))
    with transaction.atomic():
        referral.save()
        audit_record(actor=actor, action="safeguarding.refer", target=referral,
                     detail={"case": case.pk, "basis": basis})  # fmt: skip
        if basis == ReferralBasis.OVERRIDE:
            # S16: the override has its own row, so an auditor finds every one of them.
            audit_record(actor=actor, action="safeguarding.override", target=referral,
                         detail={"case": case.pk})  # fmt: skip
        person = case.person
        if (
            basis == ReferralBasis.CONSENT
            and person is not None
            and case.at_risk == AtRisk.PARTICIPANT
        ):
            # The participant's own consent to a referral is also one of their consents
            # (S15, purpose "referral"), seen with the others on their record.
            consent_record(
                actor=actor
                if actor and scope.has(actor, Cap.RECORD_CONSENT, person.organization_id)
                else None,
                person=person,
                purpose=ConsentPurpose.REFERRAL,
                granted=True,
                text_version=referral.consent_text_version,
                date=referral.consent_on,
            )
    return referral


def referral_step(
    *, actor: Any, referral: Referral, step: str, on: dt.date, notes: str = ""
) -> Referral:
    """Record the next step of a referral's follow-up: received, attended, closed, in
    order, on a day not before the step before it."""
    case = referral.disclosure
    allow(actor, selectors.may_refer(actor, case) if actor else True)
    step = _choice(step, Step, field="step", label=_("step"))
    reached = referral.step
    if step == Step.MADE or STEPS.index(step) != STEPS.index(reached) + 1:
        raise ApplicationError(
            _("The next step of this referral is “%(step)s”.")
            % {"step": Step(STEPS[min(STEPS.index(reached) + 1, len(STEPS) - 1)]).label},
            extra={"field": "step"},
        )
    before = getattr(referral, f"{reached}_on")
    day = _day(on, case.organization, field="on", not_before=before)
    setattr(referral, f"{step}_on", day)
    extra = bounded_text(notes, NOTES_MAX, field="notes", label=_("Notes"))
    if extra:
        referral.notes = f"{referral.notes}\n{day:%d/%m/%Y}: {extra}".strip()
    with transaction.atomic():
        referral.save()
        audit_record(actor=actor, action="safeguarding.follow_up", target=referral,
                     detail={"case": case.pk, "step": step})  # fmt: skip
    return referral


def case_close(*, actor: Any, case: Disclosure, on: dt.date, note: str = "") -> Disclosure:
    """Close a case (a lead): referrals still open are left as they are."""
    allow(actor, selectors.may_override(actor, case) if actor else True)
    if case.status == DisclosureStatus.CLOSED:
        raise ApplicationError(_("The case is already closed."))
    case.closed_on = _day(on, case.organization, field="on", not_before=case.occurred_on)
    case.closing_note = bounded_text(note, REASON_MAX, field="note", label=_("Why it is closed"))
    case.status = DisclosureStatus.CLOSED
    with transaction.atomic():
        case.save(update_fields=["closed_on", "closing_note", "status"])
        audit_record(actor=actor, action="safeguarding.close", target=case)
    return case


def case_access_grant(*, actor: Any, case: Disclosure, user: Any, reason: str) -> CaseAccess:
    """Let one more user into one case (a lead), with a written reason and an audit row.
    The user must belong to the organization; a lead already reads every case."""
    allow(actor, selectors.may_override(actor, case) if actor else True)
    reason = bounded_text(reason, REASON_MAX, field="reason", label=_("Reason"), required=True)
    if case.organization_id not in selectors.belongs_org_ids(user):
        raise ApplicationError(
            _("Only someone of the organization can be let into a case."), extra={"field": "user"}
        )
    if CaseAccess.objects.filter(disclosure=case, user=user, revoked_at__isnull=True).exists():
        raise ApplicationError(
            _("This person already has access to the case."), extra={"field": "user"}
        )
    with transaction.atomic():
        access = CaseAccess.objects.create(
            disclosure=case, user=user, reason=reason, granted_by=actor_user(actor)
        )
        audit_record(actor=actor, action="safeguarding.access_grant", target=case,
                     detail={"user": user.pk})  # fmt: skip
    selectors.forget(user)
    return access


def case_access_revoke(*, actor: Any, access: CaseAccess) -> None:
    case = access.disclosure
    allow(actor, selectors.may_override(actor, case) if actor else True)
    if access.revoked_at is not None:
        return
    with transaction.atomic():
        access.revoked_at = timezone.now()
        access.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="safeguarding.access_revoke", target=case,
                     detail={"user": access.user_id})  # fmt: skip


# ------------------------------------------------------------------ the court


def court_agreement_set(
    *,
    actor: Any,
    program: Any,
    court: str,
    signed_on: dt.date,
    sharing: str,
    reference: str = "",
    attendance_shared: bool = True,
) -> CourtAgreement:
    """Record what a court-ordered program agreed with the court: its program managers
    or the owner's safeguarding leads."""
    owner = program.owner
    allow(actor, selectors.may_keep_court_agreement(actor, program) if actor else True)
    if not program.is_court_mandated:
        raise ApplicationError(_("Only a court-mandated program has an agreement with a court."))
    row = CourtAgreement.objects.filter(program=program).first() or CourtAgreement(program=program)
    row.court = bounded_text(court, 200, field="court", label=_("Court or prosecutor's office"),
                             required=True)  # fmt: skip
    row.reference = bounded_text(reference, 80, field="reference", label=_("Reference"))
    row.signed_on = _day(signed_on, owner, field="signed_on")
    row.sharing = _choice(sharing, CourtSharing, field="sharing",
                          label=_("what is shared about disclosures"))  # fmt: skip
    row.attendance_shared = bool(attendance_shared)
    row.recorded_by = actor_user(actor)
    with transaction.atomic():
        created = row.pk is None
        row.save()
        audit_record(actor=actor, action="safeguarding.court_agreement", target=row,
                     detail={"program": program.pk, "created": created})  # fmt: skip
    return row


def court_notice_record(
    *, actor: Any, case: Disclosure, shared_on: dt.date, consent_on: dt.date | None = None
) -> CourtNotice:
    """Record that a case was notified to the court, only as the program's agreement
    allows: never when it shares nothing (or there is none); a risk to a partner or a
    child when it shares risks; with the participant's consent when it asks for it."""
    allow(actor, selectors.may_override(actor, case) if actor else True)
    agreement = (
        CourtAgreement.objects.filter(program_id=case.program_id).first()
        if case.program_id
        else None
    )
    if agreement is None or agreement.sharing == CourtSharing.NOTHING:
        raise ApplicationError(_("The agreement with the court does not share disclosures."))
    if agreement.sharing == CourtSharing.RISK and case.at_risk not in (
        AtRisk.PARTNER,
        AtRisk.CHILD,
    ):
        raise ApplicationError(
            _("The agreement with the court shares only a risk to a partner or a child.")
        )
    if agreement.sharing == CourtSharing.CONSENT:
        if not isinstance(consent_on, dt.date):
            raise ApplicationError(
                _("The agreement with the court shares only what the participant agreed to: "
                  "record the date of the consent."),
                extra={"field": "consent_on"},
            )  # fmt: skip
        consent_on = _day(consent_on, case.organization, field="consent_on")
    day = _day(shared_on, case.organization, field="shared_on", not_before=case.occurred_on)
    with transaction.atomic():
        notice = CourtNotice.objects.create(
            disclosure=case, shared_on=day, consent_on=consent_on, shared_by=actor_user(actor)
        )
        audit_record(actor=actor, action="safeguarding.court_notice", target=case)
    return notice


def user_of_organization(organization_id: int, pk: Any) -> Any:
    """A user who belongs to the organization (for the pickers of leads and access)."""
    user = get_user_model().objects.filter(pk=pk, is_active=True).first()
    if user is None or organization_id not in selectors.belongs_org_ids(user):
        raise ApplicationError(_("Choose one of the options offered."), extra={"field": "user"})
    return user
