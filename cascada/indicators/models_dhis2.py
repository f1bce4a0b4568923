"""DHIS2 exchange's rows (issue 14; docs/decisions/dhis2.md). Kept by the organization's
administrators, coordinators and M&E officers (``Cap.MANAGE_INDICATORS``).

- ``Dhis2Server``: where an organization sends its figures: the server's address, a user
  and its password (encrypted at rest, S13; never shown back, logged or audited), the
  identifier schemes the mapping is written in, the data set and attribute option combo.
- ``Dhis2Mapping``: an indicator's count (numerator or denominator) → a DHIS2 data
  element, and each of its subgroups (sex, age band...) → a category option combo, or,
  for ADX, category codes and option codes.
- ``Dhis2OrgUnit``: a place (Peru's ubigeo, Bolivia's municipality code: strings, leading
  zeros kept) → a DHIS2 organisation unit, by default its ``code``.
- ``Dhis2Push``: each push (dry run or not): periods, status, DHIS2's import counts and
  conflicts, what was left out and why. Codes and counts only, never a person.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cascada.core.crypto import EncryptedTextField
from cascada.core.models import TimeStamped

__all__ = [
    "Dhis2IdScheme",
    "Dhis2Format",
    "Dhis2Server",
    "Dhis2Mapping",
    "Dhis2OrgUnit",
    "Dhis2PushStatus",
    "Dhis2Push",
]


class Dhis2IdScheme(models.TextChoices):
    """How data elements, category option combos and the data set are named."""

    UID = "uid", _("DHIS2 identifier (UID)")
    CODE = "code", _("Code")


class Dhis2Format(models.TextChoices):
    JSON = "json", _("dataValueSets (JSON)")
    ADX = "adx", _("ADX (XML)")


class Dhis2Server(TimeStamped):
    organization = models.OneToOneField(
        "registry.Organization", on_delete=models.CASCADE, related_name="dhis2_server"
    )
    base_url = models.CharField(_("server address"), max_length=200)
    username = models.CharField(_("DHIS2 user"), max_length=100)
    password = EncryptedTextField(_("password"))
    id_scheme = models.CharField(
        _("data elements and category option combos named by"),
        max_length=8,
        choices=Dhis2IdScheme.choices,
        default=Dhis2IdScheme.UID,
    )
    # "code" (ubigeo in the org unit's code, the default), "uid", or "attribute:<UID>".
    org_unit_id_scheme = models.CharField(
        _("organisation units named by"), max_length=22, default="code"
    )
    data_set = models.CharField(_("data set"), max_length=50, blank=True)
    attribute_option_combo = models.CharField(
        _("attribute option combo"), max_length=50, blank=True
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("DHIS2 server")

    def __str__(self) -> str:
        return self.base_url


class Dhis2Mapping(TimeStamped):
    """``dimensions`` lists the fill table's columns the data element is broken down by
    (at most two: "sex", "age_band", "generation", "kind", "audience"); the key of a
    subgroup is its values joined by "|" ("male|18-29"), "" for the total.
    ``category_option_combos``: key → category option combo. ``adx_categories``:
    dimension → category code (an XML name); ``adx_options``: dimension → value → option
    code."""

    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.CASCADE, related_name="dhis2_mappings"
    )
    indicator = models.ForeignKey(
        "indicators.Indicator", on_delete=models.CASCADE, related_name="dhis2_mappings"
    )
    measure = models.CharField(_("count sent"), max_length=8, default="value")
    data_element = models.CharField(_("data element"), max_length=50)
    dimensions = models.JSONField(default=list, blank=True)
    category_option_combos = models.JSONField(default=dict, blank=True)
    adx_categories = models.JSONField(default=dict, blank=True)
    adx_options = models.JSONField(default=dict, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["indicator__position", "indicator__code", "measure"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "indicator", "measure"], name="dhis2mapping_unique"
            ),
            # Two counts into one data element would overwrite each other in DHIS2.
            models.UniqueConstraint(
                fields=["organization", "data_element"], name="dhis2mapping_unique_element"
            ),
        ]
        verbose_name = _("DHIS2 mapping")

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.measure} → {self.data_element}"


class Dhis2OrgUnit(TimeStamped):
    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.CASCADE, related_name="dhis2_org_units"
    )
    place = models.ForeignKey("registry.Place", on_delete=models.CASCADE, related_name="+")
    # The org unit as the server's ``org_unit_id_scheme`` names it: a code (the ubigeo,
    # "050101", a string so that its leading zero stays), a UID or an attribute's value.
    org_unit = models.CharField(_("organisation unit"), max_length=230)

    class Meta:
        ordering = ["place__code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "place"], name="dhis2orgunit_unique")
        ]
        verbose_name = _("DHIS2 organisation unit")

    def __str__(self) -> str:
        return f"{self.place_id} → {self.org_unit}"


class Dhis2PushStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Sending")
    SUCCESS = "SUCCESS", _("Accepted")
    WARNING = "WARNING", _("Accepted with conflicts")
    ERROR = "ERROR", _("Refused by DHIS2")
    FAILED = "failed", _("Not sent")


class Dhis2Push(models.Model):
    """One push. ``conflicts``: DHIS2's, as [{"object", "value", "errorCode"}];
    ``skipped``: what Cascada left out, as [{"reason", "detail", "count"}]."""

    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.CASCADE, related_name="+"
    )
    job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    dry_run = models.BooleanField(_("dry run"), default=True)
    format = models.CharField(
        _("format"), max_length=4, choices=Dhis2Format.choices, default=Dhis2Format.JSON
    )
    periods = models.JSONField(default=list)
    status = models.CharField(
        _("status"), max_length=8, choices=Dhis2PushStatus.choices, default=Dhis2PushStatus.QUEUED
    )
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    values_sent = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    ignored = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    conflicts = models.JSONField(default=list, blank=True)
    skipped = models.JSONField(default=list, blank=True)
    description = models.CharField(max_length=300, blank=True)
    message = models.TextField(blank=True)  # Cascada's own, in the asker's language
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["organization", "-created"], name="dhis2push_org_idx")]
        verbose_name = _("DHIS2 push")

    def __str__(self) -> str:
        return f"push #{self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status not in (Dhis2PushStatus.QUEUED, Dhis2PushStatus.RUNNING)

    @property
    def accepted(self) -> bool:
        return self.status in (Dhis2PushStatus.SUCCESS, Dhis2PushStatus.WARNING)
