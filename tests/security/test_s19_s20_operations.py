"""S19 production settings pass Django's deploy checks and refuse SQLite; S20 security
headers and error pages without tracebacks."""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys

import pytest
from django.urls import reverse

import cascada
from tests.accounts.factories import login_verified, make_user
from tests.security.urls_boom import BOOM

ROOT = pathlib.Path(cascada.__file__).resolve().parent


def _production_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CASCADA_", "DATABASE_")) and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="cascada.config.settings.production",
        DATABASE_URL="postgres://cascada:secret@db.internal:5432/cascada",
        CASCADA_SECRET_KEY="k" * 10 + "-prod-secret-key-with-enough-entropy-0123456789-abcdefghij",
        CASCADA_FIELD_KEYS="yW4O5bL0ySPWrRCmCMYsY8ALRYbdmV0p8RV6y6wq3gE=",
        CASCADA_HASH_KEY="prod-hash-key-kept-apart",
        CASCADA_ALLOWED_HOSTS="cascada.example.org",
    )
    env.update(extra)
    return env


def _check(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "cascada", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_s19_production_check_deploy_passes():
    result = _check(_production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_s19_production_refuses_sqlite():
    result = _check(_production_env(DATABASE_URL="sqlite:////tmp/cascada.sqlite3"))
    assert result.returncode != 0
    assert "SQLite" in result.stderr


def test_s19_production_refuses_missing_keys():
    env = _production_env()
    del env["CASCADA_FIELD_KEYS"]
    result = _check(env)
    assert result.returncode != 0
    assert "CASCADA_FIELD_KEYS" in result.stderr


# ---------------------------------------------------------------- S20


def _csp_directives(header: str) -> dict[str, str]:
    out = {}
    for part in header.split(";"):
        bits = part.strip().split(None, 1)
        if bits:
            out[bits[0]] = bits[1] if len(bits) > 1 else ""
    return out


@pytest.mark.django_db
def test_s20_security_headers_on_pages(client, coordinator):
    pages = [client.get(reverse("web:login"))]
    login_verified(client, coordinator)
    pages.append(client.get(reverse("web:home")))
    for response in pages:
        assert response.status_code == 200
        csp = _csp_directives(response["Content-Security-Policy"])
        script = csp.get("script-src", csp.get("default-src", ""))
        assert "'self'" in script
        assert "unsafe-inline" not in script and "unsafe-eval" not in script
        assert "unsafe-inline" not in csp.get("default-src", "")
        assert csp.get("frame-ancestors") == "'none'"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE_ATTR = re.compile(r"<[^>]+\sstyle\s*=", re.I)


def test_s20_templates_have_no_inline_script_or_style():
    """CSP forbids them, so every template (including ones added later) must do without."""
    offenders = []
    for path in ROOT.rglob("templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        for label, rx in (
            ("inline <script>", INLINE_SCRIPT),
            ("inline event handler", INLINE_HANDLER),
            ("style attribute", STYLE_ATTR),
        ):
            if rx.search(text):
                offenders.append(f"{path.relative_to(ROOT)}: {label}")
    assert not offenders, offenders


@pytest.mark.django_db
@pytest.mark.urls("tests.security.urls_boom")
def test_s20_server_error_shows_no_traceback(client, settings, org):
    settings.DEBUG = False
    login_verified(client, make_user(role="viewer", organization=org))
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert BOOM not in body and "boom-canary" not in body
    assert "Traceback" not in body and "RuntimeError" not in body
    assert "SECRET_KEY" not in body and "settings" not in body.lower()
    assert 'data-test="error-500"' in body
    assert (
        "unsafe-inline"
        not in response["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    )


@pytest.mark.django_db
def test_s20_not_found_shows_no_debug_page(client, settings, coordinator):
    settings.DEBUG = False
    login_verified(client, coordinator)
    response = client.get("/no-such-page-canary-Q7/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "URLconf" not in body and "Traceback" not in body
    assert 'data-test="error-404"' in body


def test_s20_debug_is_off_by_default():
    from django.conf import settings

    assert settings.DEBUG is False
