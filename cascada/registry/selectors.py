"""Reads of the registry, scoped to what the user may see (S2). Nothing else queries
people for a user: views, API and exports all come through here."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.audit.services import audit_record
from cascada.core.crypto import keyed_hash
from cascada.core.errors import ApplicationError, NotFoundError

from . import documents
from .hooks import OrganizationsReached, PeopleReached, organizations_reached, people_reached
from .models import Identity, NameToken, Organization, Person, Place, PlaceLevel
from .names import MAX_QUERY_TOKENS, name_tokens, token_hasher


def _either(answers: list[object], q: Q) -> Q:
    """``q`` OR every answer to a registry question (``hooks.py``): a lost answer narrows."""
    for answer in answers:
        if not isinstance(answer, Q):
            raise TypeError(f"a registry question was answered with {answer!r}, not a Q")
        q |= answer
    return q


def organization_list(*, user: Any) -> QuerySet[Organization]:
    """Organizations the user belongs to, and partners of programs shared with them (the
    apps above answer ``organizations_reached``)."""
    mine = frozenset(org for org, _r in scope._roles(user).items())
    if not mine:
        return Organization.objects.none()
    asked = OrganizationsReached(user=user, org_ids=mine)
    q = _either(organizations_reached.ask(asked), Q(pk__in=mine))
    return Organization.objects.filter(q).distinct()


@functools.lru_cache(maxsize=4)
def department_choices() -> tuple[tuple[int, str, str], ...]:
    """(id, country, name) of every department: reference data, loaded by a migration
    and never edited at run time, so it is read once per process."""
    return tuple(
        Place.objects.filter(level=PlaceLevel.DEPARTMENT)
        .order_by("country", "name")
        .values_list("pk", "country", "name")
    )


def place_list(
    *, country: str | None = None, level: str | None = None, parent: Place | None = None
) -> QuerySet[Place]:
    """Places are public reference data."""
    qs = Place.objects.all()
    if country:
        qs = qs.filter(country=country)
    if level:
        qs = qs.filter(level=level)
    if parent is not None:
        qs = qs.filter(parent=parent)
    return qs.select_related("department")


def _visible_person_q(user: Any, cap: str) -> Q | None:
    """People of the user's organizations, plus those the apps above say the user reaches
    (``people_reached``: enrolled in or facilitating cohorts of programs their
    organizations own or share; facilitator-only organizations reach only the cohorts that
    user facilitates)."""
    orgs = scope.org_ids(user, cap)
    if not orgs:
        return None
    full = orgs - scope.cohort_bound_org_ids(user, cap)
    own = Q(organization_id__in=full) if full else Q(pk__in=[])
    return _either(people_reached.ask(PeopleReached(user=user, cap=cap)), own)


def person_list(
    *, user: Any, cap: str = Cap.VIEW_PEOPLE, include_merged: bool = False
) -> QuerySet[Person]:
    q = _visible_person_q(user, cap)
    if q is None:
        return Person.objects.none()
    qs = Person.objects.filter(q)
    if not include_merged:
        qs = qs.filter(merged_into__isnull=True)
    return qs.select_related("place", "organization").prefetch_related("roles")


def person_get(*, user: Any, pk: Any = None, code: str | None = None, audit: bool = True) -> Person:
    """One person the user may see, else NotFoundError (a 404, never a 403: S2).
    Viewing a person is audited (S10)."""
    qs = person_list(user=user, include_merged=True)
    lookup = {"code": code} if code is not None else {"pk": pk}
    try:
        person = qs.get(**lookup)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None
    if audit:
        audit_record(actor=user, action="view", target=person)
    return person


# ---------------------------------------------------------------- identities (S3)
#
# THE identity rule. A user reads a person's identity (names, ID number, phone, address)
# only through an organization where they hold ``Cap.VIEW_IDENTITY`` and to which the
# person belongs: the organization that registered the person, or an organization that
# owns or partners in (``Program.shared_with``) the program of a cohort the person is
# enrolled in. Holding the capability in some other organization grants nothing, and
# facilitating a cohort does not make a person "belong" to its partners
# (docs/decisions/security.md). Every reader of identities comes through
# ``identity_visible_ids`` or ``identity_visible_q``.


def identity_visible_q(*, user: Any, person_ids: Iterable[int] | None = None) -> Q:
    """The identity rule as a filter on ``Person`` (for querysets such as exports).
    ``person_ids`` narrows the answers' subqueries when the candidates are known."""
    orgs = scope.org_ids(user, Cap.VIEW_IDENTITY)
    if not orgs:
        return Q(pk__in=[])
    # A cohort-bound role (none holds VIEW_IDENTITY today) would reach only its cohorts.
    own = orgs - scope.cohort_bound_org_ids(user, Cap.VIEW_IDENTITY)
    asked = PeopleReached(
        user=user,
        cap=Cap.VIEW_IDENTITY,
        belonging=True,
        person_ids=None if person_ids is None else frozenset(person_ids),
    )
    return _either(people_reached.ask(asked), Q(organization_id__in=own) if own else Q(pk__in=[]))


def identity_visible_ids(*, user: Any, person_ids: Iterable[Any]) -> set[int]:
    """Of ``person_ids``, those whose identity ``user`` may read (the rule above)."""
    ids = {int(pk) for pk in person_ids if pk is not None}
    if not ids or not scope.has(user, Cap.VIEW_IDENTITY):
        return set()
    rule = identity_visible_q(user=user, person_ids=ids)
    return set(Person.objects.filter(pk__in=ids).filter(rule).values_list("pk", flat=True))


def roster_name_visible_ids(*, user: Any, person_ids: Iterable[Any]) -> set[int]:
    """Of ``person_ids``, those whose given name and family initial ``user`` may read: a
    roster needs a name to call, so people enrolled in a cohort where the user takes
    attendance (ADR 0003; ``people_reached`` with ``belonging``: enrolled, not
    facilitating). Never family names or ID numbers."""
    ids = frozenset(int(pk) for pk in person_ids if pk is not None)
    if not ids or not scope.has(user, Cap.TAKE_ATTENDANCE):
        return set()
    asked = PeopleReached(user=user, cap=Cap.TAKE_ATTENDANCE, belonging=True, person_ids=ids)
    rule = _either(people_reached.ask(asked), Q(pk__in=[]))
    return set(Person.objects.filter(pk__in=ids).filter(rule).values_list("pk", flat=True))


def identity_for(*, user: Any, person: Person) -> Identity | None:
    """The identity record when the identity rule lets the user read it (S3), else None.
    Not audited here: callers show it on an audited view (``person_get``) or audit the
    document they print (``certificate_download``)."""
    if person.pk not in identity_visible_ids(user=user, person_ids=[person.pk]):
        return None
    try:
        return person.identity
    except Identity.DoesNotExist:
        return None


def identity_records(*, user: Any, people: Iterable[Person]) -> dict[int, Identity]:
    """Identity records of the people whose identity the user may read, by person id."""
    visible = identity_visible_ids(user=user, person_ids=[p.pk for p in people])
    if not visible:
        return {}
    return {i.person_id: i for i in Identity.objects.filter(person_id__in=visible)}


def identities_for(*, user: Any, people: Iterable[Person], short: bool = False) -> dict[int, str]:
    """Display names for many people at once: the full name where the identity rule
    allows it; with ``short``, given name and initial for the people of the user's
    rosters; nobody else. Not audited: what shows these names uses ``identities_reveal``."""
    people = list(people)
    ids = [p.pk for p in people]
    full = identity_visible_ids(user=user, person_ids=ids)
    brief = roster_name_visible_ids(user=user, person_ids=set(ids) - full) if short else set()
    if not full and not brief:
        return {}
    rows = Identity.objects.filter(person_id__in=full | brief)
    if short:  # a roster: names must tell the men apart
        return roster_labels(identities=list(rows), people={p.pk: p for p in people}, full=full)
    return {i.person_id: (i.full_name if i.person_id in full else i.short_name) for i in rows}


def roster_labels(
    *, identities: list[Identity], people: dict[int, Person], full: set[int]
) -> dict[int, str]:
    """Names that tell apart the people of one roster (docs/decisions/roster.md). Each
    starts from the full name (``full``: ids whose identity the user reads) or the short
    one ("Jorge E."); where names collide (case and accents ignored), the colliding ones
    go one step further, until unique:

    1. the initials of the first two family names ("Jorge E. M."): still initials only;
    2. the year of birth ("Jorge E. M., 1990"), when known and unlike the others;
    3. the person's code ("Jorge E. M., K7P2QX9A"), which is unique.

    Pure: the caller has already applied the identity rule to ``identities``."""

    def fold(text: str) -> str:
        decomposed = unicodedata.normalize("NFKD", text.casefold())
        return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())

    def initials(identity: Identity) -> str:
        parts = (identity.family_name or "").split()[:2]
        marks = " ".join(f"{part[:1]}." for part in parts)
        return f"{identity.given_name} {marks}".strip()

    def step(identity: Identity, level: int) -> str:
        pid = identity.person_id
        base = identity.full_name if pid in full else identity.short_name
        if level == 0:
            return base
        name = base if pid in full else initials(identity)
        person = people.get(pid)
        if level == 1 or person is None:
            return name
        if level == 2:
            return f"{name}, {person.birth_year}" if person.birth_year else name
        return f"{name}, {person.code}"

    labels: dict[int, str] = {}
    pending = list(identities)
    for level in range(4):
        keys = {i.person_id: fold(step(i, level)) for i in pending}
        taken = {fold(label) for label in labels.values()}
        counts: dict[str, int] = {}
        for key in keys.values():
            counts[key] = counts.get(key, 0) + 1
        still: list[Identity] = []
        for identity in pending:
            key = keys[identity.person_id]
            if level == 3 or (counts[key] == 1 and key not in taken):
                labels[identity.person_id] = step(identity, level)
            else:
                still.append(identity)
        pending = still
    return labels


def _audit_names_shown(*, user: Any, shown: int, target: Any = None) -> None:
    """One audit row for a page or response that shows names (S10): a count, no names."""
    if shown:
        audit_record(
            actor=user,
            action="view_list",
            target=target,  # when given, its type and id replace ``target_type``
            target_type="registry.person",
            detail={"people": shown},
        )


def identities_reveal(
    *, user: Any, people: Iterable[Person], short: bool = False, target: Any = None
) -> dict[int, str]:
    """``identities_for`` for a page that shows the names: writes one audit row when any
    name is returned (``target`` is what the page is about, e.g. a cohort or a session)."""
    names = identities_for(user=user, people=people, short=short)
    _audit_names_shown(user=user, shown=len(names), target=target)
    return names


def identity_records_reveal(*, user: Any, people: Iterable[Person]) -> dict[int, Identity]:
    """``identity_records`` for a response that shows them: one audit row (S10)."""
    records = identity_records(user=user, people=people)
    _audit_names_shown(user=user, shown=len(records))
    return records


# ---------------------------------------------------------------- search (S3, S9, S10)

# Look-ups by ID number per user and window (S10): settings may override both.
ID_LOOKUP_LIMIT = 20
ID_LOOKUP_WINDOW_SECONDS = 600
SEARCH_LIMIT = 50


class LookupLimitError(ApplicationError):
    """Too many look-ups by ID number in the window (the API answers 429)."""

    def __init__(self, limit: int, window: int) -> None:
        super().__init__(
            _(
                "Too many searches by ID number: at most %(limit)s every %(minutes)s "
                "minutes. Try again later, or search by the participant's code."
            )
            % {"limit": limit, "minutes": max(1, window // 60)},
            code="rate_limited",
        )


def _id_lookup_take(user: Any) -> None:
    """Count one look-up by ID number for ``user``; LookupLimitError past the limit. The
    key names the account (id and creation time), so an id used again starts afresh."""
    limit = int(getattr(settings, "CASCADA_ID_LOOKUP_LIMIT", ID_LOOKUP_LIMIT))
    window = int(getattr(settings, "CASCADA_ID_LOOKUP_WINDOW_SECONDS", ID_LOOKUP_WINDOW_SECONDS))
    joined = getattr(user, "date_joined", None)
    key = f"cascada:id-lookup:{user.pk}:{joined.timestamp() if joined else ''}"
    cache.add(key, 0, timeout=window)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        used = 1
    if used > limit:
        raise LookupLimitError(limit, window)


def _may_be_id_number(text: str) -> bool:
    """Every ID document number (DNI, CE, CI, passport) holds a digit; names do not."""
    return any(ch.isdigit() for ch in text)


@dataclass(frozen=True)
class PersonSearchResult:
    people: list[Person]
    identities: dict[int, Identity] = field(default_factory=dict)
    by_id_number: bool = False

    @property
    def names(self) -> dict[int, str]:
        return {pk: i.full_name for pk, i in self.identities.items()}


def _name_match_q(text: str) -> Q | None:
    """People holding every word of ``text`` among their name tokens (``names.py``): one
    indexed subquery per word, at most ``MAX_QUERY_TOKENS``."""
    words = sorted(name_tokens(text), key=len, reverse=True)[:MAX_QUERY_TOKENS]
    if not words:
        return None
    hasher = token_hasher()
    q = Q()
    for word in words:
        q &= Q(pk__in=NameToken.objects.filter(token_hash=hasher(word)).values("person_id"))
    return q


def searches_identities(user: Any) -> bool:
    """Whether the user's searches look up names and ID numbers (``person_search_reveal``):
    only holders of ``Cap.VIEW_IDENTITY``; everyone else finds people by code alone."""
    return scope.has(user, Cap.VIEW_IDENTITY)


def person_search_reveal(*, user: Any, text: str, limit: int = SEARCH_LIMIT) -> PersonSearchResult:
    """Search the people the user may see by code, ID number or any part of the name, and
    reveal the identities of the results the user may read. S9: callers receive the text
    by POST.

    - The code matches any visible person. An exact code is a code look-up, nothing else.
    - ID number and names (keyed hashes, S13) are looked up only by users who hold
      ``Cap.VIEW_IDENTITY``, and match only people whose identity they may read. Names
      match word by word, accents and case aside: "quispe" finds every Quispe, "José
      Quispe" those with both words (``NameToken``). An ID number matches in any of the
      forms ``documents.lookup_values`` gives ("12345678-1" finds the DNI 12345678).
    - A look-up by ID number (a text with a digit that is no visible code) counts against
      ``CASCADA_ID_LOOKUP_LIMIT`` per ``CASCADA_ID_LOOKUP_WINDOW_SECONDS``.
    - Every search writes one audit row, without the text (S10, S11)."""
    text = (text or "").strip()
    if not text:
        return PersonSearchResult(people=[])
    qs = person_list(user=user)
    # Codes are upper case (core.models.ALPHABET): an exact match uses the unique index.
    people = list(qs.filter(code=text.upper())[:1])
    by_id_number = False
    if not people and searches_identities(user):
        match = _name_match_q(text)
        if _may_be_id_number(text):
            by_id_number = True
            try:
                _id_lookup_take(user)
            except LookupLimitError:
                audit_record(
                    actor=user,
                    action="search",
                    target_type="registry.person",
                    detail={"by_id_number": True, "reason": "rate_limited"},
                )
                raise
            keys = {keyed_hash(v) for v in documents.lookup_values(text)}
            by_id = Q(pk__in=Identity.objects.filter(national_id_hash__in=keys).values("person_id"))
            match = by_id if match is None else match | by_id
        if match is not None:
            people = list(qs.filter(match).filter(identity_visible_q(user=user))[:limit])
    identities = identity_records(user=user, people=people)
    audit_record(
        actor=user,
        action="search",
        target_type="registry.person",
        detail={
            "results": len(people),
            "people": len(identities),
            "by_id_number": by_id_number,
        },
    )
    return PersonSearchResult(people=people, identities=identities, by_id_number=by_id_number)


def person_search(*, user: Any, text: str) -> list[Person]:
    """The people ``person_search_reveal`` finds (audited and limited the same way)."""
    return person_search_reveal(user=user, text=text).people


def organization_get(*, user: Any, pk: Any) -> Organization:
    """One organization the user may see (``organization_list``), else NotFoundError."""
    try:
        return organization_list(user=user).get(pk=pk)
    except (Organization.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None


def organization_find(*, pk: Any) -> Organization:
    """Any organization by id, e.g. the partner a program is shared with. Organizations are
    institutions, not personal data; only the id and name are revealed to the caller."""
    try:
        return Organization.objects.get(pk=pk)
    except (Organization.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None


def place_get(*, pk: Any) -> Place:
    """Places are public reference data."""
    try:
        return Place.objects.select_related("department").get(pk=pk)
    except (Place.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None


# ---------------------------------------------------------------- places: labels and search


@dataclass(frozen=True)
class PlaceEntry:
    """A place with its parents, for labels and the type-ahead (reference data)."""

    pk: int
    country: str
    name: str
    level: str
    chain: tuple[int, ...]  # ids from the department down to this place
    parents: tuple[str, ...]  # names of the parents, nearest first
    words: tuple[str, ...]  # normalized words of the name
    parent_words: tuple[str, ...]  # normalized words of the parents' names

    @property
    def label(self) -> str:
        """ "Cusco (district) — Cusco, Cusco": the name, its level and its parents."""
        level = str(PlaceLevel(self.level).label).lower()
        text = f"{self.name} ({level})"
        return f"{text} — {', '.join(self.parents)}" if self.parents else text


def _fold(text: str) -> str:
    """Lower case without accents: "Apurímac" and "apurimac" are the same search."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text: str) -> tuple[str, ...]:
    import re

    return tuple(re.findall(r"\w+", _fold(text)))


@functools.lru_cache(maxsize=2)
def _place_index(version: tuple[int, int]) -> dict[int, PlaceEntry]:
    rows = {
        pk: (country, name, level, parent)
        for pk, country, name, level, parent in Place.objects.values_list(
            "pk", "country", "name", "level", "parent_id"
        )
    }
    index: dict[int, PlaceEntry] = {}
    for pk, (country, name, level, _parent) in rows.items():
        chain = [pk]
        node = rows[pk][3]
        while node is not None and node in rows and len(chain) < 5:
            chain.insert(0, node)
            node = rows[node][3]
        parents = tuple(rows[p][1] for p in reversed(chain[:-1]))
        index[pk] = PlaceEntry(
            pk=pk,
            country=country,
            name=name,
            level=level,
            chain=tuple(chain),
            parents=parents,
            words=_words(name),
            parent_words=tuple(w for p in parents for w in _words(p)),
        )
    return index


def place_entries() -> dict[int, PlaceEntry]:
    """Every place with its parents, by id. Places are loaded by a migration and never
    edited at run time, so the index is built once per process (and again only if the
    table's count or largest id changes, e.g. between test databases)."""
    from django.db.models import Count, Max

    version = Place.objects.aggregate(n=Count("pk"), top=Max("pk"))
    return _place_index((int(version["n"] or 0), int(version["top"] or 0)))


def place_labels(*, place_ids: Iterable[Any]) -> dict[int, str]:
    """Labels naming the parents ("Cusco (district) — Cusco, Cusco"), by place id."""
    entries = place_entries()
    return {int(pk): entries[int(pk)].label for pk in place_ids if pk and int(pk) in entries}


PLACE_SEARCH_LIMIT = 15
_LEVEL_ORDER: dict[str, int] = {
    PlaceLevel.DEPARTMENT: 0,
    PlaceLevel.PROVINCE: 1,
    PlaceLevel.MUNICIPALITY: 1,
    PlaceLevel.DISTRICT: 2,
}


def place_search(
    *, text: str, country: str | None = None, limit: int = PLACE_SEARCH_LIMIT
) -> list[PlaceEntry]:
    """The type-ahead of the place picker: places whose name starts with the words typed
    (any case, with or without accents); further words may name a parent ("cusco
    wanchaq", "san juan lima"). Exact names first, then departments before provinces
    before districts. Places are public reference data."""
    tokens = _words(text or "")[:6]
    if not tokens or len("".join(tokens)) < 2:
        return []
    query = " ".join(tokens)
    found: list[tuple[tuple[int, int, str, str], PlaceEntry]] = []
    for entry in place_entries().values():
        if country and entry.country != country:
            continue
        every = entry.words + entry.parent_words
        if not all(any(w.startswith(t) for w in every) for t in tokens):
            continue
        if not any(w.startswith(t) for t in tokens for w in entry.words):
            continue
        name = " ".join(entry.words)
        rank = 0 if name == query else 1 if name.startswith(query) else 2
        found.append(((rank, _LEVEL_ORDER.get(entry.level, 3), name, entry.label), entry))
    found.sort(key=lambda pair: pair[0])
    return [entry for _key, entry in found[:limit]]


def default_country(*, user: Any) -> str:
    """The country the place picker opens on: that of the user's organizations (the most
    common one), else Peru."""
    from collections import Counter

    from .models import Country

    org_ids = list(scope._roles(user))
    countries = Counter(
        Organization.objects.filter(pk__in=org_ids).values_list("country", flat=True)
    )
    return countries.most_common(1)[0][0] if countries else Country.PERU


def consent_list(*, user: Any, person: Person) -> QuerySet[Any]:
    """Consent decisions of a person the user may see, newest first (S15)."""
    from .models import Consent

    if not person_list(user=user, include_merged=True).filter(pk=person.pk).exists():
        return Consent.objects.none()
    return Consent.objects.filter(person=person).order_by("purpose", "-date", "-id")


def consent_history(*, person: Person) -> dict[str, list[Any]]:
    """Every consent decision of a (visible) person by purpose, latest first (S15)."""
    from .models import Consent, ConsentPurpose

    out: dict[str, list[Any]] = {purpose: [] for purpose in ConsentPurpose.values}
    rows = Consent.objects.filter(person=person).select_related("recorded_by")
    for consent in rows.order_by("purpose", "-date", "-id"):
        out.setdefault(consent.purpose, []).append(consent)
    return out


# ---------------------------------------------------------------- ID documents


@dataclass(frozen=True)
class DocumentProblem:
    person: Person
    id_document: str
    reason: str  # a key of ``documents.REASONS``

    @property
    def message(self) -> str:
        return documents.describe(self.reason)


def identity_document_problems_reveal(*, user: Any) -> list[DocumentProblem]:
    """People whose identity ``user`` may read (S3) and whose ID number breaks the rules
    of its document: numbers stored before ``registry.documents`` existed, which the data
    migration kept as they were. The numbers themselves are not returned. One audit row
    (S10), with the count."""
    from .services import default_document

    rule = identity_visible_q(user=user)
    people = Person.objects.filter(rule).exclude(identity__national_id="")
    rows = (
        Identity.objects.filter(person__in=people.values("pk"))
        .select_related("person__organization")
        .order_by("person__organization__name", "person__code")
    )
    found: list[DocumentProblem] = []
    for identity in rows.iterator(chunk_size=500):
        kind = identity.id_document or default_document(identity.person.organization)
        try:
            documents.normalise(kind, identity.national_id)
        except documents.DocumentError as exc:
            found.append(DocumentProblem(identity.person, kind, exc.reason))
    audit_record(
        actor=user,
        action="check_documents",
        target_type="registry.person",
        detail={"people": len(found)},
    )
    return found
