"""A 20,000-row people file in a real browser: the upload returns at once, the progress bar
moves without reloading (htmx), then the review and, after confirming, the result. A real
worker process (``cascada worker``) works on the same test database (on SQLite a file copy
of it, tests/jobs/conftest.shared_db) and reads the upload from disk."""

from __future__ import annotations

import time

from cascada.registry.models import Person
from tests.accounts.factories import make_user, totp_device
from tests.browser.support import DESKTOP, needs_chromium, sign_in
from tests.jobs import conftest as jobs_fixtures
from tests.jobs.support import people_csv
from tests.registry.factories import make_org

pytestmark = needs_chromium

# The fixtures of tests/jobs: the test database seen by a worker process, uploads on disk.
shared_db = jobs_fixtures.shared_db
files_on_disk = jobs_fixtures.files_on_disk
start_worker = jobs_fixtures.start_worker

ROWS = 20_000


def _watch_bar(page, seen: set[int], timeout: float = 300) -> None:
    """Note each value the bar shows until the progress section goes away."""
    end = time.monotonic() + timeout
    bar = page.locator('[data-test="progress-bar"]')
    while time.monotonic() < end:
        try:
            if bar.count() == 0:
                return
            seen.add(int(bar.get_attribute("data-done", timeout=1000) or 0))
        except Exception:  # swapped out between the two calls: look again
            pass
        time.sleep(0.2)
    raise AssertionError("the progress bar never finished")


def test_a_20000_row_import_shows_a_moving_progress_bar_then_the_result(
    live_server, browser, shared_db, files_on_disk, start_worker, tmp_path
):
    start_worker(media_root=files_on_disk)
    org = make_org(name="Manuela Ramos")
    user = make_user(role="coordinator", organization=org, username="coordinadora")
    device = totp_device(user)
    path = tmp_path / "gente.csv"
    path.write_bytes(people_csv(ROWS))

    page = browser.new_context(viewport=DESKTOP, locale="es-PE").new_page()
    page.set_default_timeout(20000)
    sign_in(page, live_server.url, device, "/imports/")
    page.locator('select[name="kind"]').select_option("people")
    page.locator('input[name="file"]').set_input_files(str(path))
    started = time.monotonic()
    page.locator('[data-test="import-check"]').click()
    page.locator('[data-test="import-progress"]').wait_for()
    assert time.monotonic() - started < 5  # the page answers before the check is done
    url = page.url

    seen: set[int] = set()
    _watch_bar(page, seen)  # the check
    assert page.url == url  # htmx updated the bar in place; the page reloaded only at the end
    page.locator('[data-test="import-confirm"]').wait_for()
    assert page.locator('[data-test="n-rows"]').inner_text() == f"{ROWS}"
    checking = set(seen)

    page.locator('[data-test="import-confirm"]').click()
    page.locator('[data-test="import-progress"]').wait_for()
    seen.clear()
    _watch_bar(page, seen)  # the commit
    page.locator('[data-test="import-confirmed"]').wait_for()
    moving = {v for v in checking | seen if 0 < v < ROWS}
    assert len(moving) >= 2, (checking, seen)  # watched it move, at least two values
    assert Person.objects.count() == ROWS
