"""Writes to curricula. A frozen version refuses changes; a new version copies it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError

from .models import Curriculum, CurriculumVersion, Module, SessionPlan


def _require(actor: Any, org_id: int) -> None:
    if actor is not None:
        scope.require(actor, Cap.MANAGE_CURRICULA, org_id)


def _editable(version: CurriculumVersion) -> None:
    if version.is_frozen:
        raise ApplicationError(
            _("Version %(n)s is in use by a cohort and cannot change; create a new version.")
            % {"n": version.number},
            code="frozen",
        )


@transaction.atomic
def curriculum_create(
    *, actor: Any, organization: Any, title: str, description: str = "", audience: str = "men"
) -> Curriculum:
    _require(actor, organization.pk)
    curriculum = Curriculum(
        organization=organization, title=title.strip(), description=description, audience=audience
    )
    curriculum.full_clean()
    curriculum.save()
    CurriculumVersion.objects.create(curriculum=curriculum, number=1)
    audit_record(actor=actor, action="create", target=curriculum)
    return curriculum


@transaction.atomic
def module_add(
    *, actor: Any, version: CurriculumVersion, title: str, is_core: bool = True
) -> Module:
    _require(actor, version.curriculum.organization_id)
    _editable(version)
    order = (version.modules.aggregate(m=Max("order"))["m"] or 0) + 1
    module = Module(version=version, order=order, title=title.strip(), is_core=is_core)
    module.full_clean()
    module.save()
    audit_record(actor=actor, action="update", target=version, detail={"fields": ["modules"]})
    return module


@transaction.atomic
def session_plan_add(
    *,
    actor: Any,
    module: Module,
    title: str,
    objectives: str = "",
    techniques: str = "",
    materials: str = "",
    duration_minutes: int = 120,
    audience: str = "",
) -> SessionPlan:
    _require(actor, module.version.curriculum.organization_id)
    _editable(module.version)
    order = (module.session_plans.aggregate(m=Max("order"))["m"] or 0) + 1
    plan = SessionPlan(
        module=module,
        order=order,
        title=title.strip(),
        objectives=objectives,
        techniques=techniques,
        materials=materials,
        duration_minutes=duration_minutes,
        audience=audience,
    )
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def session_plan_update(*, actor: Any, plan: SessionPlan, **changes: Any) -> SessionPlan:
    _require(actor, plan.module.version.curriculum.organization_id)
    _editable(plan.module.version)
    allowed = {"title", "objectives", "techniques", "materials", "duration_minutes", "audience"}
    for field, value in changes.items():
        if field not in allowed:
            raise ApplicationError(_("Unknown field: %(f)s") % {"f": field})
        setattr(plan, field, value.strip() if field == "title" else value)
    plan.full_clean()
    plan.save()
    audit_record(actor=actor, action="update", target=plan, detail={"fields": sorted(changes)})
    return plan


@transaction.atomic
def session_plan_delete(*, actor: Any, plan: SessionPlan) -> None:
    """Remove a session plan from a version not yet used by a cohort (``_editable``)."""
    version = plan.module.version
    _require(actor, version.curriculum.organization_id)
    _editable(version)
    audit_record(actor=actor, action="delete", target=plan, detail={"into": plan.module_id})
    plan.delete()


@transaction.atomic
def module_update(*, actor: Any, module: Module, **changes: Any) -> Module:
    """Rename a module or change whether it is core, while its version is editable."""
    _require(actor, module.version.curriculum.organization_id)
    _editable(module.version)
    allowed = {"title", "is_core"}
    for field, value in changes.items():
        if field not in allowed:
            raise ApplicationError(_("Unknown field: %(f)s") % {"f": field})
        setattr(module, field, value.strip() if field == "title" else value)
    module.full_clean()
    module.save()
    audit_record(actor=actor, action="update", target=module, detail={"fields": sorted(changes)})
    return module


@transaction.atomic
def module_delete(*, actor: Any, module: Module) -> None:
    """Remove a module and its session plans from a version not yet used by a cohort.
    A frozen version never changes: cohorts and certificates refer to it."""
    version = module.version
    _require(actor, version.curriculum.organization_id)
    _editable(version)
    audit_record(
        actor=actor,
        action="delete",
        target=module,
        detail={"into": version.pk, "count": module.session_plans.count()},
    )
    module.delete()


def curriculum_version_freeze(*, version: CurriculumVersion) -> None:
    """Called when a cohort starts using the version."""
    if version.frozen_at is None:
        version.frozen_at = timezone.now()
        version.save(update_fields=["frozen_at", "updated_at"])


@transaction.atomic
def curriculum_version_new(
    *, actor: Any, curriculum: Curriculum, notes: str = ""
) -> CurriculumVersion:
    """A new editable version, copied from the latest one."""
    _require(actor, curriculum.organization_id)
    latest = curriculum.versions.order_by("-number").first()
    version = CurriculumVersion.objects.create(
        curriculum=curriculum, number=(latest.number + 1) if latest else 1, notes=notes
    )
    if latest is not None:
        for module in latest.modules.prefetch_related("session_plans"):
            plans = list(module.session_plans.all())
            module.pk = None
            module.version = version
            module.save()
            for plan in plans:
                plan.pk = None
                plan.module = module
                plan.save()
    audit_record(actor=actor, action="create", target=version)
    return version


def version_total_hours(version: CurriculumVersion) -> float:
    """Hours for accreditation: the sum of the session plans' durations."""
    from django.db.models import Sum

    minutes = (
        SessionPlan.objects.filter(module__version=version).aggregate(t=Sum("duration_minutes"))[
            "t"
        ]
        or 0
    )
    return round(minutes / 60, 1)
