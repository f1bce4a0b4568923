"""Analysis of a study's final codings (issue 12): the framework matrix (codes × site ×
stratum, with excerpts), the code co-occurrence matrix, the comparison of the two
generations per code, and inter-coder reliability of the double-coded set.

Pure reads for the study's **members** only (``selectors.reads_transcripts``, S3): every
function raises ``NotFoundError`` for anyone else, the organization's coordinators and
viewers included. The figures come from the transcripts, are exact and small, and the
matrix carries excerpts.

**Which codings.** The final ones (``Coding.final``): a double-coded transcript counts
once the lead merged it (before that its codings are the coders' own, read only by
``study_reliability``).

**Attribution** (``attribution``, the one rule every figure here uses):

- a final coding belongs to the participants who speak in the turns it overlaps (turns
  whose speaker is a participant mapped to a recruit of the study);
- in an interview, a coding that overlaps no participant's turn (the interviewer's
  question, an unmarked line) belongs to the interview's single participant;
- in a focus group such a coding belongs to nobody, and so does every coding of a
  transcript without an event (a document imported from another tool): these are
  counted as **unattributed**, in no cell;
- a participant who **withdrew** is left out entirely: a coding that would belong only
  to withdrawn participants is dropped from every figure (not even counted as
  unattributed, nor in the co-occurrences), their turns are cut out of excerpts
  (" […] "), their turns are no unit of reliability, and they do not count among the
  participants who took part.

**Co-occurrence.** Two final codings co-occur when they lie in the same transcript and
their spans overlap (share at least one character; spans are ``[start, end)``). Lying in
the same turn without overlapping is not co-occurring: the rule follows what the coder
marked, not how the transcript was split.

**Work.** Each read loads the study's codes, sites, strata, recruits, event participants,
transcripts (without their text), turns and final codings once (a fixed number of
queries whatever the study's size), and the texts only of the transcripts an excerpt
is taken from; reliability adds one query per double-coded transcript
(``coding.coders_of``).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from cascada.core.errors import NotFoundError

from .models import (
    Code,
    Coding,
    Event,
    Method,
    Recruit,
    RecruitStatus,
    Site,
    SpeakerKind,
    Stratum,
    Study,
    Transcript,
    Turn,
)
from .reliability import ReliabilityReport, reliability
from .selectors import reads_reliability_unmerged, reads_transcripts
from .services.coding import coders_of

EXCERPTS_PER_CELL = 3
EXCERPT_MAX_CHARS = 2000
CUT = " […] "

__all__ = [
    "CoMatrix",
    "Column",
    "Excerpt",
    "GenerationRow",
    "Matrix",
    "MatrixCell",
    "MatrixRow",
    "StratumShare",
    "TranscriptReliability",
    "attribution",
    "cooccurrence",
    "framework_matrix",
    "generations",
    "reliability_by_transcript",
    "study_reliability",
]


# ---------------------------------------------------------------- the attribution rule


def attribution(
    *,
    speakers: Iterable[int | None],
    method: str | None,
    event_people: Collection[int],
    withdrawn: Collection[int],
) -> frozenset[int] | None:
    """Whom a coding belongs to (the module docstring's rule). ``speakers``: the
    participant (recruit id) of each turn the coding overlaps, None for an interviewer's
    or an unmapped turn; ``method``: the event's method, None for a transcript without an
    event; ``event_people``: the event's participants; ``withdrawn``: recruits who
    withdrew. Returns the recruit ids, an empty set when it belongs to nobody
    (unattributed), or None when it belongs only to participants who withdrew (left
    out)."""
    if method is None:
        return frozenset()
    people = {p for p in speakers if p is not None}
    if not people and method == Method.INTERVIEW and len(event_people) == 1:
        people = set(event_people)
    if not people:
        return frozenset()
    kept = frozenset(people - set(withdrawn))
    return kept or None


# ---------------------------------------------------------------- the study, loaded once


@dataclass(frozen=True)
class _Turn:
    id: int
    start: int
    end: int
    participant: int | None


@dataclass
class _Source:
    """A transcript: its event's method and participants, its turns by position."""

    id: int
    name: str
    method: str | None
    people: tuple[int, ...]
    turns: list[_Turn] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)

    def overlapping(self, start: int, end: int) -> list[_Turn]:
        """The turns that share a character with ``[start, end)`` (turns follow each other
        without overlapping, so their ends are sorted)."""
        found = []
        i = bisect_right(self.ends, start)
        while i < len(self.turns) and self.turns[i].start < end:
            found.append(self.turns[i])
            i += 1
        return found


@dataclass(frozen=True)
class _Coding:
    id: int
    transcript: int
    code: int
    start: int
    end: int
    people: frozenset[int]
    cuts: tuple[tuple[int, int], ...]  # withdrawn participants' turns inside the span


@dataclass(frozen=True)
class _Person:
    id: int
    code: str
    site: int
    stratum: int | None


class _Corpus:
    """What every analysis reads of a study, in a fixed number of queries."""

    def __init__(self, study: Study) -> None:
        self.study = study
        self.codes, self.depths = _codebook(study)
        self.children: dict[int | None, list[int]] = defaultdict(list)
        for c in self.codes:
            self.children[c.parent_id].append(c.pk)
        self.people: dict[int, _Person] = {}
        self.withdrawn: set[int] = set()
        for pk, code, site, stratum, status in Recruit.objects.filter(study=study).values_list(
            "id", "code", "site_id", "stratum_id", "status"
        ):
            if status == RecruitStatus.WITHDRAWN:
                self.withdrawn.add(pk)
            else:
                self.people[pk] = _Person(pk, code, site, stratum)
        event_people: dict[int, list[int]] = defaultdict(list)
        for event_id, recruit_id in Event.participants.through.objects.filter(
            event__study=study
        ).values_list("event_id", "recruit_id"):
            event_people[event_id].append(recruit_id)
        self.sources: dict[int, _Source] = {}
        for pk, name, event_id, method in Transcript.objects.filter(study=study).values_list(
            "id", "name", "event_id", "event__method"
        ):
            present = tuple(sorted(event_people.get(event_id, ()))) if event_id else ()
            self.sources[pk] = _Source(pk, name, method if event_id else None, present)
        turns = Turn.objects.filter(transcript__study=study).order_by("transcript_id", "start")
        for pk, transcript_id, start, end, speaker, participant in turns.values_list(
            "id", "transcript_id", "start", "end", "speaker", "participant_id"
        ):
            source = self.sources[transcript_id]
            who = participant if speaker == SpeakerKind.PARTICIPANT else None
            source.turns.append(_Turn(pk, start, end, who))
            source.ends.append(end)
        # Took part: in an event with a transcript, not withdrawn.
        self.took_part: set[int] = {
            p for s in self.sources.values() for p in s.people if p in self.people
        }
        self.codings: list[_Coding] = []
        finals = Coding.objects.filter(transcript__study=study, final=True).order_by(
            "transcript_id", "start", "end", "id"
        )
        for pk, transcript_id, code_id, start, end in finals.values_list(
            "id", "transcript_id", "code_id", "start", "end"
        ):
            source = self.sources[transcript_id]
            turns_in = source.overlapping(start, end)
            owners = self.belongs_to(source, [t.participant for t in turns_in])
            if owners is None:
                continue  # only withdrawn participants: left out
            cuts = tuple(
                (max(t.start, start), min(t.end, end))
                for t in turns_in
                if t.participant in self.withdrawn
            )
            self.codings.append(_Coding(pk, transcript_id, code_id, start, end, owners, cuts))

    def belongs_to(self, source: _Source, speakers: Iterable[int | None]) -> frozenset[int] | None:
        return attribution(
            speakers=speakers,
            method=source.method,
            event_people=source.people,
            withdrawn=self.withdrawn,
        )

    def by_code(self) -> dict[int, list[_Coding]]:
        out: dict[int, list[_Coding]] = defaultdict(list)
        for coding in self.codings:
            out[coding.code].append(coding)
        return out

    def counted(self, code: Code, *, rollup: bool) -> list[int]:
        """The code ids a row counts: the code alone, or with every code under it."""
        if not rollup:
            return [code.pk]
        ids, frontier = [code.pk], [code.pk]
        while frontier:
            frontier = [child for pk in frontier for child in self.children.get(pk, [])]
            ids += frontier
        return ids


def _codebook(study: Study) -> tuple[list[Code], dict[int, int]]:
    """The codes in codebook order (parents before children, each level by order and
    name) with their depth; their memos are not read (nor decrypted)."""
    codes = list(Code.objects.filter(study=study).defer("memo").order_by("order", "name"))
    by_parent: dict[int | None, list[Code]] = defaultdict(list)
    for code in codes:
        by_parent[code.parent_id].append(code)
    ordered: list[Code] = []
    depths: dict[int, int] = {}

    def walk(parent: int | None, depth: int) -> None:
        for code in by_parent.get(parent, []):
            ordered.append(code)
            depths[code.pk] = depth
            walk(code.pk, depth + 1)

    walk(None, 0)
    return ordered, depths


def _member(user: Any, study: Study) -> None:
    if not reads_transcripts(user, study):
        raise NotFoundError()


# ---------------------------------------------------------------- the framework matrix


@dataclass(frozen=True)
class Excerpt:
    """A coded passage as the matrix shows it: the text (withdrawn participants' turns cut
    out, at most ``EXCERPT_MAX_CHARS``), whose it is, where it comes from."""

    coding_id: int
    transcript_id: int
    transcript_name: str
    participants: tuple[str, ...]  # participant codes, sorted
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class MatrixCell:
    """``references``: codings (each once); ``participants``: distinct participants they
    belong to; ``excerpts``: the first few codings' passages, in transcript order (none in
    totals)."""

    references: int
    participants: int
    excerpts: tuple[Excerpt, ...] = ()


@dataclass(frozen=True)
class Column:
    """A site × stratum column; ``took_part``: its participants with a transcript."""

    site: Site
    stratum: Stratum
    took_part: int


@dataclass(frozen=True)
class MatrixRow:
    code: Code
    depth: int
    cells: tuple[MatrixCell, ...]  # one per column, in the columns' order
    total: MatrixCell  # each coding once, however many columns it falls in
    unattributed: int  # the row's codings that belong to nobody


@dataclass(frozen=True)
class Matrix:
    columns: tuple[Column, ...]
    rows: tuple[MatrixRow, ...]
    column_totals: tuple[MatrixCell, ...]  # every row's codings (each once) per column
    total: MatrixCell
    unattributed: int
    rollup: bool


def framework_matrix(
    *,
    user: Any,
    study: Study,
    codes: Iterable[Code | int] | None = None,
    rollup: bool = False,
    excerpts: int | None = EXCERPTS_PER_CELL,
) -> Matrix:
    """The framework matrix: a row per code (``codes``, or the whole codebook, in
    codebook order), a column per site × stratum. A row counts the code's own codings, or
    with ``rollup`` also those of every code under it. A coding belonging to participants
    of two columns counts in both, once in the totals. ``excerpts``: how many per cell
    (None: all)."""
    _member(user, study)
    corpus = _Corpus(study)
    sites = list(Site.objects.filter(study=study).order_by("name", "pk"))
    strata = list(Stratum.objects.filter(study=study).order_by("age_min", "pk"))
    keys = [(site.pk, stratum.pk) for site in sites for stratum in strata]
    column_of: dict[tuple[int, int | None], int] = {key: i for i, key in enumerate(keys)}
    took: dict[tuple[int, int | None], int] = defaultdict(int)
    for pk in corpus.took_part:
        person = corpus.people[pk]
        took[(person.site, person.stratum)] += 1
    columns = tuple(
        Column(site=site, stratum=stratum, took_part=took[(site.pk, stratum.pk)])
        for site in sites
        for stratum in strata
    )
    chosen = None if codes is None else {getattr(c, "pk", c) for c in codes}
    grouped = corpus.by_code()

    def column(person: int) -> int | None:
        return column_of.get((corpus.people[person].site, corpus.people[person].stratum))

    def cells_of(
        codings: list[_Coding], limit: int | None
    ) -> tuple[list[tuple[int, int, list[_Coding]]], MatrixCell, int]:
        """Per column (references, participants, codings for excerpts), the total, and
        how many codings belong to nobody."""
        refs = [0] * len(keys)
        people: list[set[int]] = [set() for _ in keys]
        picked: list[list[_Coding]] = [[] for _ in keys]
        everyone: set[int] = set()
        attributed = 0
        for coding in codings:
            if not coding.people:
                continue
            attributed += 1
            everyone |= coding.people
            hit: set[int] = set()
            for person in coding.people:
                i = column(person)
                if i is not None:
                    hit.add(i)
                    people[i].add(person)
            for i in hit:
                refs[i] += 1
                if limit is None or len(picked[i]) < limit:
                    picked[i].append(coding)
        cells = [(refs[i], len(people[i]), picked[i]) for i in range(len(keys))]
        total = MatrixCell(references=attributed, participants=len(everyone))
        return cells, total, len(codings) - attributed

    raw_rows = []
    everything: dict[int, _Coding] = {}
    for code in corpus.codes:
        if chosen is not None and code.pk not in chosen:
            continue
        codings = sorted(
            (c for pk in corpus.counted(code, rollup=rollup) for c in grouped.get(pk, [])),
            key=lambda c: (c.transcript, c.start, c.end, c.id),
        )
        everything.update((c.id, c) for c in codings)
        cells, total, unattributed = cells_of(codings, excerpts)
        raw_rows.append((code, cells, total, unattributed))

    texts = _excerpt_texts(
        corpus, {c for _code, cells, _t, _u in raw_rows for _r, _p, ex in cells for c in ex}
    )
    rows = tuple(
        MatrixRow(
            code=code,
            depth=corpus.depths[code.pk],
            cells=tuple(
                MatrixCell(
                    references=refs,
                    participants=people,
                    excerpts=tuple(texts[c.id] for c in chosen_excerpts),
                )
                for refs, people, chosen_excerpts in cells
            ),
            total=total,
            unattributed=unattributed,
        )
        for code, cells, total, unattributed in raw_rows
    )
    all_codings = sorted(everything.values(), key=lambda c: c.id)
    column_cells, grand, unattributed_all = cells_of(all_codings, 0)
    return Matrix(
        columns=columns,
        rows=rows,
        column_totals=tuple(MatrixCell(refs, people) for refs, people, _ex in column_cells),
        total=grand,
        unattributed=unattributed_all,
        rollup=rollup,
    )


def _excerpt_texts(corpus: _Corpus, codings: set[_Coding]) -> dict[int, Excerpt]:
    """The chosen codings' passages: the texts of their transcripts decrypted once."""
    needed = {c.transcript for c in codings}
    texts = dict(
        Transcript.objects.filter(pk__in=needed).values_list("id", "text") if needed else []
    )
    out = {}
    for coding in codings:
        source = corpus.sources[coding.transcript]
        out[coding.id] = Excerpt(
            coding_id=coding.id,
            transcript_id=coding.transcript,
            transcript_name=source.name,
            participants=tuple(sorted(corpus.people[p].code for p in coding.people)),
            start=coding.start,
            end=coding.end,
            text=_passage(texts[coding.transcript], coding.start, coding.end, coding.cuts),
        )
    return out


def _passage(text: str, start: int, end: int, cuts: Iterable[tuple[int, int]]) -> str:
    pieces, at = [], start
    for cut_start, cut_end in sorted(cuts):
        pieces.append(text[at:cut_start])
        pieces.append(CUT)
        at = cut_end
    pieces.append(text[at:end])
    passage = "".join(pieces).strip()
    if len(passage) > EXCERPT_MAX_CHARS:
        passage = passage[: EXCERPT_MAX_CHARS - 1].rstrip() + "…"
    return passage


# ---------------------------------------------------------------- co-occurrence


@dataclass(frozen=True)
class CoMatrix:
    """Code × code, in codebook order: ``counts[i][j]`` pairs of final codings of codes i
    and j whose spans overlap in the same transcript (symmetric); ``counts[i][i]`` the
    codings of code i. Unattributed codings count; those left out (withdrawn) do not."""

    codes: tuple[Code, ...]
    depths: tuple[int, ...]
    counts: tuple[tuple[int, ...], ...]

    def pair(self, a: Code | int, b: Code | int) -> int:
        index = {code.pk: i for i, code in enumerate(self.codes)}
        first = a.pk if isinstance(a, Code) else a
        second = b.pk if isinstance(b, Code) else b
        return self.counts[index[first]][index[second]]


def cooccurrence(*, user: Any, study: Study) -> CoMatrix:
    _member(user, study)
    corpus = _Corpus(study)
    index = {code.pk: i for i, code in enumerate(corpus.codes)}
    counts = [[0] * len(index) for _ in index]
    by_transcript: dict[int, list[_Coding]] = defaultdict(list)
    for coding in corpus.codings:
        by_transcript[coding.transcript].append(coding)
        counts[index[coding.code]][index[coding.code]] += 1
    for codings in by_transcript.values():
        codings.sort(key=lambda c: (c.start, c.end))
        for i, first in enumerate(codings):
            for second in codings[i + 1 :]:
                if second.start >= first.end:
                    break
                if second.code != first.code:
                    a, b = index[first.code], index[second.code]
                    counts[a][b] += 1
                    counts[b][a] += 1
    return CoMatrix(
        codes=tuple(corpus.codes),
        depths=tuple(corpus.depths[c.pk] for c in corpus.codes),
        counts=tuple(tuple(row) for row in counts),
    )


# ---------------------------------------------------------------- the two generations


@dataclass(frozen=True)
class StratumShare:
    stratum: Stratum
    mentioned: int  # participants of the stratum a coding of the code belongs to
    took_part: int  # participants of the stratum in an event with a transcript

    @property
    def share(self) -> float | None:
        return self.mentioned / self.took_part if self.took_part else None


@dataclass(frozen=True)
class GenerationRow:
    code: Code
    depth: int
    shares: tuple[StratumShare, ...]  # one per stratum, youngest first
    # The first stratum's share minus the second's, in percentage points (positive: the
    # younger generation mentions it more); None without two strata that took part.
    difference: float | None


def generations(*, user: Any, study: Study, rollup: bool = False) -> list[GenerationRow]:
    """Per code and stratum, the share of the stratum's participants who mention the code,
    and the difference between the first two strata (the two generations)."""
    _member(user, study)
    corpus = _Corpus(study)
    strata = list(Stratum.objects.filter(study=study).order_by("age_min", "pk"))
    took: dict[int | None, int] = defaultdict(int)
    for pk in corpus.took_part:
        took[corpus.people[pk].stratum] += 1
    mentioned: dict[int, set[int]] = defaultdict(set)
    for coding in corpus.codings:
        mentioned[coding.code] |= coding.people
    rows = []
    for code in corpus.codes:
        people = set().union(*(mentioned[pk] for pk in corpus.counted(code, rollup=rollup)))
        per: dict[int | None, int] = defaultdict(int)
        for pk in people:
            per[corpus.people[pk].stratum] += 1
        shares = tuple(
            StratumShare(stratum=s, mentioned=per[s.pk], took_part=took[s.pk]) for s in strata
        )
        difference = None
        if len(shares) >= 2 and shares[0].share is not None and shares[1].share is not None:
            difference = (shares[0].share - shares[1].share) * 100
        rows.append(
            GenerationRow(
                code=code, depth=corpus.depths[code.pk], shares=shares, difference=difference
            )
        )
    return rows


# ---------------------------------------------------------------- inter-coder reliability


@dataclass(frozen=True)
class TranscriptReliability:
    transcript_id: int
    transcript_name: str
    report: ReliabilityReport


def _reliability_inputs(
    study: Study, *, merged_only: bool = False
) -> tuple[
    list[Code], dict[int, tuple[str, dict[Hashable, set[Hashable]], set[tuple[Any, Any, Any]]]]
]:
    """Per double-coded transcript with two coders or more: its name, each coder's units
    (every turn of the transcript, as (transcript id, turn id), but those left out for a
    withdrawn participant) and the (coder, unit, code) they applied with their own
    codings."""
    corpus = _Corpus(study)
    codes_by_id = {c.pk: c for c in corpus.codes}
    double_coded = Transcript.objects.filter(study=study, double_coded=True)
    if merged_only:
        double_coded = double_coded.filter(merged_at__isnull=False)
    double = list(double_coded.defer("text"))
    out: dict[int, tuple[str, dict[Hashable, set[Hashable]], set[tuple[Any, Any, Any]]]] = {}
    coders = {t.pk: coders_of(t) for t in double}
    own = Coding.objects.filter(
        transcript__in=[t.pk for t in double if len(coders[t.pk]) >= 2],
        final=False,
        coder__isnull=False,
    ).values_list("transcript_id", "coder_id", "code_id", "start", "end")
    for transcript in double:
        if len(coders[transcript.pk]) < 2:
            continue
        source = corpus.sources[transcript.pk]
        units = {
            (transcript.pk, t.id)
            for t in source.turns
            if corpus.belongs_to(source, [t.participant]) is not None
        }
        out[transcript.pk] = (
            transcript.name,
            {coder: set(units) for coder in coders[transcript.pk]},
            set(),
        )
    for transcript_id, coder_id, code_id, start, end in own:
        _name, units_by_coder, applied = out[transcript_id]
        for turn in corpus.sources[transcript_id].overlapping(start, end):
            unit = (transcript_id, turn.id)
            if unit in units_by_coder[coder_id]:
                applied.add((coder_id, unit, codes_by_id[code_id]))
    return corpus.codes, out


def study_reliability(*, user: Any, study: Study) -> ReliabilityReport | None:
    """Agreement of the coders over the study's double-coded transcripts, per code and
    overall (``reliability.reliability``): units are speaker turns (transcript id, turn
    id); a coder's units are every turn of each double-coded transcript they coded in;
    codes are ``Code`` rows in codebook order; coders are user ids. None when no
    double-coded transcript has two coders yet.

    Blind coding holds here too: anyone but the lead reads the agreement of merged
    transcripts only, since a figure that moves with the other coder's codings tells a
    coder what the other coded (``selectors.reads_reliability_unmerged``)."""
    _member(user, study)
    codes, inputs = _reliability_inputs(
        study, merged_only=not reads_reliability_unmerged(user, study)
    )
    if not inputs:
        return None
    units_by_coder: dict[Hashable, set[Hashable]] = defaultdict(set)
    applied: set[tuple[Any, Any, Any]] = set()
    for _name, units, marks in inputs.values():
        for coder, coded in units.items():
            units_by_coder[coder] |= coded
        applied |= marks
    return reliability(units_by_coder=dict(units_by_coder), codes=codes, applied=applied)


def reliability_by_transcript(*, user: Any, study: Study) -> list[TranscriptReliability]:
    """The same agreement, one double-coded transcript at a time (by name); merged ones
    only for anyone but the lead."""
    _member(user, study)
    codes, inputs = _reliability_inputs(
        study, merged_only=not reads_reliability_unmerged(user, study)
    )
    return sorted(
        (
            TranscriptReliability(
                transcript_id=pk,
                transcript_name=name,
                report=reliability(units_by_coder=units, codes=codes, applied=marks),
            )
            for pk, (name, units, marks) in inputs.items()
        ),
        key=lambda r: (r.transcript_name, r.transcript_id),
    )
