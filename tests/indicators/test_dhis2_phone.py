"""The DHIS2 pages on a 360 px phone in Chromium: the overview, the server, an indicator's
subgroups, the org units, and a dry run then a send against the fake DHIS2, with DHIS2's
import summary on the page. Nothing is wider than the screen; with CASCADA_SCREENSHOTS
set, each page is photographed for docs/screenshots/."""

from __future__ import annotations

from cascada.indicators.models import Dhis2Mapping, Dhis2Push, Dhis2PushStatus
from tests.accounts.factories import make_user, totp_device
from tests.browser.conftest import browser  # noqa: F401 (fixture)
from tests.browser.support import SMALL_PHONE, fits, needs_chromium, shoot, sign_in
from tests.indicators.fake_dhis2 import (
    COC_MALE,
    DE_ENROLLED,
    OU,
    PASSWORD,
    configure,
    dhis2,  # noqa: F401 (fixture)
)
from tests.jobs.support import run_queued_jobs

pytestmark = needs_chromium


def test_an_me_officer_sends_the_figures_from_a_phone(live_server, browser, filled, dhis2):  # noqa: F811
    org = filled["org"]
    configure(org, dhis2.url)
    device = totp_device(make_user(role="me_officer", organization=org, username="monitora"))
    base = live_server.url
    page = browser.new_context(
        viewport=SMALL_PHONE, device_scale_factor=1, locale="es-PE"
    ).new_page()
    page.set_default_timeout(15000)
    sign_in(page, base, device, f"/dhis2/?org={org.pk}", username="monitora")

    page.locator('[data-test="dhis2-push"]').wait_for()
    shoot(page, "dhis2-home-phone")
    fits(page)
    assert PASSWORD not in page.content()

    page.goto(f"{base}/dhis2/server/?org={org.pk}")
    page.locator('[data-test="server-form"]').wait_for()
    assert page.locator("#id_password").input_value() == ""
    shoot(page, "dhis2-server-phone")
    fits(page)

    mapping = Dhis2Mapping.objects.get(data_element=DE_ENROLLED)
    page.goto(f"{base}/dhis2/mappings/{mapping.pk}/")
    page.locator('[data-test="combo-grid"]').wait_for()
    shoot(page, "dhis2-mapping-phone")
    fits(page)

    page.goto(f"{base}/dhis2/org-units/?org={org.pk}")
    page.locator('[data-test="org-units-form"]').wait_for()
    fits(page)

    # A dry run: DHIS2 checks and keeps nothing; the page follows the job.
    page.goto(f"{base}/dhis2/?org={org.pk}#push")
    page.locator("#id_push_periods").fill("2025Q1, 2025Q2")
    page.locator('[data-test="push-dry-run"]').click()
    page.locator('[data-test="push-status"]').wait_for()
    run_queued_jobs()
    page.locator('[data-test="push-counts"]').wait_for()
    assert Dhis2Push.objects.get().status == Dhis2PushStatus.SUCCESS and dhis2.values == {}
    shoot(page, "dhis2-dry-run-phone")
    fits(page)

    # Then the same periods for real.
    page.locator('[data-test="push-send"]').click()
    page.locator('[data-test="push-status"]').wait_for()
    run_queued_jobs()
    page.locator('[data-test="push-counts"]').wait_for()
    assert dhis2.value(DE_ENROLLED, "2025Q2", OU["050101"], COC_MALE) == "4"
    assert int(page.locator('[data-test="imported"]').inner_text()) > 0
    shoot(page, "dhis2-sent-phone")
    fits(page)
