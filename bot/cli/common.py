"""Small helpers shared by the commands."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import click


def parse_when(value: str | None, tz: ZoneInfo, what: str = "--until") -> datetime | None:
    """An ISO date or date-time; a value without offset is read in the configured timezone."""
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO date/time (e.g. 2026-11-05T21:00+08:00)",
                                 param_hint=what) from None
    return when if when.tzinfo else when.replace(tzinfo=tz)
