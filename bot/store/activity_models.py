"""Activity tables: who said what kind of thing, when, to whom (issue 6: KOL candidates and the digest).

Times are stored as UTC epoch seconds plus a local ``day`` number (days since 1970-01-01 in the
configured timezone): integers compare the same on every backend, and the digest groups by day.
Message text is not kept unless ``activity.keep_text`` is set (unanswered questions live elsewhere).
Room topics live in ``bot.store.rooms`` (one table for every reader).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.db import Base


class ActivityMember(Base):
    """A member of one room: display name, when they joined (a Join event) or were first seen."""

    __tablename__ = "activity_members"

    room: Mapped[str] = mapped_column(String(128), primary_key=True)
    member: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str] = mapped_column(String(256), default="")
    joined: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """Epoch seconds of the Join event; None when the member was there before the bot."""
    first_seen: Mapped[int] = mapped_column(Integer)
    left: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Activity(Base):
    """One row per member message. Flags are decided when the message arrives, so the digest
    only sums them (the cooldown, flood and repeat checks need the message stream in order)."""

    __tablename__ = "activity"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    room: Mapped[str] = mapped_column(String(128))
    member: Mapped[str] = mapped_column(String(128))
    msg_id: Mapped[str] = mapped_column(String(128))
    ts: Mapped[int] = mapped_column(Integer)
    day: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8))
    length: Mapped[int] = mapped_column(Integer, default=0)
    is_question: Mapped[bool] = mapped_column(Boolean, default=False)
    product_question: Mapped[bool] = mapped_column(Boolean, default=False)
    """A question the FAQ matcher recognised as about the product (an answer or a suggestion)."""
    mentions: Mapped[int] = mapped_column(SmallInteger, default=0)
    quote_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    answered: Mapped[bool] = mapped_column(Boolean, default=False)
    """This message answered another member's recent question (quote-reply or @ within minutes)."""
    thanks: Mapped[bool] = mapped_column(Boolean, default=False)
    """This message thanks someone (the thanked member gets an ``ActivityCredit`` of kind thanks)."""
    counted: Mapped[bool] = mapped_column(Boolean, default=False)
    """Counts as a message: not junk, and the first of this member's messages in its minute."""
    playful: Mapped[bool] = mapped_column(Boolean, default=False)
    """A sticker or playful message that counts (same cooldown)."""
    junk: Mapped[int] = mapped_column(SmallInteger, default=0)
    """0, or why it never counts: 1 flood, 2 repeated text, 3 ad, 4 bare link."""
    text: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (
        # covering: the digest's per member-day sums read only this index, in its order
        Index("ix_activity_day_member", "day", "room", "member", "counted", "playful", "product_question",
              "junk"),
        Index("ix_activity_msg", "msg_id"),
    )


class ActivityCredit(Base):
    """Something one member got from another: mentioned, quote-replied, thanked, or an answer given.

    For ``answer`` the row belongs to the helper and ``other`` is the asker (so distinct askers and
    newcomers helped can be counted); for the others ``member`` received it from ``other``.
    """

    __tablename__ = "activity_credits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    room: Mapped[str] = mapped_column(String(128))
    member: Mapped[str] = mapped_column(String(128))
    other: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(8))
    """mention | reply | thanks | answer"""
    newcomer: Mapped[bool] = mapped_column(Boolean, default=False)
    """For ``answer``: the asker was in their first week."""
    ts: Mapped[int] = mapped_column(Integer)
    day: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_activity_credits_day", "day", "room", "member"),)
