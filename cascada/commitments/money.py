"""Money as exact decimals (docs/decisions/commitments.md): amounts are ``Decimal`` to the
cent, never ``float``; what a person typed with more than two decimals is refused rather
than rounded in silence; a conversion between currencies is ``amount × rate`` rounded
half up to the cent, once."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from cascada.core.errors import ApplicationError
from cascada.core.numbers import plain_number, typed

CENT = Decimal("0.01")
RATE_PLACES = 6
MAX_AMOUNT = Decimal("999999999999.99")  # Decimal(14, 2)
MAX_RATE = Decimal("999999999999.999999")  # Decimal(18, 6)


def _decimal(value: Any, field: str, label: Any, places: int = 2) -> Decimal:
    if isinstance(value, bool | float):
        # A float has already lost the cents (0.1 + 0.2); only exact values come in.
        raise ApplicationError(
            _("%(field)s: write the amount as an exact number, not a float.") % {"field": label},
            extra={"field": field},
        )
    if isinstance(value, Decimal | int):
        number = Decimal(value)
    else:
        read = plain_number(typed(str(value), places=places))
        if read is None:
            raise ApplicationError(
                _("%(field)s: not a number. Use digits only, such as 1.200,50.") % {"field": label},
                extra={"field": field},
            )
        number = read
    if not number.is_finite():
        raise ApplicationError(
            _("%(field)s: not a number.") % {"field": label}, extra={"field": field}
        )
    if number < 0:
        raise ApplicationError(
            _("%(field)s cannot be negative.") % {"field": label}, extra={"field": field}
        )
    return number


def money(value: Any, *, field: str, label: Any, allow_zero: bool = False) -> Decimal:
    """``value`` (a ``Decimal``, an ``int`` or a text such as "12000.50") as a ``Decimal``
    quantized to the cent; refused, naming the field, when it is not a finite number, is
    negative (or zero, unless ``allow_zero``), has more than two decimals or does not fit
    the column."""
    number = _decimal(value, field, label)
    if number > MAX_AMOUNT:
        raise ApplicationError(
            _("%(field)s is too large.") % {"field": label}, extra={"field": field}
        )
    if number != number.quantize(CENT):
        raise ApplicationError(
            _("%(field)s: at most two decimals (cents).") % {"field": label},
            extra={"field": field},
        )
    if number == 0 and not allow_zero:
        raise ApplicationError(
            _("%(field)s must be greater than zero.") % {"field": label}, extra={"field": field}
        )
    return number.quantize(CENT)


def rate(value: Any, *, field: str = "rate", label: Any = None) -> Decimal:
    """An exchange rate: positive, at most six decimals."""
    label = label or _("Exchange rate")
    number = _decimal(value, field, label, places=RATE_PLACES)
    if number == 0 or number > MAX_RATE:
        raise ApplicationError(
            _("%(field)s must be greater than zero and fit six decimals.") % {"field": label},
            extra={"field": field},
        )
    quantum = Decimal(1).scaleb(-RATE_PLACES)
    if number != number.quantize(quantum):
        raise ApplicationError(
            _("%(field)s: at most six decimals.") % {"field": label}, extra={"field": field}
        )
    return number.quantize(quantum)


def convert(amount: Decimal, by: Decimal) -> Decimal:
    """``amount`` × ``by``, exact, rounded half up to the cent once."""
    return (amount * by).quantize(CENT, rounding=ROUND_HALF_UP)


def total(values: Any) -> Decimal:
    """The exact sum of amounts (``Decimal("0.00")`` for none)."""
    out = Decimal("0.00")
    for value in values:
        out += value or 0
    return out.quantize(CENT)
