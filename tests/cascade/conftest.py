"""A small cascade whose numbers are known, built through the real services.

N (national, generation 0) runs ToT T1 (Lima, curriculum v1): A and B complete, X does not.
A runs W1 (Lima, v1): P1 (female), P2, P3 complete, P4 does not.
A runs W2 (Cusco, v2, plus a headcount-only session of 30): P5 completes.
P1 (never certified) runs W3 (Lima, v1): P6 completes.
B never runs a cohort.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from cascada.curricula.services import curriculum_create, curriculum_version_new
from cascada.registry.models import Place
from cascada.trainings.services import session_headcount_set, sessions_generate
from tests.cascade.factories import complete, enrol_only, run_cohort
from tests.registry.factories import make_person
from tests.trainings.factories import make_program


def _place(code, name, level, parent=None, department=None):
    """Places are reference data (loaded with the registry); create any that are missing."""
    place, created = Place.objects.get_or_create(
        country="PE",
        code=code,
        defaults={"name": name, "level": level, "parent": parent, "department": department},
    )
    if level == "department" and place.department_id != place.pk:
        place.department = place
        place.save()
    return place


@pytest.fixture
def known(org):
    lima = _place("15", "Lima", "department")
    cusco = _place("08", "Cusco", "department")
    vmt = _place("150143", "Villa María del Triunfo", "district", lima, lima)
    wanchaq = _place("080108", "Wanchaq", "district", cusco, cusco)
    curriculum = curriculum_create(actor=None, organization=org, title="Hombres que cuidan")
    v1 = curriculum.versions.get(number=1)
    v2 = curriculum_version_new(actor=None, curriculum=curriculum)
    program = make_program(owner=org, name="Cascada Nacional")
    p = {
        n: make_person(organization=org) for n in ["N", "A", "B", "X", "P2", "P3", "P4", "P5", "P6"]
    }
    p["P1"] = make_person(organization=org, sex="female")
    t1 = run_cohort(
        program=program,
        facilitators=(p["N"],),
        kind="tot",
        start=dt.date(2025, 1, 6),
        place=vmt,
        curriculum_version=v1,
    )
    complete(t1, p["A"], p["B"])
    enrol_only(t1, p["X"])
    w1 = run_cohort(
        program=program,
        facilitators=(p["A"],),
        start=dt.date(2025, 3, 3),
        place=vmt,
        curriculum_version=v1,
    )
    complete(w1, p["P1"], p["P2"], p["P3"])
    enrol_only(w1, p["P4"])
    w2 = run_cohort(
        program=program,
        facilitators=(p["A"],),
        start=dt.date(2025, 9, 1),
        place=wanchaq,
        curriculum_version=v2,
    )
    complete(w2, p["P5"])
    (extra,) = sessions_generate(
        actor=None, cohort=w2, count=1, pattern="weekly", start=dt.date(2025, 9, 15)
    )
    session_headcount_set(actor=None, session=extra, headcount=30)
    w3 = run_cohort(
        program=program,
        facilitators=(p["P1"],),
        start=dt.date(2025, 10, 6),
        place=vmt,
        curriculum_version=v1,
    )
    complete(w3, p["P6"])
    return SimpleNamespace(
        program=program,
        people=p,
        t1=t1,
        w1=w1,
        w2=w2,
        w3=w3,
        lima=lima,
        cusco=cusco,
        today=dt.date(2026, 1, 5),
    )
