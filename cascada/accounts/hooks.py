"""The question accounts asks the apps above it (``core.hooks.Question``).

``two_factor_needed``: does this user hold an assignment, outside any organization role,
that opens data about people? A commitment's mentor and focal point hold no role but open
evidence files, mentoring notes and unconsented testimonies (S6). Answers are OR-ed with
the roles' rule in ``scope.needs_two_factor``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cascada.core.hooks import Question


@dataclass(frozen=True)
class TwoFactorAsked:
    user: Any


two_factor_needed: Question[TwoFactorAsked] = Question("accounts.two_factor_needed")
