"""The FAQ matcher: ``build_index(faq)`` -> an index whose ``match(text)`` answers, suggests or stays quiet.

How a message is scored:
1. ``normalize`` reduces it to the member's own words (simplified, no emoji, mentions or quotes).
2. ``gate.classify`` decides whether it asks anything; chit-chat and statements get no reply.
3. ``Featurizer`` turns it into words (synonyms folded), character bigrams and pinyin bigrams.
4. A precomputed inverted index gives, per FAQ phrasing and per whole entry (phrasings, tags and, at a
   lower weight, the answer), IDF-weighted cosine similarities, mixed into one score in [0, 1].
5. Thresholds (stricter for problem reports, looser when the bot is @mentioned) and the margin between
   best and second-best choose answer, suggest or none.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.faq.features import Featurizer, Terms
from bot.faq.gate import GateResult, classify
from bot.faq.index import Candidate, MatchResult
from bot.faq.lexicon import build_synonyms, stopwords
from bot.faq.model import Faq
from bot.faq.normalize import normalize
from bot.faq.tokenize import Segmenter

NAMESPACES = ("w", "c", "p")


@dataclass(frozen=True, slots=True)
class Params:
    """Weights and thresholds; defaults were set on one FAQ and checked on another of a different domain."""

    w_words: float = 0.45
    w_chars: float = 0.25
    w_pinyin: float = 0.30
    phrasing_weight: float = 0.6
    """Share of the best single phrasing in the score; the rest is the whole-entry similarity."""
    answer_weight: float = 0.4
    """Weight of answer-text terms inside the whole-entry document."""
    general_synonyms: bool = True
    answer_at: float = 0.42
    suggest_at: float = 0.28
    margin: float = 0.06
    problem_extra: float = 0.10
    """Problem reports (no question cue) need this much more score to be answered."""
    addressed_bonus: float = 0.06
    """An @mention of the bot lowers the answer bar by this much."""
    other_mention_extra: float = 0.08
    """A message @mentioning someone else (not the bot) is talk between members: higher bar."""
    max_df_share: float = 0.2
    """Query terms found in more than this share of documents are skipped when accumulating (speed);
    they still count in the query norm."""


@dataclass(slots=True)
class _Doc:
    entry: int
    weights: dict[str, float] = field(default_factory=dict)


class MatcherIndex:
    """Precomputed inverted index over an FAQ; see the module docstring for the scoring."""

    def __init__(self, faq: Faq, *, bot_names: Sequence[str] = (), params: Params | None = None) -> None:
        self.faq = faq
        self.params = p = params or Params()
        self.bot_names = tuple(bot_names)
        self.synonyms = build_synonyms(faq.synonyms, general=p.general_synonyms)
        self.stop = stopwords()
        self.segmenter = Segmenter(self._vocabulary())
        self.featurizer = Featurizer(self.segmenter, self.synonyms, self.stop)
        self._build()

    # -- build -------------------------------------------------------------------------------------
    def _vocabulary(self) -> Iterable[str]:
        """Words jieba must keep whole: synonym words, tags, and the FAQ's own recurring terms."""
        yield from self.synonyms.words
        for e in self.faq.entries:
            for t in e.tags:
                yield normalize(t).text
        yield from _faq_terms(self.faq)

    def _terms(self, text: str) -> Terms:
        return self.featurizer.terms(normalize(text, self.bot_names).text)

    def _build(self) -> None:
        p = self.params
        phr_terms: list[tuple[int, Terms]] = []
        for i, e in enumerate(self.faq.entries):
            for ph in e.phrasings:
                phr_terms.append((i, self._terms(ph)))
        n = len(phr_terms)
        df: dict[str, int] = {}
        for _, t in phr_terms:
            for key in _keys(t):
                df[key] = df.get(key, 0) + 1
        self.n_docs = n
        self.idf = {k: math.log(1.0 + n / d) for k, d in df.items()}
        self.idf_unknown = math.log(1.0 + 2.0 * n)
        self.max_df = max(8, int(p.max_df_share * n))
        self.df = df

        ns_w = {"w": p.w_words, "c": p.w_chars, "p": p.w_pinyin}
        postings: dict[str, list[tuple[int, float]]] = {}
        self.doc_entry: list[int] = []

        def add_doc(entry: int, weighted: dict[str, float], scale: float) -> None:
            doc = len(self.doc_entry)
            self.doc_entry.append(entry)
            norms = {ns: 0.0 for ns in NAMESPACES}
            for k, v in weighted.items():
                norms[k[0]] += v * v
            for k, v in weighted.items():
                nrm = math.sqrt(norms[k[0]])
                if nrm:
                    postings.setdefault(k, []).append((doc, scale * ns_w[k[0]] * v / nrm))

        for i, t in phr_terms:
            add_doc(i, {k: self.idf.get(k, self.idf_unknown) for k in _keys(t)}, p.phrasing_weight)
        self.n_phrasing_docs = len(self.doc_entry)
        # whole-entry documents: all phrasings and tags at full weight, the answer at answer_weight
        for i, e in enumerate(self.faq.entries):
            bag: dict[str, float] = {}
            for ph in (*e.phrasings, *e.tags):
                for k in _keys(self._terms(ph)):
                    bag[k] = self.idf.get(k, self.idf_unknown)
            if p.answer_weight > 0:
                for k in _keys(self._terms(e.answer)):
                    if k not in bag:
                        bag[k] = p.answer_weight * self.idf.get(k, self.idf_unknown)
            add_doc(i, bag, 1.0 - p.phrasing_weight)
        self.postings = {k: tuple(v) for k, v in postings.items()}

    # -- query -------------------------------------------------------------------------------------
    def scores(self, text: str) -> list[tuple[int, float]]:
        """(entry index, score) for every entry with any evidence, best first."""
        norm = normalize(text, self.bot_names)
        return self._score_terms(self.featurizer.terms(norm.text))

    def _score_terms(self, t: Terms) -> list[tuple[int, float]]:
        qw: dict[str, float] = {}
        norms = {ns: 0.0 for ns in NAMESPACES}
        for k in _keys(t):
            v = self.idf.get(k, self.idf_unknown)
            qw[k] = v
            norms[k[0]] += v * v
        acc: dict[int, float] = {}
        max_df = self.max_df
        for k, v in qw.items():
            plist = self.postings.get(k)
            if not plist or len(plist) > max_df:
                continue
            q = v / math.sqrt(norms[k[0]])
            for d, c in plist:
                acc[d] = acc.get(d, 0.0) + c * q
        best_phr: dict[int, float] = {}
        ent: dict[int, float] = {}
        n_phr = self.n_phrasing_docs
        de = self.doc_entry
        for d, v in acc.items():
            e = de[d]
            if d < n_phr:
                if v > best_phr.get(e, 0.0):
                    best_phr[e] = v
            else:
                ent[e] = v
        total = {e: best_phr.get(e, 0.0) + ent.get(e, 0.0) for e in set(best_phr) | set(ent)}
        return sorted(total.items(), key=lambda kv: -kv[1])

    def match(self, text: str, *, addressed: bool = False) -> MatchResult:
        p = self.params
        norm = normalize(text, self.bot_names)
        gate = classify(norm)
        addressed = addressed or norm.mentions_bot or _looks_like_bot(norm.mentions)
        ranked = self._score_terms(self.featurizer.terms(norm.text)) if norm.text else []
        entries = self.faq.entries
        cands = tuple(Candidate(entries[e], min(1.0, s)) for e, s in ranked[:3])
        best = cands[0].score if cands else 0.0
        second = cands[1].score if len(cands) > 1 else 0.0
        margin = best - second

        def result(action: str, reason: str) -> MatchResult:
            entry = cands[0].entry if cands and action != "none" else None
            sugg = tuple(c.entry for c in cands if c.score >= p.suggest_at) if action != "none" else ()
            return MatchResult(action, entry, best, sugg, cands, margin, reason, gate.is_question)  # type: ignore[arg-type]

        if not gate.is_question and not (addressed and gate.kind == "statement"):
            return result("none", gate.reason)
        bar = p.answer_at
        if gate.kind == "problem" or (addressed and gate.kind == "statement"):
            bar += p.problem_extra
        if addressed:
            bar -= p.addressed_bonus
        elif norm.mentions:
            bar += p.other_mention_extra
        if best >= bar and margin >= p.margin:
            return result("answer", "confident match")
        if best >= bar:
            return result("suggest", "close second: suggest")
        if best >= p.suggest_at + (bar - p.answer_at) and not (norm.mentions and not addressed):
            return result("suggest", "unsure: suggest")
        return result("none", "score below threshold")


def _keys(t: Terms) -> Iterable[str]:
    for w in t.words:
        yield "w" + w
    for c in t.chars:
        yield "c" + c
    for py in t.pinyin:
        yield "p" + py


_BOT_HINTS = ("助手", "机器人", "bot", "客服", "小秘书")


def _looks_like_bot(mentions: Sequence[str]) -> bool:
    """A mention of a name like 星火小助手 is addressed to a bot (assistant bots are named so)."""
    return any(h in m for m in mentions for h in _BOT_HINTS)


def _faq_terms(faq: Faq) -> Iterable[str]:
    """Recurring 2-4 character strings of the FAQ's questions: its own vocabulary (自提点, 开营 ...)."""
    counts: dict[str, int] = {}
    for e in faq.entries:
        seen: set[str] = set()
        for ph in e.phrasings:
            s = normalize(ph).text
            for n in (2, 3, 4):
                for i in range(len(s) - n + 1):
                    g = s[i : i + n]
                    if all("\u4e00" <= c <= "\u9fff" for c in g):
                        seen.add(g)
        for g in seen:
            counts[g] = counts.get(g, 0) + 1
    stop = stopwords()
    for g, c in counts.items():
        if c >= 2 and g not in stop and not any(s in g for s in ("的", "了", "吗", "么", "呢", "是")):
            yield g


def build_index(faq: Faq, *, bot_names: Sequence[str] = (), params: Params | None = None) -> MatcherIndex:
    """Build the matcher for ``faq``; ``bot_names`` are the bot's nicknames (for @mention detection)."""
    return MatcherIndex(faq, bot_names=bot_names, params=params)


__all__ = ["MatcherIndex", "Params", "build_index", "GateResult"]
