"""In a real browser at 360 px: a facilitator registers a participant from the roster of
the first session (consent on the spot) and takes attendance; the roster tells two men
called "Jorge E." apart, and no button label breaks inside a word (issue 7)."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from cascada.registry.models import Consent
from cascada.trainings.models import Attendance, Enrolment
from tests.accounts.factories import make_user, totp_device
from tests.browser.support import SCREENSHOTS, SMALL_PHONE, needs_chromium, sign_in
from tests.registry.factories import make_org, make_person
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = needs_chromium

# True when the text of an element is laid out on more than one line.
WRAPS = """el => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
  return tops.size > 1;
}"""


@pytest.fixture
def field(transactional_db):
    org = make_org(name="Manuela Ramos")
    program = make_program(owner=org, name="Hombres de Miércoles")
    fausto = make_person(organization=org, given_name="Fausto", family_name="Ríos")
    cohort = make_cohort(
        program=program,
        sessions=3,
        name="Villa El Salvador 2026",
        start=dt.date(2026, 3, 2),
        end_date=dt.date(2030, 12, 31),  # open: a closed cohort registers nobody
        facilitators=(fausto,),
    )
    enrol(
        cohort,
        make_person(organization=org, given_name="Jorge", family_name="Espinoza Quispe"),
    )
    user = make_user(role="facilitator", organization=org, person=fausto, username="fausto")
    return {"cohort": cohort, "device": totp_device(user), "fausto": fausto}


def test_facilitator_registers_a_participant_from_the_roster_and_takes_attendance(
    live_server,
    browser,  # noqa: F811
    field,
):
    cohort = field["cohort"]
    session = cohort.sessions.get(number=1)
    context = browser.new_context(viewport=SMALL_PHONE, device_scale_factor=1, locale="es-PE")
    page = context.new_page()
    page.set_default_timeout(15000)

    sign_in(
        page, live_server.url, field["device"], f"/sessions/{session.pk}/roster/", username="fausto"
    )
    page.locator('[data-test="roster"]').wait_for()

    # "Registrar participante" on the roster opens the short form.
    page.locator('[data-test="register-participant"]').click()
    form = page.locator('[data-test="participant-form"]')
    form.wait_for()
    form.locator('input[name="given_name"]').fill("Jorge")
    form.locator('input[name="family_name"]').fill("Espinoza Mamani")
    form.locator('input[name="age"]').fill("31")
    form.locator('input[name="participation_consent"]').check()
    form.locator('input[name="reporting_consent"]').check()
    form.locator('input[name="consent_text_version"]').fill("v2-2026")
    # The form fits the phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
    if os.environ.get("CASCADA_SCREENSHOTS"):
        page.screenshot(path=str(SCREENSHOTS / "participant-register-phone.png"), full_page=True)
    page.locator('[data-test="register-save"]').click()

    # Back on the roster, the new man is there; the two Jorges can be told apart.
    page.locator('[data-test="roster"]').wait_for()
    new = Enrolment.objects.select_related("person").get(
        cohort=cohort, person__consents__purpose="participation"
    )
    assert Consent.objects.filter(person=new.person).count() == 2
    names = page.locator('[data-test="roster-row"] .roster-name').all_inner_texts()
    assert sorted(names) == ["Jorge E. M.", "Jorge E. Q."]

    # One tap each: attendance is recorded for the man just registered.
    row = page.locator(f'[data-test="roster-row"][data-enrolment="{new.pk}"]')
    row.locator('[data-test="mark-makeup"]').click()
    page.locator(
        f'[data-test="roster-row"][data-enrolment="{new.pk}"][data-status="makeup"]'
    ).wait_for()
    assert Attendance.objects.get(enrolment=new, session=session).status == "makeup"

    # At 360 px no button breaks inside a word ("Recuper/ó").
    for button in page.locator('[data-test="roster-row"] .mark').all():
        assert not button.evaluate(WRAPS), button.inner_text()
        assert button.evaluate("el => el.scrollWidth <= el.clientWidth"), button.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
    if os.environ.get("CASCADA_SCREENSHOTS"):
        page.screenshot(path=str(SCREENSHOTS / "roster-register-phone.png"), full_page=True)

    # The cohort page's enrolment picker is a search (htmx, POST) that never offers the
    # cohort's own facilitator.
    page.locator('[data-test="roster-done"]').click()
    page.locator('[data-test="cohort-name"]').wait_for()
    assert page.locator('[data-test="enrol-choice"]').count() == 0
    page.locator('[data-test="enrol-open"]').click()
    page.locator('input[name="enrol-q"]').fill(field["fausto"].code)
    page.locator('[data-test="enrol-search-submit"]').click()
    page.locator('[data-test="enrol-none"]').wait_for()
    assert f"/cohorts/{cohort.pk}/" in page.url and field["fausto"].code not in page.url
    if os.environ.get("CASCADA_SCREENSHOTS"):
        page.screenshot(path=str(SCREENSHOTS / "cohort-enrol-search-phone.png"), full_page=True)
    context.close()
