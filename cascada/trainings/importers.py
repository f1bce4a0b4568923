"""Importing enrolments and attendance from spreadsheets (kinds ``enrolments`` and
``attendance``).

The machinery is ``cascada.imports``; people are found by ``registry.importers.PersonRefs``
(code or ID number, among the people the importer may see). Every write goes through
this app's services (``enrolment_create``, ``enrolment_withdraw``, ``attendance_record``),
so permissions, audit, the time rules and the completion rule apply as when typing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cascada.accounts.roles import Cap
from cascada.core.errors import ApplicationError
from cascada.imports.importer import Planned, WriteFailed, diff
from cascada.imports.kinds import ImportKind
from cascada.imports.parsers import (
    ValueProblem,
    parse_attendance_status,
    parse_date,
    parse_enrolment_status,
    parse_int,
    shown,
)
from cascada.registry.import_columns import PERSON_MESSAGES, PERSON_REF
from cascada.registry.importers import PersonRefs
from cascada.registry.models import Person

from . import clock
from .models import Attendance, Cohort, Enrolment, EnrolmentStatus, Session
from .selectors import cohorts_visible_q, enrolment_open
from .services import (
    attendance_record,
    cohort_completion_recompute,
    cohort_last_day,
    day_month,
    enrolment_create,
    enrolment_withdraw,
    session_not_in_future,
)

COHORT = {"cohort": ["cohorte", "cohort_id", "cohort", "id_cohorte", "codigo_cohorte", "grupo"]}

TRAINING_MESSAGES: dict[str, Any] = {
    **PERSON_MESSAGES,
    "duplicate_enrolment": _("The same person and cohort as row %(other)s."),
    "duplicate_mark": _("The same person and session as row %(other)s."),
    "unknown_cohort": _("Unknown cohort “%(value)s”."),
    "session_required": _("Give the session number or the session date."),
    "unknown_session": _("Cohort %(cohort)s has no session %(value)s."),
    "ambiguous_session": _(
        "Cohort %(cohort)s has several sessions on %(value)s: give the session number."
    ),
    "session_closed": _(
        "Session %(value)s was cancelled or has only a headcount: names cannot be recorded."
    ),
    "not_enrolled": _("This person is not enrolled in cohort %(cohort)s."),
    "session_future": _("Session %(value)s is on %(date)s: attendance is recorded from that day."),
    "enrolled_after_end": _(
        "Enrolment date %(value)s is after the last day of cohort %(cohort)s (%(end)s)."
    ),
    "enrolled_in_future": _("Enrolment date %(value)s is in the future."),
    "closed_without_date": _(
        "Cohort %(cohort)s is closed (%(end)s): give the enrolment date to record a past enrolment."
    ),
}


class _CohortRows(PersonRefs):
    cap = ""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        qs = (
            Cohort.objects.filter(cohorts_visible_q(user=self.actor, cap=self.cap))
            .filter(Q(program__owner=self.organization) | Q(program__shared_with=self.organization))
            .select_related("program", "program__owner")
            .distinct()
        )
        self.cohorts: dict[int, Cohort] = {c.pk: c for c in qs}

    def cohort_of(self, row: int, cells: list[Any]) -> Cohort | None:
        raw = self.cell(cells, "cohort")
        if raw is None:
            self.error(row, "cohort", "required")
            return None
        try:
            cohort = self.cohorts.get(parse_int(raw))
        except ValueProblem:
            cohort = None
        if cohort is None:
            self.error(row, "cohort", "unknown_cohort", value=shown(raw))
        return cohort


@dataclass
class EnrolmentRow:
    row: int
    cohort: Cohort
    person: Person
    enrolled_on: Any
    status: str


class EnrolmentImporter(_CohortRows):
    cap = Cap.MANAGE_PROGRAMS

    def _enrolled_on(self, row: int, cells: list[Any], cohort: Cohort | None) -> Any:
        raw = self.cell(cells, "enrolled_on")
        if raw is None:
            return None
        try:
            date = parse_date(raw)
        except ValueProblem as p:
            self.error(row, "enrolled_on", p.code, **p.params)
            return None
        if cohort is None:
            return date
        # The date belongs to its cohort: registration opens before the start, but nobody
        # enrols after the cohort's last day, nor on a day still to come.
        last = cohort_last_day(cohort)
        if last is not None and date > last:
            self.error(
                row,
                "enrolled_on",
                "enrolled_after_end",
                value=date.isoformat(),
                cohort=cohort.pk,
                end=last.isoformat(),
            )
        elif date > clock.cohort_today(cohort):
            self.error(row, "enrolled_on", "enrolled_in_future", value=date.isoformat())
        return date

    def check(self, batch: list[tuple[int, list[Any]]]) -> list[Planned[EnrolmentRow]]:
        pending = []
        for row, cells in batch:
            self.row_failed = False
            ref = self.person_ref(row, cells)
            cohort = self.cohort_of(row, cells)
            enrolled_on = self._enrolled_on(row, cells, cohort)
            try:
                status = parse_enrolment_status(self.cell(cells, "status"))
            except ValueProblem as p:
                status = ""
                self.error(row, "status", p.code, **p.params)
            # A missing reference always comes with an error; the checks narrow the types.
            if not self.row_failed and ref is not None and cohort is not None:
                pending.append((row, ref, cohort, enrolled_on, status))
        people = self.resolve_people(r[1] for r in pending)
        existing: dict[tuple[int, int], str] = {}
        if people:
            existing = {
                (c, p): s
                for c, p, s in Enrolment.objects.filter(
                    cohort_id__in={r[2].pk for r in pending},
                    person_id__in={p.pk for p in people.values()},
                ).values_list("cohort_id", "person_id", "status")
            }
        out: list[Planned[EnrolmentRow]] = []
        for row, ref, cohort, enrolled_on, status in pending:
            person = people.get(ref)
            if person is None:
                self.report.add_error(row, self.ref_label(ref), "unknown_person", {})
                continue
            key = (cohort.pk, person.pk)
            if (other := self.first_seen(key, row)) is not None:
                self.report.add_error(
                    row, self.ref_label(ref), "duplicate_enrolment", {"other": other}
                )
                continue
            if enrolled_on is None and key not in existing and not enrolment_open(cohort=cohort):
                # A new enrolment without a date is made today, which a closed cohort
                # refuses (``services.enrolment_not_closed``): said in the dry run, not at
                # the commit. Rows of people already enrolled (a status) still go through.
                last = cohort_last_day(cohort)
                end = last.isoformat() if last else ""
                column = self.labels.get("enrolled_on", "fecha_inscripcion")  # absent: its name
                self.report.add_error(
                    row, column, "closed_without_date", {"cohort": cohort.pk, "end": end}
                )
                continue
            action = diff(existing.get(key), status)
            out.append(Planned(row, action, EnrolmentRow(row, cohort, person, enrolled_on, status)))
        return out

    def write(self, items: list[EnrolmentRow]) -> None:
        for item in items:
            try:
                enrolment = enrolment_create(
                    actor=self.actor,
                    cohort=item.cohort,
                    person=item.person,
                    enrolled_on=item.enrolled_on,
                )
                if item.status == EnrolmentStatus.WITHDRAWN:
                    enrolment_withdraw(actor=self.actor, enrolment=enrolment)
            except ApplicationError as exc:
                raise WriteFailed(item.row, str(exc)) from exc


@dataclass
class MarkRow:
    row: int
    session: Session
    enrolment_id: int
    status: str


class AttendanceImporter(_CohortRows):
    cap = Cap.TAKE_ATTENDANCE

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.sessions: dict[int, tuple[dict[int, Session], dict[Any, list[Session]]]] = {}
        # Cohorts of every good row, written or not: ``finish`` recomputes their completion
        # (also after a resumed commit, whose earlier batches were written by another run).
        self.touched: dict[int, Cohort] = {}

    def _sessions_of(self, cohort: Cohort) -> tuple[dict[int, Session], dict[Any, list[Session]]]:
        if cohort.pk not in self.sessions:
            by_number: dict[int, Session] = {}
            by_date: dict[Any, list[Session]] = defaultdict(list)
            for s in Session.objects.filter(cohort=cohort):
                s.cohort = cohort
                by_number[s.number] = s
                by_date[s.date].append(s)
            self.sessions[cohort.pk] = (by_number, by_date)
        return self.sessions[cohort.pk]

    def _find_session(
        self, row: int, cells: list[Any], cohort: Cohort
    ) -> tuple[Session | None, str]:
        by_number, by_date = self._sessions_of(cohort)
        raw_number = self.cell(cells, "session_number")
        raw_date = self.cell(cells, "session_date")
        if raw_number is not None:
            try:
                session = by_number.get(parse_int(raw_number))
            except ValueProblem as p:
                self.error(row, "session_number", p.code, **p.params)
                return None, ""
            if session is None:
                self.error(
                    row,
                    "session_number",
                    "unknown_session",
                    cohort=cohort.pk,
                    value=shown(raw_number),
                )
            return session, "session_number"
        if raw_date is not None:
            try:
                date = parse_date(raw_date)
            except ValueProblem as p:
                self.error(row, "session_date", p.code, **p.params)
                return None, ""
            found = by_date.get(date, [])
            if len(found) != 1:
                code = "ambiguous_session" if found else "unknown_session"
                self.error(row, "session_date", code, cohort=cohort.pk, value=date.isoformat())
                return None, ""
            return found[0], "session_date"
        name = "session_number" if "session_number" in self.index else "session_date"
        self.error(row, name, "session_required")
        return None, ""

    def _session(self, row: int, cells: list[Any], cohort: Cohort) -> Session | None:
        session, name = self._find_session(row, cells, cohort)
        if session is None:
            return None
        if session.cancelled or session.headcount is not None:
            self.error(row, name, "session_closed", value=session.number)
            return None
        try:  # the time rule, shown in the dry run (attendance_record applies it again)
            session_not_in_future(session=session)
        except ApplicationError:
            self.error(
                row, name, "session_future", value=session.number, date=day_month(session.date)
            )
            return None
        return session

    def check(self, batch: list[tuple[int, list[Any]]]) -> list[Planned[MarkRow]]:
        pending = []
        for row, cells in batch:
            self.row_failed = False
            ref = self.person_ref(row, cells)
            cohort = self.cohort_of(row, cells)
            session = self._session(row, cells, cohort) if cohort is not None else None
            try:
                status = parse_attendance_status(self.cell(cells, "status"))
            except ValueProblem as p:
                status = ""
                self.error(row, "status", p.code, **p.params)
            # A missing reference always comes with an error; the checks narrow the types.
            if (
                not self.row_failed
                and ref is not None
                and cohort is not None
                and session is not None
            ):
                pending.append((row, ref, cohort, session, status))
        people = self.resolve_people(r[1] for r in pending)
        enrolments: dict[tuple[int, int], int] = {}
        marks: dict[tuple[int, int], str] = {}
        if people:
            enrolments = {
                (c, p): e
                for e, c, p in Enrolment.objects.filter(
                    cohort_id__in={r[2].pk for r in pending},
                    person_id__in={p.pk for p in people.values()},
                    status=EnrolmentStatus.ENROLLED,
                ).values_list("pk", "cohort_id", "person_id")
            }
            marks = {
                (s, e): st
                for s, e, st in Attendance.objects.filter(
                    session_id__in={r[3].pk for r in pending},
                    enrolment_id__in=set(enrolments.values()),
                ).values_list("session_id", "enrolment_id", "status")
            }
        out: list[Planned[MarkRow]] = []
        for row, ref, cohort, session, status in pending:
            person = people.get(ref)
            label = self.ref_label(ref)
            if person is None:
                self.report.add_error(row, label, "unknown_person", {})
                continue
            enrolment_id = enrolments.get((cohort.pk, person.pk))
            if enrolment_id is None:
                self.report.add_error(row, label, "not_enrolled", {"cohort": cohort.pk})
                continue
            key = (session.pk, enrolment_id)
            if (other := self.first_seen(key, row)) is not None:
                self.report.add_error(row, label, "duplicate_mark", {"other": other})
                continue
            self.touched[cohort.pk] = cohort
            action = diff(marks.get(key), status)
            out.append(Planned(row, action, MarkRow(row, session, enrolment_id, status)))
        return out

    def write(self, items: list[MarkRow]) -> None:
        # One write per session of the batch; completion is recomputed once, in ``finish``.
        by_session: dict[int, dict[int, str]] = defaultdict(dict)
        first_row: dict[int, int] = {}
        sessions: dict[int, Session] = {}
        for item in items:
            by_session[item.session.pk][item.enrolment_id] = item.status
            first_row.setdefault(item.session.pk, item.row)
            sessions[item.session.pk] = item.session
        for session_id, marks in by_session.items():
            try:
                attendance_record(
                    actor=self.actor, session=sessions[session_id], marks=marks, recompute=False
                )
            except ApplicationError as exc:
                raise WriteFailed(first_row[session_id], str(exc)) from exc

    def finish(self) -> None:
        for cohort in self.touched.values():
            cohort_completion_recompute(cohort=cohort)


ENROLMENTS = ImportKind(
    key="enrolments",
    label=_("Enrolments"),
    importer=EnrolmentImporter,
    capability=Cap.MANAGE_PROGRAMS,
    columns={
        **PERSON_REF,
        **COHORT,
        "enrolled_on": [
            "fecha_inscripcion",
            "enrolled_on",
            "fecha",
            "date",
            "enrolment_date",
            "fecha_matricula",
        ],
        "status": ["estado", "status"],
    },
    required=[("person_code", "national_id"), ("cohort",)],
    messages=TRAINING_MESSAGES,
)

ATTENDANCE = ImportKind(
    key="attendance",
    label=_("Attendance"),
    importer=AttendanceImporter,
    capability=Cap.TAKE_ATTENDANCE,
    columns={
        **PERSON_REF,
        **COHORT,
        "session_number": ["sesion", "session_number", "session", "numero_sesion"],
        "session_date": ["fecha", "session_date", "fecha_sesion", "date"],
        "status": ["estado", "status", "asistencia", "attendance"],
    },
    required=[
        ("person_code", "national_id"),
        ("cohort",),
        ("session_number", "session_date"),
        ("status",),
    ],
    messages=TRAINING_MESSAGES,
)
