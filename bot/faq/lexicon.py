"""General word lists the matcher relies on, read once from ``bot/faq/data``.

They are written from general knowledge of Chinese group chat and customer service, not from any one
FAQ, so that the matcher behaves the same on an FAQ it has never seen. Operators extend the synonyms
per FAQ in ``faq.yaml``.
"""

from __future__ import annotations

import importlib.resources as res
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.faq.normalize import fold


def _lines(name: str) -> list[str]:
    text = (res.files("bot.faq") / "data" / name).read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def _sections(name: str) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    current = ""
    for ln in _lines(name):
        if ln.startswith("[") and ln.endswith("]"):
            current = ln[1:-1]
            continue
        out.setdefault(current, set()).update(fold(w) for w in ln.split())
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def general_synonyms() -> tuple[tuple[str, ...], ...]:
    """The built-in synonym groups (first word canonical)."""
    return tuple(tuple(fold(w) for w in ln.lstrip("~ ").split()) for ln in _lines("synonyms.txt"))


@lru_cache(maxsize=1)
def function_words() -> frozenset[str]:
    """Asking words (怎么, 什么时候, 能不能 ...): they tell the kind of question, not its topic."""
    return frozenset(fold(w) for ln in _lines("synonyms.txt") if ln.startswith("~") for w in ln[1:].split())


@lru_cache(maxsize=1)
def grammar_words() -> frozenset[str]:
    """Negation, direction, aspect and asking words: no topic of their own (data/grammar_words.txt)."""
    return frozenset(fold(w) for ln in _lines("grammar_words.txt") for w in ln.split())


@lru_cache(maxsize=1)
def background_freq() -> tuple[dict[str, int], int]:
    """Word frequencies of general Chinese (the shipped jieba dictionary) and their total.

    A word common everywhere (现在, 条件, 一直) says less about which FAQ entry is meant than a rare one
    (退款, 发票), whatever the FAQ at hand.
    """
    freq: dict[str, int] = {}
    total = 0
    text = (res.files("bot.faq") / "data" / "jieba_small.txt").read_text(encoding="utf-8")
    for ln in text.splitlines():
        w, _, f = ln.partition(" ")
        n = int(f.split(" ")[0]) if f else 1
        freq[w] = n
        total += n
    return freq, total


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(fold(w) for ln in _lines("stopwords.txt") for w in ln.split())


@lru_cache(maxsize=1)
def question_cues() -> dict[str, frozenset[str]]:
    return _sections("question_cues.txt")


@lru_cache(maxsize=1)
def chitchat_cues() -> dict[str, frozenset[str]]:
    return _sections("chitchat.txt")


@dataclass(frozen=True, slots=True)
class SynonymMap:
    """Maps each known word to the canonical word of its group; FAQ groups take precedence."""

    canon: dict[str, str]

    def __call__(self, word: str) -> str:
        return self.canon.get(word, word)

    @property
    def words(self) -> Iterable[str]:
        return self.canon.keys()


def build_synonyms(faq_groups: Sequence[Sequence[str]], *, general: bool = True) -> SynonymMap:
    """Merge the operator's groups (faq.yaml) with the general ones.

    A word found in an operator group keeps that group's canonical word; groups sharing a word are
    joined, so "退费" in an operator group also brings the general 退款 group along.
    """
    groups = [tuple(fold(w).strip() for w in g if w.strip()) for g in faq_groups]
    if general:
        groups += list(general_synonyms())
    canon: dict[str, str] = {}
    for g in groups:
        g = tuple(w for w in g if w)
        if len(g) < 2:
            continue
        # join with an existing group if any word is already mapped (operator groups come first)
        target = next((canon[w] for w in g if w in canon), g[0])
        for w in g:
            canon.setdefault(w, target)
    return SynonymMap(canon)
