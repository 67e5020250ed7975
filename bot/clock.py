"""The one source of "now": everything that reads the time gets a Clock, so tests can move time by hand."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Wall-clock and monotonic time; the bot is given one at construction."""

    def now(self) -> datetime:
        """Return the current instant, timezone-aware, in UTC."""
        ...

    def monotonic(self) -> float:
        """Return seconds on a clock that never goes backwards (for cooldowns and timeouts)."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """Return the current instant in UTC."""
        return datetime.now(UTC)

    def monotonic(self) -> float:
        """Return time.monotonic()."""
        return time.monotonic()


class ManualClock:
    """A clock that moves only when told: tests and benchmarks advance it instead of sleeping."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
        if self._now.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._mono = 1_000.0

    def now(self) -> datetime:
        """Return the clock's current instant."""
        return self._now

    def monotonic(self) -> float:
        """Return the clock's monotonic reading, which advances with now()."""
        return self._mono

    def advance(self, delta: timedelta | float) -> datetime:
        """Move time forward by a timedelta or a number of seconds; return the new now."""
        step = delta if isinstance(delta, timedelta) else timedelta(seconds=delta)
        if step < timedelta(0):
            raise ValueError("time only moves forward")
        self._now += step
        self._mono += step.total_seconds()
        return self._now

    def set(self, instant: datetime) -> datetime:
        """Jump to a later instant."""
        return self.advance(instant - self._now)


def iso(instant: datetime) -> str:
    """Format an instant as the ISO 8601 UTC text every timestamp column stores."""
    return instant.astimezone(UTC).isoformat(timespec="seconds")
