"""Promoter networks and what they do in their communities (issue 10;
docs/decisions/networks.md): networks with their formal registration and members, annual
activity plans kept revision by revision, and community actions with their reach counted
by headcount (never as distinct people)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cascada.core.crypto import EncryptedTextField
from cascada.core.models import TimeStamped
from cascada.imports.messages import describe
from cascada.imports.models import ImportStatus


class NetworkKind(models.TextChoices):
    MUNICIPAL = "municipal", _("Municipal promoter network")
    MINISTRY = "ministry", _("Ministry collective")
    REFLECTION = "reflection", _("Reflection collective")
    OTHER = "other", _("Other")


class Network(TimeStamped):
    organization = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        related_name="networks",
        verbose_name=_("convened by"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=NetworkKind.choices)
    place = models.ForeignKey(
        "registry.Place", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("place")
    )
    active = models.BooleanField(_("active"), default=True)
    # Formal registration (Peru's Public Registry) and recognition (a mayoral resolution).
    registry_entry = models.CharField(
        _("Public Registry entry (partida)"), max_length=40, blank=True
    )
    registry_office = models.CharField(_("registry office"), max_length=120, blank=True)
    registry_date = models.DateField(_("registered on"), null=True, blank=True)
    recognition = models.CharField(
        _("recognition"), max_length=160, blank=True, help_text="Resolución de Alcaldía N.º …"
    )
    recognition_date = models.DateField(_("recognised on"), null=True, blank=True)
    recognition_authority = models.CharField(_("issued by"), max_length=160, blank=True)
    # The resolution itself (a PDF or a scan), served only through a page that checks scope.
    recognition_document = models.FileField(
        _("resolution document"), upload_to="networks/documents/%Y/", blank=True
    )
    plan_line = models.CharField(_("line of the work plan it feeds"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("network")

    def __str__(self) -> str:
        return self.name


class MemberRole(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    SECRETARY = "secretary", _("Secretary")
    MEMBER = "member", _("Member")


class Membership(models.Model):
    """A person in a network from ``joined_on`` until ``left_on`` (empty: still in)."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, related_name="network_memberships"
    )
    role = models.CharField(_("role"), max_length=12, choices=MemberRole.choices, default="member")
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        ordering = ["network", "joined_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "person"],
                condition=Q(left_on__isnull=True),
                name="membership_one_current",
            )
        ]

    def __str__(self) -> str:
        return f"{self.network_id}:{self.person_id}"


class ActivityKind(models.TextChoices):
    WORKSHOP = "workshop", _("Workshop or class")
    TALK = "talk", _("Talk")
    FAIR = "fair", _("Fair")
    CAMPAIGN = "campaign", _("Campaign")
    COMMEMORATION = "commemoration", _("Commemorative event")
    MEDIA = "media", _("Media piece")
    HOME_VISIT = "home_visit", _("Home visit")
    OTHER = "other", _("Other")


class ActivityPlan(TimeStamped):
    """A network's plan for a year; its activities live in revisions, each kept."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="plans")
    year = models.PositiveSmallIntegerField(_("year"))
    objectives = models.TextField(_("objectives"), blank=True)

    class Meta:
        ordering = ["network", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["network", "year"], name="activityplan_one_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.network} {self.year}"


class PlanRevision(models.Model):
    """One version of a plan's activities: the first approval, then each revision (the
    plan of March stays visible after June's). Planned-against-done reads the latest
    approved revision."""

    plan = models.ForeignKey(ActivityPlan, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveSmallIntegerField(_("revision"))
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    note = models.TextField(_("what changed"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="planrevision_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.plan} r{self.number}"


class PlannedActivity(models.Model):
    revision = models.ForeignKey(PlanRevision, on_delete=models.CASCADE, related_name="activities")
    # The same activity across revisions keeps its key (what a revision moved or dropped).
    key = models.CharField(max_length=40)
    kind = models.CharField(_("kind"), max_length=14, choices=ActivityKind.choices)
    title = models.CharField(_("activity"), max_length=200)
    month = models.PositiveSmallIntegerField(_("month"))
    place = models.ForeignKey(
        "registry.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    audience = models.CharField(_("audience"), max_length=120, blank=True)
    expected_reach = models.PositiveIntegerField(_("expected reach"), default=0)
    responsible = models.ManyToManyField(
        "registry.Person", blank=True, related_name="+", verbose_name=_("responsible members")
    )

    class Meta:
        ordering = ["revision", "month", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "key"], name="plannedactivity_unique_key")
        ]

    def __str__(self) -> str:
        return self.title


class Campaign(TimeStamped):
    """Actions grouped across places and networks over a period (the 16 days of activism
    from 25 November, "Solo para Hombres"). Its media reach (spots, audiences, posts) is
    kept apart from the people its actions reached."""

    organization = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("run by"),
    )
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    description = models.TextField(_("description"), blank=True)
    networks = models.ManyToManyField(
        Network, blank=True, related_name="campaigns", verbose_name=_("networks taking part")
    )

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("campaign")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Medium(models.TextChoices):
    RADIO = "radio", _("Radio")
    TV = "tv", _("Television")
    SOCIAL = "social", _("Social media")
    PRESS = "press", _("Press")
    PRINT = "print", _("Posters and leaflets")
    OTHER = "other", _("Other")


class MediaReach(models.Model):
    """What a campaign put out in the media: spots aired, the estimated audience the outlet
    reports, posts. An audience is never people reached."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="media")
    network = models.ForeignKey(
        Network, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    date = models.DateField(_("date"))
    medium = models.CharField(_("medium"), max_length=8, choices=Medium.choices)
    outlet = models.CharField(_("outlet"), max_length=160, blank=True)
    spots = models.PositiveIntegerField(_("spots aired"), default=0)
    posts = models.PositiveIntegerField(_("posts"), default=0)
    estimated_audience = models.PositiveIntegerField(_("estimated audience"), default=0)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        ordering = ["campaign", "date", "pk"]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.medium}"


class CommunityAction(TimeStamped):
    """What was done, with its reach counted by headcount (contacts, never distinct
    people), by sex and age band."""

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="actions")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=14, choices=ActivityKind.choices)
    title = models.CharField(_("what was done"), max_length=200)
    place = models.ForeignKey(
        "registry.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The planned activity it fulfils, by key (kept across revisions); empty: unplanned.
    planned_key = models.CharField(max_length=40, blank=True)
    campaign = models.ForeignKey(
        Campaign,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
        verbose_name=_("campaign"),
    )
    run_by = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="community_actions",
    )
    audience = models.CharField(_("audience"), max_length=120, blank=True)
    women = models.PositiveIntegerField(_("women (adults)"), default=0)
    men = models.PositiveIntegerField(_("men (adults)"), default=0)
    young_women = models.PositiveIntegerField(_("young women"), default=0)
    young_men = models.PositiveIntegerField(_("young men"), default=0)
    children = models.PositiveIntegerField(_("children"), default=0)
    not_stated = models.PositiveIntegerField(_("sex or age not noted"), default=0)
    materials = models.PositiveIntegerField(_("materials handed out"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    # Sent from a phone (offline retries) or an ODK submission: the same key twice is one
    # action.
    client_key = models.CharField(max_length=80, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "client_key"],
                condition=~Q(client_key=""),
                name="communityaction_one_per_client_key",
            )
        ]
        verbose_name = _("community action")

    def __str__(self) -> str:
        return self.title

    @property
    def reach(self) -> int:
        return (
            self.women + self.men + self.young_women + self.young_men + self.children
            + self.not_stated
        )  # fmt: skip


class ActionPhoto(models.Model):
    """A photo of an action, kept only with the consent of those shown (stated by who
    uploads it). The file is re-encoded without its metadata (no GPS position), encrypted
    at rest under a random name and served only through a page that checks scope."""

    action = models.ForeignKey(CommunityAction, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="networks/photos/%Y/%m/")
    consent = models.CharField(_("consent of those shown"), max_length=300)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["action", "pk"]

    def __str__(self) -> str:
        return f"photo {self.pk}"


class ActionUpload(models.Model):
    """An export of a network's action form from ODK Central or KoboToolbox, uploaded to
    be checked and imported by background jobs (``importers.py``). The file is kept
    encrypted only until the import is done or rejected (S13); the report stays.
    ``status``: uploaded (being checked) → validated → importing → confirmed, or
    rejected."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="action_uploads")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The user's file name may name a person: encrypted (S13).
    original_name = EncryptedTextField(_("file name"), blank=True)
    file = models.FileField(upload_to="networks/uploads/%Y/%m/", blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    source = models.CharField(max_length=6, blank=True)  # "kobo" or "odk"
    rows = models.PositiveIntegerField(default=0)
    usable = models.PositiveIntegerField(default=0)  # submissions without problems
    created = models.PositiveIntegerField(default=0)  # new actions (checked: to be created)
    unchanged = models.PositiveIntegerField(default=0)  # submissions already stored
    # Row problems (at most ``importers.MAX_LISTED``): {"row", "column", "code", "params"}.
    problems = models.JSONField(default=list, blank=True)
    problem_count = models.PositiveIntegerField(default=0)
    file_problem = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("file of actions from the field")

    def __str__(self) -> str:
        return f"{self.network_id}: {self.pk}"

    @property
    def file_problem_text(self) -> str:
        """Why the file cannot be read, in the reader's language."""
        if not self.file_problem:
            return ""
        return describe(self.file_problem.get("code", ""), self.file_problem.get("params"))

    @property
    def problem_rows(self) -> list[dict]:
        """The listed row problems, each with its text in the reader's language."""
        return [{**p, "text": describe(p.get("code", ""), p.get("params"))} for p in self.problems]
