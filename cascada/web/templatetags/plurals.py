"""``{% load plurals %}``: the number a plural is chosen by, for counts that may be hidden.

A count shown to a viewer may be a ``Cell`` (``cascada.core.privacy``): a number, "<5"
(a small count, hidden) or "—" (held back). "<5" is not a number: its noun takes the plural
form ("<5 cohortes", as "menos de 5 cohortes"), and so does "—". Use it as
``{% blocktranslate count n=x|plural_count with shown=x %}{{ shown }} cohort{% plural %}…``
so that the count picks the form and the text shows the value as it may be shown.
"""

from __future__ import annotations

from typing import Any

from django import template

from cascada.core.privacy import Cell

register = template.Library()

PLURAL = 2  # any number whose form is the plural one, in Spanish and in English


@register.filter
def plural_count(value: Any) -> int:
    """The value's number when it is one (a shown ``Cell``'s value), otherwise a number
    that selects the plural form."""
    if isinstance(value, Cell):
        return (
            PLURAL if value.suppressed or value.withheld or value.unpublished else value.value or 0
        )
    if isinstance(value, bool):
        return PLURAL
    if isinstance(value, int):
        return value
    if isinstance(value, float):  # gettext wants an integer; 1,5 takes the plural
        return 1 if value == 1 else PLURAL
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return PLURAL
