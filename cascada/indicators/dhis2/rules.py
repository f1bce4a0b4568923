"""What DHIS2 accepts, checked before anything is stored or sent (FORMATS.md §5): UIDs,
codes, identifier schemes, ADX category codes (XML names), periods."""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _

from cascada.core.errors import ApplicationError

from .. import periods as P
from ..models import Frequency

# An 11-character DHIS2 identifier: a letter, then letters and digits.
UID = re.compile(r"^[A-Za-z][A-Za-z0-9]{10}$")
CODE_MAX = 50  # DHIS2's ``code`` column
ORG_UNIT_MAX = 230  # an attribute's value may be longer than a code
# An ADX disaggregation is an XML attribute: its category code must be an XML name
# (without a colon, which would make it a namespaced attribute). The ASCII subset DHIS2's
# documentation recommends: a letter or "_", then letters, digits, "_", "-" or ".".
XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
# Attributes ADX and DHIS2 already give a meaning to.
ADX_RESERVED = {
    "dataelement",
    "value",
    "categoryoptioncombo",
    "attributeoptioncombo",
    "orgunit",
    "period",
    "dataset",
    "completedate",
    "comment",
    "exported",
}
MAX_PERIODS = 24
# DHIS2's period type per frequency, and ADX's duration (start date/duration).
ADX_DURATION = {
    Frequency.MONTH: "P1M",
    Frequency.QUARTER: "P3M",
    Frequency.HALF: "P6M",
    Frequency.YEAR: "P1Y",
}


def identifier(value: str, scheme: str, *, what: str, field: str) -> str:
    """``value`` as DHIS2 would find it under ``scheme`` ("uid" or "code")."""
    value = (value or "").strip()
    if not value:
        raise ApplicationError(
            _("Give the %(what)s.") % {"what": what}, code="required", extra={"field": field}
        )
    if scheme == "uid" and not UID.match(value):
        raise ApplicationError(
            _(
                "%(value)s is not a DHIS2 identifier: 11 letters and digits, starting with a "
                "letter (or name them by code in the server settings)."
            )
            % {"value": value[:60]},
            code="bad_uid",
            extra={"field": field},
        )
    if len(value) > CODE_MAX:
        raise ApplicationError(
            _("A DHIS2 code has at most %(n)s characters.") % {"n": CODE_MAX},
            code="too_long",
            extra={"field": field},
        )
    return value


def org_unit_scheme(value: str) -> str:
    """ "code", "uid" or "attribute:<UID>" (a unique metadata attribute)."""
    value = (value or "").strip()
    if value in ("code", "uid"):
        return value
    if value.startswith("attribute:") and UID.match(value[len("attribute:") :]):
        return value
    raise ApplicationError(
        _(
            'Organisation units are named by "code", "uid" or "attribute:" followed by the '
            "attribute's identifier (e.g. attribute:DnrLSdo4hMl)."
        ),
        code="bad_scheme",
        extra={"field": "org_unit_id_scheme"},
    )


def org_unit(value: str, scheme: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(_("Give the organisation unit."), code="required")
    if scheme == "uid" and not UID.match(value):
        raise ApplicationError(
            _("%(value)s is not a DHIS2 identifier: 11 letters and digits, starting with a letter.")
            % {"value": value[:60]},
            code="bad_uid",
        )
    limit = CODE_MAX if scheme == "code" else ORG_UNIT_MAX
    if len(value) > limit:
        raise ApplicationError(
            _("An organisation unit's key has at most %(n)s characters.") % {"n": limit},
            code="too_long",
        )
    return value


def adx_category(value: str) -> str:
    value = (value or "").strip()
    if (
        not XML_NAME.match(value)
        or value.lower() in ADX_RESERVED
        or value.lower().startswith("xml")
    ):
        raise ApplicationError(
            _(
                "%(value)s cannot be an ADX category code: it becomes an XML attribute, so it "
                "starts with a letter or _ and holds only letters, digits, _, - and . (no "
                "spaces), and is not one of ADX's own names."
            )
            % {"value": value[:60] or "—"},
            code="bad_xml_name",
        )
    return value


def adx_option(value: str) -> str:
    value = (value or "").strip()
    if not value or len(value) > CODE_MAX or any(c.isspace() for c in value):
        raise ApplicationError(
            _("%(value)s cannot be an ADX option code: up to %(n)s characters, no spaces.")
            % {"value": value[:60] or "—", "n": CODE_MAX},
            code="bad_code",
        )
    return value


def parse_periods(text: str, *, today: dt.date | None = None) -> list[str]:
    """Periods as DHIS2 names them ("2025Q1, 2025Q2"), of one frequency, none still to
    start, at most ``MAX_PERIODS``; in order, each once."""
    from django.utils import timezone

    today = today or timezone.localdate()
    keys = [k for k in re.split(r"[\s,;]+", (text or "").strip()) if k]
    if not keys:
        raise ApplicationError(
            _("Give one or more periods, e.g. 202504, 2025Q2, 2025S1 or 2025."),
            code="required",
            extra={"field": "periods"},
        )
    out: dict[str, dt.date] = {}
    frequencies = set()
    for key in keys:
        try:
            start, _end = P.bounds(key.upper())
            frequencies.add(P.frequency_of(key.upper()))
        except ValueError:
            raise ApplicationError(
                _("%(key)s is not a period: write 202504 (month), 2025Q2, 2025S1 or 2025.")
                % {"key": key[:20]},
                code="bad_period",
                extra={"field": "periods"},
            ) from None
        if start > today:
            raise ApplicationError(
                _("%(key)s has not started yet.") % {"key": key.upper()},
                code="future_period",
                extra={"field": "periods"},
            )
        out[key.upper()] = start
    if len(frequencies) > 1:
        raise ApplicationError(
            _(
                "Send periods of one kind at a time (months, quarters, halves or years): "
                "a DHIS2 data set has one period type."
            ),
            code="mixed_periods",
            extra={"field": "periods"},
        )
    if len(out) > MAX_PERIODS:
        raise ApplicationError(
            _("At most %(n)s periods at a time.") % {"n": MAX_PERIODS},
            code="too_many_periods",
            extra={"field": "periods"},
        )
    return sorted(out, key=lambda k: out[k])


def adx_period(key: str) -> str:
    """ "2025Q2" → "2025-04-01/P3M" (ISO 8601 start and duration, as ADX writes periods)."""
    start, _end = P.bounds(key)
    return f"{start.isoformat()}/{ADX_DURATION[Frequency(P.frequency_of(key))]}"
