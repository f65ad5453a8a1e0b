"""Schedule bookkeeping: posts already made, how far each job was checked (the rooms are in
``bot.store.rooms``).

``schedule_posts`` has one row per (bot account, job, room, fire time) with a unique constraint:
claiming that row is what makes a scheduled post go out exactly once, across restarts, replays into
the same database and several processes of one bot account. The account is part of the key, so
bot A's claim never blocks bot B's post to a room only B is in. ``schedule_marks`` remembers, per
account and job, the last fire time the bot dealt with, so a restart knows which fires it missed.
Times are stored as naive UTC so every backend compares them the same way.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.db import Base, Database, from_utc_naive, utc_naive


class SchedulePost(Base):
    __tablename__ = "schedule_posts"
    __table_args__ = (UniqueConstraint("account", "job", "room", "fire_at", name="uq_schedule_post"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str] = mapped_column(String(128))
    job: Mapped[str] = mapped_column(String(128))
    room: Mapped[str] = mapped_column(String(128))
    fire_at: Mapped[datetime] = mapped_column(DateTime())
    posted_at: Mapped[datetime] = mapped_column(DateTime())
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)


class ScheduleMark(Base):
    """Every fire of ``job`` up to ``checked_until`` has been posted or deliberately skipped by ``account``."""

    __tablename__ = "schedule_marks"

    account: Mapped[str] = mapped_column(String(128), primary_key=True)
    job: Mapped[str] = mapped_column(String(128), primary_key=True)
    checked_until: Mapped[datetime] = mapped_column(DateTime())


def claim_post(db: Database, account: str, job: str, room: str, fire_at: datetime, posted_at: datetime,
               kind: str, text: str) -> bool:
    """True if this (account, job, room, fire time) was not posted yet and is now ours to post."""
    try:
        with db.session() as s:
            s.add(SchedulePost(account=account, job=job, room=room, fire_at=utc_naive(fire_at),
                               posted_at=utc_naive(posted_at), kind=kind, text=text))
    except IntegrityError:
        return False
    return True


def marks(db: Database, account: str) -> dict[str, datetime]:
    with db.session() as s:
        return {m.job: from_utc_naive(m.checked_until)
                for m in s.scalars(select(ScheduleMark).where(ScheduleMark.account == account))}


def advance_marks(db: Database, account: str, jobs: list[str], when: datetime) -> None:
    """Move each job's mark to ``when`` (never backwards: a second replay of an old log keeps it)."""
    ts = utc_naive(when)
    try:
        with db.session() as s:
            for job in jobs:
                row = s.get(ScheduleMark, (account, job))
                if row is None:
                    s.add(ScheduleMark(account=account, job=job, checked_until=ts))
                elif row.checked_until < ts:
                    row.checked_until = ts
    except IntegrityError:
        pass
