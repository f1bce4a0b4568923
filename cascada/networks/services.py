"""Writes of networks: members (a cohort's completers in one step), plans revised without
losing what was planned before, community actions stored once however often they are
sent (docs/decisions/networks.md)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.audit.services import audit_record
from cascada.core.crypto import decrypt_bytes, encrypt_bytes
from cascada.core.errors import ApplicationError, PermissionDeniedError
from cascada.core.images import photo_clean
from cascada.imports.storage import make_private
from cascada.registry.models import Person
from cascada.trainings.models import Enrolment

from .models import (
    ActionPhoto,
    ActivityKind,
    ActivityPlan,
    Campaign,
    CommunityAction,
    MediaReach,
    Medium,
    MemberRole,
    Membership,
    Network,
    PlannedActivity,
    PlanRevision,
)
from .selectors import may_manage, may_record

# Bounds of what a person types (a typo of 99999999999 must not stay for ever, nor
# overflow a sum): one action's headcount per band, a year's expected reach per activity,
# a campaign's media figures.
MAX_HEADCOUNT = 100_000
MAX_EXPECTED = 1_000_000
MAX_MEDIA = 1_000_000_000
COUNT_FIELDS = ("women", "men", "young_women", "young_men", "children", "not_stated", "materials")


def _label(model: Any, name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name)).capitalize()


def _whole(value: Any, maximum: int) -> int | None:
    """A whole number from 0 to ``maximum`` written in ASCII digits, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= maximum else None
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(maximum)):
        return None
    number = int(text)
    return number if number <= maximum else None


def _require(actor: Any, network: Network) -> None:
    """``actor`` None is the operator (CLI, demo, imports already checked)."""
    if actor is not None and not may_manage(actor, network):
        raise PermissionDeniedError()


@transaction.atomic
def members_from_cohort(
    *, actor: Any, network: Network, cohort: Any, joined_on: dt.date
) -> list[Membership]:
    """Every completer of ``cohort`` joins ``network`` (those already in are left as they
    are). Their training history is the cascade's."""
    _require(actor, network)
    people = Person.objects.filter(
        pk__in=Enrolment.objects.filter(cohort=cohort, completed=True).values("person_id")
    )
    current = set(
        network.memberships.filter(left_on__isnull=True).values_list("person_id", flat=True)
    )
    added = Membership.objects.bulk_create(
        Membership(network=network, person=p, role=MemberRole.MEMBER, joined_on=joined_on)
        for p in people
        if p.pk not in current
    )
    audit_record(actor=actor, action="update", target=network, detail={"count": len(added)})
    return added


@transaction.atomic
def plan_revise(
    *,
    actor: Any,
    network: Network,
    year: int,
    activities: Iterable[Mapping[str, Any]],
    approved_on: dt.date,
    note: str = "",
    objectives: str | None = None,
) -> PlanRevision:
    """A new approved revision of the network's plan for ``year``: the earlier revisions
    stay as they were (what was planned in March stays visible after June's revision).
    Each activity has a ``key`` that stays the same across revisions."""
    _require(actor, network)
    plan, _created = ActivityPlan.objects.get_or_create(network=network, year=year)
    if objectives is not None and objectives != plan.objectives:
        plan.objectives = objectives[:4000]
        plan.save(update_fields=["objectives", "updated_at"])
    number = (plan.revisions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    revision = PlanRevision.objects.create(
        plan=plan,
        number=number,
        approved_on=approved_on,
        note=note,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    rows = []
    for n, a in enumerate(activities, start=1):
        month = _whole(a.get("month"), 12)
        expected = _whole(a.get("expected_reach", 0), MAX_EXPECTED)
        if a.get("kind") not in ActivityKind.values or month is None or month < 1:
            raise ApplicationError(
                _("Row %(n)s: each planned activity needs a kind and a month from the list.")
                % {"n": n}
            )
        if expected is None:
            raise ApplicationError(
                _("Row %(n)s: the expected reach is a whole number from 0 to %(max)s.")
                % {"n": n, "max": MAX_EXPECTED}
            )
        if len(str(a.get("title", ""))) > 200:
            raise ApplicationError(
                _("Row %(n)s: the activity's name is longer than 200 characters.") % {"n": n}
            )
        rows.append(
            PlannedActivity(
                revision=revision,
                key=str(a["key"])[:40],
                kind=a["kind"],
                title=str(a["title"])[:200],
                month=month,
                place=a.get("place"),
                audience=str(a.get("audience", ""))[:120],
                expected_reach=expected,
            )
        )
    PlannedActivity.objects.bulk_create(rows)
    _responsible_set(network, rows, [a.get("responsible") or [] for a in activities])
    audit_record(actor=actor, action="update", target=network, detail={"count": len(rows)})
    return revision


def _responsible_set(
    network: Network, rows: list[PlannedActivity], codes: list[Iterable[str]]
) -> None:
    """Each activity's responsible members, named by their codes among the network's
    current members (a code of anyone else is refused, naming the row)."""
    members = dict(
        network.memberships.filter(left_on__isnull=True).values_list("person__code", "person_id")
    )
    through = PlannedActivity.responsible.through
    links = []
    for n, (row, row_codes) in enumerate(zip(rows, codes, strict=True), start=1):
        for code in {str(c).strip().upper() for c in row_codes if str(c).strip()}:
            if code not in members:
                raise ApplicationError(
                    _("Row %(n)s: %(code)s is not a current member of the network.")
                    % {"n": n, "code": code}
                )
            links.append(through(plannedactivity_id=row.pk, person_id=members[code]))
    through.objects.bulk_create(links)


@transaction.atomic
def action_record(
    *, actor: Any, network: Network, client_key: str = "", **fields: Any
) -> tuple[CommunityAction, bool]:
    """Record what was done. The same ``client_key`` (an offline retry, an ODK submission
    imported again) is one action: the second time nothing is written and the first is
    returned. Returns (action, created)."""
    if actor is not None and not may_record(actor, network):
        raise PermissionDeniedError()
    if client_key:
        found = CommunityAction.objects.filter(network=network, client_key=client_key).first()
        if found is not None:
            return found, False
    if fields.get("kind") not in ActivityKind.values:
        raise ApplicationError(_("Unknown kind of activity."), extra={"field": "kind"})
    for name in COUNT_FIELDS:
        if name in fields and _whole(fields[name], MAX_HEADCOUNT) is None:
            raise ApplicationError(
                _("%(field)s: a whole number from 0 to %(max)s.")
                % {"field": _label(CommunityAction, name), "max": MAX_HEADCOUNT},
                extra={"field": name},
            )
    action = CommunityAction(
        network=network,
        client_key=client_key[:80],
        recorded_by=actor if getattr(actor, "pk", None) else None,
        **fields,
    )
    try:
        action.full_clean(exclude=["network", "run_by", "place", "recorded_by"])
    except ValidationError as error:
        raise ApplicationError("; ".join(error.messages), code="invalid") from error
    action.save()
    audit_record(actor=actor, action="create", target=action)
    return action, True


# ---------------------------------------------------------------- networks and members

NETWORK_FIELDS = (
    "name",
    "kind",
    "place",
    "active",
    "registry_entry",
    "registry_office",
    "registry_date",
    "recognition",
    "recognition_date",
    "recognition_authority",
    "plan_line",
)


@transaction.atomic
def network_save(
    *, actor: Any, organization: Any, network: Network | None = None, **fields: Any
) -> Network:
    """Create a network convened by ``organization`` or change one (staff of the
    organization; a network's coordinator may change its own details)."""
    if network is None:
        if actor is not None and organization.pk not in scope.org_ids(actor, Cap.MANAGE_PROGRAMS):
            raise PermissionDeniedError()
        network = Network(organization=organization)
        action = "create"
    else:
        _require(actor, network)
        action = "update"
    for key, value in fields.items():
        if key not in NETWORK_FIELDS:
            raise ValueError(key)
        setattr(network, key, value)
    try:
        network.full_clean(exclude=["organization", "place", "recognition_document"])
    except ValidationError as error:
        raise ApplicationError("; ".join(error.messages), code="invalid") from error
    network.save()
    audit_record(actor=actor, action=action, target=network)
    return network


@transaction.atomic
def membership_change(
    *, actor: Any, membership: Membership, role: str, left_on: dt.date | None
) -> Membership:
    _require(actor, membership.network)
    if role not in MemberRole.values:
        raise ApplicationError(_("Unknown role."), extra={"field": "role"})
    if left_on is not None and left_on < membership.joined_on:
        raise ApplicationError(
            _("A member cannot leave before joining."), extra={"field": "left_on"}
        )
    membership.role = role
    membership.left_on = left_on
    membership.save(update_fields=["role", "left_on"])
    audit_record(actor=actor, action="update", target=membership.network, detail={"count": 1})
    return membership


# ---------------------------------------------------------------- campaigns


@transaction.atomic
def campaign_save(
    *,
    actor: Any,
    organization: Any,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    description: str = "",
    networks: Iterable[Network] = (),
) -> Campaign:
    if actor is not None and organization.pk not in scope.org_ids(actor, Cap.MANAGE_PROGRAMS):
        raise PermissionDeniedError()
    if ends_on < starts_on:
        raise ApplicationError(
            _("A campaign cannot end before it starts."), extra={"field": "ends_on"}
        )
    campaign = Campaign.objects.create(
        organization=organization,
        name=name[:200],
        starts_on=starts_on,
        ends_on=ends_on,
        description=description,
    )
    campaign.networks.set(list(networks))
    audit_record(actor=actor, action="create", target=campaign)
    return campaign


def may_manage_campaign(actor: Any, campaign: Campaign) -> bool:
    return campaign.organization_id in scope.org_ids(actor, Cap.MANAGE_PROGRAMS) or any(
        may_manage(actor, n) for n in campaign.networks.all()
    )


@transaction.atomic
def media_add(*, actor: Any, campaign: Campaign, **fields: Any) -> MediaReach:
    """Spots aired, posts, the audience an outlet reports: never people reached."""
    if actor is not None and not may_manage_campaign(actor, campaign):
        raise PermissionDeniedError()
    if fields.get("medium") not in Medium.values:
        raise ApplicationError(_("Unknown medium."), extra={"field": "medium"})
    for name in ("spots", "posts", "estimated_audience"):
        if name in fields and _whole(fields[name], MAX_MEDIA) is None:
            raise ApplicationError(
                _("%(field)s: a whole number from 0 to %(max)s.")
                % {"field": _label(MediaReach, name), "max": MAX_MEDIA},
                extra={"field": name},
            )
    media = MediaReach(campaign=campaign, **fields)
    try:
        media.full_clean(exclude=["campaign", "network"])
    except ValidationError as error:
        raise ApplicationError("; ".join(error.messages), code="invalid") from error
    media.save()
    audit_record(actor=actor, action="update", target=campaign)
    return media


# ---------------------------------------------------------------- photos

PHOTO_MAX_BYTES = 8 * 1024 * 1024


@transaction.atomic
def photo_add(*, actor: Any, action: CommunityAction, data: bytes, consent: str) -> ActionPhoto:
    """Keep a photo of an action only with the consent of those shown, stated by whoever
    uploads it (who consented and how: "los 12 asistentes, de palabra, ante la
    facilitadora"). Stored re-encoded, without metadata, encrypted at rest."""
    if actor is not None and not may_record(actor, action.network):
        raise PermissionDeniedError()
    consent = " ".join(consent.split())
    if len(consent) < 5:
        raise ApplicationError(
            _("Say who consented to the photo and how; without consent it is not kept."),
            extra={"field": "consent"},
        )
    if len(data) > PHOTO_MAX_BYTES:
        raise ApplicationError(_("The photo is larger than 8 MB."), extra={"field": "file"})
    clean = photo_clean(data)
    photo = ActionPhoto(
        action=action,
        consent=consent[:300],
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    photo.file.save(f"{uuid.uuid4().hex}.bin", ContentFile(encrypt_bytes(clean)), save=False)
    make_private(photo.file.storage, photo.file.name or "")  # readable by the server only
    photo.save()
    audit_record(actor=actor, action="create", target=photo)
    return photo


def photo_bytes(photo: ActionPhoto) -> bytes:
    with photo.file.open("rb") as stored:
        return decrypt_bytes(stored.read())
