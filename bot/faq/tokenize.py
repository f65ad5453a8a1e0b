"""Word segmentation and pinyin keys for matching.

jieba's global dictionary is process-wide and costs ~0.5-1.2 s to load; each index gets its own
``jieba.Tokenizer`` on a small shipped dictionary (jieba's 30,000 most frequent words) plus the FAQ's
own vocabulary, which loads in ~30 ms and keeps FAQs in one process from leaking words into each other.
Pinyin keys (toneless, first reading) let a homophone typo from a pinyin IME (发漂 for 发票) still match.
"""

from __future__ import annotations

import importlib.resources as res
import logging
import re
import threading
from collections.abc import Iterable, Mapping
from functools import lru_cache
from math import log

import jieba

_LOCK = threading.Lock()
_CJK = re.compile(r"[\u3400-\u9fff]")
_WORD_CHARS = re.compile(r"[\u3400-\u9fff]|[a-z0-9]+(?:[-'][a-z0-9]+)*")

_CACHE_MAX = 200_000
# jieba's own block splitting (``Tokenizer.cut``): runs of CJK/latin/digits are cut with the
# dictionary, whitespace is kept, any other character is a word of its own
_RE_HAN = jieba.re_han_default
_RE_SKIP = jieba.re_skip_default
_ENG = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")  # jieba.re_eng
jieba.setLogLevel(logging.WARNING)


def _ascii_letter(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _dictionary_path() -> str:
    return str(res.files("bot.faq") / "data" / "jieba_small.txt")


class Segmenter:
    """A private jieba tokenizer that knows the given extra words (FAQ vocabulary, synonyms)."""

    def __init__(self, words: Iterable[str] = ()) -> None:
        self._tk = jieba.Tokenizer(_dictionary_path())
        self._cache: dict[str, tuple[str, ...]] = {}
        self.version = 0
        """Bumped whenever words are added (callers caching cuts compare it)."""
        with _LOCK:
            self._tk.initialize()
        self.add_words(words)

    def add_words(self, words: Iterable[str]) -> None:
        for w in sorted(set(words)):
            if len(w) >= 2 and not w.isspace() and not self._tk.FREQ.get(w):
                # a frequency high enough that jieba keeps the word whole
                self._tk.add_word(w, freq=2000)
        self._cache.clear()
        self.version += 1

    def known(self, word: str) -> bool:
        return bool(self._tk.FREQ.get(word))

    @property
    def frequencies(self) -> Mapping[str, int]:
        """Word -> dictionary frequency (0 for a prefix of a word only): ``known`` without a call per word."""
        return self._tk.FREQ

    def only_single_chars(self, text: str) -> bool:
        """No dictionary word of two or more characters occurs inside ``text`` (so jieba cuts it into
        single characters)."""
        freq = self._tk.FREQ
        n = len(text)
        return not any(freq.get(text[i:j]) for i in range(n) for j in range(i + 2, n + 1))

    def only_single_chars_among(self, texts: Iterable[str]) -> list[str]:
        """The ``texts`` for which ``only_single_chars`` holds, sharing the work between texts that
        overlap (a text qualifies when it is no word and both its shorter ends qualify)."""
        freq = self._tk.FREQ
        memo: dict[str, bool] = {}

        def single(t: str) -> bool:
            out = memo.get(t)
            if out is None:
                out = not freq.get(t) and (len(t) == 2 or (single(t[:-1]) and single(t[1:])))
                memo[t] = out
            return out

        return [t for t in texts if len(t) < 2 or single(t)]

    def cut(self, text: str) -> tuple[str, ...]:
        """Words of ``text`` without HMM guessing (unknown runs fall back to single characters, which
        the character and pinyin evidence then covers). Cached: FAQ texts and chat repeat a lot."""
        out = self._cache.get(text)
        if out is None:
            out = tuple(w for w in self._lcut(text) if not w.isspace())
            if len(self._cache) >= _CACHE_MAX:
                self._cache.clear()
            self._cache[text] = out
        return out


    def _lcut(self, sentence: str) -> list[str]:
        """``jieba.Tokenizer.lcut(sentence, HMM=False)``, the same words computed the same way
        (same dictionary, same floating-point route scores and tie-breaks), without jieba's
        per-call generators and DAG dictionaries."""
        out: list[str] = []
        for blk in _RE_HAN.split(sentence):
            if not blk:
                continue
            if _RE_HAN.match(blk):
                self._cut_block(blk, out)
            else:
                for x in _RE_SKIP.split(blk):
                    if _RE_SKIP.match(x):
                        out.append(x)
                    else:
                        out.extend(x)
        return out

    def _cut_block(self, sentence: str, out: list[str]) -> None:
        """jieba's ``__cut_DAG_NO_HMM``: the most probable route through the dictionary words
        (``calc``: best (log-probability, end), scanned from the right), single latin letters and
        digits joined back into runs. Unlike jieba, a known latin word never cuts a longer one:
        with ``refer`` known, ``referral`` stays whole (jieba says ``refer`` + ``ral``)."""
        freq = self._tk.FREQ
        logtotal = log(self._tk.total)
        n = len(sentence)
        score = [0.0] * (n + 1)
        end = [0] * (n + 1)
        for idx in range(n - 1, -1, -1):
            best_s = 0.0
            best_x = -1
            i = idx
            frag = sentence[idx]
            while i < n and frag in freq:
                f = freq[frag]
                if f:
                    sc = log(f) - logtotal + score[i + 1]
                    if best_x < 0 or sc >= best_s:  # max((score, end)): ties go to the longer word
                        best_s = sc
                        best_x = i
                i += 1
                frag = sentence[idx : i + 1]
            if best_x < 0:
                best_s = log(freq.get(sentence[idx]) or 1) - logtotal + score[idx + 1]
                best_x = idx
            score[idx] = best_s
            end[idx] = best_x
        x = 0
        buf = ""
        start = len(out)
        while x < n:
            y = end[x] + 1
            word = sentence[x:y]
            if y - x == 1 and word in _ENG:
                buf += word
            else:
                if buf:
                    out.append(buf)
                    buf = ""
                out.append(word)
            x = y
        if buf:
            out.append(buf)
        for i in range(len(out) - 1, start, -1):  # a latin word cut inside letters is joined back
            if _ascii_letter(out[i - 1][-1]) and _ascii_letter(out[i][0]):
                out[i - 1] += out.pop(i)


def content_chars(text: str) -> list[str]:
    """CJK characters and latin/digit runs: the units character n-grams are built from."""
    return _WORD_CHARS.findall(text)


@lru_cache(maxsize=65536)
def pinyin_of(ch: str) -> str:
    """Toneless pinyin of one character (first reading); other units are returned unchanged."""
    if not _CJK.match(ch):
        return ch
    from pypinyin import Style, lazy_pinyin

    py = lazy_pinyin(ch, style=Style.NORMAL, errors="default")
    return py[0] if py else ch


def pinyin_key(word: str) -> str:
    return "".join(pinyin_of(c) for c in content_chars(word))
