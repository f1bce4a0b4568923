"""On a 360 px phone, in Chromium: the cohort form's place picker finds a district by
typing and picks its department and province with it, the cohort is saved there, nothing
is wider than the screen; and the cascade page's tables fit the screen (issue 7)."""

from __future__ import annotations

import importlib
import os

import pytest
from django.apps import apps as django_apps
from django.db import connection

from cascada.registry.models import Place
from cascada.trainings.models import Cohort
from tests.accounts.factories import make_user, totp_device
from tests.browser.support import DESKTOP, SCREENSHOTS, needs_chromium, sign_in
from tests.cascade.factories import complete, run_cohort
from tests.registry.factories import make_org, make_person
from tests.trainings.factories import make_program

pytestmark = needs_chromium

PHONE = {"width": 360, "height": 780}


def _shoot(page, name: str, *, element: str | None = None) -> None:
    """With CASCADA_SCREENSHOTS set, a picture for docs/screenshots/."""
    if not os.environ.get("CASCADA_SCREENSHOTS"):
        return
    path = str(SCREENSHOTS / f"{name}.png")
    if element:
        page.locator(element).screenshot(path=path)
    else:
        page.screenshot(path=path, full_page=True)


@pytest.fixture
def world(transactional_db):
    if not Place.objects.exists():  # an earlier transactional test flushed the migration's rows
        loader = importlib.import_module("cascada.registry.migrations.0002_load_places")
        loader.load_places(django_apps, connection.schema_editor())
    org = make_org(name="Manuela Ramos")
    program = make_program(owner=org, name="Cascada Nacional")
    national = make_person(organization=org)
    trainers = [make_person(organization=org) for _ in range(3)]
    complete(run_cohort(program=program, facilitators=(national,), kind="tot"), *trainers)
    for trainer in trainers:
        cohort = run_cohort(
            program=program,
            facilitators=(trainer,),
            place=Place.objects.get(country="PE", code="080108"),
        )
        complete(cohort, *(make_person(organization=org) for _ in range(3)))
    user = make_user(role="coordinator", organization=org, username="coordinadora")
    return {"program": program, "trainers": trainers, "device": totp_device(user)}


def _overflow(page) -> list[str]:
    """What is wider than its box: the page itself, or any table inside its wrapper."""
    return page.evaluate(
        """() => {
          const out = [];
          if (document.documentElement.scrollWidth > window.innerWidth) out.push("page");
          document.querySelectorAll("table").forEach((t) => {
            const box = t.parentElement.getBoundingClientRect();
            if (t.scrollWidth > Math.ceil(box.width) + 1) out.push(t.id || "table");
          });
          return out;
        }"""
    )


def test_pick_a_district_by_typing_on_a_phone(live_server, browser, world):
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="es-PE")
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, live_server.url, world["device"], "/cohorts/new/")
    page.locator("#id_place_q").wait_for()
    assert _overflow(page) == []

    page.locator("#id_place_q").fill("wanchaq")
    result = page.locator('[data-test="place-results"] button').first
    result.wait_for()
    assert result.inner_text() == "Wanchaq (distrito) — Cusco, Cusco"
    _shoot(page, "place-search-phone", element="#place-picker")
    result.click()
    page.locator("#id_place3 option[selected]").wait_for(state="attached")
    page.wait_for_timeout(200)  # htmx settles the swapped picker
    chosen = [page.locator(f"#id_place{n} option:checked").inner_text() for n in (1, 2, 3)]
    assert chosen == ["Cusco", "Cusco", "Wanchaq"]
    assert _overflow(page) == []
    _shoot(page, "place-picked-phone", element="#place-picker")

    page.locator("#id_program").select_option(str(world["program"].pk))
    page.locator("#id_name").fill("Réplica Wanchaq")
    page.locator("#id_start_date").fill("2026-03-02")
    _shoot(page, "cohort-form-phone")
    page.locator('[data-test="cohort-save"]').click()
    page.wait_for_load_state()
    cohort = Cohort.objects.get(name="Réplica Wanchaq")
    assert cohort.place == Place.objects.get(country="PE", code="080108")
    context.close()


def test_the_cascade_page_fits_a_phone(live_server, browser, world):
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="es-PE")
    page = context.new_page()
    page.set_default_timeout(15000)
    url = f"/cascade/programs/{world['program'].pk}/"
    sign_in(page, live_server.url, world["device"], url)
    page.locator('[data-test="generation-2"] summary').click()
    page.locator('[data-test="level-trainers"]').wait_for()
    assert _overflow(page) == []
    _shoot(page, "cascade-program-phone")

    # A trainer's own page: her reach downstream and her tree, in Spanish.
    page.goto(f"{live_server.url}/cascade/trainers/{world['trainers'][0].pk}/")
    page.locator("h1").wait_for()
    assert _overflow(page) == []
    assert "Generación" in page.locator("main").inner_text()
    _shoot(page, "cascade-trainer-phone")
    context.close()


def test_the_cohort_form_and_the_cascade_on_a_desktop(live_server, browser, world):
    context = browser.new_context(viewport=DESKTOP, device_scale_factor=1, locale="es-PE")
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, live_server.url, world["device"], "/cohorts/new/")
    page.locator("#id_place_q").wait_for()
    assert _overflow(page) == []
    assert page.locator("h1").inner_text().strip() == "Nueva cohorte"
    _shoot(page, "cohort-form-desktop")

    page.goto(f"{live_server.url}/cascade/programs/{world['program'].pk}/")
    page.locator('[data-test="generation-2"] summary').click()
    page.locator('[data-test="level-trainers"]').wait_for()
    assert _overflow(page) == []
    _shoot(page, "cascade-program-desktop")
    context.close()


def test_without_javascript_the_lists_fill_by_round_trips(live_server, browser, world):
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=1, locale="es-PE", java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, live_server.url, world["device"], "/cohorts/new/")
    page.locator("#id_program").select_option(str(world["program"].pk))
    page.locator("#id_name").fill("Taller Wanchaq")
    page.locator("#id_start_date").fill("2026-03-02")
    refresh = page.locator('[data-test="place-refresh"]')
    page.locator("#id_place1").select_option(label="Cusco")
    refresh.click()
    page.locator("#id_place2").select_option(label="Cusco")
    refresh.click()
    page.locator("#id_place3").select_option(label="Wanchaq")
    assert page.locator("#id_name").input_value() == "Taller Wanchaq"  # kept across trips
    assert not Cohort.objects.filter(name="Taller Wanchaq").exists()
    page.locator('[data-test="cohort-save"]').click()
    page.wait_for_load_state()
    cohort = Cohort.objects.get(name="Taller Wanchaq")
    assert cohort.place == Place.objects.get(country="PE", code="080108")
    context.close()
