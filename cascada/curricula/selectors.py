"""Reads of curricula, scoped to the organizations the user works in (S2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, Prefetch, QuerySet, Sum

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.core.errors import NotFoundError
from cascada.core.privacy import Cell, counts_release, threshold
from cascada.registry.selectors import place_labels

from .models import (
    Accreditation,
    Curriculum,
    CurriculumVersion,
    Module,
    ModuleFeedback,
    SessionPlan,
    Validation,
    Verdict,
)

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


# ---------------------------------------------------------------- validation and accreditation


def sees_validation_counts(user: Any, organization_id: int) -> bool:
    """Exact counts of who took part in a validation: those who manage the organization's
    curricula or see its people; everyone else through the disclosure control (S17).
    ``user`` None is the operator."""
    if user is None:
        return True
    return scope.has(user, Cap.MANAGE_CURRICULA, organization_id) or scope.has(
        user, Cap.VIEW_PEOPLE, organization_id
    )


@dataclass(frozen=True)
class ValidationRow:
    """One place's validation: who took part (counts as they may be shown) and the
    feedback per module, in the modules' order."""

    validation: Validation
    place: str
    women: Cell
    men: Cell
    total: Cell
    feedback: list[ModuleFeedback]


@dataclass(frozen=True)
class ModuleSummary:
    """A module's verdicts across places: how many places said keep, change or drop, and
    every comment with its place and verdict."""

    module: Module
    keep: int
    change: int
    drop: int
    # (place, verdict label, comment)
    comments: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def places(self) -> int:
        return self.keep + self.change + self.drop


@dataclass(frozen=True)
class Validations:
    places: list[ValidationRow]
    modules: list[ModuleSummary]
    exact: bool
    # The threshold under which counts of people are hidden (0 when exact).
    k: int


def validations_of(version: CurriculumVersion, *, user: Any = None) -> Validations:
    """The version's validations, each place with its feedback, and per module of the
    version a summary across places (keep/change/drop counts, comments). The counts of
    women and men who took part go through ``core.privacy.counts_release`` for whoever
    does not see them exactly (``sees_validation_counts``); verdict counts count places,
    not people."""
    validations = list(
        Validation.objects.filter(version=version)
        .select_related("place")
        .prefetch_related(
            Prefetch(
                "feedback",
                queryset=ModuleFeedback.objects.select_related("module").order_by("module__order"),
            )
        )
        .order_by("held_on", "pk")
    )
    labels = place_labels(place_ids=[v.place_id for v in validations])
    exact = sees_validation_counts(user, version.curriculum.organization_id)
    rows = []
    tallies: dict[int, dict[str, int]] = {}
    comments: dict[int, list[tuple[str, str, str]]] = {}
    for v in validations:
        place = labels.get(v.place_id) or v.place.name
        shown = counts_release(
            v.women + v.men, {"sex": {"women": v.women, "men": v.men}}, exact=exact
        )
        feedback = list(v.feedback.all())
        rows.append(
            ValidationRow(
                validation=v,
                place=place,
                women=shown.breakdowns["sex"]["women"],
                men=shown.breakdowns["sex"]["men"],
                total=shown.total,
                feedback=feedback,
            )
        )
        for fb in feedback:
            tally = tallies.setdefault(fb.module_id, dict.fromkeys(Verdict.values, 0))
            tally[fb.verdict] += 1
            if fb.comment:
                comments.setdefault(fb.module_id, []).append(
                    (place, str(fb.get_verdict_display()), fb.comment)
                )
    summaries = [
        ModuleSummary(
            module=m,
            keep=tallies.get(m.pk, {}).get(Verdict.KEEP, 0),
            change=tallies.get(m.pk, {}).get(Verdict.CHANGE, 0),
            drop=tallies.get(m.pk, {}).get(Verdict.DROP, 0),
            comments=comments.get(m.pk, []),
        )
        for m in version.modules.order_by("order")
    ]
    return Validations(places=rows, modules=summaries, exact=exact, k=0 if exact else threshold())


def accreditations_of(version: CurriculumVersion) -> QuerySet[Accreditation]:
    """The version's accreditations, the latest first."""
    return Accreditation.objects.filter(version=version).order_by("-accredited_on", "-pk")
