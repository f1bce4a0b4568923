"""Seed grants: tranches released on their condition and never beyond the grant,
disbursements, exchange rates, spending in the grant's currency."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError
from cascada.trainings.clock import country_today

from .. import money
from ..models import (
    Commitment,
    Currency,
    Disbursement,
    ExchangeRate,
    Grant,
    MilestoneStatus,
    Spending,
    Tranche,
)
from ..selectors import (
    grant_balance,
    may_manage_grant,
    may_report,
    version_latest,
)
from .base import _allow, _text, _user

# ---------------------------------------------------------------- grants and money


def _dated(on: dt.date, grant: Grant, *, field: str, after: list[tuple[Any, Any]]) -> None:
    """The money trail in order: a date neither in the future (the institution's country's
    today) nor before what it follows (the award, the condition met, the release)."""
    if on > country_today(grant.commitment.institution.country):
        raise ApplicationError(_("The date is in the future."), extra={"field": field})
    for earliest, what in after:
        if earliest is not None and on < earliest:
            raise ApplicationError(
                _("The date is before %(what)s (%(date)s).")
                % {"what": what, "date": date_format(earliest, "SHORT_DATE_FORMAT")},
                extra={"field": field},
            )


@transaction.atomic
def grant_create(
    *,
    actor: Any,
    commitment: Commitment,
    amount: Any,
    currency: str,
    awarded_on: dt.date,
    tranches: Sequence[Mapping[str, Any]],
) -> Grant:
    """A seed grant in one currency and its tranches ({"amount", "condition",
    "condition_milestone"}), which add up to at most the grant. By the grant manager."""
    _allow(actor, may_manage_grant(actor, commitment))
    if currency not in Currency.values:
        raise ApplicationError(_("Unknown currency."), extra={"field": "currency"})
    amount = money.money(amount, field="amount", label=_("Amount"))
    if not tranches:
        raise ApplicationError(
            _("A grant is paid in at least one tranche."), extra={"field": "tranches"}
        )
    grant = Grant.objects.create(
        commitment=commitment,
        amount=amount,
        currency=currency,
        awarded_on=awarded_on,
        created_by=_user(actor),
    )
    rows = []
    for n, t in enumerate(tranches, start=1):
        milestone = t.get("condition_milestone")
        if milestone is not None and milestone.commitment_id != commitment.pk:
            raise ApplicationError(
                _("Tranche %(n)s: the milestone belongs to another commitment.") % {"n": n},
                extra={"field": "tranches"},
            )
        rows.append(
            Tranche(
                grant=grant,
                number=n,
                amount=money.money(
                    t.get("amount"), field="tranches", label=_("Tranche %(n)s") % {"n": n}
                ),
                condition=_text(t.get("condition"), 2000, field="tranches", label=_("Condition")),
                condition_milestone=milestone,
            )
        )
    planned = money.total(r.amount for r in rows)
    if planned > amount:
        raise ApplicationError(
            _("The tranches add up to %(sum)s, more than the grant's %(amount)s.")
            % {"sum": planned, "amount": amount},
            extra={"field": "tranches"},
        )
    Tranche.objects.bulk_create(rows)
    audit_record(actor=actor, action="create", target=grant)
    return grant


@transaction.atomic
def tranche_release(*, actor: Any, tranche: Tranche, released_on: dt.date) -> Tranche:
    """Release a tranche: refused while its condition milestone is not done, when it is
    already released, and when the released tranches would exceed the grant."""
    grant = (
        Grant.objects.select_for_update()
        .select_related("commitment__initiative", "commitment__institution")
        .get(pk=tranche.grant_id)
    )
    _allow(actor, may_manage_grant(actor, grant.commitment))
    tranche = Tranche.objects.select_related("condition_milestone").get(pk=tranche.pk)
    if tranche.released_on is not None:
        raise ApplicationError(_("This tranche was already released."), code="already_released")
    milestone = tranche.condition_milestone
    if milestone is not None and milestone.status != MilestoneStatus.DONE:
        raise ApplicationError(
            _("This tranche is released only once the milestone “%(title)s” is done.")
            % {"title": milestone.title},
            code="condition_not_met",
            extra={"field": "condition_milestone"},
        )
    _dated(
        released_on,
        grant,
        field="released_on",
        after=[
            (grant.awarded_on, _("the grant was awarded")),
            (milestone.done_on if milestone else None, _("its condition milestone was done")),
        ],
    )
    released = grant_balance(grant).released
    if released + tranche.amount > grant.amount:
        raise ApplicationError(
            _(
                "Releasing %(amount)s would exceed the grant: %(released)s of %(total)s already "
                "released."
            )
            % {"amount": tranche.amount, "released": released, "total": grant.amount},
            code="over_release",
            extra={"field": "amount"},
        )
    tranche.released_on = released_on
    tranche.released_by = _user(actor)
    tranche.save(update_fields=["released_on", "released_by"])
    audit_record(actor=actor, action="update", target=tranche, detail={"status": "released"})
    return tranche


@transaction.atomic
def disbursement_record(
    *, actor: Any, tranche: Tranche, date: dt.date, amount: Any, reference: str = ""
) -> Disbursement:
    """Money paid against a released tranche, never more than the tranche."""
    grant = (
        Grant.objects.select_for_update()
        .select_related("commitment__initiative", "commitment__institution")
        .get(pk=tranche.grant_id)
    )
    _allow(actor, may_manage_grant(actor, grant.commitment))
    tranche = Tranche.objects.get(pk=tranche.pk)
    amount = money.money(amount, field="amount", label=_("Amount"))
    if tranche.released_on is None:
        raise ApplicationError(
            _("The tranche has not been released yet."),
            code="not_released",
            extra={"field": "tranche"},
        )
    _dated(date, grant, field="date", after=[(tranche.released_on, _("the tranche was released"))])
    paid = money.total(tranche.disbursements.values_list("amount", flat=True))
    if paid + amount > tranche.amount:
        raise ApplicationError(
            _("Amount: %(paid)s of the tranche's %(total)s already paid; at most %(left)s more.")
            % {"paid": paid, "total": tranche.amount, "left": tranche.amount - paid},
            extra={"field": "amount"},
        )
    disbursement = Disbursement.objects.create(
        tranche=tranche,
        date=date,
        amount=amount,
        reference=_text(reference, 120, field="reference", label=_("Reference")),
        recorded_by=_user(actor),
    )
    audit_record(actor=actor, action="create", target=disbursement)
    return disbursement


@transaction.atomic
def exchange_rate_record(
    *, actor: Any, grant: Grant, currency: str, rate: Any, valid_from: dt.date, source: str = ""
) -> ExchangeRate:
    """The grant manager records the rate at which spending in ``currency`` is counted
    against the grant: ``rate`` units of the grant's currency for one of ``currency``."""
    _allow(actor, may_manage_grant(actor, grant.commitment))
    if currency not in Currency.values or currency == grant.currency:
        raise ApplicationError(
            _("Choose a currency other than the grant's."), extra={"field": "currency"}
        )
    value = money.rate(rate)
    found, _created = ExchangeRate.objects.update_or_create(
        grant=grant,
        currency=currency,
        valid_from=valid_from,
        defaults={
            "rate": value,
            "source": _text(source, 200, field="source", label=_("Source")),
            "recorded_by": _user(actor),
        },
    )
    audit_record(actor=actor, action="create", target=found)
    return found


@transaction.atomic
def spending_record(
    *,
    actor: Any,
    grant: Grant,
    budget_line: str,
    amount: Any,
    date: dt.date,
    currency: str | None = None,
    note: str = "",
) -> Spending:
    """Spending reported against a budget line of the latest version. In the grant's
    currency; in another only at the rate the grant manager recorded (the latest valid on
    ``date``), converted exactly and rounded half up to the cent once. Never beyond the
    grant. By the grant manager or the focal point."""
    grant = (
        Grant.objects.select_for_update()
        .select_related("commitment__initiative", "commitment__institution")
        .get(pk=grant.pk)
    )
    _allow(actor, may_report(actor, grant.commitment))
    currency = currency or grant.currency
    if currency not in Currency.values:
        raise ApplicationError(_("Unknown currency."), extra={"field": "currency"})
    paid = money.money(amount, field="amount", label=_("Amount"))
    latest = version_latest(grant.commitment)
    if latest is None or not latest.budget_lines.filter(label=budget_line).exists():
        raise ApplicationError(
            _("Budget line: “%(label)s” is not a line of the commitment's budget.")
            % {"label": budget_line},
            extra={"field": "budget_line"},
        )
    rate = None
    converted = paid
    if currency != grant.currency:
        rate = (
            grant.rates.filter(currency=currency, valid_from__lte=date)
            .order_by("-valid_from")
            .first()
        )
        if rate is None:
            raise ApplicationError(
                _(
                    "Currency: the grant is in %(grant)s and no rate from %(currency)s was "
                    "recorded by the grant manager for this date; nothing is converted without "
                    "one."
                )
                % {"grant": grant.currency, "currency": currency},
                code="no_rate",
                extra={"field": "currency"},
            )
        converted = money.money(money.convert(paid, rate.rate), field="amount", label=_("Amount"))
    spent = grant_balance(grant).spent
    if spent + converted > grant.amount:
        raise ApplicationError(
            _(
                "Amount: the spending reported would exceed the grant (%(spent)s of %(total)s "
                "already reported)."
            )
            % {"spent": spent, "total": grant.amount},
            extra={"field": "amount"},
        )
    spending = Spending.objects.create(
        grant=grant,
        budget_line=budget_line,
        amount=converted,
        date=date,
        note=_text(note, 4000, field="note", label=_("Note")),
        original_amount=paid if rate else None,
        original_currency=currency if rate else "",
        rate=rate,
        recorded_by=_user(actor),
    )
    audit_record(actor=actor, action="create", target=spending)
    return spending
