"""Loading ``faq.yaml``: accepts the plain shape operators write, rejects what would mislead members.

Errors name file, line, column, key and problem, e.g.
``faq.yaml:12:5: entries[3].answer: empty answer``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.faq.model import Faq, FaqEntry
from bot.yamlfile import ConfigError, did_you_mean, read_yaml, validate

log = logging.getLogger("qunbot.faq")

KNOWN_TOP = ("entries", "synonyms", "service_hours", "question_template", "title", "name", "version")


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str | int = Field(min_length=1)
    question: str
    answer: str
    similar: list[str] = []
    tags: list[str] = []

    @field_validator("id")
    @classmethod
    def _id(cls, v: str | int) -> str:
        v = str(v).strip()
        if not v:
            raise ValueError("empty id")
        return v

    @field_validator("question")
    @classmethod
    def _question(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("empty question")
        return v.strip()

    @field_validator("answer")
    @classmethod
    def _answer(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("empty answer")
        return v.strip()

    @field_validator("similar", "tags", mode="before")
    @classmethod
    def _list(cls, v: object) -> object:
        if v is None:
            return []
        if isinstance(v, str):
            return [v]
        return v

    @field_validator("similar")
    @classmethod
    def _similar(cls, v: list[str]) -> list[str]:
        return [s.strip() for s in v if s and s.strip()]


class _FaqFile(BaseModel):
    model_config = ConfigDict(extra="allow")
    entries: list[_Entry]
    synonyms: list[list[str]] = []
    service_hours: str | None = None

    @field_validator("synonyms", mode="before")
    @classmethod
    def _synonyms(cls, v: object) -> object:
        if v is None:
            return []
        if isinstance(v, list):
            # accept "a, b, c" strings as well as lists
            return [[w.strip() for w in g.replace("，", ",").split(",")] if isinstance(g, str) else g
                    for g in v]
        return v


def load_faq(path: str | Path) -> Faq:
    """Read and validate a FAQ file; raises ConfigError naming file, line and problem."""
    doc = read_yaml(path, "FAQ file")
    if not isinstance(doc.data, dict):
        raise ConfigError(doc.path, "expected a mapping with an `entries:` list", 1, 1)
    for key in doc.data:
        if key not in KNOWN_TOP:
            hint = did_you_mean(str(key), KNOWN_TOP)
            if hint:
                raise doc.error([key], f"unknown key{hint}", key=True)
            log.warning("%s: top-level key %r is not used by qunbot", doc.path, key)
    parsed: _FaqFile = validate(doc, _FaqFile)
    if not parsed.entries:
        raise doc.error(["entries"], "no entries: add at least one question and answer")
    seen: dict[str, int] = {}
    entries: list[FaqEntry] = []
    for i, e in enumerate(parsed.entries):
        if e.id in seen:
            raise doc.error(["entries", i, "id"], f'duplicate FAQ id "{e.id}" (first used by entry #{seen[e.id] + 1})')
        seen[e.id] = i
        entries.append(FaqEntry(e.id, e.question, e.answer, tuple(e.similar), tuple(e.tags)))
    synonyms = []
    for i, group in enumerate(parsed.synonyms):
        words = tuple(dict.fromkeys(w.strip() for w in group if w and w.strip()))
        if len(words) < 2:
            raise doc.error(["synonyms", i], "a synonym group needs at least two words")
        synonyms.append(words)
    return Faq(tuple(entries), tuple(synonyms), parsed.service_hours, str(doc.path))
