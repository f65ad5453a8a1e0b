from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import RealClock, SimClock

TZ = ZoneInfo("Asia/Shanghai")


def test_sim_clock_moves_only_when_told_and_never_backwards():
    start = datetime(2026, 11, 2, 9, 0, tzinfo=TZ)
    clock = SimClock(start)
    assert clock.now() == start
    clock.advance(90)
    assert clock.now() == start + timedelta(seconds=90)
    clock.set(start)  # the past is ignored
    assert clock.now() == start + timedelta(seconds=90)
    asyncio.run(clock.sleep_until(start + timedelta(hours=1)))
    assert clock.now() == start + timedelta(hours=1)


def test_sim_clock_reports_in_the_configured_timezone():
    clock = SimClock(datetime(2026, 11, 2, 1, 0, tzinfo=ZoneInfo("UTC")), "Asia/Shanghai")
    assert clock.now().hour == 9
    assert clock.now().utcoffset() == timedelta(hours=8)


def test_sim_clock_needs_an_aware_start():
    with pytest.raises(ValueError):
        SimClock(datetime(2026, 11, 2, 9, 0))


def test_real_clock_follows_the_wall_clock_in_its_timezone():
    clock = RealClock("Asia/Shanghai")
    before = datetime.now(TZ)
    now = clock.now()
    assert now.utcoffset() == timedelta(hours=8)
    assert abs((now - before).total_seconds()) < 1
    target = clock.now() + timedelta(milliseconds=50)
    asyncio.run(clock.sleep_until(target))
    assert clock.now() >= target
