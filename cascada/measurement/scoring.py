"""Scoring: the one place an answer becomes a score (docs/decisions/measurement.md).

``Spec.of(version)`` reads an instrument version once (items, options, subscales, the
missing and category rules); ``score(spec, answers)`` is then pure: no database, the same
result for the same answers, fast enough for 100,000 submissions.

- An item's score is its option's score; a **reverse-coded** item scores
  ``lowest + highest - score`` on its scale (GEM: the 7 equitable items, so that agree = 3
  on them as disagree = 3 on the 17 inequitable ones, and a higher total is more equitable).
- An option without a score ("don't know") and an item left out are **unanswered**.
- ``Scoring.SUM``: the total of the scored items. With at most ``max_missing`` unanswered,
  the total is prorated: the mean of the answered items times the number of items (the
  usual rule for attitude scales); with more, there is no total. Subscales the same way,
  each against its own items.
- ``Scoring.ANY``: 1 when any scored item got the highest score of its scale (DHS: "yes"
  to at least one reason), else 0 when at most ``max_missing`` are unanswered.
- **Categories** (``CategoryRule``): equal thirds of the possible range by default (GEM:
  24–39, 40–55, 56–72), fixed upper bounds, or the baseline's tertiles (computed by the
  analysis from a baseline's totals, so no category is stored per response).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

EQUAL_THIRDS = "equal_thirds"
CUTOFFS = "cutoffs"
BASELINE_TERTILES = "baseline_tertiles"
DEFAULT_LABELS: tuple[tuple[str, str, str], ...] = (
    ("low", "Baja", "Low"),
    ("moderate", "Moderada", "Moderate"),
    ("high", "Alta", "High"),
)


@dataclass(frozen=True)
class ItemSpec:
    code: str
    scale: str
    reverse: bool = False
    scored: bool = True
    subscale: str = ""


@dataclass(frozen=True)
class CategoryRule:
    kind: str = EQUAL_THIRDS
    # Upper bound (inclusive) of every category but the last, ascending.
    upper: tuple[float, ...] = ()
    labels: tuple[tuple[str, str, str], ...] = DEFAULT_LABELS

    @classmethod
    def of(cls, data: Mapping[str, Any] | None) -> CategoryRule:
        data = data or {}
        kind = data.get("kind") or EQUAL_THIRDS
        if kind not in (EQUAL_THIRDS, CUTOFFS, BASELINE_TERTILES):
            raise ValueError(f"unknown category rule {kind!r}")
        upper = tuple(float(x) for x in data.get("upper") or ())
        given = data.get("labels")
        if not given and kind == CUTOFFS and len(upper) + 1 != len(DEFAULT_LABELS):
            # Cut-offs without names: numbered categories, as many as the bounds make.
            given = [[f"c{n}", f"Categoría {n}", f"Category {n}"] for n in range(1, len(upper) + 2)]
        labels = tuple(tuple(x) for x in given or DEFAULT_LABELS)
        if kind == CUTOFFS and (len(upper) != len(labels) - 1 or list(upper) != sorted(upper)):
            raise ValueError("cut-offs need one ascending upper bound per category but the last")
        return cls(kind=kind, upper=upper, labels=labels)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "labels": [list(x) for x in self.labels]}
        if self.kind == CUTOFFS:
            out["upper"] = list(self.upper)
        return out


@dataclass(frozen=True)
class Score:
    total: float | None
    subscales: dict[str, float | None] = field(default_factory=dict)
    answered: int = 0
    category: str = ""


@dataclass(frozen=True)
class Spec:
    """Everything a score depends on, read once from an instrument version."""

    scoring: str
    items: tuple[ItemSpec, ...]
    # scale -> option code -> score (None: not scored)
    options: Mapping[str, Mapping[str, int | None]]
    max_missing: int = 0
    category: CategoryRule = CategoryRule()
    subscales: tuple[str, ...] = ()
    version_id: int | None = None

    @classmethod
    def of(cls, version: Any) -> Spec:
        """Read ``version`` (an ``InstrumentVersion``): three queries."""
        options: dict[str, dict[str, int | None]] = {}
        for o in version.options.all():
            options.setdefault(o.scale, {})[o.code] = o.score
        items = tuple(
            ItemSpec(
                code=i.code,
                scale=i.scale,
                reverse=i.reverse,
                scored=i.scored,
                subscale=i.subscale.code if i.subscale_id else "",
            )
            for i in version.items.select_related("subscale").order_by("position")
        )
        return cls(
            scoring=version.scoring,
            items=items,
            options=options,
            max_missing=version.max_missing,
            category=CategoryRule.of(version.category_rule),
            subscales=tuple(version.subscales.order_by("position").values_list("code", flat=True)),
            version_id=version.pk,
        )

    # ------------------------------------------------------------------ derived

    def bounds(self, scale: str) -> tuple[int, int]:
        found = self._bounds.get(scale)
        if found is None:
            raise ValueError(f"response scale {scale!r} has no scored option")
        return found

    @functools.cached_property
    def _bounds(self) -> dict[str, tuple[int, int]]:
        out = {}
        for scale, options in self.options.items():
            scores = [s for s in options.values() if s is not None]
            if scores:
                out[scale] = (min(scores), max(scores))
        return out

    @functools.cached_property
    def _item_scores(self) -> dict[str, dict[str, int]]:
        """Item code -> option code -> the item's score for it (reversal applied): the
        table ``score`` reads, built once per spec."""
        out: dict[str, dict[str, int]] = {}
        for item in self.items:
            table: dict[str, int] = {}
            for code, raw in self.options.get(item.scale, {}).items():
                if raw is None:
                    continue
                if item.reverse:
                    low, high = self.bounds(item.scale)
                    raw = low + high - raw
                table[code] = raw
            out[item.code] = table
        return out

    @property
    def scored_items(self) -> tuple[ItemSpec, ...]:
        return tuple(i for i in self.items if i.scored)

    @functools.cached_property
    def _scored_rows(self) -> tuple[tuple[str, str, int], ...]:
        """(code, subscale, highest score of the item's scale) of each scored item."""
        return tuple((i.code, i.subscale, self.bounds(i.scale)[1]) for i in self.scored_items)

    @functools.cached_property
    def _upper(self) -> tuple[float, ...]:
        return self.upper_bounds()

    def total_range(self, items: Sequence[ItemSpec] | None = None) -> tuple[int, int]:
        """The lowest and highest possible total (all items answered)."""
        chosen = self.scored_items if items is None else items
        if self.scoring == "any":
            return 0, 1
        return (
            sum(self.bounds(i.scale)[0] for i in chosen),
            sum(self.bounds(i.scale)[1] for i in chosen),
        )

    def upper_bounds(self) -> tuple[float, ...]:
        """The category rule's upper bounds on this instrument (none for baseline
        tertiles, which the analysis computes from a baseline)."""
        rule = self.category
        if rule.kind == CUTOFFS:
            return rule.upper
        if rule.kind == BASELINE_TERTILES:
            return ()
        low, high = self.total_range()
        k = len(rule.labels)
        width = (high - low + 1) // k
        return tuple(float(low + width * (n + 1) - 1) for n in range(k - 1))

    def item_score(self, item: ItemSpec, option: Any) -> int | None:
        """The score of one answer (reverse-coded items reversed), None if unanswered."""
        if option is None or option == "":
            return None
        return self._item_scores.get(item.code, {}).get(str(option))

    def problems(self, answers: Mapping[str, Any]) -> list[tuple[str, str]]:
        """(item code or key, reason) for answers that cannot be scored: an unknown item
        (``unknown_item``) or an option not on the item's scale (``unknown_option``)."""
        by_code = {i.code: i for i in self.items}
        out: list[tuple[str, str]] = []
        for key, value in answers.items():
            item = by_code.get(key)
            if item is None:
                out.append((key, "unknown_item"))
            elif value not in (None, "") and str(value) not in self.options.get(item.scale, {}):
                out.append((key, "unknown_option"))
        return out


def category_of(
    total: float | None, upper: Sequence[float], labels: Sequence[Sequence[str]]
) -> str:
    """The code of the category ``total`` falls in (upper bounds inclusive)."""
    if total is None or not upper:
        return ""
    for bound, label in zip(upper, labels, strict=False):
        if total <= bound + 1e-9:
            return str(label[0])
    return str(labels[len(upper)][0])


def _combine(spec: Spec, scores: Sequence[tuple[int | None, int]]) -> float | None:
    """A total from (item score or None, the item's highest score) pairs: the sum, or
    (``any``) 1 when an item got its highest score; None with too many unanswered."""
    given = [value for value, _high in scores if value is not None]
    if not scores or len(scores) - len(given) > spec.max_missing:
        return None
    if spec.scoring == "any":
        return 1.0 if any(value == high for value, high in scores) else 0.0
    if not given:
        return None
    if len(given) == len(scores):
        return float(sum(given))
    return sum(given) / len(given) * len(scores)  # prorated


def score(spec: Spec, answers: Mapping[str, Any]) -> Score:
    """The score of one respondent's ``answers`` ({item code: option code}): one pass
    over the items, with the tables ``Spec`` builds once."""
    tables = spec._item_scores
    rows = spec._scored_rows
    scores = [
        (tables[code].get(str(value)) if (value := answers.get(code)) not in (None, "") else None,
         high)
        for code, _subscale, high in rows
    ]  # fmt: skip
    total = _combine(spec, scores)
    subscales = {
        name: _combine(
            spec, [pair for pair, (_c, sub, _h) in zip(scores, rows, strict=True) if sub == name]
        )
        for name in spec.subscales
    }
    answered = sum(1 for value, _high in scores if value is not None)
    if total is not None and not math.isfinite(total):
        total = None
    return Score(
        total=total,
        subscales=subscales,
        answered=answered,
        category=category_of(total, spec._upper, spec.category.labels),
    )
