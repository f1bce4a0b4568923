"""End to end in a real browser: a coordinator completes a training-of-trainers cohort,
opens a cohort run by one of its completers, takes attendance there, and sees the
program's cascade grow by a generation. Reuses the helpers of the training flow."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django_otp.oath import totp

from tests.accounts.factories import PASSWORD, make_user, totp_device
from tests.browser.test_training_flow import CHROMIUM, PHONE, _open_roster, browser  # noqa: F401
from tests.registry.factories import make_org, make_person
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM),
        reason="Debian's Chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
    ),
]


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


def _sign_in(page, live_server, device, next_url):
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.locator('[data-test="login-form"] input[name="username"]').fill("coordinadora")
    page.locator('[data-test="login-form"] input[name="password"]').fill(PASSWORD)
    page.locator('[data-test="login-submit"]').click()
    token = page.locator('input[name="token"], input[name="otp_token"]').first
    token.fill(f"{totp(device.bin_key):06d}")
    token.press("Enter")
    page.wait_for_load_state()


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
    _sign_in(page, live_server, cascade["device"], f"/cascade/programs/{program.pk}/")
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
