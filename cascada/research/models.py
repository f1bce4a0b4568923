"""Formative research (issue 12; docs/decisions/research.md): a study's protocol and ethics
approval, its sample (sites, strata, quotas, screening, the recruitment log), fieldwork
(interviews and focus groups) and transcripts, a codebook kept in versions, coding by
several coders with inter-coder reliability, findings that shape a curriculum, and the
dissemination plan.

What hurts if it leaks lives encrypted (S13): transcripts, speaker labels, memos, the
identity of research participants (apart from their code, S12), audio files. Who reads it:
the study's members only (``selectors``)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cascada.core.crypto import EncryptedTextField
from cascada.core.models import TimeStamped


class StudyStatus(models.TextChoices):
    PLANNING = "planning", _("Planning")
    FIELDWORK = "fieldwork", _("Fieldwork")
    ANALYSIS = "analysis", _("Analysis")
    CLOSED = "closed", _("Closed")


class Study(TimeStamped):
    """A formative study and its protocol."""

    organization = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        related_name="studies",
        verbose_name=_("organization"),
    )
    title = models.CharField(_("title"), max_length=200)
    # Prefix of the participants' codes (e.g. "MRV" gives MRV-001): letters and digits.
    code = models.CharField(_("short code"), max_length=10)
    aims = models.TextField(_("aims"), blank=True)
    research_objectives = models.TextField(_("research objectives"), blank=True)
    intervention_objectives = models.TextField(_("intervention objectives"), blank=True)
    methods = models.TextField(_("methods"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=StudyStatus.choices, default=StudyStatus.PLANNING
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    curriculum = models.ForeignKey(
        "curricula.Curriculum",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="studies",
        verbose_name=_("curriculum it informs"),
    )

    class Meta:
        ordering = ["-starts_on", "title"]
        verbose_name = _("study")
        verbose_name_plural = _("studies")
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="study_code_unique"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="study_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class MemberRole(models.TextChoices):
    # Runs the study: members, protocol, sample, codebook versions, merging, findings,
    # exports.
    LEAD = "lead", _("Principal investigator")
    # Fieldwork and coding: recruitment (with the identities), interviews, transcripts.
    RESEARCHER = "researcher", _("Researcher")
    # Codes transcripts (reads them), never the recruits' identities.
    CODER = "coder", _("Coder")


class StudyMember(models.Model):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_memberships"
    )
    role = models.CharField(_("role in the study"), max_length=10, choices=MemberRole.choices)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["study", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["study", "user"], name="study_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.study_id}:{self.user_id}:{self.role}"


class EthicsApproval(models.Model):
    """An ethics committee's approval (or renewal): fieldwork only while one is valid."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="approvals")
    committee = models.CharField(_("ethics committee"), max_length=200)
    number = models.CharField(_("approval number"), max_length=60)
    approved_on = models.DateField(_("approved on"))
    expires_on = models.DateField(_("expires on"))

    class Meta:
        ordering = ["study", "-approved_on"]
        verbose_name = _("ethics approval")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gt=F("approved_on")), name="approval_expires_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.committee} {self.number}"


class ConsentForm(models.Model):
    """A version of the study's informed-consent form."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="consent_forms")
    version = models.CharField(_("version"), max_length=40)
    approved_on = models.DateField(_("approved on"))
    text = models.TextField(_("text"), blank=True)

    class Meta:
        ordering = ["study", "-approved_on"]
        verbose_name = _("consent form")
        constraints = [
            models.UniqueConstraint(fields=["study", "version"], name="consent_form_unique")
        ]

    def __str__(self) -> str:
        return self.version


class Site(models.Model):
    """A place where the study samples (a district, a city)."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="sites")
    place = models.ForeignKey("registry.Place", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["study", "name"]
        verbose_name = _("site")
        constraints = [models.UniqueConstraint(fields=["study", "place"], name="site_place_unique")]

    def __str__(self) -> str:
        return self.name


class Stratum(models.Model):
    """A group the sample is split by, by age (e.g. men aged 20 to 29: a generation)."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="strata")
    name = models.CharField(_("name"), max_length=80)
    age_min = models.PositiveSmallIntegerField(_("youngest age"))
    age_max = models.PositiveSmallIntegerField(_("oldest age"))

    class Meta:
        ordering = ["study", "age_min"]
        verbose_name = _("stratum")
        verbose_name_plural = _("strata")
        constraints = [
            models.CheckConstraint(condition=Q(age_max__gte=F("age_min")), name="stratum_ages")
        ]

    def __str__(self) -> str:
        return self.name


class Method(models.TextChoices):
    INTERVIEW = "interview", _("In-depth interview")
    FOCUS_GROUP = "focus_group", _("Focus group")


class Quota(models.Model):
    """How many participants a site × stratum × method cell needs."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="quotas")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="quotas")
    stratum = models.ForeignKey(Stratum, on_delete=models.CASCADE, related_name="quotas")
    method = models.CharField(_("method"), max_length=12, choices=Method.choices)
    target = models.PositiveSmallIntegerField(_("participants needed"))

    class Meta:
        ordering = ["study", "site", "stratum", "method"]
        verbose_name = _("quota")
        constraints = [
            models.UniqueConstraint(fields=["site", "stratum", "method"], name="quota_cell_unique"),
            models.CheckConstraint(condition=Q(target__gte=1), name="quota_target_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.site_id}:{self.stratum_id}:{self.method}"


class ScreeningQuestion(models.Model):
    """An eligibility or exclusion criterion, asked as a yes/no question at screening.
    The answer ``excludes_when`` excludes the person (e.g. "Is he a GBV activist?" excludes
    on yes; "Does he live in the area?" excludes on no)."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("order"))
    text = models.CharField(_("question"), max_length=300)
    excludes_when = models.BooleanField(_("the answer that excludes"))
    reason = models.CharField(_("reason for exclusion"), max_length=120)

    class Meta:
        ordering = ["study", "order"]
        verbose_name = _("screening question")
        constraints = [
            models.UniqueConstraint(fields=["study", "order"], name="screening_order_unique")
        ]

    def __str__(self) -> str:
        return self.text


class RecruitStatus(models.TextChoices):
    # One person's status: the context keeps these apart from the plural column headings.
    ELIGIBLE = "eligible", pgettext_lazy("recruit status", "Eligible")
    EXCLUDED = "excluded", pgettext_lazy("recruit status", "Excluded")
    CONSENTED = "consented", pgettext_lazy("recruit status", "Consented")
    DECLINED = "declined", pgettext_lazy("recruit status", "Declined")
    WITHDRAWN = "withdrawn", pgettext_lazy("recruit status", "Withdrawn")


class Recruit(TimeStamped):
    """A person screened for the study: the recruitment log's row, and once consented a
    research participant known by ``code`` only (S12). Not a registry person: research
    participants need not be program participants, and their identity is read by the
    study's lead and researchers only."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="recruits")
    code = models.CharField(_("code"), max_length=20)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="recruits")
    stratum = models.ForeignKey(
        Stratum, null=True, blank=True, on_delete=models.PROTECT, related_name="recruits"
    )
    method = models.CharField(_("method"), max_length=12, choices=Method.choices)
    age = models.PositiveSmallIntegerField(_("age"))
    screened_on = models.DateField(_("screened on"))
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # {question id (str): answer (bool)}
    answers = models.JSONField(_("screening answers"), default=dict)
    status = models.CharField(_("status"), max_length=10, choices=RecruitStatus.choices)
    # Why excluded by the screening questions, in the criteria's words as they were at
    # screening; an age outside every group is said by ``exclusion_reasons``.
    exclusion = models.CharField(_("why excluded"), max_length=300, blank=True)
    consent_form = models.ForeignKey(
        ConsentForm, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    consented_on = models.DateField(_("consented on"), null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    audio_consent = models.BooleanField(_("agrees to be recorded"), default=False)
    # Identity, apart and encrypted (S12, S13): only to recontact; never in an export.
    name = EncryptedTextField(_("name"), blank=True)
    contact = EncryptedTextField(_("phone or contact"), blank=True)

    class Meta:
        ordering = ["study", "code"]
        verbose_name = _("recruit")
        constraints = [
            models.UniqueConstraint(fields=["study", "code"], name="recruit_code_unique")
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def exclusion_reasons(self) -> str:
        """Why the person was excluded, in the reader's language for the age."""
        reasons = [self.exclusion] if self.exclusion else []
        if self.status == RecruitStatus.EXCLUDED and self.stratum_id is None:
            reasons.append(str(AGE_OUTSIDE))
        return "; ".join(reasons)


AGE_OUTSIDE = _("age outside the study's age groups")


class Language(models.TextChoices):
    SPANISH = "es", _("Spanish")
    QUECHUA = "qu", _("Quechua")
    AYMARA = "ay", _("Aymara")
    OTHER = "other", _("Other")


class Event(TimeStamped):
    """An interview or a focus group."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="events")
    method = models.CharField(_("method"), max_length=12, choices=Method.choices)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="events")
    held_on = models.DateField(_("date"))
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("interviewer or moderator"),
    )
    note_taker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("note-taker"),
    )
    participants = models.ManyToManyField(
        Recruit, related_name="events", verbose_name=_("participants")
    )
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.SPANISH
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["study", "held_on", "pk"]
        verbose_name = _("interview or focus group")

    def __str__(self) -> str:
        return f"{self.method} {self.held_on}"


class Audio(models.Model):
    """An event's optional audio recording (only when every participant agreed to be
    recorded), recognised by its content, encrypted at rest (S13) under a random name, its
    own name encrypted too; served to the study's lead and researchers only, audited."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="audio")
    file = models.FileField(upload_to="research/audio/%Y/%m/")
    original_name = EncryptedTextField(_("file name"))
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"audio {self.pk}"


class TranscriptSource(models.TextChoices):
    TYPED = "typed", _("Typed")
    FILE = "file", _("Imported from a file")
    REFI = "refi", _("Imported from a REFI-QDA project")


class Transcript(TimeStamped):
    """The text of an interview or focus group (or a document imported from another
    qualitative tool, without an event). Encrypted at rest (S13); read by the study's
    members only (S3); never written to an audit row or a log (S11). Positions of turns and
    codings count characters of ``text`` (REFI-QDA's plain-text positions)."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="transcripts")
    event = models.OneToOneField(
        Event, null=True, blank=True, on_delete=models.CASCADE, related_name="transcript"
    )
    name = models.CharField(_("name"), max_length=120)
    text = EncryptedTextField(_("transcript"))
    source = models.CharField(
        _("source"), max_length=6, choices=TranscriptSource.choices, default=TranscriptSource.TYPED
    )
    guid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    deidentified_at = models.DateTimeField(_("de-identified at"), null=True, blank=True)
    # Double-coded set for inter-coder reliability: coders code blind (each sees only
    # their own codings) until the lead merges the codings after discussion.
    double_coded = models.BooleanField(_("double-coded for reliability"), default=False)
    merged_at = models.DateTimeField(_("merged at"), null=True, blank=True)

    class Meta:
        ordering = ["study", "name"]
        verbose_name = _("transcript")

    def __str__(self) -> str:
        return self.name


class SpeakerKind(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    INTERVIEWER = "interviewer", _("Interviewer or moderator")
    OTHER = "other", _("Other or unknown")


class Turn(models.Model):
    """A speaker's turn in a transcript: the unit of inter-coder reliability."""

    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="turns")
    order = models.PositiveIntegerField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    # As written in the transcript ("P3", "Juan"): may be a name, so encrypted.
    label = EncryptedTextField(blank=True)
    speaker = models.CharField(
        max_length=12, choices=SpeakerKind.choices, default=SpeakerKind.OTHER
    )
    participant = models.ForeignKey(
        Recruit, null=True, blank=True, on_delete=models.SET_NULL, related_name="turns"
    )

    class Meta:
        ordering = ["transcript", "order"]
        constraints = [
            models.UniqueConstraint(fields=["transcript", "order"], name="turn_order_unique"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="turn_not_empty"),
        ]

    def __str__(self) -> str:
        return f"turn {self.order}"


class Code(models.Model):
    """A code of the study's codebook; codes nest (``parent``)."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="codes")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    name = models.CharField(_("name"), max_length=120)
    definition = models.TextField(_("definition"), blank=True)
    # The researchers' memo on the code: may quote a transcript, so encrypted.
    memo = EncryptedTextField(_("memo"), blank=True)
    color = models.CharField(_("colour"), max_length=7, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    guid = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        ordering = ["study", "order", "name"]
        verbose_name = _("code")
        constraints = [
            models.UniqueConstraint(fields=["study", "guid"], name="code_guid_unique"),
            models.UniqueConstraint(
                fields=["study", "parent", "name"], name="code_name_unique_in_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CodebookVersion(models.Model):
    """A frozen copy of the codebook (names, definitions, nesting) when the lead saves a
    version, so that coding done under version 1 can be read against its definitions."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="codebook_versions")
    number = models.PositiveSmallIntegerField(_("version"))
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    # [{"guid", "parent", "name", "definition"}, ...]
    codes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["study", "number"]
        constraints = [
            models.UniqueConstraint(fields=["study", "number"], name="codebook_version_unique")
        ]

    def __str__(self) -> str:
        return f"v{self.number}"


class Coding(models.Model):
    """A code applied to a span of a transcript by a coder. In a double-coded transcript
    each coder's codings stay theirs (``final`` False) until the merge writes the agreed
    ones as final; elsewhere a coding is final when made. Analysis reads final codings."""

    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="codings")
    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="codings")
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    memo = EncryptedTextField(_("memo"), blank=True)
    final = models.BooleanField(default=True)
    guid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["transcript", "start", "end", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="coding_not_empty")
        ]
        indexes = [models.Index(fields=["transcript", "final"])]

    def __str__(self) -> str:
        return f"coding {self.pk}"


class Finding(TimeStamped):
    """A finding of the study (a statement backed by excerpts and codes) and the curriculum
    modules and session plans it shaped."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="findings")
    statement = models.TextField(_("finding"))
    codes = models.ManyToManyField(Code, blank=True, related_name="findings")
    excerpts = models.ManyToManyField(Coding, blank=True, related_name="findings")
    modules = models.ManyToManyField(
        "curricula.Module", blank=True, related_name="findings", verbose_name=_("modules")
    )
    session_plans = models.ManyToManyField(
        "curricula.SessionPlan",
        blank=True,
        related_name="findings",
        verbose_name=_("session plans"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["study", "pk"]
        verbose_name = _("finding")


class AudienceLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    REGIONAL = "regional", _("Regional")
    LOCAL = "local", _("Local")


class DisseminationStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("Under way")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class Dissemination(models.Model):
    """A line of the dissemination plan: a product for an audience through a channel."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="dissemination")
    level = models.CharField(_("audience level"), max_length=10, choices=AudienceLevel.choices)
    audience = models.CharField(_("audience"), max_length=200)
    product = models.CharField(_("product"), max_length=200)
    channel = models.CharField(_("channel"), max_length=200)
    planned_on = models.DateField(_("planned for"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=DisseminationStatus.choices,
        default=DisseminationStatus.PLANNED,
    )

    class Meta:
        ordering = ["study", "planned_on", "pk"]
        verbose_name = _("dissemination")

    def __str__(self) -> str:
        return self.product
