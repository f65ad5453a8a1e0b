"""Service hours: open or not, and the next opening in words members read."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot import service_hours as sh

TZ = ZoneInfo("Asia/Shanghai")
HOURS = sh.build({"mon-fri": "09:00-18:00", "sat": "10:00-12:00, 14:00-17:00"},
                 [date(2026, 11, 4), date(2027, 1, 1)])


def at(y, mo, d, h, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=TZ)


@pytest.mark.parametrize(("when", "open_"), [
    (at(2026, 11, 2, 9, 0), True),      # Monday opening minute
    (at(2026, 11, 2, 17, 59), True),
    (at(2026, 11, 2, 18, 0), False),    # closing minute
    (at(2026, 11, 2, 8, 59), False),
    (at(2026, 11, 4, 10, 0), False),    # a closed date (Wednesday)
    (at(2026, 11, 7, 11, 0), True),     # Saturday morning range
    (at(2026, 11, 7, 13, 0), False),    # Saturday lunch gap
    (at(2026, 11, 7, 15, 0), True),     # Saturday afternoon range
    (at(2026, 11, 8, 11, 0), False),    # Sunday
])
def test_is_open(when, open_):
    assert HOURS.is_open(when) is open_


@pytest.mark.parametrize(("when", "words"), [
    (at(2026, 11, 2, 7, 30), "今天 09:00 后"),
    (at(2026, 11, 2, 20, 0), "明天（周二）09:00 后"),
    (at(2026, 11, 3, 19, 0), "后天（周四）09:00 后"),      # Wednesday is closed
    (at(2026, 11, 6, 22, 0), "明天（周六）10:00 后"),
    (at(2026, 11, 7, 12, 30), "今天 14:00 后"),           # between two ranges
    (at(2026, 11, 7, 18, 0), "后天（周一）09:00 后"),     # over Sunday
    (at(2026, 12, 31, 19, 0), "后天（周六）10:00 后"),    # year boundary; Jan 1 is closed
])
def test_next_opening_in_words(when, words):
    assert HOURS.describe_next(when) == words


def test_a_long_holiday_names_the_date():
    holiday = sh.build({"mon-fri": "09:00-18:00"}, [date(2026, 10, d) for d in range(1, 8)])
    assert holiday.describe_next(at(2026, 9, 30, 19, 0)) == "10月8日（周四）09:00 后"


def test_next_opening_across_the_year_boundary():
    assert HOURS.next_opening(at(2026, 12, 31, 19, 0)) == at(2027, 1, 2, 10, 0)


def test_summary_for_announcements():
    assert HOURS.summary() == "周一至周五 09:00-18:00；周六 10:00-12:00、14:00-17:00"


def test_never_open_has_no_next_opening():
    never = sh.build({}, [])
    assert never.next_opening(at(2026, 11, 2, 9)) is None
    assert never.describe_next(at(2026, 11, 2, 9)) == "稍后"


@pytest.mark.parametrize(("spec", "message"), [
    ("25:00-26:00", "hours 00-24"),
    ("9点-18点", "expected HH:MM-HH:MM"),
    ("12:00-12:00", "end must be after the start"),
])
def test_bad_ranges_say_why(spec, message):
    with pytest.raises(ValueError, match=message):
        sh.parse_ranges(spec)


def test_day_specs():
    assert sh.parse_days("mon-fri") == ("mon", "tue", "wed", "thu", "fri")
    assert sh.parse_days("sat, sun") == ("sat", "sun")
    assert sh.parse_days("daily") == sh.DAYS
    with pytest.raises(ValueError, match="backwards"):
        sh.parse_days("fri-mon")
