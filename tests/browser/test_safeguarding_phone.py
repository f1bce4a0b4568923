"""Safeguarding on a 360 px phone in Chromium, in Spanish (issue 13): during a session a
man says his partner is in danger; the facilitator opens the session's page, taps "¿Qué
hacer ahora?", reads the guide, taps "Registrar un caso" and records it with the least
data. Then the safeguarding lead signs in, finds the case in the list and refers it to the
nearest CEM with the woman's consent. Every page fits the screen; with CASCADA_SCREENSHOTS
set, the case form and the case page are photographed for docs/screenshots/."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.db import connection

from cascada.registry.models import Place
from cascada.safeguarding.models import Disclosure, Referral
from cascada.safeguarding.services import lead_name, service_save
from tests.accounts.factories import make_user, totp_device
from tests.browser.support import (
    SMALL_PHONE,
    fits,
    needs_chromium,
    shoot,
    sign_in,
    title,
)
from tests.registry.factories import make_org, make_person
from tests.trainings.factories import make_cohort, make_program

pytestmark = needs_chromium


@pytest.fixture
def office(transactional_db):
    if not Place.objects.exists():  # an earlier transactional test flushed the migration's rows
        loader = importlib.import_module("cascada.registry.migrations.0002_load_places")
        loader.load_places(django_apps, connection.schema_editor())
    org = make_org(name="Manuela Ramos")
    vmt = Place.objects.get(country="PE", code="150143")  # Villa María del Triunfo
    program = make_program(owner=org, name="Hombres de Miércoles", is_court_mandated=True)
    julio = make_person(organization=org, given_name="Julio")
    cohort = make_cohort(
        program=program, name="Grupo de los miércoles", place=vmt, facilitators=(julio,)
    )
    facilitator = make_user(role="facilitator", organization=org, person=julio, username="julio")
    admin = make_user(role="administrator", organization=org, username="admin")
    lead = make_user(role="viewer", organization=org, username="responsable")
    lead_name(actor=admin, organization=org, user=lead)
    for name, kind, phone, place in (
        ("CEM Villa María del Triunfo", "cem", "01 419 2000", vmt),
        ("CEM Arequipa", "cem", "054 200 300", Place.objects.get(country="PE", code="040101")),
        ("Comisaría de Villa María del Triunfo", "police", "01 450 1234", vmt),
        ("Línea 100", "helpline", "100", None),
    ):
        service_save(actor=lead, organization=org, name=name, kind=kind, phone=phone, place=place)
    return {
        "session": cohort.sessions.order_by("number").first(),
        "facilitator": totp_device(facilitator),
        "lead": totp_device(lead),
    }


def _tap_choice(page, name: str, value: str) -> None:
    """Tap the label of a choice (the whole row is the target, as with a thumb)."""
    page.locator(f"label:has(input[name='{name}'][value='{value}'])").click()


def test_a_facilitator_records_a_case_and_the_lead_refers_it_on_a_phone(
    live_server, browser, office
):
    base = live_server.url
    session = office["session"]
    context = browser.new_context(viewport=SMALL_PHONE, device_scale_factor=1, locale="es-PE")
    page = context.new_page()
    page.set_default_timeout(15000)

    # The facilitator, on the session's page during the group.
    sign_in(page, base, office["facilitator"], f"/sessions/{session.pk}/roster/", username="julio")
    page.locator('[data-test="what-to-do-now"]').click()
    page.wait_for_url(f"**/safeguarding/guide/?session={session.pk}")
    assert title(page) == "¿Qué hacer ahora?"
    page.locator('[data-test="record-case"]').click()
    page.wait_for_url(f"**/safeguarding/new/?session={session.pk}")

    # The form: where it came from, today's date, big choices, no narrative asked for.
    form = page.locator('[data-test="case-form"]')
    assert title(page) == "Registrar un caso"
    assert "Grupo de los miércoles" in page.locator('[data-test="case-origin"]').inner_text()
    assert page.locator("input[name='occurred_on']").input_value() != ""
    _tap_choice(page, "at_risk", "partner")
    _tap_choice(page, "kind", "physical")
    _tap_choice(page, "urgency", "urgent")
    _tap_choice(page, "first_actions", "informed")
    _tap_choice(page, "first_actions", "lead")
    tapped = page.locator("label:has(input[name='at_risk'][value='partner'])").bounding_box()
    assert tapped is not None and tapped["height"] >= 44  # a thumb's target
    fits(page)
    shoot(page, "safeguarding-case-new-phone")
    form.locator("textarea[name='notes']").fill("Pidió que no se llame a su casa.")
    page.locator('[data-test="case-save"]').click()

    # The case page: the recorder reads it; nothing is referred yet, which is awaited.
    page.locator('[data-test="case-title"]').wait_for()
    case = Disclosure.objects.get()
    assert title(page) == f"Caso {case.pk}"
    assert page.url.endswith(f"/safeguarding/cases/{case.pk}/")
    assert f"Caso {case.pk} registrado" in page.locator('[data-test="messages"]').inner_text()
    assert page.locator('[data-test="case-at-risk"]').inner_text() == "La pareja o expareja"
    assert "Hacer una derivación" in page.locator('[data-test="case-due"]').inner_text()
    # The recorder refers with consent only: no override offered.
    assert page.locator("input[name='basis'][value='override']").count() == 0
    fits(page)
    context.clear_cookies()

    # The safeguarding lead: the case in the list, then the referral to the nearest CEM.
    sign_in(page, base, office["lead"], "/safeguarding/", username="responsable")
    row = page.locator(f'[data-test="case-row"][data-case="{case.pk}"]')
    row.wait_for()
    assert "La pareja o expareja" in row.inner_text()
    assert "Hacer una derivación" in row.inner_text()
    assert "Pidió" not in page.content()  # no notes in the list
    fits(page)
    shoot(page, "safeguarding-case-list-phone")
    row.locator('[data-test="case-link"]').click()
    page.locator('[data-test="case-title"]').wait_for()
    assert (
        "Pidió que no se llame a su casa." in page.locator('[data-test="case-notes"]').inner_text()
    )
    referral = page.locator('[data-test="referral-form"]')
    options = referral.locator("select[name='service'] option").all_inner_texts()
    assert options[1].startswith("CEM Villa María del Triunfo")  # the nearest first
    assert not any(o.startswith("CEM Arequipa") for o in options[1:3])
    referral.locator("select[name='service']").select_option(label=options[1])
    _tap_choice(page, "basis", "consent")
    referral.locator("select[name='consent_from']").select_option("person")
    referral.locator("input[name='consent_text_version']").fill("v1 2026")
    page.locator('[data-test="referral-save"]').click()

    card = page.locator('[data-test="referral"]')
    card.wait_for()
    assert "CEM Villa María del Triunfo" in card.inner_text()
    assert "Con consentimiento" in card.locator('[data-test="referral-basis"]').inner_text()
    assert "Derivación registrada." in page.locator('[data-test="messages"]').inner_text()
    made = Referral.objects.get()
    assert (made.basis, made.consent_text_version) == ("consent", "v1 2026")
    assert card.locator('[data-test="referral-phone"]').get_attribute("href") == "tel:014192000"
    fits(page)
    shoot(page, "safeguarding-case-phone")
    context.close()
