"""Attitudes (issue 9): the GEM Scale's change between a cohort's baseline and endline
(the same person, or self-generated code, answering both: ``measurement.analysis``'s
pairing), and the share of men who justify wife-beating for at least one of the DHS
reasons, before and after. Facts in the month the endline (or the round) opened; the
subgroups of the cohort (place, generation) and of the person (sex, age band)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from cascada.cascade.models import CohortLevel
from cascada.cascade.selectors import age_band_key
from cascada.measurement.models import Response, RoundKind

from . import PERSON_DIMS, FactRows, Family, Source, month_of, register
from .people import programs

GEM = "gem"
DHS = "dhs-wife-beating"


def _responses(program_id: int, instrument: str) -> list[tuple[Any, ...]]:
    return list(
        Response.objects.filter(
            round__cohort__program_id=program_id,
            round__version__instrument__code=instrument,
            round__version__instrument__organization__isnull=True,
            round__kind__in=[RoundKind.BASELINE, RoundKind.ENDLINE],
            total__isnull=False,
        ).values_list(
            "round__cohort_id",
            "round__kind",
            "round__opens_on",
            "person_id",
            "self_code_hash",
            "total",
            "person__sex",
            "person__birth_year",
            "person__reporting_consent",
            "round__cohort__place_id",
        )
    )


def attitudes(program: tuple[int, int], today: dt.date) -> FactRows:
    program_id, organization_id = program
    out = FactRows(organization_id, program_id)
    gem, dhs = _responses(program_id, GEM), _responses(program_id, DHS)
    rows = gem + dhs
    levels = dict(
        CohortLevel.objects.filter(cohort_id__in={r[0] for r in rows}).values_list(
            "cohort_id", "generation"
        )
    )

    def dims(row: tuple[Any, ...]) -> dict[str, Any]:
        cohort, _kind, _day, person, _code, _total, sex, birth, ok, place = row
        return {
            "sex": sex or "",
            "age_band": age_band_key(birth, today.year) if person else "",
            "place": place,
            # A cohort without a level delivers generation 1 (cascade.services).
            "generation": levels.get(cohort, 1),
            # Anonymous answers (a self-generated code) name nobody: they count for all.
            "consenting": bool(ok) if person else True,
        }

    sides: dict[str, dict[tuple[int, Any], tuple[Any, ...]]] = {
        RoundKind.BASELINE: {},
        RoundKind.ENDLINE: {},
    }
    for row in gem:
        sides[row[1]][(row[0], row[3] or row[4])] = row
    for who, after in sides[RoundKind.ENDLINE].items():
        before = sides[RoundKind.BASELINE].get(who)
        if before is None:
            continue
        change = float(after[5]) - float(before[5])
        month = month_of(after[2])
        assert month is not None
        common = dims(after)
        out.add("gem_change", month, value=change, base=1, **common)
        # Higher GEM scores are more equitable (measurement/stats.py): improved is up.
        out.add("gem_improved", month, value=int(change > 0), base=1, **common)
    for row in dhs:
        key = "justify_before" if row[1] == RoundKind.BASELINE else "justify_after"
        month = month_of(row[2])
        assert month is not None
        # Each "yes" scores 1: a total above 0 justifies it for at least one reason.
        out.add(key, month, value=int(float(row[5]) > 0), base=1, **dims(row))
    return out


register(
    Family("attitudes", "program", attitudes, programs),
    Source(
        "gem_change",
        "attitudes",
        _("Change in the GEM score (matched men)"),
        PERSON_DIMS,
        control="statistics",
    ),
    Source(
        "gem_improved",
        "attitudes",
        _("Men whose GEM score improved (of matched)"),
        PERSON_DIMS,
        control="statistics",
    ),
    Source(
        "justify_before",
        "attitudes",
        _("Men who justify wife-beating, at baseline"),
        PERSON_DIMS,
        control="statistics",
    ),
    Source(
        "justify_after",
        "attitudes",
        _("Men who justify wife-beating, at endline"),
        PERSON_DIMS,
        control="statistics",
    ),
)
