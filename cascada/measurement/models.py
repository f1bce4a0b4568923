"""Attitude measurement: instruments (the GEM Scale, the DHS items, an organization's own),
their versions, and survey rounds of a cohort with the respondents' answers.

An instrument version holds everything a score depends on: items (Spanish and English
text, and whether each text is the published wording, a translation, or not verified),
response options and their scores, reverse-coded items, subscales, the rule for missing
answers and the rule for categories. A version is frozen once a round uses it and
answers exist; a change means a new version, so every score says which version made it
(docs/decisions/measurement.md).

Answers are keyed by the person (their pseudonymous record), never by name (S12); an
anonymous round links baseline to endline by a self-generated code, stored only as a
keyed hash.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cascada.core.crypto import EncryptedTextField
from cascada.core.models import TimeStamped


class Instrument(TimeStamped):
    """A questionnaire that yields a score. ``organization`` None: shipped with Cascada
    (the GEM Scale, the DHS items), read-only to everybody and usable by every program."""

    organization = models.ForeignKey(
        "registry.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="instruments",
        verbose_name=_("organization"),
    )
    code = models.SlugField(_("code"), max_length=40)
    name_es = models.CharField(_("name (Spanish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    source = models.TextField(_("source"), blank=True, help_text="Citation of the instrument.")

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(organization__isnull=True),
                name="instrument_shipped_code_unique",
            ),
            models.UniqueConstraint(
                fields=["organization", "code"], name="instrument_org_code_unique"
            ),
        ]
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")

    def __str__(self) -> str:
        return self.name_es

    @property
    def is_shipped(self) -> bool:
        return self.organization_id is None


class Scoring(models.TextChoices):
    # Total of the item scores (reverse-coded items reversed), by subscale too.
    SUM = "sum", _("Sum of item scores")
    # 1 when any scored item got its highest score (e.g. "yes" to any DHS item), else 0.
    ANY = "any", _("Any item at its highest score")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class InstrumentVersion(TimeStamped):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    scoring = models.CharField(
        _("scoring"), max_length=8, choices=Scoring.choices, default=Scoring.SUM
    )
    # What a higher total means, said on every output ("more equitable").
    higher_means_es = models.CharField(_("a higher score means (Spanish)"), max_length=120)
    higher_means_en = models.CharField(_("a higher score means (English)"), max_length=120)
    # Missing answers: a total is computed when at most this many scored items are
    # unanswered, from the mean of the answered items times the number of items
    # ("prorated"); with more missing, the respondent has no total.
    max_missing = models.PositiveSmallIntegerField(_("unanswered items allowed"), default=0)
    # The category rule (``scoring.CategoryRule``): {"kind": "equal_thirds"},
    # {"kind": "cutoffs", "upper": [39, 55]} or {"kind": "baseline_tertiles"}, with
    # "labels" (code, Spanish, English) for each category.
    category_rule = models.JSONField(_("category rule"), default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Set when the first answer is recorded: from then on nothing that changes a score
    # may change (a new version instead).
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)

    class Meta:
        ordering = ["instrument", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "number"], name="instrumentversion_unique_number"
            )
        ]
        verbose_name = _("instrument version")

    def __str__(self) -> str:
        return f"{self.instrument.name_es} v{self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


class Subscale(models.Model):
    version = models.ForeignKey(
        InstrumentVersion, on_delete=models.CASCADE, related_name="subscales"
    )
    code = models.SlugField(_("code"), max_length=40)
    name_es = models.CharField(_("name (Spanish)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="subscale_unique_code")
        ]

    def __str__(self) -> str:
        return self.name_es


class ResponseOption(models.Model):
    """One answer of a response scale (``scale``): its value in the form (``code``, the
    XLSForm choice name), its labels and its score (None: not scored, e.g. "don't
    know", counted as missing)."""

    version = models.ForeignKey(InstrumentVersion, on_delete=models.CASCADE, related_name="options")
    scale = models.SlugField(_("response scale"), max_length=40)
    code = models.SlugField(_("value"), max_length=40)
    label_es = models.CharField(_("label (Spanish)"), max_length=120)
    label_en = models.CharField(_("label (English)"), max_length=120, blank=True)
    score = models.SmallIntegerField(_("score"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "scale", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "scale", "code"], name="responseoption_unique_code"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scale}:{self.code}"


class Wording(models.TextChoices):
    PUBLISHED = "published", _("Published wording")
    TRANSLATION = "translation", _("Translation, not the published wording")
    UNVERIFIED = "unverified", _("Not verified")
    OWN = "own", _("The organization's own wording")


class Item(models.Model):
    version = models.ForeignKey(InstrumentVersion, on_delete=models.CASCADE, related_name="items")
    # Stable across versions and sources (sources number the GEM items differently).
    code = models.SlugField(_("code"), max_length=40)
    position = models.PositiveSmallIntegerField(_("position"))
    text_es = models.TextField(_("text (Spanish)"))
    text_en = models.TextField(_("text (English)"), blank=True)
    wording_es = models.CharField(
        _("Spanish wording"), max_length=12, choices=Wording.choices, default=Wording.OWN
    )
    wording_en = models.CharField(
        _("English wording"), max_length=12, choices=Wording.choices, default=Wording.OWN
    )
    scale = models.SlugField(_("response scale"), max_length=40)
    # Reverse-coded: the item's score is (lowest + highest option score) - the option's.
    reverse = models.BooleanField(_("reverse-coded"), default=False)
    scored = models.BooleanField(_("counts in the score"), default=True)
    subscale = models.ForeignKey(
        Subscale, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    # An unverified or translated wording confirmed (or replaced) by a coordinator of the
    # organization before its first round (``services.item_confirm``).
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="item_unique_code")]
        verbose_name = _("item")

    def __str__(self) -> str:
        return self.code


class RoundKind(models.TextChoices):
    BASELINE = "baseline", _("Baseline")
    ENDLINE = "endline", _("Endline")
    FOLLOW_UP = "follow_up", _("Follow-up")


class Round(TimeStamped):
    """One administration of an instrument version to a cohort: its baseline, its
    endline, or a follow-up (e.g. six months after)."""

    cohort = models.ForeignKey(
        "trainings.Cohort", on_delete=models.PROTECT, related_name="survey_rounds"
    )
    version = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="rounds")
    kind = models.CharField(_("kind"), max_length=10, choices=RoundKind.choices)
    label = models.CharField(_("label"), max_length=80, blank=True)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    # Anonymous: no person record; baseline and endline are linked by a self-generated
    # code (letters of the mother's name, day of birth, ...), kept only as a keyed hash.
    anonymous = models.BooleanField(_("anonymous"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["cohort", "opens_on", "pk"]
        verbose_name = _("survey round")
        verbose_name_plural = _("survey rounds")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.cohort}"


class Source(models.TextChoices):
    WEB = "web", _("Entered in Cascada")
    PAPER = "paper", _("Transcribed from paper")
    KOBO = "kobo", _("KoboToolbox")
    ODK = "odk", _("ODK Central")


class Response(TimeStamped):
    """A respondent's answers in a round, and the score they give (a fill: computed by
    ``services`` from ``answers`` with the round's instrument version)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="responses")
    person = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="survey_responses",
    )
    self_code_hash = models.CharField(max_length=64, blank=True, db_index=True)
    source = models.CharField(_("source"), max_length=6, choices=Source.choices)
    # The submission's identity in the field tool, stable across edits (KoboToolbox
    # meta/rootUuid, ODK Central KEY): the same submission imported twice is stored once,
    # an edited one replaces its earlier version.
    source_key = models.CharField(max_length=120, blank=True)
    instance_id = models.CharField(max_length=120, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # {item code: option code}; an item left out is unanswered.
    answers = models.JSONField(_("answers"), default=dict)
    # The score (None when too many items are unanswered), per subscale, its category.
    total = models.FloatField(_("total"), null=True, blank=True)
    subscales = models.JSONField(_("subscale scores"), default=dict, blank=True)
    category = models.CharField(_("category"), max_length=20, blank=True)
    answered = models.PositiveSmallIntegerField(_("items answered"), default=0)
    # S15: consent to collect sensitive data, asked with the questionnaire.
    consent = models.BooleanField(_("consented"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["round", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "person"],
                condition=Q(person__isnull=False),
                name="response_one_per_person",
            ),
            models.UniqueConstraint(
                fields=["round", "self_code_hash"],
                condition=~Q(self_code_hash=""),
                name="response_one_per_self_code",
            ),
            models.UniqueConstraint(
                fields=["round", "source", "source_key"],
                condition=~Q(source_key=""),
                name="response_one_per_submission",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False) | ~Q(self_code_hash=""),
                name="response_has_respondent",
            ),
        ]
        verbose_name = _("response")

    def __str__(self) -> str:
        return f"{self.round_id}:{self.person_id or self.self_code_hash[:8]}"

    def answer(self, item_code: str) -> Any:
        return self.answers.get(item_code)


class UploadStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Being checked")
    CHECKED = "checked", _("Checked")
    IMPORTING = "importing", _("Being imported")
    IMPORTED = "imported", _("Imported")
    REJECTED = "rejected", _("Rejected")


class SubmissionUpload(models.Model):
    """An export of a round's submissions from KoboToolbox or ODK Central, uploaded to be
    imported by a background job (``importers.py``). The file is kept encrypted only until
    the import is done or rejected (S13); the report stays."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="uploads")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    original_name = models.CharField(max_length=120, blank=True)
    file = models.FileField(upload_to="measurement/%Y/%m/", blank=True)
    status = models.CharField(
        max_length=10, choices=UploadStatus.choices, default=UploadStatus.UPLOADED
    )
    source = models.CharField(max_length=6, blank=True)
    rows = models.PositiveIntegerField(default=0)
    usable = models.PositiveIntegerField(default=0)
    declined = models.PositiveIntegerField(default=0)  # respondents who did not consent
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    # Row problems (at most ``importers.MAX_LISTED``): {"row", "column", "code", "params"}.
    problems = models.JSONField(default=list, blank=True)
    problem_count = models.PositiveIntegerField(default=0)
    file_problem = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("submissions upload")

    def __str__(self) -> str:
        return f"{self.round_id}: {self.original_name}"


class ServerKind(models.TextChoices):
    KOBO = "kobo", _("KoboToolbox")
    ODK = "odk", _("ODK Central")


class FieldServer(models.Model):
    """Where a round's submissions can be pulled from (``field_servers.py``): a
    KoboToolbox project's synchronous CSV export, or an ODK Central form's
    ``submissions.csv.zip``. The token is encrypted (S13) and never shown again."""

    round = models.OneToOneField(Round, on_delete=models.CASCADE, related_name="field_server")
    kind = models.CharField(_("server"), max_length=6, choices=ServerKind.choices)
    base_url = models.URLField(_("server address"), max_length=200)
    # Kobo: the asset (form) uid and the export setting uid; ODK: project id and form id.
    project = models.CharField(_("project or form asset"), max_length=120)
    form = models.CharField(_("form or export setting"), max_length=120)
    token = EncryptedTextField(_("access token"))
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.kind}:{self.base_url}"
