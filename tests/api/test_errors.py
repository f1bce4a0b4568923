"""One JSON error shape for every API error, a server error too (DEBUG off): inside a DRF
view, outside any DRF view under /api/ (unknown URL, an id the converters refuse, a failing
plain view), on actions whose success is a file, and for errors about items of list
fields. Web pages keep their HTML error pages."""

from __future__ import annotations

import logging

import pytest

from tests.accounts.factories import login_verified
from tests.api.conftest import error
from tests.api.urls_boom import BOOM

pytestmark = pytest.mark.django_db


def _assert_error_shape(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"error"}, body
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


def _no_leak(response) -> None:
    text = response.content.decode()
    assert BOOM not in text and "boom-canary" not in text
    assert "Traceback" not in text and "RuntimeError" not in text


@pytest.mark.urls("tests.api.urls_boom")
def test_unhandled_exception_in_a_drf_view_is_a_json_500_and_logged(client, settings, caplog):
    settings.DEBUG = False
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/api/boom/")
    _assert_error_shape(response, 500, "server_error")
    _no_leak(response)
    # Logged for the team, with its traceback (server side only).
    logged = [r for r in caplog.records if r.name == "django.request" and r.exc_info]
    assert logged and logged[0].exc_info[0] is RuntimeError


@pytest.mark.urls("tests.api.urls_boom")
def test_drf_answers_the_json_500_itself_even_with_debug_on(client, settings):
    """The exception handler, not Django's 500 page: with DEBUG on by mistake Django would
    show its technical page (a traceback with the failing values) for the API too."""
    settings.DEBUG = True
    client.raise_request_exception = False
    response = client.get("/api/boom/")
    _assert_error_shape(response, 500, "server_error")
    _no_leak(response)


@pytest.mark.urls("tests.api.urls_boom")
def test_failure_outside_drf_under_api_is_a_json_500(client, settings, coordinator):
    settings.DEBUG = False
    login_verified(client, coordinator)
    client.raise_request_exception = False
    response = client.get("/api/boom-plain/")
    _assert_error_shape(response, 500, "server_error")
    _no_leak(response)


@pytest.mark.urls("tests.api.urls_boom")
def test_web_not_found_stays_an_html_page(client, settings, coordinator):
    settings.DEBUG = False
    login_verified(client, coordinator)
    client.raise_request_exception = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "path",
    [
        "/api/no-such-resource/",
        "/api/people/abc/",
        "/api/people/-1/",
        "/api/people/9999999999999999999999999/",
        "/api/cascade/programs/9999999999999999999999999/forecast/",
    ],
)
def test_unknown_api_url_is_a_json_404(api, settings, path):
    settings.DEBUG = False
    response = api.get(path)
    _assert_error_shape(response, 404, "not_found")


def test_error_of_a_pdf_action_is_json(api, settings, world):
    """The PDF action renders its success as a PDF; its errors are JSON all the same."""
    settings.DEBUG = False
    response = api.get("/api/certificates/999999/pdf/", HTTP_ACCEPT="*/*")
    _assert_error_shape(response, 404, "not_found")
    response = api.get("/api/certificates/999999/pdf/", HTTP_ACCEPT="application/pdf")
    _assert_error_shape(response, 404, "not_found")


def test_errors_about_items_of_a_list_field_keep_the_documented_shape(api, world):
    response = api.post(
        "/api/people/",
        {"organization": world.org.pk, "given_name": "Ana", "roles": ["participant", "nope"]},
        format="json",
    )
    fields = error(response)["fields"]
    assert response.status_code == 400
    # {field: [messages]}, the item named in the message, never {"roles": {"1": [...]}}.
    assert isinstance(fields["roles"], list) and all(isinstance(m, str) for m in fields["roles"])
    assert fields["roles"][0].startswith("1: ")
    response = api.post(
        f"/api/sessions/{world.cohort.sessions.first().pk}/attendance/",
        {"marks": {str(world.enrolments[0].pk): "late"}},
        format="json",
    )
    assert error(response)["fields"]["marks"] == [
        f'{world.enrolments[0].pk}: "late" is not a valid choice.'
    ]
