"""Modules and session plans can be edited and removed while their version is editable;
a version in use by a cohort (frozen) never changes."""

from __future__ import annotations

import pytest

from cascada.audit.models import AuditEvent
from cascada.core.errors import ApplicationError, PermissionDeniedError
from cascada.curricula.models import Module, SessionPlan
from cascada.curricula.services import (
    curriculum_create,
    module_add,
    module_delete,
    module_update,
    session_plan_add,
    session_plan_delete,
    session_plan_update,
)
from tests.accounts.factories import make_user
from tests.registry.factories import make_org
from tests.trainings.factories import make_cohort, make_program

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(org):
    curriculum = curriculum_create(actor=None, organization=org, title="Masculinidades")
    return curriculum.versions.get()


def test_modules_and_plans_are_edited_and_removed_while_editable(coordinator, version):
    module = module_add(actor=coordinator, version=version, title="Poder y control")
    plan = session_plan_add(actor=coordinator, module=module, title="Sesión 1")
    module_update(actor=coordinator, module=module, title="Poder y género", is_core=False)
    session_plan_update(actor=coordinator, plan=plan, title="Sesión uno", duration_minutes=90)
    module.refresh_from_db()
    plan.refresh_from_db()
    assert (module.title, module.is_core) == ("Poder y género", False)
    assert (plan.title, plan.duration_minutes) == ("Sesión uno", 90)
    session_plan_delete(actor=coordinator, plan=plan)
    assert not SessionPlan.objects.filter(pk=plan.pk).exists()
    module_delete(actor=coordinator, module=module)
    assert not Module.objects.filter(pk=module.pk).exists()
    actions = set(
        AuditEvent.objects.filter(
            target_type__in=["curricula.module", "curricula.sessionplan"]
        ).values_list("action", flat=True)
    )
    assert actions == {"update", "delete"}


def test_a_version_in_use_cannot_change(org, coordinator, version):
    module = module_add(actor=coordinator, version=version, title="Poder y control")
    plan = session_plan_add(actor=coordinator, module=module, title="Sesión 1")
    make_cohort(program=make_program(owner=org), curriculum_version=version, sessions=1)
    for attempt in (
        lambda: module_update(actor=coordinator, module=module, title="Otro"),
        lambda: module_delete(actor=coordinator, module=module),
        lambda: session_plan_update(actor=coordinator, plan=plan, title="Otra"),
        lambda: session_plan_delete(actor=coordinator, plan=plan),
    ):
        with pytest.raises(ApplicationError) as refused:
            attempt()
        assert refused.value.code == "frozen"
    module.refresh_from_db()
    assert module.title == "Poder y control" and module.session_plans.count() == 1


def test_another_organization_cannot_change_the_modules(version):
    stranger = make_user(role="coordinator", organization=make_org(name="Ajena"))
    module = module_add(actor=None, version=version, title="Poder y control")
    with pytest.raises(PermissionDeniedError):
        module_delete(actor=stranger, module=module)
