"""S17 for counts that are not a program's people (issue 10: contacts of community
actions, actions by kind): ``core.privacy.counts_release``, a total and one-way
breakdowns that each partition it. Checked against an attacker written independently of
``cascada.core.privacy``: every value each row can take given what is shown and the total
(a sum-set dynamic programme, no linear programming)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cascada.core.privacy import Cell, counts_release

K = 5


@pytest.fixture(autouse=True)
def _k(settings):
    settings.CASCADA_SMALL_NUMBER_K = K
    settings.CASCADA_SMALL_NUMBER_K_COURT = 10


def _options(cell: Cell, total: int, k: int) -> set[int]:
    """The values a row can take given its label alone."""
    if cell.unpublished:
        return set(range(total + 1))
    if cell.withheld:
        return set(range(k + 1, total + 1))  # zero and small counts are never withheld
    if cell.value is None:
        return set(range(1, k + 1))
    return {cell.value}


def feasible(cells: list[Cell], total: int, k: int) -> list[set[int]]:
    """For each row, the values it can take in some table whose rows add up to ``total``."""
    options = [_options(c, total, k) for c in cells]

    def sums(rows: list[set[int]]) -> set[int]:
        acc = {0}
        for opts in rows:
            acc = {a + v for a in acc for v in opts if a + v <= total}
        return acc

    return [
        {v for v in opts if total - v in sums(options[:i] + options[i + 1 :])}
        for i, opts in enumerate(options)
    ]


def pinned(truth: dict[str, int], shown: dict[str, Cell], total: int, k: int) -> list[str]:
    """The small counts (1..k) an attacker pins down: a row, or what the rows hidden
    from view add up to."""
    keys = list(truth)
    cells = [shown[key] for key in keys]
    feas = feasible(cells, total, k)
    found = []
    for key, opts in zip(keys, feas, strict=True):
        assert truth[key] in opts, "every label must be true"
        if 1 <= truth[key] <= k and opts == {truth[key]}:
            found.append(key)
    hidden = [key for key, c in zip(keys, cells, strict=True) if c.value is None]
    rest = sum(truth[key] for key in hidden)
    if hidden and 1 <= rest <= k:
        found.append("+".join(hidden))
    return found


def test_a_small_cell_is_hidden_and_its_complement_withheld():
    """Contacts by sex and age band: 3 children among 30. "<5" alone would give them as
    the total minus the shown cells, so another cell is withheld."""
    truth = {"women": 10, "men": 17, "children": 3}
    rel = counts_release(30, {"sex_age": truth}, exact=False)
    rows = rel.breakdowns["sex_age"]
    assert rel.total == Cell(30, K) and rows.published and not rel.exact
    assert str(rows["children"]) == "<5"
    withheld = [key for key, cell in rows.items() if cell.withheld]
    assert withheld == ["women"]  # the smallest cell that protects it
    assert str(rows["men"]) == "17"
    assert pinned(truth, dict(rows.items()), 30, K) == []


def test_without_the_secondary_suppression_the_attacker_pins_the_small_cell():
    """The attacker is not blind: primary suppression alone gives the 3 children away."""
    truth = {"women": 10, "men": 17, "children": 3}
    primary = {key: Cell(None if 1 <= v <= K else v, K) for key, v in truth.items()}
    assert "children" in pinned(truth, primary, 30, K)


def test_a_small_total_publishes_no_breakdown():
    rel = counts_release(4, {"kind": {"fair": 3, "talk": 1, "media": 0}}, exact=False)
    assert str(rel.total) == "<5"
    kinds = rel.breakdowns["kind"]
    assert not kinds.published and all(c.unpublished for c in kinds.values())


def test_zero_is_shown_and_large_cells_stay():
    rel = counts_release(40, {"kind": {"fair": 25, "talk": 15, "media": 0}}, exact=False)
    assert [str(c) for c in rel.breakdowns["kind"].values()] == ["25", "15", "0"]


def test_court_programs_hide_up_to_ten():
    rel = counts_release(30, {"sex_age": {"men": 22, "young_men": 8}}, exact=False, court=True)
    assert rel.k == 10 and str(rel.breakdowns["sex_age"]["young_men"]) == "<10"
    assert pinned({"men": 22, "young_men": 8}, dict(rel.breakdowns["sex_age"]), 30, 10) == []


def test_exact_for_roles_that_see_the_people():
    rel = counts_release(30, {"sex_age": {"women": 10, "men": 17, "children": 3}}, exact=True)
    assert rel.exact and rel.k == 0 and rel.total.value == 30
    assert {key: c.value for key, c in rel.breakdowns["sex_age"].items()} == {
        "women": 10,
        "men": 17,
        "children": 3,
    }
    assert not any(c.withheld or c.suppressed for c in rel.breakdowns["sex_age"].values())


def test_a_breakdown_that_does_not_add_up_is_refused():
    """Only a partition of the total can be protected against it."""
    with pytest.raises(ValueError):
        counts_release(30, {"kind": {"fair": 20, "talk": 5}}, exact=False)
    with pytest.raises(ValueError):
        counts_release(30, {"kind": {"fair": 20, "talk": 5}}, exact=True)


@st.composite
def tables(draw):
    """One or two breakdowns of the same total."""
    n = draw(st.integers(min_value=1, max_value=5))
    first = draw(st.lists(st.integers(0, 14), min_size=n, max_size=n))
    total = sum(first)
    m = draw(st.integers(min_value=1, max_value=4))
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=m - 1, max_size=m - 1)))
    second = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    return total, {"a": dict(enumerate(first)), "b": dict(enumerate(second))}


@settings(max_examples=150, deadline=None)
@given(tables())
def test_no_small_count_can_be_worked_out(table):
    total, breakdowns = table
    rel = counts_release(total, breakdowns, exact=False)
    assert rel.total == (Cell(None, K) if 1 <= total <= K else Cell(total, K))
    for name, truth in breakdowns.items():
        shown = rel.breakdowns[name]
        if not shown.published:
            assert all(c.unpublished for c in shown.values())
            continue
        assert not rel.total.suppressed
        assert pinned(truth, dict(shown), total, K) == []
