"""Integers from URLs are checked before they reach the database (``cascada.core.converters``):
a number too large for its column, a negative or text in a path parameter answers 404, in a
query-string filter 400 (API, in the error shape) or an ignored filter / 404 (web); never a
server error. Database-neutral: the values are refused before any query is made."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter
from django.urls.resolvers import RegexPattern, RoutePattern

from cascada.core.converters import (
    MAX_ID,
    MAX_SMALLINT,
    IdConverter,
    InvalidQueryParameter,
    SmallIntConverter,
    query_id,
    query_int,
)
from tests.accounts.factories import login_verified
from tests.api.conftest import error

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2] / "cascada"

HUGE = "9" * 25  # far beyond any integer column
BAD_VALUES = [HUGE, "-1", "abc"]
# Digits the route's regex accepts but the column cannot hold.
JUST_OUT_OF_RANGE = {IdConverter: str(MAX_ID + 1), SmallIntConverter: str(MAX_SMALLINT + 1)}


def _int_routes() -> list[tuple[str, list[tuple[str, type]]]]:
    """(route with ``{name}`` placeholders, [(param, converter class)]) for every route
    with a parameter whose converter is an integer one."""
    out = []

    def walk(patterns, prefix: str, converters: list) -> None:
        for p in patterns:
            pattern = p.pattern
            text = str(pattern)
            convs = list(converters)
            if isinstance(pattern, RoutePattern):
                convs += [(name, type(c)) for name, c in pattern.converters.items()]
                text = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + text, convs)
            elif isinstance(p, URLPattern):
                ints = [(n, c) for n, c in convs if issubclass(c, IntConverter | IdConverter)]
                if ints:
                    out.append(("/" + prefix + text, convs))

    walk(get_resolver().url_patterns, "", [])
    return out


def _regex_routes_with_parameters(patterns=None, prefix: str = "") -> list[str]:
    out = []
    for p in get_resolver().url_patterns if patterns is None else patterns:
        text = prefix + str(p.pattern)
        if isinstance(p.pattern, RegexPattern) and p.pattern.regex.groups:
            out.append(text)
        if isinstance(p, URLResolver):
            out += _regex_routes_with_parameters(p.url_patterns, text)
    return out


def test_every_integer_path_parameter_uses_a_bounded_converter():
    # Regex routes would bypass the converters: every route is a path() with converters.
    assert not _regex_routes_with_parameters()
    routes = _int_routes()
    assert len(routes) > 40  # web and API
    plain_int = [route for route, convs in routes if any(c is IntConverter for _name, c in convs)]
    assert not plain_int, f"use <id:...> or <smallint:...>, not <int:...>: {plain_int}"
    api = [route for route, _ in routes if route.startswith("/api/")]
    assert any("{pk}" in r for r in api), "DRF router routes take <id:pk>"


def _valid_values(world) -> dict[str, str]:
    """Values every other parameter accepts (a real program for the cascade's routes; for
    the others only the parameter under test matters)."""
    return {
        "pk": str(world.program.pk),
        "generation": "1",
        "fmt": "csv",
        "code": "X",
        "year": "2026",
        "referral": "1",  # safeguarding: a case's referral and access (issue 13)
        "access": "1",
        "place": "1",  # indicators: a department's dashboard (issue 14)
    }


@pytest.mark.parametrize("method", ["get", "post"])
def test_out_of_range_negative_or_text_path_parameter_is_404_never_500(
    client, api, coordinator, world, method
):
    login_verified(client, coordinator)
    client.raise_request_exception = False
    api.raise_request_exception = False
    failures = []
    for route, convs in _int_routes():
        for name, conv in convs:
            if not issubclass(conv, IntConverter | IdConverter):
                continue
            for bad in [*BAD_VALUES, JUST_OUT_OF_RANGE.get(conv, str(MAX_ID + 1))]:
                url = route.format(**{**_valid_values(world), name: bad})
                c = api if url.startswith("/api/") else client
                response = getattr(c, method)(url)
                ok = response.status_code == 404
                if url.startswith("/api/"):
                    ok = ok and error(response)["code"] == "not_found"
                if not ok:
                    failures.append(f"{method.upper()} {url} -> {response.status_code}")
    assert not failures, failures


def test_largest_values_the_columns_hold_reach_the_view_and_do_not_fail(client, coordinator, world):
    """The bounds are those of the columns: the largest id (PostgreSQL bigint) is looked
    up (404: no such object) and the largest generation (smallint) is shown."""
    login_verified(client, coordinator)
    client.raise_request_exception = False
    assert client.get(f"/people/{MAX_ID}/").status_code == 404
    assert client.get(f"/cascade/programs/{MAX_ID}/").status_code == 404
    level = client.get(f"/cascade/programs/{world.program.pk}/generations/{MAX_SMALLINT}/")
    assert level.status_code == 200


# ---------------------------------------------------------------- query strings

# Every integer an API view reads from the query string: (path, parameter).
API_INTEGER_PARAMETERS = [
    ("/api/sessions/", "cohort"),
    ("/api/certificates/", "cohort"),
    ("/api/places/", "parent"),
    ("/api/people/", "limit"),
    ("/api/people/", "offset"),
    ("/api/cascade/programs/{program}/", "department"),
    ("/api/cascade/programs/{program}/forecast/", "department"),
    ("/api/cascade/programs/{program}/forecast/", "target"),
]


@pytest.mark.parametrize(("path", "name"), API_INTEGER_PARAMETERS)
@pytest.mark.parametrize("value", BAD_VALUES)
def test_api_integer_query_parameter_out_of_range_is_400_in_the_error_shape(
    api, world, path, name, value
):
    api.raise_request_exception = False
    url = path.format(program=world.program.pk)
    response = api.get(url, {name: value})
    assert response.status_code == 400, (url, name, value, response.content[:200])
    body = error(response)
    assert body["code"] == "invalid"
    assert list(body["fields"]) == [name]
    assert body["fields"][name] and all(isinstance(m, str) for m in body["fields"][name])


@pytest.mark.parametrize(("path", "name"), API_INTEGER_PARAMETERS)
def test_api_integer_query_parameter_in_range_is_accepted(api, world, path, name):
    url = path.format(program=world.program.pk)
    value = {"limit": "10", "offset": "0", "target": "1000"}.get(name, "1")
    assert api.get(url, {name: value}).status_code == 200, (url, name)


def test_api_page_size_bounds(api, world):
    assert api.get("/api/people/", {"limit": "1000"}).status_code == 200
    assert error(api.get("/api/people/", {"limit": "1001"}))["fields"] == {
        "limit": ["Enter a whole number from 1 to 1000."]
    }
    assert api.get("/api/people/", {"limit": "0"}).status_code == 400


# Web pages that read an integer from the query string: (path, parameter, answer to a bad
# value). 200: the filter is treated as not given; 404 for downloads.
WEB_INTEGER_PARAMETERS = [
    ("/places/options/", "parent", 200),
    ("/places/options/", "place1", 200),
    ("/places/options/", "place2", 200),
    ("/places/picker/", "place1", 200),  # the place picker: an invalid id is no choice
    ("/places/picker/", "place2", 200),
    ("/places/picker/", "place3", 200),
    ("/places/picker/", "place_pick", 200),
    ("/exports/people/", "organization", 404),
    ("/exports/enrolments/", "program", 404),
    ("/exports/enrolments/", "cohort", 404),
    ("/exports/attendance/", "organization", 404),
    ("/exports/attendance/", "program", 404),
    ("/exports/attendance/", "cohort", 404),
    ("/cascade/programs/{program}/", "department", 200),
    ("/cascade/programs/{program}/", "target", 200),
    ("/cohorts/", "program", 200),  # a form: the field shows its error
    ("/cohorts/", "year", 200),
    ("/cohorts/new/", "program", 200),  # only an initial choice, never queried
    ("/cohorts/{cohort}/register/", "session", 200),  # where to return: none if invalid
    ("/commitments/", "place", 200),  # the portfolio's filters: an invalid id is no filter
    ("/commitments/", "institution", 200),
    ("/studies/{study}/recruits/", "site", 200),  # the recruitment log's filter
    ("/studies/{study}/codebook/", "edit", 200),  # the code whose form is open: none
    # safeguarding (issue 13): an organization or place the user may not see is 404, so
    # is an activity a case would be recorded from; a bad year is this year.
    ("/safeguarding/guide/", "org", 404),
    ("/safeguarding/guide/", "place", 404),
    ("/safeguarding/guide/", "session", 404),
    ("/safeguarding/guide/", "person", 404),
    ("/safeguarding/card/", "org", 404),
    ("/safeguarding/card/", "place", 404),
    ("/safeguarding/new/", "session", 404),
    ("/safeguarding/new/", "action", 404),
    ("/safeguarding/new/", "event", 404),
    ("/safeguarding/new/", "person", 404),
    ("/safeguarding/summary/", "org", 404),
    ("/safeguarding/summary/", "year", 200),
]


@pytest.mark.parametrize(("path", "name", "status"), WEB_INTEGER_PARAMETERS)
@pytest.mark.parametrize("value", BAD_VALUES)
def test_web_integer_query_parameter_out_of_range_is_no_filter_or_404(
    client, coordinator, world, path, name, status, value
):
    login_verified(client, coordinator)
    client.raise_request_exception = False
    study = _study(coordinator) if "{study}" in path else None
    url = path.format(
        program=world.program.pk, cohort=world.cohort.pk, study=getattr(study, "pk", "")
    )
    response = client.get(url, {name: value})
    assert response.status_code == status, (url, name, value)


def _study(coordinator):
    import datetime as dt

    from cascada.research.services.study import study_create

    org = coordinator.memberships.get().organization
    return study_create(
        actor=coordinator,
        organization=org,
        title="Estudio",
        code="EST",
        starts_on=dt.date(2026, 1, 1),
        lead=coordinator,
    )


def test_place_options_with_a_bad_parent_list_no_place(client, coordinator):
    login_verified(client, coordinator)
    body = client.get("/places/options/", {"parent": HUGE}).content.decode()
    assert "<option" not in body.replace('<option value="">', "")


def test_every_query_string_read_in_the_code_is_covered_here():
    """A new ``request.GET`` / ``query_params`` read must be listed above (integers) or
    below (not integers), so that it is tested with out-of-range values."""
    covered = {name for _path, name in API_INTEGER_PARAMETERS}
    covered |= {name for _path, name, _status in WEB_INTEGER_PARAMETERS}
    not_integers = {"format", "start", "end", "next", "page", "purpose", "code"}
    not_integers |= {"place0", "place_q"}  # the place picker: a country code, a place name
    not_integers |= {"action", "person"}  # the audit trail: an action code, a person's code
    not_integers |= {"instrument"}  # the analysis page: an instrument's code (a slug)
    not_integers |= {"theme"}  # the portfolio: a theme's code
    not_integers |= {"status", "rollup"}  # a recruit's status code; a yes/no flag
    # Indicators (issue 14): a breakdown's name, a frequency, a period key ("2026Q3"), a
    # language, the microdata's organization option; checked against their lists.
    not_integers |= {"by", "frequency", "period", "periods", "lang", "organizations"}
    # The month of a value typed by hand to correct ("2026-03"): junk fills nothing
    # (tests/indicators/test_reported.py).
    not_integers |= {"month"}
    # DHIS2's mapping form: "indicator" is only the initial choice of a ChoiceField of the
    # organization's indicators (an unknown value selects nothing; tried with junk in
    # tests/security/test_indicators_attacks.py).
    covered |= {"indicator"}
    # A commitment's version number: out-of-range and text values are tried in
    # tests/commitments/test_pages.py (404).
    covered |= {"version"}
    # The audit trail's "user" id is read by auditors only: its out-of-range values are
    # tried in tests/web/test_audit_page.py::test_values_that_cannot_be_right_are_no_filter.
    covered |= {"user"}
    # The leads page's "remove" is a POST field (a lead's id): its out-of-range values are
    # tried in tests/security/test_safeguarding_attacks.py (404, never a 500).
    covered |= {"remove"}
    reads = re.compile(
        r"(?:GET|query_params)\.get\(\s*\"(\w+)\"|query_(?:id|param|int)\([^,]+,\s*\"(\w+)\""
    )
    found: set[str] = set()
    for path in [*ROOT.joinpath("web").rglob("*.py"), *ROOT.joinpath("api").rglob("*.py")]:
        for match in reads.finditer(path.read_text()):
            found.add(match.group(1) or match.group(2))
    assert found, "the pattern no longer finds the reads"
    unknown = found - covered - not_integers
    assert not unknown, f"query parameters read but not covered by this test: {unknown}"


# ---------------------------------------------------------------- the parser itself


@pytest.mark.parametrize(
    "raw", [HUGE, str(MAX_ID + 1), "-1", "1.5", "1e3", "abc", "١٢", " 12 3", "0x10", "+"]
)
def test_query_id_refuses_what_is_not_an_id(raw):
    with pytest.raises(InvalidQueryParameter):
        query_id({"x": raw}, "x")


def test_query_int_reads_absent_empty_and_bounded_values():
    assert query_id({}, "x") is None
    assert query_id({"x": ""}, "x") is None
    assert query_id({"x": str(MAX_ID)}, "x") == MAX_ID
    assert query_int({"x": "-3"}, "x", minimum=-5, maximum=5) == -3
    with pytest.raises(InvalidQueryParameter):
        query_int({"x": "6"}, "x", minimum=-5, maximum=5)


# ---------------------------------------------------------------- ids in web form posts


def test_web_forms_with_an_id_too_large_for_the_database_do_not_fail(client, coordinator, world):
    """Place pickers and roster marks parse ids through the same helper."""
    login_verified(client, coordinator)
    client.raise_request_exception = False
    person = world.participants[0]
    session = world.cohort.sessions.first()
    for url, data in [
        ("/people/new/", {"given_name": "Ana", "organization": world.org.pk, "place1": HUGE}),
        (f"/people/{person.pk}/edit/", {"place1": HUGE, "place2": HUGE}),
        (f"/sessions/{session.pk}/roster/", {f"mark_{HUGE}": "present"}),
    ]:
        response = client.post(url, data)
        assert response.status_code < 500, (url, response.status_code)
