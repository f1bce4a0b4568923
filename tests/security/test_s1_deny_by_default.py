"""S1 deny by default: every route, hit anonymously and as a signed-in user with no role,
refuses unless it is on the one public list (``cascada.accounts.public``).

The routes come from Django's URL resolver, so a route added later is covered without
touching this file."""

from __future__ import annotations

import pytest

from cascada.accounts.public import PUBLIC_URL_NAMES, SIGNED_IN_URL_NAMES
from tests.accounts.factories import login_verified, make_user
from tests.security.object_routes import OBJECT_ROUTES, PUBLIC_ROUTE_VALUES
from tests.security.routes import all_routes, build_url
from tests.security.world import build_world

pytestmark = pytest.mark.django_db

REFUSED = {302, 401, 403, 404, 405}


# Routes whose very purpose is to end the session: the request is made signed in, but
# the user is anonymous once the view returns.
SIGNS_OUT = {"web:logout"}


def _requests(client, world, user=None):
    """(route, method, status, location) for every route, GET and POST, each request made
    with the intended identity: ``user`` signed in afresh (a route visited earlier, e.g.
    sign-out, must not leave the rest of the walk anonymous), else anonymous."""
    out = []
    for route in all_routes():
        kwargs_for = OBJECT_ROUTES.get(route.name) or PUBLIC_ROUTE_VALUES.get(route.name)
        values = kwargs_for(world) if kwargs_for else {}
        url = build_url(route, values)
        for method in ("get", "post"):
            if user is None:
                client.logout()
            else:
                login_verified(client, user)
            response = getattr(client, method)(url)
            _assert_made_as(response, user, route)
            out.append((route, method, url, response.status_code, response.get("Location", "")))
    return out


def _assert_made_as(response, user, route):
    """The request was handled as ``user`` (or anonymously): the walk tests what it says."""
    seen = getattr(response.wsgi_request, "user", None)
    if user is None:
        assert seen is None or not seen.is_authenticated, (route.label, seen)
    elif route.name not in SIGNS_OUT and route.name not in PUBLIC_URL_NAMES:
        # (Public API routes such as the token sign-in authenticate nobody on purpose.)
        assert seen is not None and seen.is_authenticated and seen.pk == user.pk, (
            route.label,
            seen,
        )


def test_s1_resolver_walk_finds_routes():
    names = {r.name for r in all_routes()}
    assert {"web:login", "web:home", "web:audit_list", "api-schema"} <= names


def test_s1_public_list_names_real_routes_only_where_they_exist():
    """Every public name that exists must be a route; the list is not a wildcard."""
    names = {r.name for r in all_routes()}
    assert "web:login" in names and "web:health" in names
    assert not any(n.endswith("*") for n in PUBLIC_URL_NAMES)


def test_s1_anonymous_is_refused_everywhere_but_public(client):
    world = build_world("S1A")
    client.raise_request_exception = False
    leaks = []
    for route, method, url, status, location in _requests(client, world):
        if route.name in PUBLIC_URL_NAMES:
            continue
        if status not in REFUSED:
            leaks.append(f"{method.upper()} {url} ({route.label}) -> {status}")
        elif status == 302 and "/accounts/login/" not in location:
            # An anonymous visitor is sent to sign in, never on to another page.
            leaks.append(f"{method.upper()} {url} -> 302 {location}")
    assert not leaks, "Routes open to anonymous visitors:\n" + "\n".join(leaks)


def test_s1_signed_in_user_without_role_is_refused(client):
    world = build_world("S1B")
    nobody = make_user(username="sin-rol")
    client.raise_request_exception = False
    leaks = []
    for route, method, url, status, _loc in _requests(client, world, user=nobody):
        if route.name in PUBLIC_URL_NAMES or route.name in SIGNED_IN_URL_NAMES:
            continue
        if status not in REFUSED:
            leaks.append(f"{method.upper()} {url} ({route.label}) -> {status}")
    assert not leaks, "Routes open to a user with no role:\n" + "\n".join(leaks)


def test_s1_signed_in_pages_show_nothing_of_others(client):
    world = build_world("S1C")
    nobody = make_user(username="sin-rol-2")
    login_verified(client, nobody)
    for route in all_routes():
        if route.name in SIGNED_IN_URL_NAMES and not route.params:
            body = client.get(build_url(route)).content.decode()
            for canary in world.canaries:
                assert canary not in body, (route.name, canary)


def test_s1_deny_by_default_middleware_guards_unlisted_web_views(client, settings):
    """A web view that forgets its own check still refuses an anonymous visitor."""
    response = client.get("/accounts/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
