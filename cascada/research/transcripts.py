"""Transcripts of interviews and focus groups as text (issue 12): read from the file a
researcher uploads, split into speakers' turns, and searched for what identifies someone
before the text is shared.

Everything here is pure text, no models. Offsets are counted in characters of the
normalised text (NFC, ``\\n`` line ends), as REFI-QDA counts them, so that a coded
segment, a turn and a flag all point at the same characters.

* ``transcript_text_from_file``: what a file is comes from its content, never its name:
  plain text (UTF-8 with or without BOM, UTF-16 with BOM, cp1252 as Spanish Windows saves
  it) or a Word ``.docx``; anything else is refused with the reason.
* ``split_turns``: a line that starts with a speaker label ("E:", "P1:", "Moderador(a):",
  "[00:12:03] Juan:") opens a turn.
* ``find_identifiers``: names (the study's participants, common given names, the
  registry's hashed name words), places, and capitalised words that may be names, as
  suggestions for a person to review; ``pseudonyms`` and ``replace_spans`` apply them.
"""

from __future__ import annotations

import bisect
import io
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import docx
from django.utils.translation import gettext_lazy as _

from cascada.core.errors import ApplicationError
from cascada.imports.parsers import FileProblem, Limits, check_zip, detect_encoding

# Control and invisible characters (zero-width space and joiners, BOM, soft hyphen,
# bidirectional marks): the same set every import removes from a cell.
from cascada.imports.values import _INVISIBLE

MB = 1024 * 1024
MAX_FILE_BYTES = 5 * MB
# A .docx whose text part expands beyond this is refused before it is parsed (a
# decompression bomb); every part together may expand to at most MAX_DOCX_EXPANDED.
MAX_DOCUMENT_XML_BYTES = 20 * MB
MAX_DOCX_EXPANDED = 40 * MB
DOCX_MAIN_PART = "word/document.xml"

_FIELD = {"field": "file"}


def _refuse(message: Any) -> ApplicationError:
    return ApplicationError(message, extra=dict(_FIELD))


# ---------------------------------------------------------------- normalising text

_LINE_ENDS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# Every space but the tab becomes a plain space: no-break, narrow no-break, figure, thin,
# ideographic.
_OTHER_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_TRAILING_SPACES = re.compile(r"[ \t]+$", re.MULTILINE)
_MANY_BLANK_LINES = re.compile(r"\n{4,}")  # more than two blank lines


def normalise_transcript(text: str) -> str:
    """Text as stored and counted: line ends ``\\n``, Unicode NFC (an "é" typed as "e" and
    a combining accent is one character), invisible characters removed, every space a
    plain space (tabs kept), no trailing spaces, at most two blank lines in a row, no
    leading or trailing blank space. The same for a file and for text typed in a form;
    applying it twice changes nothing."""
    text = _LINE_ENDS.sub("\n", text or "")
    text = _INVISIBLE.sub("", text)  # before NFC: a hidden character may split "e" + accent
    text = unicodedata.normalize("NFC", text)
    text = _OTHER_SPACES.sub(" ", text)
    text = _TRAILING_SPACES.sub("", text)
    text = _MANY_BLANK_LINES.sub("\n\n\n", text)
    return text.strip()


# ---------------------------------------------------------------- reading a file

# What a file is, from its first bytes.
_IMAGE_MAGIC = (
    b"\xff\xd8\xff",  # JPEG
    b"\x89PNG\r\n\x1a\n",
    b"GIF87a",
    b"GIF89a",
    b"II*\x00",  # TIFF
    b"MM\x00*",
)
_MEDIA_MAGIC = (
    b"ID3",  # MP3 with tags
    b"\xff\xfb",  # MP3 frames
    b"\xff\xf3",
    b"\xff\xf2",
    b"OggS",  # WhatsApp voice notes (Opus)
    b"fLaC",
    b"#!AMR",
    b"\x1aE\xdf\xa3",  # WebM, Matroska
)
_IMAGE_BRANDS = (b"heic", b"heix", b"hevc", b"mif1", b"msf1", b"avif")


def _media_kind(head: bytes) -> str | None:
    """What the first bytes say a file is: "image", "media" (a recording) or None."""
    if head.startswith(_IMAGE_MAGIC):
        return "image"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image"
    if head[4:8] == b"ftyp":  # ISO media: a HEIC photo, or an M4A, MP4 or 3GP recording
        return "image" if head[8:12] in _IMAGE_BRANDS else "media"
    if head.startswith(_MEDIA_MAGIC) or (head[:4] == b"RIFF" and head[8:12] in (b"WAVE", b"AVI ")):
        return "media"
    return None


def transcript_text_from_file(data: bytes) -> str:
    """The normalised text of an uploaded transcript: plain text or a Word ``.docx``,
    recognised from the content. Anything else (empty, over 5 MB, a PDF, an old ``.doc``,
    an image or a recording, another kind of zip, a ``.docx`` that expands too much,
    bytes that are not text) is an ``ApplicationError`` on the field "file"."""
    if len(data) > MAX_FILE_BYTES:
        raise _refuse(_("The file is larger than 5 MB. Split the transcript into smaller files."))
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xfe\xff"):
        raise _refuse(_("The file is empty."))
    head = data[:16]
    if head.startswith(b"%PDF-"):
        raise _refuse(
            _(
                "This is a PDF. Upload the transcript as a Word file (.docx) or as plain "
                "text (.txt)."
            )
        )
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(
            _(
                "This is an old Word file (.doc). Open it in Word, save it as .docx or as "
                "plain text (.txt), and upload it again."
            )
        )
    if head.lstrip().startswith(b"{\\rtf"):
        raise _refuse(
            _(
                "This is a rich text file (.rtf). Open it in Word, save it as .docx or as "
                "plain text (.txt), and upload it again."
            )
        )
    kind = _media_kind(head)
    if kind == "image":
        raise _refuse(
            _(
                "This is an image, not a transcript. Upload the transcript as a Word file "
                "(.docx) or as plain text (.txt)."
            )
        )
    if kind == "media":
        raise _refuse(
            _(
                "This is an audio or video recording, not a transcript. Upload its "
                "transcript as a Word file (.docx) or as plain text (.txt)."
            )
        )
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        text = _docx_text(data)
    else:
        text = _plain_text(data)
    text = normalise_transcript(text)
    if not text:
        raise _refuse(_("The file has no text."))
    return text


def _not_text() -> ApplicationError:
    return _refuse(
        _(
            "This file is not text that can be read. Upload the transcript as a Word file "
            "(.docx) or as plain text (.txt)."
        )
    )


# Control characters other than tab and line ends, private-use characters and
# non-characters: what binary data decodes to, never what people type.
_NOT_TEXT = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ue000-\uf8ff\ufffe\uffff\U000f0000-\U0010ffff]"
)


def _plain_text(data: bytes) -> str:
    """Bytes decoded as ``imports.parsers`` decodes a CSV (BOM first, then UTF-8, then
    what charset-normalizer finds among cp1252 and Latin-1); bytes that decode to control
    characters, unassigned or private characters are not text."""
    try:
        encoding = detect_encoding(data)
    except FileProblem:
        raise _not_text() from None
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        if encoding != "cp1252":
            raise _refuse(
                _(
                    "The characters of this file cannot be read. Save it as text in UTF-8 "
                    "and upload it again."
                )
            ) from None
        # The five bytes cp1252 leaves undefined: Latin-1 reads them as control characters.
        text = data.decode("latin-1")
    if len(_NOT_TEXT.findall(text)) > len(text) // 100 + 2:
        raise _not_text()
    return text


def _docx_text(data: bytes) -> str:
    """The text of a Word file: body paragraphs in order, one a line, and each table row
    as one line of its cells separated by tabs. Refused when the zip is not a Word file or
    would expand too much (checked from the zip's directory, before anything is
    decompressed)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = {info.filename: info for info in archive.infolist()}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        names = {}
    main = names.get(DOCX_MAIN_PART)
    if main is None:
        raise _refuse(
            _(
                "This compressed file is not a Word document. Upload the transcript as a "
                "Word file (.docx) or as plain text (.txt)."
            )
        )
    too_large = _(
        "This Word file expands to too much content to be read safely. Copy its text into "
        "a new document and upload that."
    )
    if main.file_size > MAX_DOCUMENT_XML_BYTES:
        raise _refuse(too_large)
    try:
        check_zip(io.BytesIO(data), Limits(max_expanded_bytes=MAX_DOCX_EXPANDED))
    except FileProblem as problem:
        if problem.code == "bad_xlsx":
            raise _damaged_docx() from None
        raise _refuse(too_large) from None
    try:
        document = docx.Document(io.BytesIO(data))
        return "\n".join(_block_lines(document.element.body))
    except Exception:  # python-docx, lxml and zipfile raise many types on damaged files
        raise _damaged_docx() from None


def _damaged_docx() -> ApplicationError:
    return _refuse(
        _(
            "This Word file is damaged or is not a Word document (.docx). Open it in Word, "
            "save it again as .docx, and upload it again."
        )
    )


def _w(tag: str) -> str:
    return "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}" + tag


_P, _TBL, _TR, _TC, _SDT, _SDT_CONTENT, _CUSTOM_XML = (
    _w(t) for t in ("p", "tbl", "tr", "tc", "sdt", "sdtContent", "customXml")
)
# Runs whose text is on the page: not deleted or moved away in tracked changes, not
# inside a text box (whose paragraphs would land in the middle of this one), and not the
# fallback copy of markup that older versions of Word would not understand.
_VISIBLE_RUNS = (
    ".//w:r[not(ancestor::w:del) and not(ancestor::w:moveFrom)"
    " and not(ancestor::w:txbxContent) and not(ancestor::*[local-name() = 'Fallback'])]"
)


def _block_lines(container: Any) -> Iterator[str]:
    """Lines of the paragraphs and tables directly in ``container`` (the body, a cell,
    a content control), in document order."""
    for child in container.iterchildren():
        if child.tag == _P:
            yield _paragraph_text(child)
        elif child.tag == _TBL:
            yield from _table_lines(child)
        elif child.tag in (_SDT, _CUSTOM_XML):
            content = child.find(_SDT_CONTENT) if child.tag == _SDT else child
            if content is not None:
                yield from _block_lines(content)


def _paragraph_text(p: Any) -> str:
    # Runs inside hyperlinks, tracked insertions, fields and content controls count too
    # (python-docx's Paragraph.text reads direct runs and hyperlinks only).
    return "".join(run.text for run in p.xpath(_VISIBLE_RUNS))


def _table_lines(tbl: Any) -> Iterator[str]:
    """A row a line, its non-empty cells separated by tabs: "E<tab>¿Cómo se llama?". A
    vertically merged cell is read once, in its first row."""
    for tr in tbl.iterchildren(_TR):
        cells = []
        for tc in tr.iterchildren(_TC):
            text = " ".join(" ".join(_block_lines(tc)).split())
            if text:
                cells.append(text)
        if cells:
            yield "\t".join(cells)


# ---------------------------------------------------------------- folding words


@cache
def _fold_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=65536)  # the words of a transcript repeat
def _fold(text: str) -> str:
    """Case and accents dropped, ñ read as n (as the registry's name hashes read it)."""
    if text.isascii():
        return text.lower()
    return "".join(_fold_char(ch) for ch in text)


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words of names that are not names: "María de los Ángeles", "Juan del Carpio".
_PARTICLES = frozenset(
    {"de", "del", "la", "las", "los", "el", "y", "e", "da", "das", "do", "dos", "di", "van"}
    | {"von", "der", "den"}
)
# Spanish words that start sentences or stand for someone without naming them: never a
# speaker label, never a possible name.
_FUNCTION_WORDS = _word_set(
    """
    el la los las un una unos unas lo le les me te se nos os yo tu usted ustedes ud uds
    ella ellas ellos nosotros nosotras vosotros mi mis su sus tus nuestro nuestra que y
    pero porque pues cuando como donde quien quienes cual cuales si no ya bueno buena
    entonces eso esto esa ese este esta estos estas esos esas aqui ahi alli asi despues
    luego antes ahora tambien tampoco nunca siempre hay era es fue soy son estoy estaba
    tengo tenia dice dijo decia digo mira oye ademas sino aunque mientras hasta desde
    para por con sin sobre entre hacia segun cada aja claro exacto gracias hola bien mal
    ok okay vale primero tercero finalmente ultimo tal otro otra algo nada todo toda
    mucho muy mas menos solo ajam mmm eh ah oh uy ay
    """
)
# The first word of a line that names a field of a header, not a speaker: "Fecha:",
# "Lugar: Iquitos", "Duración: 45 min".
_NOT_LABELS = _word_set(
    """
    fecha hora lugar duracion nota notas observacion observaciones tema codigo
    transcripcion transcriptor transcriptora titulo asunto inicio fin audio archivo sede
    distrito provincia region departamento edad ocupacion comunidad objetivo objetivos
    resumen contexto ciudad direccion telefono sexo sesion entrevista total ejemplo
    importante atencion ojo estudio proyecto instrumento guia version idioma modalidad
    link enlace email correo http https www
    """
)
# Who speaks, by role: may be written in lower case and is never a name.
_ROLE_WORDS = _word_set(
    """
    e ent entrev entrevistador entrevistadora entrevistadores entrevistado entrevistada
    mod moderador moderadora comoderador comoderadora co-moderador co-moderadora p part
    participante participantes r pregunta respuesta facilitador facilitadora
    investigador investigadora observador observadora asistente informante todos todas
    varios varias voz voces hombre hombres mujer varon joven
    """
)
# Titles before a name: the name after one is flagged even at the start of a sentence.
_TITLES = _word_set(
    """
    don dona sr sra srta senor senora senorita dr dra doctor doctora lic licenciado
    licenciada ing ingeniero ingeniera prof profa profe profesor profesora tio tia
    padre madre hermano hermana compadre comadre
    """
)
_ABBREVIATIONS = frozenset({"sr", "sra", "srta", "dr", "dra", "lic", "ing", "prof", "profa", "ud"})
# Capitalised for reasons other than naming a participant: God, saints' days, months and
# weekdays written with a capital, institutions and programmes people talk about, the
# country and the capital, languages, acronyms.
_COMMON_CAPITALISED = _word_set(
    """
    dios senor senora virgen jesucristo cristo espiritu santo santa biblia iglesia
    navidad pascua semana ano nuevo enero febrero marzo abril mayo junio julio agosto
    septiembre setiembre octubre noviembre diciembre lunes martes miercoles jueves viernes
    sabado domingo estado gobierno policia pnp comisaria fiscalia juzgado poder judicial
    ministerio municipalidad municipio alcaldia demuna cem mimp minsa essalud sis ong dni
    vih sida internet facebook whatsapp youtube tiktok instagram google tv covid congreso
    presidente constitucion ley universidad colegio escuela hospital posta centro salud
    emergencia mujer programa juntos pension qali warma vaso leche comedor ronda rondas
    campesina campesinas serenazgo ejercito marina peru bolivia lima chile ecuador
    colombia argentina venezuela brasil espana mexico estados unidos eeuu america
    quechua aimara aymara castellano espanol ingles mama papa abuelo abuela
    """
)
# Names and surnames that are also everyday words ("me da pena", "dar a luz", "la
# guerra", "una niña"): flagged only when written with a capital.
_EVERYDAY_WORDS = _word_set(
    """
    rosa rosas luz paz flor flores cruz dolores consuelo esperanza soledad milagros
    amparo rocio gloria victoria pilar blanca rosario margarita norma lidia estela
    angelica felicita lucia diana segundo justo maximo angel jesus santos marco marcos
    cesar julio tomas armando leon luna sol reyes rey torres castillo campos vega rojas
    delgado blanco moreno prado rios montes palacios salas valle cuevas pena sierra
    bravo fuentes pastor leal lobo calderon cabrera herrera rivera soto gallo cordero
    nieves villa caballero bueno serrano cano manso pinto tapia arena palma olivo lago
    montero franco romero toro guerra mora rico guerrero bautista santa santo morales
    salinas nina nino calle plaza puente iglesias domingo conde marino alegria estrella
    aurora celeste clara salvador modesto pascual sara
    """
)


@cache
def given_names() -> frozenset[str]:
    """The shipped list of common given names in Peru and Bolivia, folded."""
    path = Path(__file__).parent / "data" / "given_names.txt"
    return frozenset(
        _fold(line.strip())
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )


# ---------------------------------------------------------------- speaker turns


@dataclass(frozen=True)
class Turn:
    start: int  # offsets in the text, [start, end)
    end: int
    label: str  # "" for text before the first label, or with no labels at all


_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
# A line that may open a turn: spaces, a timestamp ("[00:12:03]", "(00:12)",
# "00:12:03 -"), the label, then a colon or a tab (a table row of a Word file).
_OPENING = re.compile(
    rf"""[ \t]*
    (?:(?:\[[ \t]*{_TIME}[ \t]*\]|\([ \t]*{_TIME}[ \t]*\)|{_TIME}(?=[ \t]))
       [ \t]*(?:[-–—][ \t]*)?)?
    (?P<label>[^\s:][^:\t\n]{{0,44}}?)[ \t]*(?::|\t)""",
    re.VERBOSE,
)
_GENDER_SUFFIX = re.compile(r"(?:\((?:a|o|as|os|es|x)\)|/(?:a|o|as|os))$", re.IGNORECASE)
_LABEL_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*(?P<number>\d{0,3})")


def _label_ok(label: str) -> bool:
    """Whether the text before a colon names a speaker: at most 4 words and 40
    characters, no sentence punctuation, each word a role ("entrevistador", "MOD", "P"),
    a code ("P1", "H01"), a number after the first word ("P 2"), a capitalised word
    ("Juan", "Sr.", "Quispe") or a particle inside ("Sr. de la Cruz"), and none a
    function word ("Él me dijo: …") or a header field ("Fecha: …")."""
    words = label.split()
    if not words or len(label) > 40 or len(words) > 4:
        return False
    previous = ""  # what the word before was: "word", "particle" or "number"
    for i, word in enumerate(words):
        if re.fullmatch(r"\d{1,3}|\(\w{1,12}\)", word):
            if previous != "word":
                return False  # "Participante 3", "Moderadora (M1)", not "A las 10"
            previous = "number"
            continue
        core = _GENDER_SUFFIX.sub("", word)  # "Moderador(a)", "Entrevistador/a"
        if core.endswith("."):
            core = core[:-1]
            initial = len(core) == 1 and core.isupper()
            if not initial and _fold(core) not in _ABBREVIATIONS:
                return False
        match = _LABEL_WORD.fullmatch(core)
        if match is None:
            return False
        letters = _fold(core[: match.start("number")])
        if letters in _PARTICLES and previous in ("word", "particle") and i < len(words) - 1:
            previous = "particle"  # "Sra. de la Cruz"
        elif letters in _FUNCTION_WORDS or letters in _NOT_LABELS:
            return False
        elif letters in _ROLE_WORDS or core[0].isupper():
            previous = "word"
        else:
            return False
    return previous in ("word", "number")


@dataclass(frozen=True)
class _Label:
    line_start: int  # first character of the line that is not a space
    start: int  # the label itself, [start, end)
    end: int


def _lines(text: str) -> Iterator[tuple[int, int]]:
    """[start, end) of every line, without its line end."""
    start = 0
    while start <= len(text):
        end = text.find("\n", start)
        if end < 0:
            end = len(text)
        yield start, end
        start = end + 1


def _labels(text: str) -> dict[int, _Label]:
    """The speaker labels of ``text``, by the start of their line."""
    found = {}
    for start, end in _lines(text):
        match = _OPENING.match(text, start, end)
        if match is None:
            continue
        raw = match.group("label")
        label = raw.strip()
        if not _label_ok(label):
            continue
        label_start = match.start("label") + (len(raw) - len(raw.lstrip()))
        line_start = start + (len(text[start:end]) - len(text[start:end].lstrip(" \t")))
        found[start] = _Label(line_start, label_start, label_start + len(label))
    return found


def _rstrip_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def split_turns(text: str) -> list[Turn]:
    """The speakers' turns of a normalised transcript, in order and never overlapping.

    A line starting with a speaker label (optionally after a timestamp) opens a turn; the
    lines after it continue it up to the next label. Text before the first label is a
    turn labelled "". A turn runs from its first character (the timestamp or label) to
    its last one that is not a space: the blank lines between turns belong to neither.
    With no labels at all, each paragraph (separated by blank lines) is a turn labelled
    ""."""
    labels = _labels(text)
    if not labels:
        return [
            Turn(m.start(), m.end(), "")
            for m in re.finditer(r"\S(?:.*\S)?(?:\n[ \t]*\S(?:.*\S)?)*", text)
        ]
    turns: list[Turn] = []
    starts = sorted(labels)
    first = labels[starts[0]].line_start
    leading = text[:first]
    if leading.strip():
        begin = len(leading) - len(leading.lstrip())
        turns.append(Turn(begin, _rstrip_end(text, begin, first), ""))
    for i, line in enumerate(starts):
        label = labels[line]
        stop = starts[i + 1] if i + 1 < len(starts) else len(text)
        end = _rstrip_end(text, label.line_start, stop)
        turns.append(Turn(label.line_start, end, text[label.start : label.end]))
    return turns


# ---------------------------------------------------------------- identifiers


@dataclass(frozen=True)
class Flag:
    start: int  # offsets in the text, [start, end)
    end: int
    text: str
    kind: str  # "name", "place", "possible_name"


# A word: letters only, not glued to digits ("P1" is a code, not a name).
_WORD = re.compile(r"(?<!\w)[^\W\d_]+(?!\w)")
_OPENING_MARKS = "¿¡\"'«“‘‹([{—–"
_CLOSING_MARKS = "\"'»”’›)]}"
_SENTENCE_END = ".!?…:"
_KIND_RANK = {"place": 0, "name": 1, "possible_name": 2}


def _sentence_start(text: str, start: int) -> bool:
    """Whether the word at ``start`` opens a sentence: at the start of the text, of a
    line or of a table cell (after a tab), after . ! ? … or : (and a closing quote), right
    after an opening mark (¿ ¡ « " ( [), or after a dash between spaces."""
    i = start - 1
    if i > 0 and text[i] in "-'’" and text[i - 1].isalpha():
        return False  # the second half of "José-Luis", "D'Angelo"
    if i >= 0 and text[i] in _OPENING_MARKS:
        return True
    while i >= 0 and text[i] == " ":
        i -= 1
    if i < 0 or text[i] in "\n\t—–-":
        return True
    while i >= 0 and text[i] in _CLOSING_MARKS:
        i -= 1
    return i < 0 or text[i] in _SENTENCE_END


_TOKEN = re.compile(r"\w+")


def _place_candidates(text: str, places: Iterable[str]) -> list[Flag]:
    """Every occurrence of every place: its words in order, case and accents aside,
    separated as in the place's name (any run of spaces and line ends counts as one
    space). Overlapping occurrences are all returned; the longest wins later. Places
    are looked up by their first word, so a list of every district of a country costs
    no more than a handful."""
    by_first: dict[str, set[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
    for place in places:
        folded = _squeeze(_fold(place or "").strip())
        spans = list(_TOKEN.finditer(folded))
        if not spans:
            continue
        tokens = tuple(m.group() for m in spans)
        separators = tuple(folded[a.end() : b.start()] for a, b in itertools.pairwise(spans))
        by_first.setdefault(tokens[0], set()).add((tokens, separators))
    if not by_first:
        return []
    words = list(_TOKEN.finditer(text))
    folded_words = [_fold(m.group()) for m in words]
    found = []
    for i, first in enumerate(folded_words):
        for tokens, separators in by_first.get(first, ()):
            last = i + len(tokens) - 1
            if last >= len(words) or tuple(folded_words[i : last + 1]) != tokens:
                continue
            gaps = [
                _squeeze(_fold(text[words[k].end() : words[k + 1].start()])) for k in range(i, last)
            ]
            if tuple(gaps) == separators:
                start, end = words[i].start(), words[last].end()
                found.append(Flag(start, end, text[start:end], "place"))
    return found


def _squeeze(gap: str) -> str:
    """Spaces and line ends between two words of a place as one space."""
    return re.sub(r"\s+", " ", gap)


def _name_words(names: Iterable[str]) -> set[str]:
    words = set()
    for name in names:
        for word in re.findall(r"[^\W\d_]+", name or ""):
            folded = _fold(word)
            if len(folded) >= 3 and folded not in _PARTICLES:
                words.add(folded)
    return words


def _without_overlaps(flags: Iterable[Flag]) -> list[Flag]:
    """The longer of two overlapping flags wins (a place before a name before a possible
    name when they are as long)."""
    kept: list[Flag] = []
    starts: list[int] = []
    ordered = sorted(flags, key=lambda f: (-(f.end - f.start), _KIND_RANK[f.kind], f.start))
    for flag in ordered:
        i = bisect.bisect_left(starts, flag.start)
        if i > 0 and kept[i - 1].end > flag.start:
            continue
        if i < len(kept) and kept[i].start < flag.end:
            continue
        kept.insert(i, flag)
        starts.insert(i, flag.start)
    return kept


def find_identifiers(
    text: str,
    *,
    names: Iterable[str] = (),
    places: Iterable[str] = (),
    name_hash: Callable[[str], str] | None = None,
    known_name_hashes: Collection[str] = (),
) -> list[Flag]:
    """What may identify someone in a normalised transcript, as suggestions to review.

    * "name": a word (of 3 letters or more, not a particle such as "de" or "los") of the
      study's participants' ``names``, of the shipped list of common given names, or whose
      ``name_hash`` is in ``known_name_hashes`` (``name_hash`` receives the word folded as
      the registry folds it: lower case, no accents, ñ as n). Case and accents do not
      matter, except that a name that is also an everyday word ("Paz", "Luz", "Flores",
      "Guerra") counts only when capitalised, and so does every registry match (the
      registry holds everyone's surnames, many of them everyday words).
    * "place": one of ``places``, whole words, case, accents and spacing aside, the
      longest first ("Villa María del Triunfo" before "Villa María").
    * "possible_name": a capitalised word, or a run of them ("Rosendo Huamán", "Villa El
      Salvador"), that is not at the start of a sentence or right after a speaker label,
      not already flagged, not a word capitalised for other reasons ("Dios", "Señor",
      months, institutions), not a 2-letter abbreviation, not on a line all in capitals
      (a heading). After a title ("Don", "Doña", "Sr.") the name is flagged even at the
      start of a sentence. A speaker label's words that are not a role or a code
      ("Rosendo:" but not "Entrevistador:" or "P1:") are possible names.

    Flags never overlap (the longer wins) and are sorted by start."""
    name_words = _name_words(names) | given_names()
    hash_cache: dict[str, bool] = {}

    def registry_name(folded: str) -> bool:
        if name_hash is None or not known_name_hashes:
            return False
        if folded not in hash_cache:
            hash_cache[folded] = name_hash(folded) in known_name_hashes
        return hash_cache[folded]

    words = list(_WORD.finditer(text))
    candidates: list[Flag] = _place_candidates(text, places)
    for match in words:
        word = match.group()
        folded = _fold(word)
        if len(folded) < 3 or folded in _PARTICLES:
            continue
        capitalised = word[0].isupper()
        if folded in _EVERYDAY_WORDS and not capitalised:
            continue
        if folded in name_words or (capitalised and registry_name(folded)):
            candidates.append(Flag(match.start(), match.end(), word, "name"))
    flags = _without_overlaps(candidates)
    flags.extend(_possible_names(text, words, flags))
    return _without_overlaps(flags)


def _possible_names(text: str, words: list[re.Match[str]], flags: list[Flag]) -> list[Flag]:
    labels = {label.start: label for label in _labels(text).values()}
    label_of: dict[int, _Label] = {}  # word start -> the label it is part of
    label_starts = sorted(labels)
    flagged = [(f.start, f.end) for f in flags]
    flag_starts = [f.start for f in flags]

    def is_flagged(start: int, end: int) -> bool:
        i = bisect.bisect_right(flag_starts, start) - 1
        if i >= 0 and flagged[i][1] > start:
            return True
        return i + 1 < len(flagged) and flagged[i + 1][0] < end

    for match in words:
        i = bisect.bisect_right(label_starts, match.start()) - 1
        if i >= 0 and labels[label_starts[i]].end >= match.end():
            label_of[match.start()] = labels[label_starts[i]]

    heading_lines: dict[int, bool] = {}

    def on_heading(pos: int) -> bool:
        line = text.rfind("\n", 0, pos) + 1
        if line not in heading_lines:
            end = text.find("\n", pos)
            content = text[line : end if end >= 0 else len(text)]
            letters = [c for c in content if c.isalpha()]
            heading_lines[line] = (
                len(content.split()) > 1 and bool(letters) and all(c.isupper() for c in letters)
            )
        return heading_lines[line]

    def qualifies(index: int) -> bool:
        match = words[index]
        word = match.group()
        folded = _fold(word)
        if not word[0].isupper() or is_flagged(match.start(), match.end()):
            return False
        if len(word) <= 2 and (word.isupper() or len(word) == 1):
            return False
        if folded in _COMMON_CAPITALISED or folded in _FUNCTION_WORDS or folded in _TITLES:
            return False
        if folded in _ROLE_WORDS or folded in _NOT_LABELS:
            return False
        if on_heading(match.start()):
            return False
        if match.start() in label_of:
            return True
        if index > 0 and _after_title(text, words[index - 1], match):
            return True
        return not _sentence_start(text, match.start())

    def joins(left: int, right: int) -> bool:
        return _joined(text, words[left].end(), words[right].start())

    found: list[Flag] = []
    index = 0
    while index < len(words):
        if not qualifies(index):
            index += 1
            continue
        first = last = index
        while True:
            # A run goes on through particles to the next capitalised word: "Villa El
            # Salvador", "Rosendo de la Torre".
            nxt = last + 1
            while (
                nxt < len(words)
                and _fold(words[nxt].group()) in _PARTICLES
                and joins(nxt - 1, nxt)
                and not is_flagged(words[nxt].start(), words[nxt].end())
            ):
                nxt += 1
            if nxt < len(words) and joins(nxt - 1, nxt) and qualifies(nxt):
                last = nxt
            else:
                break
        start, end = words[first].start(), words[last].end()
        found.append(Flag(start, end, text[start:end], "possible_name"))
        index = last + 1
    return found


def _joined(text: str, end: int, start: int) -> bool:
    """Whether two words are one run of a name: a single space or hyphen between them."""
    return text[end:start] in (" ", "-")


def _after_title(text: str, previous: re.Match[str], match: re.Match[str]) -> bool:
    """Whether ``match`` follows a title: "Don Pedro", "Sr. Quispe", "Doña Eulogia"."""
    if _fold(previous.group()) not in _TITLES:
        return False
    return text[previous.end() : match.start()] in (" ", ". ")


# ---------------------------------------------------------------- applying replacements


def replace_spans(
    text: str, replacements: Sequence[tuple[int, int, str]]
) -> tuple[str, Callable[[int], int]]:
    """``text`` with each [start, end) span replaced, and a function that maps an offset
    of ``text`` to the offset of the same place in the new text (for turns and coded
    segments). Spans may come in any order; overlapping or out-of-range spans are a
    ``ValueError``. An offset inside a replaced span maps to the start of its
    replacement; the end of a span, to the end of its replacement."""
    spans = sorted(((int(s), int(e), str(r)) for s, e, r in replacements), key=lambda x: x[:2])
    previous_end = 0
    for start, end, _replacement in spans:
        if not 0 <= start <= end <= len(text):
            raise ValueError(f"span [{start}, {end}) is outside the text (0 to {len(text)})")
        if start < previous_end:
            raise ValueError(f"span [{start}, {end}) overlaps the one before it")
        previous_end = end
    parts: list[str] = []
    cursor = 0
    for start, end, replacement in spans:
        parts.append(text[cursor:start])
        parts.append(replacement)
        cursor = end
    parts.append(text[cursor:])
    new_text = "".join(parts)

    starts = [s for s, _e, _r in spans]
    ends = [e for _s, e, _r in spans]
    shifts = [0]  # shifts[k]: how far the first k replacements move what follows them
    for start, end, replacement in spans:
        shifts.append(shifts[-1] + len(replacement) - (end - start))
    size = len(text)

    def mapped(offset: int) -> int:
        if not 0 <= offset <= size:
            raise ValueError(f"offset {offset} is outside the text (0 to {size})")
        k = bisect.bisect_right(ends, offset)  # spans ending at or before the offset
        if k < len(spans) and starts[k] < offset:  # inside span k
            return starts[k] + shifts[k]
        return offset + shifts[k]

    return new_text, mapped


def pseudonyms(flags: Sequence[Flag]) -> dict[str, str]:
    """A suggested replacement for each distinct flagged text, numbered in the order the
    flags come (``find_identifiers`` gives them in order of appearance): names and
    possible names "[NOMBRE 1]", "[NOMBRE 2]"…, places "[LUGAR 1]"…. Texts that differ
    only in case, accents or spacing ("Quispe", "QUISPE") share one."""
    numbered: dict[str, str] = {}
    counts = {"NOMBRE": 0, "LUGAR": 0}
    out: dict[str, str] = {}
    for flag in flags:
        key = _fold(" ".join(flag.text.split()))
        if key not in numbered:
            category = "LUGAR" if flag.kind == "place" else "NOMBRE"
            counts[category] += 1
            numbered[key] = f"[{category} {counts[category]}]"
        out.setdefault(flag.text, numbered[key])
    return out
