"""Reading jobs, scoped: a user sees the jobs they asked for, and those who run an
organization's work (``Cap.MANAGE_PROGRAMS``: coordinators, administrators) see its jobs.
Nobody sees another organization's jobs."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.core.errors import NotFoundError

from .models import Job


def _visible_q(user: Any) -> Q | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    q = Q(created_by=user)
    orgs = scope.org_ids(user, Cap.MANAGE_PROGRAMS)
    if orgs:
        q |= Q(organization_id__in=orgs)
    return q


def job_list(*, user: Any, kind: str | None = None) -> QuerySet[Job]:
    q = _visible_q(user)
    if q is None:
        return Job.objects.none()
    jobs = Job.objects.filter(q).select_related("created_by")
    if kind:
        jobs = jobs.filter(kind=kind)
    return jobs


def job_get(*, user: Any, pk: Any) -> Job:
    job = job_list(user=user).filter(pk=pk).first()
    if job is None:
        raise NotFoundError()
    return job
