"""What every write of commitments shares: the actor check and bounded text
(``core.writes``, shared with research)."""

from __future__ import annotations

from cascada.core.writes import actor_user as _user
from cascada.core.writes import allow as _allow
from cascada.core.writes import bounded_text as _text

__all__ = ["_allow", "_text", "_user"]
