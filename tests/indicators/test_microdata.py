"""Anonymised microdata of a program (S18, docs/decisions/microdata.md): no identifier of
any kind, organizations removed when asked, ages as bands, places as departments, only
consenting people, small groups generalised, rows that cannot be linked across exports,
court programs refused, nobody but the owner's exporters, and an audit row with counts.

Two worlds: ``filled`` (tests/indicators/conftest.py, GEM and DHS answers known) and
``many`` below, whose every name, ID number, cohort and place is a canary. The files are
read in English (headers and values), so that the tests hold before and after the
Spanish catalogue is merged."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import zipfile
from collections import Counter
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from cascada.audit.models import AuditEvent
from cascada.cascade.selectors import AGE_BANDS
from cascada.core.errors import ApplicationError, NotFoundError
from cascada.indicators import microdata
from cascada.indicators.microdata.rows import Person
from cascada.registry.models import Place
from cascada.trainings.services import program_share
from tests.accounts.factories import login_verified, make_user
from tests.cascade.factories import complete
from tests.registry.factories import consent_to_reporting, make_org, make_person
from tests.trainings.factories import make_cohort, make_program

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 12, 31)
K = 5
COHORT_NAMES = ["Cohorte CanarioLima", "Cohorte CanarioHuanta", "Cohorte CanarioCusco"]
COHORT_NAMES += ["Cohorte CanarioPiura"]
# Places finer than the department (and the departments pooled as "Other").
FINER = ["Miraflores", "Huanta", "Wanchaq", "Castilla"]
POOLED = ["Cusco", "Piura"]
ORG, PARTNER, PROGRAM = "Manuela Ramos", "Zorzal Canario ONG", "Programa CanarioPrograma"


# ---------------------------------------------------------------- the world of canaries

_n = {"n": 0}


def canary(org: Any, *, birth: int | None = 1990, sex: str = "male", consent: bool = True) -> Any:
    _n["n"] += 1
    n = _n["n"]
    person = make_person(
        organization=org,
        given_name=f"Canario{n:03d}",
        family_name=f"Zorzal{n:03d}",
        sex=sex,
        birth_year=birth,
        id_document="dni",
        national_id=f"7{n:07d}",
        phone=f"9{n:08d}",
        address=f"Jirón Canario {n}",
    )
    if consent:
        consent_to_reporting(person)
    return person


@pytest.fixture
def many(org) -> dict[str, Any]:
    """Lima (Miraflores): 6 men of the owner and 6 of a partner born in 1990, 3 born in
    1950 and 3 in 2000 (rare age bands), 1 man who did not consent. Ayacucho (Huanta): 8
    men and 1 woman (alone). Cusco (Wanchaq): 3 men; Piura (Castilla): 3 men (rare
    departments, 6 together). Everyone completes a course of two sessions. With k = 5 a
    group must hold 6 rows or more (S17 hides counts from 1 to k)."""
    partner = make_org(name=PARTNER)
    program = make_program(owner=org, name=PROGRAM)
    program_share(actor=None, program=program, organization=partner)
    trainer = canary(org, sex="female", birth=1980)
    from tests.registry.factories import ensure_places

    ensure_places()
    place = {code: Place.objects.get(country="PE", code=code) for code in FINER_CODES}
    people: list[Any] = []
    absent: list[Any] = []

    def cohort(name: str, code: str, start: dt.date, members: list[Any]) -> None:
        c = make_cohort(
            program=program,
            name=name,
            sessions=2,
            start=start,
            place=place[code],
            facilitators=(trainer,),
        )
        complete(c, *members)
        for m in members:
            m.refresh_from_db()
            (people if m.reporting_consent else absent).append(m)

    lima = [canary(org) for _ in range(6)] + [canary(partner) for _ in range(6)]
    lima += [canary(org, birth=1950) for _ in range(3)] + [
        canary(org, birth=2000) for _ in range(3)
    ]
    lima.append(canary(org, consent=False))
    cohort(COHORT_NAMES[0], "150122", dt.date(2025, 3, 3), lima)
    huanta = [canary(org) for _ in range(8)] + [canary(org, sex="female")]
    cohort(COHORT_NAMES[1], "050401", dt.date(2025, 4, 7), huanta)
    cohort(COHORT_NAMES[2], "080108", dt.date(2025, 5, 5), [canary(org) for _ in range(3)])
    cohort(COHORT_NAMES[3], "200104", dt.date(2025, 6, 2), [canary(org) for _ in range(3)])
    return {
        "org": org,
        "partner": partner,
        "program": program,
        "people": people,
        "absent": absent,
        "trainer": trainer,
    }


FINER_CODES = ["150122", "050401", "080108", "200104"]


def exporter(world: dict[str, Any], role: str = "me_officer") -> Any:
    return make_user(role=role, organization=world["org"])


def export(world: dict[str, Any], user: Any = None, **kw: Any) -> microdata.Microdata:
    user = user or exporter(world)
    program = microdata.microdata_program(user=user, pk=world["program"].pk)
    kw.setdefault("fmt", "csv")
    kw.setdefault("today", TODAY)
    with translation.override("en"):
        return microdata.microdata_export(user=user, program=program, **kw)


def table(data: microdata.Microdata) -> list[dict[str, str]]:
    """The file as a reader opens it: the CSV parsed back, or the XLSX's data sheet."""
    raw = microdata.microdata_bytes(data)
    if data.fmt == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(raw)).worksheets[0]
        values = [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
        return [dict(zip(values[0], row, strict=True)) for row in values[1:]]
    text = raw.decode("utf-8-sig")
    delimiter = ";" if data.fmt == "csv_es" else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def every_text(data: microdata.Microdata) -> str:
    """Every byte of the file as text: the CSV, or every member of the XLSX unzipped."""
    raw = microdata.microdata_bytes(data)
    if data.fmt != "xlsx":
        return raw.decode("utf-8-sig")
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        return "\n".join(z.read(name).decode("utf-8", "replace") for name in z.namelist())


def identifiers(world: dict[str, Any]) -> list[str]:
    """Every identifier of the world's people and where they met (canaries). Years of
    birth are looked for in the cells (``no_dates``): "2000" is in the XLSX's XML."""
    out: list[str] = []
    for p in world["people"] + world["absent"] + [world["trainer"]]:
        identity = p.identity
        out += [p.code, identity.given_name, identity.family_name, identity.national_id]
        out += [identity.phone, identity.address]
    return out + COHORT_NAMES + FINER + POOLED + ["Canario", "Zorzal0"]


def no_dates(data: microdata.Microdata) -> bool:
    """No date of any kind, and no year (of birth, of an enrolment or a cohort), in any
    cell of the file."""
    cells = "\n".join(";".join(r.values()) for r in table(data))
    return not re.search(r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4}|\b(19|20)\d\d\b", cells)


# ---------------------------------------------------------------- no identifier


@pytest.mark.parametrize("fmt", ["csv", "csv_es", "xlsx"])
def test_no_identifier_of_any_kind_is_in_any_byte_of_the_file(many, fmt):
    data = export(many, fmt=fmt, organizations=microdata.NONE)
    text = every_text(data)
    assert len(data.rows) >= 20
    found = [c for c in identifiers(many) if c in text]
    assert not found, f"identifiers in the {fmt} file: {found}"
    assert no_dates(data)


def test_the_columns_are_the_codebooks_and_the_row_number_is_one_to_n(many):
    data = export(many, organizations=microdata.NONE)
    keys = [c.key for c in microdata.columns(microdata.NONE)]
    assert "code" not in keys and "person" not in keys and "cohort" not in keys
    assert [r[0] for r in sorted(data.rows)] == list(range(1, len(data.rows) + 1))
    with translation.override("en"):
        assert data.headers == [line[0] for line in microdata.codebook(microdata.NONE)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("organizations", [microdata.NONE, microdata.LETTERS])
def test_organization_and_program_names_removed_when_asked(many, fmt, organizations):
    data = export(many, fmt=fmt, organizations=organizations)
    text = every_text(data)
    for name in (ORG, PARTNER, PROGRAM, "Manuela", "CanarioPrograma"):
        assert name not in text, name
    rows = table(data)
    if organizations == microdata.NONE:
        assert "Organization" not in rows[0]
    else:
        assert {r["Organization"] for r in rows} == {"Organization A", "Organization B"}


def test_organization_names_are_there_when_kept(many):
    rows = table(export(many, organizations=microdata.NAMES))
    assert {r["Organization"] for r in rows} == {ORG, PARTNER}
    assert {r["Program"] for r in rows} == {PROGRAM}


def test_letters_of_organizations_are_drawn_anew_for_each_export(many):
    partner_letters = set()
    for seed in range(8):
        rows = table(export(many, organizations=microdata.LETTERS, rng=random.Random(seed)))
        counts = Counter(r["Organization"] for r in rows)
        # The partner has 6 rows; the owner the rest.
        partner_letters |= {letter for letter, n in counts.items() if n == 6}
    assert partner_letters == {"Organization A", "Organization B"}


# ---------------------------------------------------------------- ages and places


def test_ages_only_as_bands_and_places_only_as_departments(many):
    rows = table(export(many, organizations=microdata.NONE))
    bands = {key for key, _label in AGE_BANDS if key != "unknown"}
    assert {r["Age band"] for r in rows} <= bands | {"Withheld"}
    assert {r["Department"] for r in rows} == {"Lima", "Ayacucho", "Other departments"}


def test_rare_departments_are_pooled_as_other(many):
    rows = table(export(many, organizations=microdata.NONE))
    departments = Counter(r["Department"] for r in rows)
    # Cusco (3) and Piura (3) have k = 5 rows or fewer each: together they are "Other" (6).
    assert departments["Other departments"] == 6
    assert departments["Lima"] == 18


def test_rare_combinations_are_withheld_or_left_out(many):
    data = export(many, organizations=microdata.NAMES)
    rows = table(data)
    # 3 men of 60+ and 3 of 18-29 in Lima: their age band is withheld (6 together).
    lima = [r for r in rows if r["Department"] == "Lima"]
    assert Counter(r["Age band"] for r in lima) == {"30-44": 12, "Withheld": 6}
    assert not {"60+", "18-29"} & {r["Age band"] for r in rows}
    # The one woman stays alone whatever is withheld: she is left out.
    assert data.left_out == 1
    assert "Female" not in {r["Sex"] for r in rows}
    # Whatever anyone could know from outside, more than k rows share it.
    key = ["Sex", "Age band", "Department", "Generation", "Kind of cohort"]
    key += ["Certified trainer", "Ran a cohort", "Organization"]
    groups = Counter(tuple(r[c] for c in key) for r in rows)
    assert min(groups.values()) > K, groups


def test_protect_keeps_every_key_in_groups_of_more_than_k_on_random_populations():
    """The rule itself, against an independent count, on populations drawn at random."""
    rng = random.Random(14)
    for _ in range(200):
        rows = [
            Person(
                person_id=i,
                sex=rng.choice(["male", "male", "male", "female"]),
                age_band=rng.choice(["18-29", "30-44", "45-59", "60+"]),
                department=rng.choice([1, 1, 1, 2, 2, 3, 4]),
                generation=rng.choice([1, 1, 2, 3]),
                kind=rng.choice(["course", "tot"]),
                sessions=3,
                completed=True,
                certified=rng.random() < 0.2,
                ran=False,
                organization=rng.choice([10, 10, 11]),
            )
            for i in range(rng.randint(0, 60))
        ]
        kept, left_out = microdata.protect(rows, k=K, with_organization=True)
        assert len(kept) + left_out == len(rows)
        sizes = Counter(r.key(True) for r in kept)
        assert all(n > K for n in sizes.values())
        departments = Counter(r.department for r in kept)
        assert all(n > K for n in departments.values())


# ---------------------------------------------------------------- who is in it


def test_only_people_who_consented_to_reporting(many):
    data = export(many, organizations=microdata.NONE)
    assert len(data.rows) + data.left_out == len(many["people"]) == 33
    # The Lima man who did not consent: Lima has 18 consenting rows, not 19.
    assert Counter(r["Department"] for r in table(data))["Lima"] == 18


def test_a_consent_withdrawn_takes_the_person_out(many):
    from cascada.registry.services import consent_record

    before = export(many, organizations=microdata.NONE)
    consent_record(
        actor=None,
        person=many["people"][0],
        purpose="aggregate_reporting",
        granted=False,
        text_version="v1",
    )
    after = export(many, organizations=microdata.NONE)
    assert len(after.rows) + after.left_out == len(before.rows) + before.left_out - 1


def test_attitudes_of_people_who_answered(filled):
    """On the hand-built world: GEM before/after/change only for the men who answered
    both rounds; the DHS items before and after."""
    data = export(filled, organizations=microdata.NONE)
    rows = table(data)
    gem = {(r["GEM before"], r["GEM after"], r["GEM change"]) for r in rows if r["GEM before"]}
    assert gem == {("40.0", "50.0", "10.0"), ("50.0", "48.0", "-2.0"), ("30.0", "42.0", "12.0")}
    justify = Counter(
        (r["Justifies wife-beating before"], r["Justifies wife-beating after"]) for r in rows
    )
    assert justify == {("", ""): 3, ("Yes", "No"): 1, ("Yes", "Yes"): 1, ("No", "No"): 1}
    # 7 consenting people enrolled (a3 and b5 did not consent); the woman is alone.
    assert len(data.rows) + data.left_out == 7


def test_a_period_keeps_the_cohorts_started_in_it(filled):
    data = export(filled, organizations=microdata.NONE, period="2025Q2")
    assert len(data.rows) + data.left_out == 4  # cohort B's consenting people
    assert data.filename == "microdata-2025Q2.csv"
    with pytest.raises(ApplicationError):
        export(filled, organizations=microdata.NONE, period="2025Q7")


# ---------------------------------------------------------------- linking


def test_rows_cannot_be_linked_across_two_exports_by_the_row_number(many):
    first = export(many, organizations=microdata.NONE, rng=random.Random(1))
    second = export(many, organizations=microdata.NONE, rng=random.Random(2))
    assert sorted(r[0] for r in first.rows) == sorted(r[0] for r in second.rows)
    by_number = [{r[0]: tuple(r[1:]) for r in d.rows} for d in (first, second)]
    same = sum(by_number[0][n] == by_number[1][n] for n in by_number[0])
    # The same number names another kind of person in the other file, mostly.
    assert same < len(first.rows) // 2, same


def test_the_order_is_not_the_order_of_registration(many):
    """Without a drawn order, the rows would follow the people's ids (registration order):
    Lima first, then Ayacucho, Cusco, Piura."""
    rows = table(export(many, organizations=microdata.NONE, rng=random.Random(3)))
    departments = [r["Department"] for r in rows]
    assert departments[:17] != ["Lima"] * 17


# ---------------------------------------------------------------- court programs


def test_court_program_microdata_is_refused(org, client):
    program = make_program(owner=org, name="Juzgado", is_court_mandated=True)
    user = make_user(role="coordinator", organization=org)
    with pytest.raises(ApplicationError) as refused:
        microdata.microdata_export(user=user, program=program, fmt="csv")
    assert refused.value.code == "court_program"
    login_verified(client, user)
    page = client.get(reverse("web:microdata", args=[program.pk]))
    assert page.status_code == 403
    assert b'data-test="microdata-refused"' in page.content
    assert b'data-test="microdata-form"' not in page.content
    got = client.get(
        reverse("web:microdata_download", args=[program.pk]),
        {"format": "csv", "organizations": "none"},
    )
    assert got.status_code == 403 and "attachment" not in got.get("Content-Disposition", "")
    assert not AuditEvent.objects.filter(action="microdata_export").exists()


# ---------------------------------------------------------------- who may


def _urls(program: Any) -> list[str]:
    return [
        reverse("web:microdata", args=[program.pk]),
        reverse("web:microdata_download", args=[program.pk]) + "?format=csv&organizations=none",
        reverse("web:microdata_codebook", args=[program.pk]),
    ]


@pytest.mark.parametrize("role", ["me_officer", "coordinator", "administrator"])
def test_exporters_of_the_owner_download(many, client, role):
    login_verified(client, exporter(many, role))
    for url in _urls(many["program"]):
        assert client.get(url).status_code == 200, url
    got = client.get(_urls(many["program"])[1])
    assert got["Content-Disposition"] == 'attachment; filename="microdata.csv"'
    assert got["Cache-Control"] == "no-store"


@pytest.mark.parametrize("who", ["viewer", "facilitator", "other_org", "partner", "auditor"])
def test_anyone_else_gets_404(many, client, who):
    if who == "other_org":
        user = make_user(role="coordinator", organization=make_org(name="Otra"))
    elif who == "partner":  # the program is shared with it: still not its microdata
        user = make_user(role="coordinator", organization=many["partner"])
    elif who == "facilitator":
        user = make_user(role="facilitator", organization=many["org"], person=many["trainer"])
    else:
        user = make_user(role=who, organization=many["org"])
    login_verified(client, user)
    for url in _urls(many["program"]):
        assert client.get(url).status_code == 404, (who, url)
    with pytest.raises(NotFoundError):
        microdata.microdata_program(user=user, pk=many["program"].pk)
    assert not AuditEvent.objects.filter(action="microdata_export").exists()


# ---------------------------------------------------------------- audit


def test_an_export_writes_one_audit_row_with_counts_only(many, client):
    user = exporter(many)
    login_verified(client, user)
    got = client.get(
        reverse("web:microdata_download", args=[many["program"].pk]),
        {"format": "xlsx", "organizations": "letters", "period": "2025"},
    )
    assert got.status_code == 200
    events = list(AuditEvent.objects.filter(action="microdata_export"))
    assert len(events) == 1
    event = events[0]
    assert (event.actor_id, event.target_type, event.target_id) == (
        user.pk,
        "trainings.program",
        str(many["program"].pk),
    )
    assert event.detail == {
        "format": "xlsx",
        "count": 32,
        "left_out": 1,
        "names": False,
        "letters": True,
        "filter": "2025",
    }
    stored = " ".join(str(v) for v in AuditEvent.objects.values_list().get(pk=event.pk))
    assert not [c for c in identifiers(many) if c in stored]


# ---------------------------------------------------------------- the page


def test_the_page_offers_the_options_and_the_codebook(many, client):
    login_verified(client, exporter(many))
    page = client.get(reverse("web:microdata", args=[many["program"].pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert 'name="format"' in text and 'name="organizations"' in text
    assert 'data-test="codebook"' in text
    assert page["Cache-Control"] == "no-store"


def test_bad_options_get_a_message_not_a_file(many, client):
    login_verified(client, exporter(many))
    got = client.get(
        reverse("web:microdata_download", args=[many["program"].pk]),
        {"format": "pdf", "organizations": "none", "period": "2025Q9"},
    )
    assert got.status_code == 400
    assert b'data-test="error-format"' in got.content
    assert not AuditEvent.objects.filter(action="microdata_export").exists()


def test_no_identifier_of_the_hand_built_world_either(filled):
    people = [*filled["a"], *filled["b"], filled["trainer"]]
    canaries = [p.code for p in people] + ["Ficticio", "Prueba", "Rosa", "Cohorte"]
    canaries += ["Cercado", "Huamanga"]
    for fmt in ("csv_es", "xlsx"):
        data = export(filled, fmt=fmt, organizations=microdata.NONE)
        text = every_text(data)
        assert not [c for c in canaries if c in text], fmt
        assert no_dates(data)


def test_the_link_is_offered_to_the_owners_exporters_only(many):
    program = many["program"]
    assert microdata.may_export_microdata(user=exporter(many), program=program)
    for user in (
        make_user(role="viewer", organization=many["org"]),
        make_user(role="coordinator", organization=many["partner"]),
    ):
        assert not microdata.may_export_microdata(user=user, program=program)
