"""In a real browser (Chromium, phone width): a session still to come refuses attendance
with a clear message naming its day, both when the roster opens and after a tap."""

from __future__ import annotations

import datetime as dt
import os

from django.utils import formats, timezone, translation

from tests.accounts.factories import make_user, totp_device
from tests.browser.support import SCREENSHOTS, SMALL_PHONE, needs_chromium, sign_in
from tests.registry.factories import make_org, make_person
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = needs_chromium


def _month_names(day: dt.date) -> set[str]:
    names = set()
    for language in ("es", "en"):
        with translation.override(language):
            names.add(formats.date_format(day, "F").lower())
    return names


def test_a_future_session_refuses_attendance_with_a_clear_message(
    live_server, browser, transactional_db
):
    org = make_org(name="Manuela Ramos")
    start = timezone.localdate() + dt.timedelta(days=7)
    cohort = make_cohort(program=make_program(owner=org), sessions=2, start=start, name="Futura")
    (enrolment,) = enrol(cohort, make_person(organization=org, given_name="Aurelio"))
    user = make_user(role="coordinator", organization=org, username="coordinadora")
    device = totp_device(user)
    session = cohort.sessions.get(number=1)

    context = browser.new_context(viewport=SMALL_PHONE, device_scale_factor=1, locale="es-PE")
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, live_server.url, device, f"/sessions/{session.pk}/roster/")

    # On opening: the roster says from which day attendance can be taken.
    notice = page.locator('ul[data-test="roster-error"]')
    notice.wait_for()
    text = notice.inner_text().lower()
    assert str(start.day) in text and any(m in text for m in _month_names(start))

    # A tap anyway: the row says why and stays unmarked; nothing is written.
    row = page.locator(f'[data-test="roster-row"][data-enrolment="{enrolment.pk}"]')
    row.locator('[data-test="mark-present"]').click()
    row_error = page.locator(
        f'[data-test="roster-row"][data-enrolment="{enrolment.pk}"] [data-test="roster-error"]'
    )
    row_error.wait_for()
    assert str(start.day) in row_error.inner_text()
    assert row.get_attribute("data-status") == ""
    assert not session.attendance.exists()
    # Both messages fit the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
    if os.environ.get("CASCADA_SCREENSHOTS"):
        page.screenshot(path=str(SCREENSHOTS / "future-session-roster-phone.png"), full_page=True)
    context.close()
