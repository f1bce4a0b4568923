"""S1, S2, S15, S17, S18 under attack on issue 14: every dashboard, indicator page, table
download, donor report, DHIS2 page and microdata export (ADR 0006 extended).

One hand-made world (built once per module, rolled back at the end) with small groups
everywhere: a program shared with a donor whose months hold 12, 10, 3, 7, 10 and 10 new
people (the 3 in the one Cusco cohort), one woman, two people alone in Piura, two men who
did not consent to reporting, a training of trainers; a court-ordered program whose March
holds 4 men; a hundred referrals at the court threshold, 3 of them in March.

The attackers:

- **viewers** of the owner and of the donor collect every table a viewer reaches (the
  program dashboard, every indicator page for every ``frequency`` and ``by``, their CSV,
  CSV (Excel) and XLSX, the donor report for every period, the cascade page, its API and
  CSV, the measurement analysis, the organization dashboard, the safeguarding counts) and
  run an exact integer programme over the months behind them, as
  ``test_s17_adversarial`` does over people, to pin any count from 1 to k (5; 10 for the
  court program and for an organization that runs one); they difference the world (a
  man without reporting consent enrols, completes, attends and answers; men attend one
  more session) against the whole collection; refused parameters must change nothing;
- **everyone else** (facilitator, auditor, a user without a role, another organization's
  staff, an anonymous visitor) gets 404 (the sign-in page for the anonymous) on every
  indicators, DHIS2 and microdata route, GET and POST, writing nothing;
- **another organization's coordinator** tries ids of this organization's programs and
  indicators and his own indicator's code on them;
- **bad input** on every parameter and form field: a message or a 404, never a 500, and
  nothing half written.

A finding still open is a test marked ``xfail(strict=True, reason="FINDING: ...")``: it
fails now and says how. Findings fixed while this file was written keep their test, with
what was found in its docstring. The removals tried and the tests that caught them are in
the report of the session that wrote this file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import re
from collections import defaultdict
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from scipy.optimize import Bounds, LinearConstraint, milp

from cascada.indicators import periods as P
from cascada.indicators import selectors as indicator_selectors
from cascada.indicators import services as indicator_services
from cascada.indicators.fill import fill_due
from cascada.indicators.models import Fact, Indicator, PeriodTarget, Plan
from cascada.indicators.present import sums
from cascada.registry.models import Place
from cascada.safeguarding import selectors as safeguarding_selectors
from cascada.safeguarding.models import Referral
from cascada.safeguarding.services import (
    disclosure_record,
    lead_name,
    referral_make,
    service_save,
)
from cascada.trainings.models import Enrolment
from cascada.trainings.services import attendance_record, program_share
from tests.accounts.factories import login_verified, make_user
from tests.cascade.factories import complete, enrol_only, run_cohort
from tests.registry.factories import consent_to_reporting, make_org, make_person
from tests.security.routes import all_routes, build_url
from tests.trainings.factories import make_program

pytestmark = pytest.mark.django_db

K, K_COURT = 5, 10
FREQUENCIES = ("", "month", "quarter", "half", "year")
VIEWER_BY = ("sex", "age_band", "department", "generation", "kind", "audience")
ALL_BY = (*VIEWER_BY, "province", "district")
REFUSED_BY = ("province", "district", "<script>alert(1)</script>", "organization", "program")
DOWNLOADS = ("csv", "csv_es", "xlsx")
# Routes of issue 14 (indicators, the donor report, DHIS2, microdata).
ISSUE14 = re.compile(r"^web:(indicator|indicators_|dhis2_|microdata)")
OWN_CODE = "personas-nuevas-en-el-periodo"


# ---------------------------------------------------------------- the world


def _place(code: str) -> Place:
    from tests.registry.factories import ensure_places

    ensure_places()
    return Place.objects.get(country="PE", code=code)


def _gem_sheet(total: int) -> dict[str, str]:
    from tests.measurement.test_analysis import sheet

    return sheet(total)


def build_world() -> SimpleNamespace:
    """Everything through the services, filled with ``fill_due`` as the schedule does."""
    # A transactional test earlier in this worker truncates the data migrations' rows.
    from cascada.indicators.builtins import ensure as indicators_ensure
    from cascada.measurement.shipped import ensure as instruments_ensure
    from tests.registry.factories import ensure_places

    ensure_places()
    instruments_ensure()
    indicators_ensure()
    from cascada.measurement import services as measurement
    from cascada.measurement.models import Instrument, RoundKind

    today = timezone.localdate()
    org = make_org(name="ONG Atacada")
    donor = make_org(name="Embajada Donante")
    other = make_org(name="Otra ONG")
    lima, cusco, piura = _place("150101"), _place("080101"), _place("200101")
    users = {
        role: make_user(role=role, organization=org)
        for role in ("viewer", "coordinator", "administrator", "me_officer", "facilitator")
    }
    users["auditor"] = make_user(role="auditor", organization=org)
    users["lead"] = make_user(role="coordinator", organization=org)  # the safeguarding lead
    users["donor_viewer"] = make_user(role="viewer", organization=donor)
    users["donor_coordinator"] = make_user(role="coordinator", organization=donor)
    users["other_coordinator"] = make_user(role="coordinator", organization=other)
    users["other_viewer"] = make_user(role="viewer", organization=other)
    users["nobody"] = make_user()

    program = make_program(owner=org, name="Programa vigilado")
    program_share(actor=None, program=program, organization=donor)
    court = make_program(owner=org, name="Programa judicial", is_court_mandated=True)
    other_program = make_program(owner=other, name="Programa ajeno")

    def people(n: int, *, sex: str = "male", birth: int = 1990, consent: bool = True) -> list:
        out = [make_person(organization=org, sex=sex, birth_year=birth) for _ in range(n)]
        if consent:
            consent_to_reporting(*out)
        return out

    # The program: 12, 10, 3, 7, 10, 10 new people from January to June.
    national = make_person(organization=org)
    trainers = people(12)
    tot = run_cohort(
        program=program, kind="tot", place=lima, start=dt.date(2026, 1, 12),
        facilitators=(national,),
    )  # fmt: skip
    complete(tot, *trainers)

    def course(start: dt.date, place: Place, trainer: Any, sessions: int = 1) -> Any:
        return run_cohort(
            program=program, place=place, start=start, facilitators=(trainer,), sessions=sessions
        )

    feb = course(dt.date(2026, 2, 9), lima, trainers[0], sessions=2)
    woman = people(1, sex="female")
    febs = people(9)
    complete(feb, *febs, *woman)
    refusers = people(2, consent=False)  # S15: never counted for a viewer
    complete(feb, refusers[0])
    enrol_only(feb, refusers[1])
    mar = course(dt.date(2026, 3, 9), cusco, trainers[1])
    cusco_people = people(3, birth=1970)
    complete(mar, *cusco_people[:2])
    enrol_only(mar, cusco_people[2])
    apr = course(dt.date(2026, 4, 6), lima, trainers[2])
    complete(apr, *people(7))
    may = course(dt.date(2026, 5, 4), lima, trainers[3])
    complete(may, *people(8))
    may_piura = course(dt.date(2026, 5, 11), piura, trainers[4])
    piura_people = people(2, birth=2001)
    complete(may_piura, *piura_people)
    jun = course(dt.date(2026, 6, 1), lima, trainers[5], sessions=2)
    jun_people = people(10)
    complete(jun, *jun_people[:4])
    enrol_only(jun, *jun_people[4:])

    # Attitudes in February's cohort: ten consenting men and one who did not consent.
    gem = Instrument.objects.get(code="gem", organization=None).versions.get()
    answered = [*febs, *woman, refusers[0]]
    for kind, day, scores in (
        (RoundKind.BASELINE, dt.date(2026, 2, 9), [40 + n for n in range(len(answered))]),
        (RoundKind.ENDLINE, dt.date(2026, 3, 30), [44 + 2 * n for n in range(len(answered))]),
    ):
        survey = measurement.round_create(
            actor=None, cohort=feb, version=gem, kind=kind, opens_on=day
        )
        for person, score in zip(answered, scores, strict=True):
            measurement.response_record(
                actor=None, survey=survey, person=person, answers=_gem_sheet(score), consent=True
            )

    # The court-ordered program: 14 in February, 4 in March (Cusco), 11 in April.
    def court_cohort(start: dt.date, place: Place, n: int, birth: int = 1985) -> list:
        cohort = run_cohort(program=court, place=place, start=start, facilitators=(national,))
        group = people(n, birth=birth)
        complete(cohort, *group)
        return group

    court_cohort(dt.date(2026, 2, 16), lima, 14)
    court_cusco = court_cohort(dt.date(2026, 3, 16), cusco, 4, birth=1975)
    court_cohort(dt.date(2026, 4, 13), lima, 11)

    # Another organization's program and indicator of its own.
    other_people = [make_person(organization=other) for _ in range(6)]
    consent_to_reporting(*other_people)
    complete(
        run_cohort(program=other_program, place=lima, start=dt.date(2026, 2, 2)), *other_people
    )
    other_indicator = indicator_services.indicator_create(
        actor=users["other_coordinator"], organization=other, name_es="Indicador ajeno",
        source="participants", measure="base", unit="people",
    )  # fmt: skip

    # The organization's own indicator: new people per period (not cumulative).
    own = indicator_services.indicator_create(
        actor=users["coordinator"], organization=org, name_es="Personas nuevas en el periodo",
        source="participants", measure="base", unit="people", cumulative=False,
        frequency="quarter",
    )  # fmt: skip
    assert own.code == OWN_CODE
    enrolled = Indicator.objects.get(code="people_enrolled", organization=None)
    indicator_services.plan_save(
        actor=users["coordinator"], indicator=enrolled, program=program,
        starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2027, 12, 31), frequency="quarter",
        baseline="0", lop_target="200", targets={"2026Q1": "30", "2026Q2": "60"},
    )  # fmt: skip

    # Safeguarding: referrals made 20, 20, 3, 14, 20, 20 from January to June (the court
    # threshold applies: the organization runs a court-ordered program); 12 not followed.
    lead_name(actor=None, organization=org, user=users["lead"])
    service = service_save(
        actor=None, organization=org, name="CEM Lima", kind="cem", phone="01 419 2000", place=lima
    )
    session = feb.sessions.order_by("number").first()
    origin = safeguarding_selectors.origin_get(
        user=users["coordinator"], source="session", pk=session.pk
    )
    case = disclosure_record(
        actor=users["coordinator"], origin=origin, occurred_on=session.date, at_risk="partner",
        kind="physical", urgency="urgent", first_actions=["informed", "lead"],
    )  # fmt: skip
    first = referral_make(
        actor=users["coordinator"], case=case, service=service, made_on=session.date,
        basis="consent", consent_from="person", consent_on=session.date,
        consent_text_version="v1",
    )  # fmt: skip
    referrals: list[Referral] = []
    months = {1: 20, 2: 20, 3: 3, 4: 14, 5: 20, 6: 20}
    for month, n in months.items():
        for i in range(n):
            made = dt.date(2026, month, 10 + i % 5)
            followed = not (month == 6 and i < 12)
            referrals.append(
                Referral(
                    disclosure=case,
                    service=service,
                    basis="consent",
                    consent_from="person",
                    consent_on=made,
                    consent_text_version="v1",
                    made_on=made,
                    received_on=made if followed else None,
                )  # fmt: skip
            )
    Referral.objects.filter(pk=first.pk).delete()
    Referral.objects.bulk_create(referrals)
    for user in users.values():
        safeguarding_selectors.forget(user)

    fill_due(today=today)

    # DHIS2: the organization maps people enrolled by sex, its places by ubigeo, a server
    # and a dry run asked for (so that every DHIS2 route has a real object to address).
    from cascada.indicators.dhis2 import services as dhis2

    mapping = dhis2.mapping_save(
        actor=users["coordinator"], organization=org, indicator=enrolled, measure="base",
        data_element="EnrolledPpl", dimensions=["sex"],
        category_option_combos={"male": "MaleCombo01", "female": "FemaleCmb01"},
    )  # fmt: skip
    dhis2.org_units_from_ubigeo(actor=users["coordinator"], organization=org)
    # (``server_set`` looks the server's name up: rows written directly, no network.)
    from cascada.indicators.models import Dhis2Push, Dhis2Server

    Dhis2Server.objects.create(
        organization=org, base_url="https://dhis2.example.org", username="cascada"
    )
    push = Dhis2Push.objects.create(
        organization=org, created_by=users["coordinator"], periods=["2026"],
        message="Canario de la ONG Atacada",
    )  # fmt: skip
    return SimpleNamespace(
        mapping=mapping, push=push,
        today=today, org=org, donor=donor, other=other, users=users, program=program,
        court=court, other_program=other_program, other_indicator=other_indicator, own=own,
        refusers=refusers, feb=feb, mar=mar, jun=jun, jun_dropouts=jun_people[4:],
        cusco=cusco, lima=lima, piura=piura, woman=woman[0], court_cusco=court_cusco,
        tot=tot, gem=gem, service=service, case=case,
        referral_months=months,
    )  # fmt: skip


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at its end;
    each test runs in a savepoint of it (its writes are undone after it)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            from cascada.measurement.shipped import ensure

            ensure()
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _remembered(function: Any) -> Any:
    import copy

    memory: dict[str, Any] = {}

    def remembered(*args: Any, **kwargs: Any) -> Any:
        key = repr((args, sorted(kwargs.items())))
        if key not in memory:
            memory[key] = function(*args, **kwargs)
        return copy.deepcopy(memory[key])

    return remembered


@pytest.fixture(scope="module", autouse=True)
def _releases_remembered():
    """The disclosure control's releases are pure functions of their arguments, and a
    viewer's indicator page computes the program's release with some thirty integer
    programmes (0.2 s); the crawls below read the same releases hundreds of times. For
    this module's speed they are remembered by their arguments: what they answer is
    unchanged (a change of the world changes the arguments)."""
    import cascada.cascade.selectors as cascade_selectors
    from cascada.core import privacy

    patch = pytest.MonkeyPatch()
    patch.setattr(cascade_selectors, "release", _remembered(cascade_selectors.release))
    patch.setattr(privacy, "nested_release", _remembered(privacy.nested_release))
    yield
    patch.undo()


def signed_in(user: Any) -> Client:
    client = Client()
    client.raise_request_exception = False
    login_verified(client, user)
    return client


# ---------------------------------------------------------------- reading what is shown


def program_codes(program: Any) -> list[str]:
    return [
        i.code
        for i in indicator_selectors.indicator_list(organization_id=program.owner_id)
        if indicator_selectors.program_scoped(i)
    ]


def indicator_url(program: Any, code: str) -> str:
    return reverse("web:indicators_program_indicator", args=[program.pk, code])


def csv_rows(response: Any) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    delimiter = ";" if text.split("\n", 1)[0].count(";") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def xlsx_rows(response: Any) -> list[list[str]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [["" if v is None else str(v) for v in row] for row in book.worksheets[0].values]


def table_of(client: Client, program: Any, code: str, **params: str) -> dict[str, Any]:
    """An indicator's figures as a viewer reads them: the page's view (period keys and
    texts), checked to be what its CSV download says."""
    url = indicator_url(program, code)
    page = client.get(url, params)
    assert page.status_code == 200, (url, params, page.status_code)
    view = page.context["view"]
    download = client.get(url, {**params, "format": "csv"})
    assert download.status_code == 200
    rows = csv_rows(download)
    periods = [(p.key, p.value.text) for p in view.periods]
    assert [r[1] for r in rows[1 : 1 + len(periods)]] == [t for _k, t in periods], (url, params)
    assert rows[1 + len(periods)][1] == view.so_far.text
    return {
        "indicator": view.indicator,
        "exact": view.exact,
        "periods": periods,
        "so_far": view.so_far.text,
        "breakdown": [(r.key, r.label, r.value.text) for r in view.breakdown],
        "published": view.breakdown_published,
        "dimension": view.dimension,
        "frequency": view.frequency,
    }


def number(text: str) -> float | None:
    """A shown figure ("12", "1,234", "45.5 %") as a number; None for "<5", "—", "–"."""
    text = text.replace("\xa0", "").replace(" ", "").replace("%", "").replace(",", "")
    try:
        return float(text)
    except ValueError:
        return None


_VOLATILE = [
    re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"'),
    re.compile(rb'name="form_token" value="[^"]*"'),
    re.compile(rb'<p class="small muted ind-fresh".*?</p>', re.S),  # when it was filled
    re.compile(rb'"X-CSRFToken": "[^"]*"'),
    re.compile(rb'name="next" value="[^"]*"'),
]


def normalize(body: bytes) -> bytes:
    if body.startswith(b"PK"):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body), read_only=True)
        return repr([list(ws.values) for ws in book.worksheets]).encode()
    for pattern in _VOLATILE:
        body = pattern.sub(b"", body)
    return body


def viewer_dims(client: Client, program: Any, code: str) -> list[str]:
    """The breakdowns the indicator's page offers this user (none when it is not shown
    to him at all: a 404)."""
    page = client.get(indicator_url(program, code))
    assert page.status_code in (200, 404), (code, page.status_code)
    return list(page.context["view"].dims) if page.status_code == 200 else []


def shown_codes(client: Client, program: Any) -> list[str]:
    """The program's indicators whose page this user opens (the others answer 404)."""
    out = []
    for code in program_codes(program):
        status = client.get(indicator_url(program, code)).status_code
        assert status in (200, 404), (code, status)
        if status == 200:
            out.append(code)
    return out


def crawl(
    client: Client, w: SimpleNamespace, *, programs: tuple = (), organization: bool = True
) -> dict[str, bytes]:
    """Everything a viewer reads about the programs and the organization: url -> body.
    Every indicator at every frequency and by every breakdown its page offers, as CSV (the
    page's table: ``table_of`` checks they agree), one XLSX, the dashboards, the donor
    report for each period, the cascade page, API and CSV, the measurement analysis, the
    organization dashboard and the safeguarding counts."""
    urls: list[str] = [reverse("web:indicators_home")]
    for program in programs or (w.program,):
        pk = program.pk
        dashboard = reverse("web:indicators_program", args=[pk])
        urls += [f"{dashboard}?frequency={f}" for f in FREQUENCIES]
        for code in program_codes(program):
            base = indicator_url(program, code)
            urls += [f"{base}?frequency={f}&format=csv" for f in FREQUENCIES]
            urls += [f"{base}?by={d}&format=csv" for d in viewer_dims(client, program, code)]
        urls.append(indicator_url(program, "people_enrolled") + "?by=department&format=xlsx")
        report = reverse("web:indicators_report", args=[pk])
        urls += [f"{report}?period={p}" for p in ("", "2026", "2026Q1", "2026Q2", "2026Q3")]
        urls += [
            reverse("web:cascade_program", args=[pk]),
            reverse("web:cascade_level", args=[pk, 1]),
            reverse("web:cascade_level", args=[pk, 2]),
            reverse("web:cascade_idle", args=[pk]),
            reverse("web:cascade_export", args=[pk, "csv"]),
            f"/api/cascade/programs/{pk}/",
            reverse("web:program_analysis", args=[pk]),
            f"/api/measurement/programs/{pk}/analysis/",
        ]
    if organization:
        dashboard = reverse("web:indicators_organization", args=[w.org.pk])
        urls += [f"{dashboard}?frequency={f}" for f in FREQUENCIES]
        urls.append(reverse("web:safeguarding_summary") + "?year=2026")
    out = {}
    for url in urls:
        response = client.get(url)
        if response.status_code == 200:
            out[url] = normalize(response.content)
        else:
            out[url] = f"status {response.status_code}".encode()
    return out


def baseline(w: SimpleNamespace, who: str) -> dict[str, bytes]:
    """The crawl of the world as built (each test's changes are rolled back after it, so
    the first crawl serves every test that starts from the world as built); kept on the
    world, so that a world built again is crawled again."""
    crawls = w.__dict__.setdefault("crawls", {})
    if who not in crawls:
        crawls[who] = crawl(signed_in(w.users[who]), w, organization=who == "viewer")
    return crawls[who]


# ---------------------------------------------------------------- the attacker


class Model:
    """Integer unknowns per month and series (people new in a month who completed, who did
    not; completions per month; trainers who replicate, who do not; referrals followed,
    not followed), constrained by everything shown; ``span`` is the least and greatest
    value of a sum of them (HiGHS through ``scipy.optimize.milp``, as
    ``test_s17_adversarial``)."""

    def __init__(self, months: list[dt.date], series: list[str]) -> None:
        self.months = months
        self.index = {(s, m): n for n, (s, m) in enumerate(itertools.product(series, months))}
        self.n = len(self.index)
        self.rows: list[np.ndarray] = []
        self.lo: list[float] = []
        self.hi: list[float] = []

    def vec(self, series: tuple[str, ...], months: list[dt.date]) -> np.ndarray:
        v = np.zeros(self.n)
        for s in series:
            for m in months:
                v[self.index[(s, m)]] = 1
        return v

    def add(self, vec: np.ndarray, lo: float, hi: float = np.inf) -> None:
        self.rows.append(vec)
        self.lo.append(lo)
        self.hi.append(hi)

    def span(self, vec: np.ndarray) -> tuple[int | None, int | None]:
        """(least, greatest) of ``vec`` given everything shown; None when unbounded."""
        constraints = LinearConstraint(np.array(self.rows), np.array(self.lo), np.array(self.hi))
        bounds = Bounds(np.zeros(self.n), np.full(self.n, np.inf))
        out: list[int | None] = []
        for sign in (1, -1):
            res = milp(
                sign * vec, constraints=constraints, integrality=np.ones(self.n), bounds=bounds
            )
            assert res.status in (0, 3), "what the viewer sees must be consistent"
            out.append(round(sign * res.fun) if res.status == 0 else None)
        return out[0], out[1]


def months_of(keys: list[str]) -> list[dt.date]:
    first = min(P.bounds(k)[0] for k in keys)
    last = max(P.bounds(k)[1] for k in keys)
    out, day = [], first
    while day <= last:
        out.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return out


def within(key: str, months: list[dt.date]) -> list[dt.date]:
    start, end = P.bounds(key)
    return [m for m in months if start <= m <= end]


def upto(key: str, months: list[dt.date]) -> list[dt.date]:
    return [m for m in months if m <= P.bounds(key)[1]]


# What each indicator's base and value are, as sums of the model's series.
PEOPLE_SERIES = ["done", "left", "completions", "ran", "idle"]
REFERRAL_SERIES = ["followed", "unfollowed"]
READS = {
    "participants": (("done", "left"), ("done",)),
    "completions": ((), ("completions",)),
    "trainers": (("ran", "idle"), ("ran",)),
    "referrals": (("followed", "unfollowed"), ("followed",)),
}


def constrain(model: Model, table: dict[str, Any], k: int) -> None:
    """What one table says about the unknowns (only what its labels claim: "—" is taken
    to say nothing, the weakest reading, so that what is pinned is pinned for sure)."""
    indicator = table["indicator"]
    base, value = READS[indicator.source]
    measure, cumulative = indicator.measure, indicator.cumulative
    cells = [(key, text, cumulative) for key, text in table["periods"]]
    cells.append((None, table["so_far"], False))
    for key, text, cum in cells:
        months = model.months if key is None else (upto if cum else within)(key, model.months)
        b, v = model.vec(base, months), model.vec(value, months)
        shown = number(text)
        if measure in ("base", "value"):
            vec = b if measure == "base" else v
            if shown is not None:
                model.add(vec, shown, shown)
            elif text == f"<{k}":
                model.add(vec, 1, k)
        elif measure == "ratio":
            if shown is not None:  # a percentage with one decimal
                model.add(100 * v - (shown + 0.05) * b, -np.inf, 0)
                model.add(100 * v - (shown - 0.05) * b, 0, np.inf)
                model.add(b, 1)
            elif text == f"<{k}":
                model.add(b, 1, k)
            elif text == "–":
                model.add(b, 0, 0)


def truth_of(
    source_series: dict[str, tuple[str, str]],
    program_ids: list[int] | None = None,
    organization_id: int | None = None,
    consenting: bool = True,
) -> dict[tuple[str, dt.date], float]:
    """The true unknowns, from the fill table's consenting columns (all people's when
    ``consenting`` is False)."""
    out: dict[tuple[str, dt.date], float] = defaultdict(float)
    for series, (source, column) in source_series.items():
        qs = Fact.objects.filter(source=source)
        if program_ids is not None:
            qs = qs.filter(program_id__in=program_ids)
        else:
            qs = qs.filter(organization_id=organization_id, program__isnull=True)
        for (month,), (v, b) in sums(qs, ("month",), consenting).items():
            out[(series, month)] += {"value": v, "base": b, "rest": b - v}[column]
    return out


def pinned(model: Model, truth: dict, quantities: dict[str, np.ndarray], k: int) -> list[str]:
    found = []
    t = np.zeros(model.n)
    for key, n in model.index.items():
        t[n] = truth.get(key, 0)
    # The truth satisfies everything shown (else the attacker misread a table).
    for row, lo, hi in zip(model.rows, model.lo, model.hi, strict=True):
        assert lo - 1e-6 <= row @ t <= hi + 1e-6, "the attacker misread a table"
    for name, vec in quantities.items():
        value = int(round(vec @ t))
        if 1 <= value <= k and model.span(vec) == (value, value):
            found.append(f"{name} = {value}")
    return found


def quantities_of(model: Model, keys_by_frequency: dict[str, list[str]], series: dict) -> dict:
    out = {}
    for keys in keys_by_frequency.values():
        for key in keys:
            months = within(key, model.months)
            for name, parts in series.items():
                out[f"{name} in {key}"] = model.vec(parts, months)
    return out


PEOPLE_QUANTITIES = {
    "new people": ("done", "left"),
    "new people who completed": ("done",),
    "new people who did not complete": ("left",),
    "completions": ("completions",),
    "trainers certified": ("ran", "idle"),
    "trainers who replicated": ("ran",),
    "trainers who did not replicate": ("idle",),
}
REFERRAL_QUANTITIES = {
    "referrals made": ("followed", "unfollowed"),
    "referrals followed up": ("followed",),
    "referrals not followed up": ("unfollowed",),
}


def attack_program_periods(
    client: Client, program: Any, k: int, *, consenting: bool = True
) -> list[str]:
    """Every period table of the program's people indicators at every frequency, with the
    headline of the cascade's release, against the months behind them (``consenting``:
    the people a viewer's figures count; False for the twin attack on exact figures)."""
    tables = [
        table_of(client, program, code, frequency=f)
        for code in shown_codes(client, program)
        for f in FREQUENCIES
        if Indicator.objects.filter(code=code).values_list("source", flat=True).first() in READS
    ]
    keys = {t["frequency"]: [key for key, _t in t["periods"]] for t in tables}
    model = Model(months_of([key for ks in keys.values() for key in ks]), PEOPLE_SERIES)
    for table in tables:
        constrain(model, table, k)
    # Side knowledge: completions are of people enrolled no later; the release's headline.
    for n in range(len(model.months)):
        upto_n = model.months[: n + 1]
        model.add(model.vec(("done",), upto_n) - model.vec(("completions",), upto_n), 0)
    everything = model.months
    model.add(model.vec(("done",), everything) - model.vec(("completions",), everything), 0, 0)
    release = json.loads(client.get(f"/api/cascade/programs/{program.pk}/").content)
    for key, parts in (("enrolled", ("done", "left")), ("completed", ("done",))):
        shown = release[key] if consenting else None
        if isinstance(shown, int):
            model.add(model.vec(parts, everything), shown, shown)
        elif shown == f"<{k}":
            model.add(model.vec(parts, everything), 1, k)
    truth = truth_of(
        {
            "done": ("participants", "value"),
            "left": ("participants", "rest"),
            "completions": ("completions", "value"),
            "ran": ("trainers", "value"),
            "idle": ("trainers", "rest"),
        },
        program_ids=[program.pk],
        consenting=consenting,
    )
    return pinned(model, truth, quantities_of(model, keys, PEOPLE_QUANTITIES), k)


def organization_tables(client: Client, w: SimpleNamespace, codes: tuple[str, ...]) -> list:
    url = reverse("web:indicators_organization", args=[w.org.pk])
    tables = []
    for f in FREQUENCIES:
        page = client.get(url, {"frequency": f})
        assert page.status_code == 200
        html = page.content.decode()
        for card in page.context["cards"]:
            view = card["view"]
            if view.indicator.code not in codes:
                continue
            assert f'data-test="indicator-{view.indicator.code}"' in html
            tables.append(
                {
                    "indicator": view.indicator,
                    "exact": view.exact,
                    "k": view.k,
                    "periods": [(p.key, p.value.text) for p in view.periods],
                    "so_far": view.so_far.text,
                    "frequency": view.frequency,
                }
            )
    return tables


def attack_referrals(client: Client, w: SimpleNamespace, k: int) -> list[str]:
    tables = organization_tables(client, w, ("referrals_made", "referrals_followed"))
    assert tables, "the organization dashboard shows the safeguarding counts"
    keys = {t["frequency"]: [key for key, _t in t["periods"]] for t in tables}
    model = Model(months_of([key for ks in keys.values() for key in ks]), REFERRAL_SERIES)
    for table in tables:
        constrain(model, table, k)
    # The safeguarding page's counts of the year (cases of 2026: every referral here).
    summary = client.get(reverse("web:safeguarding_summary"), {"year": "2026"})
    if summary.status_code == 200:
        referrals = summary.context["summary"].referrals
        everything = model.months
        total = referrals.total
        if not total.suppressed and not total.withheld and not total.unpublished:
            model.add(model.vec(("followed", "unfollowed"), everything), total.value, total.value)
        made = referrals.breakdowns["step"]["made"]
        if not made.suppressed and not made.withheld and not made.unpublished:
            model.add(model.vec(("unfollowed",), everything), made.value, made.value)
    truth = truth_of(
        {"followed": ("referrals", "value"), "unfollowed": ("referrals", "rest")},
        organization_id=w.org.pk,
    )
    return pinned(model, truth, quantities_of(model, keys, REFERRAL_QUANTITIES), k)


# ---------------------------------------------------------------- 1. what a viewer reaches


@pytest.mark.parametrize("who", ["viewer", "donor_viewer"])
def test_a_viewer_reaches_every_indicator_page_report_and_download(world, who):
    """The crawl is real: a viewer of the owner and of the donor open the dashboards,
    every indicator of the program (built-in and the organization's own), every download
    and the donor report, all protected; the donor does not reach the owner's
    organization dashboard."""
    client = signed_in(world.users[who])
    codes = shown_codes(client, world.program)
    assert {"people_enrolled", "completion_rate", "trainers_trained", OWN_CODE} <= set(codes)
    assert "referrals_made" not in program_codes(world.program)  # never per program
    home = client.get(reverse("web:indicators_home"))
    assert home.status_code == 200
    for code in codes:
        url = indicator_url(world.program, code)
        page = client.get(url)
        assert page.status_code == 200, code
        assert not page.context["view"].exact, code
        assert 'data-test="release-note"' in page.content.decode(), code
        for fmt in DOWNLOADS:
            download = client.get(url, {"format": fmt})
            assert download.status_code == 200, (code, fmt)
            assert download["Content-Disposition"].startswith("attachment")
    report = client.get(reverse("web:indicators_report", args=[world.program.pk]))
    assert report.status_code == 200 and not report.context["report"].exact
    pdf = client.get(reverse("web:indicators_report_pdf", args=[world.program.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    organization = client.get(reverse("web:indicators_organization", args=[world.org.pk]))
    assert organization.status_code == (200 if who == "viewer" else 404)


def test_the_donor_sees_exactly_what_the_owners_viewer_sees(world):
    """Two viewers of different organizations get the same protected figures of a shared
    program (every table download, the API): nothing to difference between them."""
    owner = baseline(world, "viewer")
    donor = baseline(world, "donor_viewer")
    common = [u for u in donor if u in owner and ("format=" in u or "export" in u or "/api/" in u)]
    assert len(common) > 80
    assert [u for u in common if owner[u] != donor[u]] == []


# ---------------------------------------------------------------- 2. refused parameters


def test_refused_breakdowns_departments_and_frequencies_change_nothing(world):
    """A viewer who asks for a district, a province, a department id, another program's
    id, a script or a frequency that does not exist gets the figures he gets without
    asking: the menu is fixed (ADR 0006)."""
    client = signed_in(world.users["viewer"])
    department_ids = [str(world.cusco.department_id), str(world.lima.department_id)]
    for code in shown_codes(client, world.program):
        url = indicator_url(world.program, code)
        plain = client.get(url, {"format": "csv"}).content
        offered = viewer_dims(client, world.program, code)
        refused = [*REFUSED_BY, *department_ids, *(d for d in ALL_BY if d not in offered)]
        for by in refused:
            assert client.get(url, {"by": by, "format": "csv"}).content == plain, (code, by)
        for department in (department_ids[0], str(world.other_program.pk)):
            got = client.get(url, {"department": department, "format": "csv"})
            assert got.status_code == 200 and got.content == plain, (code, department)
        assert client.get(url, {"frequency": "zzz", "format": "csv"}).content == plain
        page = client.get(url, {"by": "district"})
        assert page.context["view"].dimension == ""
        assert "district" not in page.context["view"].dims
        assert "province" not in page.context["view"].dims


def test_a_viewers_breakdowns_are_the_cascade_release(world):
    """Every breakdown of a people indicator on the indicator pages is a table of the
    program's one release (the cascade page's and API's), cell for cell: nothing a viewer
    could difference between the two pages."""
    client = signed_in(world.users["viewer"])
    for program in (world.program, world.court):
        release = json.loads(client.get(f"/api/cascade/programs/{program.pk}/").content)

        def text(value: Any) -> str:
            return "—" if value is None else str(value)

        expected = {
            ("people_enrolled", "department"): {
                d["department"]: text(d["enrolled"]) for d in release["departments"]
            },
            ("people_completed", "department"): {
                d["department"]: text(d["completed"]) for d in release["departments"]
            },
            ("people_completed", "sex"): {
                str(r["label"]): text(r["completed"]) for r in release["by_sex"]
            },
            ("people_enrolled", "generation"): {
                f"Generation {r['generation']}": text(r["enrolled"]) for r in release["levels"]
            },
        }
        for (code, by), rows in expected.items():
            table = table_of(client, program, code, by=by)
            if not table["published"]:
                continue  # the page shows less than the release: nothing new
            got = {label: t for _key, label, t in table["breakdown"]}
            assert {k: v for k, v in got.items() if k in rows} == {
                k: v for k, v in rows.items() if k in got
            }, (program.name, code, by, got, rows)
        enrolled = table_of(client, program, "people_enrolled")["so_far"]
        assert enrolled == text(release["enrolled"])


def test_the_release_behind_the_indicator_pages_pins_no_small_count(world, settings):
    """ADR 0006's attacker (``test_s17_adversarial.attack_release``: an integer programme
    over generation x sex x age band x department x completed) against this program's
    release, which the indicator pages repeat."""
    from cascada.cascade.models import CohortLevel
    from tests.security import test_s17_adversarial as s17

    settings.CASCADA_SMALL_NUMBER_K = K
    client = signed_in(world.users["viewer"])
    data = json.loads(client.get(f"/api/cascade/programs/{world.program.pk}/").content)
    levels = dict(CohortLevel.objects.values_list("cohort_id", "generation"))
    truth = []
    for enrolment in (
        Enrolment.objects.filter(cohort__program=world.program, person__reporting_consent=True)
        .select_related("person", "cohort__place__department")
        .order_by("person_id", "-completed")
    ):
        if any(t[0] == enrolment.person_id for t in truth):
            continue
        truth.append(
            (
                enrolment.person_id,
                levels.get(enrolment.cohort_id, 1),
                enrolment.person.sex,
                s17._band(enrolment.person.birth_year, world.today),
                enrolment.cohort.place.department.name,
                enrolment.completed,
            )
        )
    w = SimpleNamespace(cohorts=list(world.program.cohorts.all()), truth=[t[1:] for t in truth])
    assert s17.attack_release(w, data) == []


def test_the_donor_report_repeats_the_indicator_tables(world):
    """Every figure of a viewer's donor report, for every period offered, is the figure
    of the indicator's table at that period's frequency (and its charts are those tables
    cut to the period): the report adds nothing the attacks below do not read."""
    client = signed_in(world.users["viewer"])
    url = reverse("web:indicators_report", args=[world.program.pk])
    choices = client.get(url).context["choices"]
    assert "2026" in {key for key, _label in choices}
    tables: dict[tuple[str, str], dict[str, Any]] = {}

    def table(code: str, frequency: str) -> dict[str, Any]:
        if (code, frequency) not in tables:
            tables[(code, frequency)] = table_of(client, world.program, code, frequency=frequency)
        return tables[(code, frequency)]

    for period in ["", *(key for key, _label in choices)]:
        report = client.get(url, {"period": period, "lang": "en"}).context["report"]
        assert not report.exact
        frequency = P.frequency_of(period) if period else "year"
        for line in report.lines:
            shown = table(line.view.indicator.code, frequency)
            expected = shown["so_far"] if line.whole_program else dict(shown["periods"])[period]
            assert line.value == expected, (period, line.view.indicator.code)
        for chart in report.charts:
            within = {"year": "quarter", "quarter": "month"}.get(frequency, "quarter")
            shown = dict(table(chart.indicator.code, within)["periods"])
            for row in chart.periods:
                assert row.value.text == shown[row.key], (period, chart.indicator.code, row.key)


def _pdf_text(content: bytes) -> str:
    import subprocess

    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def test_an_own_indicator_over_contacts_reaches_no_viewer(world):
    """(A finding of the attack review, fixed: the donor report carried an organization's
    own indicator over contacts; ``report.program_report`` now asks ``present.shown_to``.)
    Contacts and people attending are not for viewers (ADR 0006): not as the built-in
    indicators, and not as an organization's own indicator over the same source, on the
    dashboard, the indicator page, the donor report or its PDF."""
    for name, source in (("Asistencias propias", "contacts"), ("Asistentes propios", "attending")):
        indicator_services.indicator_create(
            actor=world.users["coordinator"], organization=world.org, name_es=name,
            source=source, measure="value", unit="contacts",
        )  # fmt: skip
    fill_due(today=world.today)
    coordinator = signed_in(world.users["coordinator"])
    report = coordinator.get(reverse("web:indicators_report", args=[world.program.pk]))
    assert {"asistencias-propias", "asistentes-propios"} <= {
        line.view.indicator.code for line in report.context["report"].own
    }  # an exact reader gets them: the check below is real
    client = signed_in(world.users["viewer"])
    hidden = {"session_contacts", "people_attending", "asistencias-propias", "asistentes-propios"}
    for code in hidden:
        assert client.get(indicator_url(world.program, code)).status_code == 404, code
    dashboard = client.get(reverse("web:indicators_program", args=[world.program.pk]))
    shown = {c["view"].indicator.code for _t, cards in dashboard.context["sections"] for c in cards}
    assert not shown & hidden
    leaks = []
    for period in ("", "2026"):
        report = client.get(
            reverse("web:indicators_report", args=[world.program.pk]), {"period": period}
        )
        r = report.context["report"]
        leaks += [
            f"report {period!r}: {line.view.indicator.code}"
            for line in [*r.lines, *r.own]
            if line.view.indicator.code in hidden
        ]
        pdf = client.get(
            reverse("web:indicators_report_pdf", args=[world.program.pk]),
            {"period": period, "lang": "es"},
        )
        text = _pdf_text(pdf.content)
        leaks += [
            f"PDF {period!r}: {n}"
            for n in ("Asistencias propias", "Asistentes propios")
            if n in text
        ]
    assert leaks == [], leaks


# ---------------------------------------------------------------- 3. linear attacks


def test_months_against_quarters_give_away_a_small_month(world):
    """Found by this attack (issue 14, fixed before the merge): the period tables of one
    indicator at different frequencies are protected each on its own (present/: one
    nested_release per frequency), but months, quarters, halves and years are nested, not
    one-way tables of the same people. Plain arithmetic by a viewer: people enrolled so far
    at the end of Q1 (quarterly: 25) minus at the end of February (monthly: 22) = the 3
    people new in March (the Cusco cohort) that the monthly table hides as '—'; the
    organization's own non-cumulative 'new people' indicator: Q1 25 - January 12 - February
    10 = 3 where March shows '<5'; contacts in sessions: 34 - 32 = 2 in March, shown as '—'."""
    client = signed_in(world.users["viewer"])

    def periods(code: str, frequency: str) -> dict[str, float | None]:
        table = table_of(client, world.program, code, frequency=frequency)
        return {key: number(text) for key, text in table["periods"]}

    recovered = []
    for code, cumulative in (
        ("people_enrolled", True),
        ("session_contacts", True),
        (OWN_CODE, False),
    ):
        if code not in shown_codes(client, world.program):
            continue  # not shown to viewers at all
        months, quarters = periods(code, "month"), periods(code, "quarter")
        if "202603" in months:
            assert months["202603"] is None, f"{code}: March alone is hidden"
        keys = ["202602"] if cumulative else ["202601", "202602"]
        before = [months.get(key) for key in keys]
        q1 = quarters.get("2026Q1")
        if q1 is None or None in before:
            continue
        march = q1 - sum(v for v in before if v is not None)
        if 1 <= march <= K:
            recovered.append(f"{code}: March = {march:g}")
    assert recovered == [], recovered


@pytest.mark.parametrize("who", ["viewer", "donor_viewer"])
def test_no_small_count_of_people_is_pinned_across_frequencies(world, who):
    """Found by this attack (issue 14, fixed before the merge): an integer programme over the
    months behind every period table of the program's people indicators (people enrolled,
    completed, completion rate, trainers, replication, the organization's own 'new people
    per period') at every frequency pins small counts: 'new people in 202603 = 3' and
    'completions in 202603 = 2' (the Cusco cohort, from the monthly against the quarterly
    tables), and in the court program at k = 10 'new people in 202603 = 4', 'new people who
    completed in 202603 = 4', 'completions in 202603 = 4'."""
    client = signed_in(world.users[who])
    recovered = attack_program_periods(client, world.program, K)
    if who == "viewer":  # the court program is not shared with the donor
        court = attack_program_periods(client, world.court, K_COURT)
        recovered += [f"court: {r}" for r in court]
    assert recovered == [], recovered


@pytest.mark.parametrize("who", ["viewer", "coordinator"])
def test_no_small_count_of_referrals_is_pinned_across_frequencies(world, who):
    """Found by this attack (issue 14, fixed before the merge): the organization dashboard's
    safeguarding counts (referrals made, followed up) are protected per frequency on their
    own: a viewer or a coordinator who is not a lead reads referrals made so far at the end
    of February (monthly: 40) and of Q1 (quarterly: 43) and gets the 3 referrals of March
    that the court threshold hides (present._protected: one nested_release per frequency)."""
    client = signed_in(world.users[who])
    recovered = attack_referrals(client, world, K_COURT)
    assert recovered == [], recovered


def test_the_attacker_is_not_blind(world, monkeypatch):
    """With the protection taken out (the pages answer a viewer with exact figures, every
    frequency), the same attacker pins the small months of people and referrals: the
    attacks above can fail."""
    from cascada.indicators import present
    from cascada.web.views import indicators as views

    protected = present.indicator_view
    monkeypatch.setattr(
        views, "indicator_view", lambda *a, **kw: protected(*a, **{**kw, "exact": True})
    )
    client = signed_in(world.users["viewer"])
    recovered = attack_program_periods(client, world.program, K, consenting=False)
    assert "new people in 202603 = 3" in recovered
    assert not any(r.startswith("new people in 2026Q1") for r in recovered)  # 25: not small
    assert "referrals made in 202603 = 3" in attack_referrals(client, world, K_COURT)


# ---------------------------------------------------------------- 4. court threshold


def test_a_court_programs_tables_show_no_count_from_1_to_10(world):
    """Every count a viewer reads of the court-ordered program (each indicator, each
    frequency and breakdown, its downloads and the donor report) is 0 or more than 10,
    and the 4 men of its Cusco cohort appear nowhere."""
    client = signed_in(world.users["viewer"])
    small = []
    for code in shown_codes(client, world.court):
        indicator = Indicator.objects.filter(code=code).first()
        if indicator is None or indicator.measure not in ("base", "value"):
            continue
        url = indicator_url(world.court, code)
        offered = viewer_dims(client, world.court, code)
        for params in [{"frequency": f} for f in FREQUENCIES] + [{"by": d} for d in offered]:
            for fmt in ("csv", "xlsx") if params == {"frequency": ""} else ("csv",):
                download = client.get(url, {**params, "format": fmt})
                assert download.status_code == 200
                rows = xlsx_rows(download) if fmt == "xlsx" else csv_rows(download)
                texts = [r[1] for r in rows[1:] if len(r) > 1]
                for text in texts:
                    value = number(text)
                    if value is not None and 1 <= value <= K_COURT:
                        small.append(f"{code} {params} {fmt}: {text}")
                    assert text != f"<{K}", (code, params)
    report = client.get(reverse("web:indicators_report", args=[world.court.pk]))
    for line in report.context["report"].lines:
        if line.view.indicator.measure in ("base", "value"):
            value = number(line.value)
            if value is not None and 1 <= value <= K_COURT:
                small.append(f"report {line.view.indicator.code}: {line.value}")
    assert small == []


# ---------------------------------------------------------------- 5. differencing the world


def _refusers_act(w: SimpleNamespace) -> None:
    """What the men without reporting consent do: it must move nothing a viewer sees."""
    from cascada.measurement import services as measurement
    from cascada.measurement.models import Round

    quitter, dropper = w.refusers
    complete(w.mar, quitter)  # joins the small Cusco cohort and completes
    for session in w.feb.sessions.all():  # the one who had dropped out now completes
        enrolment = Enrolment.objects.get(cohort=w.feb, person=dropper)
        attendance_record(actor=None, session=session, marks={enrolment.pk: "present"})
    complete(w.jun, dropper)
    endline = Round.objects.get(cohort=w.feb, kind="endline")
    measurement.response_record(
        actor=None, survey=endline, person=quitter, answers=_gem_sheet(24), consent=True
    )
    newcomer = make_person(organization=w.org, sex="female", birth_year=1950)
    complete(w.mar, newcomer)  # never consented: a second woman, alone in her age band


def test_s15_what_men_without_consent_do_moves_nothing_a_viewer_sees(world):
    """The whole collection, byte for byte, before and after the men who did not consent
    to reporting enrol, complete, attend and answer, and the fill runs again (the donor's
    collection is the owner's viewer's: ``test_the_donor_sees_...``)."""
    client = signed_in(world.users["viewer"])
    before = baseline(world, "viewer")
    assert sum(1 for body in before.values() if not body.startswith(b"status")) > 100
    exact = signed_in(world.users["coordinator"])
    exact_before = [
        table_of(exact, world.program, code)["so_far"]
        for code in ("people_enrolled", "gem_mean_change", "session_contacts")
    ]
    _refusers_act(world)
    fill_due(today=world.today)
    exact_after = [
        table_of(exact, world.program, code)["so_far"]
        for code in ("people_enrolled", "gem_mean_change", "session_contacts")
    ]
    # What they did shows in exact figures (so the viewer's stillness means something).
    assert all(a != b for a, b in zip(exact_before, exact_after, strict=True)), exact_after
    after = crawl(client, world)
    moved = [url for url in before if before[url] != after[url]]
    assert moved == [], "\n".join(moved)


def test_attendance_at_one_more_session_moves_nothing_a_viewer_sees(world):
    """Found by this attack (issue 14, fixed before the merge): 'Contacts in sessions'
    (session_contacts) and 'People attending in the month' (people_attending) are shown to
    viewers on the dashboards, indicator pages, downloads and the donor report; ADR 0006
    keeps contacts and headcounts from viewers because two readings a session apart give
    that session's attendance: here 2 of June's dropouts attend one more session and the
    viewer's June contacts and people attending move by 2."""
    client = signed_in(world.users["viewer"])
    before = baseline(world, "viewer")
    completed_before = table_of(client, world.program, "people_completed")["so_far"]
    session = world.jun.sessions.order_by("number").first()
    enrolments = Enrolment.objects.filter(cohort=world.jun, person__in=world.jun_dropouts[:2])
    attendance_record(actor=None, session=session, marks={e.pk: "present" for e in enrolments})
    fill_due(today=world.today)
    assert table_of(client, world.program, "people_completed")["so_far"] == completed_before
    after = crawl(client, world)
    moved = [url for url in before if before[url] != after[url]]
    assert moved == [], "\n".join(moved)


# ---------------------------------------------------------------- 6. safeguarding counts


def test_safeguarding_counts_are_exact_for_the_lead_only_at_the_court_threshold(world):
    """Referrals on the organization dashboard: exact for the safeguarding lead; for a
    coordinator who is not a lead, the administrator and a viewer, protected at the
    court threshold (the organization runs a court-ordered program); never per program
    or place, never to the donor."""
    codes = ("referrals_made", "referrals_followed")
    lead = organization_tables(signed_in(world.users["lead"]), world, codes)
    assert lead and all(t["exact"] for t in lead)
    made = next(
        t for t in lead if t["indicator"].code == "referrals_made" and t["frequency"] == "month"
    )
    assert dict(made["periods"])["202603"] == "43"  # cumulative: 20 + 20 + 3
    for who in ("coordinator", "administrator", "viewer", "me_officer"):
        tables = organization_tables(signed_in(world.users[who]), world, codes)
        assert tables, who
        for table in tables:
            assert not table["exact"] and table["k"] == K_COURT, (who, table["indicator"].code)
            for _key, text in table["periods"]:
                assert text != f"<{K}", who
                value = number(text)
                if table["indicator"].measure == "base" and value is not None:
                    assert not 1 <= value <= K_COURT, (who, text)
        # By place, by program: refused.
        client = signed_in(world.users[who])
        for code in codes:
            for program in (world.program, world.court):
                assert client.get(indicator_url(program, code)).status_code == 404
        page = client.get(
            reverse("web:indicators_organization", args=[world.org.pk]), {"by": "department"}
        )
        assert "department" not in {c["view"].dimension for c in page.context["cards"]}
    donor = signed_in(world.users["donor_viewer"])
    assert donor.get(reverse("web:indicators_organization", args=[world.org.pk])).status_code == 404


def test_a_viewer_sees_no_people_added_up_across_programs(world):
    """The organization dashboard of a viewer carries no program-scoped figure (no
    totals across programs, ADR 0006); a coordinator's does."""
    viewer = signed_in(world.users["viewer"]).get(
        reverse("web:indicators_organization", args=[world.org.pk])
    )
    codes = {c["view"].indicator.code for c in viewer.context["cards"]}
    assert not codes & {"people_enrolled", "people_completed", "session_contacts", OWN_CODE}
    coordinator = signed_in(world.users["coordinator"]).get(
        reverse("web:indicators_organization", args=[world.org.pk])
    )
    assert "people_enrolled" in {c["view"].indicator.code for c in coordinator.context["cards"]}


# ---------------------------------------------------------------- 7. who gets nothing


def _issue14_routes() -> list[Any]:
    return [r for r in all_routes() if ISSUE14.match(r.name or "")]


def _values(w: SimpleNamespace) -> dict[str, str]:
    return {"pk": str(w.program.pk), "code": "people_enrolled"}


def _url_for(route: Any, w: SimpleNamespace) -> str:
    values = _values(w)
    if route.name in ("web:indicators_organization", "web:indicator_new", "web:indicators_refresh"):
        values = {"pk": str(w.org.pk)}
    if route.name == "web:indicators_place":
        values = {"pk": str(w.org.pk), "place": str(w.lima.department_id)}
    if route.name.startswith("web:dhis2_mapping"):
        values = {"pk": str(w.mapping.pk)}
    if route.name.startswith("web:dhis2_push"):
        values = {"pk": str(w.push.pk)}
    return build_url(route, values)


def _writes(w: SimpleNamespace) -> tuple:
    return (
        Plan.objects.count(),
        PeriodTarget.objects.count(),
        Indicator.objects.count(),
        sorted(Plan.objects.values_list("lop_target", "baseline", "starts_on", "ends_on")),
        sorted(PeriodTarget.objects.values_list("period", "value")),
        _jobs(),
        _dhis2_rows(),
    )


def _jobs() -> int:
    from cascada.jobs.models import Job

    return Job.objects.count()


def _dhis2_rows() -> tuple:
    from cascada.indicators import models as m

    names = ("Dhis2Server", "Dhis2Mapping", "Dhis2OrgUnit", "Dhis2Push")
    return tuple(getattr(m, n).objects.count() for n in names if hasattr(m, n))


POST_JUNK = {
    "starts_on": "2026-01-01", "ends_on": "2026-12-31", "frequency": "year",
    "lop_target": "999", "target_2026": "999", "name_es": "Intruso", "source": "participants",
    "measure": "base", "unit": "people", "direction": "increase", "cumulative": "on",
    "base_url": "https://evil.example.org", "username": "x", "password": "x",
    "org": "1", "periods": "2026", "format": "json", "dry_run": "", "next": "/indicators/",
}  # fmt: skip


CANARIES = ("Programa vigilado", "Programa judicial", "ONG Atacada", "Personas nuevas en el")


@pytest.mark.parametrize(
    "who", ["facilitator", "auditor", "nobody", "other_coordinator", "other_viewer"]
)
def test_everyone_else_gets_404_on_every_issue_14_route(world, who):
    """GET and POST of every indicators, report, DHIS2 and microdata route with this
    organization's ids: 404 (405 for a method the route does not take), never a page, a
    file or a write. Another organization's staff open their own lists (the indicators
    home, their DHIS2 pages) and find nothing of ours there."""
    routes = _issue14_routes()
    assert len(routes) >= 15, [r.name for r in routes]
    client = signed_in(world.users[who])
    before = _writes(world)
    elsewhere = who.startswith("other_")
    leaks = []
    for route in routes:
        url = _url_for(route, world)
        if not route.params and route.name.startswith("web:dhis2_"):
            url += f"?org={world.org.pk}"
        for method in ("get", "post"):
            token = f"tok-{route.name}-{method}-{who}".replace(":", "-")[:60]
            data = {**POST_JUNK, "org": str(world.org.pk), "form_token": token}
            response = getattr(client, method)(url, data if method == "post" else None)
            status = response.status_code
            if status in (404, 405):
                continue
            if elsewhere and not route.params and status in (200, 302):
                body = response.content.decode(errors="replace")
                shown = [c for c in CANARIES if c in body]
                if not shown and not response.get("Content-Disposition"):
                    continue
            leaks.append(f"{method.upper()} {url} ({route.name}) -> {status}")
    assert leaks == []
    assert _writes(world) == before


def test_an_anonymous_visitor_is_sent_to_sign_in_on_every_issue_14_route(world):
    client = Client()
    client.raise_request_exception = False
    leaks = []
    for route in _issue14_routes():
        url = _url_for(route, world)
        for method in ("get", "post"):
            response = getattr(client, method)(url, POST_JUNK if method == "post" else None)
            location = response.get("Location", "")
            if response.status_code != 302 or "/accounts/login/" not in location:
                leaks.append(f"{method.upper()} {url} -> {response.status_code} {location}")
    assert leaks == []


@pytest.mark.parametrize("who", ["viewer", "donor_viewer", "donor_coordinator"])
def test_viewers_and_partners_manage_nothing_and_export_no_microdata(world, who):
    """Targets, new indicators, Refresh now, DHIS2 and microdata: 404 for a viewer and for
    the coordinator of the organization the program is shared with."""
    client = signed_in(world.users[who])
    before = _writes(world)
    pk = world.program.pk
    urls = [
        reverse("web:indicator_plan", args=[pk, "people_enrolled"]),
        reverse("web:indicator_plan", args=[pk, OWN_CODE]),
        reverse("web:indicator_new", args=[world.org.pk]),
        reverse("web:indicators_refresh", args=[world.org.pk]),
        reverse("web:microdata", args=[pk]),
        reverse("web:microdata_download", args=[pk]) + "?format=csv&organizations=none",
        reverse("web:microdata_codebook", args=[pk]),
        reverse("web:dhis2_home") + f"?org={world.org.pk}",
        reverse("web:dhis2_download") + f"?org={world.org.pk}&program={pk}&periods=2026",
    ]
    for url in urls:
        for method in ("get", "post"):
            data = {**POST_JUNK, "form_token": f"tok{abs(hash((url, method, who)))}"[:40]}
            response = getattr(client, method)(url, data if method == "post" else None)
            assert response.status_code in (404, 405), (who, method, url, response.status_code)
    assert _writes(world) == before


def test_another_organizations_coordinator_tries_our_ids_and_his_codes(world):
    """Ids of this organization's programs and indicators, his own indicator's code on
    them, and this organization's own indicator on his program: 404, nothing written. His
    own program and indicator work (the check is real)."""
    client = signed_in(world.users["other_coordinator"])
    before = _writes(world)
    ours, theirs = world.program, world.other_program
    mine = world.other_indicator.code
    attempts = [
        reverse("web:indicators_program", args=[ours.pk]),
        reverse("web:indicators_report", args=[ours.pk]),
        reverse("web:indicators_report_pdf", args=[ours.pk]),
        indicator_url(ours, "people_enrolled"),
        indicator_url(ours, mine),
        indicator_url(theirs, OWN_CODE),
        reverse("web:indicator_plan", args=[ours.pk, "people_enrolled"]),
        reverse("web:indicator_plan", args=[ours.pk, mine]),
        reverse("web:indicator_plan", args=[theirs.pk, OWN_CODE]),
        reverse("web:indicator_plan", args=[world.court.pk, "people_enrolled"]),
        reverse("web:indicators_organization", args=[world.org.pk]),
        reverse("web:indicator_new", args=[world.org.pk]),
        reverse("web:indicators_refresh", args=[world.org.pk]),
        reverse("web:microdata", args=[ours.pk]),
        reverse("web:microdata_download", args=[ours.pk]) + "?format=csv&organizations=none",
        reverse("web:dhis2_download") + f"?org={world.org.pk}&periods=2026&format=json",
        reverse("web:dhis2_download") + f"?org={world.other.pk}&program={ours.pk}&periods=2026",
    ]
    for n, url in enumerate(attempts):
        assert client.get(url).status_code in (404, 405), url
        data = {**POST_JUNK, "org": str(world.org.pk), "form_token": f"tokenforattempt{n:04d}"}
        assert client.post(url, data).status_code in (404, 405), url
    assert _writes(world) == before
    # His own program, indicator and targets answer.
    assert client.get(indicator_url(theirs, mine)).status_code == 200
    assert client.get(reverse("web:indicator_plan", args=[theirs.pk, mine])).status_code == 200
    # And our coordinator cannot use his indicator's code on our program either.
    ours_client = signed_in(world.users["coordinator"])
    assert ours_client.get(indicator_url(ours, mine)).status_code == 404
    assert ours_client.get(reverse("web:indicator_plan", args=[ours.pk, mine])).status_code == 404


# ---------------------------------------------------------------- 8. bad input


JUNK = {
    "frequency": ["zzz", "MONTH", "é" * 500],
    "by": ["<script>alert(1)</script>", "__class__", "x" * 5000],
    "department": ["-1", "99999999999999999999", "15' OR 1=1"],
    "format": ["../../etc/passwd", "csv\r\nX-Evil: 1", "json"],
    "period": ["2025Q9", "202613", "0000"],
    "periods": ["2025Q9,../x", "9" * 400, "2026W99"],
    "lang": ["xx", "en\x00", "../"],
    "org": ["-1", "99999999999999999999", "abc"],
    "program": ["0", "99999999999999999999", "1e3"],
    "organizations": ["all", "<b>", ""],
}


def _junk_targets(w: SimpleNamespace, who: str) -> list[tuple[str, tuple[str, ...]]]:
    """(url, the parameters it reads): each gets every junk value of each."""
    pk = w.program.pk
    out = [
        (reverse("web:indicators_home"), ("frequency", "by")),
        (reverse("web:indicators_program", args=[pk]), ("frequency",)),
        (indicator_url(w.program, "people_enrolled"), ("frequency", "by", "department", "format")),
        (indicator_url(w.program, "session_contacts"), ("by", "department", "format")),
        (indicator_url(w.program, OWN_CODE), ("frequency", "department", "format")),
        (reverse("web:indicators_report", args=[pk]), ("period", "lang")),
        (reverse("web:indicators_report_pdf", args=[pk]), ("period", "lang")),
        (reverse("web:indicators_organization", args=[w.org.pk]), ("frequency", "by")),
        (reverse("web:indicators_place", args=[w.org.pk, w.lima.department_id]), ("frequency",)),
        (reverse("web:indicator_plan", args=[pk, "people_enrolled"]), ("frequency",)),
    ]
    if who == "coordinator":
        out += [
            (reverse("web:microdata", args=[pk]), ("format", "organizations", "period")),
            (
                reverse("web:microdata_download", args=[pk]),
                ("format", "organizations", "period"),
            ),
            (reverse("web:microdata_codebook", args=[pk]), ("format", "organizations")),
            (reverse("web:dhis2_home"), ("org",)),
            (reverse("web:dhis2_download"), ("org", "program", "periods", "format")),
        ]
    return out


@pytest.mark.parametrize("who", ["viewer", "coordinator"])
def test_junk_in_every_query_parameter_is_a_page_or_a_404_never_a_500(world, who):
    client = signed_in(world.users[who])
    errors = []
    for url, names in _junk_targets(world, who):
        for name in names:
            for value in JUNK[name]:
                response = client.get(url, {name: value})
                status = response.status_code
                if status >= 500 or status == 401:
                    errors.append(f"{url}?{name}={value[:40]!r} -> {status}")
                if status == 200 and b"<script>alert(1)" in response.content:
                    errors.append(f"{url}?{name}={value[:40]!r} echoes a script")
                if "\r\n" in value and "X-Evil" in response:
                    errors.append(f"{url}?{name}: header injected")
    # Codes and ids that do not exist.
    pk = world.program.pk
    for url in (
        reverse("web:indicators_program", args=[99999999]),
        f"/indicators/programs/{pk}/no-such-code/",
        f"/indicators/programs/{pk}/{'x' * 300}/",
        reverse("web:indicator_plan", args=[pk, "no-such-code"]),
        reverse("web:indicators_organization", args=[99999999]),
        reverse("web:indicators_place", args=[world.org.pk, 99999999]),
        reverse("web:indicators_place", args=[world.org.pk, world.lima.pk]),
    ):
        response = client.get(url)
        if response.status_code != 404:
            errors.append(f"{url} -> {response.status_code}")
    assert errors == []


def _plan_form(**changes: str) -> dict[str, str]:
    base = {
        "starts_on": "2026-01-01", "ends_on": "2027-12-31", "frequency": "quarter",
        "baseline": "0", "lop_target": "200", "target_2026Q1": "30", "target_2026Q2": "60",
    }  # fmt: skip
    base.update(changes)
    return base


PLAN_JUNK = [
    {"target_2026Q1": "1e999"},
    {"target_2026Q1": "NaN"},
    {"target_2026Q1": "-5"},
    {"target_2026Q1": "∞"},
    {"target_2026Q1": "Infinity"},
    {"target_2026Q1": "1" * 400},
    {"target_2025Q9": "3"},
    {"target_../x": "3"},
    {"target_": "3"},
    {"target_2026Q1\x00": "3"},
    {"lop_target": "1e999"},
    {"lop_target": "NaN"},
    {"baseline": "-0,5"},
    {"frequency": "zzz"},
    {"frequency": "month", "target_2026Q1": "3"},
    {"starts_on": "2027-01-01", "ends_on": "2026-01-01"},
    {"starts_on": "2026-02-30"},
    {"starts_on": "hoy"},
]


@pytest.mark.parametrize("junk", PLAN_JUNK, ids=[repr(j)[:40] for j in PLAN_JUNK])
def test_junk_targets_get_a_message_and_write_nothing(world, junk):
    client = signed_in(world.users["coordinator"])
    url = reverse("web:indicator_plan", args=[world.program.pk, "people_enrolled"])
    before = _writes(world)
    data = {**_plan_form(**junk), "form_token": f"tok{abs(hash(repr(junk))):020d}"}
    response = client.post(url, data)
    assert response.status_code == 200, response.status_code
    assert b'class="errorlist' in response.content or b"error" in response.content
    assert _writes(world) == before


def test_a_plan_ending_in_9999_is_refused_with_a_message(world):
    """Found by this attack (issue 14, fixed before the merge): a plan ending on 9999-12-31 (a
    date the form accepts) is a 500: periods.keys_between steps past the last month into
    year 10000 (datetime.date(10000, 1, 1): ValueError) in services.plan_save."""
    client = signed_in(world.users["coordinator"])
    url = reverse("web:indicator_plan", args=[world.program.pk, "people_enrolled"])
    before = _writes(world)
    data = {
        **_plan_form(ends_on="9999-12-31", frequency="year", target_2026Q1="", target_2026Q2=""),
        "form_token": "tok9999endofthecalendar",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert _writes(world) == before


def test_a_plan_starting_in_year_one_is_refused_with_a_message(world):
    """Found by this attack (issue 14, fixed before the merge): a plan starting on 0001-01-01
    (or any year before 1000: a slip of the keyboard) is saved; its periods get keys DHIS2
    and periods.bounds do not know ('101', '1Q1'), the donor report of any period is then a
    500 (report.py: P.bounds('101') ValueError) and every dashboard of the program computes
    8,000 quarters: 15 s and 1.5 MB per page for a viewer, 174 s before the report's 500."""
    client = signed_in(world.users["coordinator"])
    url = reverse("web:indicator_plan", args=[world.program.pk, "people_enrolled"])
    before = _writes(world)
    data = {**_plan_form(starts_on="0001-01-01"), "form_token": "tokyearonestartsnow"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert _writes(world) == before


def test_a_ten_megabyte_field_is_refused_before_anything_is_read(world):
    client = signed_in(world.users["coordinator"])
    url = reverse("web:indicator_plan", args=[world.program.pk, "people_enrolled"])
    before = _writes(world)
    data = {**_plan_form(target_2026Q1="9" * 10_000_000), "form_token": "tokahugebodyofdigits"}
    response = client.post(url, data)
    assert response.status_code in (200, 400, 413)
    assert _writes(world) == before


INDICATOR_JUNK = [
    {"name_es": ""},
    {"name_es": "x" * 5000},
    {"source": "../../etc"},
    {"source": "referrals"},  # a sensitive source under another name: still protected
    {"measure": "sum"},
    {"unit": "kg"},
    {"direction": "sideways"},
    {"frequency": "daily"},
    {"name_es": "<script>alert(1)</script>", "name_en": "\x00"},
]


@pytest.mark.parametrize("junk", INDICATOR_JUNK, ids=[repr(j)[:40] for j in INDICATOR_JUNK])
def test_junk_in_a_new_indicator_is_a_message_never_a_500(world, junk):
    client = signed_in(world.users["coordinator"])
    url = reverse("web:indicator_new", args=[world.org.pk])
    data = {
        "name_es": "Nuevo", "source": "participants", "measure": "base", "unit": "people",
        "direction": "increase", "frequency": "quarter", "cumulative": "on",
        **junk, "form_token": f"tok{abs(hash(repr(junk))):020d}",
    }  # fmt: skip
    before = Indicator.objects.count()
    response = client.post(url, data)
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:
        assert Indicator.objects.count() == before
    if "<script>" in junk.get("name_es", ""):
        page = client.get(reverse("web:indicators_organization", args=[world.org.pk]))
        assert b"<script>alert(1)" not in page.content


def test_an_own_indicator_over_a_sensitive_source_stays_protected(world):
    """An organization's own indicator that reads the referrals is still protected at the
    court threshold for everyone but the lead, and never per program."""
    indicator_services.indicator_create(
        actor=world.users["coordinator"], organization=world.org, name_es="Derivaciones propias",
        source="referrals", measure="base", unit="count", cumulative=False, frequency="month",
    )  # fmt: skip
    fill_due(today=world.today)
    client = signed_in(world.users["viewer"])
    page = client.get(reverse("web:indicators_organization", args=[world.org.pk]))
    card = next(
        c["view"]
        for c in page.context["cards"]
        if c["view"].indicator.code == "derivaciones-propias"
    )
    assert not card.exact and card.k == K_COURT
    for row in [*card.periods]:
        value = number(row.value.text)
        assert row.value.text != f"<{K}" and (value is None or not 1 <= value <= K_COURT), row
    lead = signed_in(world.users["lead"]).get(
        reverse("web:indicators_organization", args=[world.org.pk])
    )
    mine = next(
        c["view"]
        for c in lead.context["cards"]
        if c["view"].indicator.code == "derivaciones-propias"
    )
    assert mine.exact and {p.key: p.value.text for p in mine.periods}["202603"] == "3"
    assert client.get(indicator_url(world.program, "derivaciones-propias")).status_code == 404


DHIS2_JUNK = {
    "org": "99999999999999999999", "base_url": "http://127.0.0.1:22/\x00", "username": "x" * 5000,
    "password": "", "id_scheme": "zzz", "org_unit_id_scheme": "../", "indicator": "-1",
    "measure": "ratio", "data_element": "<script>", "dimensions": "sex,sex,district",
    "periods": "2026Q9,../x", "format": "exe", "dry_run": "maybe", "program": "1e3",
    "six_digits": "¿", "unit_150101": "x" * 300,
}  # fmt: skip


def test_junk_in_every_dhis2_form_is_a_message_never_a_500(world):
    """Every DHIS2 form, POSTed by its keeper with junk in every field: an answer (a page
    with the message, or back to the page), never a 500; the server's address is not
    changed to the junk."""
    from cascada.indicators.models import Dhis2Server

    client = signed_in(world.users["coordinator"])
    before = Dhis2Server.objects.get(organization=world.org).base_url
    errors = []
    for n, route in enumerate(r for r in _issue14_routes() if r.name.startswith("web:dhis2_")):
        url = _url_for(route, world)
        for data in (DHIS2_JUNK, {**DHIS2_JUNK, "org": str(world.org.pk)}):
            response = client.post(url, {**data, "form_token": f"tokdhistwojunk{n:04d}{len(data)}"})
            if response.status_code >= 500:
                errors.append(f"POST {url} -> {response.status_code}")
    assert errors == []
    assert Dhis2Server.objects.get(organization=world.org).base_url == before


def test_refresh_now_goes_back_only_to_an_indicators_page(world):
    client = signed_in(world.users["coordinator"])
    url = reverse("web:indicators_refresh", args=[world.org.pk])
    for n, target in enumerate(
        ("https://evil.example.org/", "//evil.example.org/", "/\\evil.example.org", "javascript:x")
    ):
        response = client.post(url, {"next": target, "form_token": f"tokrefreshattempt{n:04d}"})
        assert response.status_code == 302
        location = response["Location"]
        assert location.startswith("/indicators/") and "evil" not in location, location


# ---------------------------------------------------------------- 9. what leaves the organization


def _microdata(client: Client, w: SimpleNamespace, program: Any = None, **params: str) -> Any:
    url = reverse("web:microdata_download", args=[(program or w.program).pk])
    return client.get(url, {"format": "csv", "organizations": "none", **params})


def _rows_of(response: Any) -> list[tuple[str, ...]]:
    rows = csv_rows(response)
    return sorted(tuple(r[1:]) for r in rows[1:] if r)  # without the row number (shuffled)


def _dhis2(client: Client, w: SimpleNamespace, program: Any) -> Any:
    return client.get(
        reverse("web:dhis2_download"),
        {"org": w.org.pk, "program": program.pk, "periods": "2026", "format": "json"},
    )


def _values_of(response: Any) -> list[tuple]:
    data = json.loads(response.content)
    return sorted(
        (v["dataElement"], v["period"], v["orgUnit"], v.get("categoryOptionCombo", ""), v["value"])
        for v in data["dataValues"]
    )


def test_s15_exports_that_leave_the_organization_count_only_people_who_consented(world):
    """The anonymised microdata and the DHIS2 payload of the program are the same before
    and after the men without reporting consent enrol, complete and answer; a woman who
    never consented joins the Cusco cohort and appears in neither."""
    client = signed_in(world.users["coordinator"])
    micro, payload = _microdata(client, world), _dhis2(client, world, world.program)
    assert micro.status_code == 200 and payload.status_code == 200
    rows, values = _rows_of(micro), _values_of(payload)
    assert len(rows) > 40 and values
    _refusers_act(world)
    fill_due(today=world.today)
    assert _rows_of(_microdata(client, world)) == rows
    assert _values_of(_dhis2(client, world, world.program)) == values


def test_no_microdata_and_no_dhis2_payload_of_a_court_ordered_program(world):
    client = signed_in(world.users["coordinator"])
    refused = _microdata(client, world, world.court)
    assert refused.status_code == 403 and not refused.get("Content-Disposition")
    page = client.get(reverse("web:microdata", args=[world.court.pk]))
    assert page.status_code == 403
    payload = _dhis2(client, world, world.court)
    assert not payload.get("Content-Disposition"), "no file of a court-ordered program"
    assert payload.status_code in (302, 400, 404)


MICRODATA_KEY = (
    "Sex", "Age band", "Department", "Generation", "Kind of cohort", "Certified trainer",
    "Ran a cohort", "Organization",
)  # fmt: skip


def test_microdata_has_no_group_of_1_to_k_people(world):
    """Every combination of the key's columns (what someone who knows a man could know)
    and every value of each key column covers 0 or more than k rows, as S17 counts.

    Found by this file: the rule pooled and withheld groups of *fewer* than k, so the
    program's file held exactly 5 rows in "Other departments" (Cusco 3 + Piura 2, k = 5),
    the very sum the viewer's release withholds by showing Lima as "—"."""
    client = signed_in(world.users["coordinator"])
    rows = csv_rows(_microdata(client, world))
    header, body = rows[0], [r for r in rows[1:] if r]
    key = [header.index(c) for c in MICRODATA_KEY if c in header]
    assert len(key) >= 6, header
    small = []
    groups: dict[tuple, int] = defaultdict(int)
    for r in body:
        groups[tuple(r[i] for i in key)] += 1
    small += [f"{g}: {n}" for g, n in groups.items() if 1 <= n <= K]
    for i in key:
        values: dict[str, int] = defaultdict(int)
        for r in body:
            values[r[i]] += 1
        small += [f"{header[i]} {v!r}: {n}" for v, n in values.items() if 1 <= n <= K]
    assert small == [], small
