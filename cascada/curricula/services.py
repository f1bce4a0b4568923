"""Writes to curricula. A frozen version refuses changes; a new version copies it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError
from cascada.core.numbers import plain_number, typed
from cascada.core.writes import bounded_text

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


# ---------------------------------------------------------------- validation and accreditation
# Facts about a version, not changes to it: a frozen version may be validated and
# accredited too (docs/decisions/research.md).


def _not_in_future(day: Any, *, field: str) -> None:
    """Dates of what already happened. Today is the deployment's day
    (``settings.TIME_ZONE``, America/Lima unless configured): the curricula sit below the
    trainings' clock of each organization's country, as the registry does."""
    if not isinstance(day, dt.date):
        raise ApplicationError(_("Give the date."), extra={"field": field})
    if day > timezone.localdate():
        raise ApplicationError(_("This date is still to come."), extra={"field": field})


PEOPLE_MAX = 1000
COMMENT_MAX = 2000


def _people(value: Any, *, field: str) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise ApplicationError(_("Give a whole number."), extra={"field": field}) from None
    if not 0 <= n <= PEOPLE_MAX:
        raise ApplicationError(
            _("Give a number from 0 to %(max)s.") % {"max": PEOPLE_MAX}, extra={"field": field}
        )
    return n


@transaction.atomic
def validation_record(
    *,
    actor: Any,
    version: CurriculumVersion,
    place: Any,
    held_on: Any,
    with_whom: str,
    women: int,
    men: int,
    notes: str = "",
    feedback: Mapping[Any, tuple[str, str]],
) -> Validation:
    """A validation of the version's concepts and outline with community activists in one
    place (e.g. the activists of a women's emergency centre, CEM): when, with whom, how
    many women and men took part (at least one person; counts, never names) and their
    verdict per module (keep, change or drop, with a comment). ``feedback`` maps modules
    of this version (rows or ids) to ``(verdict, comment)``; a module left out was not
    discussed there. Those who manage the curriculum's organization's curricula."""
    _require(actor, version.curriculum.organization_id)
    if place is None or not getattr(place, "pk", None):
        raise ApplicationError(_("Choose the place."), extra={"field": "place"})
    _not_in_future(held_on, field="held_on")
    who = bounded_text(with_whom, 200, field="with_whom", label=_("With whom"), required=True)
    n_women = _people(women, field="women")
    n_men = _people(men, field="men")
    if n_women + n_men < 1:
        raise ApplicationError(
            _("Count the women and men who took part: at least one person."),
            extra={"field": "women"},
        )
    modules = {m.pk: m for m in version.modules.all()}
    rows: list[ModuleFeedback] = []
    for key, answer in feedback.items():
        pk = key.pk if isinstance(key, Module) else key
        module = modules.get(pk) if isinstance(pk, int) else None
        if module is None:
            raise ApplicationError(
                _("Give feedback only on the modules of this version."),
                extra={"field": "feedback"},
            )
        verdict, comment = answer
        if verdict not in Verdict.values:
            raise ApplicationError(
                _("Choose keep, change or drop for %(module)s.") % {"module": module.title},
                extra={"field": "feedback"},
            )
        rows.append(
            ModuleFeedback(
                module=module,
                verdict=verdict,
                comment=bounded_text(comment, COMMENT_MAX, field="feedback", label=module.title),
            )
        )
    validation = Validation(
        version=version,
        place=place,
        held_on=held_on,
        with_whom=who,
        women=n_women,
        men=n_men,
        notes=bounded_text(notes, 5000, field="notes", label=_("Notes")),
    )
    validation.save()
    for row in rows:
        row.validation = validation
    ModuleFeedback.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action="create",
        target=validation,
        detail={"into": version.pk, "modules": len(rows)},
    )
    return validation


HOURS_MAX = Decimal("99999.9")


def credit_hours_typed(value: Any) -> Decimal:
    """Credit hours as people type them in Peru and Bolivia: "120", "120,5", "120.5",
    "1.200" or "1 200" (thousands: hours have one decimal at most, so a mark followed by
    three digits groups thousands), "1.200,5". Positive, one decimal at most (refused
    rather than rounded)."""
    label = _("Credit hours")
    if isinstance(value, bool | float):
        raise ApplicationError(
            _("%(field)s: not a number.") % {"field": label}, extra={"field": "credit_hours"}
        )
    if isinstance(value, Decimal | int):
        number = Decimal(value)
    else:
        read = plain_number(typed(str(value or ""), places=1))
        if read is None:
            raise ApplicationError(
                _("%(field)s: not a number.") % {"field": label}, extra={"field": "credit_hours"}
            )
        number = read
    if not number.is_finite() or number <= 0:
        raise ApplicationError(
            _("Credit hours must be more than zero."), extra={"field": "credit_hours"}
        )
    if number != number.quantize(Decimal("0.1")) or number > HOURS_MAX:
        raise ApplicationError(
            _("Give the credit hours with one decimal at most (e.g. 120,5)."),
            extra={"field": "credit_hours"},
        )
    return number.quantize(Decimal("0.1"))


@transaction.atomic
def accreditation_record(
    *,
    actor: Any,
    version: CurriculumVersion,
    institution: str,
    credit_hours: Any,
    resolution: str,
    accredited_on: Any,
    expires_on: Any = None,
) -> Accreditation:
    """The version accredited by an institution (e.g. a professional college) for so many
    credit hours (typed the Peruvian way: ``credit_hours_typed``), by a resolution, on a
    date (not in the future), valid until a later date or without end. Those who manage
    the curriculum's organization's curricula."""
    _require(actor, version.curriculum.organization_id)
    hours = credit_hours_typed(credit_hours)
    _not_in_future(accredited_on, field="accredited_on")
    if expires_on is not None and not isinstance(expires_on, dt.date):
        raise ApplicationError(_("Give the date."), extra={"field": "expires_on"})
    if expires_on is not None and expires_on <= accredited_on:
        raise ApplicationError(
            _("The accreditation must end after the date it was given."),
            extra={"field": "expires_on"},
        )
    accreditation = Accreditation(
        version=version,
        institution=bounded_text(
            institution, 200, field="institution", label=_("Institution"), required=True
        ),
        credit_hours=hours,
        resolution=bounded_text(
            resolution, 120, field="resolution", label=_("Resolution"), required=True
        ),
        accredited_on=accredited_on,
        expires_on=expires_on,
    )
    accreditation.save()
    audit_record(actor=actor, action="create", target=accreditation, detail={"into": version.pk})
    return accreditation
