"""Curricula, their versions, modules and session plans.

A version used by a cohort is frozen (``frozen_at``); changing it means a new version
(``curriculum_version_new``), so every cohort keeps the curriculum it was run with.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cascada.core.models import TimeStamped


class Audience(models.TextChoices):
    MEN = "men", _("Men")
    WOMEN = "women", _("Women")
    MIXED = "mixed", _("Mixed")
    YOUTH = "youth", _("Youth")


class Curriculum(TimeStamped):
    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="curricula"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.MEN
    )

    class Meta:
        ordering = ["title"]
        verbose_name = _("curriculum")
        verbose_name_plural = _("curricula")

    def __str__(self) -> str:
        return self.title


class CurriculumVersion(TimeStamped):
    curriculum = models.ForeignKey(Curriculum, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    notes = models.TextField(_("what changed"), blank=True)
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)

    class Meta:
        ordering = ["curriculum", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["curriculum", "number"], name="curriculumversion_unique_number"
            )
        ]
        verbose_name = _("curriculum version")

    def __str__(self) -> str:
        return f"{self.curriculum.title} v{self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


class Module(models.Model):
    version = models.ForeignKey(CurriculumVersion, on_delete=models.CASCADE, related_name="modules")
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=200)
    is_core = models.BooleanField(_("core module"), default=True)

    class Meta:
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="module_unique_order")
        ]
        verbose_name = _("module")

    def __str__(self) -> str:
        return self.title


class SessionPlan(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="session_plans")
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=200)
    objectives = models.TextField(_("objectives"), blank=True)
    techniques = models.TextField(_("participatory techniques"), blank=True)
    materials = models.TextField(_("materials"), blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=120)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices, blank=True)

    class Meta:
        ordering = ["module", "order"]
        constraints = [
            models.UniqueConstraint(fields=["module", "order"], name="sessionplan_unique_order")
        ]
        verbose_name = _("session plan")

    def __str__(self) -> str:
        return self.title


class Verdict(models.TextChoices):
    KEEP = "keep", _("Keep")
    CHANGE = "change", _("Change")
    DROP = "drop", _("Drop")


class Validation(models.Model):
    """A draft curriculum version's concepts and outline validated with community activists
    in one place (e.g. the activists of a women's emergency centre, CEM) before drafting:
    who took part (counts, no names) and their feedback per module."""

    version = models.ForeignKey(
        CurriculumVersion, on_delete=models.CASCADE, related_name="validations"
    )
    place = models.ForeignKey("registry.Place", on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("held on"))
    with_whom = models.CharField(_("with whom"), max_length=200)
    women = models.PositiveSmallIntegerField(_("women taking part"), default=0)
    men = models.PositiveSmallIntegerField(_("men taking part"), default=0)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["version", "held_on", "pk"]
        verbose_name = _("validation")

    def __str__(self) -> str:
        return f"{self.place_id} {self.held_on}"


class ModuleFeedback(models.Model):
    validation = models.ForeignKey(Validation, on_delete=models.CASCADE, related_name="feedback")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="feedback")
    verdict = models.CharField(_("verdict"), max_length=6, choices=Verdict.choices)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["validation", "module__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["validation", "module"], name="feedback_once_per_module"
            )
        ]

    def __str__(self) -> str:
        return self.verdict


class Accreditation(models.Model):
    """A curriculum version accredited by an institution (e.g. a professional college) for
    so many credit hours, by a resolution."""

    version = models.ForeignKey(
        CurriculumVersion, on_delete=models.CASCADE, related_name="accreditations"
    )
    institution = models.CharField(_("institution"), max_length=200)
    credit_hours = models.DecimalField(_("credit hours"), max_digits=6, decimal_places=1)
    resolution = models.CharField(_("resolution"), max_length=120)
    accredited_on = models.DateField(_("accredited on"))
    expires_on = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["version", "-accredited_on"]
        verbose_name = _("accreditation")

    def __str__(self) -> str:
        return f"{self.institution} {self.resolution}"
