"""Programs, cohorts, sessions, enrolment, attendance, completion and certificates.

Scale: attendance is the big table (millions of rows). A row is (session, enrolment,
status) with a unique pair and nothing else wide; completion figures are cached on the
enrolment by ``completions_compute`` (trainings.services), the one place the rule is applied.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cascada.core.models import TimeStamped, random_code

from .clock import cohort_status


class Program(TimeStamped):
    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="programs"
    )
    shared_with = models.ManyToManyField(
        "registry.Organization",
        blank=True,
        related_name="shared_programs",
        verbose_name=_("shared with"),
    )
    description = models.TextField(_("description"), blank=True)
    is_court_mandated = models.BooleanField(
        _("court-mandated participants"),
        default=False,
        help_text=_("Groups for men in criminal proceedings: stricter small-number rule."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("program")

    def __str__(self) -> str:
        return self.name


class CohortKind(models.TextChoices):
    WORKSHOP = "workshop", _("One-day workshop")
    TOT = "tot", _("Training-of-trainers workshop")
    COURSE = "course", _("Multi-week course")
    INTENSIVE = "intensive", _("Intensive (several consecutive days)")
    RECURRING = "recurring", _("Recurring group")


class Modality(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    BLENDED = "blended", _("Both")


class CompletionRule(models.TextChoices):
    ATTENDANCE = "attendance", _("Minimum share of sessions attended")
    CORE_MODULES = "core_modules", _("All core modules attended")
    BOTH = "both", _("Both")


class CohortStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    CLOSED = "closed", _("Closed")


class Cohort(TimeStamped):
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=CohortKind.choices)
    modality = models.CharField(
        _("modality"), max_length=10, choices=Modality.choices, default=Modality.IN_PERSON
    )
    curriculum_version = models.ForeignKey(
        "curricula.CurriculumVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cohorts",
        verbose_name=_("curriculum version"),
    )
    place = models.ForeignKey(
        "registry.Place", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("place")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    # Not read: the status follows the dates (``current_status``, trainings/clock.py).
    status = models.CharField(
        _("status"), max_length=10, choices=CohortStatus.choices, default=CohortStatus.PLANNED
    )
    closed_on = models.DateField(
        _("closed on"),
        null=True,
        blank=True,
        help_text=_("Closed by hand before its end date (trainings.services.cohort_close)."),
    )
    completion_rule = models.CharField(
        _("completion rule"),
        max_length=14,
        choices=CompletionRule.choices,
        default=CompletionRule.ATTENDANCE,
    )
    min_attendance_pct = models.PositiveSmallIntegerField(_("minimum attendance (%)"), default=80)
    facilitators = models.ManyToManyField(
        "registry.Person", through="CohortFacilitator", related_name="facilitated_cohorts"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-start_date", "name"]
        indexes = [models.Index(fields=["program", "start_date"], name="cohort_program_idx")]
        verbose_name = _("cohort")

    def __str__(self) -> str:
        return self.name

    @property
    def is_tot(self) -> bool:
        return self.kind == CohortKind.TOT

    @property
    def current_status(self) -> str:
        """planned → running → closed from the dates, or closed by hand (clock.py)."""
        return cohort_status(self)

    def get_current_status_display(self) -> str:
        return str(CohortStatus(self.current_status).label)


class CohortFacilitator(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="facilitations")
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="facilitations"
    )
    is_lead = models.BooleanField(_("lead facilitator"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cohort", "person"], name="cohortfacilitator_unique")
        ]

    def __str__(self) -> str:
        return f"{self.cohort_id}: {self.person_id}"


class Session(models.Model):
    """One meeting. Either names are taken (``Attendance`` rows) or only a ``headcount``:
    never both, so nobody is counted twice."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField(_("number"))
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    module = models.ForeignKey(
        "curricula.Module",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("module"),
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    cancelled = models.BooleanField(_("cancelled"), default=False)
    headcount = models.PositiveIntegerField(
        _("headcount"),
        null=True,
        blank=True,
        help_text=_("For sessions where names are not taken."),
    )
    attendance_taken_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["cohort", "number"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "number"], name="session_unique_number")
        ]
        indexes = [
            models.Index(fields=["date"], name="session_date_idx"),
            # sessions_missing_attendance: past sessions never taken (docs/performance.md)
            models.Index(
                fields=["date"],
                name="session_missing_idx",
                condition=models.Q(
                    attendance_taken_at__isnull=True, cancelled=False, headcount__isnull=True
                ),
            ),
        ]
        verbose_name = _("session")

    def __str__(self) -> str:
        return f"{self.cohort.name} · {self.number}"


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Enrolment(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="enrolments")
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="enrolments"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=EnrolmentStatus.choices,
        default=EnrolmentStatus.ENROLLED,
    )
    enrolled_on = models.DateField(_("enrolled on"))
    # Cached by completions_compute: the single place the completion rule lives.
    sessions_attended = models.PositiveSmallIntegerField(default=0)
    # The rule is met ("on track" while the cohort runs); ``completed`` only once the
    # cohort is over: the one final completion the cascade and certificates count.
    meets_rule = models.BooleanField(_("meets the completion rule"), default=False)
    completed = models.BooleanField(_("completed"), default=False)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    class Meta:
        ordering = ["cohort", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "person"], name="enrolment_unique")
        ]
        indexes = [models.Index(fields=["person", "completed"], name="enrolment_person_idx")]
        verbose_name = _("enrolment")

    def __str__(self) -> str:
        return f"{self.cohort_id}: {self.person_id}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excused")
    MAKEUP = "makeup", _("Make-up")


ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.MAKEUP)


class Attendance(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(_("status"), max_length=8, choices=AttendanceStatus.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "enrolment"], name="attendance_unique")
        ]
        indexes = [models.Index(fields=["enrolment", "status"], name="attendance_enrolment_idx")]
        verbose_name = _("attendance")

    def __str__(self) -> str:
        return f"{self.session_id}: {self.enrolment_id} {self.status}"


def certificate_code() -> str:
    return random_code(10)


class Certificate(models.Model):
    """Issued to a completed enrolment. The public page at /verify/<code>/ confirms it
    without showing who holds it."""

    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.PROTECT, related_name="certificate"
    )
    code = models.CharField(max_length=16, unique=True, default=certificate_code, editable=False)
    issued_on = models.DateField(_("issued on"))
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1, default=0)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("certificate")

    def __str__(self) -> str:
        return self.code
