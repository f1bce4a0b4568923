"""The directory of services (issue 13): listed by place and kind for every member of the
organization; added and changed by its program managers and leads through
``services.service_save``, with clear messages beside the field (a name already in the
directory, a phone without digits); viewers and facilitators read it, nothing more."""

from __future__ import annotations

import re
import secrets

import pytest
from django.test import Client
from django.urls import reverse

from cascada.accounts.roles import Role
from cascada.audit.models import AuditEvent
from cascada.safeguarding.models import Service
from tests.safeguarding.conftest import place
from tests.safeguarding.pages import client_for, page_text


def _new(client: Client, **data):
    values = {"name": "", "kind": "cem", "phone": "", "active": "on", "place0": "PE"}
    values.update(data)
    return client.post(reverse("web:service_new"), values)


def test_the_directory_lists_the_services_and_filters_them_by_place_and_kind(staff, directory, vmt):
    client = client_for(staff[Role.COORDINATOR])
    body = page_text(client.get(reverse("web:service_list")))
    names = re.findall(r'data-test="service-name">([^<]+)<', body)
    assert set(names) == {s.name for s in directory.values()}
    assert 'data-test="service-new"' in body and 'data-test="service-edit"' in body

    by_place = page_text(client.get(reverse("web:service_list"), {"place": vmt.pk}))
    names = re.findall(r'data-test="service-name">([^<]+)<', by_place)
    assert names[-1] == "Línea 100"  # the whole country, after the district's services
    assert "CEM Villa María del Triunfo" in names[:4]
    assert "CEM Arequipa" not in names

    cems = page_text(client.get(reverse("web:service_list"), {"place": vmt.pk, "kind": "cem"}))
    names = re.findall(r'data-test="service-name">([^<]+)<', cems)
    assert names == ["CEM Villa María del Triunfo", "CEM Lima Cercado", "CEM Barranca"]


def test_a_program_manager_adds_a_service_for_a_district(staff, org):
    client = client_for(staff[Role.COORDINATOR])
    district = place("150143")
    response = _new(
        client,
        name="Hogar Refugio Temporal Lima Sur",
        kind="shelter",
        phone="(01) 555-0101",
        hours="24 horas",
        takes="Mujeres y sus hijos en riesgo",
        place1=district.department_id,
        place2=district.parent_id,
        place3=district.pk,
    )
    assert response.status_code == 302, page_text(response)[:3000]
    service = Service.objects.get(name="Hogar Refugio Temporal Lima Sur")
    assert service.place == district and service.organization == org and service.active
    assert service.kind == "shelter" and service.phone == "(01) 555-0101"
    assert AuditEvent.objects.filter(action="safeguarding.service_create").exists()
    listed = page_text(client.get(response["Location"]))
    assert 'href="tel:015550101"' in listed


def test_a_service_without_a_place_serves_the_whole_country(staff):
    client = client_for(staff[Role.ADMINISTRATOR])
    response = _new(client, name="Línea 100", kind="helpline", phone="100", hours="24 horas")
    assert response.status_code == 302
    assert Service.objects.get(name="Línea 100").place is None


def test_the_place_picker_moves_without_saving(staff):
    client = client_for(staff[Role.COORDINATOR])
    lima = place("15")
    response = _new(client, name="CEM Comas", phone="01 555", place1=lima.pk, place_refresh="1")
    assert response.status_code == 200
    assert not Service.objects.exists()
    assert f'<option value="{place("1501").pk}"' in page_text(response)  # Lima's provinces now


def test_a_name_already_in_the_directory_is_refused_beside_the_name(staff, directory):
    client = client_for(staff[Role.COORDINATOR])
    response = _new(client, name="cem lima cercado", phone="01 419 2000")
    assert response.status_code == 400
    body = page_text(response)
    assert 'data-test="error-name"' in body
    assert "The directory already has a service called cem lima cercado." in body
    assert Service.objects.filter(name__iexact="cem lima cercado").count() == 1


def test_a_phone_without_digits_is_refused_beside_the_phone(staff):
    client = client_for(staff[Role.COORDINATOR])
    response = _new(client, name="CEM Comas", phone="sin número")
    assert response.status_code == 400
    body = page_text(response)
    assert 'data-test="error-phone"' in body and "A phone number has digits." in body
    assert not Service.objects.exists()
    # A missing name or kind is said beside the field too.
    response = _new(client, name="", kind="", phone="100")
    assert 'data-test="error-name"' in page_text(response)
    assert 'data-test="error-kind"' in page_text(response)


def test_a_lead_edits_a_service(safeguarding_lead, directory):
    cem = directory["cem_lima"]
    client = client_for(safeguarding_lead)
    page = client.get(reverse("web:service_edit", args=[cem.pk]))
    assert page.status_code == 200 and 'value="CEM Lima Cercado"' in page_text(page)
    data = {
        "org": cem.organization_id,
        "name": "CEM Lima Cercado",
        "kind": "cem",
        "phone": "01 419 2001",
        "hours": "Lunes a viernes de 8 a 20",
        "place0": "PE",
        "place1": cem.place.department_id,
        "place2": cem.place.parent_id,
        "place3": cem.place_id,
    }  # "active" left unticked: no longer offered in the guide
    response = client.post(reverse("web:service_edit", args=[cem.pk]), data)
    assert response.status_code == 302, page_text(response)[:3000]
    cem.refresh_from_db()
    assert cem.phone == "01 419 2001" and cem.hours == "Lunes a viernes de 8 a 20"
    assert not cem.active
    # Renamed to another service's name: refused.
    data["name"] = "CEM Barranca"
    again = client.post(reverse("web:service_edit", args=[cem.pk]), data)
    assert again.status_code == 400 and 'data-test="error-name"' in page_text(again)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.FACILITATOR, Role.ME_OFFICER])
def test_who_does_not_keep_the_directory_reads_it_and_cannot_add_or_edit(
    role, org, staff, directory
):
    from tests.accounts.factories import make_user

    user = staff.get(role) or make_user(role=role, organization=org)
    client = client_for(user)
    body = page_text(client.get(reverse("web:service_list")))
    assert "CEM Villa María del Triunfo" in body
    assert 'data-test="service-new"' not in body and 'data-test="service-edit"' not in body
    assert client.get(reverse("web:service_new")).status_code == 403
    assert _new(client, name="CEM Comas", phone="01 555").status_code == 403
    cem = directory["cem_vmt"]
    assert client.get(reverse("web:service_edit", args=[cem.pk])).status_code == 403
    assert not Service.objects.filter(name="CEM Comas").exists()


def test_another_organizations_directory_is_not_found(other_org_lead, directory):
    client = client_for(other_org_lead)
    body = page_text(client.get(reverse("web:service_list")))
    assert "CEM Villa María del Triunfo" not in body
    cem = directory["cem_vmt"]
    assert client.get(reverse("web:service_edit", args=[cem.pk])).status_code == 404


def test_the_import_link_leads_to_the_imports_page(staff, directory):
    body = page_text(client_for(staff[Role.COORDINATOR]).get(reverse("web:service_list")))
    assert f'href="{reverse("web:import_start")}"' in body
    viewer = page_text(client_for(staff[Role.VIEWER]).get(reverse("web:service_list")))
    assert 'data-test="service-import"' not in viewer


def test_a_double_tap_adds_the_service_once(staff):
    client = client_for(staff[Role.COORDINATOR])
    token = secrets.token_urlsafe(18)
    first = _new(client, name="CEM Comas", phone="01 555 0000", form_token=token)
    second = _new(client, name="CEM Comas", phone="01 555 0000", form_token=token)
    assert first.status_code == second.status_code == 302
    assert Service.objects.filter(name="CEM Comas").count() == 1
