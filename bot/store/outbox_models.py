"""Sends that failed for good: kept so nothing the bot meant to say is lost silently."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.db import Base


class FailedSend(Base):
    __tablename__ = "failed_sends"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ts: Mapped[datetime] = mapped_column(DateTime, index=True)
    """Naive UTC, like every stored time."""
    kind: Mapped[str] = mapped_column(String(16))
    conversation: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(32))
    error: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer)
