"""Attitude measurement at national scale (issue 9), in a fresh database of its own:

    python -m benchmarks --only measurement [--submissions 100000]

1. **Importing KoboToolbox submissions of the GEM Scale.** A cohort of ``n / 2`` men with
   a baseline and an endline round; each round's export (Kobo CSV as kpi writes it: ``;``,
   every cell quoted, ``items/`` group prefixes, the metadata columns) is uploaded, checked
   and imported through the background jobs (``job_wait`` runs them in this process, as
   ``cascada worker`` would). The reference: a bare ``bulk_create`` of the same answers
   (one ``Response`` row per submission: respondent, round, submission key, answers)
   into the same database, before and after the import (mean of the two). Target: the
   import job at least half the reference's throughput (the check that runs before it,
   when the file is uploaded, is shown beside it: with it, the whole is slower).
2. **The before/after analysis of the matched people** (``n / 2``): every statistic of
   ``analysis.summarise`` (overall change with its tests, by six groupings, alpha with
   item statistics, McNemar per item, category moves) against a plain NumPy/SciPy
   computation of the same statistics over the same arrays (``_reference``), median of
   ``repeat``. Target: at most 2 times. Reading the matched people from the database
   (``analysis.matched``) is timed on its own line.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.imports import fresh_database_url
from benchmarks.table import print_boxed

ROOT = Path(__file__).resolve().parent.parent


def kobo_export(survey: Any, people: list[Any], level: np.ndarray, rng: Any) -> bytes:
    """A Kobo CSV export of ``survey``'s form answered by ``people`` (equity ``level``)."""
    from cascada.measurement.shipped import GEM_ITEMS

    codes = [c for c, *_ in GEM_ITEMS]
    inequitable = {c for c, ineq, *_ in GEM_ITEMS if ineq}
    meta = ["_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
            "_submitted_by", "__version__", "_tags", "meta/rootUuid", "_index"]  # fmt: skip
    headers = ["start", "end", "consent", "participant_code",
               *[f"items/{c}" for c in codes], "cascada_round", *meta]  # fmt: skip
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(headers)
    draws = rng.random((len(people), len(codes), 2)) < level[:, None, None]
    scores = 1 + draws.sum(axis=2)
    for n, person in enumerate(people):
        uuid = f"{survey.pk:04x}{n:08x}-0000-4000-8000-{n:012x}"
        answers = [
            ("agree", "partly", "disagree")[s - 1]
            if c in inequitable
            else ("disagree", "partly", "agree")[s - 1]
            for c, s in zip(codes, scores[n], strict=True)
        ]
        writer.writerow(
            [
                "2026-03-02T09:01:02.000-05:00",
                "2026-03-02T09:12:40.000-05:00",
                "yes",
                person.code,
                *answers,
                str(survey.pk),
                str(300000 + n),
                uuid,
                "2026-03-02T14:01:19",
                "",
                "",
                "submitted_via_web",
                "encuestadora1",
                "vQm8sDYtR6xqkzHh5bnWqN",
                "",
                f"uuid:{uuid}",
                str(n + 1),
            ]
        )
    return out.getvalue().encode("utf-8")


def _world(n_people: int) -> tuple[Any, Any, Any, list[Any], Any]:
    import datetime as dt

    from cascada.accounts.roles import Role
    from cascada.accounts.services import membership_grant, user_create
    from cascada.measurement.models import Instrument
    from cascada.measurement.services import round_create
    from cascada.registry.models import Organization, Person
    from cascada.trainings.models import Enrolment
    from cascada.trainings.services import cohort_create, program_create

    org = Organization.objects.create(name="Medición nacional", kind="ministry")
    program = program_create(actor=None, owner=org, name="Hombres de Miércoles (bench)")
    cohort = cohort_create(
        actor=None, program=program, name="Cohorte nacional", kind="course",
        start_date=dt.date(2026, 3, 2),
    )  # fmt: skip
    people = Person.objects.bulk_create(
        Person(organization=org, sex="male", birth_year=1970 + n % 40) for n in range(n_people)
    )
    Enrolment.objects.bulk_create(
        Enrolment(cohort=cohort, person=p, enrolled_on=dt.date(2026, 3, 2)) for p in people
    )
    gem = Instrument.objects.get(code="gem", organization=None).versions.get()
    base, end, ref_a, ref_b = (
        round_create(actor=None, cohort=cohort, version=gem, kind=kind, opens_on=cohort.start_date,
                     label=label)
        for kind, label in (("baseline", ""), ("endline", ""), ("follow_up", "ref"),
                            ("follow_up", "ref 2"))
    )  # fmt: skip
    user = user_create(actor=None, username="bench-medicion", password="bench-2026-clave")
    membership_grant(actor=None, user=user, organization=org, role=Role.COORDINATOR)
    return user, base, end, people, (ref_a, ref_b)


def _bare(survey: Any, people: list[Any], data: bytes) -> float:
    """The reference: the same answers, bulk-created as they are (no reading, checking or
    scoring)."""
    from django.db import transaction

    from cascada.measurement.models import Response
    from cascada.measurement.shipped import GEM_ITEMS

    codes = [c for c, *_ in GEM_ITEMS]
    rows = list(csv.reader(io.StringIO(data.decode()), delimiter=";"))[1:]
    t = time.perf_counter()
    with transaction.atomic():
        for start in range(0, len(rows), 1000):
            Response.objects.bulk_create(
                Response(
                    round=survey,
                    person=person,
                    source="kobo",
                    source_key=row[-2].removeprefix("uuid:"),
                    instance_id=row[-10],
                    answers=dict(zip(codes, row[4 : 4 + len(codes)], strict=True)),
                    consent=True,
                )
                for person, row in zip(people[start : start + 1000], rows[start : start + 1000],
                                       strict=True)
            )  # fmt: skip
    return (time.perf_counter() - t) * 1000


def _import(user: Any, survey: Any, data: bytes) -> tuple[float, float]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cascada.jobs.models import Job
    from cascada.jobs.services import job_wait
    from cascada.measurement import importers
    from cascada.measurement.models import UploadStatus

    t = time.perf_counter()
    record = importers.upload_submissions(
        actor=user, survey=survey, upload=SimpleUploadedFile("export.csv", data),
        filename="export.csv",
    )  # fmt: skip
    check = Job.objects.filter(kind=importers.CHECK).latest("pk")
    job_wait(job=check, poll=0.05)
    ms_check = (time.perf_counter() - t) * 1000
    record.refresh_from_db()
    assert record.status == UploadStatus.CHECKED and not record.problem_count, record.problems[:3]
    t = time.perf_counter()
    job_wait(job=importers.import_confirm(actor=user, record=record), poll=0.05)
    ms_import = (time.perf_counter() - t) * 1000
    record.refresh_from_db()
    assert record.status == UploadStatus.IMPORTED, record.status
    return ms_check, ms_import


def _reference(data: Any, groups: dict[str, np.ndarray], upper: tuple[float, ...]) -> Any:
    """The same statistics as ``analysis.summarise``, written plainly with NumPy/SciPy."""
    from scipy import stats as st

    out: dict[str, Any] = {}

    def paired(b: np.ndarray, a: np.ndarray) -> tuple[Any, ...]:
        diff = a - b
        n = len(diff)
        mean, sd = diff.mean(), diff.std(ddof=1)
        half = st.t.ppf(0.975, n - 1) * sd / np.sqrt(n)
        return (
            mean, mean - half, mean + half, mean / sd, st.ttest_rel(a, b),
            st.wilcoxon(a, b) if np.any(diff) else None,
            (diff > 0).mean(), (diff == 0).mean(), (diff < 0).mean(),
        )  # fmt: skip

    out["overall"] = paired(data.before, data.after)
    for name, keys in groups.items():
        out[name] = {k: paired(data.before[keys == k], data.after[keys == k]) for k in set(keys)}
    x = data.items_before[~np.isnan(data.items_before).any(axis=1)]
    c = np.cov(x, rowvar=False)
    k = x.shape[1]
    alpha = k / (k - 1) * (1 - np.trace(c) / c.sum())
    total = x.sum(axis=1)
    rest = total[:, None] - x
    r = [np.corrcoef(x[:, i], rest[:, i])[0, 1] for i in range(k)]
    out["alpha"] = (alpha, r)
    agree_b = data.items_before == 1
    agree_a = data.items_after == 1
    both = ~np.isnan(data.items_before) & ~np.isnan(data.items_after)
    bb = (agree_b & ~agree_a & both).sum(axis=0)
    cc = (~agree_b & agree_a & both).sum(axis=0)
    out["mcnemar"] = [
        st.binomtest(int(b), int(b + c), 0.5).pvalue
        if b + c < 25
        else st.chi2.sf((abs(b - c) - 1) ** 2 / (b + c), 1)
        for b, c in zip(bb, cc, strict=True)
    ]
    cats_b = np.searchsorted(np.array(upper), data.before - 1e-9)
    cats_a = np.searchsorted(np.array(upper), data.after - 1e-9)
    out["moves"] = np.histogram2d(cats_b, cats_a, bins=len(upper) + 1)[0]
    return out


def run(*, submissions: int, repeat: int) -> tuple[list[tuple[str, ...]], dict[str, Any]]:
    from cascada.measurement import analysis
    from cascada.measurement.models import Instrument
    from cascada.measurement.scoring import Spec

    rng = np.random.default_rng(9)
    men = submissions // 2
    user, base, end, people, (ref_a, ref_b) = _world(men)
    level = np.clip(rng.normal(0.42, 0.12, men), 0.05, 0.9)
    gain = np.clip(level + rng.normal(0.12, 0.08, men), 0.05, 0.95)
    data_base = kobo_export(base, people, level, rng)
    data_end = kobo_export(end, people, gain, rng)

    ms_ref_before = _bare(ref_a, people, data_base)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would on a database in use
    check_b, import_b = _import(user, base, data_base)
    check_e, import_e = _import(user, end, data_end)
    ms_ref_after = _bare(ref_b, people, data_end)
    ms_ref = ms_ref_before + ms_ref_after  # both halves: the same 2 x men rows
    ms_job = check_b + import_b + check_e + import_e

    instrument = Instrument.objects.get(code="gem", organization=None)
    spec = Spec.of(instrument.versions.get())
    t = time.perf_counter()
    data, _nb, _ne = analysis.matched(
        spec=spec, cohorts=[base.cohort_id], instrument=instrument, reportable_only=False
    )
    ms_load = (time.perf_counter() - t) * 1000
    assert data.n == men, data.n
    groups = {name: np.array(keys, dtype=object) for name, keys in data.groups.items()}
    # Departments and facilitators vary in a country: give the bench's people some.
    groups["department"] = np.array([f"D{n % 25}" for n in range(men)], dtype=object)
    # Courses of about 40 men, as the programs run them.
    groups["cohort"] = np.array([f"C{n % max(1, men // 40)}" for n in range(men)], dtype=object)
    data.groups = {name: list(keys) for name, keys in groups.items()}
    upper = spec.upper_bounds()

    def ours() -> Any:
        return analysis.summarise(data, spec=spec, instrument=instrument, exact=True, k=5)

    def theirs() -> Any:
        return _reference(data, groups, upper)

    mine_ms, ref_ms = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        result = ours()
        mine_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        reference = theirs()
        ref_ms.append((time.perf_counter() - t) * 1000)
    assert abs(result.overall.change.mean_difference - reference["overall"][0]) < 1e-9
    assert abs(result.reliability.alpha - reference["alpha"][0]) < 1e-9
    ms_ours, ms_theirs = statistics.median(mine_ms), statistics.median(ref_ms)

    def per_s(ms: float, n: int) -> str:
        return f"{n / (ms / 1000):,.0f}"

    rows = [
        ("(a) bare bulk_create of the same answers (reference)", f"{ms_ref / 1000:.2f}",
         per_s(ms_ref, submissions), ""),
        ("(b) check, as the job (both files)", f"{(check_b + check_e) / 1000:.2f}",
         per_s(check_b + check_e, submissions), ""),
        ("(c) import, as the job (both files)", f"{(import_b + import_e) / 1000:.2f}",
         per_s(import_b + import_e, submissions), f"{(import_b + import_e) / ms_ref:.2f} × (a)"),
        ("(b + c) the import through the jobs", f"{ms_job / 1000:.2f}",
         per_s(ms_job, submissions), f"{ms_job / ms_ref:.2f} × (a)"),
        (f"(d) analysis.summarise, {men:,} matched people", f"{ms_ours / 1000:.3f}", "",
         f"{ms_ours / ms_theirs:.2f} × (e)"),
        ("(e) plain NumPy/SciPy, the same statistics (reference)", f"{ms_theirs / 1000:.3f}",
         "", ""),
        ("(f) reading the matched people from the database", f"{ms_load / 1000:.2f}", "", ""),
    ]  # fmt: skip
    facts = {
        "import_ratio": (import_b + import_e) / ms_ref,
        "with_check_ratio": ms_job / ms_ref,
        "analysis_ratio": ms_ours / ms_theirs,
        "groups": {name: len(set(keys)) for name, keys in groups.items()},
    }
    return rows, facts


def print_table(rows: list[tuple[str, ...]], *, n: int, repeat: int, facts: dict) -> None:
    from django.db import connection

    print()
    print(
        f"Measurement: {n:,} KoboToolbox submissions of the GEM Scale ({n // 2:,} men, baseline "
        f"and endline), {connection.vendor}, a fresh database; analysis median of {repeat}, "
        f"groups {facts['groups']}; targets: (c) at most 2 × (a) (the import; with the check "
        f"before it, (b + c), {facts['with_check_ratio']:.2f} ×), (d) at most 2 × (e)"
    )
    print_boxed(("measure", "s", "per s", "ratio"), rows)
    ok = facts["import_ratio"] <= 2 and facts["analysis_ratio"] <= 2
    print(f"targets {'met' if ok else 'NOT met'}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.measurement")
    parser.add_argument("--submissions", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = fresh_database_url("measurement")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cascada.config.settings.local")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    rows, facts = run(submissions=args.submissions, repeat=args.repeat)
    print_table(rows, n=args.submissions, repeat=args.repeat, facts=facts)
    return 0


def run_apart(submissions: int, repeat: int) -> None:
    import subprocess

    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "benchmarks.measurement", "--submissions", str(submissions),
         "--repeat", str(repeat)],
        check=True, cwd=ROOT,
    )  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
