"""S17: one suppression function; no suppressed cell can be worked out from what is shown."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from cascada.core import privacy
from cascada.core.privacy import share, suppress_counts, suppress_value

counts_rows = st.dictionaries(
    keys=st.sampled_from(["f", "m", "o", "n", "lima", "piura", "junin"]),
    values=st.integers(min_value=0, max_value=40),
    min_size=1,
    max_size=5,
)


def feasible_values(cells, total_cell, k):
    """What an attacker who sees the output (and knows the rule) can say about each hidden
    cell: every assignment of 1..k to hidden cells that matches the shown total."""
    hidden = [key for key, c in cells.items() if c.suppressed]
    shown_sum = sum(c.value for c in cells.values() if not c.suppressed)
    out = {key: set() for key in hidden}
    for combo in itertools.product(range(1, k + 1), repeat=len(hidden)):
        if total_cell.value is not None and shown_sum + sum(combo) != total_cell.value:
            continue
        for key, v in zip(hidden, combo, strict=True):
            out[key].add(v)
    return out


@settings(max_examples=400, deadline=None)
@given(counts=counts_rows, k=st.sampled_from([2, 3, 5, 10]))
def test_s17_no_suppressed_cell_recoverable_from_total(counts, k):
    cells, total_cell = suppress_counts(counts, k=k)
    # Labels are true: shown cells are exact, hidden cells are 1..k, zero is shown.
    for key, n in counts.items():
        if cells[key].suppressed:
            assert 1 <= n <= k
            assert str(cells[key]) == f"<{k}"
        else:
            assert cells[key].value == n
            assert not 1 <= n <= k
    if total_cell.value is not None:
        assert total_cell.value == sum(counts.values())
    # The true values are among the attacker's possibilities, and never the only one.
    for key, values in feasible_values(cells, total_cell, k).items():
        assert counts[key] in values
        assert len(values) >= 2, (counts, k, key, values, total_cell)


@settings(max_examples=200, deadline=None)
@given(counts=counts_rows, k=st.sampled_from([2, 5, 10]))
def test_s17_percentages_only_for_shown_cells(counts, k):
    cells, total_cell = suppress_counts(counts, k=k)
    for cell in cells.values():
        text = share(cell, total_cell)
        if cell.suppressed or total_cell.suppressed:
            assert text == "–"


def test_s17_single_values_and_court_threshold(settings):
    settings.CASCADA_SMALL_NUMBER_K = 5
    settings.CASCADA_SMALL_NUMBER_K_COURT = 10
    assert str(suppress_value(0)) == "0"
    assert str(suppress_value(1)) == "<5"
    assert str(suppress_value(5)) == "<5"
    assert str(suppress_value(6)) == "6"
    assert str(suppress_value(7, court=True)) == "<10"
    assert suppress_value(10, court=True).as_json() == "<10"
    assert suppress_value(11, court=True).as_json() == 11


def test_s17_single_hidden_cell_withholds_total():
    cells, total = suppress_counts({"female": 3, "male": 120}, k=5)
    assert str(cells["female"]) == "<5"
    assert str(cells["male"]) == "120"
    assert total.withheld and total.as_json() is None  # else 123 - 120 = 3


def test_s17_all_ones_withholds_total():
    cells, total = suppress_counts({"a": 1, "b": 1, "c": 20}, k=5)
    assert total.withheld  # else 22 - 20 = 2 and both must be 1


def test_s17_one_function_for_every_output():
    """Nothing but cascada.core.privacy reads the threshold: no module has its own rule."""
    import pathlib

    root = pathlib.Path(privacy.__file__).resolve().parent.parent
    offenders = []
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.name == "privacy.py":
            continue
        if "CASCADA_SMALL_NUMBER_K" in text and "settings" not in path.parts:
            offenders.append(str(path.relative_to(root)))
    assert not offenders, offenders
