"""The one clock: everything that asks "what time is it" asks an injected Clock.

``RealClock`` follows the wall clock; ``SimClock`` is moved by replay and tests, so service hours,
cooldowns, schedules and the outbox's pacing behave the same offline as live.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    tz: tzinfo

    def now(self) -> datetime:
        """The current time, timezone-aware, in the configured timezone."""
        ...

    async def sleep_until(self, when: datetime) -> None:
        """Wait until ``when`` (returns at once if it has passed)."""
        ...


class RealClock:
    """Wall-clock time in the configured timezone."""

    def __init__(self, tz: tzinfo | str = "Asia/Shanghai") -> None:
        self.tz = ZoneInfo(tz) if isinstance(tz, str) else tz

    def now(self) -> datetime:
        return datetime.now(self.tz)

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep_until(self, when: datetime) -> None:
        delay = (when - self.now()).total_seconds()
        if delay > 0:
            await asyncio.sleep(delay)


class SimClock:
    """A simulated clock that only moves when told to; it never goes backwards."""

    def __init__(self, start: datetime, tz: tzinfo | str | None = None) -> None:
        if start.tzinfo is None:
            raise ValueError("SimClock needs a timezone-aware start time")
        self.tz = ZoneInfo(tz) if isinstance(tz, str) else (tz or start.tzinfo)
        self._now = start.astimezone(self.tz)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        """Move to ``when``; a time in the past is ignored (events may share a timestamp)."""
        when = when.astimezone(self.tz)
        if when > self._now:
            self._now = when

    def advance(self, delta: timedelta | float) -> None:
        if not isinstance(delta, timedelta):
            delta = timedelta(seconds=delta)
        self.set(self._now + delta)

    async def sleep_until(self, when: datetime) -> None:
        self.set(when)
