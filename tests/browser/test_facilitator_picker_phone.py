"""In a real browser at 360 px (issue 15): on the new-cohort form a coordinator types a
family name in the facilitator picker and the people appear without pressing "Buscar"; he
ticks one, searches another name, and the first stays ticked; a code waits for Enter; the
cohort is created with both (docs/decisions/pages-at-scale.md)."""

from __future__ import annotations

import pytest

from cascada.registry.models import Person
from cascada.trainings.models import Cohort
from tests.accounts.factories import make_user, totp_device
from tests.browser.support import SMALL_PHONE, fits, needs_chromium, sign_in
from tests.registry.factories import make_org, make_person
from tests.trainings.factories import make_program

pytestmark = needs_chromium


@pytest.fixture
def field(transactional_db):
    org = make_org(name="Manuela Ramos")
    program = make_program(owner=org, name="Hombres de Miércoles")
    jorge = make_person(organization=org, given_name="Jorge", family_name="Quispe Huamán")
    mario = make_person(organization=org, given_name="Mario", family_name="Mamani")
    # A code with a digit (one drawn at random in twenty has none, and reads as a name).
    Person.objects.filter(pk=mario.pk).update(code="KQM4PX7Z")
    mario.refresh_from_db()
    user = make_user(role="coordinator", organization=org, username="coordinadora")
    return {"program": program, "jorge": jorge, "mario": mario, "device": totp_device(user)}


def test_facilitators_are_searched_ticked_and_kept(
    live_server,
    browser,  # noqa: F811
    field,
):
    jorge, mario = field["jorge"], field["mario"]
    context = browser.new_context(viewport=SMALL_PHONE, device_scale_factor=1, locale="es-PE")
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, live_server.url, field["device"], "/cohorts/new/")
    assert page.locator('input[name="facilitators"]').count() == 0  # nobody listed
    search = page.locator('[data-test="facilitator-search-q"]')

    # A name, typed: found without "Buscar"; ticked.
    search.press_sequentially("quispe", delay=60)
    found = page.locator(f'[data-test="facilitator-choice"][value="{jorge.pk}"]')
    found.wait_for()
    found.check()
    fits(page)

    # A code waits; Enter finds him, and Jorge stays ticked, apart, listed once.
    search.fill(mario.code)
    page.wait_for_timeout(900)
    assert page.locator('[data-test="facilitator-choice"]').count() == 0
    search.press("Enter")
    page.locator(f'[data-test="facilitator-choice"][value="{mario.pk}"]').check()
    chosen = page.locator(f'[data-test="facilitator-chosen-choice"][value="{jorge.pk}"]')
    assert chosen.is_checked()
    assert page.locator(f'input[name="facilitators"][value="{jorge.pk}"]').count() == 1
    assert not Cohort.objects.exists()  # Enter searched; it sent nothing
    assert mario.code not in page.url and "quispe" not in page.url.lower()
    fits(page)

    page.locator("#id_program").select_option(str(field["program"].pk))
    page.locator("#id_name").fill("Curso de prueba")
    page.locator("#id_start_date").fill("2026-03-02")
    page.locator('[data-test="cohort-save"]').click()
    page.locator('[data-test="cohort-name"]').wait_for()
    assert set(Cohort.objects.get().facilitators.all()) == {jorge, mario}
    context.close()
