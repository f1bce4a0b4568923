from __future__ import annotations

import pytest

from tests.accounts.factories import login_verified, make_user
from tests.registry.factories import make_org


@pytest.fixture
def org(db):
    return make_org(name="Manuela Ramos")


@pytest.fixture
def other_org(db):
    return make_org(name="Otra Organización")


@pytest.fixture
def coordinator(org):
    return make_user(role="coordinator", organization=org)


@pytest.fixture
def coordinator_client(client, coordinator):
    login_verified(client, coordinator)
    return client


@pytest.fixture(autouse=True)
def _shipped_instruments(request):
    """Places, the GEM Scale and the DHS items, and the built-in indicators come from
    data migrations; a transactional test earlier in the same worker truncates every
    table, so load them again if they are gone."""
    names = request.fixturenames
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in names or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
    elif "db" in names or marker:
        request.getfixturevalue("db")
    else:
        return
    from tests.shipped import ensure_shipped

    ensure_shipped()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the viewers' releases kept per fill,
    ``indicators.present.program_release``): a rolled-back test can leave a program id
    and a fill time that the next test's database reuses."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _no_stray_connections(django_db_setup, django_db_blocker):
    """At the end of a worker's session, PostgreSQL refuses to drop its test database
    while another session is still connected to it (a live-server or request thread's
    connection, a job worker process not yet reaped): CI failed once with "database
    test_cascada_ci_gw0 is being accessed by other users" after every test had passed.
    Those sessions are ended first (this teardown runs before pytest-django's)."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
