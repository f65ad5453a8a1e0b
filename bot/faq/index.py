"""The matcher interface the rest of the bot relies on.

``FaqIndex`` is built once from a ``Faq`` and answers ``match(text)`` with a ``MatchResult``:
``answer`` (reply with ``entry``), ``suggest`` (offer ``suggestions``, best first, at most 3) or
``none`` (stay quiet), with a confidence ``score`` in [0, 1] and the reason in words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

from bot.faq.model import Faq, FaqEntry

Decision = Literal["answer", "suggest", "none"]


@dataclass(frozen=True, slots=True)
class Candidate:
    entry: FaqEntry
    score: float


@dataclass(frozen=True, slots=True)
class MatchResult:
    action: Decision
    entry: FaqEntry | None
    score: float
    suggestions: tuple[FaqEntry, ...] = ()
    candidates: tuple[Candidate, ...] = ()
    """The best entries with their scores (top 3), for explanations."""
    margin: float = 0.0
    """Best score minus second-best score."""
    reason: str = ""
    """Why the matcher decided this, in words an operator reads ("chit-chat", "close second" ...)."""
    is_question: bool = False
    """Whether the message reads as a question or request (used for "unanswered" and off-hours replies)."""
    coverage: float | None = None
    """Share of the message's topic words the best entry explains (None if the decision came first)."""
    closest: tuple[tuple[FaqEntry, float], ...] = ()
    """The entries closest in meaning, with the sentence model's cosine (empty when it was not asked)."""
    tentative: bool = False
    """Choices offered on meaning alone, the words having found too little: the question still counts as
    unanswered (the operator sees it, the fallback's honest reply still goes out)."""
    confidence: float | None = None
    """The answer model's likelihood that the first choice is right (None when it was not asked)."""
    evidence: Mapping[str, float] | None = None
    """What the answer model read about the first choice (``confidence.FEATURES``)."""

    def to_record(self, text: str) -> dict[str, object]:
        """The line ``qunbot faq match`` prints (interfaces.md)."""
        return {
            "text": text,
            "action": self.action,
            "entry": self.entry.id if self.action == "answer" and self.entry else None,
            "score": round(self.score, 4),
            "suggestions": [e.id for e in self.suggestions],
        }


class FaqIndex(Protocol):
    faq: Faq

    def match(self, text: str, *, addressed: bool = False) -> MatchResult:
        """Decide for one member message; ``addressed`` (the message @mentions the bot) allows lower
        confidence, since the member is clearly asking the bot."""
        ...
