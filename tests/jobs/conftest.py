from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from tests.jobs.handlers import CALLS, register_test_kinds, unregister_test_kinds

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def test_kinds() -> Iterator[None]:
    register_test_kinds()
    CALLS.clear()
    yield
    unregister_test_kinds()


def _database_url() -> str:
    s = connections["default"].settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def shared_db(transactional_db: None, tmp_path: Path) -> Iterator[str]:
    """The test database, where another process can see it; yields its URL.

    PostgreSQL: the test database itself. SQLite: the suite's database lives in memory, so
    for this test the connection moves to a file copy of it (schema and all), and back."""
    conn = connections["default"]
    if conn.vendor != "sqlite":
        yield _database_url()
        return
    conn.ensure_connection()
    path = tmp_path / "shared.sqlite3"
    dest = sqlite3.connect(path)
    conn.connection.backup(dest)
    dest.close()
    saved_connection, saved_name = conn.connection, conn.settings_dict["NAME"]
    conn.connection = None
    conn.settings_dict["NAME"] = str(path)
    try:
        yield _database_url()
    finally:
        conn.close()
        conn.settings_dict["NAME"] = saved_name
        conn.connection = saved_connection


@pytest.fixture
def files_on_disk(settings: Any, tmp_path: Path) -> Path:
    """Uploads on disk, where a worker process finds them (``start_worker(media_root=)``)."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return root


@pytest.fixture
def start_worker(shared_db: str) -> Iterator[Callable[..., subprocess.Popen]]:
    """Start real worker processes on the shared database; all are ended after the test."""
    started: list[subprocess.Popen] = []

    def start(*, stale_seconds: int = 300, media_root: Path | None = None) -> subprocess.Popen:
        """``media_root``: uploads on disk there (``tests.jobs.settings_files``), for
        tests whose jobs read files the test process stored."""
        env = {
            **os.environ,
            "DATABASE_URL": shared_db,
            "DJANGO_SETTINGS_MODULE": "tests.jobs.settings_files"
            if media_root
            else "cascada.config.settings.test",
            "CASCADA_TEST_MEDIA_ROOT": str(media_root or ""),
            "CASCADA_JOB_STALE_SECONDS": str(stale_seconds),
            "PYTHONPATH": str(ROOT),
        }
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.jobs.worker_main",
                "--interval",
                "0.2",
                "--no-startup-delay",
                "--no-reload",
                "-v",
                "0",
            ],
            cwd=ROOT,
            env=env,
        )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


def wait_for(check: Callable[[], object], *, timeout: float = 60, every: float = 0.05) -> object:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout}s waiting for {check}")
