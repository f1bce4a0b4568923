from __future__ import annotations

import pytest

from tests.browser.support import ARGS, CHROMIUM


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API runs an event loop; Django's ORM in the same thread must allow it.
    # Only for the duration of the test: the variable must not leak into other tests.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield instance
        instance.close()
