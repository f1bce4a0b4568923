"""In a real browser at 360 px (issue 15): a coordinator types a family name in the
cohort's enrolment picker and the people appear without pressing "Buscar"; a code typed
waits for "Buscar" and its results stay after the pause; ticking one enrols him
(docs/decisions/pages-at-scale.md)."""

from __future__ import annotations

import datetime as dt

import pytest

from cascada.trainings.models import Enrolment
from tests.accounts.factories import make_user, totp_device
from tests.browser.support import SMALL_PHONE, fits, needs_chromium, sign_in
from tests.registry.factories import make_org, make_person
from tests.trainings.factories import make_cohort, make_program

pytestmark = needs_chromium


@pytest.fixture
def field(transactional_db):
    org = make_org(name="Manuela Ramos")
    program = make_program(owner=org, name="Hombres de Miércoles")
    cohort = make_cohort(program=program, sessions=2, name="Curso de prueba",
                         end_date=dt.date(2030, 12, 31))  # fmt: skip  # open: enrols
    jorge = make_person(organization=org, given_name="Jorge", family_name="Quispe Huamán")
    mario = make_person(organization=org, given_name="Mario", family_name="Mamani")
    user = make_user(role="coordinator", organization=org, username="coordinadora")
    return {"cohort": cohort, "jorge": jorge, "mario": mario, "device": totp_device(user)}


def test_a_typed_name_finds_him_and_a_code_waits_for_search(
    live_server,
    browser,  # noqa: F811
    field,
):
    cohort, jorge, mario = field["cohort"], field["jorge"], field["mario"]
    context = browser.new_context(viewport=SMALL_PHONE, device_scale_factor=1, locale="es-PE")
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, live_server.url, field["device"], f"/cohorts/{cohort.pk}/")
    page.locator('[data-test="enrol-open"]').click()
    search = page.locator('[data-test="enrol-search-q"]')

    # A code: nothing while typed; "Buscar" finds him, and the pause after does not wipe it.
    search.fill(mario.code)
    page.wait_for_timeout(900)
    assert page.locator('[data-test="enrol-choice"]').count() == 0
    page.locator('[data-test="enrol-search-submit"]').click()
    page.locator(f'[data-test="enrol-choice"][value="{mario.pk}"]').wait_for()
    page.wait_for_timeout(900)
    assert page.locator('[data-test="enrol-choice"]').count() == 1

    # A name: typed, found without "Buscar".
    search.fill("")
    search.press_sequentially("quispe", delay=60)
    page.locator(f'[data-test="enrol-choice"][value="{jorge.pk}"]').wait_for()
    assert page.locator('[data-test="enrol-choice"]').count() == 1
    assert jorge.code not in page.url and "quispe" not in page.url.lower()
    fits(page)
    page.locator(f'[data-test="enrol-choice"][value="{jorge.pk}"]').check()
    page.locator('[data-test="enrol-submit"]').click()
    page.locator('[data-test="enrolment-row"]').first.wait_for()
    assert Enrolment.objects.filter(cohort=cohort, person=jorge).exists()
    context.close()
