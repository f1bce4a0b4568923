"""A seed grant by hand, with numbers known in advance: Bs 20,000.00 in two tranches, the
second only once the mid-term report is done; disbursements, spending and the balance
exact to the cent; a payment in dollars counted only at the rate the grant manager
recorded (docs/decisions/commitments.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cascada.commitments import money
from cascada.commitments.models import Spending, Tranche
from cascada.commitments.selectors import grant_balance
from cascada.commitments.services import (
    disbursement_record,
    exchange_rate_record,
    grant_create,
    milestone_set_status,
    spending_record,
    tranche_release,
)
from cascada.core.errors import ApplicationError, PermissionDeniedError
from tests.accounts.factories import make_user

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def grant(commitment):
    midterm = commitment.milestones.get(key="informe-medio")
    return grant_create(
        actor=None,
        commitment=commitment,
        amount="20000.00",
        currency="BOB",
        awarded_on=D(2019, 4, 1),
        tranches=[
            {"amount": Decimal("12000.00"), "condition": "A la firma del convenio"},
            {
                "amount": "8000.00",
                "condition": "Tras la aceptación del informe de medio término",
                "condition_milestone": midterm,
            },
        ],
    )


def _tranches(grant):
    return list(grant.tranches.order_by("number"))


def test_a_hand_built_grant_balances_to_the_cent(grant, commitment, manager):
    first, second = _tranches(grant)
    tranche_release(actor=manager, tranche=first, released_on=D(2019, 4, 5))
    disbursement_record(actor=manager, tranche=first, date=D(2019, 4, 8), amount="12000.00",
                        reference="TRF-2019-041")  # fmt: skip
    # The second waits for the mid-term report.
    with pytest.raises(ApplicationError) as refused:
        tranche_release(actor=manager, tranche=second, released_on=D(2019, 8, 1))
    assert refused.value.code == "condition_not_met"
    assert "Informe de medio término" in str(refused.value)
    spending_record(actor=manager, grant=grant, budget_line="Talleres", amount="4350.25",
                    date=D(2019, 5, 20))  # fmt: skip
    spending_record(actor=manager, grant=grant, budget_line="Materiales", amount="1200.10",
                    date=D(2019, 6, 2))  # fmt: skip
    b = grant_balance(grant)
    assert (b.committed, b.released, b.disbursed, b.spent) == (
        Decimal("20000.00"), Decimal("12000.00"), Decimal("12000.00"), Decimal("5550.35"),
    )  # fmt: skip
    assert (b.balance, b.to_disburse) == (Decimal("6449.65"), Decimal("8000.00"))

    midterm = commitment.milestones.get(key="informe-medio")
    milestone_set_status(actor=manager, milestone=midterm, status="done", on=D(2019, 9, 25))
    tranche_release(actor=manager, tranche=second, released_on=D(2019, 9, 27))
    disbursement_record(actor=manager, tranche=second, date=D(2019, 10, 1), amount="5000.00")
    disbursement_record(actor=manager, tranche=second, date=D(2019, 10, 9), amount="3000.00")
    with pytest.raises(ApplicationError):  # not one cent beyond the tranche
        disbursement_record(actor=manager, tranche=second, date=D(2019, 10, 9), amount="0.01")
    b = grant_balance(grant)
    assert (b.released, b.disbursed, b.to_disburse) == (
        Decimal("20000.00"), Decimal("20000.00"), Decimal("0.00"),
    )  # fmt: skip
    assert b.balance == Decimal("14449.65") and str(b.balance) == "14449.65"
    assert all(isinstance(v, Decimal) for v in (b.committed, b.released, b.spent, b.balance))


def test_a_dollar_spending_is_refused_without_a_rate_and_converted_exactly_with_one(grant, manager):
    with pytest.raises(ApplicationError) as refused:
        spending_record(actor=manager, grant=grant, budget_line="Talleres", amount="143.75",
                        currency="USD", date=D(2019, 7, 10))  # fmt: skip
    assert refused.value.code == "no_rate" and refused.value.extra["field"] == "currency"
    assert not Spending.objects.exists()

    exchange_rate_record(actor=manager, grant=grant, currency="USD", rate="6.96",
                         valid_from=D(2019, 7, 1), source="Banco Central de Bolivia")  # fmt: skip
    # Before the rate is valid, still refused.
    with pytest.raises(ApplicationError):
        spending_record(actor=manager, grant=grant, budget_line="Talleres", amount="10.00",
                        currency="USD", date=D(2019, 6, 30))  # fmt: skip
    spent = spending_record(actor=manager, grant=grant, budget_line="Talleres", amount="143.75",
                            currency="USD", date=D(2019, 7, 10))  # fmt: skip
    spent.refresh_from_db()
    # 143.75 × 6.96 = 1000.50 exactly; the dollars paid and the rate stay with it.
    assert spent.amount == Decimal("1000.50")
    assert (spent.original_amount, spent.original_currency) == (Decimal("143.75"), "USD")
    assert spent.rate.rate == Decimal("6.960000")
    # Rounded once, half up, to the cent: 10.01 × 6.97 = 69.7697 -> 69.77.
    other = spending_record(actor=manager, grant=grant, budget_line="Materiales",
                            amount="10.01", currency="USD", date=D(2019, 7, 11))  # fmt: skip
    assert other.amount == Decimal("69.67")
    assert grant_balance(grant).spent == Decimal("1070.17")


def test_a_rate_is_the_grant_managers_and_never_the_grants_own_currency(grant, focal, manager):
    with pytest.raises(ApplicationError):
        exchange_rate_record(actor=manager, grant=grant, currency="BOB", rate="1",
                             valid_from=D(2019, 7, 1))  # fmt: skip
    focal_user = make_user(person=focal)
    with pytest.raises(PermissionDeniedError):
        exchange_rate_record(actor=focal_user, grant=grant, currency="USD", rate="9.99",
                             valid_from=D(2019, 7, 1))  # fmt: skip


def test_spending_goes_against_a_budget_line_and_never_beyond_the_grant(grant, manager):
    with pytest.raises(ApplicationError) as unknown:
        spending_record(actor=manager, grant=grant, budget_line="Viajes", amount="10.00",
                        date=D(2019, 5, 1))  # fmt: skip
    assert unknown.value.extra["field"] == "budget_line"
    spending_record(actor=manager, grant=grant, budget_line="Talleres", amount="19999.99",
                    date=D(2019, 5, 1))  # fmt: skip
    with pytest.raises(ApplicationError):
        spending_record(actor=manager, grant=grant, budget_line="Talleres", amount="0.02",
                        date=D(2019, 5, 2))  # fmt: skip
    spending_record(actor=manager, grant=grant, budget_line="Talleres", amount="0.01",
                    date=D(2019, 5, 2))  # fmt: skip
    assert grant_balance(grant).spent == Decimal("20000.00")


def test_tranches_never_add_up_to_more_than_the_grant(commitment):
    with pytest.raises(ApplicationError) as refused:
        grant_create(actor=None, commitment=commitment, amount="20000.00", currency="BOB",
                     awarded_on=D(2019, 4, 1),
                     tranches=[{"amount": "12000.00"}, {"amount": "8000.01"}])  # fmt: skip
    assert refused.value.extra["field"] == "tranches"


def test_a_release_never_exceeds_the_grant_even_with_a_tranche_written_around_the_service(
    grant, manager
):
    first, second = _tranches(grant)
    second.condition_milestone = None
    second.save()
    stray = Tranche.objects.create(grant=grant, number=3, amount=Decimal("0.01"))
    tranche_release(actor=manager, tranche=first, released_on=D(2019, 4, 5))
    tranche_release(actor=manager, tranche=second, released_on=D(2019, 4, 6))
    with pytest.raises(ApplicationError) as refused:
        tranche_release(actor=manager, tranche=stray, released_on=D(2019, 4, 7))
    assert refused.value.code == "over_release"
    with pytest.raises(ApplicationError) as twice:
        tranche_release(actor=manager, tranche=first, released_on=D(2019, 4, 8))
    assert twice.value.code == "already_released"
    assert grant_balance(grant).released == Decimal("20000.00")


def test_nothing_is_paid_against_a_tranche_not_released(grant, manager):
    first, _second = _tranches(grant)
    with pytest.raises(ApplicationError) as refused:
        disbursement_record(actor=manager, tranche=first, date=D(2019, 4, 8), amount="1.00")
    assert refused.value.code == "not_released"


def test_a_done_milestone_that_released_a_tranche_stays_done(grant, commitment, manager):
    midterm = commitment.milestones.get(key="informe-medio")
    milestone_set_status(actor=manager, milestone=midterm, status="done", on=D(2019, 9, 25))
    tranche_release(actor=manager, tranche=_tranches(grant)[1], released_on=D(2019, 9, 27))
    with pytest.raises(ApplicationError):
        milestone_set_status(actor=manager, milestone=midterm, status="delayed", on=D(2019, 10, 1))


def test_only_the_grant_manager_releases_and_pays(grant, focal, mentor, funder):
    first, _second = _tranches(grant)
    viewer = make_user(role="viewer", organization=funder)
    for user in (make_user(person=focal), mentor, viewer):
        with pytest.raises(PermissionDeniedError):
            tranche_release(actor=user, tranche=first, released_on=D(2019, 4, 5))
    first.refresh_from_db()
    assert first.released_on is None


def test_the_mentor_reports_no_spending_but_the_focal_point_does(grant, focal, mentor):
    with pytest.raises(PermissionDeniedError):
        spending_record(actor=mentor, grant=grant, budget_line="Talleres", amount="1.00",
                        date=D(2019, 5, 1))  # fmt: skip
    spent = spending_record(actor=make_user(person=focal), grant=grant, budget_line="Talleres",
                            amount="1.00", date=D(2019, 5, 1))  # fmt: skip
    assert spent.amount == Decimal("1.00")


# ---------------------------------------------------------------- exact money


@pytest.mark.parametrize(
    "value",
    [0.1, 12.5, float("nan"), "NaN", "sNaN", "Infinity", "-Infinity", Decimal("Infinity"),
     "-1.00", Decimal("-0.01"), "12.3456", "12,3456", "1e15", "1.2.3,4,5", "7..5", "0.001", "0,005", "doce", "", None, True],
)  # fmt: skip
def test_money_refuses_what_is_not_an_exact_amount_naming_the_field(value):
    with pytest.raises(ApplicationError) as refused:
        money.money(value, field="amount", label="Monto")
    assert refused.value.extra == {"field": "amount"}
    assert "Monto" in str(refused.value)


def test_money_is_quantized_to_the_cent():
    assert str(money.money("12000.5", field="a", label="A")) == "12000.50"
    assert str(money.money(7, field="a", label="A")) == "7.00"
    assert str(money.money("3.10", field="a", label="A")) == "3.10"
    with pytest.raises(ApplicationError):
        money.money("0", field="a", label="A")
    assert money.money("0", field="a", label="A", allow_zero=True) == Decimal("0.00")


@pytest.mark.parametrize(
    "typed, amount",
    [("7.500,50", "7500.50"), ("7,500.50", "7500.50"), ("7500,5", "7500.50"),
     ("7.500", "7500.00"), ("1,500", "1500.00"), ("12 000,00", "12000.00"),
     ("1.234.567,89", "1234567.89"), ("Bs 7.500", "7500.00"), ("S/ 1,200.00", "1200.00"),
     ("0,5", "0.50")],
)  # fmt: skip
def test_amounts_are_read_as_people_in_peru_and_bolivia_type_them(typed, amount):
    """An amount never has three decimals, so one mark before three digits is thousands."""
    assert str(money.money(typed, field="a", label="A")) == amount


# Python's own spellings of a number, which ``Decimal`` reads and nobody means as an amount.
NOT_TYPED_BY_PEOPLE = ["1e9", "1E3", "2,5e3", "NaN", "nan", "sNaN", "Infinity", "-inf",
                       "inf", " 1_000 ", "1_000,50", "\u0663\u0660"]  # fmt: skip


@pytest.mark.parametrize("value", NOT_TYPED_BY_PEOPLE)
@pytest.mark.parametrize("reader", ["money", "rate"])
def test_exponents_nan_infinities_and_underscores_are_refused_naming_the_field(reader, value):
    with pytest.raises(ApplicationError) as refused:
        if reader == "money":
            money.money(value, field="amount", label="Monto", allow_zero=True)
        else:
            money.rate(value, field="rate", label="Tipo de cambio")
    assert refused.value.extra == {"field": reader if reader == "rate" else "amount"}
    label = "Monto" if reader == "money" else "Tipo de cambio"
    assert str(refused.value) == f"{label}: not a number. Use digits only, such as 1.200,50."


def _as_people_type_it(amount: Decimal, style: str) -> str:
    """``amount`` written the ways ``money`` reads: English "1,234.50", Spanish "1.234,50",
    grouped by spaces (also the non-breaking ones a spreadsheet copies), with a currency
    and spaces around."""
    whole, cents = f"{amount:,.2f}".split(".")
    return {
        "plain": f"{amount:.2f}",
        "comma": f"{amount:.2f}".replace(".", ","),
        "english": f"{whole}.{cents}",
        "spanish": f"{whole.replace(',', '.')},{cents}",
        "spaces": f"{whole.replace(',', ' ')},{cents}",
        "nbsp": f"{whole.replace(',', chr(0xA0))},{cents}",
        "narrow": f"{whole.replace(',', chr(0x202F))},{cents}",
        "soles": f"  S/ {whole.replace(',', ' ')},{cents} ",
        "bolivianos": f"Bs. {whole.replace(',', '.')},{cents}",
        "dollars": f"US$ {whole}.{cents}",
        # a whole amount without its cents: one mark before three digits groups thousands
        "whole": whole.replace(",", ".") if cents == "00" else f"{amount:.2f}",
    }[style]


@given(
    amount=st.decimals(min_value=0, max_value=money.MAX_AMOUNT, places=2),
    style=st.sampled_from(["plain", "comma", "english", "spanish", "spaces", "nbsp", "narrow",
                           "soles", "bolivianos", "dollars", "whole"]),
)  # fmt: skip
def test_every_amount_written_as_people_write_it_is_read_back_exactly(amount, style):
    text = _as_people_type_it(amount, style)
    assert money.money(text, field="a", label="A", allow_zero=True) == amount, text


def test_a_rate_reads_a_comma_as_the_decimal_mark():
    assert str(money.rate("6,96")) == "6.960000"
    assert str(money.rate("6,960")) == "6.960000"  # a rate may have three decimals
    assert str(money.rate("3.7512")) == "3.751200"


def test_a_conversion_rounds_half_up_once():
    assert money.convert(Decimal("0.05"), Decimal("0.1")) == Decimal("0.01")  # 0.005
    assert money.convert(Decimal("143.75"), Decimal("6.96")) == Decimal("1000.50")
    with pytest.raises(ApplicationError):
        money.rate("6.9612345")
    with pytest.raises(ApplicationError):
        money.rate(0)
