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

from bot.faq.tokenize import Segmenter, content_chars, pinyin_of

_PUNCT = re.compile(r"^[\W_]+$")
_CLAUSE = re.compile(r"[,.!?;:~…。，！？；：、\n\"'()\[\]{}<>《》「」|/\\]+")

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

    def _fuzzy_py(self, ch: str) -> str:
        f = self._fz.get(ch)
        if f is None:
            f = self._fz[ch] = fuzzy(pinyin_of(ch))
        return f

    def terms(self, text: str) -> Terms:
        words: list[str] = []
        groups: list[str] = []
        chars: list[str] = []
        pys: list[str] = []
        canon = self.canon
        for clause in _CLAUSE.split(text):
            if not clause.strip():
                continue
            units: list[str] = []
            for tok in self.seg.cut(clause):
                if tok in self.stop or _PUNCT.match(tok):
                    continue
                words.append(tok)
                g = canon.get(tok)
                if g is not None:
                    groups.append(g)
                if tok not in self.function:
                    units.extend(content_chars(tok))
            for a, b in zip(units, units[1:], strict=False):
                chars.append(a + b)
                pys.append(self._fuzzy_py(a) + "_" + self._fuzzy_py(b))
            if len(units) == 1:
                chars.append(units[0])
                pys.append(self._fuzzy_py(units[0]))
        return Terms(
            tuple(dict.fromkeys(words)),
            tuple(dict.fromkeys(groups)),
            tuple(dict.fromkeys(chars)),
            tuple(dict.fromkeys(pys)),
        )
