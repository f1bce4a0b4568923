"""Importing people at national scale: a 100,000-row people file through the background
job (dry run, then commit), against a bare ``bulk_create`` of the same people, identities
and name tokens with the same encryption and hashing, in the same run.

    python -m benchmarks --only imports [--import-rows 100000]

It runs in a fresh database of its own, so that a bench database holding the synthetic
country stays as it was: a scratch SQLite file ``var/bench/imports.sqlite3``, or, when
``DATABASE_URL`` names a PostgreSQL database ``X``, the database ``X_imports`` (dropped and
created again). The file has the columns an office sends (nombres, apellidos, DNI, sexo,
año de nacimiento, teléfono) and distinct DNI numbers.

Measured:
- (a) the reference: ``Person``, ``Identity`` (every value encrypted, the ID-number and
  name hashes) and ``NameToken`` rows made in Python and written with ``bulk_create`` in
  batches of 1,000, in one transaction; no checks, no audit, no job. It runs once before
  the import and once after it (other numbers), since every insert costs a little more
  as the tables grow; the reference is the mean of the two. ``ANALYZE`` runs after the
  first (as autovacuum would on a database in use);
- (b) the web request that starts an import (``POST /imports/``: the file is stored,
  encrypted, and its dry run queued), through Django's test ``Client``;
- (c) the dry run, as the queued job runs it (``job_wait`` runs it in this process, as
  the ``cascada worker`` would);
- (d) the commit, queued and run the same way (batches of 1,000 with the ledger);
- (c + d) against (a): the target is a ratio of at most 2 (at least half the throughput).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import clients
from benchmarks.table import print_boxed

ROOT = Path(__file__).resolve().parent.parent


def fresh_database_url(suffix: str = "imports") -> str:
    """A database of this run's own, empty: see the module's docstring."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        base, _slash, name = url.rpartition("/")
        name = name.split("?")[0] + f"_{suffix}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"{base}/{name}"
    path = ROOT / "var" / "bench" / f"{suffix}.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    for leftover in path.parent.glob(f"{suffix}.sqlite3*"):
        leftover.unlink()
    return f"sqlite:///{path}"


def people_file(rows: int, *, first_dni: int) -> bytes:
    """An office's people file of ``rows`` fictitious men with distinct DNI numbers."""
    lines = ["Nombres;Apellido paterno;Apellido materno;N° DNI;Sexo;Año de nacimiento;Celular"]
    lines += [
        f"Ficticio {i % 311};Prueba{i % 97};Ejemplo{i % 89};{first_dni + i:08d};M;"
        f"{1960 + i % 45};9{first_dni + i:08d}"
        for i in range(rows)
    ]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def bare_bulk_create(*, organization: Any, rows: int, first_dni: int) -> None:
    """(a): the same rows as the file, made in Python and bulk-created (see above)."""
    from django.db import transaction

    from cascada.registry.models import Identity, NameToken, Person
    from cascada.registry.names import name_token_hashes
    from cascada.registry.services import name_key, national_id_key

    with transaction.atomic():
        for start in range(0, rows, 1000):
            batch = range(start, min(rows, start + 1000))
            people = Person.objects.bulk_create(
                Person(organization=organization, sex="male", birth_year=1960 + i % 45)
                for i in batch
            )
            identities, tokens = [], []
            for person, i in zip(people, batch, strict=True):
                given, family = f"Ficticio {i % 311}", f"Prueba{i % 97} Ejemplo{i % 89}"
                number = f"{first_dni + i:08d}"
                identities.append(
                    Identity(
                        person=person,
                        given_name=given,
                        family_name=family,
                        id_document="dni",
                        national_id=number,
                        national_id_hash=national_id_key("dni", number),
                        name_hash=name_key(given, family),
                        phone=f"9{number}",
                    )
                )
                tokens += [
                    NameToken(person=person, token_hash=h)
                    for h in sorted(name_token_hashes(given, family))
                ]
            Identity.objects.bulk_create(identities)
            NameToken.objects.bulk_create(tokens)


def run(*, rows: int) -> tuple[list[tuple[str, ...]], dict[str, Any]]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cascada.accounts.roles import Role
    from cascada.accounts.services import membership_grant, user_create
    from cascada.imports.jobs import import_commit_enqueue, import_job_work
    from cascada.imports.models import ImportJob
    from cascada.jobs.services import job_wait
    from cascada.registry.models import Identity, Organization, Person

    facts: dict[str, Any] = {}
    reference_org = Organization.objects.create(name="Referencia bulk_create", kind="ngo")
    org = Organization.objects.create(name="Importación", kind="ngo")
    coordinator = user_create(actor=None, username="bench-import", password="bench-2026-clave")
    membership_grant(actor=None, user=coordinator, organization=org, role=Role.COORDINATOR)
    data = people_file(rows, first_dni=40_000_000)
    facts["file_mb"] = len(data) / 1_000_000

    def reference(first_dni: int) -> float:
        t = time.perf_counter()
        bare_bulk_create(organization=reference_org, rows=rows, first_dni=first_dni)
        return (time.perf_counter() - t) * 1000

    # The reference runs before and after the import (tables grow as the run goes on):
    # the import is compared with the mean of the two.
    ms_before = reference(10_000_000)
    # Statistics, as autovacuum (PostgreSQL) keeps them on a database in use: without them
    # a fresh database's planner scans whole tables for the import's look-ups.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    with clients.pages():
        client = clients.signed_in(coordinator, second_factor=True)
        client.get("/imports/")  # warm: the form, the session
        upload = SimpleUploadedFile("padron-2026.csv", data, content_type="text/csv")
        t = time.perf_counter()
        response = client.post(
            "/imports/", {"kind": "people", "organization": org.pk, "file": upload}
        )
        ms_request = (time.perf_counter() - t) * 1000
    assert response.status_code == 302, response.status_code
    job = ImportJob.objects.get(organization=org)

    work = import_job_work(user=coordinator, job=job)
    assert work is not None
    t = time.perf_counter()
    work = job_wait(job=work, poll=0.05)
    ms_check = (time.perf_counter() - t) * 1000
    job.refresh_from_db()
    assert job.status == "validated" and job.valid_rows == rows, (job.status, job.valid_rows)

    t = time.perf_counter()
    commit = import_commit_enqueue(actor=coordinator, job=job, skip_errors=False)
    commit = job_wait(job=commit, poll=0.05)
    ms_commit = (time.perf_counter() - t) * 1000
    job.refresh_from_db()
    assert job.status == "confirmed" and job.created == rows, (job.status, job.created)
    assert Identity.objects.filter(person__organization=org).count() == rows
    ms_after = reference(20_000_000)
    ms_bare = (ms_before + ms_after) / 2
    assert Person.objects.filter(organization=reference_org).count() == 2 * rows

    def per_s(ms: float) -> str:
        return f"{rows / (ms / 1000):,.0f}"

    job_ms = ms_check + ms_commit
    table = [
        ("(a) bare bulk_create, same encryption and hashing, before the import", ms_before, ""),
        ("(a) the same, after the import", ms_after, ""),
        ("(a) mean of the two: the reference", ms_bare, ""),
        ("(b) the web request that starts the import (POST /imports/)", ms_request, ""),
        ("(c) dry run, as the job", ms_check, ""),
        ("(d) commit, as the job (batches of 1,000, ledger)", ms_commit, ""),
        ("(c + d) the import, through the job", job_ms, f"{job_ms / ms_bare:.2f} × (a)"),
    ]
    out = [
        (label, f"{ms / 1000:.2f}", per_s(ms) if "(b)" not in label else "", ratio)
        for label, ms, ratio in table
    ]
    facts["request_ms"] = ms_request
    facts["ratio"] = job_ms / ms_bare
    return out, facts


def print_table(rows: list[tuple[str, ...]], *, n: int, facts: dict[str, Any]) -> None:
    from django.db import connection

    print()
    print(
        f"Importing people: {n:,} rows ({facts['file_mb']:.1f} MB CSV), "
        f"{connection.vendor}, a fresh database; "
        "targets: (c + d) at most 2 × (a) (half the throughput), (b) under 1 s"
    )
    print_boxed(("measure", "s", "rows/s", "ratio"), rows)
    verdict = "met" if facts["ratio"] <= 2 and facts["request_ms"] < 1000 else "NOT met"
    print(f"targets {verdict}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.imports")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = fresh_database_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cascada.config.settings.local")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    rows, facts = run(rows=args.rows)
    print_table(rows, n=args.rows, facts=facts)
    return 0


def run_apart(rows: int) -> None:
    """Run this table in a process of its own (its own database): ``python -m benchmarks``."""
    import subprocess

    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "benchmarks.imports", "--rows", str(rows)], check=True, cwd=ROOT
    )


if __name__ == "__main__":
    raise SystemExit(main())
