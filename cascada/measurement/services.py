"""Writes of attitude measurement: instruments and their versions, survey rounds, and
respondents' answers with their scores (docs/decisions/measurement.md).

Every score is computed here, from the answers, by ``scoring.score`` with the round's
instrument version; the version is frozen by the first answer recorded with it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.audit.services import audit_record
from cascada.core.crypto import keyed_hash
from cascada.core.errors import ApplicationError, PermissionDeniedError
from cascada.registry.models import Organization, Person
from cascada.trainings.models import Cohort, Enrolment
from cascada.trainings.services import program_org_ids

from .models import (
    Instrument,
    InstrumentVersion,
    Item,
    Response,
    ResponseOption,
    Round,
    RoundKind,
    Source,
    Subscale,
    VersionStatus,
    Wording,
)
from .scoring import CategoryRule, Spec, score

# ---------------------------------------------------------------- instruments


def _require_org(actor: Any, cap: str, org_id: int | None) -> None:
    if actor is None:
        return
    if org_id is None or org_id not in scope.org_ids(actor, cap):
        raise PermissionDeniedError()


def _editable(version: InstrumentVersion) -> None:
    """Only an organization's own draft, never a shipped or frozen version."""
    if version.instrument.organization_id is None:
        raise ApplicationError(
            _("Instruments shipped with Cascada cannot be changed; adopt a copy first."),
            code="shipped",
        )
    if version.is_frozen or version.status != VersionStatus.DRAFT:
        raise ApplicationError(
            _("This version is published or already has answers; make a new version."),
            code="frozen",
        )


@transaction.atomic
def instrument_adopt(
    *, actor: Any, organization: Organization, version: InstrumentVersion
) -> InstrumentVersion:
    """A draft copy of ``version`` owned by ``organization`` (its next version if the
    organization already has the instrument), to confirm or replace wordings before a
    round opens. The shipped version itself never changes."""
    _require_org(actor, Cap.MANAGE_MEASUREMENT, organization.pk)
    source = version.instrument
    instrument, _created = Instrument.objects.get_or_create(
        organization=organization,
        code=source.code,
        defaults={
            "name_es": source.name_es,
            "name_en": source.name_en,
            "description": source.description,
            "source": source.source,
        },
    )
    copy = _version_copy(version, instrument)
    audit_record(actor=actor, action="create", target=copy, detail={"code": source.code})
    return copy


@transaction.atomic
def version_new(*, actor: Any, version: InstrumentVersion) -> InstrumentVersion:
    """A new draft of an organization's instrument, copied from ``version``."""
    _require_org(actor, Cap.MANAGE_MEASUREMENT, version.instrument.organization_id)
    copy = _version_copy(version, version.instrument)
    audit_record(actor=actor, action="create", target=copy)
    return copy


def _version_copy(version: InstrumentVersion, instrument: Instrument) -> InstrumentVersion:
    latest = instrument.versions.order_by("-number").values_list("number", flat=True).first()
    copy = InstrumentVersion.objects.create(
        instrument=instrument,
        number=(latest or 0) + 1,
        status=VersionStatus.DRAFT,
        scoring=version.scoring,
        higher_means_es=version.higher_means_es,
        higher_means_en=version.higher_means_en,
        max_missing=version.max_missing,
        category_rule=version.category_rule,
        notes=version.notes,
    )
    subscales = {
        s.pk: Subscale.objects.create(
            version=copy, code=s.code, name_es=s.name_es, name_en=s.name_en, position=s.position
        )
        for s in version.subscales.all()
    }
    ResponseOption.objects.bulk_create(
        ResponseOption(
            version=copy,
            scale=o.scale,
            code=o.code,
            label_es=o.label_es,
            label_en=o.label_en,
            score=o.score,
            position=o.position,
        )
        for o in version.options.all()
    )
    Item.objects.bulk_create(
        Item(
            version=copy,
            code=i.code,
            position=i.position,
            text_es=i.text_es,
            text_en=i.text_en,
            wording_es=i.wording_es,
            wording_en=i.wording_en,
            scale=i.scale,
            reverse=i.reverse,
            scored=i.scored,
            subscale=subscales.get(i.subscale_id) if i.subscale_id else None,
        )
        for i in version.items.all()
    )
    return copy


@transaction.atomic
def item_confirm(
    *, actor: Any, item: Item, text_es: str | None = None, text_en: str | None = None
) -> Item:
    """Confirm an item's wording as the organization will use it, or replace it (a draft
    of the organization's own version). A replaced text becomes the organization's own
    wording; a confirmed one keeps what it was and records who confirmed it."""
    _editable(item.version)
    _require_org(actor, Cap.MANAGE_MEASUREMENT, item.version.instrument.organization_id)
    changed = []
    for field, wording, value in (
        ("text_es", "wording_es", text_es),
        ("text_en", "wording_en", text_en),
    ):
        if value is not None and value.strip() and value.strip() != getattr(item, field):
            setattr(item, field, value.strip())
            setattr(item, wording, Wording.OWN)
            changed.append(field)
    if not item.text_es.strip():
        raise ApplicationError(_("An item needs its Spanish text."), extra={"field": "text_es"})
    item.confirmed_by = actor if getattr(actor, "pk", None) else None
    item.confirmed_at = timezone.now()
    item.save()
    audit_record(
        actor=actor, action="item_confirm", target=item.version, detail={"fields": changed}
    )
    return item


def unconfirmed_items(version: InstrumentVersion) -> list[Item]:
    """Items whose wording is not the published one and nobody confirmed: shown before a
    round opens with this version."""
    return list(
        version.items.filter(confirmed_at__isnull=True)
        .filter(
            Q(wording_es__in=[Wording.TRANSLATION, Wording.UNVERIFIED])
            | Q(wording_en=Wording.UNVERIFIED)
        )
        .order_by("position")
    )


@transaction.atomic
def version_publish(*, actor: Any, version: InstrumentVersion) -> InstrumentVersion:
    """A draft becomes usable by rounds. Its scoring is checked first: every item's scale
    has a scored option, and the category rule is one Cascada knows."""
    _editable(version)
    _require_org(actor, Cap.MANAGE_MEASUREMENT, version.instrument.organization_id)
    spec_check(version)
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(actor=actor, action="publish", target=version)
    return version


def spec_check(version: InstrumentVersion) -> Spec:
    """The version's scoring spec, or an ``ApplicationError`` saying what is wrong."""
    try:
        CategoryRule.of(version.category_rule)
        spec = Spec.of(version)
        if not spec.scored_items:
            raise ValueError(_("The instrument has no scored item."))
        for item in spec.scored_items:
            spec.bounds(item.scale)
        spec.upper_bounds()
    except ValueError as exc:
        raise ApplicationError(
            _("The instrument cannot be scored: %(why)s") % {"why": exc}, code="unscorable"
        ) from exc
    return spec


# ---------------------------------------------------------------- rounds


@transaction.atomic
def round_create(
    *,
    actor: Any,
    cohort: Cohort,
    version: InstrumentVersion,
    kind: str,
    opens_on: dt.date,
    closes_on: dt.date | None = None,
    anonymous: bool = False,
    label: str = "",
) -> Round:
    orgs = program_org_ids(cohort.program)
    if actor is not None and not scope.org_ids(actor, Cap.MANAGE_MEASUREMENT) & orgs:
        raise PermissionDeniedError()
    if version.status != VersionStatus.PUBLISHED:
        raise ApplicationError(
            _("Only a published instrument version can be used in a round."), code="draft"
        )
    owner = version.instrument.organization_id
    if owner is not None and owner not in orgs:
        raise PermissionDeniedError()
    if kind not in RoundKind.values:
        raise ApplicationError(_("Unknown kind of round."), extra={"field": "kind"})
    if closes_on is not None and closes_on < opens_on:
        raise ApplicationError(_("The round closes before it opens."), extra={"field": "closes_on"})
    if (
        kind in (RoundKind.BASELINE, RoundKind.ENDLINE)
        and Round.objects.filter(
            cohort=cohort, kind=kind, version__instrument=version.instrument
        ).exists()
    ):
        raise ApplicationError(
            _("This cohort already has a %(kind)s round of this instrument.")
            % {"kind": RoundKind(kind).label},
            code="duplicate_round",
        )
    survey = Round.objects.create(
        cohort=cohort,
        version=version,
        kind=kind,
        label=label.strip(),
        opens_on=opens_on,
        closes_on=closes_on,
        anonymous=anonymous,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(actor=actor, action="create", target=survey, detail={"kind": kind})
    return survey


# ---------------------------------------------------------------- answers


def self_code_key(code: str) -> str:
    """The keyed hash of a self-generated code (letters and digits only, case- and
    accent-insensitive): the code itself is never stored."""
    cleaned = "".join(ch for ch in code if ch.isalnum())
    return keyed_hash(cleaned) if cleaned else ""


def _can_record(actor: Any, survey: Round) -> None:
    if actor is None:
        return
    orgs = scope.org_ids(actor, Cap.RECORD_ANSWERS) & program_org_ids(survey.cohort.program)
    if not orgs:
        raise PermissionDeniedError()
    if orgs <= scope.cohort_bound_org_ids(actor, Cap.RECORD_ANSWERS):
        person_id = getattr(actor, "person_id", None)
        if not person_id or not survey.cohort.facilitations.filter(person_id=person_id).exists():
            raise PermissionDeniedError(_("You can only record answers in cohorts you facilitate."))


PROBLEM_TEXT = {
    "unknown_item": _("not a question of this instrument"),
    "unknown_option": _("not one of the question's answers"),
}


@transaction.atomic
def response_record(
    *,
    actor: Any,
    survey: Round,
    answers: Mapping[str, Any],
    consent: bool,
    person: Person | None = None,
    self_code: str = "",
    source: str = Source.WEB,
    source_key: str = "",
    instance_id: str = "",
    submitted_at: dt.datetime | None = None,
    spec: Spec | None = None,
) -> Response:
    """Record (or replace) one respondent's answers in a round, scored.

    The respondent is a person enrolled in the round's cohort, or, in an anonymous round,
    a self-generated code. Answers about violence need the respondent's consent to
    collect sensitive data (S15): without it nothing is stored. The same respondent (or
    the same field submission, ``source_key``) answering again replaces the earlier
    answers."""
    _can_record(actor, survey)
    if not consent:
        raise ApplicationError(
            _("The respondent did not consent: the answers cannot be recorded."),
            code="no_consent",
            extra={"field": "consent"},
        )
    spec = spec or Spec.of(survey.version)
    answers = {k: v for k, v in answers.items() if v not in (None, "")}
    problems = spec.problems(answers)
    if problems:
        raise ApplicationError(
            "; ".join(f"{code}: {PROBLEM_TEXT[why]}" for code, why in problems),
            code="bad_answers",
        )
    key = ""
    if survey.anonymous:
        key = self_code_key(self_code)
        if not key:
            raise ApplicationError(
                _("An anonymous round needs the respondent's self-generated code."),
                extra={"field": "self_code"},
            )
        person = None
    elif person is None:
        raise ApplicationError(_("Choose the respondent."), extra={"field": "person"})
    elif not Enrolment.objects.filter(cohort=survey.cohort, person=person).exists():
        raise ApplicationError(
            _("%(code)s is not enrolled in this cohort.") % {"code": person.code},
            code="not_enrolled",
        )
    result = score(spec, answers)
    existing = _existing(survey, person, key, source, source_key)
    response = existing or Response(round=survey, source=source)
    response.person = person
    response.self_code_hash = key
    response.source = source
    response.source_key = source_key or response.source_key
    response.instance_id = instance_id
    response.submitted_at = submitted_at or response.submitted_at or timezone.now()
    response.answers = answers
    response.total = result.total
    response.subscales = result.subscales
    response.category = result.category
    response.answered = result.answered
    response.consent = True
    response.recorded_by = actor if getattr(actor, "pk", None) else None
    response.save()
    _freeze(survey.version)
    audit_record(
        actor=actor,
        action="update" if existing else "create",
        target=response,
        detail={"count": result.answered},
    )
    return response


def _existing(
    survey: Round, person: Person | None, key: str, source: str, source_key: str
) -> Response | None:
    found = None
    if source_key:
        found = Response.objects.filter(round=survey, source=source, source_key=source_key).first()
    if found is None and person is not None:
        found = Response.objects.filter(round=survey, person=person).first()
    if found is None and key:
        found = Response.objects.filter(round=survey, self_code_hash=key).first()
    return found


def _freeze(version: InstrumentVersion) -> None:
    if version.frozen_at is None:
        InstrumentVersion.objects.filter(pk=version.pk, frozen_at__isnull=True).update(
            frozen_at=timezone.now()
        )
        version.frozen_at = timezone.now()


def responses_rescore(*, versions: Iterable[InstrumentVersion]) -> int:
    """Compute every stored score again from its answers (after a fix to the scoring
    code; a version's own rules never change once it has answers). Returns how many
    changed."""
    changed = 0
    for version in versions:
        spec = Spec.of(version)
        for response in Response.objects.filter(round__version=version).iterator():
            result = score(spec, response.answers)
            if (response.total, response.subscales, response.category, response.answered) != (
                result.total,
                result.subscales,
                result.category,
                result.answered,
            ):
                Response.objects.filter(pk=response.pk).update(
                    total=result.total,
                    subscales=result.subscales,
                    category=result.category,
                    answered=result.answered,
                )
                changed += 1
    return changed


# ---------------------------------------------------------------- editing a draft


def _draft(actor: Any, version: InstrumentVersion) -> None:
    _editable(version)
    _require_org(actor, Cap.MANAGE_MEASUREMENT, version.instrument.organization_id)


@transaction.atomic
def option_add(
    *,
    actor: Any,
    version: InstrumentVersion,
    scale: str,
    code: str,
    label_es: str,
    label_en: str = "",
    score: int | None = None,
) -> ResponseOption:
    """An answer of a response scale of a draft (a new scale when ``scale`` is new)."""
    _draft(actor, version)
    scale, code = scale.strip(), code.strip()
    if not re.fullmatch(r"[A-Za-z_][\w-]{0,39}", scale) or not re.fullmatch(r"[\w-]{1,40}", code):
        raise ApplicationError(
            _("Scale and answer codes are letters, digits, “_” or “-” (at most 40)."),
            code="bad_code",
        )
    if not label_es.strip():
        raise ApplicationError(_("An answer needs its Spanish label."), extra={"field": "label_es"})
    if version.options.filter(scale=scale, code=code).exists():
        raise ApplicationError(_("This scale already has that answer."), code="duplicate")
    option = ResponseOption.objects.create(
        version=version,
        scale=scale,
        code=code,
        label_es=label_es.strip(),
        label_en=label_en.strip(),
        score=score,
        position=version.options.filter(scale=scale).count(),
    )
    audit_record(actor=actor, action="update", target=version, detail={"fields": ["options"]})
    return option


@transaction.atomic
def item_add(
    *,
    actor: Any,
    version: InstrumentVersion,
    code: str,
    text_es: str,
    scale: str,
    text_en: str = "",
    reverse: bool = False,
    subscale: str = "",
) -> Item:
    """A new item at the end of a draft: its answers are those of ``scale``."""
    _draft(actor, version)
    code = code.strip()
    if not re.fullmatch(r"[A-Za-z_][\w.-]{0,39}", code):
        raise ApplicationError(
            _("An item's code starts with a letter and has letters, digits, “_”, “-” or “.”."),
            extra={"field": "code"},
        )
    if version.items.filter(code=code).exists():
        raise ApplicationError(_("This version already has an item with that code."))
    if not text_es.strip():
        raise ApplicationError(_("An item needs its Spanish text."), extra={"field": "text_es"})
    if not version.options.filter(scale=scale).exists():
        raise ApplicationError(_("Add the answers of this scale first."), extra={"field": "scale"})
    sub = None
    if subscale.strip():
        sub, _created = Subscale.objects.get_or_create(
            version=version,
            code=subscale.strip()[:40],
            defaults={"name_es": subscale.strip()[:120], "position": version.subscales.count()},
        )
    item = Item.objects.create(
        version=version,
        code=code,
        position=(version.items.aggregate(m=Max("position"))["m"] or 0) + 1,
        text_es=text_es.strip(),
        text_en=text_en.strip(),
        wording_es=Wording.OWN,
        wording_en=Wording.OWN,
        scale=scale,
        reverse=reverse,
        subscale=sub,
    )
    audit_record(actor=actor, action="update", target=version, detail={"fields": ["items"]})
    return item


@transaction.atomic
def item_remove(*, actor: Any, item: Item) -> None:
    _draft(actor, item.version)
    version = item.version
    item.delete()
    audit_record(actor=actor, action="update", target=version, detail={"fields": ["items"]})


@transaction.atomic
def version_rules_set(
    *,
    actor: Any,
    version: InstrumentVersion,
    max_missing: int,
    category_rule: dict[str, Any],
    higher_means_es: str,
) -> InstrumentVersion:
    """A draft's rules: unanswered items allowed, the category rule, what a higher score
    means (checked by ``scoring.CategoryRule``)."""
    _draft(actor, version)
    scored = version.items.filter(scored=True).count()
    if max_missing < 0 or max_missing >= max(scored, 1):
        raise ApplicationError(
            _("Unanswered items allowed: from 0 to one less than the scored items (%(n)s).")
            % {"n": scored},
            extra={"field": "max_missing"},
        )
    if category_rule.get("kind") == "cutoffs" and not category_rule.get("upper"):
        raise ApplicationError(
            _("Fixed cut-offs need at least one upper bound."), extra={"field": "category_rule"}
        )
    try:
        rule = CategoryRule.of(category_rule)
    except ValueError as exc:
        raise ApplicationError(
            _(
                "The category rule needs one upper bound per category but the last, "
                "in ascending order."
            ),
            extra={"field": "category_rule"},
        ) from exc
    version.max_missing = max_missing
    version.category_rule = rule.as_json()
    if higher_means_es.strip():
        version.higher_means_es = higher_means_es.strip()[:120]
    version.save(update_fields=["max_missing", "category_rule", "higher_means_es", "updated_at"])
    audit_record(actor=actor, action="update", target=version, detail={"fields": ["rules"]})
    return version
