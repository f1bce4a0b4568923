"""The DHIS2 pages as an M&E officer uses them (server, mapping, org units, downloads, dry
run then send, the import summary), and as everyone else finds them: a 404 on every page
for viewers, facilitators and other organizations. The password appears on no page."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from cascada.audit.models import AuditEvent
from cascada.indicators.dhis2 import schemas
from cascada.indicators.models import Dhis2Mapping, Dhis2OrgUnit, Dhis2Push, Dhis2Server, Indicator
from tests.accounts.factories import login_verified, make_user
from tests.indicators.fake_dhis2 import (
    COC_FEMALE,
    COC_MALE,
    DE_ENROLLED,
    OU,
    PASSWORD,
    configure,
    dhis2,  # noqa: F401 (fixture)
)
from tests.jobs.support import jobs_inline

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    login_verified(client, user)
    return client


@pytest.fixture
def ready(filled, dhis2, monkeypatch):  # noqa: F811
    configure(filled["org"], dhis2.url)
    jobs_inline(monkeypatch, "cascada.indicators.dhis2.services.pushes")
    filled["me"] = make_user(role="me_officer", organization=filled["org"])
    return filled


def urls(world) -> list[tuple[str, str, dict]]:
    """Every DHIS2 page, with the organization's objects: (method, url, data)."""
    org = world["org"].pk
    mapping = Dhis2Mapping.objects.filter(organization=world["org"]).first()
    push = Dhis2Push.objects.create(organization=world["org"], periods=["2025Q1"])
    return [
        ("get", reverse("web:dhis2_home") + f"?org={org}", {}),
        ("get", reverse("web:dhis2_server") + f"?org={org}", {}),
        (
            "post",
            reverse("web:dhis2_server"),
            {"org": org, "base_url": "https://x.org", "username": "u"},
        ),
        ("get", reverse("web:dhis2_mapping_new") + f"?org={org}", {}),
        ("get", reverse("web:dhis2_mapping_edit", args=[mapping.pk]), {}),
        ("post", reverse("web:dhis2_mapping_edit", args=[mapping.pk]), {"data_element": "x"}),
        ("post", reverse("web:dhis2_mapping_delete", args=[mapping.pk]), {}),
        ("get", reverse("web:dhis2_org_units") + f"?org={org}", {}),
        ("post", reverse("web:dhis2_org_units"), {"org": org, "action": "ubigeo"}),
        ("get", reverse("web:dhis2_download") + f"?org={org}&periods=2025Q1&format=json", {}),
        ("post", reverse("web:dhis2_push"), {"org": org, "periods": "2025Q1"}),
        ("get", reverse("web:dhis2_push_detail", args=[push.pk]), {}),
    ]


@pytest.mark.parametrize("role", ["viewer", "facilitator", "auditor", "other_administrator"])
def test_everyone_else_gets_404_on_every_dhis2_page(ready, other_org, role):
    if role == "other_administrator":
        user = make_user(role="administrator", organization=other_org)
    else:
        user = make_user(role=role, organization=ready["org"])
    client = client_for(user)
    for method, url, data in urls(ready):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (role, method, url, response.status_code)
    assert Dhis2Mapping.objects.filter(organization=ready["org"]).count() == 2
    assert not Dhis2Push.objects.exclude(periods=["2025Q1"]).exists()
    assert (
        Dhis2Server.objects.get(organization=ready["org"]).base_url
        == ready["org"].dhis2_server.base_url
    )


def test_anonymous_visitors_are_sent_to_sign_in(ready):
    for method, url, data in urls(ready):
        assert getattr(Client(), method)(url, data).status_code == 302


@pytest.mark.parametrize("role", ["administrator", "coordinator", "me_officer"])
def test_those_who_keep_the_indicators_open_every_page(ready, role):
    client = client_for(make_user(role=role, organization=ready["org"]))
    for method, url, _data in urls(ready):
        if method == "get" and "download" not in url:
            response = client.get(url)
            assert response.status_code == 200, url
            assert PASSWORD not in response.content.decode()


def test_the_server_form_keeps_the_password_without_showing_it(ready, dhis2):  # noqa: F811
    client = client_for(ready["me"])
    page = client.get(reverse("web:dhis2_server") + f"?org={ready['org'].pk}")
    html = page.content.decode()
    assert (
        PASSWORD not in html and 'type="password"' in html and 'data-test="password-kept"' in html
    )
    saved = client.post(
        reverse("web:dhis2_server"),
        {
            "org": ready["org"].pk,
            "base_url": dhis2.url + "/",
            "username": "cascada2",
            "password": "",
            "id_scheme": "uid",
            "org_unit_id_scheme": "code",
            "data_set": "dsVaronesPE",
            "active": "on",
        },
    )
    assert saved.status_code == 302
    server = Dhis2Server.objects.get(organization=ready["org"])
    assert server.username == "cascada2" and server.password == PASSWORD  # kept
    home = client.get(saved["Location"]).content.decode()
    assert PASSWORD not in home and "cascada2" in home
    event = AuditEvent.objects.filter(action="dhis2.server_set").latest("pk")
    assert event.detail["fields"] == ["username"] and PASSWORD not in json.dumps(event.detail)


def test_bad_server_settings_are_shown_beside_their_field(ready):
    client = client_for(ready["me"])
    response = client.post(
        reverse("web:dhis2_server"),
        {
            "org": ready["org"].pk,
            "base_url": "http://dhis2.minsa.gob.pe",
            "username": "cascada",
            "password": "una-clave",
            "id_scheme": "uid",
            "org_unit_id_scheme": "ubigeo",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-test="error-base_url"' in html and "una-clave" not in html


def test_an_indicator_is_mapped_then_its_subgroups(ready):
    client = client_for(ready["me"])
    trainers = Indicator.objects.get(code="trainers_trained", organization=None)
    created = client.post(
        reverse("web:dhis2_mapping_new"),
        {
            "org": ready["org"].pk,
            "indicator": trainers.pk,
            "measure": "base",
            "data_element": "deFormador1",
            "dimensions": ["sex"],
            "active": "on",
        },
    )
    mapping = Dhis2Mapping.objects.get(data_element="deFormador1")
    assert created.status_code == 302 and created["Location"].endswith(
        reverse("web:dhis2_mapping_edit", args=[mapping.pk])
    )
    page = client.get(created["Location"]).content.decode()
    assert 'name="coc:male"' in page and 'name="adxcat:sex"' in page
    saved = client.post(
        created["Location"],
        {
            "indicator": trainers.pk,
            "measure": "base",
            "data_element": "deFormador1",
            "dimensions": ["sex"],
            "active": "on",
            "coc:male": COC_MALE,
            "coc:female": COC_FEMALE,
            "adxcat:sex": "SEXO",
            "adxopt:sex:male": "H",
        },
    )
    assert saved.status_code == 302
    mapping.refresh_from_db()
    assert mapping.category_option_combos == {"male": COC_MALE, "female": COC_FEMALE}
    assert mapping.adx_options == {"sex": {"male": "H"}}
    refused = client.post(
        created["Location"],
        {
            "indicator": trainers.pk,
            "measure": "base",
            "data_element": "deFormador1",
            "dimensions": ["sex"],
            "adxcat:sex": "SEXO DE LA PERSONA",
        },
    )
    assert refused.status_code == 400 and "XML" in refused.content.decode()


def test_org_units_from_ubigeo_and_by_hand(ready):
    client = client_for(ready["me"])
    Dhis2OrgUnit.objects.all().delete()
    url = reverse("web:dhis2_org_units")
    client.post(url, {"org": ready["org"].pk, "action": "ubigeo"})
    assert Dhis2OrgUnit.objects.get(place=ready["huamanga"]).org_unit == "050101"
    page = client.get(url + f"?org={ready['org'].pk}").content.decode()
    assert 'value="050101"' in page
    client.post(url, {"org": ready["org"].pk, f"place_{ready['huamanga'].pk}": "ouHuamanga1"})
    assert Dhis2OrgUnit.objects.get(place=ready["huamanga"]).org_unit == "ouHuamanga1"


def test_downloads_of_json_and_adx(ready):
    client = client_for(ready["me"])
    base = reverse("web:dhis2_download") + f"?org={ready['org'].pk}&periods=2025Q1,2025Q2"
    as_json = client.get(base + "&format=json")
    assert as_json.status_code == 200 and "attachment" in as_json["Content-Disposition"]
    payload = json.loads(as_json.content)
    assert schemas.json_errors(payload) == []
    assert {
        "dataElement": DE_ENROLLED,
        "period": "2025Q2",
        "orgUnit": "050101",
        "value": "4",
        "categoryOptionCombo": COC_MALE,
    } in payload["dataValues"]
    as_adx = client.get(base + f"&format=adx&program={ready['program'].pk}")
    assert as_adx["Content-Type"] == "application/adx+xml"
    assert schemas.adx_errors(as_adx.content) == []
    assert AuditEvent.objects.filter(action="export", detail__format="dhis2_adx").exists()
    wrong = client.get(reverse("web:dhis2_download") + f"?org={ready['org'].pk}&periods=2025-13")
    assert wrong.status_code == 302  # back to the page, with the message
    page = client.get(wrong["Location"]).content.decode()
    assert "2025-13" in page


def test_dry_run_then_send_shows_the_import_summary(ready, dhis2):  # noqa: F811
    client = client_for(ready["me"])
    org = ready["org"].pk
    home = client.get(
        reverse("web:dhis2_home") + f"?org={org}&periods=2025Q1, 2025Q2"
    ).content.decode()
    assert 'data-test="push-dry-run"' in home and 'data-test="push-send"' not in home
    dry = client.post(
        reverse("web:dhis2_push"),
        {"org": org, "periods": "2025Q1, 2025Q2", "format": "json", "action": "dry_run"},
    )
    push = Dhis2Push.objects.latest("pk")
    assert dry["Location"].endswith(reverse("web:dhis2_push_detail", args=[push.pk]))
    page = client.get(dry["Location"]).content.decode()
    assert f'data-test="imported">{push.imported}<' in page and push.imported > 0
    assert 'data-test="push-send"' in page and dhis2.values == {}
    sent = client.post(
        reverse("web:dhis2_push"),
        {"org": org, "periods": "2025Q1, 2025Q2", "format": "json", "action": "send"},
    )
    page = client.get(sent["Location"]).content.decode()
    assert dhis2.value(DE_ENROLLED, "2025Q2", OU["050101"], COC_MALE) == "4"
    assert "Sent to DHIS2" in page or "Enviado" in page
    assert PASSWORD not in page


def test_conflicts_are_shown_with_their_messages(ready):
    Dhis2Mapping.objects.filter(data_element=DE_ENROLLED).update(data_element="deNoExiste1")
    client = client_for(ready["me"])
    response = client.post(
        reverse("web:dhis2_push"),
        {"org": ready["org"].pk, "periods": "2025Q1", "format": "json", "action": "dry_run"},
    )
    page = client.get(response["Location"]).content.decode()
    assert 'data-test="conflict"' in page and "E7610" in page
    assert "Data element not found or not accessible" in page


def test_a_send_without_dry_run_or_a_dead_server_is_a_message_not_an_error(ready, dhis2):  # noqa: F811
    client = client_for(ready["me"])
    org = ready["org"].pk
    refused = client.post(
        reverse("web:dhis2_push"), {"org": org, "periods": "2025Q1", "action": "send"}
    )
    assert refused.status_code == 302
    assert 'class="msg msg-error"' in client.get(refused["Location"]).content.decode()
    dhis2.stop()
    response = client.post(
        reverse("web:dhis2_push"), {"org": org, "periods": "2025Q1", "action": "dry_run"}
    )
    page = client.get(response["Location"])
    assert page.status_code == 200 and 'data-test="push-message"' in page.content.decode()


def test_what_cascada_left_out_is_on_the_page_in_words(ready):
    Dhis2OrgUnit.objects.filter(place=ready["huamanga"]).delete()
    Dhis2OrgUnit.objects.filter(place__code__in=["05", "0501"], place__country="PE").delete()
    client = client_for(ready["me"])
    response = client.post(
        reverse("web:dhis2_push"),
        {"org": ready["org"].pk, "periods": "2025Q2", "format": "json", "action": "dry_run"},
    )
    page = client.get(response["Location"]).content.decode()
    rows = page.split('data-test="skip"')[1:]
    enrolled = next(r for r in rows if "Personas inscritas" in r)
    assert "Ayacucho (050101)" in enrolled and '<td class="num">4</td>' in enrolled
    assert "people_enrolled" not in page


def test_a_double_tap_on_dry_run_asks_for_one_push(ready):
    client = client_for(ready["me"])
    data = {
        "org": ready["org"].pk,
        "periods": "2025Q1",
        "format": "json",
        "action": "dry_run",
        "form_token": "unTokenDePrueba-0123456789",
    }
    first = client.post(reverse("web:dhis2_push"), data)
    second = client.post(reverse("web:dhis2_push"), data)
    assert Dhis2Push.objects.count() == 1
    assert second["Location"] == first["Location"]
