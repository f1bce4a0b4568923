"""What every write of research shares: the actor check and bounded text (``core.writes``),
the study's day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from cascada.core.errors import ApplicationError
from cascada.core.writes import actor_user as _user
from cascada.core.writes import allow as _allow
from cascada.core.writes import bounded_text as _text
from cascada.trainings.clock import country_today

__all__ = ["_allow", "_text", "_user", "not_in_future", "study_today"]


def study_today(study: Any) -> dt.date:
    """Today where the study is run (its organization's country)."""
    return country_today(study.organization.country)


def not_in_future(study: Any, day: dt.date, *, field: str) -> None:
    if day > study_today(study):
        raise ApplicationError(_("This date is still to come."), extra={"field": field})
