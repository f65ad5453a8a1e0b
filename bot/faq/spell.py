"""Homophone-typo correction against the FAQ's own vocabulary.

Pinyin IMEs produce right-sounding wrong characters (发漂 for 发票, 回访 for 回放, 课建 for 课件). When two
adjacent characters of a message never occur together in the FAQ but sound exactly like a pair that
does, differing in one character, the pair is rewritten to the FAQ's spelling before segmentation, so
words, bigrams and synonyms all see the intended word.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from operator import add

from bot.faq.tokenize import pinyin_of


def _pairs(texts: Iterable[str]) -> Iterator[str]:
    """Adjacent character pairs of ``texts`` (any characters: ``fix`` only asks about CJK pairs)."""
    for t in texts:
        yield from map(add, t, t[1:])


def _is_cjk(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff"


class HomophoneFixer:
    """Rewrites homophone pairs; ``known(word)`` says whether a word is in the general dictionary, so a
    real word (杭州) or a character explained by its other neighbour is left alone.

    ``texts`` are the FAQ's texts: a pair occurring in them is never rewritten. ``words`` are its words
    as segmented: only a pair inside one of them, seen ``min_count`` times, is a spelling to rewrite to
    (惠吗 in 有优惠吗 crosses a word boundary). ``keep`` are characters never rewritten nor written
    (particles and other stop characters: 吗 -> 码 would turn a question into a noun). ``alone`` are
    characters the FAQ uses as words of their own: never replaced (钱 in 退的钱到哪了 is no typo of 签)."""

    def __init__(self, texts: Iterable[str], known: Callable[[str], bool] = lambda w: False,
                 min_count: int = 2, *, words: Iterable[str] | None = None,
                 keep: frozenset[str] = frozenset(), alone: frozenset[str] = frozenset()) -> None:
        self.known = known
        self.keep = keep
        self.alone = alone
        text_pairs = Counter(_pairs(texts))
        counts = text_pairs if words is None else Counter(_pairs(words))
        self.bigrams = text_pairs.keys() | counts.keys()
        by_sound: dict[str, list[str]] = {}
        # most frequent first; ties in order of first occurrence
        for bg, n in sorted(counts.items(), key=lambda kv: -kv[1]):
            if n < min_count or not keep.isdisjoint(bg) or not (_is_cjk(bg[0]) and _is_cjk(bg[1])):
                continue
            by_sound.setdefault(self._sound(bg), []).append(bg)
        self.by_sound = by_sound

    @staticmethod
    def _sound(pair: str) -> str:
        return pinyin_of(pair[0]) + "_" + pinyin_of(pair[1])

    def fix(self, text: str) -> str:
        """``text`` with homophone typos of FAQ word pairs replaced by the FAQ's spelling."""
        if len(text) < 2:
            return text
        chars = list(text)
        i = 0
        changed = False
        while i < len(chars) - 1:
            a, b = chars[i], chars[i + 1]
            pair = a + b
            if (_is_cjk(a) and _is_cjk(b) and pair not in self.bigrams and not self.known(pair)
                    and a not in self.keep and b not in self.keep):
                options = [o for o in self.by_sound.get(self._sound(pair), ()) if (o[0] == a) != (o[1] == b)]
                j = i if options and options[0][0] != a else i + 1  # the character to replace
                if options and chars[j] not in self.alone and not self._explained(chars, j, i):
                    chars[i], chars[i + 1] = options[0][0], options[0][1]
                    changed = True
                    i += 2
                    continue
            i += 1
        return "".join(chars) if changed else text

    def _explained(self, chars: list[str], j: int, i: int) -> bool:
        """The character at ``j`` forms a word with its neighbour outside the pair (杭州 in 杭州的)."""
        k = j - 1 if j == i else j + 1
        if k < 0 or k >= len(chars):
            return False
        pair = chars[k] + chars[j] if k < j else chars[j] + chars[k]
        return pair in self.bigrams or self.known(pair)
