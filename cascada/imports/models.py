"""An uploaded spreadsheet between its dry run and the user's decision."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cascada.core.crypto import EncryptedTextField

from .messages import describe

MAX_LISTED_ERRORS = 1000


class ImportKind(models.TextChoices):
    PEOPLE = "people", _("People")
    ENROLMENTS = "enrolments", _("Enrolments")
    ATTENDANCE = "attendance", _("Attendance")


class ImportStatus(models.TextChoices):
    VALIDATED = "validated", _("Checked, waiting for confirmation")
    CONFIRMED = "confirmed", _("Imported")
    REJECTED = "rejected", _("Rejected")


class ImportJob(models.Model):
    """The file is kept, encrypted, only until it is imported or rejected (it holds
    personal data), then deleted; undecided files are swept by ``cascada imports_sweep``.
    Errors are stored as codes and shown in the reader's language."""

    kind = models.CharField(_("kind"), max_length=12, choices=ImportKind.choices)
    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.CASCADE, related_name="import_jobs"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Encrypted bytes under a random name (``imports.storage``), until the decision.
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    # The user's file name may name a person ("lista Juan Pérez.xlsx"): encrypted (S13).
    original_name = EncryptedTextField(_("file name"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.VALIDATED
    )
    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # at most MAX_LISTED_ERRORS
    file_error = models.JSONField(null=True, blank=True)  # {"code": ..., "params": {...}}
    ignored_columns = models.JSONField(default=list, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="importjob_org_idx")]
        verbose_name = _("import")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def file_error_text(self) -> str:
        if not self.file_error:
            return ""
        return describe(self.file_error.get("code", ""), self.file_error.get("params"))

    @property
    def error_rows(self) -> list[dict]:
        return [
            {
                "row": e.get("row"),
                "column": e.get("column", ""),
                "message": describe(e["code"], e.get("params")),
            }
            for e in self.errors
        ]

    @property
    def errors_truncated(self) -> bool:
        return self.error_count > len(self.errors)

    @property
    def can_confirm(self) -> bool:
        return self.status == ImportStatus.VALIDATED and not self.file_error and self.valid_rows > 0
