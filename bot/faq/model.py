"""The FAQ as values: entries with a question, similar phrasings, an answer; synonym groups."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class FaqEntry:
    id: str
    question: str
    answer: str
    similar: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    @property
    def phrasings(self) -> tuple[str, ...]:
        """The question and its similar phrasings: what a member's message is compared with."""
        return (self.question, *self.similar)


@dataclass(frozen=True, slots=True)
class Faq:
    entries: tuple[FaqEntry, ...]
    synonyms: tuple[tuple[str, ...], ...] = ()
    service_hours: str | None = None
    source: str = "<memory>"
    by_id: dict[str, FaqEntry] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.by_id:
            self.by_id.update({e.id: e for e in self.entries})

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, entry_id: str) -> FaqEntry | None:
        return self.by_id.get(entry_id)
