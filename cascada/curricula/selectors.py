"""Reads of curricula, scoped to the organizations the user works in (S2)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, Prefetch, QuerySet, Sum

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.core.errors import NotFoundError

from .models import Curriculum, CurriculumVersion, Module, SessionPlan

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class VersionTotals(TypedDict):
    """What ``curriculum_versions`` annotates on each version."""

    n_modules: int
    minutes: int | None


READ_CAPS = (Cap.VIEW_AGGREGATES, Cap.MANAGE_CURRICULA, Cap.MANAGE_PROGRAMS)


def _org_ids(user: Any) -> set[int]:
    ids: set[int] = set()
    for cap in READ_CAPS:
        ids |= scope.org_ids(user, cap)
    return ids


def curriculum_list(*, user: Any) -> QuerySet[Curriculum]:
    orgs = _org_ids(user)
    if not orgs:
        return Curriculum.objects.none()
    return (
        Curriculum.objects.filter(organization_id__in=orgs)
        .select_related("organization")
        .annotate(n_versions=Count("versions"))
    )


def curriculum_get(*, user: Any, pk: Any) -> Curriculum:
    try:
        return curriculum_list(user=user).get(pk=pk)
    except (Curriculum.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None


def curriculum_versions(
    *, curriculum: Curriculum
) -> QuerySet[WithAnnotations[CurriculumVersion, VersionTotals]]:
    return curriculum.versions.annotate(
        n_modules=Count("modules", distinct=True),
        minutes=Sum("modules__session_plans__duration_minutes"),
    ).order_by("-number")


def version_get(*, user: Any, pk: Any) -> CurriculumVersion:
    """A version with its modules and session plans, in order."""
    try:
        return (
            CurriculumVersion.objects.filter(curriculum_id__in=curriculum_list(user=user))
            .select_related("curriculum__organization")
            .prefetch_related(
                Prefetch(
                    "modules",
                    queryset=Module.objects.order_by("order").prefetch_related(
                        Prefetch("session_plans", queryset=SessionPlan.objects.order_by("order"))
                    ),
                )
            )
            .get(pk=pk)
        )
    except (CurriculumVersion.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None


def module_get(*, user: Any, pk: Any) -> Module:
    try:
        return Module.objects.select_related("version__curriculum").get(
            pk=pk, version__curriculum_id__in=curriculum_list(user=user)
        )
    except (Module.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None


def session_plan_get(*, user: Any, pk: Any) -> SessionPlan:
    try:
        return SessionPlan.objects.select_related("module__version__curriculum").get(
            pk=pk, module__version__curriculum_id__in=curriculum_list(user=user)
        )
    except (SessionPlan.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None
