"""The analysis of a study, on a small study whose numbers were counted by hand: the
framework matrix (codings and participants per site × generation, excerpts), whom a
coding belongs to, participants who withdrew left out, the co-occurrence of codes, the
two generations compared, the coders' agreement on the double-coded set, and the XLSX
workbook (members only; no transcript text in the audit trail).

The study (conftest ``study``: sites Iquitos and Villa María del Triunfo (VMT), strata
young 20-29 and older 35-50):
- interviews: A (VMT young), B (VMT older), C (Iquitos young), W (VMT older, withdrew
  after the interview), D (VMT young; double-coded, coded blind by two coders, not
  merged), E (Iquitos older; no transcript);
- a focus group in VMT of F1..F6 (young); F4 withdrew after it;
- a document imported from another tool (no event).
Codebook: Factores de riesgo (R) > Violencia en la familia de origen (R1), Celos (R2);
Factores protectores (P) > Diálogo en la pareja (P1).

Final codings (c = the coding, → whom it belongs to):
- A's interview: c1 R2 on the interviewer's question → A; c2 R1 → A; c3 R2 inside c2 →
  A; c4 P1 (holding the canary) → A;
- B's interview: c5 R1 and c18 R2 in the same turn without overlapping → B; c6 R2 → B;
- C's interview: c7 P1, c8 R2 overlapping c7 → C;
- W's interview: c9 R1 on W's turn, c10 R1 on the question → left out (W withdrew);
- the focus group: c11 R1 on P2's turn → F2; c12 R2 on the moderator's question →
  nobody; c13 R2 on P1's turn → F1; c15 R over P1's and P2's turns → F1, F2; c14 P1 on
  P3's turn → F3; c16 R1 over P3's and P4's (withdrawn) turns → F3;
- the imported document: c17 P1 → nobody.
"""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from cascada.audit.models import AuditEvent
from cascada.core.errors import NotFoundError
from cascada.research.analysis import (
    attribution,
    cooccurrence,
    framework_matrix,
    generations,
    reliability_by_transcript,
    study_reliability,
)
from cascada.research.exports import analysis_xlsx
from cascada.research.models import Method, RecruitStatus, Transcript, TranscriptSource
from cascada.research.services.coding import code_create, coding_add, transcript_double_code
from cascada.research.services.fieldwork import event_record, transcript_save, turns_map
from cascada.research.services.sample import recruit_consent, recruit_screen, recruit_set_status
from cascada.research.services.study import quota_set
from tests.research.conftest import answers

D = dt.date
CANARY = "CANARIO-9k2w-ANALISIS"

TEXT_A = (
    "E: ¿Qué piensa usted de los celos en la pareja?\n"
    "P: Mi papá celaba a mi mamá y le pegaba. Yo aprendí eso de niño.\n"
    "E: ¿Y ahora?\n"
    "P: Ahora converso con mi pareja " + CANARY + ", en el barrio hay talleres."
)
TEXT_B = (
    "E: ¿Cómo era su casa?\n"
    "P: En mi casa había golpes. Mi viejo tomaba.\n"
    "E: ¿Y con su esposa?\n"
    "P: A veces discutimos por celos."
)
TEXT_C = "E: Cuénteme de su pareja.\nP: Conversamos mucho, no hay celos."
TEXT_W = "E: ¿Qué recuerda de su infancia?\nP: Mi padre nos pegaba."
TEXT_FG = (
    "M: ¿Qué piensan de los celos?\n"
    "P1: Los celos son normales.\n"
    "P2: Mi tío pegaba a su esposa.\n"
    "P3: Hay que conversar.\n"
    "P4: Yo le grité a mi enamorada.\n"
    "M: Gracias."
)
TEXT_D = (
    "E: ¿Cómo se llevan en su casa?\n"
    "P: Bien, pero a veces hay celos.\n"
    "E: ¿Y qué hace?\n"
    "P: Conversamos con calma.\n"
    "E: ¿Algo más?\n"
    "P: Mi padre me pegaba de niño."
)
TEXT_DOC = "Notas de campo: los jóvenes hablan de diálogo en la pareja."


def span(text: str, piece: str, until: str | None = None) -> tuple[int, int]:
    start = text.index(piece)
    end = text.index(until) + len(until) if until else start + len(piece)
    return start, end


def person(study, by, site, method, age):
    recruit = recruit_screen(
        actor=by,
        study=study,
        site=site,
        method=method,
        age=age,
        answers=answers(study),
        screened_on=D(2024, 2, 1),
    )
    return recruit_consent(
        actor=by,
        recruit=recruit,
        consent_form=study.consent_forms.get(),
        consented_on=D(2024, 2, 2),
    )


def interview(study, by, who, text=None):
    event = event_record(
        actor=by,
        study=study,
        method=Method.INTERVIEW,
        site=who.site,
        held_on=D(2024, 3, 1),
        participants=[who],
        duration_minutes=60,
        interviewer=by,
    )
    return transcript_save(actor=by, event=event, text=text) if text else None


@pytest.fixture
def world(study, lead, researcher, coder, coder2):
    vmt = study.sites.get(name="Villa María del Triunfo")
    iquitos = study.sites.get(name="Iquitos")
    older = study.strata.get(age_min=35)
    quota_set(
        actor=lead, study=study, site=iquitos, stratum=older, method=Method.INTERVIEW, target=1
    )
    a = person(study, researcher, vmt, Method.INTERVIEW, 24)
    b = person(study, researcher, vmt, Method.INTERVIEW, 40)
    c = person(study, researcher, iquitos, Method.INTERVIEW, 22)
    w = person(study, researcher, vmt, Method.INTERVIEW, 45)
    d = person(study, researcher, vmt, Method.INTERVIEW, 27)
    e = person(study, researcher, iquitos, Method.INTERVIEW, 41)
    group = [person(study, researcher, vmt, Method.FOCUS_GROUP, 20 + i) for i in range(6)]

    t_a = interview(study, researcher, a, TEXT_A)
    t_b = interview(study, researcher, b, TEXT_B)
    t_c = interview(study, researcher, c, TEXT_C)
    t_w = interview(study, researcher, w, TEXT_W)
    t_d = interview(study, researcher, d, TEXT_D)
    interview(study, researcher, e)  # no transcript: E did not take part in the analysis
    fg_event = event_record(
        actor=researcher,
        study=study,
        method=Method.FOCUS_GROUP,
        site=vmt,
        held_on=D(2024, 3, 2),
        participants=group,
        duration_minutes=90,
        interviewer=researcher,
    )
    t_fg = transcript_save(actor=researcher, event=fg_event, text=TEXT_FG)
    turns_map(
        actor=researcher,
        transcript=t_fg,
        speakers={"P1": group[0], "P2": group[1], "P3": group[2], "P4": group[3]},
    )
    doc = Transcript.objects.create(
        study=study, name="Notas importadas", text=TEXT_DOC, source=TranscriptSource.REFI
    )

    r = code_create(actor=lead, study=study, name="Factores de riesgo")
    r1 = code_create(actor=lead, study=study, name="Violencia en la familia de origen", parent=r)
    r2 = code_create(actor=lead, study=study, name="Celos", parent=r)
    p = code_create(actor=lead, study=study, name="Factores protectores")
    p1 = code_create(actor=lead, study=study, name="Diálogo en la pareja", parent=p)

    def code(transcript, text, the_code, piece, until=None, by=researcher):
        start, end = span(text, piece, until)
        return coding_add(actor=by, transcript=transcript, code=the_code, start=start, end=end)

    cs = SimpleNamespace()
    cs.c1 = code(t_a, TEXT_A, r2, "¿Qué piensa usted de los celos en la pareja?")
    cs.c2 = code(t_a, TEXT_A, r1, "Mi papá celaba a mi mamá y le pegaba.")
    cs.c3 = code(t_a, TEXT_A, r2, "celaba a mi mamá")
    cs.c4 = code(t_a, TEXT_A, p1, "Ahora converso con mi pareja " + CANARY)
    cs.c5 = code(t_b, TEXT_B, r1, "En mi casa había golpes.")
    cs.c18 = code(t_b, TEXT_B, r2, " Mi viejo tomaba.")  # touches c5, no overlap
    cs.c6 = code(t_b, TEXT_B, r2, "discutimos por celos")
    cs.c7 = code(t_c, TEXT_C, p1, "Conversamos mucho")
    cs.c8 = code(t_c, TEXT_C, r2, "Conversamos mucho, no hay celos")
    cs.c9 = code(t_w, TEXT_W, r1, "Mi padre nos pegaba.")
    cs.c10 = code(t_w, TEXT_W, r1, "¿Qué recuerda de su infancia?")
    cs.c11 = code(t_fg, TEXT_FG, r1, "Mi tío pegaba a su esposa.")
    cs.c12 = code(t_fg, TEXT_FG, r2, "¿Qué piensan de los celos?")
    cs.c13 = code(t_fg, TEXT_FG, r2, "Los celos son normales.")
    cs.c15 = code(t_fg, TEXT_FG, r, "Los celos son normales.", "a su esposa.")
    cs.c14 = code(t_fg, TEXT_FG, p1, "Hay que conversar.")
    cs.c16 = code(t_fg, TEXT_FG, r1, "Hay que conversar.", "a mi enamorada.")
    cs.c17 = code(doc, TEXT_DOC, p1, "diálogo en la pareja")

    # D's interview: coded blind by the two coders (kept out of the matrix).
    transcript_double_code(actor=lead, transcript=t_d, double_coded=True)
    code(t_d, TEXT_D, r2, "hay celos", by=coder)
    code(t_d, TEXT_D, p1, "Conversamos con calma.", by=coder)
    code(t_d, TEXT_D, r1, "¿Algo más?", "de niño.", by=coder)  # two turns
    code(t_d, TEXT_D, r2, "a veces hay celos", by=coder2)
    code(t_d, TEXT_D, p1, "Conversamos", by=coder2)
    code(t_d, TEXT_D, r1, "Mi padre me pegaba", by=coder2)
    code(t_d, TEXT_D, r2, "me pegaba de niño", by=coder2)

    recruit_set_status(actor=researcher, recruit=w, status=RecruitStatus.WITHDRAWN)
    recruit_set_status(actor=researcher, recruit=group[3], status=RecruitStatus.WITHDRAWN)
    return SimpleNamespace(
        study=study,
        a=a,
        b=b,
        c=c,
        d=d,
        f=group,
        t_a=t_a,
        t_d=t_d,
        t_fg=t_fg,
        codes=SimpleNamespace(r=r, r1=r1, r2=r2, p=p, p1=p1),
        cs=cs,
    )


def _row(matrix, code):
    return next(row for row in matrix.rows if row.code == code)


def _figures(cell):
    return (cell.references, cell.participants)


# Columns: Iquitos young, Iquitos older, VMT young, VMT older.
IQ_YOUNG, IQ_OLDER, VMT_YOUNG, VMT_OLDER = range(4)


def test_the_matrix_counts_codings_and_participants_per_site_and_generation(world, lead):
    matrix = framework_matrix(user=lead, study=world.study)
    codes = world.codes
    assert [(c.site.name, c.stratum.age_min) for c in matrix.columns] == [
        ("Iquitos", 20),
        ("Iquitos", 35),
        ("Villa María del Triunfo", 20),
        ("Villa María del Triunfo", 35),
    ]
    # Took part (an event with a transcript, not withdrawn): C; nobody (E has no
    # transcript); A, D, F1-F3, F5, F6 (F4 withdrew); B (W withdrew).
    assert [c.took_part for c in matrix.columns] == [1, 0, 7, 1]
    # Codebook order with depth.
    assert [(row.code, row.depth) for row in matrix.rows] == [
        (codes.r, 0),
        (codes.r1, 1),
        (codes.r2, 1),
        (codes.p, 0),
        (codes.p1, 1),
    ]
    r2 = _row(matrix, codes.r2)
    assert [_figures(c) for c in r2.cells] == [(1, 1), (0, 0), (3, 2), (2, 1)]
    assert _figures(r2.total) == (6, 4)
    assert r2.unattributed == 1  # the moderator's question in the focus group
    r1 = _row(matrix, codes.r1)
    # W's two codings are left out: VMT older counts B's only.
    assert [_figures(c) for c in r1.cells] == [(0, 0), (0, 0), (3, 3), (1, 1)]
    assert _figures(r1.total) == (4, 4)
    assert r1.unattributed == 0
    # A parent's row counts its own codings only: the focus group's span over P1 and P2.
    r = _row(matrix, codes.r)
    assert [_figures(c) for c in r.cells] == [(0, 0), (0, 0), (1, 2), (0, 0)]
    assert _figures(_row(matrix, codes.p).total) == (0, 0)
    p1 = _row(matrix, codes.p1)
    assert [_figures(c) for c in p1.cells] == [(1, 1), (0, 0), (2, 2), (0, 0)]
    assert p1.unattributed == 1  # the imported document
    # Column totals count each coding once; the blind codings of D's interview are not
    # final and count nowhere.
    assert [_figures(c) for c in matrix.column_totals] == [(2, 1), (0, 0), (9, 4), (3, 1)]
    assert _figures(matrix.total) == (14, 6)
    assert matrix.unattributed == 2


def test_rollup_adds_the_codes_under_a_parent(world, lead):
    matrix = framework_matrix(user=lead, study=world.study, rollup=True)
    r = _row(matrix, world.codes.r)
    assert [_figures(c) for c in r.cells] == [(1, 1), (0, 0), (7, 4), (3, 1)]
    assert _figures(r.total) == (11, 6)
    assert r.unattributed == 1
    # Totals still count each coding once.
    assert _figures(matrix.total) == (14, 6)
    assert matrix.unattributed == 2


def test_a_matrix_of_chosen_codes(world, lead):
    matrix = framework_matrix(user=lead, study=world.study, codes=[world.codes.p1])
    assert [row.code for row in matrix.rows] == [world.codes.p1]
    assert _figures(matrix.total) == (3, 3)


def test_excerpts_carry_the_text_whose_it_is_and_where_it_comes_from(world, lead):
    matrix = framework_matrix(user=lead, study=world.study, excerpts=2)
    cell = _row(matrix, world.codes.r1).cells[VMT_YOUNG]
    assert cell.references == 3 and len(cell.excerpts) == 2
    first, second = cell.excerpts
    assert first.text == "Mi papá celaba a mi mamá y le pegaba."
    assert first.participants == (world.a.code,)
    assert first.transcript_name == world.t_a.name
    assert first.coding_id == world.cs.c2.pk
    # The focus-group coding on P2's turn belongs to P2 only.
    assert second.coding_id == world.cs.c11.pk
    assert second.participants == (world.f[1].code,)
    assert second.text == "Mi tío pegaba a su esposa."
    # A span over two participants' turns shows both codes.
    (both,) = _row(matrix, world.codes.r).cells[VMT_YOUNG].excerpts
    assert both.participants == tuple(sorted([world.f[0].code, world.f[1].code]))


def test_a_withdrawn_participants_words_are_cut_out_of_excerpts(world, lead):
    matrix = framework_matrix(user=lead, study=world.study, excerpts=None)
    texts = [e.text for row in matrix.rows for cell in row.cells for e in cell.excerpts]
    (c16,) = [
        e
        for row in matrix.rows
        for cell in row.cells
        for e in cell.excerpts
        if e.coding_id == world.cs.c16.pk
    ]
    assert c16.participants == (world.f[2].code,)
    assert c16.text.startswith("Hay que conversar.") and c16.text.endswith("[…]")
    assert not any("grité" in t or "nos pegaba" in t or "infancia" in t for t in texts)


def test_attribution_rule():
    # A participant's turn: theirs.
    assert attribution(
        speakers=[None, 7], method=Method.FOCUS_GROUP, event_people=[7, 8], withdrawn=[]
    ) == {7}
    # The interviewer only, in an interview: the interviewee.
    assert attribution(
        speakers=[None], method=Method.INTERVIEW, event_people=[5], withdrawn=[]
    ) == {5}
    # The moderator only, in a focus group: nobody.
    assert (
        attribution(speakers=[None], method=Method.FOCUS_GROUP, event_people=[7, 8], withdrawn=[])
        == frozenset()
    )
    # No event (an imported document): nobody.
    assert attribution(speakers=[3], method=None, event_people=[], withdrawn=[]) == frozenset()
    # Withdrawn: left out, or dropped from the others.
    assert (
        attribution(speakers=[None], method=Method.INTERVIEW, event_people=[5], withdrawn=[5])
        is None
    )
    assert attribution(
        speakers=[7, 8], method=Method.FOCUS_GROUP, event_people=[7, 8], withdrawn=[8]
    ) == {7}


def test_cooccurrence_counts_overlapping_codings_of_the_same_transcript(world, lead):
    co = cooccurrence(user=lead, study=world.study)
    codes = world.codes
    assert list(co.codes) == [codes.r, codes.r1, codes.r2, codes.p, codes.p1]
    assert list(co.depths) == [0, 1, 1, 0, 1]
    # Diagonal: the code's final codings (W's left out, the blind ones not final).
    assert [co.counts[i][i] for i in range(5)] == [1, 4, 7, 0, 4]
    # c2 × c3 (c5 and c18 share a turn but do not overlap: not counted).
    assert co.pair(codes.r1, codes.r2) == 1
    assert co.pair(codes.p1, codes.r2) == 1  # c7 × c8
    assert co.pair(codes.r, codes.r2) == 1  # c15 × c13
    assert co.pair(codes.r, codes.r1) == 1  # c15 × c11
    assert co.pair(codes.p1, codes.r1) == 1  # c14 × c16
    assert co.pair(codes.p, codes.r1) == 0
    assert co.pair(codes.r, codes.p1) == 0
    assert all(co.counts[i][j] == co.counts[j][i] for i in range(5) for j in range(5))


def test_generations_compare_the_share_of_each_generation_who_mention_a_code(world, lead):
    rows = {row.code: row for row in generations(user=lead, study=world.study)}
    codes = world.codes
    # Young who took part: C, A, D, F1-F3, F5, F6 = 8; older: B = 1 (W withdrew, E has
    # no transcript).
    r1 = rows[codes.r1]
    assert [(s.mentioned, s.took_part) for s in r1.shares] == [(3, 8), (1, 1)]  # A F2 F3; B
    assert r1.shares[0].share == pytest.approx(0.375)
    assert r1.difference == pytest.approx(-62.5)
    p1 = rows[codes.p1]
    assert [(s.mentioned, s.took_part) for s in p1.shares] == [(3, 8), (0, 1)]  # A C F3
    assert p1.difference == pytest.approx(37.5)
    r = rows[codes.r]
    assert [(s.mentioned, s.took_part) for s in r.shares] == [(2, 8), (0, 1)]  # F1 F2
    assert r.difference == pytest.approx(25.0)
    rolled = {row.code: row for row in generations(user=lead, study=world.study, rollup=True)}
    # R with R1 and R2: young A, C, F1, F2, F3; older B.
    assert [(s.mentioned, s.took_part) for s in rolled[codes.r].shares] == [(5, 8), (1, 1)]
    assert rolled[codes.r].difference == pytest.approx(-37.5)


def test_reliability_of_the_double_coded_transcript(world, lead, coder, coder2):
    report = study_reliability(user=lead, study=world.study)
    assert report is not None
    assert set(report.coders) == {coder.pk, coder2.pk}
    per = {entry.code: entry for entry in report.per_code}
    assert list(per) == [
        world.codes.r,
        world.codes.r1,
        world.codes.r2,
        world.codes.p,
        world.codes.p1,
    ]
    turns = list(world.t_d.turns.order_by("order"))
    # Six turns, both coders coded the transcript: six units per code.
    assert all(entry.units == 6 for entry in report.per_code)
    # Celos: both on turn 2, the second coder also on turn 6. 2 × 2 table: 1 both,
    # 4 neither, 1 second only. po = 5/6, pe = 1/6·2/6 + 5/6·4/6 = 22/36,
    # kappa = (30/36 - 22/36) / (14/36) = 4/7.
    assert per[world.codes.r2].kappa == pytest.approx(4 / 7)
    assert per[world.codes.r2].agreement == pytest.approx(5 / 6)
    assert per[world.codes.r2].disagreements == ((world.t_d.pk, turns[5].pk),)
    # R1: the first coder's span covers turns 5 and 6, the second's turn 6: kappa 4/7.
    assert per[world.codes.r1].kappa == pytest.approx(4 / 7)
    assert per[world.codes.r1].disagreements == ((world.t_d.pk, turns[4].pk),)
    # Diálogo: both on turn 4, perfect agreement.
    assert per[world.codes.p1].kappa == pytest.approx(1.0)
    by_transcript = reliability_by_transcript(user=lead, study=world.study)
    assert [r.transcript_id for r in by_transcript] == [world.t_d.pk]
    assert by_transcript[0].report.per_code[2].kappa == pytest.approx(4 / 7)
    # Not merged yet: the coders, still coding blind, read no agreement of it.
    assert study_reliability(user=coder, study=world.study) is None
    assert reliability_by_transcript(user=coder2, study=world.study) == []


def test_no_reliability_without_two_coders(study, lead):
    assert study_reliability(user=lead, study=study) is None


@pytest.mark.parametrize("who", ["upch_coordinator", "upch_viewer", "stranger"])
def test_only_members_read_the_analysis(world, who, request):
    user = request.getfixturevalue(who)
    for read in (framework_matrix, cooccurrence, generations, study_reliability):
        with pytest.raises(NotFoundError):
            read(user=user, study=world.study)
    with pytest.raises(NotFoundError):
        reliability_by_transcript(user=user, study=world.study)
    before = AuditEvent.objects.filter(action="export").count()
    with pytest.raises(NotFoundError):
        analysis_xlsx(user=user, study=world.study)
    assert AuditEvent.objects.filter(action="export").count() == before


def test_the_analysis_reads_the_study_in_a_fixed_number_of_queries(
    world, lead, django_assert_max_num_queries
):
    # 18 final codings on 7 transcripts: one query per coding or transcript would show.
    with django_assert_max_num_queries(10):
        framework_matrix(user=lead, study=world.study, excerpts=None)
    with django_assert_max_num_queries(7):
        cooccurrence(user=lead, study=world.study)
    with django_assert_max_num_queries(8):
        generations(user=lead, study=world.study)


def _sheet_rows(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_workbook_holds_the_figures_and_excerpts(world, lead, coder):
    blind = load_workbook(io.BytesIO(analysis_xlsx(user=coder, study=world.study)))
    assert "Celos" not in {r[0] for r in _sheet_rows(blind.worksheets[4])}
    data = analysis_xlsx(user=lead, study=world.study)
    book = load_workbook(io.BytesIO(data))
    assert len(book.worksheets) == 5
    matrix, quotes, pairs, ages, agree = book.worksheets
    rows = {row[0]: row for row in _sheet_rows(matrix) if row[0]}
    # Code | Iq young | Iq older | VMT young | VMT older (codings, participants each) |
    # total | unattributed.
    assert rows["Celos"][1:12] == [1, 1, 0, 0, 3, 2, 2, 1, 6, 4, 1]
    assert rows["Violencia en la familia de origen"][1:12] == [0, 0, 0, 0, 3, 3, 1, 1, 4, 4, 0]
    assert rows["Total"][1:12] == [2, 1, 0, 0, 9, 4, 3, 1, 14, 6, 2]
    assert matrix.cell(row=rows_index(matrix, "Celos"), column=1).alignment.indent == 1
    excerpt_texts = [r[6] for r in _sheet_rows(quotes)[1:]]
    # Every attributed coding once per column it falls in (none here falls in two).
    assert len(excerpt_texts) == 14
    assert any(CANARY in t for t in excerpt_texts)
    pair_rows = _sheet_rows(pairs)
    header = pair_rows[0]
    celos = next(r for r in pair_rows if r[0] == "Celos")
    assert celos[header.index("Celos")] == 7
    assert celos[header.index("Violencia en la familia de origen")] == 1
    age_rows = {r[0]: r for r in _sheet_rows(ages)}
    assert age_rows["Violencia en la familia de origen"][1:8] == [3, 8, 0.375, 1, 1, 1, -62.5]
    agree_rows = {r[0]: r for r in _sheet_rows(agree)}
    assert agree_rows["Celos"][1] == 6
    assert agree_rows["Celos"][3] == pytest.approx(4 / 7)


def rows_index(sheet, name):
    for index, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if row[0] == name:
            return index
    raise AssertionError(name)


def test_the_export_is_audited_without_a_word_of_the_transcripts(world, lead):
    analysis_xlsx(user=lead, study=world.study)
    (row,) = AuditEvent.objects.filter(action="export")
    assert row.target_id == str(world.study.pk)
    assert row.detail["codings"] == 14 and row.detail["kind"] == "analysis"
    for event in AuditEvent.objects.all():
        seen = f"{event.detail} {event.target_id} {event.target_type}"
        assert CANARY not in seen and "celaba" not in seen


def test_the_workbook_shows_text_as_text_never_as_a_formula(world, lead):
    code_create(actor=lead, study=world.study, name='=HYPERLINK("http://x")')
    book = load_workbook(io.BytesIO(analysis_xlsx(user=lead, study=world.study)))
    names = [row[0] for row in _sheet_rows(book.worksheets[0])]
    assert '\'=HYPERLINK("http://x")' in names
    assert not any(isinstance(n, str) and n.startswith("=") for n in names)
