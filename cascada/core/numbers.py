"""Numbers as people type them in Peru and Bolivia, read by one rule: amounts and rates
(``commitments.money``), indicators' typed values (``indicators.services.figure``) and
credit hours (``curricula.services.credit_hours_typed``). ``typed`` takes away the
currency and the marks; ``plain_number`` reads what is left, or refuses it."""

from __future__ import annotations

import re
from decimal import Decimal

_GROUPED = re.compile(r"\d{1,3}(?:[.,\s\u00a0\u202f']\d{3})+")


def typed(text: str, *, places: int = 2) -> str:
    """A number as people type it in Peru and Bolivia, in the plain form ``Decimal`` reads:
    "7.500,50" and "7,500.50" are 7500.50; "6,96" is 6.96. With both marks the last one
    is the decimal mark. With one mark alone it is decimal, except when it is followed by
    exactly three digits and the value allows at most two decimals: "7.500" and "1,500" are
    thousands (an amount never has three decimals). Anything else is left as typed, to be
    refused as "not a number"."""
    text = text.strip().replace("\u00a0", " ").replace("\u202f", " ")
    for symbol in ("Bs.", "Bs", "S/.", "S/", "US$", "$"):
        if text.startswith(symbol):
            text = text[len(symbol) :].strip()
            break
    marks = [c for c in text if c in ".,"]
    if not marks:
        return text.replace(" ", "") if _GROUPED.fullmatch(text) else text
    decimal_mark = marks[-1]
    whole, _sep, cents = text.rpartition(decimal_mark)
    single = len(marks) == 1 or set(marks) == {decimal_mark}
    if single and (len(marks) > 1 or (len(cents) == 3 and places <= 2 and whole[:1] != "0")):
        # one kind of mark only, repeated or before three digits: thousands ("0.001" is
        # no thousand: a number with three decimals, refused as such)
        return text.replace(decimal_mark, "") if _GROUPED.fullmatch(text) else text
    if whole and not (whole.isdigit() or _GROUPED.fullmatch(whole)):
        return text
    return whole.translate({ord("."): None, ord(","): None, ord(" "): None, ord("'"): None}) + (
        "." + cents
    )


# What is left once ``typed`` has taken away the currency and the marks, and all that is
# read as a number: ASCII digits with one decimal point (",50" and "5," as Decimal read
# them) and a minus, refused afterwards as negative. ``Decimal`` alone would also take
# "1e9", "NaN", "Infinity", "1_000", "+5" and digits of other scripts ("١٢"), which nobody
# means as an amount, a rate or an indicator's value.
_PLAIN = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def plain_number(text: str) -> Decimal | None:
    """The number in ``text`` as ``typed`` leaves it ("1234.56"), or None when it is not
    a plain number: the one rule of which typed text is a number, for amounts and rates
    (``money``, ``rate``) and indicators' values (``indicators.services.figure``)."""
    return Decimal(text) if _PLAIN.fullmatch(text) else None
