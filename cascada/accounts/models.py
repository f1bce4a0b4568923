from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.contrib.auth.password_validation import validate_password
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import Role


class UserManager(DjangoUserManager["User"]):
    """Django's manager, except that ``create_user`` and ``create_superuser`` (used by
    ``cascada createsuperuser``, interactive or ``--noinput``) set the password through
    ``User.set_password``, so the password rules of ``User.save`` apply to them (S7)."""

    def _create_user_object(
        self, username: str, email: str | None, password: str | None, **extra_fields: Any
    ) -> User:
        # Django's private hook behind create_user, create_superuser and their async forms
        # (not in django-stubs); it sets ``user.password`` directly, bypassing set_password.
        user = super()._create_user_object(  # type: ignore[misc]
            username, email, password, **extra_fields
        )
        if password is not None:  # None: an unusable password, nothing to check
            user.set_password(password)
        return user


class User(AbstractUser):
    """A person who signs in. Field staff are also people in the registry (``person``).

    S7: a new password (``set_password``, ``create_user``, ``create_superuser``) is saved
    only if it passes ``AUTH_PASSWORD_VALIDATORS``, whichever path set it: services, the
    ``createsuperuser`` and ``changepassword`` commands, forms, a shell. Re-hashing an
    existing password when the hasher changes (``check_password``) is not a new password
    and is not checked: Django clears ``_password`` before that save."""

    objects: ClassVar[UserManager] = UserManager()

    person = models.OneToOneField(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
        verbose_name=_("person in the registry"),
    )
    language = models.CharField(_("language"), max_length=8, default="es")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def save(self, *args: Any, **kwargs: Any) -> None:
        new_password = getattr(self, "_password", None)  # set by set_password, not saved yet
        if new_password is not None:
            validate_password(new_password, self)
        super().save(*args, **kwargs)


class Membership(models.Model):
    """A role a user holds in an organization."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], name="membership_unique_role"
            )
        ]
        verbose_name = _("membership")

    def __str__(self) -> str:
        return f"{self.user} · {self.organization_id} · {self.role}"


class ApiTokenUse(models.Model):
    """When an API token was last used. A token ends after the idle time of a web session
    (S8); the rule is ``cascada.accounts.tokens``."""

    token = models.OneToOneField(
        "authtoken.Token", primary_key=True, on_delete=models.CASCADE, related_name="use"
    )
    last_used = models.DateTimeField(_("last used"))

    class Meta:
        verbose_name = _("API token use")

    def __str__(self) -> str:
        return f"{self.last_used:%Y-%m-%d %H:%M}"  # never the key: it is the credential
