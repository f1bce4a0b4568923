"""In a real browser at 360 px: a coordinator finds every Quispe by the surname alone,
then removes a record entered by mistake after a confirmation page (issue 7)."""

from __future__ import annotations

import os

import pytest

from cascada.registry.models import Person
from tests.accounts.factories import make_user, totp_device
from tests.browser.support import SCREENSHOTS, SMALL_PHONE, needs_chromium, sign_in
from tests.registry.factories import make_org, make_person

pytestmark = needs_chromium


@pytest.fixture
def office(transactional_db):
    org = make_org(name="Manuela Ramos")
    quispes = [
        make_person(organization=org, given_name="José Luis", family_name="Quispe Mamani"),
        make_person(organization=org, given_name="Juan", family_name="Quispe Huanca"),
    ]
    mistake = make_person(organization=org, given_name="Prueba", family_name="Borrar Quispe")
    make_person(organization=org, given_name="Jorge", family_name="Condori")
    user = make_user(role="coordinator", organization=org, username="coordina")
    return {"quispes": quispes, "mistake": mistake, "device": totp_device(user)}


def test_search_by_surname_then_remove_a_mistake(live_server, browser, office):  # noqa: F811
    context = browser.new_context(viewport=SMALL_PHONE, device_scale_factor=1, locale="es-PE")
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, live_server.url, office["device"], "/people/", username="coordina")

    # "quispe", lower case, finds the three Quispes and nobody else
    page.locator('#person-search input[name="q"]').fill("quispe")
    page.locator('[data-test="search-submit"]').click()
    results = page.locator('[data-test="search-results"]')
    results.get_by_text("Borrar Quispe").wait_for()
    text = results.inner_text()
    assert "Quispe Mamani" in text and "Quispe Huanca" in text and "Condori" not in text
    assert page.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
    if os.environ.get("CASCADA_SCREENSHOTS"):
        page.screenshot(path=str(SCREENSHOTS / "people-search-phone.png"), full_page=True)

    mistake = office["mistake"]
    page.goto(f"{live_server.url}/people/{mistake.pk}/")
    page.locator('[data-test="person-remove"]').click()
    page.locator('[data-test="remove-confirm"]').wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
    if os.environ.get("CASCADA_SCREENSHOTS"):
        page.screenshot(path=str(SCREENSHOTS / "person-remove-phone.png"), full_page=True)
    page.locator('[data-test="remove-confirm-submit"]').click()
    page.wait_for_url(f"{live_server.url}/people/")
    assert not Person.objects.filter(pk=mistake.pk).exists()
    assert Person.objects.count() == 4 - 1
    context.close()
