"""Before and after: the analysis of an instrument's baseline and endline rounds in a
program (or one cohort), overall and by sex, age band, department, cohort, facilitator and
cascade generation (of the respondent's cohort, and of the facilitator who ran it).

The data are read in a handful of queries into arrays (one row per matched respondent);
the statistics are ``stats.py``'s. A user who does not see the program's people (a
viewer: ``trainings.selectors.sees_exact``) gets only respondents who consented to
aggregate reporting (S15) and every group through ``core.privacy.statistics_shown``
(S17): a group of ``k`` people or fewer shows its size as "<k" and no statistic, and the
hidden groups of a breakdown never add up to ``k`` or fewer (docs/decisions/measurement.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.cascade.models import CohortLevel, Lineage
from cascada.cascade.selectors import AGE_BANDS, age_band_key
from cascada.core import privacy
from cascada.registry.models import Person, Sex
from cascada.trainings.models import Cohort, CohortFacilitator, Program
from cascada.trainings.selectors import cohort_ids_visible, sees_exact
from cascada.trainings.services import program_org_ids

from . import stats
from .models import Instrument, Response, Round, RoundKind
from .scoring import BASELINE_TERTILES, Spec, category_of


@dataclass
class Matched:
    """Matched respondents (baseline and endline of the same cohort), one row each."""

    before: np.ndarray  # totals
    after: np.ndarray
    items_before: np.ndarray  # item scores, NaN unanswered (n x items)
    items_after: np.ndarray
    groups: dict[str, list[str]] = field(default_factory=dict)  # dimension -> key per row

    @property
    def n(self) -> int:
        return len(self.before)


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    n: int
    shown: bool
    change: stats.PairedChange | None


@dataclass(frozen=True)
class Analysis:
    instrument: Instrument
    spec: Spec
    exact: bool
    k: int
    n_baseline: int
    n_endline: int
    overall: Group
    breakdowns: dict[str, list[Group]]
    reliability: stats.Reliability | None
    items: list[tuple[str, str, stats.ItemChange]]
    moves: stats.CategoryMoves | None
    labels: tuple[tuple[str, str, str], ...]
    higher_means: str = ""


# Not in a viewer's analysis (see ``summarise``).
PROTECTED_OUT = frozenset({"cohort", "facilitator", "facilitator_generation"})

DIMENSIONS: list[tuple[str, Any]] = [
    ("generation", _("Cascade generation of the participants")),
    ("facilitator_generation", _("Generation of the facilitator")),
    ("sex", _("Sex")),
    ("age", _("Age band")),
    ("department", _("Department")),
    ("cohort", _("Cohort")),
    ("facilitator", _("Facilitator (lead, by code)")),
]


def matched(
    *, spec: Spec, cohorts: Iterable[int], instrument: Instrument, reportable_only: bool
) -> tuple[Matched, int, int]:
    """Matched baseline/endline respondents of ``instrument`` in ``cohorts``: the same
    person (or self-generated code) with a total in both rounds of their cohort. Returns
    the matched rows and how many responses each side had."""
    rounds = list(
        Round.objects.filter(
            cohort_id__in=list(cohorts),
            version__instrument=instrument,
            kind__in=[RoundKind.BASELINE, RoundKind.ENDLINE],
        ).values_list("pk", "cohort_id", "kind")
    )
    by_round = {pk: (cohort_id, kind) for pk, cohort_id, kind in rounds}
    responses = Response.objects.filter(round_id__in=list(by_round), total__isnull=False)
    if reportable_only:
        responses = responses.filter(Q(person__isnull=True) | Q(person__reporting_consent=True))
    rows = responses.values_list(
        "round_id",
        "person_id",
        "self_code_hash",
        "total",
        "answers",
        "person__sex",
        "person__birth_year",
        "person__place__department__name",
    )
    sides: dict[str, dict[tuple[int, Any], tuple[Any, ...]]] = {
        RoundKind.BASELINE: {},
        RoundKind.ENDLINE: {},
    }
    for round_id, person_id, code, total, answers, sex, birth_year, department in rows:
        cohort_id, kind = by_round[round_id]
        who = (cohort_id, person_id or code)
        sides[kind][who] = (total, answers, sex, birth_year, department)
    n_base, n_end = len(sides[RoundKind.BASELINE]), len(sides[RoundKind.ENDLINE])
    pairs = sorted(set(sides[RoundKind.BASELINE]) & set(sides[RoundKind.ENDLINE]), key=str)

    cohort_ids = {c for c, _w in pairs}
    cohort_names = dict(Cohort.objects.filter(pk__in=cohort_ids).values_list("pk", "name"))
    levels = dict(
        CohortLevel.objects.filter(cohort_id__in=cohort_ids).values_list("cohort_id", "generation")
    )
    leads: dict[int, int] = {}
    for cohort_id, person_id in (
        CohortFacilitator.objects.filter(cohort_id__in=cohort_ids)
        .order_by("cohort_id", "-is_lead", "pk")
        .values_list("cohort_id", "person_id")
    ):
        leads.setdefault(cohort_id, person_id)
    lead_codes = dict(Person.objects.filter(pk__in=set(leads.values())).values_list("pk", "code"))
    lead_generation = dict(
        Lineage.objects.filter(person_id__in=set(leads.values())).values_list(
            "person_id", "generation"
        )
    )
    year = timezone.localdate().year
    codes = [i.code for i in spec.scored_items]
    item_specs = spec.scored_items
    before = np.empty(len(pairs))
    after = np.empty(len(pairs))
    items_before = np.full((len(pairs), len(codes)), np.nan)
    items_after = np.full((len(pairs), len(codes)), np.nan)
    groups: dict[str, list[str]] = defaultdict(list)
    for row, who in enumerate(pairs):
        b_total, b_answers, sex, birth_year, department = sides[RoundKind.BASELINE][who]
        a_total, a_answers, *_rest = sides[RoundKind.ENDLINE][who]
        before[row], after[row] = b_total, a_total
        for col, item in enumerate(item_specs):
            for target, answers in ((items_before, b_answers), (items_after, a_answers)):
                value = spec.item_score(item, answers.get(item.code))
                if value is not None:
                    target[row, col] = value
        cohort_id = who[0]
        # A cohort without a level row delivers generation 1 (cascade.services).
        groups["generation"].append(str(levels.get(cohort_id, 1)))
        lead = leads.get(cohort_id)
        # A facilitator outside the lineage was trained by nobody in Cascada: generation 0.
        groups["facilitator_generation"].append(str(lead_generation.get(lead, 0)) if lead else "")
        groups["facilitator"].append(lead_codes.get(lead, "") if lead else "")
        groups["sex"].append(sex or "")
        groups["age"].append(age_band_key(birth_year, year) if sex is not None else "")
        groups["department"].append(department or "")
        groups["cohort"].append(cohort_names.get(cohort_id, ""))
    return Matched(before, after, items_before, items_after, dict(groups)), n_base, n_end


def _labels(dimension: str) -> Callable[[str], str]:
    if dimension == "sex":
        names = dict(Sex.choices)
        return lambda key: str(names.get(key, _("Anonymous round")))
    if dimension == "age":
        bands = dict(AGE_BANDS)
        return lambda key: str(bands.get(key, _("Anonymous round")))
    if dimension in ("generation", "facilitator_generation"):
        return lambda key: str(_("Generation %(n)s") % {"n": key}) if key else str(_("Unknown"))
    return lambda key: key or str(_("Unknown"))


def may_read_exact(*, user: Any, program: Program) -> bool:
    """Exact statistics of a program's answers, every group however small, only for a
    user who may read its respondents' answers (``Cap.VIEW_ANSWERS`` in an organization
    behind the program) and sees its people: one man's score is what a group of one
    shows. Everyone else, facilitators included, gets the protected analysis."""
    orgs = program_org_ids(program)
    return bool(scope.org_ids(user, Cap.VIEW_ANSWERS) & orgs) and sees_exact(
        user=user, program=program
    )


def analyse(
    *, user: Any, instrument: Instrument, program: Program, cohort: Cohort | None = None
) -> Analysis:
    """The before/after analysis of ``instrument`` in ``program`` (or one of its cohorts)
    as ``user`` may see it."""
    version = (
        instrument.versions.filter(rounds__cohort__program=program).order_by("-number").first()
    )
    version = version or instrument.versions.order_by("-number").first()
    assert version is not None
    spec = Spec.of(version)
    exact = may_read_exact(user=user, program=program)
    k = privacy.threshold(court=program.is_court_mandated)
    visible = cohort_ids_visible(user=user, cap=Cap.VIEW_AGGREGATES)
    cohorts = Cohort.objects.filter(program=program, pk__in=visible)
    if cohort is not None:
        cohorts = cohorts.filter(pk=cohort.pk)
    data, n_base, n_end = matched(
        spec=spec,
        cohorts=cohorts.values_list("pk", flat=True),
        instrument=instrument,
        reportable_only=not exact,
    )
    texts = dict(version.items.values_list("code", "text_es"))
    return summarise(
        data,
        spec=spec,
        instrument=instrument,
        exact=exact,
        k=k,
        counts=(n_base, n_end),
        texts=texts,
        higher_means=version.higher_means_es,
    )


def summarise(
    data: Matched,
    *,
    spec: Spec,
    instrument: Instrument,
    exact: bool,
    k: int,
    counts: tuple[int, int] = (0, 0),
    texts: dict[str, str] | None = None,
    higher_means: str = "",
) -> Analysis:
    """Every statistic of the analysis from the matched arrays (no database): what the
    ``measurement`` benchmark compares with plain NumPy/SciPy."""
    texts = texts or {}
    n_base, n_end = counts
    overall_shown = exact or data.n > k
    overall = Group(
        key="all",
        label=str(_("Everyone matched")),
        n=data.n,
        shown=overall_shown,
        change=stats.paired_change(data.before, data.after) if overall_shown else None,
    )
    # Viewers get the release's menu (ADR 0006): no cohort or facilitator breakdown,
    # whose groups nest inside the others' and would give small differences away.
    dimensions = [d for d, _t in DIMENSIONS if exact or d not in PROTECTED_OUT]
    columns = {d: np.array(data.groups.get(d, []), dtype=object) for d in dimensions}
    sizes_by: dict[str, dict[str, int]] = {}
    shown_by: dict[tuple[str, str], np.ndarray] = {}
    for dimension in dimensions:
        sizes: dict[str, int] = defaultdict(int)
        for key in data.groups.get(dimension, []):
            sizes[key] += 1
        sizes_by[dimension] = dict(sizes)
        shown = set(sizes) if exact else privacy.statistics_shown(sizes, k=k)
        if not overall_shown:
            shown = set()
        for key in shown:
            shown_by[(dimension, key)] = columns[dimension] == key
    visible = set(shown_by)
    if not exact:
        visible = privacy.statistics_shown_nested(
            {**shown_by, ("all", ""): np.ones(data.n, dtype=bool)}, visible, k=k
        )
    breakdowns: dict[str, list[Group]] = {}
    for dimension in dimensions:
        label = _labels(dimension)
        breakdowns[dimension] = [
            Group(
                key=key,
                label=label(key),
                n=n,
                shown=(dimension, key) in visible,
                change=stats.paired_change(
                    data.before[shown_by[(dimension, key)]], data.after[shown_by[(dimension, key)]]
                )
                if (dimension, key) in visible
                else None,
            )
            for key, n in sorted(sizes_by[dimension].items())
        ]
    reliability = stats.cronbach_alpha(data.items_before) if overall_shown and data.n else None
    items: list[tuple[str, str, stats.ItemChange]] = []
    if overall_shown and data.n:
        agree_before, agree_after = (
            _agreeing(spec, data.items_before),
            _agreeing(spec, data.items_after),
        )
        for change in stats.mcnemar_items(agree_before, agree_after):
            code = spec.scored_items[change.index].code
            answers = (
                change.agree_before,
                change.n - change.agree_before,
                change.agree_after,
                change.n - change.agree_after,
            )
            if not exact and any(0 < c <= k for c in answers):
                continue  # a share of k or fewer people's answers about violence: not shown
            items.append((code, texts.get(code, code), change))
    moves = None
    upper = spec.upper_bounds()
    if spec.category.kind == BASELINE_TERTILES and data.n:
        upper = tuple(float(x) for x in np.quantile(data.before, [1 / 3, 2 / 3]))
    if exact and upper and data.n:
        labels = spec.category.labels
        moves = stats.category_moves(
            [category_of(float(x), upper, labels) for x in data.before],
            [category_of(float(x), upper, labels) for x in data.after],
            [row[0] for row in labels],
        )
    return Analysis(
        instrument=instrument,
        spec=spec,
        exact=exact,
        k=k,
        n_baseline=n_base,
        n_endline=n_end,
        overall=overall,
        breakdowns=breakdowns,
        reliability=reliability,
        items=items,
        moves=moves,
        labels=spec.category.labels,
        higher_means=higher_means,
    )


def _agreeing(spec: Spec, scores: np.ndarray) -> np.ndarray:
    """1 where the man gave the first answer of the item's scale (the one that holds the
    view the item states: "agree", "yes"), 0 where another, NaN unanswered. Computed on
    item scores: the first answer's score on that item (reversal included)."""
    out = np.full(scores.shape, np.nan)
    for col, item in enumerate(spec.scored_items):
        first = next(iter(spec.options.get(item.scale, {})), None)
        agree_value = spec.item_score(item, first)
        column = scores[:, col]
        known = ~np.isnan(column)
        out[known, col] = (column[known] == agree_value).astype(float)
    return out


def chart_rows(result: Analysis) -> list[dict[str, Any]]:
    """Rows of the before/after chart, drawn as SVG by the page and with lines by the PDF
    (the same figure): everyone, then each generation shown; x positions in units of a
    400-wide drawing with 12 of margin."""
    low, high = result.spec.total_range()
    span = (high - low) or 1

    def x(value: float | None) -> float:
        return round(12 + 376 * ((value or low) - low) / span, 1)

    groups = [result.overall, *result.breakdowns.get("generation", [])]
    rows = []
    for n, group in enumerate(g for g in groups if g.shown and g.change and g.change.n):
        change = group.change
        assert change is not None  # filtered above
        rows.append(
            {
                "label": group.label,
                "n": group.n,
                "y": 4 + 44 * n,
                # Rounded as the tables round them (number_format alone truncates).
                "before_text": formats.number_format(round(change.mean_before or 0, 1), 1),
                "after_text": formats.number_format(round(change.mean_after or 0, 1), 1),
                "px_low": x(low),
                "px_high": x(high),
                "px_before": x(change.mean_before),
                "px_after": x(change.mean_after),
            }
        )
    return rows
