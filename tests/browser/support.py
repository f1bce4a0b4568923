"""What every browser test shares: Debian's Chromium, the viewports, where screenshots go,
signing in with a password and a TOTP code, and what a phone page is checked for."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import totp

from tests.accounts.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

needs_chromium = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM),
        reason="Debian's Chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
    ),
]


def sign_in(
    page: Any, base: str, device: Any, next_url: str = "/", *, username: str = "coordinadora"
) -> None:
    """Sign in through the real form and the second factor, then open ``next_url``."""
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.locator('[data-test="login-form"] input[name="username"]').fill(username)
    page.locator('[data-test="login-form"] input[name="password"]').fill(PASSWORD)
    page.locator('[data-test="login-submit"]').click()
    token = page.locator('input[name="token"], input[name="otp_token"]').first
    token.fill(f"{totp(device.bin_key):06d}")
    token.press("Enter")
    page.locator('[data-test="brand"]').wait_for()
    page.wait_for_load_state()
    if not page.url.endswith(next_url):
        page.goto(f"{base}{next_url}")


def fits(page: Any) -> None:
    """Nothing is wider than the phone: neither the page nor a table in its box."""
    wide = page.evaluate(
        """() => {
          const out = [];
          if (document.documentElement.scrollWidth > window.innerWidth) out.push("page");
          document.querySelectorAll("table").forEach((t) => {
            const box = t.parentElement.getBoundingClientRect();
            if (t.scrollWidth > Math.ceil(box.width) + 1) out.push(t.id || "table");
          });
          return out;
        }"""
    )
    assert wide == []


def shoot(page: Any, name: str) -> None:
    """With CASCADA_SCREENSHOTS set, the whole page as docs/screenshots/<name>.png."""
    if os.environ.get("CASCADA_SCREENSHOTS"):
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def title(page: Any) -> str:
    """The page's heading as read."""
    return page.locator("main h1").first.inner_text().strip()
