"""Importing people, enrolments and attendance from spreadsheets.

One function, ``import_run``, checks a file (a dry run) or imports it; the web flow keeps
the file and the dry-run result in an ``ImportJob`` until the user confirms or rejects it.
Every write goes through the registry's and trainings' services, so permissions, audit
and the completion rule apply exactly as when typing the data in. An import is one
transaction: when anything fails, nothing stays.

Large files: rows are streamed and checked in batches of ``BATCH`` rows, with one query
per batch for each look-up (ID-number hashes, codes, enrolments), never one per row.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.audit.services import audit_record
from cascada.core.crypto import keyed_hasher
from cascada.core.errors import ApplicationError, PermissionDeniedError
from cascada.registry import documents
from cascada.registry.models import Country, Identity, Organization, Person, Place
from cascada.registry.services import (
    DuplicateCandidate,
    default_document,
    person_create,
    person_duplicates_batch,
)
from cascada.trainings.models import Attendance, Cohort, Enrolment, EnrolmentStatus, Session
from cascada.trainings.services import (
    attendance_record,
    cohort_completion_recompute,
    day_month,
    enrolment_create,
    enrolment_withdraw,
    session_not_in_future,
)

from .messages import describe
from .models import MAX_LISTED_ERRORS, ImportJob, ImportKind, ImportStatus
from .parsers import (
    FileProblem,
    Table,
    ValueProblem,
    cell_text,
    header_key,
    human_size,
    import_limits,
    normalize_text,
    open_table,
    parse_attendance_status,
    parse_date,
    parse_enrolment_status,
    parse_int,
    parse_roles,
    parse_sex,
    shown,
)
from .storage import (
    stored_upload_names,
    upload_open,
    upload_read,
    upload_rotate,
    upload_store,
)

logger = logging.getLogger(__name__)

BATCH = 1000

# Canonical field -> accepted headers (compared after ``header_key``: accents, case and
# spaces do not matter). The first alias is how a missing column is named to the user.
PERSON_REF = {
    "person_code": ["codigo", "person_code", "code", "codigo_persona", "codigo_participante"],
    "national_id": [
        "dni",
        "national_id",
        "id_number",
        "documento",
        "nro_documento",
        "numero_documento",
        "n_documento",
        "num_documento",
        "doc_identidad",
        "ci",
        "carnet",
    ],
}
COHORT = {"cohort": ["cohorte", "cohort_id", "cohort", "id_cohorte", "codigo_cohorte"]}

COLUMNS: dict[str, dict[str, list[str]]] = {
    ImportKind.PEOPLE: {
        "given_name": ["nombres", "given_name", "nombre", "given_names", "first_name", "name"],
        "family_name": ["apellidos", "family_name", "apellido", "last_name", "surname"],
        "national_id": PERSON_REF["national_id"],
        "id_document": ["tipo_documento", "id_document", "document_type", "tipo_doc"],
        "sex": ["sexo", "sex", "genero", "gender"],
        "birth_year": [
            "ano_nacimiento",
            "birth_year",
            "anio_nacimiento",
            "ano_de_nacimiento",
            "year_of_birth",
        ],
        "birth_date": ["fecha_nacimiento", "birth_date", "fecha_de_nacimiento", "date_of_birth"],
        "age": ["edad", "age"],
        "place_code": ["ubigeo", "place_code", "codigo_lugar", "codigo_ubigeo", "place"],
        "phone": ["telefono", "phone", "celular", "movil", "mobile", "telephone"],
        "address": ["direccion", "address", "domicilio"],
        "roles": ["rol", "roles", "role"],
        "person_code": PERSON_REF["person_code"],
    },
    ImportKind.ENROLMENTS: {
        **PERSON_REF,
        **COHORT,
        "enrolled_on": ["fecha_inscripcion", "enrolled_on", "fecha", "date", "enrolment_date"],
        "status": ["estado", "status"],
    },
    ImportKind.ATTENDANCE: {
        **PERSON_REF,
        **COHORT,
        "session_number": [
            "sesion",
            "session_number",
            "session",
            "numero_sesion",
            "n_sesion",
            "nro_sesion",
        ],
        "session_date": ["fecha", "session_date", "fecha_sesion", "date"],
        "status": ["estado", "status", "asistencia", "attendance"],
    },
}

# Each tuple: at least one of these columns must be present.
REQUIRED: dict[str, list[tuple[str, ...]]] = {
    ImportKind.PEOPLE: [("given_name",)],
    ImportKind.ENROLMENTS: [("person_code", "national_id"), ("cohort",)],
    ImportKind.ATTENDANCE: [
        ("person_code", "national_id"),
        ("cohort",),
        ("session_number", "session_date"),
        ("status",),
    ],
}

KIND_CAPABILITY: dict[str, str] = {
    ImportKind.PEOPLE: Cap.MANAGE_PEOPLE,
    ImportKind.ENROLMENTS: Cap.MANAGE_PROGRAMS,
    ImportKind.ATTENDANCE: Cap.TAKE_ATTENDANCE,
}


@dataclass
class ImportReport:
    kind: str
    total_rows: int = 0
    valid_rows: int = 0
    error_count: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    file_error: dict[str, Any] | None = None
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    written: bool = False
    rows_with_errors: set[int] = field(default_factory=set)

    def add_error(self, row: int, column: str, code: str, params: dict[str, Any]) -> None:
        self.error_count += 1
        self.rows_with_errors.add(row)
        if len(self.errors) < MAX_LISTED_ERRORS:
            self.errors.append({"row": row, "column": column, "code": code, "params": params})

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.error_count

    @property
    def file_error_text(self) -> str:
        if not self.file_error:
            return ""
        return describe(self.file_error["code"], self.file_error.get("params"))

    def error_rows(self) -> list[tuple[int, str, str]]:
        return [(e["row"], e["column"], describe(e["code"], e["params"])) for e in self.errors]


class _WriteFailed(Exception):
    def __init__(self, row: int, reason: str):
        super().__init__(reason)
        self.row = row
        self.reason = reason


class _Hasher:
    """``keyed_hash`` for many values: the HMAC key is prepared once, not once per row
    (``cascada.core.crypto.keyed_hasher``, same output as ``keyed_hash``)."""

    def __init__(self) -> None:
        self._hash = keyed_hasher()

    def __call__(self, value: str) -> str:
        return self._hash(value)


def _batched(rows: Iterator[tuple[int, list[Any]]], size: int) -> Iterator[list]:
    batch: list = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# ---------------------------------------------------------------- importers


class _Importer:
    kind: str = ""
    cohorts: dict[int, Cohort]  # set by the importers whose rows name a cohort

    def __init__(self, *, actor: Any, organization: Organization, report: ImportReport):
        self.actor = actor
        self.organization = organization
        self.report = report
        self.index: dict[str, int] = {}
        self.labels: dict[str, str] = {}
        self._row_failed = False
        self.hash = _Hasher()
        # A number without its document type is the national card of the country.
        self.default_document = default_document(organization)

    # columns
    def bind(self, headers: list[str]) -> None:
        aliases = {
            header_key(alias): name for name, names in COLUMNS[self.kind].items() for alias in names
        }
        for i, header in enumerate(headers):
            key = header_key(header)
            name = aliases.get(key)
            if name is None or name in self.index:
                if header.strip():
                    self.report.ignored_columns.append(header.strip())
                continue
            self.index[name] = i
            self.labels[name] = header.strip()
        missing = [
            group for group in REQUIRED[self.kind] if not any(f in self.index for f in group)
        ]
        if missing:
            names = [
                " / ".join(f"{COLUMNS[self.kind][f][0]} ({f})" for f in group) for group in missing
            ]
            raise FileProblem("missing_columns", columns="; ".join(names))

    def cell(self, cells: list[Any], name: str) -> Any:
        i = self.index.get(name)
        if i is None or i >= len(cells):
            return None
        value = cells[i]
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    def error(self, row: int, name: str, code: str, /, **params: Any) -> None:
        self._row_failed = True
        self.report.add_error(row, self.labels.get(name, name), code, params)

    # people look-ups shared by enrolments and attendance
    def _visible_people(self) -> Any:
        from cascada.registry.selectors import person_list

        return Person.objects.filter(pk__in=person_list(user=self.actor).values("pk"))

    def _person_ref(self, row: int, cells: list[Any]) -> tuple[str, str] | None:
        code = cell_text(self.cell(cells, "person_code")).upper()
        if code:
            return ("code", code)
        raw_id = self.cell(cells, "national_id")
        if raw_id is not None:
            try:
                nid = documents.reference_value(self.default_document, raw_id)
            except documents.DocumentError as exc:
                self.error(row, "national_id", exc.reason, **exc.params)
                return None
            if nid:
                return ("nid", self.hash(nid))
        self.error(
            row, "person_code" if "person_code" in self.index else "national_id", "person_required"
        )
        return None

    def _resolve_people(self, refs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Person]:
        refs = [r for r in refs if r is not None]
        codes = {v for k, v in refs if k == "code"}
        hashes = {v for k, v in refs if k == "nid"}
        out: dict[tuple[str, str], Person] = {}
        if codes:
            for p in self._visible_people().filter(code__in=codes, merged_into__isnull=True):
                out[("code", p.code)] = p
        if hashes:
            qs = self._visible_people().filter(
                identity__national_id_hash__in=hashes, merged_into__isnull=True
            )
            # Two organizations may each have registered the same man (ADR 0005): the
            # target organization's record wins.
            for p in qs.select_related("identity"):
                key = ("nid", p.identity.national_id_hash)
                if key not in out or p.organization_id == self.organization.pk:
                    out[key] = p
        return out

    def _cohorts(self, cap: str) -> dict[int, Cohort]:
        from cascada.trainings.selectors import cohort_ids_visible

        qs = (
            Cohort.objects.filter(pk__in=cohort_ids_visible(user=self.actor, cap=cap))
            .filter(Q(program__owner=self.organization) | Q(program__shared_with=self.organization))
            .select_related("program")
            .distinct()
        )
        return {c.pk: c for c in qs}

    def _cohort(self, row: int, cells: list[Any]) -> Cohort | None:
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

    def check(self, batch: list[tuple[int, list[Any]]]) -> list[Any]:
        raise NotImplementedError

    def write(self, items: list[Any]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        return None


def _codes(people: list[Person]) -> str:
    return ", ".join(p.code for p in people)


@dataclass
class _PersonRow:
    row: int
    given_name: str
    family_name: str
    national_id: str
    id_document: str
    sex: str
    birth_year: int | None
    age: int | None
    place: Place | None
    phone: str
    address: str
    roles: list[str]
    code: str
    nid_hash: str
    name_hash: str
    year: int | None  # birth year, given or worked out from age


ID_DOCUMENTS = {
    "dni": "dni",
    "d.n.i": "dni",
    "ce": "ce",
    "c.e": "ce",
    "carne de extranjeria": "ce",
    "carnet de extranjeria": "ce",
    "ci": "ci",
    "c.i": "ci",
    "carnet de identidad": "ci",
    "cedula de identidad": "ci",
    "pasaporte": "passport",
    "passport": "passport",
    "otro": "other",
    "other": "other",
}


class PeopleImporter(_Importer):
    kind = ImportKind.PEOPLE

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        country = self.organization.country or Country.PERU
        self.places = {p.code: p for p in Place.objects.filter(country=country)}
        self.pad_places = country == Country.PERU
        self.this_year = timezone.localdate().year
        self.seen_nid: dict[str, int] = {}
        self.seen_name: dict[tuple, int] = {}
        self.seen_code: dict[str, int] = {}

    def _text(self, row: int, cells: list[Any], name: str, limit: int) -> str:
        text = cell_text(self.cell(cells, name))
        if len(text) > limit:
            self.error(row, name, "too_long", max=limit)
        return text

    def _parse(self, row: int, cells: list[Any]) -> _PersonRow | None:
        self._row_failed = False
        given = self._text(row, cells, "given_name", 100)
        if not given:
            self.error(row, "given_name", "required")
        family = self._text(row, cells, "family_name", 100)
        raw_id = self.cell(cells, "national_id")
        document = ""
        raw_doc = self.cell(cells, "id_document")
        if raw_doc is not None:
            document = ID_DOCUMENTS.get(normalize_text(cell_text(raw_doc)).rstrip("."), "other")
        elif raw_id is not None:
            document = self.default_document
        nid = ""
        if raw_id is not None:
            # The rules of each document, and Excel's damage repaired only when lossless.
            try:
                nid = documents.normalise(document, raw_id)
            except documents.DocumentError as exc:
                self.error(row, "national_id", exc.reason, **exc.params)
        try:
            sex = parse_sex(self.cell(cells, "sex"))
        except ValueProblem as p:
            sex = ""
            self.error(row, "sex", p.code, **p.params)
        birth_year = age = None
        raw_year = self.cell(cells, "birth_year")
        raw_birth = self.cell(cells, "birth_date")
        raw_age = self.cell(cells, "age")
        if raw_year is not None:
            try:
                birth_year = parse_int(raw_year)
            except ValueProblem:
                self.error(row, "birth_year", "bad_year", value=shown(raw_year))
        elif raw_birth is not None:
            try:
                birth_year = parse_date(raw_birth).year
            except ValueProblem as p:
                self.error(row, "birth_date", p.code, **p.params)
        if birth_year is not None:
            name = "birth_year" if raw_year is not None else "birth_date"
            if birth_year > self.this_year:
                self.error(row, name, "future_year", value=birth_year)
            elif birth_year < 1900:
                self.error(row, name, "old_year", value=birth_year)
        elif raw_age is not None:
            try:
                age = parse_int(raw_age)
                if not 0 <= age <= 120:
                    raise ValueProblem("bad_age")
            except ValueProblem:
                self.error(row, "age", "bad_age")
                age = None
        place = None
        raw_place = self.cell(cells, "place_code")
        if raw_place is not None:
            code = cell_text(raw_place)
            if self.pad_places and code.isdigit() and len(code) in (1, 3, 5):
                code = code.zfill(len(code) + 1)
            place = self.places.get(code)
            if place is None:
                self.error(row, "place_code", "unknown_place", value=shown(raw_place))
        phone = self._text(row, cells, "phone", 30)
        address = self._text(row, cells, "address", 200)
        try:
            raw_roles = self.cell(cells, "roles")
            roles = parse_roles(raw_roles) if raw_roles is not None else []
        except ValueProblem as p:
            roles = []
            self.error(row, "roles", p.code, **p.params)
        code = cell_text(self.cell(cells, "person_code")).upper()
        if self._row_failed:
            return None
        year = (
            birth_year
            if birth_year is not None
            else (self.this_year - age if age is not None else None)
        )
        return _PersonRow(
            row=row,
            given_name=given,
            family_name=family,
            national_id=nid,
            id_document=document,
            sex=sex,
            birth_year=birth_year,
            age=age,
            place=place,
            phone=phone,
            address=address,
            roles=roles,
            code=code,
            nid_hash=self.hash(documents.lookup_value(document, nid)) if nid else "",
            name_hash=self.hash(f"{given} {family}"),  # as registry.services.name_key
            year=year,
        )

    def check(self, batch: list[tuple[int, list[Any]]]) -> list[_PersonRow]:
        parsed = [p for p in (self._parse(n, cells) for n, cells in batch) if p is not None]
        org_id = self.organization.pk
        codes = {p.code for p in parsed if p.code}
        known_codes = (
            set(
                Person.objects.filter(
                    code__in=codes, organization_id=org_id, merged_into__isnull=True
                ).values_list("code", flat=True)
            )
            if codes
            else set()
        )
        # Idempotency for rows without an ID number: a person of this organization with the
        # same full name, birth year and place (blanks matching blanks) is the same person.
        same_org: set[tuple[str, int | None, int | None]] = set()
        names = {p.name_hash for p in parsed if not p.code and not p.nid_hash}
        if names:
            same_org = set(
                self._visible_people()
                .filter(
                    organization_id=org_id,
                    identity__name_hash__in=names,
                    merged_into__isnull=True,
                )
                .values_list("identity__name_hash", "birth_year", "place_id")
            )
        # Everything else is the registry's one duplicate rule, among the people the
        # importer may see (ADR 0005): nobody learns of a person outside their scope.
        lookup = [p for p in parsed if not p.code]
        duplicates = dict(
            zip(
                (p.row for p in lookup),
                person_duplicates_batch(
                    actor=self.actor,
                    candidates=[
                        DuplicateCandidate(
                            national_id=p.national_id,
                            id_document=p.id_document,
                            given_name=p.given_name,
                            family_name=p.family_name,
                            birth_year=p.year,
                            place=p.place,
                        )
                        for p in lookup
                    ],
                )
                if lookup
                else [],
                strict=True,
            )
        )
        # Who the people found by ID number are, to tell the same person from a conflict.
        found_by_id = {
            m.pk
            for matches, reason in duplicates.values()
            if reason == "id_number"
            for m in matches
        }
        known = (
            dict(
                Identity.objects.filter(person_id__in=found_by_id).values_list(
                    "person_id", "name_hash"
                )
            )
            if found_by_id
            else {}
        )

        valid: list[_PersonRow] = []
        for p in parsed:
            self._row_failed = False
            place_id = p.place.pk if p.place else None
            name_key_ = (p.name_hash, p.year, place_id)
            if p.code:
                if p.code in self.seen_code:
                    self.error(p.row, "person_code", "duplicate_row", other=self.seen_code[p.code])
                    continue
                self.seen_code[p.code] = p.row
            if p.nid_hash:
                if p.nid_hash in self.seen_nid:
                    self.error(
                        p.row, "national_id", "duplicate_row", other=self.seen_nid[p.nid_hash]
                    )
                    continue
                self.seen_nid[p.nid_hash] = p.row
            elif not p.code:
                if name_key_ in self.seen_name:
                    self.error(
                        p.row, "given_name", "duplicate_row", other=self.seen_name[name_key_]
                    )
                    continue
                self.seen_name[name_key_] = p.row
            if p.code:
                if p.code not in known_codes:
                    self.error(p.row, "person_code", "unknown_person_code", value=shown(p.code))
                    continue
                self.report.unchanged += 1
                continue
            if not p.nid_hash and name_key_ in same_org:
                self.report.unchanged += 1
                continue
            matches, reason = duplicates[p.row]
            if reason == "id_number":
                conflicts = [m for m in matches if not self._same_person(p, m, known)]
                if conflicts:
                    # Another name (or sex) under this number: shown, never an update.
                    self.error(p.row, "national_id", "id_conflict", code=_codes(conflicts))
                    continue
                if any(m.organization_id == org_id for m in matches):
                    self.report.unchanged += 1  # already registered here: nothing to change
                    continue
                # Registered by another organization this user works with (a person they
                # may see): name it, so they can check; never a person outside their scope.
                self.error(p.row, "national_id", "id_registered", code=_codes(matches))
                continue
            if reason:
                self.error(p.row, "given_name", "possible_duplicate", code=_codes(matches))
                continue
            self.report.created += 1
            valid.append(p)
        return valid

    @staticmethod
    def _same_person(p: _PersonRow, person: Person, names: dict[int, str]) -> bool:
        """A row and the person registered with its ID number agree on who they are: the
        same full name (keyed hash), and the same sex where both state one."""
        stated = {"", "not_stated"}
        if p.sex not in stated and person.sex not in stated and p.sex != person.sex:
            return False
        return names.get(person.pk) == p.name_hash

    def write(self, items: list[_PersonRow]) -> None:
        for p in items:
            try:
                person_create(
                    actor=self.actor,
                    organization=self.organization,
                    given_name=p.given_name,
                    family_name=p.family_name,
                    sex=p.sex or "not_stated",
                    birth_year=p.birth_year,
                    age=p.age if p.birth_year is None else None,
                    place=p.place,
                    id_document=p.id_document,
                    national_id=p.national_id,
                    phone=p.phone,
                    address=p.address,
                    roles=p.roles or None,
                    allow_duplicate=True,  # checked above, once per batch
                )
            except ApplicationError as exc:
                raise _WriteFailed(p.row, str(exc)) from exc


@dataclass
class _EnrolmentRow:
    row: int
    cohort: Cohort
    person: Person
    enrolled_on: Any
    status: str
    existing: str | None


class EnrolmentImporter(_Importer):
    kind = ImportKind.ENROLMENTS

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.cohorts = self._cohorts(Cap.MANAGE_PROGRAMS)
        self.seen: dict[tuple[int, int], int] = {}

    def check(self, batch: list[tuple[int, list[Any]]]) -> list[_EnrolmentRow]:
        pending = []
        for row, cells in batch:
            self._row_failed = False
            ref = self._person_ref(row, cells)
            cohort = self._cohort(row, cells)
            enrolled_on = None
            raw_date = self.cell(cells, "enrolled_on")
            if raw_date is not None:
                try:
                    enrolled_on = parse_date(raw_date)
                except ValueProblem as p:
                    self.error(row, "enrolled_on", p.code, **p.params)
            try:
                status = parse_enrolment_status(self.cell(cells, "status"))
            except ValueProblem as p:
                status = ""
                self.error(row, "status", p.code, **p.params)
            # A missing reference always comes with an error; the checks narrow the types.
            if not self._row_failed and ref is not None and cohort is not None:
                pending.append((row, ref, cohort, enrolled_on, status))
        people = self._resolve_people(r[1] for r in pending)
        existing = {}
        if people:
            existing = {
                (c, p): s
                for c, p, s in Enrolment.objects.filter(
                    cohort_id__in={r[2].pk for r in pending},
                    person_id__in={p.pk for p in people.values()},
                ).values_list("cohort_id", "person_id", "status")
            }
        valid = []
        for row, ref, cohort, enrolled_on, status in pending:
            person = people.get(ref)
            ref_column = "person_code" if ref[0] == "code" else "national_id"
            if person is None:
                self.report.add_error(
                    row, self.labels.get(ref_column, ref_column), "unknown_person", {}
                )
                continue
            key = (cohort.pk, person.pk)
            if key in self.seen:
                self.report.add_error(
                    row,
                    self.labels.get(ref_column, ""),
                    "duplicate_enrolment",
                    {"other": self.seen[key]},
                )
                continue
            self.seen[key] = row
            current = existing.get(key)
            if current is None:
                self.report.created += 1
            elif current == status:
                self.report.unchanged += 1
                continue
            else:
                self.report.updated += 1
            valid.append(_EnrolmentRow(row, cohort, person, enrolled_on, status, current))
        return valid

    def write(self, items: list[_EnrolmentRow]) -> None:
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
                raise _WriteFailed(item.row, str(exc)) from exc


class AttendanceImporter(_Importer):
    kind = ImportKind.ATTENDANCE

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.cohorts = self._cohorts(Cap.TAKE_ATTENDANCE)
        self.sessions: dict[int, tuple[dict[int, Session], dict[Any, list[Session]]]] = {}
        self.seen: dict[tuple[int, int], int] = {}
        self.marks: dict[int, dict[int, str]] = defaultdict(dict)
        self.first_row: dict[int, int] = {}
        self.session_objects: dict[int, Session] = {}

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

    def _session(self, row: int, cells: list[Any], cohort: Cohort) -> Session | None:
        by_number, by_date = self._sessions_of(cohort)
        raw_number = self.cell(cells, "session_number")
        raw_date = self.cell(cells, "session_date")
        session = None
        if raw_number is not None:
            try:
                session = by_number.get(parse_int(raw_number))
            except ValueProblem as p:
                self.error(row, "session_number", p.code, **p.params)
                return None
            if session is None:
                self.error(
                    row,
                    "session_number",
                    "unknown_session",
                    cohort=cohort.pk,
                    value=shown(raw_number),
                )
                return None
        elif raw_date is not None:
            try:
                date = parse_date(raw_date)
            except ValueProblem as p:
                self.error(row, "session_date", p.code, **p.params)
                return None
            found = by_date.get(date, [])
            if not found:
                self.error(
                    row, "session_date", "unknown_session", cohort=cohort.pk, value=date.isoformat()
                )
                return None
            if len(found) > 1:
                self.error(
                    row,
                    "session_date",
                    "ambiguous_session",
                    cohort=cohort.pk,
                    value=date.isoformat(),
                )
                return None
            session = found[0]
        else:
            name = "session_number" if "session_number" in self.index else "session_date"
            self.error(row, name, "session_required")
            return None
        if session.cancelled or session.headcount is not None:
            name = "session_number" if raw_number is not None else "session_date"
            self.error(row, name, "session_closed", value=session.number)
            return None
        try:  # the time rule, shown in the dry run (attendance_record applies it again)
            session_not_in_future(session=session)
        except ApplicationError:
            name = "session_number" if raw_number is not None else "session_date"
            self.error(
                row, name, "session_future", value=session.number, date=day_month(session.date)
            )
            return None
        return session

    def check(self, batch: list[tuple[int, list[Any]]]) -> list[tuple[int, Session, int, str]]:
        pending = []
        for row, cells in batch:
            self._row_failed = False
            ref = self._person_ref(row, cells)
            cohort = self._cohort(row, cells)
            session = self._session(row, cells, cohort) if cohort is not None else None
            try:
                status = parse_attendance_status(self.cell(cells, "status"))
            except ValueProblem as p:
                status = ""
                self.error(row, "status", p.code, **p.params)
            # A missing reference always comes with an error; the checks narrow the types.
            if (
                not self._row_failed
                and ref is not None
                and cohort is not None
                and session is not None
            ):
                pending.append((row, ref, cohort, session, status))
        people = self._resolve_people(r[1] for r in pending)
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
        valid = []
        for row, ref, cohort, session, status in pending:
            person = people.get(ref)
            ref_column = "person_code" if ref[0] == "code" else "national_id"
            label = self.labels.get(ref_column, ref_column)
            if person is None:
                self.report.add_error(row, label, "unknown_person", {})
                continue
            enrolment_id = enrolments.get((cohort.pk, person.pk))
            if enrolment_id is None:
                self.report.add_error(row, label, "not_enrolled", {"cohort": cohort.pk})
                continue
            key = (session.pk, enrolment_id)
            if key in self.seen:
                self.report.add_error(row, label, "duplicate_mark", {"other": self.seen[key]})
                continue
            self.seen[key] = row
            current = marks.get(key)
            if current is None:
                self.report.created += 1
            elif current == status:
                self.report.unchanged += 1
                continue
            else:
                self.report.updated += 1
            valid.append((row, session, enrolment_id, status))
        return valid

    def write(self, items: list[tuple[int, Session, int, str]]) -> None:
        # Marks are gathered and written once per session in ``finish``.
        for row, session, enrolment_id, status in items:
            self.marks[session.pk][enrolment_id] = status
            self.first_row.setdefault(session.pk, row)
            self.session_objects[session.pk] = session

    def finish(self) -> None:
        cohorts: dict[int, Cohort] = {}
        for session_id, marks in self.marks.items():
            session = self.session_objects[session_id]
            try:
                attendance_record(actor=self.actor, session=session, marks=marks, recompute=False)
            except ApplicationError as exc:
                raise _WriteFailed(self.first_row[session_id], str(exc)) from exc
            cohorts[session.cohort_id] = session.cohort
        for cohort in cohorts.values():
            cohort_completion_recompute(cohort=cohort)


IMPORTERS: dict[str, type[_Importer]] = {
    ImportKind.PEOPLE: PeopleImporter,
    ImportKind.ENROLMENTS: EnrolmentImporter,
    ImportKind.ATTENDANCE: AttendanceImporter,
}


# ---------------------------------------------------------------- running an import


def import_permission_check(*, actor: Any, organization: Organization, kind: str) -> None:
    """Importing needs ``Cap.IMPORT`` and the right to write what is imported, in the
    target organization."""
    if kind not in IMPORTERS:
        raise ApplicationError(_("Unknown kind of import."), extra={"field": "kind"})
    if actor is None:
        return
    if not scope.has(actor, Cap.IMPORT, organization.pk) or not scope.has(
        actor, KIND_CAPABILITY[kind], organization.pk
    ):
        raise PermissionDeniedError()


def import_run(
    *,
    actor: Any,
    organization: Organization,
    kind: str,
    stream: IO[bytes],
    commit: bool = False,
    skip_errors: bool = False,
) -> ImportReport:
    """Check every row of ``stream`` and, with ``commit``, import it in one transaction.

    Without ``skip_errors`` a file with any bad row writes nothing; with it, the good rows
    are imported and the bad ones reported. Never raises for a bad file: the report says
    what is wrong (``file_error`` for the whole file, ``errors`` per row).
    """
    import_permission_check(actor=actor, organization=organization, kind=kind)
    report = ImportReport(kind=kind)
    table: Table | None = None
    try:
        table = open_table(stream)
        importer = IMPORTERS[kind](actor=actor, organization=organization, report=report)
        importer.bind(table.headers)
        if commit:
            with transaction.atomic():
                _check_and_write(importer, table, report, commit=True, skip_errors=skip_errors)
                report.written = report.valid_rows > 0 and (skip_errors or not report.error_count)
                if not report.written:
                    transaction.set_rollback(True)
        else:
            _check_and_write(importer, table, report, commit=False, skip_errors=skip_errors)
    except FileProblem as problem:
        report.file_error = {"code": problem.code, "params": problem.params}
        report.written = False
    except _WriteFailed as failed:
        report.file_error = {
            "code": "write_failed",
            "params": {"row": failed.row, "reason": failed.reason[:200]},
        }
        report.written = False
    except PermissionDeniedError:
        raise
    except Exception:
        logger.exception("Import of %s stopped by an unexpected error", kind)
        report.file_error = {"code": "unexpected", "params": {}}
        report.written = False
    finally:
        if table is not None:
            with contextlib.suppress(Exception):  # closing a read-only file cannot lose data
                table.close()
    if report.written:
        audit_record(
            actor=actor,
            action="import",
            target=organization,
            detail={
                "kind": kind,
                "count": report.valid_rows,
                "created": report.created,
                "updated": report.updated,
                "skipped": report.error_count,
            },
        )
    return report


def _check_and_write(
    importer: _Importer, table: Table, report: ImportReport, *, commit: bool, skip_errors: bool
) -> None:
    for batch in _batched(table.rows, BATCH):
        report.total_rows += len(batch)
        items = importer.check(batch)
        if commit and (skip_errors or not report.error_count):
            importer.write(items)
    if report.total_rows == 0:
        raise FileProblem("no_rows")
    # Rows that match what is already stored are valid too; they change nothing.
    report.valid_rows = report.total_rows - len(report.rows_with_errors)
    if commit and (skip_errors or not report.error_count):
        importer.finish()


# ---------------------------------------------------------------- the web flow


def _store(job: ImportJob, report: ImportReport) -> None:
    job.total_rows = report.total_rows
    job.valid_rows = report.valid_rows
    job.error_count = report.error_count
    job.errors = report.errors
    job.file_error = report.file_error
    job.ignored_columns = report.ignored_columns[:50]
    job.created, job.updated, job.unchanged = report.created, report.updated, report.unchanged


def import_job_create(
    *, actor: Any, organization: Organization, kind: str, upload: Any, filename: str = ""
) -> ImportJob:
    """Store an uploaded file, encrypted, and check it (the dry run). Nothing else is
    written. A file over the size limit is not stored at all; a file that cannot be
    imported (a problem with the whole file) is deleted at once."""
    import_permission_check(actor=actor, organization=organization, kind=kind)
    job = ImportJob(
        kind=kind,
        organization=organization,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
        original_name=(filename or getattr(upload, "name", "") or "")[-120:],
    )
    limits = import_limits()
    data = upload_read(upload, max_bytes=limits.max_bytes)
    if data is None:
        report = ImportReport(kind=kind)
        size = getattr(upload, "size", None) or limits.max_bytes + 1
        report.file_error = {
            "code": "file_too_large",
            "params": {"size": human_size(size), "max": human_size(limits.max_bytes)},
        }
    else:
        upload_store(job, data)
        report = import_run(
            actor=actor, organization=organization, kind=kind, stream=io.BytesIO(data)
        )
    _store(job, report)
    if report.file_error:
        _discard_file(job)
    job.save()
    audit_record(
        actor=actor,
        action="import_check",
        target=job,
        detail={"kind": kind, "count": report.total_rows, "errors": report.error_count},
    )
    return job


def _discard_file(job: ImportJob) -> None:
    if job.file:
        job.file.delete(save=False)
    job.file = ""


def import_job_confirm(*, actor: Any, job: ImportJob, skip_errors: bool = False) -> ImportJob:
    """Import a checked file. With errors, only when the user chose to leave those rows out."""
    import_permission_check(actor=actor, organization=job.organization, kind=job.kind)
    if job.status != ImportStatus.VALIDATED:
        raise ApplicationError(_("This import was already confirmed or rejected."), code="closed")
    if job.file_error or not job.file:
        raise ApplicationError(
            _("This file cannot be imported; reject it and upload a corrected one.")
        )
    if job.error_count and not skip_errors:
        raise ApplicationError(
            _("The file has errors: import it without the reported rows, or reject it."),
            code="has_errors",
        )
    try:
        stream = upload_open(job)
    except (OSError, ValueError, ImproperlyConfigured):
        logger.exception("Stored upload of import %s cannot be read", job.pk)
        raise ApplicationError(
            _("The uploaded file can no longer be read: reject it and upload it again."),
            code="import_failed",
        ) from None
    report = import_run(
        actor=actor,
        organization=job.organization,
        kind=job.kind,
        stream=stream,
        commit=True,
        skip_errors=skip_errors,
    )
    if not report.written:
        if report.file_error:
            # Nothing was written (the transaction rolled back); the dry run still stands,
            # so the user may try again or reject the file.
            raise ApplicationError(report.file_error_text, code="import_failed")
        _store(job, report)
        job.save()
        raise ApplicationError(
            _(
                "New problems were found while importing, so nothing was imported. Review them below."
            ),
            code="import_failed",
        )
    _store(job, report)
    job.status = ImportStatus.CONFIRMED
    job.finished_at = timezone.now()
    _discard_file(job)
    job.save()
    return job


def import_job_reject(*, actor: Any, job: ImportJob) -> ImportJob:
    import_permission_check(actor=actor, organization=job.organization, kind=job.kind)
    if job.status != ImportStatus.VALIDATED:
        raise ApplicationError(_("This import was already confirmed or rejected."), code="closed")
    job.status = ImportStatus.REJECTED
    job.finished_at = timezone.now()
    _discard_file(job)
    job.save()
    audit_record(actor=actor, action="import_reject", target=job, detail={"kind": job.kind})
    return job


# ---------------------------------------------------------------- uploads at rest


def upload_keep_for() -> dt.timedelta:
    """How long an undecided upload waits (``CASCADA_IMPORT_KEEP_HOURS``, default 24)."""
    return dt.timedelta(hours=int(getattr(settings, "CASCADA_IMPORT_KEEP_HOURS", 24)))


@dataclass(frozen=True)
class SweptUpload:
    """What the sweep did: the job (if any), the storage name of the file it deleted (the
    random one, never the user's file name; empty when an expired job kept no file) and
    why: ``expired`` (undecided too long: the job is rejected), ``closed`` (a file left
    behind by a confirmed or rejected job) or ``orphan`` (a file of no job)."""

    job_id: int | None
    name: str
    reason: str


def import_uploads_sweep(*, now: dt.datetime | None = None) -> list[SweptUpload]:
    """Delete uploads that must not linger (S14); run by ``cascada imports_sweep`` on a
    schedule. Idempotent: a second run finds nothing. Files without a job are deleted
    only once older than the keeping time, so an upload in progress is never touched."""
    now = now or timezone.now()
    cutoff = now - upload_keep_for()
    swept: list[SweptUpload] = []
    for job in ImportJob.objects.filter(status=ImportStatus.VALIDATED, created_at__lt=cutoff):
        name = job.file.name or ""
        job.status = ImportStatus.REJECTED
        job.finished_at = now
        _discard_file(job)
        job.save()
        audit_record(actor=None, action="import_expire", target=job, detail={"kind": job.kind})
        swept.append(SweptUpload(job.pk, name, "expired"))
    for job in ImportJob.objects.exclude(status=ImportStatus.VALIDATED).exclude(file=""):
        name = job.file.name or ""
        _discard_file(job)
        job.save(update_fields=["file"])
        swept.append(SweptUpload(job.pk, name, "closed"))
    storage = ImportJob._meta.get_field("file").storage
    known = set(ImportJob.objects.exclude(file="").values_list("file", flat=True))
    for name in stored_upload_names(storage):
        if name in known:
            continue
        try:
            modified = storage.get_modified_time(name)
        except (FileNotFoundError, NotImplementedError):
            continue
        if modified < cutoff:
            storage.delete(name)
            swept.append(SweptUpload(None, name, "orphan"))
    return swept


def import_uploads_rotate() -> int:
    """Re-encrypt every stored upload with the newest key (``cascada rotate_field_keys``).
    Returns how many files were rewritten."""
    count = 0
    for job in ImportJob.objects.exclude(file="").order_by("pk"):
        if upload_rotate(job):
            count += 1
    return count
