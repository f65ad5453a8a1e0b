"""Turning normalized text into the sparse terms the index compares: words, character bigrams and
pinyin bigrams, each in its own namespace.

Words carry meaning (after synonym folding), character bigrams catch partial words and segmentation
differences, pinyin bigrams catch homophone typos from pinyin IMEs. Keeping all three lets a match rest
on more than one kind of evidence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import chain

from bot.faq.tokenize import Segmenter, content_chars, pinyin_of

_PUNCT = re.compile(r"^[\W_]+$")
_CLAUSE = re.compile(r"[,.!?;:~…。，！？；：、\n\"'()\[\]{}<>《》「」|/\\]+")

_CLAUSE_CACHE_MAX = 100_000
_ClauseTerms = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]

# IME fuzzy sounds: retroflex/flat initials, front/back nasals (common typo and accent confusions)
_FUZZY = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("ing", "in"), ("eng", "en"), ("ang", "an"))


def fuzzy(py: str) -> str:
    for a, b in _FUZZY:
        py = py.replace(a, b)
    return py


@dataclass(frozen=True, slots=True)
class Terms:
    words: tuple[str, ...]
    """Content words as written (stop words removed)."""
    groups: tuple[str, ...]
    """Canonical words of the synonym groups the words belong to."""
    chars: tuple[str, ...]
    """Character bigrams (and lone characters) of the topical words, per clause."""
    pinyin: tuple[str, ...]
    """The same bigrams in fuzzy toneless pinyin."""


class Featurizer:
    """Text (already normalized) -> ``Terms``; shared by index build and queries so both agree."""

    def __init__(
        self,
        segmenter: Segmenter,
        canon: Mapping[str, str],
        stop: frozenset[str],
        function: frozenset[str],
    ) -> None:
        self.seg = segmenter
        self.canon = canon
        self.stop = stop
        self.function = function
        self._fz: dict[str, str] = {}
        self._clauses: dict[str, _ClauseTerms] = {}
        self.cache_max = _CLAUSE_CACHE_MAX
        """How many clauses ``terms`` keeps; the index lowers it once built (chat repeats less than
        an FAQ, and a long-running bot should not hold every clause it ever saw)."""
        self._seg_version = segmenter.version

    def _fuzzy_py(self, ch: str) -> str:
        f = self._fz.get(ch)
        if f is None:
            f = self._fz[ch] = fuzzy(pinyin_of(ch))
        return f

    def _clause(self, clause: str) -> _ClauseTerms:
        """Words, groups, character bigrams and pinyin bigrams of one clause, in order of first
        occurrence, without repeats (so a one-clause text needs no more work).
        Cached: FAQ texts and chat repeat clauses a lot. Tuples of strings, which the garbage
        collector stops tracking, so a large cache does not slow down its full collections."""
        out = self._clauses.get(clause)
        if out is not None:
            return out
        words: list[str] = []
        groups: list[str] = []
        chars: list[str] = []
        pys: list[str] = []
        canon = self.canon
        stop = self.stop
        function = self.function
        punct = _PUNCT.match
        units: list[str] = []
        for tok in self.seg.cut(clause):
            if tok in stop or punct(tok):
                continue
            words.append(tok)
            g = canon.get(tok)
            if g is not None:
                groups.append(g)
            if tok not in function:
                units.extend(content_chars(tok))
        if len(units) > 1:
            fz = self._fz
            fpy = [fz[u] if u in fz else self._fuzzy_py(u) for u in units]
            chars = [a + b for a, b in zip(units, units[1:], strict=False)]
            pys = [a + "_" + b for a, b in zip(fpy, fpy[1:], strict=False)]
        elif units:
            chars.append(units[0])
            pys.append(self._fuzzy_py(units[0]))
        out = (
            tuple(dict.fromkeys(words)),
            tuple(dict.fromkeys(groups)),
            tuple(dict.fromkeys(chars)),
            tuple(dict.fromkeys(pys)),
        )
        if len(self._clauses) >= self.cache_max:
            self._clauses.clear()
        self._clauses[clause] = out
        return out

    def set_cache_size(self, n: int) -> None:
        """Empty the clause cache and keep at most ``n`` clauses from now on."""
        self._clauses.clear()
        self.cache_max = n

    def terms(self, text: str) -> Terms:
        if self._seg_version != self.seg.version:  # words were added: cuts may differ
            self._clauses.clear()
            self._seg_version = self.seg.version
        parts = [self._clause(c) for c in _CLAUSE.split(text) if c.strip()]
        if len(parts) == 1:
            return Terms(*parts[0])
        # repeats dropped per clause and again over the text: first occurrences keep their order
        words, groups, chars, pys = zip(*parts, strict=True) if parts else ((), (), (), ())
        return Terms(
            tuple(dict.fromkeys(chain.from_iterable(words))),
            tuple(dict.fromkeys(chain.from_iterable(groups))),
            tuple(dict.fromkeys(chain.from_iterable(chars))),
            tuple(dict.fromkeys(chain.from_iterable(pys))),
        )
