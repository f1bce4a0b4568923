"""From findings to the curriculum: a study's findings (a statement backed by codes and
excerpts, linked to the curriculum modules and session plans it shaped) and its
dissemination plan (docs/decisions/research.md).

Both are the lead's (``selectors.is_lead``; ``actor`` None is the operator: CLI, demo).
Audit rows name the finding or the plan's line and count what it links, never a
statement's text nor an excerpt (S11)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError

from ..models import (
    AudienceLevel,
    Code,
    Coding,
    Dissemination,
    DisseminationStatus,
    Finding,
    Study,
)
from ..selectors import finding_modules, finding_session_plans, is_lead
from .base import _allow, _text, _user, not_in_future

STATEMENT_MAX = 2000
PLAN_TEXT_MAX = 200

# ---------------------------------------------------------------- findings


def _pks(items: Iterable[Any]) -> set[int]:
    """The ids of ``items`` (rows or ids)."""
    out: set[int] = set()
    for item in items:
        pk = item.pk if isinstance(item, Model) else item
        try:
            out.add(int(pk))
        except (TypeError, ValueError):
            raise ApplicationError(_("Unknown choice.")) from None
    return out


def _all_found(rows: QuerySet[Any], wanted: set[int], message: Any, field: str) -> list[Any]:
    found = list(rows.filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise ApplicationError(message, extra={"field": field})
    return found


def _links(
    study: Study,
    *,
    codes: Iterable[Any] | None,
    excerpts: Iterable[Any] | None,
    modules: Iterable[Any] | None,
    session_plans: Iterable[Any] | None,
) -> dict[str, list[Any] | None]:
    """Each link checked against the study (None: left as it is)."""
    out: dict[str, list[Any] | None] = {}
    out["codes"] = (
        None
        if codes is None
        else _all_found(
            Code.objects.filter(study=study),
            _pks(codes),
            _("Choose codes of this study's codebook."),
            "codes",
        )
    )
    out["excerpts"] = (
        None
        if excerpts is None
        else _all_found(
            # Final codings only: a blind coder's work is no excerpt until the merge.
            Coding.objects.filter(transcript__study=study, final=True),
            _pks(excerpts),
            _("Choose excerpts coded in this study's transcripts (final codings)."),
            "excerpts",
        )
    )
    out["modules"] = (
        None
        if modules is None
        else _all_found(
            finding_modules(study),
            _pks(modules),
            _("Choose modules of the curriculum the study informs."),
            "modules",
        )
    )
    out["session_plans"] = (
        None
        if session_plans is None
        else _all_found(
            finding_session_plans(study),
            _pks(session_plans),
            _("Choose session plans of the curriculum the study informs."),
            "session_plans",
        )
    )
    return out


def _counts(finding: Finding) -> dict[str, int]:
    return {
        "codes": finding.codes.count(),
        "excerpts": finding.excerpts.count(),
        "modules": finding.modules.count(),
        "session_plans": finding.session_plans.count(),
    }


@transaction.atomic
def finding_create(
    *,
    actor: Any,
    study: Study,
    statement: str,
    codes: Iterable[Any] = (),
    excerpts: Iterable[Any] = (),
    modules: Iterable[Any] = (),
    session_plans: Iterable[Any] = (),
) -> Finding:
    """A finding of the study (the lead): its statement (required, at most 2,000
    characters), the codes and the excerpts (final codings) of this study that back it,
    and the curriculum modules and session plans it shaped.

    Which curriculum: the modules and session plans must belong to a version of the
    curriculum the study informs (``study.curriculum``); while the study names no
    curriculum, to any curriculum of the study's organization (the findings often come
    before anyone decides which curriculum they feed). A frozen version may be linked: a
    finding is a fact about the study, it changes nothing in the version."""
    _allow(actor, actor is None or is_lead(actor, study))
    text = _text(statement, STATEMENT_MAX, field="statement", label=_("Finding"), required=True)
    links = _links(
        study, codes=codes, excerpts=excerpts, modules=modules, session_plans=session_plans
    )
    finding = Finding.objects.create(study=study, statement=text, created_by=_user(actor))
    for name, rows in links.items():
        getattr(finding, name).set(rows or [])
    audit_record(actor=actor, action="create", target=finding, detail=_counts(finding))
    return finding


@transaction.atomic
def finding_update(
    *,
    actor: Any,
    finding: Finding,
    statement: str | None = None,
    codes: Iterable[Any] | None = None,
    excerpts: Iterable[Any] | None = None,
    modules: Iterable[Any] | None = None,
    session_plans: Iterable[Any] | None = None,
) -> Finding:
    """Change a finding (the lead): each argument given replaces what it names (None
    leaves it), under the rules of ``finding_create``."""
    study = finding.study
    _allow(actor, actor is None or is_lead(actor, study))
    fields = []
    if statement is not None:
        finding.statement = _text(
            statement, STATEMENT_MAX, field="statement", label=_("Finding"), required=True
        )
        fields.append("statement")
    links = _links(
        study, codes=codes, excerpts=excerpts, modules=modules, session_plans=session_plans
    )
    finding.save()
    for name, rows in links.items():
        if rows is not None:
            getattr(finding, name).set(rows)
            fields.append(name)
    audit_record(
        actor=actor,
        action="update",
        target=finding,
        detail={"fields": sorted(fields), **_counts(finding)},
    )
    return finding


@transaction.atomic
def finding_delete(*, actor: Any, finding: Finding) -> None:
    """Remove a finding (the lead); its codes, excerpts, modules and session plans stay."""
    _allow(actor, actor is None or is_lead(actor, finding.study))
    audit_record(actor=actor, action="delete", target=finding, detail=_counts(finding))
    finding.delete()


# ---------------------------------------------------------------- the dissemination plan


def _plan_checked(
    study: Study,
    *,
    level: str,
    audience: str,
    product: str,
    channel: str,
    planned_on: dt.date,
    status: str,
    done_on: dt.date | None,
) -> dict[str, Any]:
    if level not in AudienceLevel.values:
        raise ApplicationError(_("Choose national, regional or local."), extra={"field": "level"})
    if status not in DisseminationStatus.values:
        raise ApplicationError(_("Unknown status."), extra={"field": "status"})
    if not isinstance(planned_on, dt.date):
        raise ApplicationError(_("Give the planned date."), extra={"field": "planned_on"})
    if status == DisseminationStatus.DONE:
        if done_on is None:
            raise ApplicationError(_("Give the date it was done."), extra={"field": "done_on"})
        not_in_future(study, done_on, field="done_on")
    elif done_on is not None:
        raise ApplicationError(
            _("A date done goes only with the status done."), extra={"field": "done_on"}
        )
    return {
        "level": level,
        "audience": _text(
            audience, PLAN_TEXT_MAX, field="audience", label=_("Audience"), required=True
        ),
        "product": _text(
            product, PLAN_TEXT_MAX, field="product", label=_("Product"), required=True
        ),
        "channel": _text(
            channel, PLAN_TEXT_MAX, field="channel", label=_("Channel"), required=True
        ),
        "planned_on": planned_on,
        "status": status,
        "done_on": done_on,
    }


@transaction.atomic
def dissemination_add(
    *,
    actor: Any,
    study: Study,
    level: str,
    audience: str,
    product: str,
    channel: str,
    planned_on: dt.date,
    status: str = DisseminationStatus.PLANNED,
    done_on: dt.date | None = None,
) -> Dissemination:
    """A line of the dissemination plan (the lead): a product for an audience at national,
    regional or local level, through a channel, by a date. Done needs the date it was done
    (not in the future); that date goes with the status done only."""
    _allow(actor, actor is None or is_lead(actor, study))
    values = _plan_checked(
        study,
        level=level,
        audience=audience,
        product=product,
        channel=channel,
        planned_on=planned_on,
        status=status,
        done_on=done_on,
    )
    item = Dissemination.objects.create(study=study, **values)
    audit_record(actor=actor, action="create", target=item, detail={"status": item.status})
    return item


@transaction.atomic
def dissemination_update(
    *,
    actor: Any,
    item: Dissemination,
    level: str,
    audience: str,
    product: str,
    channel: str,
    planned_on: dt.date,
    status: str,
    done_on: dt.date | None = None,
) -> Dissemination:
    """Change a line of the plan (the lead), under the rules of ``dissemination_add``."""
    study = item.study
    _allow(actor, actor is None or is_lead(actor, study))
    values = _plan_checked(
        study,
        level=level,
        audience=audience,
        product=product,
        channel=channel,
        planned_on=planned_on,
        status=status,
        done_on=done_on,
    )
    changed = sorted(k for k, v in values.items() if getattr(item, k) != v)
    for key, value in values.items():
        setattr(item, key, value)
    item.save()
    audit_record(
        actor=actor,
        action="update",
        target=item,
        detail={"fields": changed, "status": item.status},
    )
    return item


@transaction.atomic
def dissemination_delete(*, actor: Any, item: Dissemination) -> None:
    """Remove a line of the plan (the lead)."""
    _allow(actor, actor is None or is_lead(actor, item.study))
    audit_record(actor=actor, action="delete", target=item)
    item.delete()
