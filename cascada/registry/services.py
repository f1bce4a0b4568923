"""Writes to the registry. Every write validates, records an audit event and never stores
an identifier outside the encrypted ``Identity``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, QuerySet, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.audit.services import audit_record, audit_record_many
from cascada.core.crypto import keyed_hash, keyed_hasher
from cascada.core.errors import ApplicationError, PermissionDeniedError

from . import documents
from .arco import refuse_if_erased
from .hooks import people_changed_send
from .models import (
    Consent,
    ConsentPurpose,
    Country,
    IdDocument,
    Identity,
    NameToken,
    Organization,
    Person,
    PersonRole,
    Place,
    Sex,
    person_code,
)
from .names import name_token_hashes


class DuplicatePersonError(ApplicationError):
    def __init__(self, matches: list[Person], reason: str):
        super().__init__(
            _("This person may already be registered (%(reason)s): %(codes)s.")
            % {"reason": reason, "codes": ", ".join(p.code for p in matches)},
            code="duplicate_person",
            extra={"matches": [p.code for p in matches], "reason": reason},
        )
        self.matches = matches


@transaction.atomic
def organization_create(
    *,
    actor: Any,
    name: str,
    kind: str,
    country: str = "PE",
    short_name: str = "",
    place: Place | None = None,
) -> Organization:
    if actor is not None and not getattr(actor, "is_superuser", False):
        # Creating organizations is a platform administrator's job.
        raise ApplicationError(
            _("Only a platform administrator can add organizations."), code="permission_denied"
        )
    org = Organization(
        name=name.strip(), kind=kind, country=country, short_name=short_name, place=place
    )
    org.full_clean()
    org.save()
    audit_record(actor=actor, action="create", target=org)
    return org


def name_key(given_name: str, family_name: str) -> str:
    return keyed_hash(f"{given_name} {family_name}")


def default_document(organization: Organization) -> str:
    """The document a number given without its type is taken to be: the national card of
    the organization's country (the web form always asks; imports and the API may not)."""
    return IdDocument.CI if organization.country == Country.BOLIVIA else IdDocument.DNI


def national_id_key(id_document: str, national_id: str) -> str:
    """``Identity.national_id_hash`` of a canonical number (``documents.lookup_value``)."""
    return keyed_hash(documents.lookup_value(id_document, national_id)) if national_id else ""


def _document(organization: Organization, id_document: str, national_id: Any) -> tuple[str, str]:
    """(document type, canonical number) by the rules of ``registry.documents``;
    ``DocumentError`` (beside the ID-number field) when the number breaks them."""
    if national_id is None or not str(national_id).strip():
        return (id_document or ""), ""
    kind = id_document or default_document(organization)
    if kind not in IdDocument.values:
        raise documents.DocumentError("unknown_document")
    return kind, documents.normalise(kind, national_id)


def _name_tokens_write(person: Person, identity: Identity, *, new: bool = False) -> None:
    """Replace a person's name tokens (search by any part of the name, ``names.py``)."""
    if not new:
        NameToken.objects.filter(person=person).delete()
    NameToken.objects.bulk_create(
        NameToken(person=person, token_hash=h)
        for h in sorted(name_token_hashes(identity.given_name, identity.family_name))
    )


def _current_year() -> int:
    return timezone.localdate().year


def _birth_year(birth_year: int | None, age: int | None) -> tuple[int | None, bool]:
    if birth_year is not None:
        if not 1900 <= birth_year <= _current_year():
            raise ApplicationError(
                _("Birth year must be between 1900 and %(year)s.") % {"year": _current_year()},
                code="invalid",
                extra={"field": "birth_year"},
            )
        return birth_year, False
    if age is not None:
        if not 0 <= age <= 120:
            raise ApplicationError(_("Age must be between 0 and 120."), extra={"field": "age"})
        return _current_year() - age, True
    return None, False


@dataclass(frozen=True)
class DuplicateCandidate:
    """A person about to be registered, as ``person_duplicates_batch`` compares them."""

    national_id: str = ""  # canonical (``documents.normalise``)
    given_name: str = ""
    family_name: str = ""
    birth_year: int | None = None
    place: Place | None = None
    id_document: str = ""


MAX_DUPLICATE_MATCHES = 5


def _among(people: QuerySet[Person], ids: set[int]) -> set[int]:
    """Which of ``ids`` are in ``people`` (no query when there are none)."""
    if not ids:
        return set()
    return set(people.filter(pk__in=ids).values_list("pk", flat=True))


def person_duplicates_batch(
    *,
    actor: Any,
    candidates: Sequence[DuplicateCandidate],
    within: QuerySet[Person] | None = None,
    exclude: Person | None = None,
) -> list[tuple[list[Person], str]]:
    """The one duplicate rule, for many candidates at once (the web form asks for one, an
    import for a thousand): for each candidate, in order, the people already registered
    with the same ID number (keyed hash), else with the same full name, birth year and
    place (all three given), and the reason (``"id_number"``, ``"name_birth_year_place"``
    or ``""``). At most ``MAX_DUPLICATE_MATCHES`` people per candidate, by code.

    Only people the actor may see are searched (``registry.selectors.person_list``; the
    whole registry for the system, ``actor=None``); ``within`` narrows that further.
    Looking outside the user's scope would tell them that a man with this ID number is
    in another organization's programs, perhaps a court-ordered group (ADR 0005), so
    cross-organization duplicates are left to a platform job.

    At most five queries, plus those computing the actor's scope, whatever the number of
    candidates."""
    from .selectors import person_list

    base = (within if within is not None else Person.objects.all()).filter(merged_into__isnull=True)
    if actor is not None:
        base = base.filter(pk__in=person_list(user=actor).values("pk"))
    base = base.prefetch_related(None)
    if exclude is not None:
        base = base.exclude(pk=exclude.pk)
    hasher = keyed_hasher()
    id_keys = [
        hasher(documents.lookup_value(c.id_document, c.national_id.strip()))
        if c.national_id.strip()
        else ""
        for c in candidates
    ]
    name_keys = [
        (hasher(f"{c.given_name} {c.family_name}"), c.birth_year, c.place.pk)
        if c.given_name and c.birth_year and c.place is not None
        else None
        for c in candidates
    ]
    # Each look-up starts from the keyed-hash index and only then narrows the few records
    # found to the people the actor may see: asked the other way round, the planner walks
    # the actor's whole scope when its statistics lag behind a bulk import (200 ms a
    # batch at 100,000 people, docs/performance.md).
    by_id: dict[str, list[int]] = defaultdict(list)
    wanted_ids = {k for k in id_keys if k}
    if wanted_ids:
        hits = list(
            Identity.objects.filter(national_id_hash__in=wanted_ids).values_list(
                "person_id", "national_id_hash"
            )
        )
        seen = _among(base, {pk for pk, _k in hits})
        for pk, key in hits:
            if pk in seen:
                by_id[key].append(pk)
    by_name: dict[tuple[str, int | None, int | None], list[int]] = defaultdict(list)
    # Only candidates without an ID-number match go on to the name rule.
    name_wanted = [
        k for k, i in zip(name_keys, id_keys, strict=True) if k is not None and not by_id.get(i)
    ]
    if name_wanted:
        name_hits = list(
            Identity.objects.filter(
                name_hash__in={k[0] for k in name_wanted},
                person__birth_year__in={k[1] for k in name_wanted},
                person__place_id__in={k[2] for k in name_wanted},
            ).values_list("person_id", "name_hash", "person__birth_year", "person__place_id")
        )
        seen = _among(base, {hit[0] for hit in name_hits})
        for pk, name_hash, year, place_id in name_hits:
            if pk in seen:
                by_name[(name_hash, year, place_id)].append(pk)
    found: list[tuple[list[int], str]] = []
    for id_key, name_key_ in zip(id_keys, name_keys, strict=True):
        if id_key and by_id.get(id_key):
            found.append((by_id[id_key], "id_number"))
        elif name_key_ is not None and by_name.get(name_key_):
            found.append((by_name[name_key_], "name_birth_year_place"))
        else:
            found.append(([], ""))
    pks = {pk for pks_, _reason in found for pk in pks_}
    people = Person.objects.select_related("organization", "place").in_bulk(pks) if pks else {}
    return [
        (sorted((people[pk] for pk in pks_), key=lambda p: p.code)[:MAX_DUPLICATE_MATCHES], reason)
        for pks_, reason in found
    ]


def person_duplicates(
    *,
    national_id: str = "",
    given_name: str = "",
    family_name: str = "",
    birth_year: int | None = None,
    place: Place | None = None,
    exclude: Person | None = None,
    within: QuerySet[Person] | None = None,
    actor: Any = None,
    id_document: str = "",
) -> tuple[list[Person], str]:
    """``person_duplicates_batch`` for one person: people already registered with the
    same ID number, or the same name and birth year in the same place, among those the
    acting user may see (``actor``, or the people in ``within``; the whole registry for
    the system). See ADR 0005."""
    return person_duplicates_batch(
        actor=actor,
        candidates=[
            DuplicateCandidate(
                national_id=national_id,
                given_name=given_name,
                family_name=family_name,
                birth_year=birth_year,
                place=place,
                id_document=id_document,
            )
        ],
        within=within,
        exclude=exclude,
    )[0]


@transaction.atomic
def person_create(
    *,
    actor: Any,
    organization: Organization,
    given_name: str,
    family_name: str = "",
    sex: str = "not_stated",
    birth_year: int | None = None,
    age: int | None = None,
    place: Place | None = None,
    id_document: str = "",
    national_id: str = "",
    phone: str = "",
    address: str = "",
    roles: list[str] | None = None,
    allow_duplicate: bool = False,
    cap: str = Cap.MANAGE_PEOPLE,
) -> Person:
    """Register a person. ``cap`` is the capability that allows it in ``organization``:
    managing people, or ``Cap.REGISTER_PARTICIPANTS``, which only
    ``trainings.services.participant_register`` passes, after checking the cohort."""
    if cap not in (Cap.MANAGE_PEOPLE, Cap.REGISTER_PARTICIPANTS):
        raise PermissionDeniedError()
    if actor is not None:
        scope.require(actor, cap, organization.pk)
    new = NewPerson(
        given_name=given_name,
        family_name=family_name,
        sex=sex,
        birth_year=birth_year,
        age=age,
        place=place,
        id_document=id_document,
        national_id=national_id,
        phone=phone,
        address=address,
        roles=tuple(roles or ()),
    )
    person, identity = _person_build(actor, organization, new)
    if not allow_duplicate:
        from .selectors import person_list

        matches, reason = person_duplicates(
            national_id=identity.national_id,
            id_document=identity.id_document,
            given_name=identity.given_name,
            family_name=identity.family_name,
            birth_year=person.birth_year,
            place=place,
            within=person_list(user=actor) if actor is not None else None,
        )
        if matches:
            raise DuplicatePersonError(matches, reason)
    return _people_write(actor, [(person, identity, new.roles)])[0]


_SEXES = frozenset(Sex.values)


@dataclass(frozen=True)
class NewPerson:
    """One person to register, as a form, a command or a row of a file gives them."""

    given_name: str
    family_name: str = ""
    sex: str = "not_stated"
    birth_year: int | None = None
    age: int | None = None
    place: Place | None = None
    id_document: str = ""
    national_id: str = ""
    phone: str = ""
    address: str = ""
    roles: tuple[str, ...] = ()


def _person_build(
    actor: Any, organization: Organization, new: NewPerson
) -> tuple[Person, Identity]:
    """The rules of a new person's record, without touching the database: the given name
    is required, the birth year (or age) is plausible, the ID number follows its
    document's rules, every field fits (``ApplicationError`` / ``ValidationError``)."""
    given_name, family_name = new.given_name.strip(), new.family_name.strip()
    if not given_name:
        raise ApplicationError(_("Given name is required."), extra={"field": "given_name"})
    year, estimated = _birth_year(new.birth_year, new.age)
    id_document, national_id = _document(organization, new.id_document, new.national_id)
    if new.sex not in _SEXES:
        raise ApplicationError(_("Unknown sex: %(s)s") % {"s": new.sex}, extra={"field": "sex"})
    person = Person(
        organization=organization,
        sex=new.sex,
        birth_year=year,
        birth_year_estimated=estimated,
        place=new.place,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    # No ``full_clean()`` (a query per reference and per unique field, per person): the
    # references are objects already read, the code is unique per batch
    # (``_codes_unique``: one query), and the rest of the fields is checked above.
    identity = Identity(
        person=person,
        given_name=given_name,
        family_name=family_name,
        id_document=id_document,
        national_id=national_id,
        national_id_hash=national_id_key(id_document, national_id),
        name_hash=name_key(given_name, family_name),
        phone=new.phone.strip(),
        address=new.address.strip(),
    )
    # No ``identity.clean_fields()``: its values are free text (encrypted, no length
    # limit), the document type was checked by ``_document`` and the hashes are ours.
    return person, identity


@transaction.atomic
def people_create_checked(
    *, actor: Any, organization: Organization, people: Sequence[NewPerson]
) -> list[Person]:
    """Register people whose duplicates were already looked for (``person_create`` looks
    for one person's; the people importer for a batch's, ADR 0005), by a user who
    manages people in ``organization``. All or nothing: a person who breaks a rule raises
    ``PersonRejected`` naming its position before anything is written. Written in bulk,
    the same rows ``person_create`` writes: the person, the encrypted identity, the name
    tokens, the roles (participant by default) and one audit event each."""
    if actor is not None:
        scope.require(actor, Cap.MANAGE_PEOPLE, organization.pk)
    built: list[tuple[Person, Identity, tuple[str, ...]]] = []
    for position, new in enumerate(people):
        try:
            built.append((*_person_build(actor, organization, new), new.roles))
        except (ApplicationError, ValidationError) as exc:
            raise PersonRejected(position, exc) from exc
    return _people_write(actor, built)


def _people_write(
    actor: Any, built: list[tuple[Person, Identity, tuple[str, ...]]]
) -> list[Person]:
    """Write built people in bulk (a handful of statements per thousand people)."""
    persons = [p for p, _i, _r in built]
    _codes_unique(persons)
    Person.objects.bulk_create(persons, batch_size=1000)
    for person, identity, _roles in built:
        identity.person = person
    Identity.objects.bulk_create([i for _p, i, _r in built], batch_size=1000)
    NameToken.objects.bulk_create(
        [
            NameToken(person=person, token_hash=h)
            for person, identity, _roles in built
            for h in sorted(name_token_hashes(identity.given_name, identity.family_name))
        ],
        batch_size=1000,
    )
    PersonRole.objects.bulk_create(
        [
            PersonRole(person=person, role=role)
            for person, _identity, roles in built
            for role in dict.fromkeys(roles or ("participant",))
        ],
        batch_size=1000,
    )
    audit_record_many(actor=actor, action="create", targets=persons)
    return persons


class PersonRejected(ApplicationError):
    """``people_create_checked``: the person at ``position`` breaks a rule (``error``)."""

    def __init__(self, position: int, error: Exception) -> None:
        message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        super().__init__(message)
        self.position = position
        self.error = error


def _codes_unique(people: list[Person]) -> None:
    """New codes are random (``person_code``): draw again the rare one already taken, by
    someone registered or by another new person of the batch (one query)."""
    taken = set(
        Person.objects.filter(code__in=[p.code for p in people]).values_list("code", flat=True)
    )
    seen: set[str] = set()
    for person in people:
        while person.code in taken or person.code in seen:
            person.code = person_code()
            taken |= set(Person.objects.filter(code=person.code).values_list("code", flat=True))
        seen.add(person.code)


IDENTITY_FIELDS = ("given_name", "family_name", "id_document", "national_id", "phone", "address")
PERSON_FIELDS = ("sex", "birth_year", "place")


@transaction.atomic
def person_update(*, actor: Any, person: Person, **changes: Any) -> Person:
    """Correct a person's record (ARCO rectification). Audits the field names, not values.
    A record whose personal data were erased can no longer be corrected (``arco.py``)."""
    if actor is not None:
        scope.require(actor, Cap.MANAGE_PEOPLE, person.organization_id)
    refuse_if_erased(person)
    unknown = set(changes) - set(IDENTITY_FIELDS) - set(PERSON_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    changed: list[str] = []
    for field in PERSON_FIELDS:
        if field in changes and getattr(person, field) != changes[field]:
            if field == "birth_year" and changes[field] is not None:
                _birth_year(changes[field], None)
            setattr(person, field, changes[field])
            changed.append(field)
    identity = person.identity
    kind = changes.get("id_document", identity.id_document) or ""
    number = changes.get("national_id", identity.national_id)
    if (kind, str(number or "").strip().upper()) != (identity.id_document, identity.national_id):
        # A new number, or a new type for it: checked by the rules of its document. A
        # number stored before the rules and left as it was stays (``cascada
        # id_documents_check`` lists those).
        kind, number = _document(person.organization, kind, number)
        changes = {**changes, "id_document": kind, "national_id": number}
    for field in IDENTITY_FIELDS:
        if field in changes and getattr(identity, field) != (changes[field] or "").strip():
            setattr(identity, field, (changes[field] or "").strip())
            changed.append(field)
    if not identity.given_name:
        raise ApplicationError(_("Given name is required."), extra={"field": "given_name"})
    identity.national_id_hash = national_id_key(identity.id_document, identity.national_id)
    identity.name_hash = name_key(identity.given_name, identity.family_name)
    person.full_clean()
    person.save()
    identity.save()
    if {"given_name", "family_name"} & set(changed):
        _name_tokens_write(person, identity)
    if changed:
        audit_record(actor=actor, action="update", target=person, detail={"fields": changed})
    if {"sex", "birth_year", "place"} & set(changed):
        people_changed_send([person.pk])
    return person


# What a removal takes with the person: their own registry rows, and the cascade's
# derived rows (recomputed from enrolments, of which a removable person has none).
REMOVED_WITH_PERSON = frozenset(
    {
        "registry.person",
        "registry.identity",
        "registry.consent",
        "registry.personrole",
        "registry.nametoken",
        "cascade.lineage",
        "cascade.reach",
    }
)


class PersonInUseError(ApplicationError):
    def __init__(self, person: Person, held_by: list[str]) -> None:
        super().__init__(
            _(
                "%(code)s cannot be removed: other records depend on it (%(what)s). If it is "
                "a duplicate, merge it into the right record; otherwise withdraw the "
                "enrolments and keep it."
            )
            % {"code": person.code, "what": ", ".join(held_by)},
            code="person_in_use",
            extra={"held_by": held_by},
        )


# How the records that keep a person are named to the user (translated; Django's default
# plural of a verbose name, "inscripcións", is not Spanish).
RECORD_NAMES = {
    "trainings.enrolment": _("enrolments"),
    "trainings.cohortfacilitator": _("cohorts he facilitates"),
    "trainings.attendance": _("attendance records"),
    "trainings.certificate": _("certificates"),
    "accounts.user": _("user account"),
}


def _records_name(model: Any) -> str:
    meta = model._meta
    return str(RECORD_NAMES.get(meta.label_lower, meta.verbose_name_plural))


def person_removal_blockers(*, person: Person) -> list[str]:
    """What keeps a person from being removed, as names of records (translated): rows of
    other apps pointing at them (enrolments, facilitations, attendance, certificates,
    merged records, a user account), found without importing those apps."""
    from django.db import router
    from django.db.models.deletion import Collector

    names: set[str] = set()
    if getattr(person, "user", None) is not None:
        names.add(str(_("user account")))
    collector = Collector(using=router.db_for_write(Person))
    try:
        collector.collect([person])
    except (ProtectedError, RestrictedError) as exc:
        objs: Any = getattr(exc, "protected_objects", None) or getattr(
            exc, "restricted_objects", ()
        )
        names |= {_records_name(o) for o in objs}
    else:
        names |= {
            _records_name(model)
            for model, objs in collector.data.items()
            if objs and model._meta.label_lower not in REMOVED_WITH_PERSON
        }
        # Rows Django would delete in one query, without loading them.
        names |= {
            _records_name(qs.model)
            for qs in collector.fast_deletes
            if qs.model._meta.label_lower not in REMOVED_WITH_PERSON and qs.exists()
        }
    return sorted(names)


@transaction.atomic
def person_delete(*, actor: Any, person: Person) -> None:
    """Remove a person registered by mistake, with their identity, consents, roles and
    name tokens (S14). Refused with ``PersonInUseError`` while anything else depends on
    them: enrolments, attendance, facilitations, certificates, merged records or a user
    account (merge, or withdraw, instead). Audited with the code, never the name."""
    if actor is not None:
        scope.require(actor, Cap.MANAGE_PEOPLE, person.organization_id)
    held_by = person_removal_blockers(person=person)
    if held_by:
        raise PersonInUseError(person, held_by)
    pk, code = person.pk, person.code
    person.delete()
    audit_record(
        actor=actor,
        action="delete",
        target_type="registry.person",
        target_id=pk,
        detail={"code": code},
    )


def person_roles_add(*, actor: Any, person: Person, roles: list[str]) -> None:
    for role in roles:
        _obj, created = PersonRole.objects.get_or_create(person=person, role=role)
        if created:
            audit_record(
                actor=actor, action="person_role_add", target=person, detail={"role": role}
            )


@transaction.atomic
def consent_record(
    *,
    actor: Any,
    person: Person,
    purpose: str,
    granted: bool,
    text_version: str,
    date: dt.date | None = None,
) -> Consent:
    """Record a consent decision, or its withdrawal (``granted`` False) (S15)."""
    if actor is not None:
        scope.require(actor, Cap.RECORD_CONSENT, person.organization_id)
    if purpose not in ConsentPurpose.values:
        raise ApplicationError(_("Unknown consent purpose."), extra={"field": "purpose"})
    if not text_version.strip():
        raise ApplicationError(
            _("Say which version of the consent text was used."), extra={"field": "text_version"}
        )
    consent = Consent(
        person=person,
        purpose=purpose,
        granted=granted,
        date=date or timezone.localdate(),
        text_version=text_version.strip(),
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    consent.full_clean(exclude=["recorded_by"])  # set by the service; None = the system
    consent.save()
    if purpose == ConsentPurpose.AGGREGATE_REPORTING:
        latest = person.consents.filter(purpose=purpose).order_by("-date", "-id").first()
        Person.objects.filter(pk=person.pk).update(
            reporting_consent=bool(latest and latest.granted)
        )
        people_changed_send([person.pk])  # S15: aggregates count consenting people only
    audit_record(
        actor=actor,
        action="consent_grant" if granted else "consent_withdraw",
        target=person,
        detail={"purpose": purpose},
    )
    return consent


@dataclass
class MergeResult:
    kept: Person
    merged: Person
    moved: dict[str, int]


@transaction.atomic
def person_merge(*, actor: Any, keep: Person, duplicate: Person) -> MergeResult:
    """Fold ``duplicate`` into ``keep``: enrolments, attendance, facilitation, consents and
    roles move; the duplicate stays as a tombstone pointing at ``keep``. The apps above
    move their own rows through the ``person_merged`` hook, in this transaction (a failing
    receiver undoes the merge); each answers ``{label: count}`` for ``moved``."""
    from .hooks import PersonMerged, person_merged

    if actor is not None:
        scope.require(actor, Cap.MANAGE_PEOPLE, keep.organization_id)
        scope.require(actor, Cap.MANAGE_PEOPLE, duplicate.organization_id)
    if keep.pk == duplicate.pk:
        raise ApplicationError(_("A person cannot be merged into themselves."))
    if duplicate.merged_into_id or keep.merged_into_id:
        raise ApplicationError(_("This record has already been merged."))
    refuse_if_erased(keep, duplicate)
    moved: dict[str, int] = {}
    for answer in person_merged.send(PersonMerged(actor=actor, kept=keep, merged=duplicate)):
        moved.update(answer)  # type: ignore[call-overload]
    moved["consents"] = Consent.objects.filter(person=duplicate).update(person=keep)
    for role in duplicate.roles.values_list("role", flat=True):
        PersonRole.objects.get_or_create(person=keep, role=role)
    for field in PERSON_FIELDS:
        if getattr(keep, field) in (None, "", "not_stated") and getattr(duplicate, field):
            setattr(keep, field, getattr(duplicate, field))
    keep.save()
    duplicate.merged_into = keep
    duplicate.save(update_fields=["merged_into", "updated_at"])
    audit_record(
        actor=actor, action="merge", target=keep, detail={"into": keep.code, "code": duplicate.code}
    )
    return MergeResult(kept=keep, merged=duplicate, moved=moved)
