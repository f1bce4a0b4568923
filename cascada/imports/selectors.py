"""Reads of import jobs, scoped to the user (S2). Exports live with their data
(``registry/exports.py``, ``trainings/exports.py``, ``cascade/exports.py``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.core.errors import NotFoundError

from .models import ImportJob


def import_organizations(*, user: Any) -> QuerySet[Any]:
    """Organizations the user may import into (the model is named by the job's foreign
    key: ``imports`` sits below ``registry``)."""
    organization: Any = ImportJob._meta.get_field("organization").related_model
    return organization._default_manager.filter(pk__in=scope.org_ids(user, Cap.IMPORT))


def import_job_list(*, user: Any) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(
        organization_id__in=scope.org_ids(user, Cap.IMPORT)
    ).select_related("organization", "uploaded_by")


def import_job_get(*, user: Any, pk: Any) -> ImportJob:
    try:
        return import_job_list(user=user).get(pk=pk)
    except (ImportJob.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None
