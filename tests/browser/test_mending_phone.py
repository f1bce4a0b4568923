"""Mending what was entered, on a 360 px phone in Chromium, in Spanish (issue 7): the
cohort edit form, removing an enrolment, the confirm page before deleting a session, the
report of dates to review, the "Guardando…" button while a form is sent, and the audit
trail with its filters as an auditor. Every page fits the screen without sideways
scrolling and speaks Spanish; with CASCADA_SCREENSHOTS set, each is photographed for
docs/screenshots/."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.db import OperationalError
from django.utils import timezone

from cascada.trainings.models import Enrolment, Session
from tests.accounts.factories import make_user, totp_device
from tests.browser.support import (
    SCREENSHOTS,
    SMALL_PHONE,
    fits,
    needs_chromium,
    shoot,
    sign_in,
    title,
)
from tests.registry.factories import make_org, make_person
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = needs_chromium


@pytest.fixture
def office(transactional_db):
    """A running cohort with two men enrolled, and a cohort still to come where someone
    was marked as completed before it even began (a date problem)."""
    org = make_org(name="Manuela Ramos")
    program = make_program(owner=org, name="Hombres de Miércoles")
    cohort = make_cohort(
        program=program, sessions=3, name="Villa El Salvador 2026", start=dt.date(2026, 3, 2)
    )
    aurelio, benito = (
        make_person(organization=org, given_name=g, family_name=f)
        for g, f in [("Aurelio", "Quispe Mamani"), ("Benito", "Huamán Condori")]
    )
    enrolments = enrol(cohort, aurelio, benito)
    future = make_cohort(
        program=program,
        sessions=2,
        name="Cusco · promotores",
        start=timezone.localdate() + dt.timedelta(days=30),
    )
    (early,) = enrol(future, make_person(organization=org, given_name="Ciro"))
    # Entered before the date rules existed: written straight to the table.
    Enrolment.objects.filter(pk=early.pk).update(completed=True, completed_on=timezone.localdate())
    coordinator = make_user(role="coordinator", organization=org, username="coordinadora")
    auditor = make_user(role="auditor", organization=org, username="auditora")
    return {
        "cohort": cohort,
        "enrolments": enrolments,
        "future": future,
        "coordinator": totp_device(coordinator),
        "auditor": totp_device(auditor),
    }


def test_a_coordinator_mends_cohorts_on_a_phone(live_server, browser, office):
    base = live_server.url
    cohort, future = office["cohort"], office["future"]
    context = browser.new_context(viewport=SMALL_PHONE, device_scale_factor=1, locale="es-PE")
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(
        page, base, office["coordinator"], f"/cohorts/{cohort.pk}/edit/", username="coordinadora"
    )

    # The cohort edit form: in Spanish, its dates filled in, the place picker beside.
    page.locator("#cohort-edit-form").wait_for()
    assert title(page) == "Editar Villa El Salvador 2026"
    assert page.locator("#id_start_date").input_value() == "2026-03-02"
    assert page.locator('[data-test="cohort-edit-save"]').inner_text().strip() == "Guardar"
    fits(page)
    shoot(page, "cohort-edit-phone")

    # Saving: until the server answers, the button says so and cannot be tapped again.
    # For the picture the form answers into a hidden frame, so the page stays as it is
    # at that moment instead of moving on to the cohort.
    page.locator("#id_name").fill("Villa El Salvador 2026 · mañanas")
    page.evaluate(
        """() => {
          const frame = document.createElement("iframe");
          frame.name = "answer";
          frame.hidden = true;
          document.body.append(frame);
          document.getElementById("cohort-edit-form").target = "answer";
        }"""
    )
    save = page.locator('[data-test="cohort-edit-save"]')
    save.click()
    page.locator('[data-test="cohort-edit-save"][aria-busy="true"]').wait_for()
    assert save.inner_text().strip() == "Guardando…"
    assert save.is_disabled()
    fits(page)
    if os.environ.get("CASCADA_SCREENSHOTS"):
        page.screenshot(path=str(SCREENSHOTS / "saving-button-phone.png"))
    # The answer itself is not shown in a frame (X-Frame-Options); the save happened.
    for _ in range(100):
        try:
            cohort.refresh_from_db()
        except OperationalError:
            # The server is writing the cohort right now: SQLite's shared in-memory test
            # database locks the table for readers too (no waiting), so look again.
            page.wait_for_timeout(100)
            continue
        if cohort.name == "Villa El Salvador 2026 · mañanas":
            break
        page.wait_for_timeout(100)
    assert cohort.name == "Villa El Salvador 2026 · mañanas"

    # Removing an enrolment: withdraw or delete, explained in Spanish.
    aurelio = office["enrolments"][0]
    page.goto(f"{base}/enrolments/{aurelio.pk}/remove/")
    page.locator('[data-test="confirm-form"]').wait_for()
    assert title(page) == f"Quitar a {aurelio.person.code} de la cohorte"
    assert page.locator('[data-test="withdraw"]').inner_text().strip() == "Retirar"
    fits(page)
    shoot(page, "enrolment-remove-phone")
    page.locator('[data-test="withdraw"]').click()
    page.wait_for_url(f"{base}/cohorts/{cohort.pk}/#enrolments")
    aurelio.refresh_from_db()
    assert aurelio.status == "withdrawn"

    # The confirm page before deleting a session that never had attendance.
    third = cohort.sessions.get(number=3)
    page.goto(f"{base}/sessions/{third.pk}/delete/")
    page.locator('[data-test="confirm-form"]').wait_for()
    assert title(page) == "Eliminar la sesión 3"
    fits(page)
    shoot(page, "session-delete-phone")
    page.locator('[data-test="confirm"]').click()
    page.wait_for_url(f"{base}/cohorts/{cohort.pk}/#sessions")
    assert not Session.objects.filter(pk=third.pk).exists()

    # The dates to review: the completion entered before the cohort began.
    page.goto(f"{base}/cohorts/dates/")
    problem = page.locator('[data-test="problem"]')
    problem.first.wait_for()
    assert problem.count() == 1
    text = problem.first.inner_text()
    assert future.name in text and "Culminó antes de que terminara la cohorte" in text
    fits(page)
    shoot(page, "date-report-phone")
    context.close()


def test_an_auditor_filters_the_trail_on_a_phone(live_server, browser, office):
    base = live_server.url
    cohort = office["cohort"]
    context = browser.new_context(viewport=SMALL_PHONE, device_scale_factor=1, locale="es-PE")
    page = context.new_page()
    page.set_default_timeout(15000)
    # Something to audit: the coordinator looks at the cohort.
    sign_in(page, base, office["coordinator"], f"/cohorts/{cohort.pk}/", username="coordinadora")
    page.locator('[data-test="cohort-name"]').wait_for()
    context.clear_cookies()

    sign_in(page, base, office["auditor"], "/accounts/audit/", username="auditora")
    page.locator('[data-test="audit-filters"]').wait_for()
    assert title(page) == "Registro de auditoría"
    page.locator('[data-test="audit-filters"] select[name="user"]').select_option(
        label="coordinadora"
    )
    page.locator('[data-test="audit-filters"] button[type="submit"]').click()
    page.wait_for_url("**/accounts/audit/?*")
    rows = page.locator('[data-test="audit-row"]')
    rows.first.wait_for()
    assert rows.count() >= 1
    assert all("coordinadora" in r for r in rows.all_inner_texts())
    shoot(page, "audit-list-phone")
    fits(page)
    context.close()
