"""Reading activity back: per member, per room, per day sums (the database does the adding).

Three grouped queries over the two windows (current and previous) keep a digest over a million
rows well under a second on SQLite: no per-message row ever reaches Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Integer, case, cast, delete, func, select

from bot.activity.score import MemberDays, MemberInfo
from bot.store import Database
from bot.store.activity_models import Activity, ActivityCredit, ActivityMember, ActivityRoom


def _as_int(col):  # type: ignore[no-untyped-def]
    return func.sum(cast(col, Integer))


def load(db: Database, day: date, window: int, rooms: Sequence[str] | None = None) -> list[MemberDays]:
    """Day sums for the current window and the one before it (``fading`` compares the two)."""
    last = day.toordinal()
    first = last - 2 * window + 1
    cur_first = last - window + 1
    a, c = Activity, ActivityCredit
    q1 = (select(a.room, a.member, a.day, func.count(), _as_int(a.counted), _as_int(a.playful),
                 _as_int(a.product_question), func.sum(case((a.junk > 0, 1), else_=0)),
                 func.sum(case((a.junk == 3, 1), else_=0)))
          .where(a.day.between(first, last)).group_by(a.room, a.member, a.day))
    q2 = (select(c.room, c.member, c.day, c.kind, func.count())
          .where(c.day.between(first, last)).group_by(c.room, c.member, c.day, c.kind))
    q3 = (select(c.room, c.member, func.count(func.distinct(c.other)),
                 func.count(func.distinct(case((c.newcomer, c.other), else_=None))))
          .where(c.day.between(cur_first, last), c.kind == "answer").group_by(c.room, c.member))
    if rooms:
        q1, q2, q3 = q1.where(a.room.in_(rooms)), q2.where(c.room.in_(rooms)), q3.where(c.room.in_(rooms))
    members: dict[tuple[str, str], MemberDays] = {}

    def get(room: str, member: str) -> MemberDays:
        m = members.get((room, member))
        if m is None:
            m = members[(room, member)] = MemberDays(room, member)
        return m

    with db.session() as s:
        for room, member, d, n, counted, playful, questions, junk, ads in s.execute(q1):
            st = get(room, member).day(d)
            st.messages, st.counted, st.playful = n, counted or 0, playful or 0
            st.questions, st.junk, st.ads = questions or 0, junk or 0, ads or 0
        for room, member, d, kind, n in s.execute(q2):
            st = get(room, member).day(d)
            if kind == "answer":
                st.answers = n
            elif kind == "thanks":
                st.thanked = n
            elif kind == "mention":
                st.mentioned = n
            elif kind == "reply":
                st.replied = n
        for room, member, askers, newcomers in s.execute(q3):
            m = get(room, member)
            m.askers, m.newcomers = askers, newcomers
    return list(members.values())


def member_info(db: Database, tz) -> dict[tuple[str, str], MemberInfo]:  # type: ignore[no-untyped-def]
    """Display names and join days (local date ordinals)."""
    m = ActivityMember
    out: dict[tuple[str, str], MemberInfo] = {}
    with db.session() as s:
        for room, member, name, joined in s.execute(select(m.room, m.member, m.name, m.joined)):
            jd = datetime.fromtimestamp(joined, tz).toordinal() if joined is not None else None
            out[(room, member)] = MemberInfo(name or member, jd)
    return out


def room_topics(db: Database) -> dict[str, str]:
    with db.session() as s:
        return {r: t for r, t in s.execute(select(ActivityRoom.room, ActivityRoom.topic))}


def purge(db: Database, today: date, retention_days: int) -> int:
    """Delete activity older than the retention period; returns the rows deleted."""
    cutoff = today.toordinal() - retention_days + 1
    with db.session() as s:
        n = s.execute(delete(Activity).where(Activity.day < cutoff)).rowcount or 0
        n += s.execute(delete(ActivityCredit).where(ActivityCredit.day < cutoff)).rowcount or 0
    return n
