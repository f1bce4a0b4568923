"""Importing people from spreadsheets (the ``people`` kind), and finding the people an
enrolment or attendance row names (``PersonRefs``, used by ``trainings.importers``).

The machinery (reading files, the batched loop, row errors, the diff) is
``cascada.imports``; this module holds what is particular to people: the columns offices
in Peru and Bolivia write, the rules of names, ID numbers (``documents``), places and
duplicates (``services.person_duplicates_batch``, ADR 0005), and the write through
``services.people_create_checked`` (in bulk, a batch at a time).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cascada.accounts.roles import Cap
from cascada.imports.importer import Importer, Planned, WriteFailed
from cascada.imports.kinds import ImportKind
from cascada.imports.parsers import (
    ValueProblem,
    cell_text,
    normalize_text,
    parse_date,
    parse_int,
    parse_roles,
    parse_sex,
    shown,
)
from cascada.imports.report import CREATE, UNCHANGED

from . import documents
from .import_columns import (
    E_NOTATION,
    ID_DOCUMENTS,
    PEOPLE_COLUMNS,
    PERSON_MESSAGES,
)
from .models import Identity, Person, Place
from .place_columns import PlaceColumns
from .selectors import person_list
from .services import (
    DuplicateCandidate,
    NewPerson,
    PersonRejected,
    default_document,
    people_create_checked,
    person_duplicates_batch,
)


class PersonRefs(Importer):
    """Rows that name a person already registered, by code or ID number, among the people
    the importer may see."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        # A number without its document type is the national card of the country.
        self.default_document = default_document(self.organization)

    def visible_people(self) -> Any:
        return Person.objects.filter(pk__in=person_list(user=self.actor).values("pk"))

    def person_ref(self, row: int, cells: list[Any]) -> tuple[str, str] | None:
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

    def ref_label(self, ref: tuple[str, str]) -> str:
        name = "person_code" if ref[0] == "code" else "national_id"
        return self.labels.get(name, name)

    def resolve_people(self, refs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Person]:
        refs = [r for r in refs if r is not None]
        codes = {v for k, v in refs if k == "code"}
        hashes = {v for k, v in refs if k == "nid"}
        out: dict[tuple[str, str], Person] = {}
        if codes:
            for p in self.visible_people().filter(code__in=codes, merged_into__isnull=True):
                out[("code", p.code)] = p
        if hashes:
            qs = self.visible_people().filter(
                identity__national_id_hash__in=hashes, merged_into__isnull=True
            )
            # Two organizations may each have registered the same man (ADR 0005): the
            # target organization's record wins.
            for p in qs.select_related("identity"):
                key = ("nid", p.identity.national_id_hash)
                if key not in out or p.organization_id == self.organization.pk:
                    out[key] = p
        return out


def _codes(people: list[Person]) -> str:
    return ", ".join(p.code for p in people)


@dataclass
class PersonRow:
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


class PeopleImporter(PersonRefs):
    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.place_columns = PlaceColumns(self.organization.country)
        self.this_year = timezone.localdate().year

    def _text(self, row: int, cells: list[Any], name: str, limit: int) -> str:
        text = cell_text(self.cell(cells, name))
        if len(text) > limit:
            self.error(row, name, "too_long", max=limit)
        return text

    def _family(self, row: int, cells: list[Any]) -> str:
        """Family names: one column, or the paternal and maternal ones joined."""
        family = self._text(row, cells, "family_name", 100)
        if family:
            return family
        parts = [
            cell_text(self.cell(cells, "paternal_surname")),
            cell_text(self.cell(cells, "maternal_surname")),
        ]
        family = " ".join(p for p in parts if p)
        if len(family) > 100:
            self.error(row, "paternal_surname", "too_long", max=100)
        return family

    def _parse(self, row: int, cells: list[Any]) -> PersonRow | None:
        self.row_failed = False
        given = self._text(row, cells, "given_name", 100)
        if not given:
            self.error(row, "given_name", "required")
        family = self._family(row, cells)
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
        birth_year, age = self._birth(row, cells)
        place = self.place_columns.read(self, row, cells)
        phone = self._phone(row, cells)
        address = self._text(row, cells, "address", 200)
        try:
            raw_roles = self.cell(cells, "roles")
            roles = parse_roles(raw_roles) if raw_roles is not None else []
        except ValueProblem as p:
            roles = []
            self.error(row, "roles", p.code, **p.params)
        code = cell_text(self.cell(cells, "person_code")).upper()
        if self.row_failed:
            return None
        year = (
            birth_year
            if birth_year is not None
            else (self.this_year - age if age is not None else None)
        )
        return PersonRow(
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

    def _birth(self, row: int, cells: list[Any]) -> tuple[int | None, int | None]:
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
        return birth_year, age

    def _phone(self, row: int, cells: list[Any]) -> str:
        """A phone number; a number cell that Excel wrote in E-notation and lost digits
        is refused by the same repair as ID numbers (``documents``)."""
        raw = self.cell(cells, "phone")
        if raw is None or (isinstance(raw, str) and not E_NOTATION.fullmatch(raw)):
            return self._text(row, cells, "phone", 30)
        try:
            text, _numeric = documents._from_cell(raw)
        except documents.DocumentError as exc:
            self.error(row, "phone", exc.reason, **exc.params)
            return ""
        if len(text) > 30:
            self.error(row, "phone", "too_long", max=30)
        return text

    def check(self, batch: list[tuple[int, list[Any]]]) -> list[Planned[PersonRow]]:
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
                self.visible_people()
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
        found = (
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
            else []
        )
        duplicates = dict(zip((p.row for p in lookup), found, strict=True))
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
        out: list[Planned[PersonRow]] = []
        for p in parsed:
            action = self._decide(p, known_codes, same_org, duplicates, known)
            if action is not None:
                out.append(Planned(p.row, action, p))
        return out

    def _decide(
        self,
        p: PersonRow,
        known_codes: set[str],
        same_org: set[tuple[str, int | None, int | None]],
        duplicates: dict[int, tuple[list[Person], str]],
        known: dict[int, str],
    ) -> str | None:
        """What one parsed row does (``CREATE`` or ``UNCHANGED``), or ``None`` after
        reporting why it cannot be imported."""
        place_id = p.place.pk if p.place else None
        name_key_ = (p.name_hash, p.year, place_id)
        # A row given twice in the file: by code, else by ID number, else by name.
        for present, key, column in (
            (p.code, ("code", p.code), "person_code"),
            (p.nid_hash, ("nid", p.nid_hash), "national_id"),
            (not p.code and not p.nid_hash, ("name", *name_key_), "given_name"),
        ):
            if present and (other := self.first_seen(key, p.row)) is not None:
                self.error(p.row, column, "duplicate_row", other=other)
                return None
        if p.code:
            if p.code not in known_codes:
                self.error(p.row, "person_code", "unknown_person_code", value=shown(p.code))
                return None
            return UNCHANGED
        if not p.nid_hash and name_key_ in same_org:
            return UNCHANGED
        matches, reason = duplicates[p.row]
        if reason == "id_number":
            conflicts = [m for m in matches if not self._same_person(p, m, known)]
            if conflicts:
                # Another name (or sex) under this number: shown, never an update.
                self.error(p.row, "national_id", "id_conflict", code=_codes(conflicts))
                return None
            if any(m.organization_id == self.organization.pk for m in matches):
                return UNCHANGED  # already registered here: nothing to change
            # Registered by another organization this user works with (a person they
            # may see): name it, so they can check; never a person outside their scope.
            self.error(p.row, "national_id", "id_registered", code=_codes(matches))
            return None
        if reason:
            self.error(p.row, "given_name", "possible_duplicate", code=_codes(matches))
            return None
        return CREATE

    @staticmethod
    def _same_person(p: PersonRow, person: Person, names: dict[int, str]) -> bool:
        """A row and the person registered with its ID number agree on who they are: the
        same full name (keyed hash), and the same sex where both state one."""
        stated = {"", "not_stated"}
        if p.sex not in stated and person.sex not in stated and p.sex != person.sex:
            return False
        return names.get(person.pk) == p.name_hash

    def write(self, items: list[PersonRow]) -> None:
        """The batch's new people in bulk (duplicates were looked for in ``check``)."""
        try:
            people_create_checked(
                actor=self.actor,
                organization=self.organization,
                people=[
                    NewPerson(
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
                        roles=tuple(p.roles),
                    )
                    for p in items
                ],
            )
        except PersonRejected as exc:
            raise WriteFailed(items[exc.position].row, str(exc)) from exc


PEOPLE = ImportKind(
    key="people",
    label=_("People"),
    importer=PeopleImporter,
    capability=Cap.MANAGE_PEOPLE,
    columns=PEOPLE_COLUMNS,
    required=[("given_name",)],
    messages=PERSON_MESSAGES,
)
