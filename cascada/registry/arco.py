"""A person's rights over their data (S14; Peru's Ley 29733, ARCO: access, rectification,
cancellation, opposition). The decisions are in ``docs/decisions/arco.md``.

- **Access and portability**: ``person_export_reveal`` gathers everything Cascada holds
  about a person, from every app (the ``person_exported`` hook for the apps above the
  registry; direct calls to ``imports`` and ``audit`` below it), as one JSON document.
- **Rectification**: ``services.person_update`` (audited with the names of the fields
  changed, never the values).
- **Cancellation**: ``person_erase`` sends ``person_erased`` to every app that holds a
  person, then strips the registry's own rows: the person becomes a stub with a fresh
  random code and no identity, name tokens, consents, roles or place. The stub keeps what
  the published figures are computed from (organization, sex, birth year, the
  aggregate-reporting flag) and stays attached to its enrolments, attendance and lineage,
  so the cascade and every aggregate count are exactly what they were.
- **Opposition**: withdrawing a consent (``services.consent_record``, ``granted=False``).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.audit.arco import audit_codes_replace, audit_events_about
from cascada.audit.models import AuditEvent
from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError, PermissionDeniedError
from cascada.core.models import IdempotencyRecord
from cascada.imports.arco import Needles, import_codes_replace, import_jobs_mentioning
from cascada.imports.arco import uploads_forget as import_uploads_forget

from .hooks import PersonErased, PersonExported, person_erased, person_exported
from .models import Consent, Identity, NameToken, Person, PersonRole, person_code

PERSON = "registry.person"

# Why a person's data are erased: a fixed list, so that the audit row can say it without
# free text (which could hold a name, S11).
ERASE_REASONS: dict[str, Any] = {
    "holder_request": _("The person asked for it (ARCO cancellation request)"),
    "representative_request": _("Their legal representative asked for it"),
    "authority_order": _("An authority ordered it (court, data-protection authority)"),
    "consent_withdrawn": _("The person withdrew consent to take part"),
}

# What erasure removes and what it keeps, as the confirmation page and the API say it.
ERASED = (
    _("names, ID document and number, phone and address"),
    _("the words of the name used by search"),
    _("consent records, roles and place of residence"),
    _("the person's code: the record gets a new random code"),
    _("uploaded files still waiting for a decision that mention the person"),
    _("the certificates' codes: printed certificates no longer verify or download"),
)
KEPT = (
    _("enrolments, attendance and completions, under the new code, without a name"),
    _("the cascade: who was trained by whom, generations and reach"),
    _("sex, birth year and organization, which the published figures are counted from"),
    _("the audit trail (it never holds names or ID numbers)"),
)


def _records(person: Person) -> list[Person]:
    """The person and every record merged into them (tombstones keep their own identity)."""
    records = [person]
    frontier = [person.pk]
    while frontier:
        found = list(Person.objects.filter(merged_into_id__in=frontier))
        records.extend(found)
        frontier = [p.pk for p in found]
    return records


def person_erased_on(*, person: Person) -> Any:
    """When the person's personal data were erased (a datetime), or None."""
    event = (
        AuditEvent.objects.filter(action="erase", target_type=PERSON, target_id=str(person.pk))
        .order_by("at")
        .first()
    )
    return event.at if event is not None else None


def refuse_if_erased(*people: Person) -> None:
    """An erased record is frozen: no correction, no merge (either way), which would tie
    it to a name again."""
    ids = [str(p.pk) for p in people]
    if AuditEvent.objects.filter(action="erase", target_type=PERSON, target_id__in=ids).exists():
        raise ApplicationError(
            _("This person's personal data were erased: the record can no longer be changed."),
            code="erased",
        )


def may_erase(*, user: Any, person: Person) -> bool:
    return scope.has(user, Cap.ERASE_PEOPLE, person.organization_id)


def may_export(*, user: Any, person: Person) -> bool:
    from .selectors import identity_visible_ids

    return scope.has(user, Cap.MANAGE_PEOPLE, person.organization_id) and bool(
        identity_visible_ids(user=user, person_ids=[person.pk])
    )


def _not_merged(person: Person) -> None:
    if person.merged_into_id:
        merged_into = Person.objects.filter(pk=person.merged_into_id).first()
        raise ApplicationError(
            _("This record was merged into %(code)s: use that record.")
            % {"code": merged_into.code if merged_into else "—"},
            code="merged",
        )


def _identity_data(person: Person) -> dict[str, Any] | None:
    identity = Identity.objects.filter(person=person).first()
    if identity is None:
        return None
    return {
        "given_name": identity.given_name,
        "family_name": identity.family_name,
        "id_document": identity.id_document,
        "national_id": identity.national_id,
        "phone": identity.phone,
        "address": identity.address,
    }


def _person_data(person: Person) -> dict[str, Any]:
    place = person.place
    return {
        "code": person.code,
        "organization": person.organization.name,
        "sex": person.sex,
        "birth_year": person.birth_year,
        "birth_year_estimated": person.birth_year_estimated,
        "place": {"code": place.code, "name": place.name, "country": place.country}
        if place
        else None,
        "registered_at": person.created_at.isoformat(),
        "consents_to_aggregate_reporting": person.reporting_consent,
    }


def person_export_reveal(*, actor: Any, person: Person) -> dict[str, Any]:
    """Everything Cascada holds about ``person``, as JSON-ready data (ARCO access and
    portability): the record, the identity (decrypted), roles, consents, records merged
    into it, every app's rows (``person_exported``), the imports that name the person and
    the audit trail about their records. Other people appear by code only.

    For a user who manages people in the person's organization and may read the identity
    (else ``PermissionDeniedError``). A read that reveals names: one audit row
    (``arco_export``), with no values."""
    if actor is not None and not may_export(user=actor, person=person):
        raise PermissionDeniedError()
    _not_merged(person)
    records = _records(person)
    data: dict[str, Any] = {
        "format": "cascada.person_export",
        "version": 1,
        "exported_at": timezone.now().isoformat(),
        "person": _person_data(person),
        "identity": _identity_data(person),
        "roles": [
            {"role": r.role, "since": r.since.isoformat() if r.since else None}
            for r in PersonRole.objects.filter(person=person).order_by("role")
        ],
        "consents": [
            {
                "purpose": c.purpose,
                "granted": c.granted,
                "date": c.date.isoformat(),
                "text_version": c.text_version,
            }
            for c in Consent.objects.filter(person=person).order_by("date", "id")
        ],
        "merged_records": [
            {"code": r.code, "identity": _identity_data(r)} for r in records if r is not person
        ],
    }
    targets: list[tuple[str, Any]] = [(PERSON, r.pk) for r in records]
    with transaction.atomic():  # hooks run in a transaction (core/hooks.py)
        for record in records:
            event = PersonExported(actor=actor, person=record, audit_targets=targets)
            for answer in person_exported.send(event):
                for section, rows in (answer if isinstance(answer, dict) else {}).items():
                    if record is person or section not in data:
                        data[section] = rows
                    elif isinstance(data[section], list) and isinstance(rows, list):
                        data[section] = data[section] + rows
        data["imports"] = import_jobs_mentioning(codes=[r.code for r in records])
        data["audit"] = audit_events_about(targets=targets)
        audit_record(actor=actor, action="arco_export", target=person)
    return data


# ---------------------------------------------------------------- cancellation


def _needles(records: list[Person]) -> Needles:
    identities = list(Identity.objects.filter(person__in=records))
    return Needles(
        codes=tuple(r.code for r in records),
        id_numbers=tuple(i.national_id for i in identities if i.national_id),
        names=tuple(i.full_name for i in identities),
    )


def _replays_forget(needles: Needles) -> int:
    """Stored API answers kept for replay (``core.idempotency``, encrypted, 24 h) that
    mention the person: deleted (a replay then finds nothing, which only costs the
    protection against a double send of that one request)."""
    gone = 0
    for record in IdempotencyRecord.objects.exclude(body="").only("pk", "body"):
        if needles.in_text(record.body):
            record.delete()
            gone += 1
    return gone


def _strip(person: Person, new_code: str) -> Counter[str]:
    """The registry's own rows: identity, name tokens, consents and roles deleted; the
    person row keeps only what the figures count (organization, sex, birth year, the
    aggregate-reporting flag) under a fresh random code."""
    done: Counter[str] = Counter()
    done["identities"] = Identity.objects.filter(person=person).delete()[0]
    done["name_tokens"] = NameToken.objects.filter(person=person).delete()[0]
    done["consents"] = Consent.objects.filter(person=person).delete()[0]
    done["roles"] = PersonRole.objects.filter(person=person).delete()[0]
    Person.objects.filter(pk=person.pk).update(
        code=new_code,
        place=None,
        birth_year_estimated=False,
        created_by=None,
        updated_at=timezone.now(),
    )
    return done


def _fresh_codes(n: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < n:
        codes |= {person_code() for _i in range(n - len(codes))}
        codes -= set(Person.objects.filter(code__in=codes).values_list("code", flat=True))
    return sorted(codes)


@transaction.atomic
def person_erase(*, actor: Any, person: Person, reason: str) -> dict[str, int]:
    """Erase a person's personal data at their request (ARCO cancellation, S14): every app
    that holds a person answers ``person_erased`` in this transaction (trainings: the
    certificates' codes; cascade: nothing identifies), undecided uploads that mention the
    person are rejected and deleted (``imports.arco``), stored API answers that mention
    them are deleted, old codes in the audit trail and import errors are replaced, then the
    registry's own rows are stripped (``_strip``), for the person and any record merged
    into them. Aggregates and the cascade are unchanged (docs/decisions/arco.md).

    ``reason`` is one of ``ERASE_REASONS``. Refused for a merged record (erase the one it
    was merged into), for someone with a user account (close the account first) and for a
    record already erased. One audit row ``erase`` with the reason and the counts: what
    was removed, never whom. Returns those counts."""
    if actor is not None:
        scope.require(actor, Cap.ERASE_PEOPLE, person.organization_id)
    if reason not in ERASE_REASONS:
        raise ApplicationError(
            _("Choose why the personal data are erased."), code="invalid", extra={"field": "reason"}
        )
    # Locked: two copies of the same request (a double tap) erase once; the second one
    # finds the record already erased.
    person = Person.objects.select_for_update().select_related("organization").get(pk=person.pk)
    _not_merged(person)
    if person_erased_on(person=person) is not None:
        raise ApplicationError(
            _("This person's personal data were already erased."), code="already_erased"
        )
    records = _records(person)
    if Person.objects.filter(pk__in=[r.pk for r in records], user__isnull=False).exists():
        raise ApplicationError(
            _(
                "This person has a user account. An administrator must close the account "
                "(or unlink it from this person) before the personal data can be erased."
            ),
            code="has_user",
        )
    needles = _needles(records)
    codes = dict(zip((r.code for r in records), _fresh_codes(len(records)), strict=True))
    counts: Counter[str] = Counter()
    for record in records:
        event = PersonErased(
            actor=actor, person=record, reason=reason, extra={"new_code": codes[record.code]}
        )
        for answer in person_erased.send(event):
            counts.update(
                {str(k): int(v) for k, v in (answer or {}).items()}
                if isinstance(answer, dict)
                else {}
            )
    counts["uploads"] = import_uploads_forget(actor=actor, needles=needles)
    counts["import_errors"] = import_codes_replace(codes=codes)
    counts["audit_rows"] = audit_codes_replace(codes=codes)
    counts["replays"] = _replays_forget(needles)
    for record in records:
        counts.update(_strip(record, codes[record.code]))
    counts["records"] = len(records)
    audit_record(
        actor=actor,
        action="erase",
        target=person,
        detail={"reason": reason, **{k: v for k, v in sorted(counts.items()) if v}},
    )
    return dict(counts)
