"""A promoter records a fair without signal on a 360 px phone (issue 10): the form keeps
the action on the phone, nothing reaches the server while offline, and once the phone is
back online the action is sent by itself and the network's plan shows the fair done.
The form page also opens without signal once it has been opened (service worker). With
CASCADA_SCREENSHOTS set, the form is photographed for docs/screenshots/."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cascada.networks.models import CommunityAction, Network
from cascada.networks.services import plan_revise
from tests.accounts.factories import PASSWORD, make_user
from tests.browser.support import SCREENSHOTS, SMALL_PHONE, needs_chromium
from tests.registry.factories import make_org, make_person

pytestmark = needs_chromium


@pytest.fixture
def field(transactional_db):
    org = make_org(name="Grupo Vigencia")
    network = Network.objects.create(
        organization=org,
        name="Red Municipal de Promotores Masculinos",
        kind="municipal",
    )
    today = timezone.localdate()
    plan_revise(
        actor=None,
        network=network,
        year=today.year,
        activities=[
            {
                "key": "feria",
                "kind": "fair",
                "title": "Feria por el buen trato",
                "month": today.month,
                "expected_reach": 200,
            },
        ],  # fmt: skip
        approved_on=dt.date(today.year, 1, 15),
    )
    person = make_person(organization=org, given_name="Teodoro")
    network.memberships.create(person=person, joined_on=dt.date(today.year, 1, 10))
    make_user(person=person, username="promotor")  # a member, no role: no second factor
    return network


def test_a_promoter_records_a_fair_offline_and_it_is_sent_when_back_online(
    live_server, browser, field
):
    context = browser.new_context(viewport=SMALL_PHONE, locale="es-PE")
    page = context.new_page()
    base = live_server.url
    page.goto(f"{base}/accounts/login/?next=/networks/{field.pk}/actions/new/")
    page.locator('[data-test="login-form"] input[name="username"]').fill("promotor")
    page.locator('[data-test="login-form"] input[name="password"]').fill(PASSWORD)
    page.locator('[data-test="login-submit"]').click()
    page.locator("#action-form").wait_for()
    # The service worker takes the page; opened once more through it, the form is kept on
    # the phone and opens again without signal.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15000)
    page.reload()
    page.locator("#action-form").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]

    context.set_offline(True)
    page.reload()  # no signal: the page comes from the phone
    form = page.locator("#action-form")
    form.wait_for()
    form.locator("select[name='kind']").select_option("fair")
    form.locator("select[name='planned_key']").select_option("feria")
    form.locator("input[name='title']").fill("Feria por el buen trato en el parque")
    form.locator("input[name='women']").fill("45")
    form.locator("input[name='men']").fill("30")
    form.locator("input[name='children']").fill("20")
    if os.environ.get("CASCADA_SCREENSHOTS"):
        page.screenshot(path=str(SCREENSHOTS / "network-action-offline-360.png"), full_page=True)
    form.locator('[data-test="action-save"]').click()
    status = page.locator('[data-test="outbox-status"]')
    status.wait_for()
    assert "teléfono" in status.inner_text()
    assert "Feria por el buen trato en el parque" in page.locator("#outbox-list").inner_text()
    assert CommunityAction.objects.count() == 0  # nothing left the phone

    context.set_offline(False)  # signal again: the "online" event sends what was kept
    expect(status).to_contain_text("Enviado", timeout=15000)
    action = CommunityAction.objects.get()
    assert (action.kind, action.planned_key, action.reach) == ("fair", "feria", 95)

    page.goto(f"{base}/networks/{field.pk}/plans/{timezone.localdate().year}/")
    line = page.locator('#plan-lines [data-key="feria"]')
    assert line.locator('[data-test="line-done"]').count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
    context.close()
