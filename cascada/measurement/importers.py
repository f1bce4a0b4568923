"""Importing a round's submissions from KoboToolbox or ODK Central, as background jobs
(docs/decisions/measurement.md). Reading the file is ``submissions.py``'s; this module
checks the submissions against the database and writes them.

1. ``upload_store``: the file is kept encrypted (``imports.storage``) and its check
   queued (job ``measurement_check``).
2. The check reads every row: the file's problems, then each submission's (a
   participant code that is nobody enrolled in the round's cohort, a form of another
   round) as row problems with row, column and reason; the upload says how many rows
   are usable, how many respondents did not consent, and how many would be new or
   replace an earlier answer.
3. ``import_confirm`` queues the import (job ``measurement_import``). It reads and checks
   the file again, then writes in batches of 1,000 submissions, each batch in one
   transaction: a submission already stored (same ``source_key``) is replaced, or left
   as it is when nothing changed; a new one is created with its score. Writing is keyed
   by the submission, so a job run again after a killed worker writes each submission
   once. Rows with problems are never written; a file with problems is imported only
   when the user chose to leave those rows out. A respondent who did not consent is
   not stored at all (S15).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from cascada.imports.parsers import import_limits
from cascada.imports.storage import upload_open, upload_read, upload_store
from cascada.jobs.kinds import JobKind
from cascada.jobs.models import Job
from cascada.jobs.services import JobContext, job_enqueue
from cascada.registry.models import Person
from cascada.trainings.models import Enrolment
from cascada.trainings.services import program_org_ids

from .models import Response, Round, SubmissionUpload, UploadStatus
from .scoring import Spec, score
from .selectors import round_list
from .services import _freeze, self_code_key
from .submissions import FIELDS as FORM_FIELDS
from .submissions import MESSAGES as FILE_MESSAGES
from .submissions import FormLabels, ParseResult, RowProblem, Submission, parse_submissions
from .xlsform import xlsform_rows

BATCH = 1000
MAX_LISTED = 200

CHECK = "measurement_check"
IMPORT = "measurement_import"
JOB_KINDS = (
    JobKind(
        key=CHECK,
        label=_("Checking survey submissions"),
        handler="cascada.measurement.importers.check_job",
        capability=Cap.RECORD_ANSWERS,
    ),
    JobKind(
        key=IMPORT,
        label=_("Importing survey submissions"),
        handler="cascada.measurement.importers.import_job",
        capability=Cap.RECORD_ANSWERS,
        lane="measurement_import",
    ),
)

ROW_MESSAGES: dict[str, Any] = {
    "unknown_participant": _("No one with this code is enrolled in the round's cohort."),
    "other_round": _("This submission belongs to another round's form (round %(value)s)."),
    "no_consent_answer": _("The file does not say whether the respondent consented."),
    "not_anonymous": _("This round is not anonymous: each submission needs a participant code."),
}


def _may_import(actor: Any, survey: Round) -> None:
    if actor is None:
        return
    orgs = program_org_ids(survey.cohort.program)
    if not scope.org_ids(actor, Cap.RECORD_ANSWERS) & scope.org_ids(actor, Cap.IMPORT) & orgs:
        raise PermissionDeniedError()


def upload_submissions(
    *, actor: Any, survey: Round, upload: Any, filename: str
) -> SubmissionUpload:
    """Keep an export (encrypted) and queue its check. A file over the size limit is
    refused at once, without being stored."""
    _may_import(actor, survey)
    data = upload_read(upload, max_bytes=import_limits().max_bytes)
    if data is None:
        raise ApplicationError(_("The file is too large."), code="file_too_large")
    record = SubmissionUpload(
        round=survey,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
        original_name=(filename or "")[-120:],
    )
    upload_store(record, data)
    record.save()
    audit_record(actor=actor, action="upload", target=record, detail={"kind": "submissions"})
    job_enqueue(
        actor=actor,
        kind=CHECK,
        organization=survey.cohort.program.owner_id,
        params={"upload": record.pk},
    )
    return record


def import_confirm(*, actor: Any, record: SubmissionUpload, skip_problems: bool = False) -> Job:
    _may_import(actor, record.round)
    if record.status != UploadStatus.CHECKED:
        raise ApplicationError(_("This file was already imported or rejected."), code="closed")
    if record.file_problem or (record.problem_count and not skip_problems):
        raise ApplicationError(
            _("The file has problems: correct them, or choose to leave those rows out."),
            code="has_problems",
        )
    # Claimed at once: a second click (or a second tab) finds it importing and is refused.
    claimed = SubmissionUpload.objects.filter(pk=record.pk, status=UploadStatus.CHECKED).update(
        status=UploadStatus.IMPORTING
    )
    if not claimed:
        raise ApplicationError(_("This file was already imported or rejected."), code="closed")
    record.status = UploadStatus.IMPORTING
    return job_enqueue(
        actor=actor,
        kind=IMPORT,
        organization=record.round.cohort.program.owner_id,
        params={"upload": record.pk},
    )


def import_reject(*, actor: Any, record: SubmissionUpload) -> None:
    _may_import(actor, record.round)
    if record.status in (UploadStatus.IMPORTED, UploadStatus.REJECTED):
        return
    record.status = UploadStatus.REJECTED
    record.finished_at = timezone.now()
    _discard(record)
    record.save()
    audit_record(actor=actor, action="import_reject", target=record)


def _discard(record: SubmissionUpload) -> None:
    if record.file:
        record.file.delete(save=False)


# ---------------------------------------------------------------- checking


@dataclass
class Checked:
    """The submissions that may be written, and the problems of the others."""

    parsed: ParseResult
    usable: list[tuple[Submission, Person | None, str]]  # submission, person, self-code key
    declined: int
    problems: list[RowProblem]


def form_labels(survey: Round) -> FormLabels:
    """What a "Labels" export shows for the form's own questions (consent, code…)."""
    fields: dict[str, str] = {}
    for row in xlsform_rows(survey)["survey"]:
        name = row.get("name", "")
        if name in FORM_FIELDS:
            for key, value in row.items():
                if key.startswith("label") and value:
                    fields[value] = name
    return FormLabels.of(survey.version, fields=fields)


CHECKED_FORMAT = b'{"format": "cascada.checked_submissions.v1"'


def check(record: SubmissionUpload, spec: Spec | None = None) -> Checked:
    """Read the upload (the exported file, or, after the check, the submissions it kept)
    and check every submission against the database as it is now."""
    survey = record.round
    spec = spec or Spec.of(survey.version)
    with upload_open(record) as stream:
        data = stream.read()
    if data.startswith(CHECKED_FORMAT):
        parsed = _checked_load(data)
    else:
        parsed = parse_submissions(data, record.original_name, spec, form_labels(survey))
    problems = list(parsed.problems)
    usable: list[tuple[Submission, Person | None, str]] = []
    declined = 0
    # Everyone enrolled in the cohort, by code (one query, however long the file: a list
    # of the file's codes would overflow SQLite's limit on a query's parameters).
    people = {
        code: Person(pk=pk, code=code)
        for pk, code in Person.objects.filter(
            pk__in=Enrolment.objects.filter(cohort=survey.cohort).values("person_id")
        ).values_list("pk", "code")
    }
    for s in parsed.submissions:
        if s.round_id is not None and s.round_id != survey.pk:
            problems.append(RowProblem(s.row, "cascada_round", "other_round", str(s.round_id)))
            continue
        if s.consent is None:
            problems.append(RowProblem(s.row, "consent", "no_consent_answer"))
            continue
        if not s.consent:
            declined += 1
            continue
        if survey.anonymous:
            key = self_code_key(s.self_code)
            if not key:
                problems.append(RowProblem(s.row, "self_code", "no_respondent"))
                continue
            usable.append((s, None, key))
            continue
        person = people.get(s.participant_code.strip().upper())
        if person is None:
            if not s.participant_code:
                problems.append(RowProblem(s.row, "participant_code", "not_anonymous"))
            else:
                problems.append(
                    RowProblem(
                        s.row, "participant_code", "unknown_participant", s.participant_code[:30]
                    )
                )
            continue
        usable.append((s, person, ""))
    problems.sort(key=lambda p: p.row)
    return Checked(parsed=parsed, usable=usable, declined=declined, problems=problems)


def _report(record: SubmissionUpload, checked: Checked) -> None:
    parsed = checked.parsed
    record.source = parsed.source or ""
    record.rows = parsed.rows
    record.usable = len(checked.usable)
    record.declined = checked.declined
    record.problem_count = len(checked.problems)
    record.problems = [
        {"row": p.row, "column": p.column, "code": p.code, "params": {**p.params, "value": p.value}}
        for p in checked.problems[:MAX_LISTED]
    ]
    problem = parsed.file_problem
    record.file_problem = {"code": problem.code, "params": problem.params} if problem else None


def check_job(ctx: JobContext) -> dict[str, Any]:
    record = SubmissionUpload.objects.select_related("round__version", "round__cohort").get(
        pk=ctx.params["upload"]
    )
    checked = check(record)
    _report(record, checked)
    if not checked.parsed.file_problem:
        _checked_store(record, checked.parsed)
    # What is already stored, the way the import will find it: by submission, then by
    # respondent (an answer entered in Cascada is replaced by the field's).
    stored = Response.objects.filter(round=record.round)  # at most the cohort's size
    keys, people, codes = set(), set(), set()
    for key, person_id, code in stored.values_list("source_key", "person_id", "self_code_hash"):
        keys.add(key)
        people.add(person_id)
        codes.add(code)
    record.created = sum(
        1
        for s, p, k in checked.usable
        if s.source_key not in keys
        and (p is None or p.pk not in people)
        and (not k or k not in codes)
    )
    record.updated = len(checked.usable) - record.created
    record.status = UploadStatus.CHECKED
    record.save()
    ctx.progress(record.rows, record.rows)
    return {"upload": record.pk, "usable": record.usable, "problems": record.problem_count}


def _checked_store(record: SubmissionUpload, parsed: ParseResult) -> None:
    """Replace the kept file by what the check read from it (encrypted the same way):
    the import then checks these submissions against the database again without parsing
    the export a second time, and the export itself is no longer kept."""
    rows = [
        [s.row, s.source, s.source_key, s.instance_id,
         s.submitted_at.isoformat() if s.submitted_at else "", s.round_id,
         s.participant_code, s.self_code, s.consent, s.answers]
        for s in parsed.submissions
    ]  # fmt: skip
    payload = {
        "format": "cascada.checked_submissions.v1",
        "source": parsed.source,
        "rows": parsed.rows,
        "problems": [[p.row, p.column, p.code, p.value, p.params] for p in parsed.problems],
        "submissions": rows,
    }
    old = record.file.name if record.file else ""
    upload_store(record, json.dumps(payload, ensure_ascii=False).encode("utf-8"))
    if old:
        record.file.storage.delete(old)


def _checked_load(data: bytes) -> ParseResult:
    payload = json.loads(data)
    return ParseResult(
        source=payload["source"],
        rows=payload["rows"],
        problems=[RowProblem(r, c, code, v, params) for r, c, code, v, params in payload["problems"]],
        submissions=[
            Submission(
                row=r, source=src, source_key=key, instance_id=inst,
                submitted_at=dt.datetime.fromisoformat(at) if at else None, round_id=round_id,
                participant_code=code, self_code=self_code, consent=consent, answers=answers,
            )
            for r, src, key, inst, at, round_id, code, self_code, consent, answers
            in payload["submissions"]
        ],
    )  # fmt: skip


# ---------------------------------------------------------------- writing


def import_job(ctx: JobContext) -> dict[str, Any]:
    record = SubmissionUpload.objects.select_related(
        "round__version", "round__cohort__program"
    ).get(pk=ctx.params["upload"])
    if record.status == UploadStatus.IMPORTED:
        return {"upload": record.pk, "created": record.created}
    record.status = UploadStatus.IMPORTING
    record.save(update_fields=["status"])
    survey = record.round
    spec = Spec.of(survey.version)
    checked = check(record, spec)
    _report(record, checked)
    record.created = record.updated = record.unchanged = 0
    total = len(checked.usable)
    for start in range(0, total, BATCH):
        batch = checked.usable[start : start + BATCH]
        with transaction.atomic():
            created, updated, unchanged = write_batch(survey, spec, batch, actor=ctx.actor)
            ctx.progress(start + len(batch), total)
        record.created += created
        record.updated += updated
        record.unchanged += unchanged
        ctx.stop_if_cancelled()
    if total:
        _freeze(survey.version)
    record.status = UploadStatus.IMPORTED
    record.finished_at = timezone.now()
    _discard(record)
    record.save()
    audit_record(
        actor=ctx.actor,
        action="import",
        target=survey,
        detail={
            "kind": "submissions",
            "count": total,
            "created": record.created,
            "updated": record.updated,
        },
    )
    return {"upload": record.pk, "created": record.created, "updated": record.updated}


_SCORED = ("answers", "total", "subscales", "category", "answered")


def write_batch(
    survey: Round,
    spec: Spec,
    batch: Iterable[tuple[Submission, Person | None, str]],
    *,
    actor: Any = None,
) -> tuple[int, int, int]:
    """Write checked submissions of one round: (created, updated, unchanged). One read
    of what is stored, one bulk insert, one bulk update."""
    batch = list(batch)
    stored: dict[tuple[str, Any], Response] = {}
    keys = [s.source_key for s, _p, _k in batch if s.source_key]
    people = [p.pk for _s, p, _k in batch if p is not None]
    codes = [k for _s, _p, k in batch if k]
    for r in Response.objects.filter(round=survey).filter(
        _either(source_key__in=keys, person_id__in=people, self_code_hash__in=codes)
    ):
        if r.source_key:
            stored[("key", r.source_key)] = r
        if r.person_id:
            stored[("person", r.person_id)] = r
        if r.self_code_hash:
            stored[("code", r.self_code_hash)] = r
    new: list[Response] = []
    changed: list[Response] = []
    unchanged = 0
    recorder = actor if getattr(actor, "pk", None) else None
    for s, person, code in batch:
        result = score(spec, s.answers)
        found = (
            stored.get(("key", s.source_key))
            or (stored.get(("person", person.pk)) if person is not None else None)
            or (stored.get(("code", code)) if code else None)
        )
        values = {
            "answers": s.answers,
            "total": result.total,
            "subscales": result.subscales,
            "category": result.category,
            "answered": result.answered,
        }
        if found is None:
            response = Response(
                round=survey,
                person=person,
                self_code_hash=code,
                source=s.source,  # "kobo" or "odk": the values of Source
                source_key=s.source_key,
                instance_id=s.instance_id,
                submitted_at=s.submitted_at or timezone.now(),
                consent=True,
                recorded_by=recorder,
                **values,
            )
            new.append(response)
            if person is not None:
                stored[("person", person.pk)] = response
            if code:
                stored[("code", code)] = response
            stored[("key", s.source_key)] = response
            continue
        if found.pk is None:  # twice in this batch: the later one wins
            for name, value in values.items():
                setattr(found, name, value)
            continue
        if found.instance_id == s.instance_id and all(
            getattr(found, name) == value for name, value in values.items()
        ):
            unchanged += 1
            continue
        for name, value in values.items():
            setattr(found, name, value)
        found.instance_id = s.instance_id
        found.source = s.source
        found.source_key = s.source_key or found.source_key
        found.submitted_at = s.submitted_at or found.submitted_at
        changed.append(found)
    Response.objects.bulk_create(new, batch_size=BATCH)
    Response.objects.bulk_update(
        changed,
        [*_SCORED, "instance_id", "source", "source_key", "submitted_at", "updated_at"],
        batch_size=BATCH,
    )
    return len(new), len(changed), unchanged


def _either(**lists: list[Any]) -> Q:
    q = Q(pk__in=[])
    for name, values in lists.items():
        if values:
            q |= Q(**{name: values})
    return q


def upload_get_for(*, user: Any, pk: Any) -> SubmissionUpload:
    try:
        return SubmissionUpload.objects.select_related("round__cohort__program").get(
            pk=pk, round__in=round_list(user=user, cap=Cap.RECORD_ANSWERS)
        )
    except (SubmissionUpload.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None


def uploads_of(survey: Round) -> list[SubmissionUpload]:
    return list(survey.uploads.order_by("-created_at")[:10])


def stale_uploads_discard(*, older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Delete the files of uploads nobody confirmed or rejected within a day (S13)."""
    cutoff = timezone.now() - older_than
    n = 0
    for record in SubmissionUpload.objects.filter(
        created_at__lt=cutoff, status__in=[UploadStatus.UPLOADED, UploadStatus.CHECKED]
    ).exclude(file=""):
        record.status = UploadStatus.REJECTED
        record.finished_at = timezone.now()
        _discard(record)
        record.save()
        n += 1
    return n


MESSAGES = {**FILE_MESSAGES, **ROW_MESSAGES}
