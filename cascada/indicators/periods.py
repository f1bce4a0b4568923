"""Periods, named as DHIS2 names them (``../shared/standards/FORMATS.md`` §5): month
"202607", quarter "2026Q3", six months "2026S2", year "2026". The same keys name periodic
targets, the dashboards' columns and the DHIS2 exchange."""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _

from .models import Frequency

MONTHS_IN = {Frequency.MONTH: 1, Frequency.QUARTER: 3, Frequency.HALF: 6, Frequency.YEAR: 12}
_KEY = re.compile(r"^(\d{4})(?:(\d{2})|Q([1-4])|S([12]))?$")


def key_of(day: dt.date, frequency: str) -> str:
    if frequency == Frequency.MONTH:
        return f"{day.year}{day.month:02d}"
    if frequency == Frequency.QUARTER:
        return f"{day.year}Q{(day.month - 1) // 3 + 1}"
    if frequency == Frequency.HALF:
        return f"{day.year}S{(day.month - 1) // 6 + 1}"
    return str(day.year)


def bounds(key: str) -> tuple[dt.date, dt.date]:
    """First and last day of the period ``key`` (ValueError when it names none)."""
    m = _KEY.match(key or "")
    if not m:
        raise ValueError(key)
    year = int(m.group(1))
    if m.group(2):
        month, length = int(m.group(2)), 1
        if not 1 <= month <= 12:
            raise ValueError(key)
    elif m.group(3):
        month, length = (int(m.group(3)) - 1) * 3 + 1, 3
    elif m.group(4):
        month, length = (int(m.group(4)) - 1) * 6 + 1, 6
    else:
        month, length = 1, 12
    start = dt.date(year, month, 1)
    y, mo = divmod(year * 12 + month - 1 + length, 12)
    return start, dt.date(y, mo + 1, 1) - dt.timedelta(days=1)


def frequency_of(key: str) -> str:
    m = _KEY.match(key or "")
    if not m:
        raise ValueError(key)
    if m.group(2):
        return Frequency.MONTH
    if m.group(3):
        return Frequency.QUARTER
    if m.group(4):
        return Frequency.HALF
    return Frequency.YEAR


def keys_between(start: dt.date, end: dt.date, frequency: str) -> list[str]:
    """The periods from the one holding ``start`` to the one holding ``end``."""
    out: list[str] = []
    step = MONTHS_IN[Frequency(frequency)]
    day = start.replace(day=1)
    while day <= end:
        key = key_of(day, frequency)
        if key not in out:
            out.append(key)
        y, m = divmod(day.year * 12 + day.month - 1 + step, 12)
        day = dt.date(y, m + 1, 1)
    last = key_of(end, frequency)
    if out and out[-1] != last:
        out.append(last)
    return out


def label(key: str) -> str:
    """A period as people say it: "2026", "T3 2026", "S2 2026", "07/2026"."""
    m = _KEY.match(key)
    if not m:
        return key
    if m.group(2):
        return f"{m.group(2)}/{m.group(1)}"
    if m.group(3):
        return _("Q%(n)s %(year)s") % {"n": m.group(3), "year": m.group(1)}
    if m.group(4):
        return _("H%(n)s %(year)s") % {"n": m.group(4), "year": m.group(1)}
    return m.group(1)
