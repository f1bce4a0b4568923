"""End to end in a real browser: a coordinator completes a training-of-trainers cohort,
opens a cohort run by one of its completers, takes attendance there, and sees the
program's cascade grow by a generation. Reuses the helpers of the training flow."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from tests.accounts.factories import make_user, totp_device
from tests.browser.support import PHONE, needs_chromium, sign_in
from tests.browser.test_training_flow import _open_roster
from tests.registry.factories import make_org, make_person
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = needs_chromium


@pytest.fixture
def cascade(transactional_db):
    org = make_org(name="Manuela Ramos")
    program = make_program(owner=org, name="Cascada Nacional")
    national = make_person(organization=org, given_name="Nora", family_name="Flores")
    aurelio, benito, ciro = (
        make_person(organization=org, given_name=g, family_name=f)
        for g, f in [("Aurelio", "Quispe"), ("Benito", "Mamani"), ("Ciro", "Huamán")]
    )
    tot = make_cohort(
        program=program,
        sessions=1,
        kind="tot",
        name="CdC Cusco",
        start=dt.date(2026, 3, 2),
        facilitators=(national,),
    )
    enrol(tot, aurelio, benito)
    replica = make_cohort(
        program=program,
        sessions=1,
        kind="workshop",
        name="Réplica Wanchaq",
        start=dt.date(2026, 5, 4),
        facilitators=(aurelio,),
    )
    enrol(replica, ciro)
    user = make_user(role="coordinator", organization=org, username="coordinadora")
    return {"program": program, "tot": tot, "replica": replica, "device": totp_device(user)}


def _complete_everyone(page, live_server, cohort):
    page.goto(f"{live_server.url}/cohorts/{cohort.pk}/")
    page.locator('[data-test="cohort-name"]').wait_for()
    _open_roster(page, 1)
    page.locator('[data-test="mark-all-present"]').click()
    page.wait_for_load_state()
    page.locator('[data-test="roster-done"]').click()
    page.locator('[data-test="completion-summary"]').wait_for()


def _generations(page, live_server, program):
    page.goto(f"{live_server.url}/cascade/programs/{program.pk}/")
    levels = page.locator('[data-test="cascade-levels"]')
    return levels.get_attribute("data-completed-generations")


def test_the_cascade_grows_a_generation(live_server, browser, cascade):  # noqa: F811
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="es-PE")
    page = context.new_page()
    page.set_default_timeout(15000)
    program = cascade["program"]
    sign_in(page, live_server.url, cascade["device"], f"/cascade/programs/{program.pk}/")
    assert _generations(page, live_server, program) == "0"

    # The ToT cohort completes: its two completers are generation 1 and may facilitate.
    _complete_everyone(page, live_server, cascade["tot"])
    assert _generations(page, live_server, program) == "1"

    # A cohort run by one of its completers completes: a second generation appears.
    _complete_everyone(page, live_server, cascade["replica"])
    assert _generations(page, live_server, program) == "2"
    page.locator('[data-test="generation-2"] summary').click()
    page.locator('[data-test="level-trainers"]').wait_for()  # htmx loads the trainers
    if os.environ.get("CASCADA_SCREENSHOTS"):
        from tests.browser.test_training_flow import SCREENSHOTS

        page.screenshot(path=str(SCREENSHOTS / "cascade-phone.png"), full_page=True)
    context.close()
