"""Importing a network's actions recorded in the field with ODK Collect or KoboCollect
(``xlsform.py``), from an export of ODK Central or KoboToolbox, as background jobs
(docs/decisions/networks.md). Opening the export and telling its metadata columns apart
is the imports' machinery (``imports/field_forms.py``); this module reads the form's
answers, checks them against the database and writes them.

1. ``upload_actions``: the file is kept encrypted (``imports.storage``) and its check
   queued (job ``networks_actions_check``).
2. The check reads every row and writes nothing but its report on the upload: the file's
   problems, and each row's, with row, column and reason in the reader's language (an
   unknown kind, a headcount that is not a whole number of 0 or more, a bad date, a
   planned activity that is not in the approved plan of the action's year, a submission
   of another network's form). A row with any problem is kept out whole.
3. ``import_confirm`` queues the import (job ``networks_actions_import``): it reads and
   checks the file again, then writes the usable rows through ``services.action_record``
   with the submission's identity as the action's ``client_key`` (``field_forms``: ODK
   ``KEY``, Kobo ``meta/rootUuid`` or ``_uuid``, without ``uuid:``). The same submission
   imported twice, or a job run again after a lost worker, is one action. A file with
   problems is imported only when the user chose to leave those rows out.

Who may: those who may record the network's actions (``selectors.may_record``) and may
ask for an import job in the network's organization (``Cap.IMPORT``, the job kinds'
capability, checked again when the job runs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from cascada.imports import field_forms
from cascada.imports.field_forms import (
    COLUMN_CHARS,
    MetaColumns,
    by_name,
    choice_lookup,
    choose,
    is_hxl,
    keyed,
    label_key,
    latest_versions,
    open_export,
    submission_columns,
    submission_identity,
    text,
)
from cascada.imports.models import ImportStatus
from cascada.imports.parsers import FileProblem, ValueProblem, import_limits, parse_date, parse_int
from cascada.imports.parsers import shown as shown_value
from cascada.imports.storage import upload_open, upload_read, upload_store
from cascada.jobs.kinds import JobKind
from cascada.jobs.models import Job
from cascada.jobs.services import JobCancelled, JobContext, job_enqueue
from cascada.registry.models import Place
from cascada.trainings.clock import country_today

from .models import ActionUpload, ActivityKind, Network
from .selectors import may_record, network_list
from .services import action_record
from .xlsform import (
    AUDIENCE,
    DATE,
    HEADCOUNT_MAX,
    HEADCOUNTS,
    KIND,
    KIND_LIST,
    MATERIALS,
    NETWORK_FIELD,
    NOTES,
    OTHER_PLACE,
    PLACE,
    PLACE_LIST,
    PLACE_TEXT,
    PLANNED,
    PLANNED_LIST,
    TITLE,
    UNPLANNED,
    current_revision,
    form_id,
    form_labels,
)
from .xlsform import FIELDS as FORM_FIELDS

BATCH = 500
MAX_LISTED = 200
VALUE_CHARS = 30
REQUIRED = (DATE, KIND, TITLE, NETWORK_FIELD)
MAX_LENGTH = {TITLE: 200, AUDIENCE: 120, NOTES: 4000}
CLIENT_KEY_CHARS = 80  # CommunityAction.client_key

CHECK = "networks_actions_check"
IMPORT = "networks_actions_import"
JOB_CAPABILITY = Cap.IMPORT
JOB_KINDS = (
    JobKind(
        key=CHECK,
        label=_("Checking actions from the field"),
        handler="cascada.networks.importers.check_job",
        capability=JOB_CAPABILITY,
    ),
    JobKind(
        key=IMPORT,
        label=_("Importing actions from the field"),
        handler="cascada.networks.importers.import_job",
        capability=JOB_CAPABILITY,
        lane="networks_actions_import",
    ),
)

# The problems of this import (those of the file and of values any import reads are the
# imports' own, ``imports.messages`` and ``field_forms.MESSAGES``).
ROW_MESSAGES: dict[str, Any] = {
    "unknown_kind": _("“%(value)s” is not a kind of action."),
    "not_in_plan": _("“%(value)s” is not an activity of the approved plan for %(year)s."),
    "bad_headcount": _("%(value)s cannot be a count: it must be from 0 to %(max)s."),
    "future_date": _("The date %(value)s is still to come."),
    "other_network": _("This submission was made with another network's form (%(value)s)."),
    "no_submission_id": _(
        "The submission has no usable identifier (instanceID): export it again with its "
        "metadata columns."
    ),
    "no_id_column": _(
        "The file has no column that identifies each submission (KEY, meta-instanceID, "
        "_uuid or meta/instanceID): export it again with its metadata columns."
    ),
    "other_form": _(
        "This is the export of the form “%(value)s”, not of this network's (%(expected)s)."
    ),
}
MESSAGES: dict[str, Any] = {**field_forms.MESSAGES, **ROW_MESSAGES}


# ---------------------------------------------------------------- who may, and the upload


def may_import(user: Any, network: Network) -> bool:
    return may_record(user, network) and scope.has(user, JOB_CAPABILITY, network.organization_id)


def _require(actor: Any, network: Network) -> None:
    if actor is not None and not may_import(actor, network):
        raise PermissionDeniedError()


@transaction.atomic
def upload_actions(*, actor: Any, network: Network, upload: Any, filename: str) -> ActionUpload:
    """Keep an export (encrypted) and queue its check. A file over the size limit is
    refused at once, without being stored."""
    _require(actor, network)
    data = upload_read(upload, max_bytes=import_limits().max_bytes)
    if data is None:
        raise ApplicationError(_("The file is too large."), code="file_too_large")
    record = ActionUpload(
        network=network,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
        original_name=(filename or "")[-120:],
    )
    upload_store(record, data)
    record.save()
    audit_record(actor=actor, action="upload", target=record, detail={"kind": "actions"})
    job_enqueue(
        actor=actor, kind=CHECK, organization=network.organization_id, params={"upload": record.pk}
    )
    return record


def upload_get_for(*, user: Any, pk: Any) -> ActionUpload:
    """An upload of a network the user may open (S2: 404 otherwise)."""
    record = (
        ActionUpload.objects.select_related("network__organization", "network__place")
        .filter(pk=pk, network__in=network_list(user=user))
        .first()
    )
    if record is None:
        raise NotFoundError()
    return record


def uploads_of(network: Network) -> list[ActionUpload]:
    return list(network.action_uploads.order_by("-created_at", "-pk")[:10])


def import_confirm(*, actor: Any, record: ActionUpload, skip_problems: bool = False) -> Job:
    _require(actor, record.network)
    if record.status != ImportStatus.VALIDATED:
        raise ApplicationError(_("This file was already imported or rejected."), code="closed")
    if record.file_problem or (record.problem_count and not skip_problems):
        raise ApplicationError(
            _("The file has problems: correct them, or choose to leave those rows out."),
            code="has_problems",
        )
    # Claimed at once: a second click (or a second tab) finds it importing and is refused.
    claimed = ActionUpload.objects.filter(pk=record.pk, status=ImportStatus.VALIDATED).update(
        status=ImportStatus.IMPORTING
    )
    if not claimed:
        raise ApplicationError(_("This file was already imported or rejected."), code="closed")
    record.status = ImportStatus.IMPORTING
    return job_enqueue(
        actor=actor,
        kind=IMPORT,
        organization=record.network.organization_id,
        params={"upload": record.pk},
    )


def import_reject(*, actor: Any, record: ActionUpload) -> None:
    _require(actor, record.network)
    if record.status in (ImportStatus.CONFIRMED, ImportStatus.REJECTED):
        return
    if record.status == ImportStatus.IMPORTING:
        raise ApplicationError(_("This file is being imported."), code="importing")
    _close(record, ImportStatus.REJECTED)
    audit_record(actor=actor, action="import_reject", target=record)


def _close(record: ActionUpload, status: str) -> None:
    record.status = status
    record.finished_at = timezone.now()
    if record.file:
        record.file.delete(save=False)
    record.save()


def stale_uploads_discard(*, older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Reject the uploads nobody confirmed or rejected in time, deleting their files
    (S13); for ``cascada imports_sweep``."""
    cutoff = timezone.now() - older_than
    stale = ActionUpload.objects.filter(
        created_at__lt=cutoff, status__in=[ImportStatus.UPLOADED, ImportStatus.VALIDATED]
    )
    n = 0
    for record in stale:
        _close(record, ImportStatus.REJECTED)
        n += 1
    return n


# ---------------------------------------------------------------- reading the file


@dataclass(frozen=True)
class Problem:
    row: int
    column: str  # the header as in the file ("" for the whole row)
    code: str  # MESSAGES, or cascada.imports.messages
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class ActionRow:
    """One submission as ``action_record`` takes it."""

    row: int
    client_key: str
    edits: int
    fields: dict[str, Any]


@dataclass
class _Read:
    """A row as read: who it is (even when it has problems, so that a later version of
    the same submission supersedes it), and the action or its problems."""

    row: int
    key: str
    edits: int
    action: ActionRow | None
    problems: list[Problem]
    place_code: str = ""


@dataclass
class Checked:
    source: str = ""
    rows: int = 0  # data rows read (Kobo's HXL row and empty rows apart)
    usable: list[ActionRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    file_problem: FileProblem | None = None
    superseded: list[int] = field(default_factory=list)  # earlier versions, not read


class _Form:
    """What the rows are checked against: the form's names and labels, the network's plan
    (per year, read once) and places (read once per file)."""

    def __init__(self, network: Network):
        self.network = network
        labels = form_labels(network)
        self.field_labels = keyed(labels["fields"].items())
        lists = labels["choices"]
        self.kinds = choice_lookup(ActivityKind.values, lists.get(KIND_LIST, {}))
        self.planned_labels = keyed(lists.get(PLANNED_LIST, {}).items())
        self.place_labels = keyed(lists.get(PLACE_LIST, {}).items())
        self.today = country_today(network.organization.country)
        self.country = network.place.country if network.place else network.organization.country
        self._plans: dict[int, set[str]] = {}

    def plan_keys(self, year: int) -> set[str]:
        if year not in self._plans:
            revision = current_revision(self.network, year)
            self._plans[year] = (
                set(revision.activities.values_list("key", flat=True)) if revision else set()
            )
        return self._plans[year]

    def places(self, codes: Iterable[str]) -> dict[str, Place]:
        wanted = set(codes)
        wanted |= {"0" + c for c in wanted if c.isdigit()}
        return {p.code: p for p in Place.objects.filter(country=self.country, code__in=wanted)}


def _columns(headers: list[str], form: _Form) -> tuple[MetaColumns, dict[str, int]]:
    meta = submission_columns(headers)
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        if index in meta.meta or not header:
            continue
        name = by_name(header, FORM_FIELDS)
        if name is None:
            name = form.field_labels.get(label_key(header))
            name = name or form.field_labels.get(label_key(header.rsplit("/", 1)[-1]))
        if name is not None:
            found.setdefault(name, index)
    missing = [name for name in REQUIRED if name not in found]
    if missing:
        raise FileProblem("missing_columns", columns=", ".join(missing))
    if not meta.has_identity:
        raise FileProblem("no_id_column")
    return meta, found


def _read_row(
    number: int,
    cells: list[Any],
    headers: list[str],
    meta: MetaColumns,
    columns: dict[str, int],
    form: _Form,
) -> _Read:
    """One row: the action, or the problems that keep it out (all or nothing)."""
    problems: list[Problem] = []

    def problem(name: str | None, code: str, value: Any = "", **params: Any) -> None:
        index = columns.get(name) if name else None
        column = headers[index][:COLUMN_CHARS] if index is not None else (name or "")
        value = shown_value(value, VALUE_CHARS)
        problems.append(Problem(number, column, code, {"value": value, **params}))

    def cell(name: str) -> str:
        return text(cells, columns.get(name))

    key = ""
    edits = 0
    try:
        identity = submission_identity(cells, meta)
        key, edits = identity.key, identity.edits
    except ValueProblem as bad:
        problem(None, bad.code, bad.params.get("value", ""))
    if not key or len(key) > CLIENT_KEY_CHARS:
        problem(None, "no_submission_id", key)

    if (raw_network := cell(NETWORK_FIELD)) and raw_network != str(form.network.pk):
        problem(NETWORK_FIELD, "other_network", f"cascada_red_{raw_network}")

    date: dt.date | None = None
    raw_date = cells[columns[DATE]] if columns[DATE] < len(cells) else None
    if not cell(DATE):
        problem(DATE, "required")
    else:
        try:
            date = parse_date(raw_date)
        except ValueProblem:
            problem(DATE, "bad_date", raw_date)
        if date is not None and date > form.today:
            problem(DATE, "future_date", date.strftime("%d/%m/%Y"))
            date = None

    kind = choose(raw_kind, form.kinds) if (raw_kind := cell(KIND)) else None
    if not raw_kind:
        problem(KIND, "required")
    elif kind is None:
        problem(KIND, "unknown_kind", raw_kind)

    values: dict[str, Any] = {}
    for name in (TITLE, AUDIENCE, NOTES):
        values[name] = cell(name)
        if len(values[name]) > MAX_LENGTH[name]:
            problem(name, "too_long", values[name], max=MAX_LENGTH[name])
    if not values[TITLE]:
        problem(TITLE, "required")

    planned_key = ""
    raw_planned = cell(PLANNED)
    if raw_planned and label_key(raw_planned) != UNPLANNED:
        planned_key = form.planned_labels.get(label_key(raw_planned), raw_planned)
        if planned_key == UNPLANNED:
            planned_key = ""
        elif date is not None and planned_key not in form.plan_keys(date.year):
            problem(PLANNED, "not_in_plan", raw_planned, year=date.year)

    for name in (*HEADCOUNTS, MATERIALS):
        raw = cell(name)
        if not raw:
            values[name] = 0
            continue
        try:
            values[name] = parse_int(raw)
        except ValueProblem:
            problem(name, "bad_number", raw)
            continue
        if not 0 <= values[name] <= HEADCOUNT_MAX:
            problem(name, "bad_headcount", raw, max=HEADCOUNT_MAX)

    raw_place = cell(PLACE)
    place_code = ""
    if raw_place and label_key(raw_place) != OTHER_PLACE:
        place_code = form.place_labels.get(label_key(raw_place), raw_place)
        place_code = "" if place_code == OTHER_PLACE else place_code
    place_text = cell(PLACE_TEXT) if not place_code else ""
    if place_text:
        where = f"{capfirst(gettext('place'))}: {place_text}"
        values[NOTES] = f"{where}\n{values[NOTES]}".strip()

    if problems:
        return _Read(number, key, edits, None, problems)
    fields = {
        "date": date,
        "kind": kind,
        "title": values[TITLE],
        "planned_key": planned_key,
        "audience": values[AUDIENCE],
        "notes": values[NOTES],
        **{name: values[name] for name in (*HEADCOUNTS, MATERIALS)},
    }
    action = ActionRow(row=number, client_key=key, edits=edits, fields=fields)
    return _Read(number, key, edits, action, [], place_code)


def check(record: ActionUpload) -> Checked:
    """Read the upload and check every row against the database as it is now. Writes
    nothing."""
    network = record.network
    result = Checked()
    with upload_open(record) as stream:
        data = stream.read()
    table = None
    try:
        table, member = open_export(data, record.original_name or "", import_limits())
        expected = form_id(network)
        stem = member.rsplit("/", 1)[-1].removesuffix(".csv")
        if stem.startswith("cascada_") and stem != expected:
            raise FileProblem("other_form", value=stem[:COLUMN_CHARS], expected=expected)
        form = _Form(network)
        meta, columns = _columns(table.headers, form)
        result.source = meta.source
        read: list[_Read] = []
        for n, (number, cells) in enumerate(table.rows):
            if n == 0 and is_hxl(cells):
                continue
            read.append(_read_row(number, cells, table.headers, meta, columns, form))
        if not read:
            raise FileProblem("no_rows")
    except FileProblem as problem:
        result.file_problem = problem
        return result
    finally:
        if table is not None:
            table.close()
    result.rows = len(read)
    kept, superseded = latest_versions(read, key=lambda r: r.key, edits=lambda r: r.edits)
    result.superseded = [r.row for r in superseded]
    places = form.places(r.place_code for r in kept if r.place_code)
    header = table.headers[columns[PLACE]][:COLUMN_CHARS] if PLACE in columns else PLACE
    for r in kept:
        result.problems.extend(r.problems)
        if r.action is None:
            continue
        place = _place(r.place_code, places)
        if r.place_code and place is None:
            value = shown_value(r.place_code, VALUE_CHARS)
            result.problems.append(Problem(r.row, header, "unknown_place", {"value": value}))
            continue
        r.action.fields["place"] = place
        result.usable.append(r.action)
    result.problems.sort(key=lambda p: p.row)
    return result


def _place(code: str, places: dict[str, Place]) -> Place | None:
    """A place by its code; a code Excel read as a number lost its leading zero (INEI's
    ubigeo of Amazonas, 010101, as 10101)."""
    if not code:
        return None
    return places.get(code) or (places.get("0" + code) if code.isdigit() else None)


def _stored_keys(network: Network, rows: list[ActionRow]) -> set[str]:
    keys = [r.client_key for r in rows]
    stored: set[str] = set()
    for start in range(0, len(keys), BATCH):  # SQLite's limit on a query's parameters
        stored.update(
            network.actions.filter(client_key__in=keys[start : start + BATCH]).values_list(
                "client_key", flat=True
            )
        )
    return stored


def _report(record: ActionUpload, checked: Checked) -> None:
    record.source = checked.source
    record.rows = checked.rows
    record.usable = len(checked.usable)
    record.problem_count = len(checked.problems)
    record.problems = [
        {"row": p.row, "column": p.column, "code": p.code, "params": p.params}
        for p in checked.problems[:MAX_LISTED]
    ]
    problem = checked.file_problem
    record.file_problem = {"code": problem.code, "params": problem.params} if problem else None


# ---------------------------------------------------------------- the jobs


def _record(ctx: JobContext) -> ActionUpload:
    return ActionUpload.objects.select_related("network__organization", "network__place").get(
        pk=ctx.params["upload"]
    )


def check_job(ctx: JobContext) -> dict[str, Any]:
    record = _record(ctx)
    if record.status != ImportStatus.UPLOADED:  # checked already (a second delivery)
        return {"upload": record.pk, "usable": record.usable, "problems": record.problem_count}
    checked = check(record)
    _report(record, checked)
    stored = _stored_keys(record.network, checked.usable)
    record.unchanged = sum(1 for r in checked.usable if r.client_key in stored)
    record.created = record.usable - record.unchanged
    record.status = ImportStatus.VALIDATED
    record.save()
    ctx.progress(record.rows, record.rows)
    return {"upload": record.pk, "usable": record.usable, "problems": record.problem_count}


def import_job(ctx: JobContext) -> dict[str, Any]:
    """Write the usable rows, batch by batch, each batch in one transaction. Keyed by the
    submission: a job run again writes nothing twice."""
    record = _record(ctx)
    if record.status == ImportStatus.CONFIRMED:
        return {"upload": record.pk, "created": record.created}
    network = record.network
    checked = check(record)
    if checked.file_problem:
        raise ApplicationError(_("The file can no longer be read: upload it again."))
    _report(record, checked)
    try:
        created, unchanged = _write(ctx, network, checked.usable)
    except (ApplicationError, JobCancelled):
        # What was written stays (keyed by submission); the file may be imported again.
        ActionUpload.objects.filter(pk=record.pk).update(status=ImportStatus.VALIDATED)
        raise
    total = len(checked.usable)
    record.created, record.unchanged = created, unchanged
    _close(record, ImportStatus.CONFIRMED)
    audit_record(
        actor=ctx.actor,
        action="import",
        target=network,
        detail={"kind": "actions", "count": total, "created": created},
    )
    return {"upload": record.pk, "created": created, "unchanged": unchanged}


def _write(ctx: JobContext, network: Network, rows: list[ActionRow]) -> tuple[int, int]:
    """(created, already stored). Each batch in one transaction with its progress."""
    created = unchanged = 0
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        with transaction.atomic():
            for row in batch:
                try:
                    _action, new = action_record(
                        actor=ctx.actor, network=network, client_key=row.client_key, **row.fields
                    )
                except ApplicationError as error:
                    raise ApplicationError(
                        _(
                            "Row %(row)s could not be saved (%(reason)s): the import stopped "
                            "before it."
                        )
                        % {"row": row.row, "reason": error},
                        code="write_failed",
                    ) from error
                created += int(new)
                unchanged += int(not new)
            ctx.progress(start + len(batch), len(rows))
        ctx.stop_if_cancelled()
    return created, unchanged
