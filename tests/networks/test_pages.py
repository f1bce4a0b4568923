"""Network pages as each role meets them: the coordinator writes and revises the plan and
sees members; a promoter (a member with no role in the organization) records an action
from the phone form, also twice, and it is stored once; a viewer of the convening
organization sees figures through the disclosure control and no member, no photo; a user
of another organization finds nothing (S2); photos only with consent, without metadata."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from cascada.audit.models import AuditEvent
from cascada.core.errors import ApplicationError
from cascada.networks.models import ActionPhoto, CommunityAction, Network, PlanRevision
from cascada.networks.services import action_record, photo_add, plan_revise
from tests.accounts.factories import login_verified, make_user
from tests.registry.factories import make_person

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def network(org):
    return Network.objects.create(
        organization=org,
        name="Red Municipal de Promotores",
        kind="municipal",
        registry_entry="14325678",
        recognition="Resolución de Alcaldía N.º 123-2026-MDCLR",
    )


@pytest.fixture
def promoter(org, network):
    person = make_person(organization=org, given_name="Teodoro")
    network.memberships.create(person=person, joined_on=dt.date(TODAY.year, 1, 10))
    return make_user(person=person, username="promotor")


def _plan(network):
    return plan_revise(
        actor=None,
        network=network,
        year=TODAY.year,
        activities=[
            {
                "key": "feria",
                "kind": "fair",
                "title": "Feria por el buen trato",
                "month": TODAY.month,
                "expected_reach": 200,
            },
            {
                "key": "taller",
                "kind": "workshop",
                "title": "Taller de masculinidades",
                "month": TODAY.month,
                "expected_reach": 25,
            },
        ],  # fmt: skip
        approved_on=dt.date(TODAY.year, 1, 15),
    )


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), (200, 120, 40))
    exif = Image.Exif()
    exif[0x8825] = {2: (12.0, 3.0, 0.0)}  # GPSInfo: latitude
    exif[0x013B] = "Teodoro Quispe"  # Artist
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_a_promoter_records_an_action_once_however_often_it_is_sent(client, network, promoter):
    _plan(network)
    client.force_login(promoter)
    url = f"/networks/{network.pk}/actions/new/"
    page = client.get(url)
    assert page.status_code == 200 and b"feria" in page.content
    data = {
        "client_key": "phone-0001", "date": TODAY.isoformat(), "kind": "fair",
        "planned_key": "feria", "title": "Feria en el parque", "women": "40", "men": "25",
        "young_women": "0", "young_men": "10", "children": "12", "not_stated": "0",
        "materials": "100",
    }  # fmt: skip
    first = client.post(url, data, HTTP_ACCEPT="application/json")
    again = client.post(url, data, HTTP_ACCEPT="application/json")
    assert first.json()["created"] is True and again.json()["created"] is False
    action = CommunityAction.objects.get()
    assert action.reach == 87 and action.run_by == promoter.person
    status = client.get(f"/networks/{network.pk}/plans/{TODAY.year}/")
    assert status.content.count(b'data-test="line-done"') == 1


def test_a_bad_headcount_is_a_clear_message_and_nothing_is_saved(client, network, promoter):
    client.force_login(promoter)
    url = f"/networks/{network.pk}/actions/new/"
    response = client.post(
        url,
        {
            "date": TODAY.isoformat(),
            "kind": "fair",
            "title": "Feria",
            "women": "tres",
            "men": "-2",
            "young_women": "0",
            "young_men": "0",
            "children": "0",
            "not_stated": "0",
            "materials": "0",
        },  # fmt: skip
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    errors = " ".join(response.json()["errors"])
    assert "Women" in errors and "Men" in errors
    assert not CommunityAction.objects.exists()


def test_the_coordinator_revises_the_plan_and_the_first_revision_stays(
    coordinator_client, network, promoter
):
    _plan(network)
    url = f"/networks/{network.pk}/plans/{TODAY.year}/revise/"
    form = coordinator_client.get(url)
    assert form.status_code == 200
    response = coordinator_client.post(
        url,
        {
            "key": ["feria", "taller", ""],
            "title": ["Feria por el buen trato", "Taller de masculinidades", "Charla 25N"],
            "kind": ["fair", "workshop", "commemoration"],
            "month": [str(TODAY.month), str(TODAY.month), "11"],
            "audience": ["", "", "Colegio"],
            "expected_reach": ["200", "25", "120"],
            "responsible": ["", "", promoter.person.code.lower()],
            "drop": ["taller"],
            "approved_on": TODAY.isoformat(),
            "note": "El taller sale; entra la charla",
            "objectives": "Prevenir la violencia familiar en Carmen de la Legua",
        },
    )
    assert response.status_code == 302
    assert network.plans.get().objectives.startswith("Prevenir la violencia")
    first, second = PlanRevision.objects.order_by("number")
    assert set(first.activities.values_list("key", flat=True)) == {"feria", "taller"}
    assert sorted(second.activities.values_list("title", flat=True)) == [
        "Charla 25N", "Feria por el buen trato"
    ]  # fmt: skip
    charla = second.activities.get(title="Charla 25N")
    assert list(charla.responsible.all()) == [promoter.person]  # named by a member's code
    page = coordinator_client.get(f"/networks/{network.pk}/plans/{TODAY.year}/")
    assert b"Taller de masculinidades" in page.content  # still visible in revision 1


def test_a_responsible_who_is_not_a_member_is_refused(coordinator_client, org, network):
    outsider = make_person(organization=org)
    response = coordinator_client.post(
        f"/networks/{network.pk}/plans/{TODAY.year}/revise/",
        {
            "key": [""],
            "title": ["Feria"],
            "kind": ["fair"],
            "month": ["5"],
            "audience": [""],
            "expected_reach": ["10"],
            "responsible": [outsider.code],
            "approved_on": TODAY.isoformat(),
        },  # fmt: skip
    )
    assert response.status_code == 200 and outsider.code.encode() in response.content
    assert not PlanRevision.objects.exists()


def test_a_plan_row_with_a_bad_number_says_which_row(coordinator_client, network):
    url = f"/networks/{network.pk}/plans/{TODAY.year}/revise/"
    response = coordinator_client.post(
        url,
        {
            "key": [""],
            "title": ["Feria"],
            "kind": ["fair"],
            "month": ["5"],
            "audience": [""],
            "expected_reach": ["doscientos"],
            "approved_on": TODAY.isoformat(),
        },  # fmt: skip
    )
    assert response.status_code == 200 and b'data-test="plan-error"' in response.content
    assert b"1" in response.content and not PlanRevision.objects.exists()


def test_a_viewer_sees_protected_figures_and_no_member(client, org, network, promoter):
    action_record(actor=None, network=network, date=TODAY, kind="fair", title="Feria",
                  women=3, men=40)  # fmt: skip
    viewer = make_user(role="viewer", organization=org)
    client.force_login(viewer)
    page = client.get(f"/networks/{network.pk}/").content.decode()
    assert "&lt;5" in page or "<5" in page  # three women are hidden
    assert "Teodoro" not in page and promoter.person.code not in page
    assert 'id="members"' not in page
    # Without the protection the 3 would show: the viewer gets exactly what the rule gives.
    assert ">3<" not in page.replace(" ", "")


def test_another_organization_finds_nothing(client, other_org, network, promoter):
    action = action_record(actor=None, network=network, date=TODAY, kind="fair",
                           title="Feria", women=30)[0]  # fmt: skip
    photo = photo_add(actor=None, action=action, data=_jpeg_with_gps(),
                      consent="Los asistentes, de palabra")  # fmt: skip
    outsider = make_user(role="coordinator", organization=other_org)
    login_verified(client, outsider)
    for url in (
        f"/networks/{network.pk}/",
        f"/networks/{network.pk}/plans/{TODAY.year}/",
        f"/networks/{network.pk}/actions/new/",
        f"/networks/actions/{action.pk}/",
        f"/networks/photos/{photo.pk}/",
        f"/networks/{network.pk}/report/{TODAY.year}/",
        f"/networks/{network.pk}/report/{TODAY.year}.pdf",
    ):
        assert client.get(url).status_code == 404, url
    assert b"Red Municipal" not in client.get("/networks/").content
    response = client.post(
        f"/networks/{network.pk}/actions/new/",
        {"date": TODAY.isoformat(), "kind": "fair", "title": "Intruso"},
    )
    assert response.status_code == 404 and CommunityAction.objects.count() == 1


def test_a_photo_needs_consent_and_loses_its_location(coordinator_client, coordinator, network):
    action = action_record(actor=None, network=network, date=TODAY, kind="fair",
                           title="Feria", women=30)[0]  # fmt: skip
    url = f"/networks/actions/{action.pk}/photos/add/"
    refused = coordinator_client.post(
        url, {"file": io.BytesIO(_jpeg_with_gps()), "consent": "", "confirm": ""}
    )
    assert refused.status_code == 200 and not ActionPhoto.objects.exists()
    upload = io.BytesIO(_jpeg_with_gps())
    upload.name = "feria.jpg"
    kept = coordinator_client.post(
        url, {"file": upload, "consent": "Los 12 asistentes, de palabra", "confirm": "on"}
    )
    assert kept.status_code == 302
    photo = ActionPhoto.objects.get()
    with photo.file.open("rb") as stored:
        assert b"JFIF" not in stored.read()[:64]  # encrypted at rest
    served = coordinator_client.get(f"/networks/photos/{photo.pk}/")
    assert served.status_code == 200
    image = Image.open(io.BytesIO(served.content))
    assert not image.getexif()  # no GPS, no name of the phone's owner
    assert AuditEvent.objects.filter(action="view", target_type="networks.actionphoto").exists()


def test_the_annual_report_is_a_page_and_a_pdf(coordinator_client, network):
    _plan(network)
    action_record(actor=None, network=network, date=TODAY, kind="fair", title="Feria",
                  planned_key="feria", women=30, men=20)  # fmt: skip
    page = coordinator_client.get(f"/networks/{network.pk}/report/{TODAY.year}/")
    assert page.status_code == 200 and b"Resoluci" in page.content
    pdf = coordinator_client.get(f"/networks/{network.pk}/report/{TODAY.year}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert coordinator_client.get(f"/networks/{network.pk}/report/0/").status_code == 404


def test_a_typo_in_a_headcount_is_refused_and_odd_input_is_never_a_server_error(
    client, coordinator, network, promoter
):
    """A headcount of 99999999999 would stay for ever and overflow every sum after it."""
    client.force_login(promoter)
    url = f"/networks/{network.pk}/actions/new/"
    base = {"date": TODAY.isoformat(), "kind": "fair", "title": "Feria", "men": "0",
            "young_women": "0", "young_men": "0", "children": "0", "not_stated": "0",
            "materials": "0"}  # fmt: skip
    refused = client.post(url, {**base, "women": "99999999999"}, HTTP_ACCEPT="application/json")
    assert refused.status_code == 400 and not CommunityAction.objects.exists()
    with pytest.raises(ApplicationError):
        action_record(actor=None, network=network, date=TODAY, kind="fair", title="F",
                      women=9223372036854775807)  # fmt: skip
    assert client.get(f"/networks/{network.pk}/?year=²").status_code == 200
    coordinator_client = Client()
    login_verified(coordinator_client, coordinator)
    revise = f"/networks/{network.pk}/plans/{TODAY.year}/revise/"
    for month, expected in (("abc", "10"), ("1.5", "10"), ("5", "²"), ("5", "9" * 30)):
        response = coordinator_client.post(
            revise,
            {
                "key": [""],
                "title": ["Feria"],
                "kind": ["fair"],
                "month": [month],
                "audience": [""],
                "expected_reach": [expected],
                "approved_on": TODAY.isoformat(),
            },  # fmt: skip
        )
        assert response.status_code == 200 and b'data-test="plan-error"' in response.content
    added = coordinator_client.post(f"/networks/{network.pk}/members/add/", {"cohort": "abc"})
    assert added.status_code == 302
    assert not PlanRevision.objects.exists()


def test_a_viewers_report_pdf_shows_no_exact_reach(client, org, network):
    _plan(network)
    action_record(actor=None, network=network, date=TODAY, kind="fair", title="Feria",
                  planned_key="feria", women=3)  # fmt: skip
    action_record(actor=None, network=network, date=TODAY, kind="talk", title="Charla",
                  men=2)  # fmt: skip
    viewer = make_user(role="viewer", organization=org)
    client.force_login(viewer)
    pdf = client.get(f"/networks/{network.pk}/report/{TODAY.year}.pdf").content
    text = _pdf_text(pdf)
    assert "alcanzado en lo planificado" not in text and "con 2 asistencias" not in text
    assert "<5" in text


def _pdf_text(data: bytes) -> str:
    import subprocess

    done = subprocess.run(  # noqa: S603 (a fixed program on our own test file)
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return done.stdout.decode()


def test_a_facilitator_does_not_see_the_networks_members_or_photos(client, org, network, promoter):
    action = action_record(actor=None, network=network, date=TODAY, kind="fair",
                           title="Feria", women=30)[0]  # fmt: skip
    photo = photo_add(actor=None, action=action, data=_jpeg_with_gps(), consent="De palabra")
    facilitator = make_user(role="facilitator", organization=org)
    login_verified(client, facilitator)
    page = client.get(f"/networks/{network.pk}/").content.decode()
    assert 'id="members"' not in page and promoter.person.code not in page
    assert client.get(f"/networks/photos/{photo.pk}/").status_code == 404


def test_a_viewer_counts_no_action_of_a_promoter_who_did_not_consent(client, org, network):
    """S15: as in the cascade's community reach, a viewer's network figures leave out the
    actions of a promoter who did not agree to be counted in reports."""
    from cascada.registry.models import Person

    refusing = make_person(organization=org)
    Person.objects.filter(pk=refusing.pk).update(reporting_consent=False)
    action_record(actor=None, network=network, date=TODAY, kind="fair", title="Feria",
                  men=40)  # fmt: skip
    action_record(actor=None, network=network, date=TODAY, kind="talk", title="Charla",
                  men=30, run_by=refusing)  # fmt: skip
    viewer = make_user(role="viewer", organization=org)
    client.force_login(viewer)
    page = client.get(f"/networks/{network.pk}/").content.decode()
    total = page.split('data-test="reach-total">')[1].split("<")[0]
    assert total == "40"
