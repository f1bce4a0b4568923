"""Reading the submissions of a Cascada form exported from KoboToolbox or ODK Central.

Pure parsing: nothing is written. ``parse_submissions`` takes the exported file as
uploaded and returns one ``Submission`` per usable row, a ``RowProblem`` for each row kept
out, or a ``FileProblem`` when the file as a whole cannot be read. Formats, as the tools
write them (../shared/standards/FORMATS.md, sections 1 and 2):

- **KoboToolbox CSV**: ``;``, every cell quoted, groups joined by ``/``
  (``items/gem_decides_sex``), the metadata columns after the form's (``_uuid``,
  ``_submission_time``, ``meta/rootUuid`` …), perhaps a second header row of HXL tags
  (``#...``), skipped. Legacy kobocat CSV (``,``, ``n/a`` for missing) reads too.
- **KoboToolbox XLSX**: the first sheet (the form's); repeat sheets are not read.
- **ODK Central CSV** (``submissions.csv``): ``,``, ``SubmissionDate`` first, groups
  joined by ``-`` (``items-gem_decides_sex``), then ``KEY`` … ``Edits``, ``FormVersion``.
- **ODK Central ZIP** (``submissions.csv.zip``): its root ``<formId>.csv``; repeat files
  (``<formId>-<repeat>.csv``) and media are not read.

The format is told by content, never by the file's name. A column is a form field when
its header is the field's name, or ends with it after a group separator (any character
that cannot be part of a name: ``/``, ``-``, ``.``), or when the header is the question's
label (Kobo's default "Labels" export), matched through ``FormLabels``. Values may be
option codes (XML values) or option labels in Spanish or English, in any case and with or
without accents.

Decisions (docs/decisions/measurement.md):

- **Identity.** ``source_key`` is what stays the same when a submission is edited: Kobo
  ``meta/rootUuid`` (without its ``uuid:`` prefix, so that it equals the ``_uuid`` of an
  unedited submission in an older export that lacks ``meta/rootUuid``), else ``_uuid``;
  ODK ``KEY`` as written. ``instance_id`` is the version: Kobo ``_uuid``, ODK
  ``meta-instanceID``.
- **Edits.** The same ``source_key`` twice in one file is one submission: the row with
  the most ``Edits`` (ODK), else the last row, is read; the others are listed in
  ``superseded_rows`` and nothing is reported about them.
- **One row, all or nothing.** A row with any problem (an unknown answer, no respondent
  code, a bad round or date, an undecidable consent, encrypted data) is reported and kept
  out whole; no half-read answers.
- **Duplicates.** Two different submissions (different ``source_key``) of the same
  respondent in the same round: the later row is reported (``duplicate_in_file``) and
  kept out.
- **Consent.** A respondent who did not consent yields a ``Submission`` with
  ``consent=False`` and no answers (nothing about him is read, S15), and is never a
  duplicate of anybody.
- Blank and ``n/a`` (legacy kobocat) are unanswered.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Literal
from zipfile import BadZipFile, ZipFile

from django.utils.translation import gettext_lazy as _

from cascada.imports.parsers import (
    ZIP_MAGIC,
    FileProblem,
    Limits,
    Table,
    ValueProblem,
    cell_text,
    check_zip,
    clean_text,
    human_size,
    import_limits,
    normalize_text,
    open_table,
    parse_int,
    shown,
)

from .scoring import Spec
from .xlsform import CONSENT, PARTICIPANT_CODE, ROUND_FIELD, SELF_CODE, SELF_CODE_PARTS

SourceName = Literal["kobo", "odk"]

# The fields of a Cascada form an import reads, besides its items (``xlsform``).
FIELDS = (CONSENT, PARTICIPANT_CODE, SELF_CODE, ROUND_FIELD)

# What each problem means (the file's problems not listed here are the imports' own,
# ``cascada.imports.messages``). Registered by the import kind that uses this module.
MESSAGES: dict[str, Any] = {
    "bad_zip": _("This ZIP file is damaged or cannot be read: download it again."),
    "zip_no_table": _("This ZIP file holds no CSV file of submissions."),
    "zip_many_tables": _(
        "This ZIP file holds the submissions of several forms (%(files)s): upload one "
        "export at a time."
    ),
    "no_item_columns": _(
        "No column of this file is a question of the instrument: is it the export of "
        "this round's form?"
    ),
    "no_respondent_column": _(
        "The file has no “participant_code” or “self_code” column: the respondents cannot be known."
    ),
    "duplicate_columns": _("Several columns hold the same question: %(columns)s."),
    "unknown_option": _("“%(value)s” is not one of the answers of question %(item)s."),
    "no_respondent": _("The submission has no participant code nor self-generated code."),
    "bad_round": _("“%(value)s” is not the number of a survey round."),
    "bad_submission_date": _("“%(value)s” is not the date and time of a submission."),
    "bad_consent": _("“%(value)s” does not say whether the respondent consented (yes or no)."),
    "not_decrypted": _(
        "The submission is encrypted and was exported without its data (“%(value)s”)."
    ),
    "duplicate_in_file": _(
        "The same respondent as row %(other)s, in another submission: only the first is read."
    ),
}

# Columns the tools add, read or expected, never listed as ignored.
KOBO_META = {
    "_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
    "_submitted_by", "__version__", "_tags", "_index", "_version_", "_xform_id_string",
    "_attachments", "_geolocation", "_duration", "_parent_table_name", "_parent_index",
    "formhub/uuid", "start", "end", "today", "username", "deviceid", "phonenumber",
    "simserial", "subscriberid", "audit", "start-geopoint",
}  # fmt: skip
ODK_META = {
    "SubmissionDate", "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent",
    "AttachmentsExpected", "Status", "ReviewState", "DeviceID", "Edits", "FormVersion",
}  # fmt: skip
META_LEAVES = {"instanceID", "rootUuid", "instanceName", "deprecatedID", "audit"}

# Accepted labels of the fields in a "Labels" export, besides ``FormLabels.fields``.
FIELD_LABELS = {
    CONSENT: ("consent", "consentimiento", "consentimiento informado", "informed consent"),
    PARTICIPANT_CODE: ("participant code", "codigo de participante", "codigo del participante"),
    SELF_CODE: ("self code", "self generated code", "codigo autogenerado", "codigo anonimo"),
    ROUND_FIELD: ("cascada round", "ronda", "round"),
}
YES = {"yes", "si", "s", "y", "1", "true", "verdadero", "acepto"}
NO = {"no", "n", "0", "false", "falso"}
MISSING = {"", "n/a"}
VALUE_CHARS = 30  # a value as shown in a problem
COLUMN_CHARS = 40


@dataclass(frozen=True)
class Submission:
    row: int  # as the user sees it in the spreadsheet (header = row 1)
    source: SourceName
    source_key: str  # stable across edits: Kobo meta/rootUuid (else _uuid), ODK KEY
    instance_id: str  # this version: Kobo _uuid, ODK meta-instanceID
    submitted_at: dt.datetime | None  # aware, UTC
    round_id: int | None
    participant_code: str
    self_code: str
    consent: bool | None  # None: the file does not say
    answers: dict[str, str]  # item code -> option code; an unanswered item is left out


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str  # the header as in the file, cut to 40 characters ("" for the whole row)
    code: str  # MESSAGES or cascada.imports.messages
    value: str = ""  # the cell as shown, cut to 30 characters
    params: dict[str, Any] = field(default_factory=dict)  # for the message (value included)


@dataclass
class ParseResult:
    source: SourceName | None = None
    submissions: list[Submission] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    file_problem: FileProblem | None = None
    columns: dict[str, str] = field(default_factory=dict)  # item code or field -> header
    ignored_columns: list[str] = field(default_factory=list)  # form columns not read
    superseded_rows: list[int] = field(default_factory=list)  # earlier versions, not read
    rows: int = 0  # data rows read (the HXL row and empty rows apart)
    table: str = ""  # the sheet of a workbook, or the file in a ZIP, that was read


def label_key(text: Any) -> str:
    """A label as compared: case, accents, punctuation and spaces do not matter."""
    value = normalize_text(clean_text(str(text or ""))).replace("'", "").replace("’", "")
    return " ".join(re.sub(r"[\W_]+", " ", value).split())


@dataclass(frozen=True)
class FormLabels:
    """The labels a "Labels" export shows instead of names, each mapped to its name:
    ``options`` scale -> label -> option code, ``items`` question text -> item code,
    ``fields`` question label -> one of ``FIELDS``. Labels are compared by
    ``label_key``; a label that would mean two things means neither."""

    options: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    items: Mapping[str, str] = field(default_factory=dict)
    fields: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, version: Any, fields: Mapping[str, str] | None = None) -> FormLabels:
        """The Spanish and English labels of ``version`` (an ``InstrumentVersion``): two
        queries. ``fields``: the labels the form gives its other questions."""
        options: dict[str, dict[str, str]] = {}
        for o in version.options.all():
            for label in (o.label_es, o.label_en):
                if label:
                    options.setdefault(o.scale, {})[label] = o.code
        items = {
            text: i.code for i in version.items.all() for text in (i.text_es, i.text_en) if text
        }
        return cls(options=options, items=items, fields=dict(fields or {}))


def _keyed(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    clashes: set[str] = set()
    for label, name in pairs:
        key = label_key(label)
        if key and out.get(key, name) != name:
            clashes.add(key)
        out.setdefault(key, name)
    return {k: v for k, v in out.items() if k and k not in clashes}


# ---------------------------------------------------------------- the file


def parse_submissions(
    data: bytes,
    filename: str,
    spec: Spec,
    labels: FormLabels | None = None,
    *,
    limits: Limits | None = None,
) -> ParseResult:
    """Read an export of ``spec``'s form (see the module's docstring). Never raises on bad
    input: a file that cannot be read comes back as ``file_problem``."""
    limits = limits or import_limits()
    result = ParseResult()
    table: Table | None = None
    try:
        table, result.table = _open(data, filename, limits)
        _read(table, spec, labels or FormLabels(), result)
    except FileProblem as problem:
        return ParseResult(file_problem=problem, table=result.table)
    finally:
        if table is not None:
            table.close()
    return result


def _open(data: bytes, filename: str, limits: Limits) -> tuple[Table, str]:
    if len(data) > limits.max_bytes:
        raise FileProblem(
            "file_too_large", size=human_size(len(data)), max=human_size(limits.max_bytes)
        )
    stream = io.BytesIO(data)
    if not data.startswith(ZIP_MAGIC):
        return open_table(stream, filename, limits), ""
    damaged = "bad_xlsx" if filename.lower().endswith(".xlsx") else "bad_zip"
    try:
        check_zip(stream, limits)
        with ZipFile(stream) as archive:
            names = archive.namelist()
            if "[Content_Types].xml" in names or any(n.startswith("xl/") for n in names):
                table = open_table(stream, filename, limits)
                return table, table.sheet
            member = _root_csv(names)
            content = archive.read(member)
    except FileProblem as problem:
        if problem.code == "bad_xlsx":
            raise FileProblem(damaged) from None
        raise
    except (BadZipFile, zlib.error, OSError, EOFError, ValueError, KeyError):
        raise FileProblem(damaged) from None
    return open_table(io.BytesIO(content), member, limits), member


def _root_csv(names: list[str]) -> str:
    """The root table of an ODK Central ZIP: the CSV whose name does not extend another's
    with ``-<repeat>`` (``gem.csv`` beside ``gem-hijos.csv``; form ids may hold dashes)."""
    csvs = [n for n in names if n.lower().endswith(".csv") and not n.startswith("media/")]
    stems = {n: PurePosixPath(n).name[:-4] for n in csvs}
    roots = [n for n in csvs if not any(stems[n].startswith(stems[m] + "-") for m in csvs)]
    if not roots:
        raise FileProblem("zip_no_table")
    if len(roots) > 1:
        raise FileProblem("zip_many_tables", files=", ".join(r[:COLUMN_CHARS] for r in roots[:5]))
    return roots[0]


# ---------------------------------------------------------------- the columns


@dataclass
class _Columns:
    source: SourceName
    items: dict[str, int] = field(default_factory=dict)
    fields: dict[str, int] = field(default_factory=dict)
    meta: dict[str, int] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)


def _by_name(header: str, names: Iterable[str]) -> str | None:
    """The longest name ``header`` is, or ends with after a separator."""
    found = [
        name
        for name in names
        if header == name or (header.endswith(name) and not _name_char(header[-len(name) - 1]))
    ]
    return max(found, key=len, default=None)


def _name_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _leaf(header: str) -> str:
    return re.split(r"[/\-.:%]", header)[-1]


def _columns(headers: list[str], spec: Spec, labels: FormLabels) -> _Columns:
    source: SourceName = "odk" if {"SubmissionDate", "KEY"} & set(headers) else "kobo"
    cols = _Columns(source=source)
    codes = [i.code for i in spec.items]
    item_labels = _keyed(labels.items.items())
    field_labels = _keyed(
        [(label, name) for name, texts in FIELD_LABELS.items() for label in texts]
        + list(labels.fields.items())
    )
    meta_names = {
        "kobo": {"_uuid": "uuid", "_submission_time": "date"},
        "odk": {"KEY": "key", "SubmissionDate": "date", "Edits": "edits", "Status": "status"},
    }[source]
    targets: dict[str, list[str]] = {}
    for index, header in enumerate(headers):
        leaf = _leaf(header)
        role = meta_names.get(header)
        if role is None and leaf == "rootUuid" and source == "kobo":
            role = "root"
        if role is None and leaf == "instanceID" and source == "odk":
            role = "uuid"
        if role is not None:
            cols.meta.setdefault(role, index)
            continue
        if header in KOBO_META or header in ODK_META or leaf in META_LEAVES or not header:
            continue
        if _by_name(header, SELF_CODE_PARTS):
            continue  # the self-code's parts: its calculate is read, never them
        name = _by_name(header, [*codes, *FIELDS])
        if name is None:
            key, key_leaf = label_key(header), label_key(header.rsplit("/", 1)[-1])
            name = item_labels.get(key) or item_labels.get(key_leaf)
            name = name or field_labels.get(key) or field_labels.get(key_leaf)
        if name is None:
            cols.ignored.append(header)
            continue
        targets.setdefault(name, []).append(header)
        (cols.fields if name in FIELDS else cols.items).setdefault(name, index)
    twice = [h for hs in targets.values() if len(hs) > 1 for h in hs]
    if twice:
        raise FileProblem("duplicate_columns", columns=", ".join(h[:COLUMN_CHARS] for h in twice))
    if not cols.items:
        raise FileProblem("no_item_columns")
    if PARTICIPANT_CODE not in cols.fields and SELF_CODE not in cols.fields:
        raise FileProblem("no_respondent_column")
    return cols


# ---------------------------------------------------------------- the rows


@dataclass
class _Row:
    number: int
    key: str
    edits: int
    submission: Submission | None
    problems: list[RowProblem]


def _read(table: Table, spec: Spec, labels: FormLabels, result: ParseResult) -> None:
    cols = _columns(table.headers, spec, labels)
    result.source = cols.source
    result.ignored_columns = cols.ignored
    for name, index in [*cols.items.items(), *cols.fields.items()]:
        result.columns[name] = table.headers[index]
    lookup = _option_lookup(spec, labels)
    scales = {i.code: i.scale for i in spec.items}
    rows: list[_Row] = []
    for n, (number, cells) in enumerate(table.rows):
        if n == 0 and _is_hxl(cells):
            continue
        rows.append(_row(number, cells, table.headers, cols, scales, lookup))
    if not rows:
        raise FileProblem("no_rows")
    result.rows = len(rows)
    latest: dict[str, _Row] = {}
    for row in rows:
        if row.key and (row.key not in latest or row.edits >= latest[row.key].edits):
            latest[row.key] = row
    kept = [r for r in rows if not r.key or latest[r.key] is r]
    result.superseded_rows = [r.number for r in rows if r.key and latest[r.key] is not r]
    seen: dict[tuple[Any, ...], int] = {}
    for row in kept:
        sub = row.submission
        if sub is None:
            result.problems.extend(row.problems)
            continue
        who = _respondent(sub)
        if sub.consent is not False and who in seen:
            column = PARTICIPANT_CODE if who[1] == "p" else SELF_CODE
            value = shown(sub.participant_code or sub.self_code, VALUE_CHARS)
            result.problems.append(
                RowProblem(
                    row=row.number,
                    column=table.headers[cols.fields[column]][:COLUMN_CHARS],
                    code="duplicate_in_file",
                    value=value,
                    params={"value": value, "other": seen[who]},
                )
            )
            continue
        if sub.consent is not False:
            seen[who] = row.number
        result.submissions.append(sub)
    result.problems.sort(key=lambda p: p.row)


def _respondent(sub: Submission) -> tuple[Any, ...]:
    code = sub.participant_code or sub.self_code
    kind = "p" if sub.participant_code else "s"
    return (sub.round_id, kind, re.sub(r"[\W_]+", "", normalize_text(code)))


def _is_hxl(cells: list[Any]) -> bool:
    texts = [cell_text(c) for c in cells if cell_text(c)]
    return bool(texts) and all(t.startswith("#") for t in texts)


def _option_lookup(spec: Spec, labels: FormLabels) -> dict[str, dict[str, str]]:
    """scale -> exact code or ``label_key`` of a code or label -> option code."""
    out: dict[str, dict[str, str]] = {}
    for scale, options in spec.options.items():
        given = labels.options.get(scale, {})
        keyed = _keyed(
            [(code, code) for code in options]
            + [(label, code) for label, code in given.items() if code in options]
        )
        out[scale] = {**keyed, **{code: code for code in options}}
    return out


def _text(cells: list[Any], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    text = cell_text(cells[index])
    return "" if text.casefold() in MISSING else text


def _row(
    number: int,
    cells: list[Any],
    headers: list[str],
    cols: _Columns,
    scales: Mapping[str, str],
    lookup: Mapping[str, Mapping[str, str]],
) -> _Row:
    problems: list[RowProblem] = []

    def problem(index: int | None, code: str, value: str, **params: Any) -> None:
        column = headers[index][:COLUMN_CHARS] if index is not None else ""
        value = shown(value, VALUE_CHARS)
        problems.append(RowProblem(number, column, code, value, {"value": value, **params}))

    meta, fields = cols.meta, cols.fields
    kobo = cols.source == "kobo"
    uuid = _text(cells, meta.get("uuid"))
    if kobo:
        key = _text(cells, meta.get("root")).removeprefix("uuid:") or uuid
    else:
        key = _text(cells, meta.get("key"))
    edits = 0
    with contextlib.suppress(ValueProblem):
        edits = parse_int(_text(cells, meta.get("edits")) or 0)
    if status := _text(cells, meta.get("status")):
        problem(meta.get("status"), "not_decrypted", status)
    submitted_at = None
    date_index = meta.get("date")
    raw_date = cells[date_index] if date_index is not None and date_index < len(cells) else None
    try:
        submitted_at = _moment(raw_date)
    except ValueError:
        problem(meta.get("date"), "bad_submission_date", cell_text(raw_date))
    round_id = None
    if raw_round := _text(cells, fields.get(ROUND_FIELD)):
        try:
            round_id = parse_int(raw_round)
        except ValueProblem:
            round_id = 0
        if round_id <= 0:
            problem(fields.get(ROUND_FIELD), "bad_round", raw_round)
    consent: bool | None = None
    if raw_consent := _text(cells, fields.get(CONSENT)):
        consent = _consent(raw_consent)
        if consent is None:
            problem(fields.get(CONSENT), "bad_consent", raw_consent)
    participant = _text(cells, fields.get(PARTICIPANT_CODE))
    self_code = _text(cells, fields.get(SELF_CODE))
    answers: dict[str, str] = {}
    if consent is not False:
        if not participant and not self_code:
            index = fields.get(PARTICIPANT_CODE, fields.get(SELF_CODE))
            problem(index, "no_respondent", "")
        for code, index in cols.items.items():
            raw = _text(cells, index)
            if not raw:
                continue
            option = _option(raw, lookup.get(scales[code], {}))
            if option is None:
                problem(index, "unknown_option", raw, item=code)
            else:
                answers[code] = option
    submission = None
    if not problems:
        submission = Submission(
            row=number,
            source=cols.source,
            source_key=key,
            instance_id=uuid,
            submitted_at=submitted_at,
            round_id=round_id,
            participant_code=participant,
            self_code=self_code,
            consent=consent,
            answers=answers,
        )
    return _Row(number, key, edits, submission, problems)


def _option(raw: str, options: Mapping[str, str]) -> str | None:
    return options.get(raw) or options.get(label_key(raw))


def _consent(raw: str) -> bool | None:
    """yes/sí/1/true (or a label starting with yes or sí: "Sí, acepto"), no/0/false."""
    value = label_key(raw)
    for text in (value, value.split(" ", 1)[0]):
        if text in YES:
            return True
        if text in NO:
            return False
    return None


def _moment(value: Any) -> dt.datetime | None:
    """A submission's date and time, aware in UTC: Kobo's UTC without offset
    (``2017-10-23T09:41:19``), ODK's ``2018-01-01T00:00:00.000Z``, or a typed XLSX cell."""
    if isinstance(value, dt.datetime):
        moment = value
    else:
        text = cell_text(value)
        if text.casefold() in MISSING:
            return None
        moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


__all__ = [
    "FIELDS",
    "MESSAGES",
    "FormLabels",
    "ParseResult",
    "RowProblem",
    "Submission",
    "label_key",
    "parse_submissions",
]
