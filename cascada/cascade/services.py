"""The cascade's lineage, kept up to date incrementally as completions change.

Called through the hooks of the apps below (``receivers.py``: trainings'
``completions_changed`` and ``facilitators_changed``, the registry's ``person_merged``);
``lineage_rebuild``
recomputes everything from the trainings tables.

Rules (see ``docs/decisions/cascade.md``):

- A person who completes a cohort is trained by each of its facilitators (one
  ``TrainingEdge`` per facilitator). Facilitating one's own cohort is not an edge.
- Generation: 0 for people with no recorded training; otherwise the shortest number of
  steps from a *root*. Roots are people with no recorded trainer, and the members of a
  circle (A trained B, B trained A) that nobody outside the circle trained. So a person
  trained twice keeps the lowest generation, and cycles neither loop nor crash.
- Reach: ``Reach`` is the closure of the graph; nobody is their own descendant.

Incremental update: a change of the trainers of person ``t`` changes the ancestors and
generation only of ``t`` and of ``t``'s descendants (set ``D``). ``_refresh(D)`` recomputes
exactly those, reading the (unchanged) ancestors and generations of trainers outside ``D``.
For a new participant ``D`` is one person: a handful of indexed queries.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.audit.services import audit_record
from cascada.trainings.models import Cohort, CohortFacilitator, Enrolment, EnrolmentStatus

from . import kept
from .models import Certification, CohortLevel, Lineage, Reach, TrainingEdge

INF = 10**6
CHUNK = 900  # ids per IN (...) list: safe on SQLite's variable limit
BIG = 3000  # above this many affected people, read whole tables instead of IN lists


def _chunks(ids: Iterable[int], size: int = CHUNK) -> Iterable[list[int]]:
    ids = list(ids)
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


# ---------------------------------------------------------------- edges


def _edges_sync(*, cohort_id: int, person_ids: Iterable[int] | None = None) -> set[int]:
    """Make the edges of a cohort (or of some of its trainees) match completions and
    facilitators; keep certifications for training-of-trainers cohorts in step. Returns
    the trainers those edges had before."""

    edges = TrainingEdge.objects.filter(cohort_id=cohort_id)
    enrolments = Enrolment.objects.filter(cohort_id=cohort_id)
    if person_ids is not None:
        person_ids = list(person_ids)
        edges = edges.filter(trainee_id__in=person_ids)
        enrolments = enrolments.filter(person_id__in=person_ids)
    before = set(edges.values_list("trainer_id", flat=True))
    edges.delete()
    done = list(
        enrolments.filter(completed=True, status=EnrolmentStatus.ENROLLED).values_list(
            "person_id", "completed_on"
        )
    )
    # The cohort's kind and version with its facilitators, in one read.
    rows = list(
        Cohort.objects.filter(pk=cohort_id).values_list(
            "kind", "curriculum_version_id", "facilitations__person_id"
        )
    )
    kind, version_id = rows[0][0], rows[0][1]
    facilitators = [f for _k, _v, f in rows if f is not None]
    TrainingEdge.objects.bulk_create(
        [
            TrainingEdge(trainer_id=f, trainee_id=p, cohort_id=cohort_id, completed_on=on)
            for p, on in done
            for f in facilitators
            if f != p
        ]
    )
    certs = Certification.objects.filter(cohort_id=cohort_id)
    if person_ids is not None:
        certs = certs.filter(person_id__in=person_ids)
    if kind != "tot":
        return before  # a cohort's kind never changes: only ToT cohorts hold certifications
    done_ids = {p for p, _on in done}
    certs.exclude(person_id__in=done_ids).delete()
    have = set(certs.values_list("person_id", flat=True))
    Certification.objects.bulk_create(
        [
            Certification(
                person_id=p,
                cohort_id=cohort_id,
                curriculum_version_id=version_id,
                granted_on=on,
            )
            for p, on in done
            if p not in have
        ]
    )
    return before


def _descendants(person_ids: Iterable[int]) -> set[int]:
    out: set[int] = set()
    for chunk in _chunks(person_ids):
        out.update(
            Reach.objects.filter(ancestor_id__in=chunk).values_list("descendant_id", flat=True)
        )
    return out


# ---------------------------------------------------------------- the computation


def _compute(
    edges: list[tuple[int, int, int, dt.date | None, int]],
    D: set[int] | None,
    outside_gen: dict[int, int],
    outside_anc: dict[int, dict[int, int]],
) -> tuple[dict[int, dict[int, int]], dict[int, tuple[int, dt.date | None, int | None]]]:
    """Ancestors (with shortest depth) and lineage of every person in ``D`` (all when
    None). ``edges`` are (trainer, trainee, cohort, completed_on, program) with trainee in
    ``D``; trainers outside ``D`` have known generations and ancestors."""
    preds: dict[int, set[int]] = defaultdict(set)
    nodes: set[int] = set(D) if D is not None else set()
    for trainer, trainee, *_rest in edges:
        preds[trainee].add(trainer)
        if D is None:
            nodes.add(trainer)
            nodes.add(trainee)

    def inside(p: int) -> bool:
        return p in nodes

    # ancestors: reverse breadth-first walk inside D, shortcut through the closure outside
    ancestors: dict[int, dict[int, int]] = {}
    for v in nodes:
        found: dict[int, int] = {}
        seen = {v}
        frontier = [v]
        depth = 0
        while frontier:
            depth += 1
            nxt = []
            for x in frontier:
                for u in preds.get(x, ()):
                    if inside(u):
                        if u not in seen:
                            seen.add(u)
                            found[u] = depth
                            nxt.append(u)
                    else:
                        if found.get(u, INF) > depth:
                            found[u] = depth
                        for a, d in outside_anc.get(u, {}).items():
                            if found.get(a, INF) > depth + d:
                                found[a] = depth + d
            frontier = nxt
        found.pop(v, None)
        ancestors[v] = found

    # generations: shortest distance from the roots (Dijkstra with unit steps)
    succs: dict[int, list[int]] = defaultdict(list)
    for trainer, trainee, *_rest in edges:
        if inside(trainer):
            succs[trainer].append(trainee)
    gen: dict[int, int] = {}
    heap: list[tuple[int, int]] = []
    for v in nodes:
        ps = preds.get(v)
        if not ps:
            g = 0
        else:
            g = min((outside_gen.get(u, 0) + 1 for u in ps if not inside(u)), default=INF)
        gen[v] = g
        if g < INF:
            heap.append((g, v))

    def settle(heap: list[tuple[int, int]]) -> None:
        heapq.heapify(heap)
        while heap:
            g, v = heapq.heappop(heap)
            if g > gen[v]:
                continue
            for w in succs.get(v, ()):
                if gen[w] > g + 1:
                    gen[w] = g + 1
                    heapq.heappush(heap, (g + 1, w))

    settle(heap)
    unrooted = {v for v, g in gen.items() if g >= INF}
    if unrooted:
        # Circles nobody outside trained: their members start the cascade (generation 0).
        import networkx as nx

        sub = nx.DiGraph()
        sub.add_nodes_from(unrooted)
        sub.add_edges_from((u, v) for v in unrooted for u in preds.get(v, ()) if u in unrooted)
        cond = nx.condensation(sub)
        heap = []
        for c in cond.nodes:
            if cond.in_degree(c) == 0:
                for v in cond.nodes[c]["members"]:
                    gen[v] = 0
                    heap.append((0, v))
        settle(heap)

    # lineage: first training date, and the program through which the lowest generation came
    def all_gen(p: int) -> int:
        return gen[p] if inside(p) else outside_gen.get(p, 0)

    lineage: dict[int, tuple[int, dt.date | None, int | None]] = {}
    best: dict[int, tuple[Any, ...]] = {}
    first: dict[int, dt.date | None] = {}
    for trainer, trainee, cohort_id, on, program_id in edges:
        if on is not None and (first.get(trainee) is None or on < first[trainee]):  # type: ignore[operator]
            first[trainee] = on
        key = (all_gen(trainer), on or dt.date.max, cohort_id, program_id)
        if trainee not in best or key < best[trainee]:
            best[trainee] = key
    for v in nodes:
        lineage[v] = (gen[v], first.get(v), best[v][3] if v in best else None)
    return ancestors, lineage


def _edge_rows(trainee_ids: set[int] | None) -> list[tuple[int, int, int, dt.date | None, int]]:
    qs = TrainingEdge.objects.values_list(
        "trainer_id", "trainee_id", "cohort_id", "completed_on", "cohort__program_id"
    )
    if trainee_ids is None:
        return list(qs)
    if len(trainee_ids) > BIG:
        return [r for r in qs.iterator(chunk_size=20000) if r[1] in trainee_ids]
    out: list[Any] = []
    for chunk in _chunks(trainee_ids):
        out.extend(qs.filter(trainee_id__in=chunk))
    return out


def _write(
    D: set[int] | None,
    ancestors: dict[int, dict[int, int]],
    lineage: dict[int, tuple[int, dt.date | None, int | None]],
    edges: list[Any] = (),  # type: ignore[assignment]
) -> None:
    if D is None:
        Reach.objects.all().delete()
        Lineage.objects.all().delete()
    else:
        for chunk in _chunks(D):
            Reach.objects.filter(descendant_id__in=chunk).delete()
            Lineage.objects.filter(person_id__in=chunk).delete()
    _bulk(Reach, ((a, v, d) for v, anc in ancestors.items() for a, d in anc.items()))
    # A person keeps a lineage row while they are in at least one edge.
    if D is None:
        in_graph = set(ancestors)
    else:
        in_graph = {e[1] for e in edges}
        in_graph |= _trainers_among(D - in_graph)
    _bulk(
        Lineage,
        ((v, g, on, prog) for v, (g, on, prog) in lineage.items() if v in in_graph),
    )


def _trainers_among(ids: set[int]) -> set[int]:
    out: set[int] = set()
    for chunk in _chunks(ids):
        out.update(
            TrainingEdge.objects.filter(trainer_id__in=chunk).values_list("trainer_id", flat=True)
        )
    return out


def _in_edges(ids: set[int]) -> set[int]:
    out: set[int] = set()
    for chunk in _chunks(ids, CHUNK // 2):
        out.update(
            TrainingEdge.objects.filter(trainee_id__in=chunk).values_list("trainee_id", flat=True)
        )
        out.update(
            TrainingEdge.objects.filter(trainer_id__in=chunk).values_list("trainer_id", flat=True)
        )
    return out


def _bulk(model: Any, rows: Iterable[tuple[Any, ...]]) -> None:
    """Insert rows (tuples in the order of the model's non-auto columns) with multi-row
    INSERTs: much faster than ``bulk_create`` for the million rows of a rebuild."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key or f.is_relation]
    dates = [i for i, f in enumerate(fields) if f.get_internal_type() == "DateField"]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    per_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    step = max(1, (30000 if connection.vendor == "sqlite" else 20000) // len(fields))
    adapt = connection.ops.adapt_datefield_value

    def flush(batch: list[tuple[Any, ...]]) -> None:
        sql = f"INSERT INTO {table} ({names}) VALUES " + ", ".join([per_row] * len(batch))  # noqa: S608
        with connection.cursor() as cur:
            cur.execute(sql, [v for r in batch for v in r])

    batch: list[tuple[Any, ...]] = []
    for row in rows:
        if dates:
            row = tuple(adapt(v) if i in dates else v for i, v in enumerate(row))
        batch.append(row)
        if len(batch) >= step:
            flush(batch)
            batch = []
    if batch:
        flush(batch)


def _ensure_roots(person_ids: Iterable[int], *, removed: bool = True) -> None:
    """Trainers outside the refreshed set: a row (generation 0) when they first train
    someone; when edges were ``removed``, no row once they appear in no edge."""
    ids = set(person_ids)
    if not ids:
        return
    have: set[int] = set()
    for chunk in _chunks(ids):
        have.update(Lineage.objects.filter(person_id__in=chunk).values_list("person_id", flat=True))
    missing = ids - have
    if missing:
        new = _in_edges(missing) if removed else missing
        Lineage.objects.bulk_create([Lineage(person_id=p, generation=0) for p in new])
    if not removed:
        return
    gone = list(have - _in_edges(have))
    for chunk in _chunks(gone):
        Lineage.objects.filter(person_id__in=chunk).delete()
        Reach.objects.filter(descendant_id__in=chunk).delete()


def _refresh(D: set[int], touched: Iterable[int] = ()) -> None:
    """Recompute ancestors and lineage of the people in ``D`` (closed under descendants)."""
    if not D:
        _ensure_roots(touched)
        return
    edges = _edge_rows(D)
    outside = {e[0] for e in edges if e[0] not in D}
    outside_gen: dict[int, int] = {}
    outside_anc: dict[int, dict[int, int]] = defaultdict(dict)
    for chunk in _chunks(outside):
        outside_gen.update(
            Lineage.objects.filter(person_id__in=chunk).values_list("person_id", "generation")
        )
        for a, d, depth in Reach.objects.filter(descendant_id__in=chunk).values_list(
            "ancestor_id", "descendant_id", "depth"
        ):
            outside_anc[d][a] = depth
    ancestors, lineage = _compute(edges, D, outside_gen, outside_anc)
    _write(D, ancestors, lineage, edges)
    # Trainers of D are in an edge: make sure they have a row. Others touched may have
    # lost their last edge. Generations outside D did not change, nor their cohorts' levels.
    _ensure_roots(outside - set(outside_gen), removed=False)
    _ensure_roots(set(touched) - D - outside)
    _levels_refresh(person_ids=D)


# ---------------------------------------------------------------- cohort levels


def _levels_refresh(*, person_ids: Iterable[int] | None = None, cohort_ids: Any = None) -> None:
    """The generation each cohort delivers: 1 + the lowest generation of its facilitators.
    Rows are kept only where it is above 1 (a missing row means 1)."""

    qs = CohortFacilitator.objects.all()
    if cohort_ids is not None:
        cids = set(cohort_ids)
    elif person_ids is not None:
        cids = set()
        for chunk in _chunks(person_ids):
            cids.update(qs.filter(person_id__in=chunk).values_list("cohort_id", flat=True))
    else:
        cids = None
    pairs: list[tuple[int, int]] = []
    if cids is None:
        pairs = list(qs.values_list("cohort_id", "person_id"))
    else:
        for chunk in _chunks(cids):
            pairs.extend(qs.filter(cohort_id__in=chunk).values_list("cohort_id", "person_id"))
    if cids is not None and not cids:
        return
    # The program figures kept as rows count people by their cohort's level.
    if cids is None:
        kept.mark_everything()
    else:
        kept.mark_cohorts(cids)
    people = {p for _c, p in pairs}
    gens: dict[int, int] = {}
    if cids is None or len(people) > BIG:
        gens = dict(Lineage.objects.values_list("person_id", "generation"))
    else:
        for chunk in _chunks(people):
            gens.update(
                Lineage.objects.filter(person_id__in=chunk).values_list("person_id", "generation")
            )
    level: dict[int, int] = {}
    for c, p in pairs:
        g = gens.get(p, 0) + 1
        if g < level.get(c, INF):
            level[c] = g
    if cids is None:
        CohortLevel.objects.all().delete()
    else:
        for chunk in _chunks(cids):
            CohortLevel.objects.filter(cohort_id__in=chunk).delete()
    _bulk(CohortLevel, ((c, g) for c, g in level.items() if g > 1))


# ---------------------------------------------------------------- the hooks


@transaction.atomic
def lineage_completion_changed(*, enrolment: Any) -> None:
    """An enrolment's completion changed: update the trainee's lineage."""
    lineage_person_completion_changed(cohort_id=enrolment.cohort_id, person_id=enrolment.person_id)


@transaction.atomic
def lineage_person_completion_changed(*, cohort_id: int, person_id: int) -> None:
    """``person_id``'s completion of ``cohort_id`` changed: update the trainee's lineage."""
    lineage_people_completion_changed(cohort_id=cohort_id, person_ids=[person_id])


@transaction.atomic(savepoint=False)  # part of the write that changed the completions
def lineage_people_completion_changed(*, cohort_id: int, person_ids: Iterable[int]) -> None:
    """The completions of ``person_ids`` in ``cohort_id`` changed (one write): update their
    lineage together, one pass over the edges and one refresh of the closure."""
    people = set(person_ids)
    if not people:
        return
    before = _edges_sync(cohort_id=cohort_id, person_ids=people)
    D = people | _descendants(people)
    _refresh(D, touched=before)


@transaction.atomic
def lineage_cohort_facilitators_changed(*, cohort: Any) -> None:
    """A cohort's facilitators changed: update the lineage of its completers."""
    before = set(
        TrainingEdge.objects.filter(cohort_id=cohort.pk).values_list("trainer_id", flat=True)
    )
    _edges_sync(cohort_id=cohort.pk)
    trainees = set(
        TrainingEdge.objects.filter(cohort_id=cohort.pk).values_list("trainee_id", flat=True)
    )

    now = set(
        CohortFacilitator.objects.filter(cohort_id=cohort.pk).values_list("person_id", flat=True)
    )

    completers = set(
        Enrolment.objects.filter(cohort_id=cohort.pk, completed=True).values_list(
            "person_id", flat=True
        )
    )
    D = trainees | completers
    D |= _descendants(D)
    _refresh(D, touched=before | now)
    _levels_refresh(cohort_ids=[cohort.pk])


@transaction.atomic
def lineage_person_merged(*, source: Any, target: Any) -> None:
    """Two person records were merged: ``source``'s enrolments and facilitation now
    belong to ``target``. Rebuild the edges of every cohort either took part in."""

    people = [source.pk, target.pk]
    D = set(people) | _descendants(people)
    neighbours = set(
        TrainingEdge.objects.filter(trainee_id__in=people).values_list("trainer_id", flat=True)
    )
    Certification.objects.filter(person_id=source.pk).exclude(
        cohort_id__in=Certification.objects.filter(person_id=target.pk).values("cohort_id")
    ).update(person_id=target.pk)
    Certification.objects.filter(person_id=source.pk).delete()
    TrainingEdge.objects.filter(trainer_id=source.pk).delete()
    TrainingEdge.objects.filter(trainee_id=source.pk).delete()
    cohorts = set(Enrolment.objects.filter(person_id=target.pk).values_list("cohort_id", flat=True))
    for cid in cohorts:
        _edges_sync(cohort_id=cid, person_ids=[target.pk])
    for cid in CohortFacilitator.objects.filter(person_id=target.pk).values_list(
        "cohort_id", flat=True
    ):
        _edges_sync(cohort_id=cid)
    D |= set(TrainingEdge.objects.filter(trainer_id=target.pk).values_list("trainee_id", flat=True))
    D |= _descendants(D)
    neighbours |= set(
        TrainingEdge.objects.filter(trainee_id=target.pk).values_list("trainer_id", flat=True)
    )
    _refresh(D, touched=neighbours | set(people))


# ---------------------------------------------------------------- full recompute


def _edges_rebuild() -> None:
    """All edges and certifications from completions × facilitators, in two statements."""

    edge = TrainingEdge._meta.db_table
    cert = Certification._meta.db_table
    en = Enrolment._meta.db_table
    cf = CohortFacilitator._meta.db_table
    co = Cohort._meta.db_table
    true = "TRUE" if connection.vendor == "postgresql" else "1"
    TrainingEdge.objects.all().delete()
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {edge} (trainer_id, trainee_id, cohort_id, completed_on) "  # noqa: S608
            f"SELECT cf.person_id, e.person_id, e.cohort_id, e.completed_on FROM {en} e "
            f"JOIN {cf} cf ON cf.cohort_id = e.cohort_id "
            f"WHERE e.completed = {true} AND e.status = 'enrolled' AND cf.person_id <> e.person_id"
        )
        # certifications: drop those no longer earned, add the missing ones (keeping practicum)
        cur.execute(
            f"DELETE FROM {cert} WHERE NOT EXISTS (SELECT 1 FROM {en} e JOIN {co} c "  # noqa: S608
            f"ON c.id = e.cohort_id WHERE e.person_id = {cert}.person_id "
            f"AND e.cohort_id = {cert}.cohort_id AND e.completed = {true} "
            f"AND e.status = 'enrolled' AND c.kind = 'tot')"
        )
        cur.execute(
            f"INSERT INTO {cert} (person_id, cohort_id, curriculum_version_id, granted_on, "  # noqa: S608
            f"practicum_done) SELECT e.person_id, e.cohort_id, c.curriculum_version_id, "
            f"e.completed_on, {'FALSE' if connection.vendor == 'postgresql' else '0'} "
            f"FROM {en} e JOIN {co} c ON c.id = e.cohort_id "
            f"WHERE e.completed = {true} AND e.status = 'enrolled' AND c.kind = 'tot' "
            f"AND NOT EXISTS (SELECT 1 FROM {cert} x WHERE x.person_id = e.person_id "
            f"AND x.cohort_id = e.cohort_id)"
        )


@transaction.atomic
def lineage_rebuild() -> dict[str, int]:
    """Recompute edges, closure, generations and cohort levels from scratch."""
    _edges_rebuild()
    edges = _edge_rows(None)
    ancestors, lineage = _compute(edges, None, {}, {})
    _write(None, ancestors, lineage)
    _levels_refresh()
    return {
        "edges": len(edges),
        "people": len(lineage),
        "reach_rows": sum(len(a) for a in ancestors.values()),
    }


@transaction.atomic
def certification_practicum_set(*, actor: Any, certification: Certification, done: bool) -> None:
    """Record that a certified facilitator completed (or not) their supervised practicum."""

    if actor is not None:
        scope.require(actor, Cap.MANAGE_PROGRAMS, certification.cohort.program.owner_id)
    certification.practicum_done = done
    certification.full_clean()
    certification.save(update_fields=["practicum_done"])
    audit_record(actor=actor, action="practicum", target=certification, detail={"done": done})
