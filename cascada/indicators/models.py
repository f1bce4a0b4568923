"""Indicators (issue 14): definitions kept as data, a program's baseline and targets, and
the fill table the dashboards read.

- ``Indicator``: what is measured. Built-in ones (``organization`` empty) are written by
  ``builtins.ensure``; an organization adds its own, computed from one of the sources or
  reported by hand (``ReportedValue``).
- ``Plan`` and ``PeriodTarget``: an indicator's baseline, life-of-program target and
  periodic targets for one program (the life-of-program target is its own figure, never
  the sum of the periods reported so far).
- ``Fact``: the fill table. Raw counts per source, scope (organization, program), month
  and subgroup, for everyone and for people who consented to aggregate reporting (S15);
  never a person. Suppression is applied when shown (``present/``), because what may be
  shown depends on who looks.
- ``FillState``: the ledger of what is filled: one row per source and scope, marked
  ``dirty`` by news of a late import, an edit or a consent withdrawal and refilled in one
  transaction (a crashed fill leaves the previous rows, never half of them).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cascada.core.models import TimeStamped


class Unit(models.TextChoices):
    PEOPLE = "people", _("people")
    CONTACTS = "contacts", _("contacts (not people)")
    COUNT = "count", _("count")
    PERCENT = "percent", _("percentage")
    POINTS = "points", _("points on a scale")
    MONEY = "money", _("money")


class Frequency(models.TextChoices):
    MONTH = "month", _("monthly")
    QUARTER = "quarter", _("quarterly")
    HALF = "half", _("every six months")
    YEAR = "year", _("yearly")


class Direction(models.TextChoices):
    INCREASE = "increase", _("higher is better")
    DECREASE = "decrease", _("lower is better")


class Measure(models.TextChoices):
    """What an indicator reads of its source's facts."""

    VALUE = "value", _("the count (numerator)")
    BASE = "base", _("the base (denominator)")
    RATIO = "ratio", _("numerator as a percentage of the denominator")
    MEAN = "mean", _("numerator divided by the denominator")


class Indicator(TimeStamped):
    organization = models.ForeignKey(
        "registry.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="indicators",
        help_text=_("Empty for the indicators that come with Cascada."),
    )
    code = models.SlugField(_("code"), max_length=40)
    name_es = models.CharField(_("name (Spanish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    definition_es = models.TextField(_("definition (Spanish)"), blank=True)
    definition_en = models.TextField(_("definition (English)"), blank=True)
    area = models.CharField(_("area"), max_length=20)
    # A key of ``sources.SOURCES``, or "reported" for values entered by hand.
    source = models.CharField(_("source"), max_length=30)
    measure = models.CharField(
        _("measure"), max_length=8, choices=Measure.choices, default=Measure.VALUE
    )
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    numerator_es = models.CharField(_("numerator"), max_length=200, blank=True)
    denominator_es = models.CharField(_("denominator"), max_length=200, blank=True)
    frequency = models.CharField(
        _("frequency"), max_length=8, choices=Frequency.choices, default=Frequency.QUARTER
    )
    direction = models.CharField(
        _("direction"), max_length=8, choices=Direction.choices, default=Direction.INCREASE
    )
    cumulative = models.BooleanField(
        _("cumulative"),
        default=True,
        help_text=_("Each period adds to the ones before (people reached so far)."),
    )
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"], name="indicator_unique_code_per_org"
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(organization__isnull=True),
                name="indicator_unique_builtin_code",
            ),
        ]

    def __str__(self) -> str:
        return self.name_es

    @property
    def builtin(self) -> bool:
        return self.organization_id is None

    @property
    def name(self) -> str:
        """In the language of the request (English when asked and given)."""
        from django.utils.translation import get_language

        return (
            self.name_en
            if (get_language() or "").startswith("en") and self.name_en
            else self.name_es
        )

    @property
    def definition(self) -> str:
        from django.utils.translation import get_language

        english = (get_language() or "").startswith("en") and self.definition_en
        return self.definition_en if english else self.definition_es


class Plan(TimeStamped):
    """An indicator's baseline and targets for one program."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="plans")
    program = models.ForeignKey(
        "trainings.Program", on_delete=models.CASCADE, related_name="indicator_plans"
    )
    starts_on = models.DateField(_("program starts on"))
    ends_on = models.DateField(_("program ends on"))
    baseline = models.DecimalField(
        _("baseline"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    baseline_on = models.DateField(_("baseline measured on"), null=True, blank=True)
    lop_target = models.DecimalField(
        _("life-of-program target"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    frequency = models.CharField(
        _("reporting frequency"), max_length=8, choices=Frequency.choices, blank=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["indicator", "program"], name="plan_unique"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="plan_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} / {self.program_id}"


class PeriodTarget(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    period = models.CharField(_("period"), max_length=8)  # "2026", "2026Q3", "2026S1", "202607"
    value = models.DecimalField(_("target"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["period"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "period"], name="periodtarget_unique")
        ]

    def __str__(self) -> str:
        return f"{self.period}: {self.value}"


class ReportedValue(models.Model):
    """A value of an organization's own indicator entered by hand, per program and month."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="reported")
    program = models.ForeignKey("trainings.Program", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("month"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    base = models.DecimalField(
        _("denominator"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("source of the figure"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "program", "month"], name="reportedvalue_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.value}"


class Fact(models.Model):
    """One cell of the fill table. Additive over every column: the people sources count a
    person once, in the month and subgroup of their first event in the scope, so that sums
    over months and subgroups are counts of distinct people (``sources.py``)."""

    source = models.CharField(max_length=30)
    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.CASCADE, related_name="+"
    )
    program = models.ForeignKey(
        "trainings.Program", null=True, on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField()
    sex = models.CharField(max_length=12, blank=True)
    age_band = models.CharField(max_length=8, blank=True)
    department = models.ForeignKey(
        "registry.Place", null=True, on_delete=models.PROTECT, related_name="+"
    )
    province = models.ForeignKey(
        "registry.Place", null=True, on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        "registry.Place", null=True, on_delete=models.PROTECT, related_name="+"
    )
    generation = models.PositiveSmallIntegerField(null=True)
    kind = models.CharField(max_length=20, blank=True)
    value = models.FloatField(default=0)
    value_consenting = models.FloatField(default=0)
    base = models.FloatField(default=0)
    base_consenting = models.FloatField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["source", "program", "month"], name="fact_program_idx"),
            models.Index(fields=["source", "organization", "month"], name="fact_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.month:%Y-%m}"


class FillStatus(models.TextChoices):
    DIRTY = "dirty", _("to be filled")
    FILLING = "filling", _("being filled")
    DONE = "done", _("filled")
    FAILED = "failed", _("failed")


class FillState(models.Model):
    """The ledger: for each source and scope, when it was filled and whether news since
    then asks for a refill. ``scope`` is "p<id>" (a program) or "o<id>" (an organization's
    rows that belong to no program)."""

    source = models.CharField(max_length=30)
    scope = models.CharField(max_length=24)
    status = models.CharField(max_length=8, choices=FillStatus.choices, default=FillStatus.DIRTY)
    marked_at = models.DateTimeField(null=True, blank=True)
    filled_at = models.DateTimeField(null=True, blank=True)
    # The year the age bands were computed in: a new year refills (the cascade's bands).
    filled_year = models.PositiveSmallIntegerField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "scope"], name="fillstate_unique")]
        indexes = [models.Index(fields=["status"], name="fillstate_status_idx")]

    def __str__(self) -> str:
        return f"{self.source} {self.scope}: {self.status}"


from .models_dhis2 import *  # noqa: E402, F403  (DHIS2's rows live in their own module)
