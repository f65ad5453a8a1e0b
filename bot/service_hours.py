"""Service hours: when people answer. Weekly ranges, several ranges a day, closed dates.

Parsed once from config (``mon-fri: "09:00-18:00"``, ``sat: "10:00-12:00, 14:00-17:00"``,
``closed: [2026-10-01]``); answers "is a person there now?" and "when is the next opening?",
the latter in words a member reads ("明天（周六）10:00 后").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_WORDS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_ALL_DAYS = {"daily": DAYS, "everyday": DAYS, "all": DAYS}
_FULL_NAMES = {"monday": "mon", "tuesday": "tue", "wednesday": "wed", "thursday": "thu", "friday": "fri",
               "saturday": "sat", "sunday": "sun", "tues": "tue", "thur": "thu", "thurs": "thu"}
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–~至]\s*(\d{1,2}):(\d{2})$")


@dataclass(frozen=True, slots=True)
class TimeRange:
    start: int  # minutes after midnight
    end: int

    def __str__(self) -> str:
        return f"{self.start // 60:02d}:{self.start % 60:02d}-{self.end // 60:02d}:{self.end % 60:02d}"


@dataclass(frozen=True, slots=True)
class ServiceHours:
    """Opening ranges per weekday (0 = Monday) and whole closed dates."""

    weekly: tuple[tuple[TimeRange, ...], ...]
    closed: frozenset[date] = frozenset()

    @classmethod
    def always(cls) -> ServiceHours:
        return cls(tuple((TimeRange(0, 24 * 60),) for _ in DAYS))

    @property
    def never_open(self) -> bool:
        return not any(self.weekly)

    def ranges_on(self, day: date) -> tuple[TimeRange, ...]:
        return () if day in self.closed else self.weekly[day.weekday()]

    def is_open(self, when: datetime) -> bool:
        minute = when.hour * 60 + when.minute
        return any(r.start <= minute < r.end for r in self.ranges_on(when.date()))

    def next_opening(self, when: datetime) -> datetime | None:
        """The start of the next opening strictly after ``when`` (None if never open within a year)."""
        minute = when.hour * 60 + when.minute + (1 if when.second or when.microsecond else 0)
        for offset in range(0, 370):
            day = when.date() + timedelta(days=offset)
            for r in self.ranges_on(day):
                if offset > 0 or r.start >= minute:
                    start = datetime.combine(day, time(r.start // 60, r.start % 60), when.tzinfo)
                    return start
        return None

    def describe_next(self, when: datetime) -> str:
        """The next opening in words relative to ``when``: "今天 14:00 后", "明天（周六）10:00 后"."""
        nxt = self.next_opening(when)
        if nxt is None:
            return "稍后"
        days = (nxt.date() - when.date()).days
        hhmm = f"{nxt.hour:02d}:{nxt.minute:02d}"
        weekday = DAY_WORDS[nxt.weekday()]
        if days == 0:
            return f"今天 {hhmm} 后"
        if days == 1:
            return f"明天（{weekday}）{hhmm} 后"
        if days == 2:
            return f"后天（{weekday}）{hhmm} 后"
        return f"{nxt.month}月{nxt.day}日（{weekday}）{hhmm} 后"

    def summary(self) -> str:
        """A one-line summary for announcements: "周一至周五 09:00-18:00；周六 10:00-12:00、14:00-17:00"."""
        if self.never_open:
            return "暂无人工服务时间"
        parts: list[str] = []
        i = 0
        while i < 7:
            j = i
            while j + 1 < 7 and self.weekly[j + 1] == self.weekly[i]:
                j += 1
            if self.weekly[i]:
                days = DAY_WORDS[i] if i == j else f"{DAY_WORDS[i]}至{DAY_WORDS[j]}"
                parts.append(f"{days} {'、'.join(str(r) for r in self.weekly[i])}")
            i = j + 1
        return "；".join(parts)


def parse_days(spec: str) -> tuple[str, ...]:
    """``mon-fri`` / ``sat`` / ``mon,wed`` / ``daily`` to day names; ValueError with the reason."""
    spec = spec.strip().lower()
    if spec in _ALL_DAYS:
        return _ALL_DAYS[spec]
    out: list[str] = []
    for word, short in _FULL_NAMES.items():
        spec = re.sub(rf"\b{word}\b", short, spec)
    for part in re.split(r"\s*[,，、]\s*", spec):
        if "-" in part:
            a, b = (p.strip() for p in part.split("-", 1))
            if a not in DAYS or b not in DAYS:
                raise ValueError(f'unknown day range "{part}" (use mon, tue, wed, thu, fri, sat, sun)')
            i, j = DAYS.index(a), DAYS.index(b)
            if j < i:
                raise ValueError(f'day range "{part}" runs backwards')
            out.extend(DAYS[i : j + 1])
        elif part in DAYS:
            out.append(part)
        else:
            raise ValueError(f'unknown day "{part}" (use mon, tue, wed, thu, fri, sat, sun, or mon-fri)')
    return tuple(out)


def parse_ranges(spec: str) -> tuple[TimeRange, ...]:
    """``"09:00-12:00, 14:00-18:00"`` to sorted, non-overlapping ranges; ``""``/``closed`` means none."""
    spec = spec.strip()
    if spec.lower() in ("", "closed", "off", "休息"):
        return ()
    ranges: list[TimeRange] = []
    for part in re.split(r"\s*[,，、;；]\s*", spec):
        m = _RANGE.match(part.strip())
        if not m:
            raise ValueError(f'bad time range "{part}" (expected HH:MM-HH:MM, e.g. 09:00-18:00)')
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2):
            raise ValueError(f'bad time range "{part}" (hours 00-24, minutes 00-59)')
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if end <= start:
            raise ValueError(f'bad time range "{part}" (the end must be after the start)')
        ranges.append(TimeRange(start, end))
    ranges.sort(key=lambda r: r.start)
    for a, b in zip(ranges, ranges[1:], strict=False):
        if b.start < a.end:
            raise ValueError(f'time ranges "{a}" and "{b}" overlap')
    return tuple(ranges)


def build(days_to_ranges: dict[str, str], closed: list[date]) -> ServiceHours:
    weekly: dict[str, tuple[TimeRange, ...]] = {}
    for spec, ranges_text in days_to_ranges.items():
        ranges = parse_ranges(ranges_text)
        for day in parse_days(spec):
            if day in weekly:
                raise ValueError(f'"{day}" is given twice')
            weekly[day] = ranges
    return ServiceHours(tuple(weekly.get(d, ()) for d in DAYS), frozenset(closed))
