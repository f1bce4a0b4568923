"""What every form for a field tool shares (ODK Collect, KoboCollect): writing the XLSForm,
and reading back the exports of its submissions from KoboToolbox or ODK Central
(../shared/standards/FORMATS.md, sections 1 to 3). The forms themselves, and what their
answers mean, belong to the apps that own the data (``networks/xlsform.py``,
``networks/importers.py``); this module knows no form.

Writing: a form is a dict of sheets (``survey``, ``choices``, ``settings``), each a list
of rows, each row a dict of the cells it fills. Labels are bilingual, Spanish first
(``label::Español (es)``, ``label::English (en)``, Spanish the default language);
``convert`` checks a form with pyxform (and ODK Validate, Java, when asked);
``xlsform_xlsx`` writes it as the workbook a coordinator uploads to the server.

Reading: ``open_export`` opens an export as uploaded (CSV, XLSX, or ODK Central's
``submissions.csv.zip``, told apart by content, never by name) as an
``imports.parsers.Table``; ``submission_columns`` finds the metadata columns the tools add
(who the submission is, when it was sent, how often it was edited, whether it could be
decrypted); ``by_name`` and ``label_key`` match a header or a value to the form's names,
with or without group prefixes (``reach/women``, ``reach-women``) and by label (Kobo's
default "Labels" export).

Identity of a submission (what stays the same when it is edited), without the ``uuid:``
prefix so that both tools and old and new exports agree: Kobo ``meta/rootUuid``, else
``_uuid``, else ``meta/instanceID``; ODK Central ``KEY``, else ``meta-instanceID``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Literal, TypeVar
from zipfile import BadZipFile, ZipFile

from django.utils.translation import gettext_lazy as _

from cascada.core.errors import ApplicationError

from .parsers import (
    ZIP_MAGIC,
    FileProblem,
    Limits,
    Table,
    ValueProblem,
    cell_text,
    check_zip,
    clean_text,
    human_size,
    normalize_text,
    open_table,
    parse_int,
)

# ---------------------------------------------------------------- writing a form

ES = "Español (es)"
EN = "English (en)"
DEFAULT_LANGUAGE = ES

# The column order of the workbook; each row carries only the cells it fills.
SURVEY_COLUMNS = (
    "type",
    "name",
    f"label::{ES}",
    f"label::{EN}",
    f"hint::{ES}",
    f"hint::{EN}",
    "required",
    "relevant",
    "constraint",
    f"constraint_message::{ES}",
    f"constraint_message::{EN}",
    "appearance",
    "default",
    "calculation",
)
CHOICES_COLUMNS = ("list_name", "name", f"label::{ES}", f"label::{EN}")
SETTINGS_COLUMNS = ("form_title", "form_id", "version", "default_language")
COLUMNS = {"survey": SURVEY_COLUMNS, "choices": CHOICES_COLUMNS, "settings": SETTINGS_COLUMNS}

# Names pyxform accepts for a question (it refuses one starting with a digit).
XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
# Characters XML 1.0 cannot hold (openpyxl refuses them too).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

Row = dict[str, str]
Form = dict[str, list[Row]]
T = TypeVar("T")


def clean(value: str) -> str:
    return _CONTROL.sub("", value or "").strip()


def labels(es: str, en: str, kind: str = "label") -> Row:
    """Both languages; a text without its English falls back to the Spanish (better than
    the "-" a field tool would show)."""
    es, en = clean(es), clean(en)
    return {f"{kind}::{ES}": es, f"{kind}::{EN}": en or es}


def question(type_: str, name: str, es: str, en: str, **cells: str) -> Row:
    row = {"type": type_, "name": name, **labels(es, en)}
    row.update({k: v for k, v in cells.items() if v})
    return row


def hint(es: str, en: str) -> Row:
    return labels(es, en, "hint")


def constraint(expression: str, es: str, en: str) -> Row:
    return {"constraint": expression, **labels(es, en, "constraint_message")}


def choice(list_name: str, name: str, es: str, en: str) -> Row:
    return {"list_name": list_name, "name": name, **labels(es, en)}


def version_digest(*parts: Any) -> str:
    """Eight hex digits that change whenever the form does, for its ``version`` (ODK
    Central refuses a new upload of a form under the same version)."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def convert(form: Form, *, validate: bool = False) -> str:
    """The XForm (XML) of ``form``, converted by pyxform; with ``validate`` also checked
    by ODK Validate (Java, a few seconds). A form pyxform refuses is an
    ``ApplicationError`` saying why."""
    from pyxform.errors import PyXFormError
    from pyxform.validators.odk_validate import ODKValidateError
    from pyxform.xls2xform import convert as xls2xform

    try:
        return xls2xform(xlsform=form, validate=validate).xform
    except (PyXFormError, ODKValidateError) as exc:
        raise ApplicationError(
            _("The form could not be built: %(detail)s") % {"detail": exc},
            code="xlsform",
            extra={"detail": str(exc)},
        ) from exc
    except OSError as exc:  # java missing: raised by pyxform before ODK Validate runs
        raise ApplicationError(
            _("The form could not be checked: %(detail)s") % {"detail": exc},
            code="xlsform_validator",
            extra={"detail": str(exc)},
        ) from exc


def xlsform_xlsx(form: Form) -> bytes:
    """``form`` as an .xlsx workbook (sheets survey, choices, settings)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    for name, columns in COLUMNS.items():
        sheet = workbook.create_sheet(title=name)
        sheet.append(list(columns))
        for row in form.get(name, []):
            cells = []
            for column in columns:
                cell = WriteOnlyCell(sheet, value=row.get(column, ""))
                # Text, never a formula, even if it starts with "=" (exactly what pyxform
                # should read: no apostrophe added).
                cell.data_type = "s"
                cells.append(cell)
            sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- reading an export

SourceName = Literal["kobo", "odk"]

# The problems of an export as a whole (the others are ``imports.messages``'); an app
# that reads exports registers them (``messages.register_messages``).
MESSAGES: dict[str, Any] = {
    "bad_zip": _("This ZIP file is damaged or cannot be read: download it again."),
    "zip_no_table": _("This ZIP file holds no CSV file of submissions."),
    "zip_many_tables": _(
        "This ZIP file holds the submissions of several forms (%(files)s): upload one "
        "export at a time."
    ),
    "not_decrypted": _(
        "The submission is encrypted and was exported without its data (“%(value)s”)."
    ),
    "bad_submission_date": _("“%(value)s” is not the date and time of a submission."),
}

# Columns the tools add, read or expected, never a question of the form.
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
MISSING = {"", "n/a"}  # blank, and legacy kobocat's missing value
COLUMN_CHARS = 40  # a header as shown in a problem


def open_export(data: bytes, filename: str, limits: Limits) -> tuple[Table, str]:
    """The table of an export, and what was read: the sheet of a workbook, or the CSV in
    an ODK Central ZIP (its root table; repeat tables and media are not read). Raises
    ``FileProblem``."""
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
            member = root_csv(names)
            content = archive.read(member)
    except FileProblem as problem:
        if problem.code == "bad_xlsx":
            raise FileProblem(damaged) from None
        raise
    except (BadZipFile, zlib.error, OSError, EOFError, ValueError, KeyError):
        raise FileProblem(damaged) from None
    return open_table(io.BytesIO(content), member, limits), member


def root_csv(names: list[str]) -> str:
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


def label_key(text: Any) -> str:
    """A label as compared: case, accents, punctuation and spaces do not matter."""
    value = normalize_text(clean_text(str(text or ""))).replace("'", "").replace("’", "")
    return " ".join(re.sub(r"[\W_]+", " ", value).split())


def keyed(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """``label_key`` of each label -> its name; a label that would mean two things means
    neither."""
    out: dict[str, str] = {}
    clashes: set[str] = set()
    for label, name in pairs:
        key = label_key(label)
        if key and out.get(key, name) != name:
            clashes.add(key)
        out.setdefault(key, name)
    return {k: v for k, v in out.items() if k and k not in clashes}


def by_name(header: str, names: Iterable[str]) -> str | None:
    """The longest name ``header`` is, or ends with after a group separator (any
    character that cannot be part of a name: ``/``, ``-``, ``.``)."""
    found = [
        name
        for name in names
        if header == name or (header.endswith(name) and not _name_char(header[-len(name) - 1]))
    ]
    return max(found, key=len, default=None)


def _name_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def leaf(header: str) -> str:
    return re.split(r"[/\-.:%]", header)[-1]


def is_hxl(cells: Sequence[Any]) -> bool:
    """Kobo's second header row of HXL tags (``#...``), to be skipped."""
    texts = [cell_text(c) for c in cells if cell_text(c)]
    return bool(texts) and all(t.startswith("#") for t in texts)


def text(cells: Sequence[Any], index: int | None) -> str:
    """A cell as text; blank and ``n/a`` are unanswered."""
    if index is None or index >= len(cells):
        return ""
    value = cell_text(cells[index])
    return "" if value.casefold() in MISSING else value


@dataclass
class MetaColumns:
    """Where the tools' columns are (indexes of the header), and which tool wrote them."""

    source: SourceName
    key: int | None = None  # ODK KEY, Kobo meta/rootUuid
    instance: int | None = None  # ODK meta-instanceID, Kobo _uuid (else meta/instanceID)
    submitted: int | None = None  # ODK SubmissionDate, Kobo _submission_time
    edits: int | None = None  # ODK Edits
    status: int | None = None  # ODK Status ("not decrypted")
    meta: set[int] = field(default_factory=set)  # every column of the tools

    @property
    def has_identity(self) -> bool:
        return self.key is not None or self.instance is not None


def submission_columns(headers: Sequence[str]) -> MetaColumns:
    """The metadata columns of an export: every other column is the form's."""
    source: SourceName = "odk" if {"SubmissionDate", "KEY"} & set(headers) else "kobo"
    cols = MetaColumns(source=source)
    instance_leaf: int | None = None
    roles = {
        "kobo": {"_uuid": "instance", "_submission_time": "submitted"},
        "odk": {"KEY": "key", "SubmissionDate": "submitted", "Edits": "edits", "Status": "status"},
    }[source]
    for index, header in enumerate(headers):
        end = leaf(header)
        if header in KOBO_META or header in ODK_META or end in META_LEAVES:
            cols.meta.add(index)
        role = roles.get(header)
        if role is not None and getattr(cols, role) is None:
            setattr(cols, role, index)
        elif end == "rootUuid" and source == "kobo" and cols.key is None:
            cols.key = index
        elif end == "instanceID" and instance_leaf is None:
            instance_leaf = index
    if cols.instance is None:
        cols.instance = instance_leaf
    return cols


@dataclass(frozen=True)
class Identity:
    key: str  # stable across edits, without "uuid:"
    instance: str  # this version, without "uuid:"
    edits: int
    submitted_at: dt.datetime | None


def submission_identity(cells: Sequence[Any], cols: MetaColumns) -> Identity:
    """Who a row is (see the module's docstring). Raises ``ValueProblem``
    (``bad_submission_date``, ``not_decrypted``) for a row the tool marked unusable."""
    instance = text(cells, cols.instance).removeprefix("uuid:")
    key = text(cells, cols.key).removeprefix("uuid:") or instance
    edits = 0
    try:
        edits = parse_int(text(cells, cols.edits) or 0)
    except ValueProblem:
        edits = 0
    if status := text(cells, cols.status):
        raise ValueProblem("not_decrypted", value=status)
    raw = (
        cells[cols.submitted]
        if cols.submitted is not None and cols.submitted < len(cells)
        else None
    )
    try:
        submitted_at = submission_moment(raw)
    except ValueError:
        raise ValueProblem("bad_submission_date", value=cell_text(raw)) from None
    return Identity(key=key, instance=instance, edits=edits, submitted_at=submitted_at)


def submission_moment(value: Any) -> dt.datetime | None:
    """A submission's date and time, aware in UTC: Kobo's UTC without offset
    (``2017-10-23T09:41:19``), ODK's ``2018-01-01T00:00:00.000Z``, or a typed XLSX cell.
    Raises ``ValueError``."""
    if isinstance(value, dt.datetime):
        moment = value
    else:
        value = cell_text(value)
        if value.casefold() in MISSING:
            return None
        moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def latest_versions(
    items: Sequence[T], key: Callable[[T], str], edits: Callable[[T], int]
) -> tuple[list[T], list[T]]:
    """The same submission several times in one file (edited after it was sent): the
    version with the most edits (ODK ``Edits``), else the last, is read. Returns (items
    read, items superseded), each in file order; an item without a key is always read."""
    latest: dict[str, T] = {}
    for item in items:
        k = key(item)
        if k and (k not in latest or edits(item) >= edits(latest[k])):
            latest[k] = item
    read = [i for i in items if not key(i) or latest[key(i)] is i]
    return read, [i for i in items if key(i) and latest[key(i)] is not i]


def choice_lookup(codes: Iterable[str], given: Mapping[str, str]) -> dict[str, str]:
    """Option codes and labels (``given``: label -> code) as read from a cell -> code:
    the exact code, or the ``label_key`` of a code or of a label."""
    codes = list(codes)
    found = keyed([(c, c) for c in codes] + [(k, v) for k, v in given.items() if v in codes])
    return {**found, **{c: c for c in codes}}


def choose(raw: str, lookup: Mapping[str, str]) -> str | None:
    return lookup.get(raw) or lookup.get(label_key(raw))
