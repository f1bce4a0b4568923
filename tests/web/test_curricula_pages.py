"""Curricula pages: versions, modules and session plans; frozen versions are read-only;
other organizations' curricula are not found; bad input is a field error, nothing written."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cascada.curricula.models import Curriculum, CurriculumVersion, Module, SessionPlan
from cascada.curricula.services import curriculum_create, module_add, session_plan_add
from tests.accounts.factories import login_verified, make_user
from tests.trainings.factories import make_cohort, make_program

pytestmark = pytest.mark.django_db


@pytest.fixture
def curriculum(org):
    c = curriculum_create(actor=None, organization=org, title="Hombres que renuncian")
    version = c.versions.get()
    module = module_add(actor=None, version=version, title="Masculinidades")
    session_plan_add(
        actor=None,
        module=module,
        title="El cuerpo y la sexualidad",
        objectives="Reconocer el propio cuerpo",
        techniques="Dibujo del cuerpo",
        materials="Papelógrafos",
        duration_minutes=150,
    )
    session_plan_add(actor=None, module=module, title="Comunicación", duration_minutes=90)
    return c


@pytest.fixture
def version(curriculum):
    return curriculum.versions.get()


@pytest.fixture
def foreign_curriculum(other_org):
    return curriculum_create(actor=None, organization=other_org, title="Ajeno")


def freeze(org, version):
    make_cohort(program=make_program(owner=org), sessions=0, curriculum_version=version)
    version.refresh_from_db()


class TestPages:
    def test_list_detail_and_version_render_for_a_coordinator(
        self, coordinator_client, curriculum, version, foreign_curriculum
    ):
        html = coordinator_client.get(reverse("web:curriculum_list")).content.decode()
        assert "Hombres que renuncian" in html
        assert "Ajeno" not in html
        detail = coordinator_client.get(reverse("web:curriculum_detail", args=[curriculum.pk]))
        assert detail.status_code == 200
        page = coordinator_client.get(reverse("web:curriculum_version", args=[version.pk]))
        html = page.content.decode()
        assert page.status_code == 200
        assert "Masculinidades" in html and "Dibujo del cuerpo" in html
        assert re.search(r'data-test="total-hours">4[.,]0<', html)  # 150 + 90 minutes
        assert 'data-test="module-form"' in html

    def test_another_organizations_curriculum_is_not_found(
        self, coordinator_client, foreign_curriculum
    ):
        fv = foreign_curriculum.versions.get()
        assert (
            coordinator_client.get(
                reverse("web:curriculum_detail", args=[foreign_curriculum.pk])
            ).status_code
            == 404
        )
        assert (
            coordinator_client.get(reverse("web:curriculum_version", args=[fv.pk])).status_code
            == 404
        )
        response = coordinator_client.post(reverse("web:module_add", args=[fv.pk]), {"title": "X"})
        assert response.status_code == 404
        response = coordinator_client.post(
            reverse("web:curriculum_version_new", args=[foreign_curriculum.pk])
        )
        assert response.status_code == 404
        assert not Module.objects.filter(version=fv).exists()

    def test_viewer_reads_but_gets_no_edit_forms(self, client, org, version):
        login_verified(client, make_user(role="viewer", organization=org))
        html = client.get(reverse("web:curriculum_version", args=[version.pk])).content.decode()
        assert "Masculinidades" in html
        assert 'data-test="module-form"' not in html
        response = client.post(reverse("web:module_add", args=[version.pk]), {"title": "X"})
        assert response.status_code == 403
        assert version.modules.count() == 1


class TestCreate:
    def test_creates_and_opens_its_first_version(self, coordinator_client):
        response = coordinator_client.post(
            reverse("web:curriculum_create"),
            {"title": "Entre Pares", "audience": "mixed", "description": ""},
        )
        curriculum = Curriculum.objects.get(title="Entre Pares")
        assert response["Location"] == reverse(
            "web:curriculum_version", args=[curriculum.versions.get().pk]
        )

    @pytest.mark.parametrize(("field", "value"), [("title", ""), ("audience", "aliens")])
    def test_bad_input_is_a_field_error(self, coordinator_client, field, value):
        data = {"title": "Entre Pares", "audience": "men", field: value}
        response = coordinator_client.post(reverse("web:curriculum_create"), data)
        assert response.status_code == 200
        assert f'data-test="error-{field}"' in response.content.decode()
        assert not Curriculum.objects.exists()


class TestModulesAndPlans:
    def test_htmx_module_add_returns_the_modules_partial(self, coordinator_client, version):
        response = coordinator_client.post(
            reverse("web:module_add", args=[version.pk]),
            {"title": "Violencia", "is_core": "on"},
            HTTP_HX_REQUEST="true",
        )
        html = response.content.decode()
        assert html.lstrip().startswith('<section id="modules"')
        assert "Violencia" in html
        assert version.modules.count() == 2

    def test_empty_module_title_is_a_field_error(self, coordinator_client, version):
        response = coordinator_client.post(
            reverse("web:module_add", args=[version.pk]), {"title": ""}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        assert 'data-test="error-title"' in response.content.decode()
        assert version.modules.count() == 1

    def test_session_plan_add_and_bad_duration(self, coordinator_client, version):
        module = version.modules.get()
        url = reverse("web:session_plan_add", args=[module.pk])
        bad = coordinator_client.post(url, {"title": "Alcohol", "duration_minutes": "-5"})
        assert 'data-test="error-duration_minutes"' in bad.content.decode()
        assert module.session_plans.count() == 2
        good = coordinator_client.post(
            url, {"title": "Alcohol", "duration_minutes": "60", "audience": "men"}
        )
        assert good.status_code == 302
        assert module.session_plans.count() == 3

    def test_frozen_version_is_read_only_and_offers_a_new_version(
        self, coordinator_client, org, curriculum, version
    ):
        freeze(org, version)
        html = coordinator_client.get(
            reverse("web:curriculum_version", args=[version.pk])
        ).content.decode()
        assert 'data-test="frozen"' in html
        assert 'data-test="module-form"' not in html
        assert 'data-test="plan-form"' not in html
        response = coordinator_client.post(
            reverse("web:module_add", args=[version.pk]), {"title": "Intento"}
        )
        assert response.status_code == 302
        assert not version.modules.filter(title="Intento").exists()
        html = coordinator_client.get(response["Location"]).content.decode()
        assert 'data-test="messages"' in html
        response = coordinator_client.post(
            reverse("web:curriculum_version_new", args=[curriculum.pk]), {"notes": "Ajustes"}
        )
        new = CurriculumVersion.objects.get(curriculum=curriculum, number=2)
        assert response["Location"] == reverse("web:curriculum_version", args=[new.pk])
        assert SessionPlan.objects.filter(module__version=new).count() == 2
