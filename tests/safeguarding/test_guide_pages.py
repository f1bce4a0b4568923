"""The guide "What to do now?" and the printable card (issue 13): from a session, the
numbers of the place nearest first, one tap to call each, and the button that records a
case from the same session; only for who works in the activity; the card of a place with
its services and the first steps of immediate danger, fitting one printed page."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from cascada.accounts.roles import Role
from tests.accounts.factories import make_user
from tests.registry.factories import make_person
from tests.safeguarding.conftest import place
from tests.safeguarding.pages import client_for
from tests.trainings.factories import make_cohort


def _section(body: str, key: str) -> str:
    """The HTML of one situation of the guide."""
    start = body.index(f'data-test="situation-{key}"')
    end = body.find('data-test="situation-', start + 1)
    return body[start : end if end != -1 else len(body)]


def _names(html: str) -> list[str]:
    return re.findall(r'data-test="service-name">([^<]+)<', html)


def _guide(client: Client, **query) -> str:
    response = client.get(reverse("web:safeguarding_guide"), query)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_guide_from_a_session_shows_the_nearest_numbers_first_with_one_tap_calls(
    facilitator, court_session, directory
):
    body = _guide(client_for(facilitator), session=court_session.pk)

    # A woman discloses her partner's violence: the CEM of the district, then Lima's, then
    # the department's, then the national helpline; the CEM of Arequipa is not offered.
    assert _names(_section(body, "partner")) == [
        "CEM Villa María del Triunfo",
        "CEM Lima Cercado",
        "CEM Barranca",
        "Línea 100",
    ]
    # Immediate danger: the police of the district first, at the top of the page too.
    danger = _section(body, "danger")
    assert _names(danger)[0] == "Comisaría de Villa María del Triunfo"
    assert 'data-test="emergency-call"' in body
    # A child at risk: the DEMUNA of the district first.
    assert _names(_section(body, "child"))[0] == "DEMUNA de Villa María del Triunfo"
    # One tap calls: the number in digits only.
    assert 'href="tel:014192000"' in danger
    assert 'href="tel:100"' in _section(body, "partner")
    # The button that records a case from the same session.
    record = reverse("web:case_new") + f"?session={court_session.pk}"
    assert f'href="{record}"' in body
    assert "Record a case" in body
    # The steps that matter most are said.
    assert "Protecting a life needs nobody" in body
    assert "A child at risk is always referred" in body
    assert "Stop the recording" in _section(body, "distress")


def test_a_facilitator_cannot_open_the_guide_of_a_session_they_do_not_facilitate(
    org, court_program, court_session, directory
):
    person = make_person(organization=org, given_name="Aurelio")
    outsider = make_user(role=Role.FACILITATOR, organization=org, person=person)
    make_cohort(program=court_program, name="Otro grupo", facilitators=(person,), sessions=1)
    client = client_for(outsider)
    response = client.get(reverse("web:safeguarding_guide"), {"session": court_session.pk})
    assert response.status_code == 404
    # Nor a session that does not exist, nor two activities at once.
    assert client.get(reverse("web:safeguarding_guide"), {"session": "99999999"}).status_code == 404


def test_the_guide_from_an_interview_puts_distress_second_and_needs_a_fieldworker(
    researcher, coder, interview, directory
):
    body = _guide(client_for(researcher), event=interview.pk)
    order = re.findall(r'data-test="situation-(\w+)"', body)
    assert order[:2] == ["danger", "distress"]
    record = reverse("web:case_new") + f"?event={interview.pk}"
    assert f'href="{record}"' in body
    # A coder reads the transcripts but does not interview: no guide from the interview.
    response = client_for(coder).get(reverse("web:safeguarding_guide"), {"event": interview.pk})
    assert response.status_code == 404


def test_the_guide_for_a_place_from_the_menu_and_a_promoter_without_a_role(
    promoter, vmt, directory, org
):
    """A promoter belongs to the organization through its network (no role): the guide
    of the place, without the button (no activity to record a case from)."""
    body = _guide(client_for(promoter), place=vmt.pk, org=org.pk)
    assert _names(_section(body, "partner"))[0] == "CEM Villa María del Triunfo"
    assert 'data-test="record-case"' not in body
    assert 'data-test="record-hint"' in body


def test_the_guide_is_refused_to_who_belongs_to_no_organization(other_org, vmt, directory):
    stranger = make_user(role=Role.COORDINATOR, organization=other_org)
    nobody = make_user()
    assert client_for(nobody).get(reverse("web:safeguarding_guide")).status_code == 404
    # Another organization's user sees their own (empty) directory, never this one's.
    body = _guide(client_for(stranger), place=vmt.pk)
    assert "CEM Villa María del Triunfo" not in body
    assert (
        client_for(stranger)
        .get(
            reverse("web:safeguarding_guide"),
            {"place": vmt.pk, "org": directory["cem_vmt"].organization_id},
        )
        .status_code
        == 404
    )


def test_each_activity_page_links_to_the_guide(
    facilitator, court_session, staff, participant, community_action, directory
):
    roster = client_for(facilitator).get(reverse("web:session_roster", args=[court_session.pk]))
    guide = reverse("web:safeguarding_guide")
    assert f'href="{guide}?session={court_session.pk}"' in roster.content.decode()
    coordinator = client_for(staff[Role.COORDINATOR])
    person_page = coordinator.get(reverse("web:person_detail", args=[participant.pk]))
    assert f'href="{guide}?person={participant.pk}"' in person_page.content.decode()
    action_page = coordinator.get(reverse("web:network_action", args=[community_action.pk]))
    assert f'href="{guide}?action={community_action.pk}"' in action_page.content.decode()


# ---------------------------------------------------------------- the card


def test_the_card_prints_the_services_of_the_place(facilitator, vmt, directory):
    client = client_for(facilitator)
    response = client.get(reverse("web:safeguarding_card"), {"place": vmt.pk})
    assert response.status_code == 200
    body = response.content.decode()
    card = body[body.index('data-test="card"') :]
    names = re.findall(r'data-test="card-service">\s*<td><b>([^<]+)</b>', card)
    assert names[0] in {
        "CEM Villa María del Triunfo",
        "Comisaría de Villa María del Triunfo",
        "Centro de Salud Mental Comunitario VMT",
        "DEMUNA de Villa María del Triunfo",
    }
    assert set(names) >= {
        "CEM Villa María del Triunfo",
        "Comisaría de Villa María del Triunfo",
        "DEMUNA de Villa María del Triunfo",
        "CEM Lima Cercado",
        "Línea 100",
    }
    assert "CEM Arequipa" not in names  # another department: not on this card
    assert 'href="tel:100"' in card
    assert "24 horas" in card  # the hours
    # The first steps of immediate danger, and a page made to print on A5.
    assert "Call the police or the emergency number now." in card
    assert "guide-card.css" in body


def test_the_card_without_a_place_offers_a_short_list_of_places(facilitator, vmt, directory):
    body = client_for(facilitator).get(reverse("web:safeguarding_card")).content.decode()
    assert 'data-test="card"' not in body
    options = re.findall(r'<option value="(\d+)"', body)
    assert str(vmt.pk) in options
    assert str(place("150101").pk) in options  # Lima Cercado, where the directory has a CEM
    assert str(place("15").pk) in options  # and the department of Lima
    assert len(options) < 40  # never every district of Peru


def test_the_card_of_an_unknown_place_or_a_foreign_organization_is_404(
    facilitator, other_org, directory, vmt
):
    client = client_for(facilitator)
    assert client.get(reverse("web:safeguarding_card"), {"place": "99999999"}).status_code == 404
    response = client.get(reverse("web:safeguarding_card"), {"place": vmt.pk, "org": other_org.pk})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("100", "100"),
        ("(01) 419-7260", "014197260"),
        ("+51 1 419 7260", "+5114197260"),
        ("105 / 01 431 0000", "105"),
        ("Central 01 555 1234", "015551234"),
        ("sin teléfono", ""),
    ],
)
def test_a_phone_as_written_becomes_a_number_to_tap(phone, expected):
    from cascada.web.views.safeguarding import tel

    assert tel(phone) == expected
