"""A Commitment to Action followed by its three roles in Chromium (issue 11): the
institution's focal point reports the mid-term milestone done with its evidence, the
mentor logs a session, and the grant manager releases the second tranche, which waited
on that milestone. Each signs in through the real form with the second factor (the
mentor and the focal point hold no role but open evidence: S6), on a 360 px phone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cascada.commitments.models import MentoringSession, Milestone, Tranche
from cascada.commitments.services import grant_create
from tests.accounts.factories import make_user, totp_device
from tests.browser.support import SMALL_PHONE, needs_chromium, sign_in
from tests.commitments.conftest import (  # noqa: F401 (fixtures: Bolivia's initiative)
    alianza,
    cies,
    commitment,
    el_alto,
    focal,
    funder,
    initiative,
    manager,
    mentor,
)

pytestmark = [*needs_chromium, pytest.mark.django_db(transaction=True)]
ACTA = b"%PDF-1.4\n% acta de aprobacion del informe de medio termino\n%%EOF\n"


def _open_form(page, name: str):
    box = page.locator(f'[data-test="form-{name}"]')
    box.locator("summary").click()
    return box.locator("form")


def test_focal_point_mentor_and_grant_manager_move_a_commitment_forward(
    live_server,
    browser,
    commitment,  # noqa: F811 (fixtures imported from tests/commitments/conftest.py)
    focal,  # noqa: F811
    mentor,  # noqa: F811
    manager,  # noqa: F811
):
    mid = commitment.milestones.get(key="informe-medio")
    grant = grant_create(
        actor=None,
        commitment=commitment,
        amount="20000.00",
        currency="BOB",
        awarded_on=dt.date(2019, 3, 20),
        tranches=[
            {"amount": "12000.00", "condition": "A la firma"},
            {
                "amount": "8000.00",
                "condition": "Tras el informe de medio término",
                "condition_milestone": mid,
            },
        ],  # fmt: skip
    )
    focal_user = make_user(username="juana-cies", person=focal)
    url = f"/commitments/{commitment.pk}/"
    base = live_server.url

    # The focal point (no organization role) reports the milestone done, with evidence.
    context = browser.new_context(viewport=SMALL_PHONE, locale="es-PE")
    page = context.new_page()
    sign_in(page, base, totp_device(focal_user), url, username="juana-cies")
    form = _open_form(page, "milestone")
    form.locator("select[name='ms-milestone']").select_option(str(mid.pk))
    form.locator("select[name='ms-status']").select_option("done")
    form.locator("input[name='ms-on']").fill("2019-09-27")
    form.locator("textarea[name='ms-note']").first.fill("Informe aceptado por el comité")
    form.locator("input[name='ms-evidence']").set_input_files(
        {"name": "acta-12.pdf", "mimeType": "application/pdf", "buffer": ACTA}
    )
    form.locator("input[name='ms-evidence_description']").fill("Acta N.º 12 del comité")
    form.locator("button[type='submit']").click()
    page.locator('[data-test="evidence"]').wait_for()
    assert "acta-12.pdf" in page.locator('[data-test="milestones"]').inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
    context.close()
    mid.refresh_from_db()
    assert (mid.status, mid.done_on) == ("done", dt.date(2019, 9, 27))

    # The mentor (an account with no organization role) logs a session.
    context = browser.new_context(viewport=SMALL_PHONE, locale="es-PE")
    page = context.new_page()
    sign_in(page, base, totp_device(mentor), url, username=mentor.username)
    form = _open_form(page, "session")
    form.locator("input[name='se-held_on']").fill("2019-10-02")
    form.locator("select[name='se-mode']").select_option(index=1)
    form.locator("textarea[name='se-topics']").fill("Revisión del informe de medio término")
    form.locator("textarea[name='se-next_steps']").fill("Preparar el encuentro de padres")
    form.locator("button[type='submit']").click()
    page.locator('[data-test="sessions"]').wait_for()
    assert "Revisión del informe" in page.locator('[data-test="sessions"]').inner_text()
    # The mentor reads the evidence the focal point attached.
    with page.expect_download() as download:
        page.locator('[data-test="evidence"] a').click()
    assert Path(download.value.path()).read_bytes() == ACTA
    context.close()
    assert MentoringSession.objects.filter(commitment=commitment).count() == 1

    # The grant manager (two-factor) releases the second tranche.
    context = browser.new_context(viewport=SMALL_PHONE, locale="es-PE")
    page = context.new_page()
    sign_in(page, base, totp_device(manager), url, username=manager.username)
    second = Tranche.objects.get(grant=grant, number=2)
    form = _open_form(page, "release")
    form.locator("select[name='re-tranche']").select_option(str(second.pk))
    form.locator("input[name='re-released_on']").fill("2019-10-05")
    form.locator("button[type='submit']").click()
    page.locator('[data-test="tranches"]').wait_for()
    context.close()
    second.refresh_from_db()
    assert second.released_on == dt.date(2019, 10, 5)
    assert Milestone.objects.get(pk=mid.pk).status == "done"
