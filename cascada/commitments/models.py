"""Commitments to Action (issue 11; docs/decisions/commitments.md): an initiative's
institutions each commit to an action plan, kept version by version, receive a seed grant
paid in tranches, are accompanied by a mentor, and report milestones, spending, lessons and
testimonies. Money is ``Decimal`` to the cent, in the grant's one currency."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cascada.core.crypto import EncryptedTextField
from cascada.core.models import TimeStamped


class Theme(models.TextChoices):
    SCHOOLS = "schools", _("Schools")
    WORKPLACE = "workplace", _("Workplace equality")
    MUNICIPAL = "municipal", _("Municipal awareness")
    JUSTICE = "justice", _("Justice services")
    YOUTH = "youth", _("Youth")
    OTHER = "other", _("Other")


class Currency(models.TextChoices):
    BOB = "BOB", _("Bolivianos (Bs)")
    PEN = "PEN", _("Soles (S/)")
    USD = "USD", _("US dollars (US$)")


class Initiative(TimeStamped):
    """A training initiative (Bolivia's National Training Initiative on Masculinities): its
    funder, period, participating institutions and trainings (cohorts)."""

    funder = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        related_name="funded_initiatives",
        verbose_name=_("funder"),
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    organizations = models.ManyToManyField(
        "registry.Organization",
        blank=True,
        related_name="initiatives",
        verbose_name=_("participating institutions"),
    )
    trainings = models.ManyToManyField(
        "trainings.Cohort", blank=True, related_name="initiatives", verbose_name=_("trainings")
    )

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("initiative")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="initiative_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.name


class CommitmentStatus(models.TextChoices):
    ACTIVE = "active", _("Under way")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Commitment(TimeStamped):
    """One institution's Commitment to Action in an initiative. What it commits to lives in
    its versions; the live state (milestones, money, mentoring) hangs from here."""

    initiative = models.ForeignKey(Initiative, on_delete=models.PROTECT, related_name="commitments")
    institution = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        related_name="commitments",
        verbose_name=_("institution"),
    )
    # The institution's representative: a person of the registry; the user linked to that
    # person reports for the institution.
    focal_point = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitments_as_focal_point",
        verbose_name=_("focal point"),
    )
    # A mentor signs in (mentors may belong to no organization of the initiative).
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mentored_commitments",
        verbose_name=_("mentor"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CommitmentStatus.choices, default="active"
    )

    class Meta:
        ordering = ["initiative", "pk"]
        verbose_name = _("commitment to action")
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "institution"], name="commitment_one_per_institution"
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution} ({self.initiative})"


class CommitmentVersion(models.Model):
    """What the institution committed to, as agreed on ``created_on``. Never changed once
    written (``services.commitment_revise`` adds the next one): what was committed at the
    first training stays visible after every revision."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    created_on = models.DateField(_("agreed on"))
    presented_at = models.ForeignKey(
        "trainings.Cohort",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("presented at the training"),
    )
    note = models.TextField(_("what changed"), blank=True)
    aim = models.TextField(_("aim"))
    themes = models.JSONField(_("themes"), default=list)  # values of ``Theme``
    target_populations = models.TextField(_("target populations"), blank=True)
    places = models.ManyToManyField(
        "registry.Place", blank=True, related_name="+", verbose_name=_("places")
    )
    activities = models.TextField(_("activities"), blank=True)
    people_responsible = models.TextField(_("people responsible"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["commitment", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "number"], name="commitmentversion_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.commitment_id} v{self.number}"

    @property
    def theme_labels(self) -> list[str]:
        return [str(Theme(t).label) for t in self.themes if t in Theme.values]


class BudgetLine(models.Model):
    version = models.ForeignKey(
        CommitmentVersion, on_delete=models.CASCADE, related_name="budget_lines"
    )
    label = models.CharField(_("budget line"), max_length=120)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["version", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "label"], name="budgetline_unique_label")
        ]

    def __str__(self) -> str:
        return self.label


class Indicator(models.Model):
    version = models.ForeignKey(
        CommitmentVersion, on_delete=models.CASCADE, related_name="indicators"
    )
    name = models.CharField(_("indicator"), max_length=200)
    unit = models.CharField(_("unit"), max_length=60, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["version", "pk"]

    def __str__(self) -> str:
        return self.name


class PlannedMilestone(models.Model):
    """A milestone as one version planned it (title and due date), by key."""

    version = models.ForeignKey(
        CommitmentVersion, on_delete=models.CASCADE, related_name="milestones"
    )
    key = models.CharField(max_length=40)
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due on"))

    class Meta:
        ordering = ["version", "due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="plannedmilestone_unique_key")
        ]

    def __str__(self) -> str:
        return self.title


class MilestoneStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    ON_TRACK = "on_track", _("On track")
    DELAYED = "delayed", _("Delayed")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


CLOSED = (MilestoneStatus.DONE, MilestoneStatus.DROPPED)


class Milestone(models.Model):
    """A milestone's live state, one per key of the commitment: title and due date from
    the latest version that plans it, status as reported. A key the latest version no
    longer plans is dropped (unless it was done)."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="milestones")
    key = models.CharField(max_length=40)
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=12, choices=MilestoneStatus.choices, default="not_started"
    )
    status_on = models.DateField(_("status as of"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["commitment", "due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["commitment", "key"], name="milestone_unique_key"),
            models.CheckConstraint(
                condition=Q(status="done", done_on__isnull=False)
                | (~Q(status="done") & Q(done_on__isnull=True)),
                name="milestone_done_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def days_late(self, today: dt.date) -> int:
        """Days past the due date: of an open milestone as of ``today``, of a done one on
        the day it was done; 0 when on time or dropped."""
        if self.status == MilestoneStatus.DROPPED:
            return 0
        end = self.done_on if self.status == MilestoneStatus.DONE and self.done_on else today
        return max(0, (end - self.due_on).days)


class EvidenceKind(models.TextChoices):
    PDF = "pdf", "PDF"
    PHOTO = "jpg", _("Photo")
    DOCX = "docx", _("Word document")
    XLSX = "xlsx", _("Excel workbook")
    ODT = "odt", _("OpenDocument text")
    ODS = "ods", _("OpenDocument spreadsheet")


class MilestoneEvidence(models.Model):
    """A file that shows a milestone was reached (a report, an attendance sheet, a photo),
    attached by whoever reports it. Checked by its content, not its name; photos are
    re-encoded without their metadata; every file is encrypted at rest under a random name
    (S13), its own name encrypted too, and served only to those who open the commitment,
    each download audited (S10)."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="commitments/evidence/%Y/%m/")
    original_name = EncryptedTextField(_("file name"))
    kind = models.CharField(_("kind of file"), max_length=4, choices=EvidenceKind.choices)
    size = models.PositiveIntegerField(_("size in bytes"))
    description = models.CharField(_("what it shows"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["milestone", "pk"]
        verbose_name = _("evidence")

    def __str__(self) -> str:
        return f"evidence {self.pk}"


class Grant(TimeStamped):
    """A seed grant in one currency, paid in tranches."""

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="grants")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    awarded_on = models.DateField(_("awarded on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["commitment", "awarded_on", "pk"]
        verbose_name = _("seed grant")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="grant_positive")]

    def __str__(self) -> str:
        return f"{self.currency} {self.amount}"


class Tranche(models.Model):
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="tranches")
    number = models.PositiveSmallIntegerField(_("tranche"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    condition = models.TextField(_("condition"), blank=True)
    # Releasable only once this milestone is done (the mid-term report accepted).
    condition_milestone = models.ForeignKey(
        Milestone,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tranches",
        verbose_name=_("milestone that must be done"),
    )
    released_on = models.DateField(_("released on"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["grant", "number"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "number"], name="tranche_unique_number"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="tranche_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.grant_id} #{self.number}"


class Disbursement(models.Model):
    """Money actually paid to the institution against a released tranche."""

    tranche = models.ForeignKey(Tranche, on_delete=models.PROTECT, related_name="disbursements")
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    reference = models.CharField(_("reference"), max_length=120, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["tranche", "date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="disbursement_positive")
        ]

    def __str__(self) -> str:
        return f"{self.tranche_id}: {self.amount}"


class ExchangeRate(models.Model):
    """The rate the grant manager recorded for spending in another currency:
    ``rate`` units of the grant's currency for one unit of ``currency``, from
    ``valid_from``. Nothing is converted without one."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="rates")
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    rate = models.DecimalField(_("rate"), max_digits=18, decimal_places=6)
    valid_from = models.DateField(_("valid from"))
    source = models.CharField(_("source of the rate"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["grant", "currency", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["grant", "currency", "valid_from"], name="exchangerate_one_per_day"
            ),
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchangerate_positive"),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate}"


class Spending(models.Model):
    """Spending reported against a budget line, in the grant's currency (``amount``). Paid
    in another currency: ``original_amount`` and ``original_currency`` as paid, converted
    at the recorded ``rate``."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="spending")
    budget_line = models.CharField(_("budget line"), max_length=120)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    date = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    original_amount = models.DecimalField(
        _("amount paid"), null=True, blank=True, max_digits=14, decimal_places=2
    )
    original_currency = models.CharField(
        _("currency paid"), max_length=3, choices=Currency.choices, blank=True
    )
    rate = models.ForeignKey(
        ExchangeRate, null=True, blank=True, on_delete=models.PROTECT, related_name="spending"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["grant", "date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="spending_positive"),
            models.CheckConstraint(
                condition=Q(original_currency="", rate__isnull=True, original_amount__isnull=True)
                | (~Q(original_currency="") & Q(rate__isnull=False, original_amount__isnull=False)),
                name="spending_converted_with_a_rate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.budget_line}: {self.amount}"


class SessionMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    CALL = "call", _("Phone call")
    VIDEO = "video", _("Video call")
    MESSAGE = "message", _("Messages")


class MentoringSession(models.Model):
    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="mentoring_sessions"
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    held_on = models.DateField(_("date"))
    mode = models.CharField(_("mode"), max_length=10, choices=SessionMode.choices)
    topics = models.TextField(_("topics"))
    next_steps = models.TextField(_("agreed next steps"), blank=True)
    follow_up = models.TextField(_("follow-up of the last steps agreed"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["commitment", "-held_on", "-pk"]
        verbose_name = _("mentoring session")

    def __str__(self) -> str:
        return f"{self.commitment_id} {self.held_on}"


class MilestoneAssessment(models.Model):
    """The mentor's view of a milestone's progress (the reported status stays the
    institution's)."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="assessments")
    session = models.ForeignKey(
        MentoringSession,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="assessments",
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assessed_on = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=12, choices=MilestoneStatus.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["milestone", "-assessed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.milestone_id}: {self.status}"


class Outcome(models.Model):
    """What a commitment achieved, and whom it reached. The reach of an activity recorded in
    Cascada comes from its record, so that it counts once: a training (cohort: the distinct
    people enrolled and completed) or a community action (its headcount: contacts, never
    people; a cohort deleted as a mistake leaves the outcome without its link).
    ``people_reached`` is the institution's own figure for an activity Cascada
    does not hold, shown apart as declared."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="outcomes")
    description = models.TextField(_("what was achieved"))
    recorded_on = models.DateField(_("date"))
    cohort = models.ForeignKey(
        "trainings.Cohort",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitment_outcomes",
        verbose_name=_("training recorded in Cascada"),
    )
    community_action = models.ForeignKey(
        "networks.CommunityAction",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitment_outcomes",
        verbose_name=_("community action recorded in Cascada"),
    )
    people_reached = models.PositiveIntegerField(
        _("people reached (declared by the institution)"), null=True, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["commitment", "recorded_on", "pk"]
        verbose_name = _("outcome")
        constraints = [
            # One source of reach: a cohort, an action or a declared figure, never two.
            models.CheckConstraint(
                condition=Q(cohort__isnull=True, community_action__isnull=True)
                | Q(
                    cohort__isnull=False, community_action__isnull=True, people_reached__isnull=True
                )
                | Q(
                    cohort__isnull=True, community_action__isnull=False, people_reached__isnull=True
                ),
                name="outcome_one_source_of_reach",
            ),
            models.CheckConstraint(
                condition=Q(people_reached__isnull=True) | Q(people_reached__lte=10_000_000),
                name="outcome_reach_bounded",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:60]


class LessonLearned(models.Model):
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="lessons")
    text = models.TextField(_("lesson learned"))
    recorded_on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["commitment", "recorded_on", "pk"]
        verbose_name = _("lesson learned")

    def __str__(self) -> str:
        return self.text[:60]


class Testimony(models.Model):
    """A quote, attributed to its author's institution. Published (booklet, exports, API)
    only with consent and its date, through ``selectors.testimonies_publishable``."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="testimonies")
    quote = models.TextField(_("quote"))
    author_institution = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author's institution"),
    )
    # Who said it, kept for the consent's sake; never printed (outputs name the institution).
    author = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_role = models.CharField(_("author's role"), max_length=120, blank=True)
    consent_to_publish = models.BooleanField(_("consent to publish"), default=False)
    consent_on = models.DateField(_("consent given on"), null=True, blank=True)
    recorded_on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["commitment", "recorded_on", "pk"]
        verbose_name = _("testimony")
        verbose_name_plural = _("testimonies")
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_to_publish=False) | Q(consent_on__isnull=False),
                name="testimony_consent_has_date",
            )
        ]

    def __str__(self) -> str:
        return self.quote[:60]
