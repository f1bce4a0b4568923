"""S3: identifiers (names, national ID, phone, address) only for roles that need them."""

from __future__ import annotations

import pytest

from cascada.core.errors import PermissionDeniedError
from cascada.registry.models import Identity
from cascada.registry.selectors import identities_for, identity_for, person_get
from cascada.registry.services import person_update
from tests.accounts.factories import login_verified
from tests.security.content import response_text
from tests.security.world import build_world, national_id

pytestmark = pytest.mark.django_db

IDENTIFIER_KEYS = {"family_name", "national_id", "phone", "address", "id_document", "full_name"}


@pytest.fixture
def world():
    return build_world("S3X")


def _keys(data):
    if isinstance(data, dict):
        out = set(data)
        for v in data.values():
            out |= _keys(v)
        return out
    if isinstance(data, list):
        return set().union(*(_keys(v) for v in data)) if data else set()
    return set()


def _identity(world):
    i = Identity.objects.get(pk=world.person.pk)
    return (i.given_name, i.family_name, i.national_id, i.phone, i.address)


def test_s3_selectors_withhold_identity_from_facilitator(world):
    facilitator = world.facilitator
    person = person_get(user=facilitator, pk=world.person.pk, audit=False)
    assert identity_for(user=facilitator, person=person) is None
    assert identities_for(user=facilitator, people=[person]) == {}
    # The roster shows given name and initial only.
    short = identities_for(user=facilitator, people=[person], short=True)[person.pk]
    assert f"Zorzal{world.tag}" not in short and short.startswith(f"Canario{world.tag}")
    # A coordinator reads the full identity.
    assert identity_for(user=world.coordinator, person=person).national_id == national_id(world.tag)


def test_s3_facilitator_cannot_write_identity_through_service(world):
    before = _identity(world)
    with pytest.raises(PermissionDeniedError):
        person_update(actor=world.facilitator, person=world.person, family_name="Otro", phone="1")
    assert _identity(world) == before


def test_s3_facilitator_api_output_lacks_identifier_keys(client, world):
    login_verified(client, world.facilitator)
    detail = client.get(f"/api/people/{world.person.pk}/")
    assert detail.status_code == 200, detail.content
    listing = client.get("/api/people/")
    assert listing.status_code == 200
    for response in (detail, listing):
        keys = _keys(response.json())
        assert not keys & IDENTIFIER_KEYS, keys & IDENTIFIER_KEYS
        body = response.content.decode()
        for value in (f"Zorzal{world.tag}", national_id(world.tag), "999 000 111"):
            assert value not in body
    assert world.person.code in detail.content.decode()


def test_s3_coordinator_api_output_has_identifier_keys(client, world):
    """The control: the keys exist for a role that needs them."""
    login_verified(client, world.coordinator)
    data = client.get(f"/api/people/{world.person.pk}/").json()
    assert {"family_name", "national_id", "phone", "address"} <= _keys(data)


def test_s3_facilitator_api_write_changes_nothing(client, world):
    login_verified(client, world.facilitator)
    before = _identity(world)
    for method in ("patch", "put"):
        response = getattr(client, method)(
            f"/api/people/{world.person.pk}/",
            {
                "given_name": "X",
                "family_name": "Cambiado",
                "national_id": "40000000",
                "phone": "0",
                "address": "Otra",
            },
            content_type="application/json",
        )
        assert response.status_code in (400, 403, 404, 405), response.content
    assert _identity(world) == before


def test_s3_facilitator_web_pages_lack_identifiers(client, world):
    login_verified(client, world.facilitator)
    client.raise_request_exception = False
    for url in (f"/people/{world.person.pk}/", f"/sessions/{world.session.pk}/roster/", "/people/"):
        response = client.get(url)
        assert response.status_code in (200, 302, 403, 404)
        body = response_text(response)
        for value in (f"Zorzal{world.tag}", national_id(world.tag), "999 000 111", "Jr. Canario"):
            assert value not in body, (url, value)
    response = client.post(
        f"/people/{world.person.pk}/edit/", {"family_name": "Cambiado", "national_id": "4"}
    )
    assert response.status_code in (302, 403, 404)
    assert _identity(world)[1] == f"Zorzal{world.tag}"
