"""S3: identifiers (names, national ID, phone, address) only for roles that need them."""

from __future__ import annotations

import pytest

from cascada.audit.models import AuditEvent
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


# ---------------------------------------------------------------- one identity rule per person
#
# A user reads a person's identity only through an organization where they hold
# VIEW_IDENTITY and to which the person belongs (registered there, or enrolled in a cohort
# of a program that organization owns or partners in): docs/decisions/security.md.


@pytest.fixture
def two_worlds():
    return build_world("S3A"), build_world("S3B")


def _coordinating_elsewhere(a, b):
    """A's facilitator (facilitating A's cohort) who is also a coordinator in B."""
    from cascada.accounts.services import membership_grant

    membership_grant(actor=None, user=a.facilitator, organization=b.org, role="coordinator")
    return a.facilitator


def _shared_with(a, b):
    """A's program shared with partner B."""
    from cascada.trainings.services import program_share

    program_share(actor=None, program=a.program, organization=b.org)


def test_s3_coordinator_elsewhere_gets_no_names_of_the_org_where_he_facilitates(two_worlds):
    a, b = two_worlds
    user = _coordinating_elsewhere(a, b)
    person = person_get(user=user, pk=a.person.pk, audit=False)  # visible: his participant
    assert identity_for(user=user, person=person) is None
    assert identities_for(user=user, people=[person]) == {}
    # His roster still calls A's participant by given name and initial ...
    short = identities_for(user=user, people=[person], short=True)[person.pk]
    assert short == f"Canario{a.tag} Z."
    # ... and in B, where he coordinates, he reads identities in full.
    assert identity_for(user=user, person=b.person).national_id == national_id(b.tag)
    assert identities_for(user=user, people=[b.person])[b.person.pk] == (
        f"Canario{b.tag} Zorzal{b.tag}"
    )


def test_s3_coordinator_elsewhere_sees_no_names_in_lists_rosters_api_or_search(client, two_worlds):
    a, b = two_worlds
    user = _coordinating_elsewhere(a, b)
    login_verified(client, user)
    family = f"Zorzal{a.tag}"
    pages = {
        "people": client.get("/people/"),
        "roster": client.get(f"/sessions/{a.session.pk}/roster/"),
        "api people": client.get("/api/people/?limit=100"),
        "api attendance": client.get(f"/api/sessions/{a.session.pk}/attendance/"),
        "search": client.post("/people/search/", {"q": national_id(a.tag)}),
        "api search": client.post(
            "/api/people/search/", {"text": national_id(a.tag)}, content_type="application/json"
        ),
    }
    for label, response in pages.items():
        assert response.status_code == 200, label
        body = response_text(response)
        # (Both worlds share a phone number: A's family name, ID and address are A's own;
        # the web search form echoes the ID number typed into it.)
        for value in (family, f"Jr. Canario{a.tag}"):
            assert value not in body, (label, value)
        assert label == "search" or national_id(a.tag) not in body, label
    # A's participant is on both lists, by code; the roster calls him by given name.
    assert a.person.code in pages["people"].content.decode()
    assert f"Canario{a.tag} Z." in pages["roster"].content.decode()
    rows = {r["code"]: r for r in pages["api people"].json()["results"]}
    assert not IDENTIFIER_KEYS & set(rows[a.person.code])
    # The ID number of A's participant resolves to nobody for him.
    assert a.person.code not in pages["search"].content.decode()
    assert pages["api search"].json()["results"] == []
    # The control: B's people, whom he coordinates, carry their identity.
    assert {"family_name", "national_id"} <= set(rows[b.person.code])
    assert f"Zorzal{b.tag}" in pages["people"].content.decode()


def test_s3_roster_names_only_for_the_rosters_one_takes(client, two_worlds):
    """Given name and initial are for the cohorts where the user takes attendance: A's
    facilitator who is an M&E officer in B reads B's attendance by codes only."""
    from cascada.accounts.services import membership_grant

    a, b = two_worlds
    user = a.facilitator
    membership_grant(actor=None, user=user, organization=b.org, role="me_officer")
    assert identities_for(user=user, people=[b.person], short=True) == {}
    assert set(identities_for(user=user, people=[a.person], short=True)) == {a.person.pk}
    login_verified(client, user)
    response = client.get(f"/api/sessions/{b.session.pk}/attendance/")
    assert response.status_code == 200
    rows = {r["person_code"]: r["name"] for r in response.json()["rows"]}
    assert rows[b.person.code] == b.person.code
    assert f"Canario{b.tag}" not in response.content.decode()


def test_s3_partner_coordinator_sees_enrolled_names_but_not_the_facilitator(client, two_worlds):
    a, b = two_worlds
    _shared_with(a, b)
    partner = b.coordinator
    facilitator = a.facilitator_person
    # Enrolled in a cohort of a program shared with B: B's staff read the identity.
    assert identity_for(user=partner, person=a.person).national_id == national_id(a.tag)
    # Facilitating that cohort does not make A's staff member belong to B.
    seen = person_get(user=partner, pk=facilitator.pk, audit=False)
    assert identity_for(user=partner, person=seen) is None
    names = identities_for(user=partner, people=[seen, a.person])
    assert set(names) == {a.person.pk}
    login_verified(client, partner)
    people = client.get("/people/?page=1").content.decode()
    assert facilitator.code in people and f"Facilita{a.tag}" not in people
    assert f"Zorzal{a.tag}" in people
    rows = {r["code"]: r for r in client.get("/api/people/?limit=100").json()["results"]}
    assert not IDENTIFIER_KEYS & set(rows[facilitator.code])
    assert "given_name" not in rows[facilitator.code]
    detail = client.get(f"/api/people/{facilitator.pk}/").json()
    assert "given_name" not in detail
    assert f"Facilita{a.tag}" not in client.get(f"/people/{facilitator.pk}/").content.decode()


def test_s3_certificate_pdf_prints_a_name_only_under_the_identity_rule(two_worlds):
    from cascada.core.errors import NotFoundError
    from cascada.trainings.services import certificate_download

    a, b = two_worlds
    user = _coordinating_elsewhere(a, b)
    with pytest.raises(NotFoundError):
        certificate_download(actor=user, certificate=a.certificate, base_url="http://x.pe/")
    pdf = certificate_download(actor=a.coordinator, certificate=a.certificate, base_url="http://x/")
    assert pdf[:5] == b"%PDF-"


# ---------------------------------------------------------------- look-ups by ID number


def test_s3_roles_without_identity_cannot_resolve_an_id_number(client, world):
    """An M&E officer or a facilitator searching an ID number learns no person code."""
    from tests.accounts.factories import make_user

    officer = make_user(role="me_officer", organization=world.org, username="mye-s3x")
    nid = national_id(world.tag)
    for user in (officer, world.facilitator):
        login_verified(client, user)
        web = client.post("/people/search/", {"q": nid})
        assert web.status_code == 200
        assert world.person.code not in web.content.decode(), user.username
        api = client.post("/api/people/search/", {"text": nid}, content_type="application/json")
        assert api.status_code == 200 and api.json()["results"] == [], user.username
        # Not even tried: no look-up by ID number is recorded (nor counted) for them.
        searches = AuditEvent.objects.filter(action="search", actor=user)
        assert searches.count() == 2
        assert not any(row.detail["by_id_number"] for row in searches), user.username
        # The code still finds the record (pseudonymous).
        by_code = client.post("/people/search/", {"q": world.person.code})
        assert world.person.code in by_code.content.decode()
    # The control: a coordinator of the person's organization resolves it.
    login_verified(client, world.coordinator)
    assert world.person.code in client.post("/people/search/", {"q": nid}).content.decode()
