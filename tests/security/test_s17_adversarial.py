"""S15, S17 under attack (ADR 0006). A program with small groups: cohorts of 1 to 4
completers, a department with a single person, a man who did not consent to reporting.
A viewer collects everything the viewer role reaches (every route of the URL resolver,
web and API, pages, aggregates and exports, over a grid of the filters and periods the
routes accept) and tries to recover each hidden count:

- **linear bounds** across every table of the release at once: an integer programme over
  the full cross-classification of the people (generation x sex x age band x department x
  completed) finds the least and greatest value of each small count;
- **differencing**: the world is changed in ways the release does not show (another
  cohort's enrolment, attendance at more sessions, the non-consenting man's activity) and
  the viewer's whole collection must stay byte for byte the same; filters and periods
  must give the same figures as none;
- **no count outside the release**: every count field of every other API answer is null.

``test_s17_attack_succeeds_without_the_protection`` shows the attacker is not blind."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
from collections import Counter
from types import SimpleNamespace

import numpy as np
import pytest
from django.test import Client
from scipy.optimize import Bounds, LinearConstraint, milp

from cascada.cascade.models import CohortLevel
from cascada.cascade.selectors import AGE_BANDS
from cascada.trainings.models import Enrolment
from cascada.trainings.services import attendance_record, enrolment_create
from tests.accounts.factories import login_verified, make_user
from tests.api.conftest import token_client
from tests.cascade.conftest import _place
from tests.cascade.factories import complete, enrol_only, run_cohort
from tests.registry.factories import consent_to_reporting, make_org, make_person
from tests.security.object_routes import OBJECT_ROUTES
from tests.security.routes import all_routes, build_url
from tests.trainings.factories import make_program

pytestmark = pytest.mark.django_db

K = 5
COUNT_KEYS = {"n_enrolled", "n_completed", "n_present", "n_marked", "headcount", "people"}


def _band(birth_year: int, today: dt.date) -> str:
    age = today.year - birth_year
    for key, lo, hi in (("0-17", 0, 17), ("18-29", 18, 29), ("30-44", 30, 44), ("45-59", 45, 59)):
        if lo <= age <= hi:
            return key
    return "60+"


def build_small_program():
    """Known people, each in one cohort: (generation, sex, band, department, completed)."""
    org = make_org(name="ONG Pequeña")
    lima = _place("15", "Lima", "department")
    cusco = _place("08", "Cusco", "department")
    piura = _place("20", "Piura", "department")
    vmt = _place("150143", "Villa María del Triunfo", "district", lima, lima)
    wanchaq = _place("080108", "Wanchaq", "district", cusco, cusco)
    castilla = _place("200104", "Castilla", "district", piura, piura)
    program = make_program(owner=org, name="Programa pequeño")
    today = dt.date.today()
    truth: list[tuple[int, str, str, str, bool]] = []

    def people(n, *, sex="male", birth=1990):
        out = [make_person(organization=org, sex=sex, birth_year=birth) for _ in range(n)]
        consent_to_reporting(*out)
        return out

    pending: list[tuple] = []

    def record(group, cohort, dept, done):
        pending.extend((p, cohort, dept, done) for p in group)

    trainers = people(4)
    national = make_person(organization=org)  # the national trainer who runs the ToT
    tot = run_cohort(
        program=program, kind="tot", place=vmt, start=dt.date(2026, 1, 5), facilitators=(national,)
    )
    complete(tot, *trainers)
    record(trainers, tot, "Lima", True)
    big = people(10) + people(3, sex="female", birth=1980)
    later = dt.date(2026, 3, 2)  # after the training of trainers: a second generation
    w1 = run_cohort(
        program=program, facilitators=(trainers[0],), place=vmt, sessions=3, start=later
    )
    complete(w1, *big)
    record(big, w1, "Lima", True)
    dropped = people(4)
    enrol_only(w1, *dropped)
    record(dropped, w1, "Lima", False)
    # The man who did not consent to aggregate reporting (S15).
    refuser = make_person(organization=org)
    complete(w1, refuser)
    w2 = run_cohort(
        program=program, facilitators=(trainers[1],), place=wanchaq, sessions=2, start=later
    )
    cusco_done, cusco_left = people(3, birth=1970), people(2, birth=1970)
    complete(w2, *cusco_done)
    enrol_only(w2, *cusco_left)
    record(cusco_done, w2, "Cusco", True)
    record(cusco_left, w2, "Cusco", False)
    w3 = run_cohort(program=program, facilitators=(trainers[2],), place=castilla, start=later)
    alone = people(1, birth=2000)  # the only person in Piura
    complete(w3, *alone)
    record(alone, w3, "Piura", True)
    w4 = run_cohort(
        program=program, facilitators=(trainers[0],), place=vmt, sessions=2, start=later
    )
    pair = people(2)
    complete(w4, *pair)
    record(pair, w4, "Lima", True)
    # Generations as the lineage computed them (structure, not counts).
    levels = dict(CohortLevel.objects.values_list("cohort_id", "generation"))
    for p, cohort, dept, done in pending:
        gen = levels.get(cohort.pk) or 1
        truth.append((gen, p.sex, _band(p.birth_year, today), dept, done))
    viewer = make_user(role="viewer", organization=org)
    return SimpleNamespace(
        org=org,
        program=program,
        cohorts=[tot, w1, w2, w3, w4],
        departments={"Lima": lima, "Cusco": cusco, "Piura": piura},
        trainers=trainers,
        big=big,
        dropped=dropped,
        refuser=refuser,
        truth=truth,
        viewer=viewer,
    )


# ---------------------------------------------------------------- collecting


def _namespaces(w):
    """Objects to fill path parameters with: every cohort and session of the program."""
    for cohort in w.cohorts:
        for session in cohort.sessions.order_by("number")[:2]:
            yield SimpleNamespace(
                program=w.program,
                cohort=cohort,
                session=session,
                org=w.org,
                person=w.big[0],
                facilitator_person=w.trainers[0],
                enrolment=Enrolment.objects.filter(cohort=cohort).first(),
                curriculum=None,
                version=None,
                module=None,
                plan=None,
                certificate=None,
                import_job=None,
            )


def _queries(w):
    deps = [str(d.pk) for d in w.departments.values()]
    grid = [""]
    grid += [f"department={d}" for d in deps]
    grid += ["start=2026-01-01&end=2026-01-31", "start=2026-03-01", "end=2026-03-31"]
    grid += [f"program={w.program.pk}", "year=2026", "status=closed", "kind=tot", "target=100"]
    grid += [f"cohort={c.pk}" for c in w.cohorts]
    return grid


_VOLATILE = [
    re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"'),
    re.compile(rb'"X-CSRFToken": "[^"]*"'),
    re.compile(rb'name="next" value="[^"]*"'),  # the language switch returns to this URL
    re.compile(rb'"attendance_taken_at":\s*"[^"]*"'),  # when, not how many
]


def _normalize(body: bytes) -> bytes:
    if body.startswith(b"PK"):  # XLSX: compare the cells, not the zip's timestamps
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body), read_only=True)
        return repr([list(ws.values) for ws in book.worksheets]).encode()
    for pattern in _VOLATILE:
        body = pattern.sub(b"", body)
    return body


def collect(w, web: Client, api) -> dict[str, bytes]:
    """Everything the viewer can fetch: url -> body, for every GET answered 200."""
    out: dict[str, bytes] = {}
    queries = _queries(w)
    for route in all_routes():
        if route.name in ("web:logout", "api-logout"):
            continue
        kwargs_for = OBJECT_ROUTES.get(route.name)
        base_values: list[dict[str, str]] = [{}]
        if route.params and kwargs_for is not None:
            base_values = []
            for ns in _namespaces(w):
                try:
                    base_values.append(kwargs_for(ns))
                except AttributeError:
                    continue
        elif route.params:
            base_values = [{"pk": str(w.program.pk)}]
        # Parameters that are not objects: every value a viewer could ask for.
        extra = {"generation": ["1", "2", "3"], "fmt": ["csv", "xlsx"], "format": ["json"]}
        missing = [p for p in route.params if p in extra]
        values_list = [
            {**values, **dict(zip(missing, combo, strict=True))}
            for values in base_values
            for combo in itertools.product(*(extra[p] for p in missing))
        ]
        seen_urls = set()
        for n, values in enumerate(values_list):
            try:
                url = build_url(route, values)
            except AssertionError:
                continue
            if url in seen_urls:
                continue
            seen_urls.add(url)
            client = api if url.startswith("/api/") else web
            base = client.get(url)
            if base.status_code != 200:
                continue
            # Filters and periods over each route (on the first object of object routes).
            for q in queries if n == 0 else [""]:
                full = f"{url}?{q}" if q else url
                response = base if not q else client.get(full)
                if response.status_code == 200:
                    out[full] = _normalize(response.content)
    return out


# ---------------------------------------------------------------- the release


def release_cells(w, collected):
    """The release as the API gives it, checked to be what the page and the CSV give."""
    import json

    data = json.loads(collected[f"/api/cascade/programs/{w.program.pk}/"])
    csv_rows = list(
        csv.reader(io.StringIO(collected[f"/cascade/programs/{w.program.pk}/export.csv"].decode()))
    )
    flat_csv = {v for row in csv_rows for v in row}
    for d in data["departments"]:
        for key in ("enrolled", "completed"):
            value = d[key]
            assert (str(value) if value is not None else "") in flat_csv | {""}
    return data


def _value(x):
    """What a shown value says: (lo, hi) for the true count."""
    if x is None:
        return (K + 1, None)  # withheld: more than k
    if isinstance(x, str):
        assert x == f"<{K}"
        return (1, K)
    return (x, x)


def attack_release(w, data) -> list[str]:
    """Linear bounds over the cross-classification; returns what was recovered."""
    levels = dict(CohortLevel.objects.values_list("cohort_id", "generation"))
    kinds: dict[int, set[str]] = {}
    for cohort in w.cohorts:  # no row means generation 1
        kinds.setdefault(levels.get(cohort.pk, 1), set()).add(cohort.kind)
    tot_generations = {g for g, ks in kinds.items() if ks == {"tot"}}
    assert tot_generations, "the world has a generation of trainings of trainers only"
    gens = [lv["generation"] for lv in data["levels"]]
    sexes = [s["key"] for s in data["by_sex"]]
    bands = [a["key"] for a, _l in zip(data["by_age"], AGE_BANDS, strict=True)]
    deps = [d["department"] for d in data["departments"]]
    atoms = list(itertools.product(gens, sexes, bands, deps, (False, True)))
    index = {a: i for i, a in enumerate(atoms)}
    n = len(atoms) + 2  # plus trained trainers and replicating
    rows, lo, hi = [], [], []

    def add(vec, bounds):
        rows.append(vec)
        lo.append(bounds[0])
        hi.append(np.inf if bounds[1] is None else bounds[1])

    def vec_of(pred):
        v = np.zeros(n)
        for a, i in index.items():
            if pred(*a):
                v[i] = 1
        return v

    cells = {}
    cells["headline enrolled"] = (vec_of(lambda *a: True), data["enrolled"])
    cells["headline completed"] = (vec_of(lambda g, s, b, d, done: done), data["completed"])
    for lv in data["levels"]:
        g = lv["generation"]
        cells[f"gen {g} enrolled"] = (vec_of(lambda gg, *r, g=g: gg == g), lv["enrolled"])
        cells[f"gen {g} completed"] = (
            vec_of(lambda gg, s, b, d, done, g=g: gg == g and done),
            lv["completed"],
        )
    for row in data["by_sex"]:
        key = row["key"]
        cells[f"sex {key} completed"] = (
            vec_of(lambda g, s, b, d, done, key=key: s == key and done),
            row["completed"],
        )
    for row in data["by_age"]:
        key = row["key"]
        cells[f"age {key} completed"] = (
            vec_of(lambda g, s, b, d, done, key=key: b == key and done),
            row["completed"],
        )
    for row in data["departments"]:
        key = row["department"]
        cells[f"dept {key} enrolled"] = (
            vec_of(lambda g, s, b, d, done, key=key: d == key),
            row["enrolled"],
        )
        cells[f"dept {key} completed"] = (
            vec_of(lambda g, s, b, d, done, key=key: d == key and done),
            row["completed"],
        )
    published = data["breakdowns_published"]
    completed_hidden = data["completed"] is None or isinstance(data["completed"], str)
    for name, (vec, shown) in cells.items():
        table = {"gen": "generation", "sex": "sex", "age": "age", "dept": "department"}.get(
            name.split()[0]
        )
        if table and not published[table]:
            continue  # not published: says nothing
        if table and completed_hidden and name.endswith(" completed"):
            continue  # the completed column is not published when its total is hidden
        add(vec, _value(shown))
    t, r = np.zeros(n), np.zeros(n)
    t[n - 2], r[n - 1] = 1, 1
    # Trainers are published only when every generation's completed count is (the
    # attacker knows the rule); a null then means held back, more than k.
    generation_hidden = any(
        lv["completed"] is None or isinstance(lv["completed"], str) for lv in data["levels"]
    )
    if not generation_hidden:
        add(t, _value(data["trained_trainers"]))
        add(r, _value(data["replicating"]))
    # Side knowledge: the viewer knows which generations were trainings of trainers, so
    # that the trained trainers are exactly their completers.
    tot_only = vec_of(lambda g, s, b, d, done: g in tot_generations and done)
    add(tot_only - t, (0, 0))
    add(cells["headline completed"][0] - t, (0, None))
    add(t - r, (0, None))
    constraints = LinearConstraint(np.array(rows), np.array(lo), np.array(hi))
    bounds = Bounds(np.zeros(n), np.full(n, np.inf))

    def span(vec):
        out = []
        for sign in (1, -1):
            res = milp(sign * vec, constraints=constraints, integrality=np.ones(n), bounds=bounds)
            assert res.status == 0, "what the viewer sees must be consistent"
            out.append(round(sign * res.fun))
        return out

    truth = Counter(w.truth)

    def true_count(vec):
        return int(sum(vec[index[a]] * c for a, c in truth.items() if a in index))

    # The secrets: every published cell, and "enrolled, not completed" for each row.
    secrets = {name: vec for name, (vec, _shown) in cells.items()}
    for name in list(secrets):
        if name.endswith(" enrolled"):
            base = name[: -len(" enrolled")]
            if f"{base} completed" in secrets:
                secrets[f"{base} not completed"] = secrets[name] - secrets[f"{base} completed"]
    trained = sum(1 for g, *_r, done in w.truth if g == 1 and done)
    recovered = []
    for name, vec in secrets.items():
        value = true_count(vec)
        if 1 <= value <= K and span(vec) == [value, value]:
            recovered.append(f"{name} = {value}")
    if 1 <= trained <= K and span(t) == [trained, trained]:
        recovered.append(f"trained trainers = {trained}")
    return recovered


# ---------------------------------------------------------------- the tests


def _clients(w):
    web = Client()
    login_verified(web, w.viewer)
    return web, token_client(w.viewer)


def _json_counts(collected, w):
    import json

    release_url = f"/api/cascade/programs/{w.program.pk}/"
    found = []
    for url, body in collected.items():
        if not url.startswith("/api/") or url.startswith(release_url) or "/schema" in url:
            continue
        try:
            data = json.loads(body)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                for key, value in item.items():
                    if key in COUNT_KEYS and value is not None:
                        found.append((url, key, value))
                    stack.append(value)
            elif isinstance(item, list):
                stack.extend(item)
    return found


def test_s17_viewer_cannot_recover_any_small_count(settings):
    settings.CASCADA_SMALL_NUMBER_K = K
    w = build_small_program()
    web, api = _clients(w)
    before = collect(w, web, api)
    # The crawl reached the viewer's pages, aggregates and exports.
    for must in (
        "/",
        f"/cascade/programs/{w.program.pk}/",
        f"/api/cascade/programs/{w.program.pk}/",
        f"/cascade/programs/{w.program.pk}/export.csv",
        f"/cohorts/{w.cohorts[1].pk}/",
    ):
        assert must in before, must
    assert len(before) > 100

    # 1. Linear bounds across every table of the release.
    data = release_cells(w, before)
    assert attack_release(w, data) == []

    # 2. No count of people outside the release.
    assert _json_counts(before, w) == []

    # 3. Filters and periods give a viewer the same figures as none.
    release_urls = [
        u
        for u in before
        if u.split("?")[0]
        in (
            f"/cascade/programs/{w.program.pk}/",
            f"/api/cascade/programs/{w.program.pk}/",
            f"/cascade/programs/{w.program.pk}/export.csv",
        )
    ]
    for url in release_urls:
        if before[url] != before[url.split("?")[0]]:
            import difflib

            a = before[url.split("?")[0]].decode().splitlines()
            b = before[url].decode().splitlines()
            print("\n".join(difflib.unified_diff(a, b, lineterm="", n=0)))
        assert before[url] == before[url.split("?")[0]], url

    # 4. Differencing: change what the release does not show; nothing the viewer sees moves.
    w1, w2 = w.cohorts[1], w.cohorts[2]
    # the man without reporting consent joins another cohort and attends
    complete(w2, w.refuser)
    # a man who already completed enrols in a second cohort (per-cohort counts change)
    enrolment = enrolment_create(actor=None, cohort=w2, person=w.big[0])
    for session in w2.sessions.all():
        attendance_record(actor=None, session=session, marks={enrolment.pk: "absent"})
    # those who dropped out attend one more session (per-session counts change)
    first = w1.sessions.order_by("number").first()
    marks = {e.pk: "present" for e in Enrolment.objects.filter(cohort=w1, person__in=w.dropped)}
    attendance_record(actor=None, session=first, marks=marks)
    after = collect(w, web, api)
    assert set(after) == set(before)
    moved = [url for url in before if before[url] != after[url]]
    for url in moved[:3]:
        import difflib

        a = before[url].decode(errors="replace").splitlines()
        b = after[url].decode(errors="replace").splitlines()
        print(url, "\n".join(difflib.unified_diff(a, b, lineterm="", n=0)))
    assert moved == []


def test_s17_attack_succeeds_without_the_protection(settings, monkeypatch):
    """The same attacker against a viewer who is (wrongly) shown exact figures recovers
    small counts, and the differencing step sees the changes."""
    from cascada.trainings import selectors as training_selectors

    settings.CASCADA_SMALL_NUMBER_K = K
    w = build_small_program()
    monkeypatch.setattr(training_selectors, "sees_exact", lambda **kw: True)
    import cascada.api.common as api_common
    import cascada.cascade.figures as cascade_figures

    monkeypatch.setattr(cascade_figures, "sees_exact", lambda **kw: True)

    monkeypatch.setattr(api_common, "sees_exact", lambda **kw: True)
    web, api = _clients(w)
    pk = w.program.pk
    collected = {
        url: client.get(url).content
        for url, client in (
            (f"/api/cascade/programs/{pk}/", api),
            (f"/cascade/programs/{pk}/export.csv", web),
        )
    }
    data = release_cells(w, collected)
    recovered = attack_release(w, data)
    assert "dept Piura enrolled = 1" in recovered
    assert any(r.startswith("dept Cusco not completed") for r in recovered)
