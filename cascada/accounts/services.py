"""Writes about users and their roles. Every role change is audited (S10) and guarded (S4)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError, PermissionDeniedError

from . import scope
from .models import Membership, User
from .roles import CAPABILITIES, Cap, Role


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    language: str = "es",
    person: Any = None,
) -> User:
    """Create a user. ``actor`` None means the system (demo, first administrator).
    The password must pass the rules (S7): ``User.save`` refuses it otherwise."""
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError(_("That username is taken."), code="duplicate")
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        language=language,
        person=person,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    audit_record(actor=actor, action="create", target=user)
    return user


@transaction.atomic
def membership_grant(*, actor: User | None, user: User, organization: Any, role: str) -> Membership:
    """Give ``user`` a role in ``organization``.

    S4: the actor must manage members in that organization, may not change their own roles,
    and may only grant roles whose capabilities they hold themselves there.
    """
    if role not in Role.values:
        raise ApplicationError(_("Unknown role."), code="invalid")
    if actor is not None:
        if actor.pk == user.pk:
            raise PermissionDeniedError(_("You cannot change your own roles."))
        scope.require(actor, Cap.MANAGE_MEMBERS, organization.pk)
        held = set().union(
            *(CAPABILITIES[r] for r in scope._roles(actor).get(organization.pk, set()))
        )
        if not CAPABILITIES[role] <= held:
            raise PermissionDeniedError(
                _("You cannot grant a role with more rights than your own.")
            )
    membership, created = Membership.objects.get_or_create(
        user=user, organization=organization, role=role, defaults={"granted_by": actor}
    )
    if created:
        audit_record(
            actor=actor,
            action="role_grant",
            target=user,
            detail={"organization": organization.pk, "role": role},
        )
    scope.forget(user)
    return membership


@transaction.atomic
def membership_revoke(*, actor: User | None, membership: Membership) -> None:
    if actor is not None:
        if actor.pk == membership.user_id:
            raise PermissionDeniedError(_("You cannot change your own roles."))
        scope.require(actor, Cap.MANAGE_MEMBERS, membership.organization_id)
    audit_record(
        actor=actor,
        action="role_revoke",
        target=membership.user,
        detail={"organization": membership.organization_id, "role": membership.role},
    )
    membership.delete()
    scope.forget(membership.user)


def totp_device_create(
    *, user: User, confirmed: bool = False, key: str | None = None
) -> TOTPDevice:
    """A TOTP device for ``user``; unconfirmed until the first code is checked."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    kwargs: dict[str, Any] = {"user": user, "name": "default", "confirmed": confirmed}
    if key:
        kwargs["key"] = key
    return TOTPDevice.objects.create(**kwargs)


def totp_device_confirm(*, user: User, device: TOTPDevice, token: str) -> bool:
    if not device.verify_token(token):
        audit_record(actor=user, action="two_factor_failed", target=user)
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(actor=user, action="two_factor_enrolled", target=user)
    return True
