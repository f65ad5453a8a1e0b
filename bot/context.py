"""What handlers get besides the event: settings, the FAQ index, the clock, the store, short-term memory."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.clock import Clock
from bot.config import Config
from bot.faq.index import FaqIndex

if TYPE_CHECKING:
    from bot.faq.model import FaqEntry


@dataclass(slots=True)
class PendingChoice:
    """A "did you mean" list shown to one member, answerable by number until ``expires``."""

    entries: tuple[FaqEntry, ...]
    expires: datetime
    message_id: str


@dataclass(slots=True)
class Memory:
    """Short-lived conversational state (lost on restart by design: it only spans minutes)."""

    choices: dict[tuple[str, str], PendingChoice] = field(default_factory=dict)
    paused_rooms: set[str] = field(default_factory=set)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Context:
    config: Config
    clock: Clock
    faq: FaqIndex
    store: Any = None
    memory: Memory = field(default_factory=Memory)
    scratch: dict[str, Any] = field(default_factory=dict)
    """Notes handlers leave for later handlers about the current event (reset per event)."""
    embed_in_background: bool = False
    """A reload lets a big FAQ's new texts be embedded in the background (a live bot, not a replay)."""

    @property
    def now(self) -> datetime:
        return self.clock.now()
