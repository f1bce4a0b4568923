"""What data migrations ship (places, instruments, built-in indicators), loaded again
when a transactional test earlier in the same worker truncated every table."""

from __future__ import annotations


def ensure_shipped() -> None:
    from cascada.indicators.builtins import ensure as indicators_ensure
    from cascada.measurement.shipped import ensure as instruments_ensure
    from tests.registry.factories import ensure_places

    ensure_places()
    instruments_ensure()
    indicators_ensure()
