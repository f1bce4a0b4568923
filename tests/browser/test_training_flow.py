"""End to end in a real browser: a coordinator signs in with a password and a TOTP code,
opens a cohort, takes attendance on the phone roster, and sees completion and a
certificate appear. Playwright drives Debian's Chromium, headless."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django_otp.oath import totp

from tests.accounts.factories import PASSWORD, make_user, totp_device
from tests.browser.support import PHONE, SCREENSHOTS, needs_chromium
from tests.registry.factories import make_org, make_person
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = needs_chromium


@pytest.fixture
def training(transactional_db):
    org = make_org(name="Manuela Ramos")
    program = make_program(owner=org, name="Hombres de Miércoles")
    cohort = make_cohort(
        program=program, sessions=4, name="Cusco · promotores 2026", start=dt.date(2026, 3, 2)
    )
    people = [
        make_person(organization=org, given_name=g, family_name=f)
        for g, f in [("Aurelio", "Quispe"), ("Benito", "Mamani"), ("Ciro", "Huamán")]
    ]
    enrolments = enrol(cohort, *people)
    user = make_user(role="coordinator", organization=org, username="coordinadora")
    device = totp_device(user)
    return {"cohort": cohort, "enrolments": enrolments, "device": device, "user": user}


def _row(page, enrolment):
    return page.locator(f'[data-test="roster-row"][data-enrolment="{enrolment.pk}"]')


def _tap(page, enrolment, status):
    """One tap on the roster; htmx swaps the row, which then carries the new status."""
    _row(page, enrolment).locator(f'[data-test="mark-{status}"]').click()
    page.locator(
        f'[data-test="roster-row"][data-enrolment="{enrolment.pk}"][data-status="{status}"]'
    ).wait_for()


def _open_roster(page, number):
    page.locator(
        f'[data-test="session-row"][data-number="{number}"] [data-test="roster-link"]'
    ).click()
    page.locator('[data-test="roster"]').wait_for()


def test_coordinator_takes_attendance_and_issues_a_certificate(live_server, browser, training):
    cohort = training["cohort"]
    aurelio, benito, ciro = training["enrolments"]
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="es-PE")
    page = context.new_page()
    page.set_default_timeout(15000)
    cohort_url = f"{live_server.url}/cohorts/{cohort.pk}/"

    # Sign in: password, then the six-digit code of the authenticator app.
    page.goto(f"{live_server.url}/accounts/login/?next=/cohorts/{cohort.pk}/")
    page.locator('[data-test="login-form"] input[name="username"]').fill("coordinadora")
    page.locator('[data-test="login-form"] input[name="password"]').fill(PASSWORD)
    page.locator('[data-test="login-submit"]').click()
    code = f"{totp(training['device'].bin_key):06d}"
    token = page.locator('input[name="token"], input[name="otp_token"]').first
    token.fill(code)
    token.press("Enter")
    page.wait_for_load_state()
    if not page.url.startswith(cohort_url):
        page.goto(cohort_url)
    page.locator('[data-test="cohort-name"]').wait_for()
    assert page.locator('[data-test="n-completed"]').inner_text() == "0"

    # Session 1: "mark everyone present", then correct Ciro to absent with one tap.
    _open_roster(page, 1)
    page.locator('[data-test="mark-all-present"]').click()
    page.wait_for_load_state()
    _row(page, ciro).wait_for()
    assert _row(page, aurelio).get_attribute("data-status") == "present"
    _tap(page, ciro, "absent")
    if os.environ.get("CASCADA_SCREENSHOTS"):
        page.screenshot(path=str(SCREENSHOTS / "roster-phone.png"), full_page=True)

    # Sessions 2 to 4: one tap per person. Aurelio attends all; Benito misses two (50%).
    for number, marks in [
        (2, {aurelio: "present", benito: "excused", ciro: "absent"}),
        (3, {aurelio: "present", benito: "absent", ciro: "absent"}),
        (4, {aurelio: "makeup", benito: "present", ciro: "absent"}),
    ]:
        page.locator('[data-test="roster-done"]').click()
        page.locator('[data-test="cohort-name"]').wait_for()
        _open_roster(page, number)
        for enrolment, status in marks.items():
            _tap(page, enrolment, status)

    # Back on the cohort page: Aurelio completed (4 of 4 ≥ 80%), the others did not.
    page.locator('[data-test="roster-done"]').click()
    page.locator('[data-test="completion-summary"]').wait_for()
    assert page.locator('[data-test="n-completed"]').inner_text() == "1"
    aurelio_row = page.locator(f'[data-test="enrolment-row"][data-enrolment="{aurelio.pk}"]')
    assert aurelio_row.locator('[data-test="completed"]').count() == 1
    benito_row = page.locator(f'[data-test="enrolment-row"][data-enrolment="{benito.pk}"]')
    assert benito_row.locator('[data-test="completed"]').count() == 0
    assert page.locator('[data-test="session-missing"]').count() == 0

    # The certificate becomes available: issue it, then the PDF link answers with a PDF.
    aurelio_row.locator('[data-test="certificate-issue"]').click()
    pdf_link = page.locator(
        f'[data-test="enrolment-row"][data-enrolment="{aurelio.pk}"] [data-test="certificate-pdf"]'
    )
    pdf_link.wait_for()
    if os.environ.get("CASCADA_SCREENSHOTS"):
        page.screenshot(path=str(SCREENSHOTS / "cohort-phone.png"), full_page=True)
    response = page.request.get(live_server.url + pdf_link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    if os.environ.get("CASCADA_SCREENSHOTS"):
        page.goto(f"{live_server.url}/cohorts/new/?program={cohort.program_id}")
        page.locator('input[name="pattern"][value="weekdays"]').check()
        page.screenshot(path=str(SCREENSHOTS / "cohort-create-phone.png"), full_page=True)
        code = aurelio.person.enrolments.get().certificate.code
        page.goto(f"{live_server.url}/verify/{code}/")
        page.screenshot(path=str(SCREENSHOTS / "certificate-verify-phone.png"), full_page=True)
    context.close()
