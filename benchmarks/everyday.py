"""Everyday reads and writes at national scale: Cascada's scoped selectors and audited
services against a plain reference in the same run, on the same synthetic country.

Run by ``python -m benchmarks`` after the cascade table (``--only everyday`` for this
table alone). Each Cascada operation runs as a coordinator of the largest synthetic
organization, created through ``cascada.accounts.services``; the reference is the same
read without scoping (plain ORM, unscoped) or the minimal write (a raw ``bulk_create``).
Everything this module writes (the user, a few people with identities, bench cohorts,
attendance) happens inside one transaction rolled back at the end, so a reused bench
database stays the same from run to run (and commits are left out of both sides).
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable
from typing import Any

from benchmarks.table import print_boxed

PAGE = 50
IDENTITIES = 5


class _Rollback(Exception):
    pass


def _measure(fn: Callable[[], Any], repeat: int) -> tuple[float, int, Any]:
    """Median ms over ``repeat`` runs (after one warm-up that also counts the queries)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), len(ctx.captured_queries), result


def _measure_each(fns: list[Callable[[], Any]]) -> tuple[float, int]:
    """For writes that cannot run twice on the same target: one callable per repeat, the
    first one's queries counted."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries = [], 0
    for i, fn in enumerate(fns):
        if i == 0:
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                fn()
                times.append((time.perf_counter() - t) * 1000)
            queries = len(ctx.captured_queries)
        else:
            t = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), queries


def largest_organization() -> Any:
    from django.db.models import Count

    from cascada.registry.models import Organization

    return (
        Organization.objects.annotate(n=Count("people"))
        .order_by("-n", "pk")
        .only("pk", "name")
        .first()
    )


def _setup(org: Any) -> tuple[Any, list[Any]]:
    """A coordinator of ``org`` and a few people of ``org`` with identities (synthetic
    people have none), created through the real services."""
    from cascada.accounts.roles import Role
    from cascada.accounts.services import membership_grant, user_create
    from cascada.registry.services import person_create

    user = user_create(actor=None, username="bench-coordinator", password="bench-una-clave-2026")
    membership_grant(actor=None, user=user, organization=org, role=Role.COORDINATOR)
    people = [
        person_create(
            actor=user,
            organization=org,
            given_name=f"Banca{i}",
            family_name="Prueba",
            national_id=f"4{i:07d}",
            birth_year=1990,
        )
        for i in range(IDENTITIES)
    ]
    return user, people


def _bench_cohorts(org: Any, n: int, size: int, sessions: int = 1) -> list[Any]:
    """``n`` new cohorts of ``size`` people of ``org`` each, with ``sessions`` sessions,
    run by a trainer of the cascade (so completing one moves the lineage), through
    services."""
    from cascada.cascade.models import Lineage
    from cascada.registry.models import Person
    from cascada.trainings import services as trainings
    from cascada.trainings.models import Program

    program = Program.objects.filter(owner=org).order_by("pk").first()
    trainer = (
        Lineage.objects.filter(program=program, generation=3).order_by("person_id").first()
        or Lineage.objects.filter(program=program).order_by("-generation").first()
    )
    facilitators = [Person.objects.get(pk=trainer.person_id)] if trainer else []
    people = list(
        Person.objects.filter(organization=org, merged_into__isnull=True)
        .exclude(pk__in=[p.pk for p in facilitators])
        .order_by("-pk")[:size]
    )
    cohorts = []
    for i in range(n):
        cohort = trainings.cohort_create(
            actor=None,
            program=program,
            name=f"Banca {i}",
            kind="course",
            start_date=dt.date(2026, 11, 2),
            facilitators=facilitators,
        )
        trainings.sessions_generate(actor=None, cohort=cohort, count=sessions, pattern="weekly")
        for p in people:
            trainings.enrolment_create(actor=None, cohort=cohort, person=p)
        cohorts.append(cohort)
    return cohorts


def run(*, repeat: int = 7) -> tuple[list[tuple[str, ...]], dict[str, Any]]:
    """Time every operation; returns the table rows and a few facts for the caption."""
    from django.db import transaction

    out: dict[str, Any] = {}
    try:
        with transaction.atomic():
            rows = _run(repeat, out)
            out["rows"] = rows
            raise _Rollback
    except _Rollback:
        pass
    return out.pop("rows"), out


def _run(repeat: int, facts: dict[str, Any]) -> list[tuple[str, ...]]:
    from django.db.models import Count, Q

    from cascada.accounts.roles import Cap
    from cascada.registry import selectors as registry
    from cascada.registry.models import Identity, Person
    from cascada.trainings import selectors as trainings
    from cascada.trainings import services as training_services
    from cascada.trainings.models import (
        Attendance,
        Cohort,
        Enrolment,
        EnrolmentStatus,
        Session,
    )

    org = largest_organization()
    user, people = _setup(org)
    facts["organization"] = org.name
    rows: list[tuple[str, ...]] = []

    def row(label: str, mine: tuple[float, int], ref: tuple[float, int]) -> None:
        rows.append(
            (
                label,
                f"{mine[0]:.1f}",
                str(mine[1]),
                f"{ref[0]:.1f}",
                str(ref[1]),
                f"{mine[0] / ref[0]:.2f}" if ref[0] else "",
            )
        )

    # --- people list, first page and count
    def people_page() -> tuple[int, int]:
        qs = registry.person_list(user=user)
        return len(list(qs.order_by("code")[:PAGE])), qs.count()

    def people_page_ref() -> tuple[int, int]:
        qs = (
            Person.objects.filter(merged_into__isnull=True)
            .select_related("place", "organization")
            .prefetch_related("roles")
        )
        return len(list(qs.order_by("code")[:PAGE])), qs.count()

    ms, nq, (_n, visible) = _measure(people_page, repeat)
    rms, rnq, (_n, everyone) = _measure(people_page_ref, repeat)
    row(
        f"people list: first {PAGE} + count ({visible:,} visible / {everyone:,} unscoped)",
        (ms, nq),
        (rms, rnq),
    )

    # --- search by ID number
    target = people[len(people) // 2]
    national_id = Identity.objects.get(person=target).national_id
    ms, nq, found = _measure(
        lambda: list(registry.person_search(user=user, text=national_id)), repeat
    )
    assert [p.pk for p in found] == [target.pk], found
    code = Person.objects.exclude(pk=target.pk).order_by("pk").values_list("code", flat=True)[0]
    rms, rnq, found = _measure(lambda: list(Person.objects.filter(code=code)), repeat)
    assert len(found) == 1
    row("search by ID number (keyed hash) vs by code (unscoped)", (ms, nq), (rms, rnq))

    # --- search by a word of the name: synthetic people have no identity, so every
    # person gets two name tokens from a vocabulary of 2,000 (rolled back at the end)
    from cascada.registry.models import NameToken
    from cascada.registry.names import token_hasher

    word = token_hasher()
    vocabulary = [word(f"apellido{i}") for i in range(2000)]
    NameToken.objects.bulk_create(
        (
            NameToken(person_id=pk, token_hash=vocabulary[(pk * k) % 2000])
            for pk in Person.objects.exclude(pk__in=[p.pk for p in people]).values_list(
                "pk", flat=True
            )
            for k in (1, 7)
        ),
        batch_size=5000,
        ignore_conflicts=True,
    )
    facts["name_tokens"] = NameToken.objects.count()
    ms, nq, found = _measure(
        lambda: list(registry.person_search(user=user, text="prueba banca2")), repeat
    )
    assert [p.pk for p in found] == [people[2].pk], found
    rms, rnq, found = _measure(
        lambda: list(
            NameToken.objects.filter(token_hash=word("prueba")).values_list("person_id", flat=True)
        ),
        repeat,
    )
    assert len(found) == len(people)
    row(
        f"search by two words of the name ({facts['name_tokens']:,} name tokens) "
        "vs one token look-up (unscoped)",
        (ms, nq),
        (rms, rnq),
    )

    # --- cohort list, first page with counts
    def cohorts_page() -> tuple[int, int]:
        qs = trainings.cohort_list_filtered(user=user)
        return len(list(qs[:PAGE])), qs.count()

    def cohorts_page_ref() -> tuple[int, int]:
        """Hand-written: the page of cohorts, then the four counts of those 50 cohorts
        in one GROUP BY, then the total."""
        page = list(
            Cohort.objects.select_related(
                "program", "place", "curriculum_version__curriculum"
            ).order_by("-start_date", "name", "pk")[:PAGE]
        )
        enrolled = Q(status=EnrolmentStatus.ENROLLED)
        completed = Q(completed=True)
        consent = Q(person__reporting_consent=True)
        counts = {
            r["cohort_id"]: r
            for r in Enrolment.objects.filter(cohort_id__in=[c.pk for c in page])
            .values("cohort_id")
            .annotate(
                n_enrolled=Count("pk", filter=enrolled),
                n_completed=Count("pk", filter=completed),
                n_enrolled_reportable=Count("pk", filter=enrolled & consent),
                n_completed_reportable=Count("pk", filter=completed & consent),
            )
        }
        return len([(c, counts.get(c.pk)) for c in page]), Cohort.objects.count()

    ms, nq, (_n, visible) = _measure(cohorts_page, repeat)
    rms, rnq, (_n, everyone) = _measure(cohorts_page_ref, repeat)
    row(
        f"cohort list: first {PAGE} with 4 counts + count "
        f"({visible:,} visible / {everyone:,} unscoped)",
        (ms, nq),
        (rms, rnq),
    )

    # --- one session roster (a cohort of about 20 people, in scope)
    visible_cohorts = trainings.cohort_ids_visible(user=user, cap=Cap.VIEW_PEOPLE)
    # the visible cohort nearest 20 people that has a session with attendance
    sized = (
        Enrolment.objects.filter(cohort_id__in=visible_cohorts, status=EnrolmentStatus.ENROLLED)
        .values("cohort_id")
        .annotate(n=Count("pk"))
        .filter(n__lte=20)
        .order_by("-n", "cohort_id")
        .values_list("cohort_id", "n")
    )
    for cohort_id, size in sized[:50]:  # noqa: B007 (size is used after the loop)
        session = (
            Session.objects.filter(cohort_id=cohort_id, attendance__isnull=False)
            .select_related("cohort__program")
            .distinct()
            .order_by("number")
            .first()
        )
        if session is not None:
            break
    assert session is not None
    ms, nq, roster = _measure(lambda: trainings.session_roster(user=user, session=session), repeat)
    assert len(roster) == size

    def roster_ref() -> int:
        enrolments = list(
            Enrolment.objects.filter(
                cohort_id=session.cohort_id, status=EnrolmentStatus.ENROLLED
            ).select_related("person")
        )
        marks = dict(
            Attendance.objects.filter(session=session).values_list("enrolment_id", "status")
        )
        names = dict(
            Identity.objects.filter(person_id__in=[e.person_id for e in enrolments]).values_list(
                "person_id", "given_name"
            )
        )
        return len([(e, marks.get(e.pk), names.get(e.person_id)) for e in enrolments])

    rms, rnq, _r = _measure(roster_ref, repeat)
    row(f"session roster ({size} people)", (ms, nq), (rms, rnq))

    # --- record attendance for one session of 20: the first of ten (nobody's completion
    # changes, the usual case), and a one-session cohort (everyone completes and the
    # cascade lineage moves for each: the worst case)
    n = max(3, repeat)

    def record(cohort: Any) -> Callable[[], Any]:
        session = cohort.sessions.select_related("cohort__program").order_by("number")[0]
        enrolment_ids = list(cohort.enrolments.values_list("pk", flat=True))

        def go() -> Any:
            return training_services.attendance_record(
                actor=user, session=session, marks=dict.fromkeys(enrolment_ids, "present")
            )

        return go

    def record_ref(cohort: Any) -> Callable[[], Any]:
        session = cohort.sessions.order_by("number")[0]
        enrolment_ids = list(cohort.enrolments.values_list("pk", flat=True))

        def go() -> Any:
            return Attendance.objects.bulk_create(
                [
                    Attendance(session=session, enrolment_id=e, status="present")
                    for e in enrolment_ids
                ]
            )

        return go

    for sessions, label in (
        (10, "record attendance, 20 people, 1st of 10 sessions (nobody completes)"),
        (1, "record attendance, 20 people who all complete (lineage moves 20 times)"),
    ):
        mine_cohorts = _bench_cohorts(org, n, 20, sessions)
        ref_cohorts = _bench_cohorts(org, n, 20, sessions)
        mine = _measure_each([record(c) for c in mine_cohorts])
        done = sum(c.enrolments.filter(completed=True).count() for c in mine_cohorts)
        assert done == (20 * n if sessions == 1 else 0), done
        ref = _measure_each([record_ref(c) for c in ref_cohorts])
        row(f"{label} vs bulk_create", mine, ref)

    # --- sessions missing attendance, first page (after the bench cohorts above were
    # made: their past sessions never taken are what it finds; synth takes every session)
    today = dt.date(2026, 11, 22)

    def missing() -> int:
        return len(list(trainings.sessions_missing_attendance(user=user, today=today)[:PAGE]))

    def missing_ref() -> int:
        from django.db.models import Exists, OuterRef

        qs = (
            Session.objects.filter(
                date__lt=today,
                cancelled=False,
                headcount__isnull=True,
                attendance_taken_at__isnull=True,
            )
            .filter(~Exists(Attendance.objects.filter(session=OuterRef("pk"))))
            .select_related("cohort__program")
            .order_by("date")
        )
        return len(list(qs[:PAGE]))

    ms, nq, n_missing = _measure(missing, repeat)
    rms, rnq, _r = _measure(missing_ref, repeat)
    row(f"sessions missing attendance: first {PAGE} ({n_missing} shown)", (ms, nq), (rms, rnq))

    # --- recompute completion for one cohort (the roster's)
    cohort = Cohort.objects.get(pk=cohort_id)
    ms, nq, _c = _measure(
        lambda: training_services.cohort_completion_recompute(cohort=cohort), repeat
    )

    def recompute_ref() -> int:
        return len(
            list(
                Attendance.objects.filter(
                    enrolment__cohort_id=cohort_id,
                    status__in=["present", "makeup"],
                    session__cancelled=False,
                    session__headcount__isnull=True,
                )
                .values("enrolment_id")
                .annotate(n=Count("pk"))
            )
        )

    rms, rnq, _r = _measure(recompute_ref, repeat)
    row(
        f"completion recompute, one cohort ({size} people) vs one aggregate query",
        (ms, nq),
        (rms, rnq),
    )
    return rows


def print_table(rows: list[tuple[str, ...]], *, people: int, repeat: int, facts: dict) -> None:
    print()
    print(
        f"Everyday reads and writes: {people:,} people, median of {repeat}, "
        f"as a coordinator of {facts.get('organization', '?')}"
    )
    header = ("operation", "Cascada ms", "queries", "reference ms", "queries", "ratio")
    print_boxed(header, rows)
