"""Tables for what the FAQ could not answer, hand-offs to a person, paused rooms and room-day counters.

Times are naive UTC (``DateTime`` without zone): they sort and compare the same on SQLite and
PostgreSQL whatever the server's zone; ``bot.unanswered.to_utc`` converts on the way in.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.db import Base


class UnansweredQuestion(Base):
    """A member's question (or message to the bot) that got neither an answer nor a suggestion."""

    __tablename__ = "unanswered_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ts: Mapped[datetime] = mapped_column(DateTime, index=True)
    room: Mapped[str | None] = mapped_column(String(128), nullable=True)
    """None for a direct message to the bot."""
    room_topic: Mapped[str] = mapped_column(String(256), default="")
    member: Mapped[str] = mapped_column(String(128))
    member_name: Mapped[str] = mapped_column(String(256), default="")
    msg_id: Mapped[str] = mapped_column(String(128), default="")
    text: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_unanswered_member", "room", "member", "ts"),)


class HandoffRecord(Base):
    """A member handed to a person: on request (``keyword``) or after two unanswered questions (``repeat``)."""

    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ts: Mapped[datetime] = mapped_column(DateTime, index=True)
    room: Mapped[str | None] = mapped_column(String(128), nullable=True)
    member: Mapped[str] = mapped_column(String(128))
    member_name: Mapped[str] = mapped_column(String(256), default="")
    trigger: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_handoffs_member", "room", "member", "ts"),)


class PausedRoom(Base):
    """A room where an operator paused the bot (kept across restarts)."""

    __tablename__ = "paused_rooms"

    room: Mapped[str] = mapped_column(String(128), primary_key=True)
    topic: Mapped[str] = mapped_column(String(256), default="")
    by: Mapped[str] = mapped_column(String(128), default="")
    ts: Mapped[datetime] = mapped_column(DateTime)


class RoomDay(Base):
    """Per room and local day: messages seen and the bot's answers (for ``#今日``)."""

    __tablename__ = "room_days"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    room: Mapped[str] = mapped_column(String(128))
    day: Mapped[str] = mapped_column(String(10))
    """Local date, ISO (2026-11-04)."""
    messages: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    suggested: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("room", "day", name="uq_room_days"),)


class RoomDayAsker(Base):
    """A member who asked something in a room on a local day (distinct askers for ``#今日``)."""

    __tablename__ = "room_day_askers"

    room: Mapped[str] = mapped_column(String(128), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    member: Mapped[str] = mapped_column(String(128), primary_key=True)
