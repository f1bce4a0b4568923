"""An uploaded spreadsheet from its upload to the user's decision, and the ledger of its
commit (``runner.py``; docs/decisions/import-jobs.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cascada.core.crypto import EncryptedTextField

from .kinds import kind_choices
from .messages import MESSAGES, describe
from .report import MAX_LISTED_ERRORS

__all__ = ["MAX_LISTED_ERRORS", "ImportJob", "ImportStatus"]


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Waiting to be checked")
    VALIDATED = "validated", _("Checked, waiting for confirmation")
    IMPORTING = "importing", _("Importing")
    STOPPED = "stopped", _("Stopped part way")
    CONFIRMED = "confirmed", _("Imported")
    REJECTED = "rejected", _("Rejected")


# Statuses in which the job keeps its file and waits for someone (or is being imported).
OPEN_STATUSES = (
    ImportStatus.UPLOADED,
    ImportStatus.VALIDATED,
    ImportStatus.IMPORTING,
    ImportStatus.STOPPED,
)


class ImportJob(models.Model):
    """The file is kept, encrypted, only until it is imported or rejected (it holds
    personal data), then deleted; undecided files are swept by ``cascada imports_sweep``.
    Errors are stored as codes and shown in the reader's language."""

    # The kinds are registered by the apps (``kinds.py``): a new kind needs no migration.
    kind = models.CharField(_("kind"), max_length=12, choices=kind_choices)
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
    # The sheet of a workbook that was read (chosen by the user, or found by its headers).
    sheet = EncryptedTextField(_("sheet"), blank=True)
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
    # The commit's ledger: written with each batch, in the batch's own transaction, so a
    # killed commit resumes after ``last_row`` and another process reads the progress.
    skip_errors = models.BooleanField(default=False)
    rows_done = models.PositiveIntegerField(default=0)
    last_row = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    # Why the last commit stopped: {"code", "params", "errors": [new row errors]}.
    commit_problem = models.JSONField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
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
    def commit_problem_text(self) -> str:
        if not self.commit_problem:
            return ""
        code = self.commit_problem.get("code", "")
        params = self.commit_problem.get("params")
        own = f"commit_{code}"
        return describe(own if own in MESSAGES else code, params)

    @property
    def commit_error_rows(self) -> list[dict]:
        return [
            {
                "row": e.get("row"),
                "column": e.get("column", ""),
                "message": describe(e["code"], e.get("params")),
            }
            for e in (self.commit_problem or {}).get("errors", [])
        ]

    @property
    def errors_truncated(self) -> bool:
        return self.error_count > len(self.errors)

    @property
    def can_confirm(self) -> bool:
        return self.status == ImportStatus.VALIDATED and not self.file_error and self.valid_rows > 0

    @property
    def can_resume(self) -> bool:
        """A commit stopped part way (cancelled, or new problems found) may go on."""
        return self.status == ImportStatus.STOPPED and bool(self.file)

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, self.rows_done * 100 // self.total_rows)
