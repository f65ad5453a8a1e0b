"""Reading activity back: per member and room, per window, sums the database adds up.

Each window is one grouped pass over ``activity`` (counts and sums of day numbers, which is all
the linear decay needs) and one over the much smaller ``activity_credits``: a digest over a
million rows sends a few thousand rows to Python, never one per message or per day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import Integer, case, cast, delete, func, select, tuple_

from bot.activity.score import MemberInfo, MemberStats, WindowStats
from bot.store import Database
from bot.store.activity_models import Activity, ActivityCredit, ActivityMember


def _int(col):  # type: ignore[no-untyped-def]
    return cast(col, Integer)


def load(db: Database, day: date, window: int, rooms: Sequence[str] | None = None) -> list[MemberStats]:
    """Sums for the window ending ``day`` and the one before it (``fading`` compares the two), in
    ``rooms`` if given (an empty list: none)."""
    if rooms is not None and not rooms:
        return []
    last = day.toordinal()
    members: dict[tuple[str, str], MemberStats] = {}
    with db.session() as s:
        for which, lo, hi in (("cur", last - window + 1, last), ("prev", last - 2 * window + 1, last - window)):
            _load_window(s, which, lo, hi, rooms, members)
    return list(members.values())


def _load_window(s, which: str, lo: int, hi: int, rooms: Sequence[str] | None,  # type: ignore[no-untyped-def]
                 members: dict[tuple[str, str], MemberStats]) -> None:
    a, c = Activity, ActivityCredit
    # Per member-day first (in the covering index's order, no sort), then per member: the day
    # sums give active days and the linear decay.
    per_day = (select(a.room, a.member, a.day, func.count().label("n"),
                      func.sum(case((a.junk > 0, 1), else_=0)).label("junk"),
                      func.sum(case((a.junk == 3, 1), else_=0)).label("ads"),
                      func.sum(_int(a.counted)).label("counted"), func.sum(_int(a.playful)).label("playful"),
                      func.sum(_int(a.product_question)).label("asked"))
               .where(a.day.between(lo, hi)).group_by(a.day, a.room, a.member))
    if rooms is not None:
        per_day = per_day.where(a.room.in_(rooms))
    d = per_day.subquery()
    active = case((d.c.counted > 0, 1), else_=0)
    q1 = (select(d.c.room, d.c.member, func.sum(d.c.n), func.sum(d.c.junk), func.sum(d.c.ads),
                 func.sum(d.c.counted), func.sum(d.c.counted * d.c.day),
                 func.sum(d.c.playful), func.sum(d.c.playful * d.c.day),
                 func.sum(d.c.asked), func.sum(d.c.asked * d.c.day),
                 func.sum(active), func.sum(active * d.c.day))
          .group_by(d.c.room, d.c.member))
    q2 = (select(c.room, c.member, c.kind, func.count(), func.sum(c.day))
          .where(c.day.between(lo, hi)).group_by(c.room, c.member, c.kind))
    q3 = (select(c.room, c.member, func.count(func.distinct(c.other)),
                 func.count(func.distinct(case((c.newcomer, c.other), else_=None))))
          .where(c.day.between(lo, hi), c.kind == "answer").group_by(c.room, c.member))
    if rooms is not None:
        q2, q3 = q2.where(c.room.in_(rooms)), q3.where(c.room.in_(rooms))

    def get(room: str, member: str) -> WindowStats:
        m = members.get((room, member))
        if m is None:
            m = members[(room, member)] = MemberStats(room, member)
        return m.cur if which == "cur" else m.prev

    for room, member, n, junk, ads, *sums in s.execute(q1):
        st = get(room, member)
        st.messages, st.junk, st.ads = int(n), int(junk or 0), int(ads or 0)
        for i, key in enumerate(("message", "playful", "product_question", "active_day")):
            cnt, total = int(sums[2 * i] or 0), int(sums[2 * i + 1] or 0)
            if cnt:
                t = st.tally(key)
                t.n, t.days = cnt, total
    for room, member, kind, n, total in s.execute(q2):
        key = _CREDIT_KEYS.get(kind)
        if key is not None:
            t = get(room, member).tally(key)
            t.n, t.days = n, int(total or 0)
    for room, member, askers, newcomers in s.execute(q3):
        st = get(room, member)
        st.askers, st.newcomers = askers, newcomers


_CREDIT_KEYS = {"answer": "helped", "thanks": "thanked", "mention": "mentioned", "reply": "replied"}


def daily_counts(db: Database, day: date, window: int,
                 who: Iterable[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, ...]]:
    """Messages per day over the window for a few (room, member) pairs (the HTML sparklines)."""
    pairs = sorted(set(who))
    last = day.toordinal()
    first = last - window + 1
    out = {p: [0] * window for p in pairs}
    a = Activity
    with db.session() as s:
        for i in range(0, len(pairs), 200):
            chunk = pairs[i:i + 200]
            q = (select(a.room, a.member, a.day, func.count())
                 .where(tuple_(a.room, a.member).in_(chunk), a.day.between(first, last))
                 .group_by(a.room, a.member, a.day))
            for room, member, d, n in s.execute(q):
                out[(room, member)][d - first] = n
    return {p: tuple(v) for p, v in out.items()}


def member_info(db: Database, tz) -> dict[tuple[str, str], MemberInfo]:  # type: ignore[no-untyped-def]
    """Display names and join days (local date ordinals)."""
    m = ActivityMember
    out: dict[tuple[str, str], MemberInfo] = {}
    with db.session() as s:
        for room, member, name, joined in s.execute(select(m.room, m.member, m.name, m.joined)):
            jd = datetime.fromtimestamp(joined, tz).toordinal() if joined is not None else None
            out[(room, member)] = MemberInfo(name or member, jd)
    return out


def purge(db: Database, today: date, retention_days: int) -> int:
    """Delete activity older than the retention period; returns the rows deleted."""
    cutoff = today.toordinal() - retention_days + 1
    with db.session() as s:
        n = s.execute(delete(Activity).where(Activity.day < cutoff)).rowcount or 0
        n += s.execute(delete(ActivityCredit).where(ActivityCredit.day < cutoff)).rowcount or 0
    return n
