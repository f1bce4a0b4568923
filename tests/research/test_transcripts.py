"""Transcripts as text (cascada.research.transcripts): files read from their content,
speakers' turns, identifiers found and replaced. Pure text, no database.

The snippets are invented, written the way interviews with men in Peru are transcribed:
Spanish with accents, ñ and "¿", Windows line ends, Word files with tables.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from itertools import pairwise

import docx
import pytest
from django.utils import translation
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from hypothesis import given, settings
from hypothesis import strategies as st

from cascada.core.errors import ApplicationError
from cascada.research.transcripts import (
    Flag,
    Turn,
    find_identifiers,
    given_names,
    normalise_transcript,
    pseudonyms,
    replace_spans,
    split_turns,
    transcript_text_from_file,
)

INTERVIEW = (
    "Entrevistador: Buenos días, ¿cómo está?\r\n"
    "Participante 3: Bien, señorita. Acá en Villa María del Triunfo todo tranquilo.\r\n"
    "Mi papá siempre decía: el hombre no llora.\r\n"
    "\r\n"
    "Entrevistador: ¿Y usted qué piensa de eso?\r\n"
    "Participante 3: Que no es así. Uno también sufre, pues.\r\n"
)


def refusal(data: bytes) -> str:
    with pytest.raises(ApplicationError) as caught:
        transcript_text_from_file(data)
    assert caught.value.extra == {"field": "file"}
    with translation.override("en"):
        return str(caught.value)


def make_docx(build) -> bytes:
    document = docx.Document()
    build(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


# --- Reading files ---------------------------------------------------------------------


def test_utf8_with_windows_line_ends():
    text = transcript_text_from_file(INTERVIEW.encode("utf-8"))
    assert "\r" not in text
    assert text.splitlines()[0] == "Entrevistador: Buenos días, ¿cómo está?"
    assert "\n\nEntrevistador: ¿Y usted" in text
    assert not text.endswith("\n")


def test_utf8_with_bom_and_utf16_with_bom():
    expected = transcript_text_from_file(INTERVIEW.encode("utf-8"))
    assert transcript_text_from_file(b"\xef\xbb\xbf" + INTERVIEW.encode("utf-8")) == expected
    assert transcript_text_from_file(INTERVIEW.encode("utf-16")) == expected  # BOM + LE
    assert transcript_text_from_file(b"\xfe\xff" + INTERVIEW.encode("utf-16-be")) == expected
    assert "\ufeff" not in expected


def test_cp1252_as_spanish_word_saves_plain_text():
    original = (
        "Entrevistadora: ¿Qué pasó después, señor?\r\n"
        "E2: Mi compañero me dijo “aguántate”… y yo me aguanté. Así es acá, en "
        "el campo, la niña aprende a callarse y el niño a pegar.\r\n"
        "Entrevistadora: ¿Y su mamá qué decía? ¿Le pegaba su papá a ella también?\r\n"
        "E2: Sí, señorita. Años así fueron. Mi mamá lloraba en la cocina, bajito.\r\n"
    )
    data = original.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = transcript_text_from_file(data)
    assert text == original.replace("\r\n", "\n").strip()
    assert "“aguántate”…" in text and "niña" in text


def test_normalisation_counts_characters():
    decomposed = "Jose\u0301 Pe\u0301rez: cuando e\u0301l llego\u0301\u00a0a casa   \n"
    text = normalise_transcript(decomposed)
    assert text == "José Pérez: cuando él llegó a casa"
    assert text == unicodedata.normalize("NFC", text)
    assert len("José") == 4 and text.index("Pérez") == 5
    # The same from a file: one character for "é", so offsets agree with REFI-QDA's.
    from_file = transcript_text_from_file(decomposed.encode("utf-8"))
    assert from_file == text
    (turn,) = split_turns(from_file)
    assert turn.label == "José Pérez" and turn.end == len(from_file) == 34


def test_invisible_characters_spaces_and_blank_lines():
    raw = (
        "\ufeff  P1:\u200b hola\u200d, ca\u00admi\u00adsa\u2060 \t \n"
        "segunda\ufeff línea\u00a0con\u202fespacios\u00a0\u00a0\n\n\n\n\n\n"
        "después de muchas líneas en blanco\r"
        "y un retorno de Mac\x0bantiguo\u2028fin  \n\n"
    )
    text = normalise_transcript(raw)
    assert text == (
        "P1: hola, camisa\n"
        "segunda línea con espacios\n\n\n"
        "después de muchas líneas en blanco\n"
        "y un retorno de Mac\nantiguo\nfin"
    )
    assert normalise_transcript(text) == text
    assert normalise_transcript("") == ""


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("aé\u0301 \t\n\r\u00a0\u200b\ufeffÑ¿:P1")))
def test_normalising_twice_changes_nothing(raw):
    once = normalise_transcript(raw)
    assert normalise_transcript(once) == once
    assert "\r" not in once and "\n\n\n\n" not in once
    assert all(line == line.rstrip() for line in once.split("\n"))


def test_docx_paragraphs_and_tables_in_order():
    def build(document):
        document.add_paragraph("Grupo focal 2 — varones de 25 a 40 años")
        document.add_paragraph("")
        p = document.add_paragraph("MOD: ¿Qué es ser ")
        p.add_run("hombre").bold = True
        p.add_run(" para ustedes?")
        table = document.add_table(rows=3, cols=2)
        table.cell(0, 0).text = "P1"
        table.cell(0, 1).text = "Trabajar, mantener a la familia."
        table.cell(1, 0).text = "P2"
        table.cell(1, 1).text = "Ser respetado.\nQue te hagan caso."
        merged = table.cell(2, 0).merge(table.cell(2, 1))
        merged.text = "(Risas)"
        document.add_paragraph("MOD: Gracias a todos.")

    text = transcript_text_from_file(make_docx(build))
    assert text.split("\n") == [
        "Grupo focal 2 — varones de 25 a 40 años",
        "",
        "MOD: ¿Qué es ser hombre para ustedes?",
        "P1\tTrabajar, mantener a la familia.",
        "P2\tSer respetado. Que te hagan caso.",
        "(Risas)",
        "MOD: Gracias a todos.",
    ]
    assert [t.label for t in split_turns(text)] == ["", "MOD", "P1", "P2", "MOD"]


def test_docx_tracked_changes_and_vertical_merge():
    def build(document):
        p = document.add_paragraph("E: Él ")
        p._p.append(
            parse_xml(
                f'<w:ins {nsdecls("w")} w:id="1" w:author="Revisora" w:date="2024-05-01T00:00:00Z">'
                '<w:r><w:t xml:space="preserve">nunca </w:t></w:r></w:ins>'
            )
        )
        p._p.append(
            parse_xml(
                f'<w:del {nsdecls("w")} w:id="2" w:author="Revisora" w:date="2024-05-01T00:00:00Z">'
                "<w:r><w:delText>siempre </w:delText></w:r></w:del>"
            )
        )
        p.add_run("me pegó.")
        table = document.add_table(rows=2, cols=2)
        table.cell(0, 0).merge(table.cell(1, 0)).text = "P3"
        table.cell(0, 1).text = "Primera parte."
        table.cell(1, 1).text = "Segunda parte."

    text = transcript_text_from_file(make_docx(build))
    assert text == "E: Él nunca me pegó.\nP3\tPrimera parte.\nSegunda parte."
    turns = split_turns(text)
    assert [(t.label, text[t.start : t.end]) for t in turns] == [
        ("E", "E: Él nunca me pegó."),
        ("P3", "P3\tPrimera parte.\nSegunda parte."),
    ]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b" \r\n\t \r\n", "empty"),
        (b"\xef\xbb\xbf", "empty"),
        ("\u200b\u00ad\n".encode(), "no text"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".doc"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100, "image"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 100, "image"),
        (b"OggS\x00\x02" + b"\x00" * 100, "recording"),
        (b"{\\rtf1\\ansi\\deff0 {\\fonttbl}", ".rtf"),
        (bytes(range(256)) * 4, "not text"),
    ],
)
def test_refused_files(data, words):
    assert words in refusal(data)


def test_refused_zips_that_are_not_word_files():
    assert "not a Word document" in refusal(make_zip({"notas.txt": b"hola"}))
    workbook = make_zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>"})
    assert "not a Word document" in refusal(workbook)
    assert "not a Word document" in refusal(b"PK\x03\x04" + b"\x00" * 50)
    damaged = make_zip({"word/document.xml": b"<w:document>no es XML"})
    assert "damaged" in refusal(damaged)


def test_refused_file_over_5_mb():
    data = ("E: " + "palabra " * 700_000).encode()
    assert len(data) > 5 * 1024 * 1024
    assert "5 MB" in refusal(data)


def repacked(extra: dict[str, bytes] | None = None, grow: int = 0) -> bytes:
    """A real Word file, its text part grown by ``grow`` spaces, with ``extra`` parts."""
    good = make_docx(lambda d: d.add_paragraph("E: hola"))
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(good)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b"hola", b"hola" + b" " * grow)
            target.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def test_refused_decompression_bombs():
    assert transcript_text_from_file(repacked(grow=1000)) == "E: hola"
    bomb = repacked(grow=21 * 1024 * 1024)  # the text part expands to 21 MB
    assert len(bomb) < 100_000
    assert "expands to too much" in refusal(bomb)
    # Another part, smaller, but compressed far beyond what Word writes.
    other = repacked({"word/media/relleno.bin": b"\x00" * (5 * 1024 * 1024)})
    assert "expands to too much" in refusal(other)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=3000),
        st.builds(lambda b: b"PK\x03\x04" + b, st.binary(max_size=500)),
        st.builds(lambda b: b"\xff\xfe" + b, st.binary(max_size=500)),
        st.builds(lambda b: b"\xef\xbb\xbf" + b, st.binary(max_size=500)),
        st.builds(lambda b: b"Participante 1: " + b, st.binary(max_size=500)),
        st.builds(lambda b: make_zip({"word/document.xml": b}), st.binary(max_size=500)),
    )
)
def test_junk_bytes_are_text_or_a_refusal(data):
    try:
        text = transcript_text_from_file(data)
    except ApplicationError as problem:
        assert problem.extra == {"field": "file"}
    else:
        assert isinstance(text, str) and text == normalise_transcript(text) and text


# --- Speaker turns ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "label"),
    [
        ("E: ¿Cuántos años tiene?", "E"),
        ("ENT: ¿Trabaja?", "ENT"),
        ("Entrevistador: ¿Con quién vive?", "Entrevistador"),
        ("Entrevistadora: Cuénteme.", "Entrevistadora"),
        ("Moderador(a): Empecemos.", "Moderador(a)"),
        ("MOD: ¿Alguien más?", "MOD"),
        ("P: ¿Y su papá?", "P"),
        ("P1: Yo pienso que no.", "P1"),
        ("P 2: Depende, pues.", "P 2"),
        ("Participante 3: Así es.", "Participante 3"),
        ("R: Nunca le pegué.", "R"),
        ("Juan: A mí me criaron así.", "Juan"),
        ("Sr. Quispe: Eso era antes.", "Sr. Quispe"),
        ("[00:12:03] E: ¿Y después?", "E"),
        ("(00:12) P1: Me fui de la casa.", "P1"),
        ("00:12:03 - Entrevistador: Siga, por favor.", "Entrevistador"),
        ("entrevistador/a: ¿Y usted?", "entrevistador/a"),
        ("Sra. de la Cruz: Así fue.", "Sra. de la Cruz"),
        ("Varios participantes: (risas)", "Varios participantes"),
        ("P3\tEn mi casa mandaba mi papá.", "P3"),
    ],
)
def test_label_styles(line, label):
    text = f"Texto antes.\n{line}\nsigue la respuesta."
    turns = split_turns(text)
    assert [t.label for t in turns] == ["", label]
    assert text[turns[1].start : turns[1].end] == f"{line}\nsigue la respuesta."


@pytest.mark.parametrize(
    "line",
    [
        "Él me dijo: vete de aquí.",
        "Mi papá siempre decía: el hombre no llora.",
        "Y le respondí: no, ya no.",
        "Entonces Pedro: nada que ver.",
        "Fecha: 12 de marzo de 2024",
        "Lugar de la entrevista: Iquitos",
        "A las 10:30 llegó la policía.",
        "Bueno, como le digo: así es.",
        "1: primera cosa",
        "https://ejemplo.pe/audio",
        "Sí: eso.",
    ],
)
def test_sentences_with_a_colon_are_not_labels(line):
    text = f"E: Cuénteme.\n{line}"
    assert split_turns(text) == [Turn(0, len(text), "E")]


def test_turns_offsets_blank_lines_and_text_before_the_first_label():
    text = transcript_text_from_file(
        (
            "Entrevista 4 – Iquitos\r\n"
            "Duración: 45 min\r\n\r\n"
            "[00:00:10] E: ¿Cómo se llama?   \r\n\r\n"
            "P: Me dicen Chato.\r\n"
            "Mi nombre es otro, ¿no?\r\n\r\n\r\n"
            "E: Ya. ¿Y de dónde es?\r\n"
        ).encode()
    )
    turns = split_turns(text)
    assert [(t.label, text[t.start : t.end]) for t in turns] == [
        ("", "Entrevista 4 – Iquitos\nDuración: 45 min"),
        ("E", "[00:00:10] E: ¿Cómo se llama?"),
        ("P", "P: Me dicen Chato.\nMi nombre es otro, ¿no?"),
        ("E", "E: Ya. ¿Y de dónde es?"),
    ]
    assert all(a.end < b.start for a, b in pairwise(turns))


def test_no_labels_one_turn_a_paragraph():
    text = "Primer párrafo\nsigue.\n\nSegundo párrafo.\n\n\nTercero."
    turns = split_turns(text)
    assert [text[t.start : t.end] for t in turns] == [
        "Primer párrafo\nsigue.",
        "Segundo párrafo.",
        "Tercero.",
    ]
    assert {t.label for t in turns} == {""}
    assert split_turns("") == []


LINES = [
    "E: ¿Qué piensa?",
    "P1: Que el hombre manda.",
    "[00:01:02] Moderadora: ¿Todos piensan igual?",
    "Juan: No, pues.",
    "Él me dijo: cállate.",
    "y así nomás fue",
    "  con sangría al inicio",
    "",
    "",
    "Mi tío Rosendo: un buen hombre.",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(LINES), max_size=25))
def test_turns_cover_every_character_once(lines):
    text = normalise_transcript("\n".join(lines))
    turns = split_turns(text)
    covered = [0] * len(text)
    previous_end = -1
    for turn in turns:
        assert previous_end < turn.start < turn.end <= len(text)
        piece = text[turn.start : turn.end]
        assert piece == piece.strip()
        for i in range(turn.start, turn.end):
            covered[i] += 1
        previous_end = turn.end
    for i, ch in enumerate(text):
        assert covered[i] == 1 or (ch.isspace() and covered[i] == 0)


# --- Identifiers -----------------------------------------------------------------------

PARAGRAPH = normalise_transcript(
    "Juan: Cuando llegué a villa maria del triunfo, Quispe ya tenía problemas con Rosa.\n"
    "Después conocí a Eleuterio en la chacra y él me presentó a Pancracio Huayta. "
    "Gracias a Dios el Señor nos ayudó. Doña Eulogia lo sabe. En el CEM nos atendieron.\n"
    "Entrevistador: ¿Y vive en paz ahora? Dar a luz fue duro para ella.\n"
    "Juan: Sí, ya no tomo. Nosotros vamos a Iquitos en julio."
)


def registry_hash(word: str) -> str:
    return f"h:{word[::-1]}"


def find(text: str = PARAGRAPH) -> list[Flag]:
    return find_identifiers(
        text,
        names=["Juan Carlos Quispe Mamani", "Eleuterio de la Cruz"],
        places=["Iquitos", "Villa María", "Villa María del Triunfo"],
        name_hash=registry_hash,
        known_name_hashes={registry_hash("pancracio")},
    )


def test_identifiers_in_an_interview():
    flags = find()
    found = [(f.text, f.kind) for f in flags]
    assert found == [
        ("Juan", "name"),  # the speaker label: a given name of the list
        ("villa maria del triunfo", "place"),  # typed without accents; the longest place
        ("Quispe", "name"),  # a participant's surname, alone
        ("Rosa", "name"),  # a given name of the list
        ("Eleuterio", "name"),  # a participant's given name
        ("Pancracio", "name"),  # in the registry, by its keyed hash
        ("Huayta", "possible_name"),  # capitalised, mid-sentence, unknown
        ("Eulogia", "name"),  # after "Doña", and on the list
        ("Juan", "name"),
        ("Iquitos", "place"),  # and not "julio", a name that is also a month
    ]
    for flag in flags:
        assert PARAGRAPH[flag.start : flag.end] == flag.text
    assert all(a.end <= b.start for a, b in pairwise(flags))
    texts = {f.text for f in flags}
    # Sentence starts, God, the Lord, institutions, everyday words that are also names.
    for word in ("Cuando", "Después", "Gracias", "Dios", "Señor", "Doña", "CEM", "paz", "luz"):
        assert word not in texts
    assert "Entrevistador" not in texts and "Nosotros" not in texts


def test_possible_names_runs_titles_and_headings():
    text = (
        "E: Mi primo Rosendo Huamán Ccori vive en Villa El Salvador.\n"
        "Don Anselmo no quiso. Sr. Ccahuana tampoco.\n"
        "ACTA DE LA SESIÓN ORDINARIA\n"
        'P: Lo dijo "Vete" y se fue. Así nomás, ¿Usted cree? La PNP no vino, ni la DEMUNA.'
    )
    flags = find_identifiers(text)
    assert [(f.text, f.kind) for f in flags] == [
        ("Rosendo", "name"),
        ("Huamán Ccori", "possible_name"),
        ("Villa El Salvador", "possible_name"),
        ("Anselmo", "possible_name"),
        ("Ccahuana", "possible_name"),
    ]


def test_unknown_speaker_label_is_a_possible_name_but_roles_and_codes_are_not():
    text = "Anacleto: Yo no sé.\nEntrevistador: ¿No?\nP1: Tampoco.\nSr. Cusi: Yo sí."
    flags = find_identifiers(text)
    assert [(f.text, f.kind) for f in flags] == [
        ("Anacleto", "possible_name"),
        ("Cusi", "possible_name"),
    ]


def test_everyday_words_count_as_names_only_when_capitalised():
    text = "E: ¿Y la niña? P: Vive con Paz y con la señora Flores, le tiene pena a la guerra."
    flags = find_identifiers(text, names=["Nina Flores Peña", "Luz Paz Guerra"])
    assert [(f.text, f.kind) for f in flags] == [("Paz", "name"), ("Flores", "name")]


def test_given_names_list():
    names = given_names()
    assert 180 <= len(names) <= 260
    assert {"jose", "maria", "jesus", "rocio", "oscar"} <= names


def test_places_longest_first_and_never_overlapping():
    text = "Vivo en Villa María del Triunfo, antes en villa maria y en SAN JUAN DE LURIGANCHO."
    flags = find_identifiers(
        text, places=["Villa María", "Villa María del Triunfo", "San Juan de Lurigancho"]
    )
    assert [(f.text, f.kind) for f in flags] == [
        ("Villa María del Triunfo", "place"),
        ("villa maria", "place"),
        ("SAN JUAN DE LURIGANCHO", "place"),  # not "JUAN" as a name: the place is longer
    ]


def test_pseudonyms_in_order_of_appearance():
    text = "Quispe vino con Juan. Después QUISPE fue a Iquitos, y Juan a iquitos."
    flags = find_identifiers(text, names=["Pedro Quispe"], places=["Iquitos"])
    assert pseudonyms(flags) == {
        "Quispe": "[NOMBRE 1]",
        "Juan": "[NOMBRE 2]",
        "QUISPE": "[NOMBRE 1]",
        "Iquitos": "[LUGAR 1]",
        "iquitos": "[LUGAR 1]",
    }
    names = pseudonyms(flags)
    new, mapped = replace_spans(text, [(f.start, f.end, names[f.text]) for f in flags])
    assert new == (
        "[NOMBRE 1] vino con [NOMBRE 2]. Después [NOMBRE 1] fue a [LUGAR 1], "
        "y [NOMBRE 2] a [LUGAR 1]."
    )
    assert new[mapped(text.index("Después")) :].startswith("Después")


# --- Replacing spans -------------------------------------------------------------------


def test_replace_spans_basics_and_refusals():
    text = "abcdefghij"
    new, mapped = replace_spans(text, [(7, 9, ""), (2, 4, "XYZ"), (5, 5, "+")])
    assert new == "abXYZe+fgj"
    assert [mapped(i) for i in range(11)] == [0, 1, 2, 2, 5, 7, 8, 9, 9, 9, 10]
    assert replace_spans(text, [])[0] == text
    for bad in ([(3, 5, "x"), (4, 6, "y")], [(-1, 2, "x")], [(5, 11, "x")], [(6, 5, "x")]):
        with pytest.raises(ValueError):
            replace_spans(text, bad)
    with pytest.raises(ValueError):
        mapped(11)


@st.composite
def spans_of(draw, text: str):
    cuts = sorted(draw(st.sets(st.integers(0, len(text)), max_size=12)))
    pairs = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2)]
    return [(s, e, draw(st.text(alphabet="[]NOMBRE 123", max_size=12))) for s, e in pairs]


INTERVIEW_TEXT = normalise_transcript(INTERVIEW)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_replace_spans_keeps_untouched_text_and_turns_in_place(data):
    text = INTERVIEW_TEXT
    spans = data.draw(spans_of(text))
    new, mapped = replace_spans(text, data.draw(st.permutations(spans)))
    touched = {i for s, e, _r in spans for i in range(s, e)}
    for offset in range(len(text)):
        if offset not in touched:
            assert new[mapped(offset)] == text[offset]
    assert mapped(len(text)) == len(new)
    for turn in split_turns(text):
        a, b = turn.start, turn.end
        # A turn keeps the spans inside it and an insertion at its end, not one at its start.
        own = [(s - a, e - a, r) for s, e, r in spans if a <= s and e <= b and not s == e == a]
        crossing = [1 for s, e, _r in spans if not (a <= s and e <= b) and not (e <= a or s >= b)]
        if not crossing:
            expected, _mapped = replace_spans(text[a:b], own)
            assert new[mapped(a) : mapped(b)] == expected


def test_flags_replaced_turn_by_turn():
    text = PARAGRAPH
    flags = find()
    names = pseudonyms(flags)
    new, mapped = replace_spans(text, [(f.start, f.end, names[f.text]) for f in flags])
    new_turns = [Turn(mapped(t.start), mapped(t.end), t.label) for t in split_turns(text)]
    assert [new[t.start : t.end].split(":")[0] for t in new_turns] == [
        "[NOMBRE 1]",
        "Entrevistador",
        "[NOMBRE 1]",
    ]
    assert "Quispe" not in new and "Pancracio" not in new and "[LUGAR 1]" in new
