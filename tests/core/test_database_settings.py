"""Issue 15: Cascada's PostgreSQL connections run without JIT (docs/performance.md,
"PostgreSQL settings"): its statements take milliseconds and JIT compiling cost more than
it saved (58 ms of a 130 ms query on a large trainer's page)."""

from __future__ import annotations

import runpy
from pathlib import Path

from django.db import connection

import cascada.config.settings.base as base


def _settings_for(monkeypatch, url: str, **env: str) -> dict:
    monkeypatch.setenv("DATABASE_URL", url)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    path = Path(base.__file__)
    return runpy.run_path(str(path))["DATABASES"]["default"]


def test_postgresql_connections_ask_for_jit_off(monkeypatch):
    db = _settings_for(monkeypatch, "postgres://cascada@db.internal/cascada")
    assert db["OPTIONS"]["options"] == "-c jit=off"
    tuned = _settings_for(
        monkeypatch,
        "postgres://cascada@db.internal/cascada",
        CASCADA_PG_OPTIONS="-c jit=off -c work_mem=32MB",
    )
    assert tuned["OPTIONS"]["options"] == "-c jit=off -c work_mem=32MB"
    sqlite = _settings_for(monkeypatch, "sqlite:////tmp/x.sqlite3")
    assert "options" not in sqlite["OPTIONS"]


def test_the_test_database_connection_has_the_setting_it_asked_for(db):
    """On PostgreSQL the server says jit is off for this very connection; on SQLite
    the embedded database has no JIT and keeps its own pragmas."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SHOW jit")
            assert cur.fetchone()[0] == "off"
        else:
            cur.execute("PRAGMA foreign_keys")
            assert cur.fetchone()[0] == 1
