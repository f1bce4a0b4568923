"""S17, ADR 0006: what a viewer sees of a program is a protected release; no count from 1
to k can be worked out from it. Checked against an attacker written independently of
``cascada.core.privacy`` (exhaustive enumeration, no linear programming)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cascada.core.privacy import HEADLINE, Cell, release, share, suppress_value


def _fits(cell: Cell, n: int, k: int) -> bool:
    """Whether the true value n is consistent with what the cell shows."""
    if cell.unpublished:
        return True  # says nothing
    if cell.withheld:
        return n > k  # zero and small counts are never withheld
    if cell.value is None:
        return 1 <= n <= k
    return n == cell.value


def headline_candidates(cells: dict[str, Cell], k: int, bound: int) -> list[tuple[int, ...]]:
    """Every (enrolled, completed, trainers, replicating), nested, matching the headline."""
    out = []
    rng = range(bound + 1)
    for e in rng:
        if not _fits(cells["enrolled"], e, k):
            continue
        for c in range(e + 1):
            if not _fits(cells["completed"], c, k):
                continue
            for t in range(c + 1):
                if not _fits(cells["trained_trainers"], t, k):
                    continue
                for r in range(t + 1):
                    if _fits(cells["replicating"], r, k):
                        out.append((e, c, t, r))
    return out


def row_candidates(rows: list[dict[str, Cell]], k: int, bound: int) -> list[list[tuple[int, int]]]:
    out = []
    for cells in rows:
        cands = [
            (e, c)
            for e in range(bound + 1)
            for c in range(e + 1)
            if _fits(cells["enrolled"], e, k) and _fits(cells["completed"], c, k)
        ]
        out.append(cands)
    return out


def feasible_per_row(
    cands: list[list[tuple[int, int]]], total: tuple[int, int]
) -> list[set[tuple[int, int]]]:
    """For each row, the (enrolled, completed) values it can take in some table whose rows
    add up to ``total``: a sum-set dynamic programme over the other rows."""

    def sums(rows: list[list[tuple[int, int]]]) -> set[tuple[int, int]]:
        acc = {(0, 0)}
        for cand in rows:
            acc = {
                (a + e, b + c)
                for a, b in acc
                for e, c in cand
                if a + e <= total[0] and b + c <= total[1]
            }
        return acc

    out = []
    for i, cand in enumerate(cands):
        rest = sums(cands[:i] + cands[i + 1 :])
        out.append({(e, c) for e, c in cand if (total[0] - e, total[1] - c) in rest})
    return out


def pinned_quantities(rel, truth_rows, truth_head, k):
    """Sensitive quantities (1..k) that an attacker can pin down from the release."""
    bound = truth_head[0] + 3
    found = []
    heads = headline_candidates(rel.headline, k, bound)
    assert tuple(truth_head) in heads, "the release must be consistent with the truth"
    for idx in range(4):
        if 1 <= truth_head[idx] <= k and {h[idx] for h in heads} == {truth_head[idx]}:
            found.append(("headline", HEADLINE[idx]))
        if idx < 3:
            gap = truth_head[idx] - truth_head[idx + 1]
            if 1 <= gap <= k and {h[idx] - h[idx + 1] for h in heads} == {gap}:
                found.append(("headline-gap", HEADLINE[idx]))
    e_known = not rel.headline["enrolled"].suppressed
    c_known = not rel.headline["completed"].suppressed
    for name, rows in truth_rows.items():
        b = rel.breakdowns[name]
        keys = list(rows)
        shown_rows = [b.rows[key] for key in keys]
        if not b.published:
            assert all(c.unpublished for r in shown_rows for c in r.values())
            continue
        assert e_known, "a breakdown is published only when the enrolled headline is shown"
        if not c_known:
            assert all(r["completed"].unpublished for r in shown_rows)
        cands = row_candidates(shown_rows, k, truth_head[0])
        if not c_known:
            # The completed column is not published: only enrolled per row says anything.
            cands = [
                [(e, 0) for e in range(truth_head[0] + 1) if _fits(cells["enrolled"], e, k)]
                for cells in shown_rows
            ]
            feas = feasible_per_row(cands, (truth_head[0], 0))
        else:
            feas = feasible_per_row(cands, (truth_head[0], truth_head[1]))
        for key, options in zip(keys, feas, strict=True):
            e, c = rows[key]
            assert (e, c if c_known else 0) in options
            if 1 <= e <= k and {o[0] for o in options} == {e}:
                found.append((name, key, "enrolled"))
            if c_known:
                if 1 <= c <= k and {o[1] for o in options} == {c}:
                    found.append((name, key, "completed"))
                if 1 <= e - c <= k and {o[0] - o[1] for o in options} == {e - c}:
                    found.append((name, key, "not completed"))
    return found


@st.composite
def programs(draw):
    """A program: each breakdown splits the same people (enrolled, completed) into rows."""
    n_rows = draw(st.integers(min_value=1, max_value=4))
    cells = draw(
        st.lists(
            st.tuples(st.integers(0, 9), st.integers(0, 9)).map(lambda p: (p[0] + p[1], p[1])),
            min_size=n_rows,
            max_size=n_rows,
        )
    )
    enrolled = sum(e for e, _c in cells)
    completed = sum(c for _e, c in cells)
    trainers = draw(st.integers(0, completed))
    replicating = draw(st.integers(0, trainers))
    # A second breakdown of the same people, split differently (a partition too).
    other = {"a": (0, 0), "b": (0, 0)}
    for e, c in cells:
        side = draw(st.sampled_from(["a", "b"]))
        other[side] = (other[side][0] + e, other[side][1] + c)
    return (
        {
            "enrolled": enrolled,
            "completed": completed,
            "trained_trainers": trainers,
            "replicating": replicating,
        },
        {"generation": {i + 1: cell for i, cell in enumerate(cells)}, "sex": other},
    )


@settings(max_examples=200, deadline=None)
@given(program=programs(), k=st.sampled_from([2, 3, 5]), completers_only=st.booleans())
def test_s17_no_small_count_can_be_worked_out_from_a_release(program, k, completers_only):
    from django.test import override_settings

    headline, breakdowns = program
    with override_settings(CASCADA_SMALL_NUMBER_K=k):
        rel = release(
            headline=headline,
            breakdowns=breakdowns,
            exact=False,
            completed_only=("sex",) if completers_only else (),
        )
    truth_head = tuple(headline[key] for key in HEADLINE)
    # Labels are true: shown cells exact, "<k" is 1..k, withheld is more than k.
    for key in HEADLINE:
        assert _fits(rel.headline[key], headline[key], k)
    for name, rows in breakdowns.items():
        for key, (e, c) in rows.items():
            cells = rel.breakdowns[name].rows[key]
            assert _fits(cells["enrolled"], e, k) or cells["enrolled"].withheld
            assert _fits(cells["completed"], c, k) or cells["completed"].withheld
    assert pinned_quantities(rel, breakdowns, truth_head, k) == []
    # Trained trainers are completers: a reader who knows which generations trained
    # trainers could add up generation cells against them, so they are published only
    # when every generation's completed count is shown.
    generations = rel.breakdowns["generation"].rows.values()
    if any(c["completed"].suppressed for c in generations):
        assert rel.headline["trained_trainers"].unpublished
        assert rel.headline["replicating"].unpublished


def test_s17_attacker_pins_small_counts_when_nothing_is_suppressed():
    """The attacker above is not blind: with k = 0 (no suppression) every small count of a
    small program is pinned."""
    headline = {"enrolled": 8, "completed": 5, "trained_trainers": 2, "replicating": 1}
    breakdowns = {"generation": {1: (7, 5), 2: (1, 0)}, "sex": {"m": (8, 5)}}
    rel = release(headline=headline, breakdowns=breakdowns, exact=True)
    found = pinned_quantities(rel, breakdowns, (8, 5, 2, 1), 5)
    assert ("generation", 2, "enrolled") in found
    assert ("headline", "trained_trainers") in found


def test_s17_small_cells_hidden_zero_shown_and_court_threshold(settings):
    settings.CASCADA_SMALL_NUMBER_K = 5
    settings.CASCADA_SMALL_NUMBER_K_COURT = 10
    headline = {"enrolled": 40, "completed": 30, "trained_trainers": 0, "replicating": 0}
    breakdowns = {"department": {"lima": (33, 27), "piura": (7, 3)}}
    rel = release(headline=headline, breakdowns=breakdowns, exact=False)
    assert str(rel.headline["trained_trainers"]) == "0"
    piura = rel.breakdowns["department"].rows["piura"]
    assert str(piura["completed"]) == "<5"
    court = release(headline=headline, breakdowns=breakdowns, exact=False, court=True)
    assert str(court.breakdowns["department"].rows["piura"]["enrolled"]) == "<10"


def test_s17_one_small_cell_is_protected_by_a_second_one(settings):
    """Total minus the shown cells would give a lone hidden cell: another is withheld."""
    settings.CASCADA_SMALL_NUMBER_K = 5
    headline = {"enrolled": 60, "completed": 40, "trained_trainers": 10, "replicating": 8}
    breakdowns = {"department": {"a": (30, 20), "b": (27, 18), "c": (3, 2)}}
    rel = release(headline=headline, breakdowns=breakdowns, exact=False)
    rows = rel.breakdowns["department"].rows
    assert str(rows["c"]["enrolled"]) == "<5"
    assert sum(1 for r in rows.values() if r["enrolled"].suppressed) >= 2
    assert any(r["enrolled"].withheld for r in rows.values())


def test_s17_share_only_between_shown_figures():
    assert share(Cell(3, 0), Cell(6, 0)) == "50%"
    assert share(Cell(None, 5), Cell(20, 5)) == "–"
    assert share(Cell(20, 5), Cell(None, 5, withheld=True)) == "–"


def test_s17_single_figures_outside_a_release():
    assert str(suppress_value(0)) == "0"
    assert str(suppress_value(3, k=5)) == "<5"
    assert suppress_value(6, k=5).value == 6
