"""A piece of work that runs outside the web request: one row per job (ADR 0007).

The row is the job's truth for everyone who asks: its status, its progress (``done`` of
``total``), its message and result. The task queue (``django_tasks``) only carries the
job's id to a worker; a job is safe to deliver twice (``services.job_run``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Finished")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


FINISHED = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})


class Job(models.Model):
    """``params`` and ``result`` hold ids, counts and codes, never personal data (S11):
    the data a job works on stays in its own app's rows (an import's file, its errors)."""

    kind = models.CharField(_("kind"), max_length=40)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # A string reference: jobs sits below registry in the layer order.
    organization = models.ForeignKey(
        "registry.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Jobs of one lane and organization run one at a time, oldest first (kinds.JobKind.lane).
    lane = models.CharField(max_length=40, blank=True)
    params = models.JSONField(default=dict, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    # In the language of the user who asked (the job runs in it).
    message = models.TextField(blank=True)
    result = models.JSONField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)
    # Each claim by a worker adds one; progress written by an older attempt is refused.
    attempts = models.PositiveSmallIntegerField(default=0)
    task_result_id = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["status", "heartbeat"], name="job_status_beat_idx"),
            models.Index(fields=["organization", "lane", "status"], name="job_lane_idx"),
            models.Index(fields=["created_by", "-created"], name="job_user_idx"),
        ]
        verbose_name = _("background job")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent(self) -> int:
        """Whole percent done, 100 once finished; 0 while the total is unknown."""
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.total:
            return 0
        return min(100, self.done * 100 // self.total)
