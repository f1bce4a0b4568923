"""The OpenAPI schema generates without warnings or errors and validates; the docs page
is served from our own static files (no CDN) and runs no inline script (CSP, S20)."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db


def test_schema_generates_without_warnings():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert not GENERATOR_STATS, (
        dict(GENERATOR_STATS._warn_cache),
        dict(GENERATOR_STATS._error_cache),
    )
    paths = schema["paths"]
    for path in (
        "/api/auth/token/",
        "/api/people/search/",
        "/api/sessions/{id}/attendance/",
        "/api/certificates/{id}/pdf/",
        "/api/curriculum-versions/{id}/modules/",
        "/api/cohorts/{id}/sessions/generate/",
    ):
        assert path in paths, path
    # S9: the search takes names and ID numbers in the body only.
    assert set(paths["/api/people/search/"]) == {"post"}


def test_spectacular_validates_and_fails_on_no_warning():
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_schema_endpoint_serves_openapi_3(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_docs_load_from_our_own_static_files(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "http://" not in html and "https://" not in html
    assert not re.search(r"cdn|jsdelivr|unpkg|cloudflare", html, re.IGNORECASE)
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), asset
    # No inline script: the initializer is a separate, same-origin script.
    assert not re.search(r"<script>\s*\S", html)
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
    assert '"validatorUrl": null' in script.content.decode()


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def test_every_operation_documents_its_error_responses_in_the_error_shape():
    """``cascada.api.schema.AutoSchema``: what S21 (schemathesis) holds the API to."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    missing = []
    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        params = operation.get("parameters", [])
        expected = {"401", "405"}
        if "requestBody" in operation:
            expected |= {"400", "415"}
        if any(p["in"] == "query" for p in params):
            expected.add("400")
        if "{" in path:
            expected.add("404")
        if operation["operationId"] != "auth_token_create" and method != "delete":
            expected.add("403")  # a role (S1) or CSRF for the web session
        for code in sorted(expected - set(responses)):
            missing.append(f"{method.upper()} {path}: {code}")
        for code, response in responses.items():
            if code.startswith(("4", "5")):
                content = response.get("content", {})
                assert set(content) == {"application/json"}, (path, method, code, content)
                assert content["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"
                }, (path, method, code)
    assert not missing, missing


def test_path_ids_and_page_parameters_declare_their_ranges():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, _method, operation in _operations(schema):
        for p in operation.get("parameters", []):
            if p["in"] == "path" and p["name"] == "id":
                assert p["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
            if p["in"] == "query" and p["name"] in {"limit", "offset"}:
                assert {"minimum", "maximum"} <= set(p["schema"]), (path, p)


def test_counts_are_integer_string_or_null():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    cohort = schema["components"]["schemas"]["Cohort"]["properties"]
    for name in ("n_enrolled", "n_completed"):
        assert cohort[name]["nullable"] is True
        assert {s["type"] for s in cohort[name]["oneOf"]} == {"integer", "string"}


def test_the_certificate_pdf_declares_its_content_type():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    responses = schema["paths"]["/api/certificates/{id}/pdf/"]["get"]["responses"]
    assert set(responses["200"]["content"]) == {"application/pdf"}
