"""The FAQ matcher: ``build_index(faq)`` -> an index whose ``match(text)`` answers, suggests or stays quiet.

How a message is scored:
1. ``normalize`` reduces it to the member's own words (simplified, no emoji, mentions or quotes).
2. ``gate.classify`` decides whether it asks anything; chit-chat and statements get no reply.
3. ``HomophoneFixer`` repairs pinyin-IME typos of FAQ words (for the sentence model too); ``Featurizer``
   turns the text into words, synonym groups (FAQ's and the general list), character bigrams and fuzzy
   pinyin bigrams.
4. A precomputed inverted index gives, per FAQ phrasing and per whole entry (phrasings, tags and, at a
   lower weight, the answer), IDF-weighted cosine similarities, mixed into one score in [0, 1].
5. Thresholds (stricter for problem reports, looser when the bot is @mentioned), the margin between
   best and second-best (absolute and relative) and the coverage (the share of the message's topic
   words the entry explains: as words, synonym groups or text of its phrasings, tags and answer;
   grammar words ignored; words said only in clauses that do not ask weigh less) choose answer,
   suggest or none. The answer bar rests on the scale-free margin and coverage, since the score's
   scale varies between FAQs. A per-FAQ classifier re-ranks the candidates.
6. Only when words leave a question open (no confident answer) is the sentence model asked
   (``semantic.py``): it reorders the choices by meaning, offers the entries closest in meaning when
   words found too little (tentative choices: the question still counts as unanswered), and answers a
   close second when it, too, puts that entry clearly first. A question about to get choices is answered
   when the model agrees on the first and the words that entry lacks change little of the message's
   meaning (a second embedding, of the message without them), or are said only in the member's situation
   before the question. What is still a choice list is answered when the answer model (``confidence.py``),
   weighing all that evidence together, finds the first choice likely right.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from operator import add

import numpy as np

from bot.faq import classifier as clf
from bot.faq.confidence import AnswerModel, default_answer_model
from bot.faq.features import Featurizer, Terms
from bot.faq.gate import GateResult, asking_clauses, classify
from bot.faq.index import Candidate, MatchResult
from bot.faq.lexicon import background_freq, build_synonyms, function_words, grammar_words, stopwords
from bot.faq.model import Faq
from bot.faq.normalize import Normalized, normalize
from bot.faq.semantic import BACKGROUND_AT, BackgroundIndex, Meaning, SemanticIndex, default_embedder
from bot.faq.spell import HomophoneFixer
from bot.faq.tokenize import Segmenter

log = logging.getLogger("qunbot.faq.matcher")

NAMESPACES = ("w", "g", "c", "p")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
_WORD_CHAR = re.compile(r"[\u3400-\u9fffa-z0-9]")
_QUERY_CLAUSE_CACHE = 4096
"""Clauses the featurizer caches once the index is built (the build itself caches many more)."""
NEGATIONS = frozenset("不没无未别非")
"""Never rewritten as homophone typos, nor into: 补上 -> 不上 would flip the meaning."""
_ANSWERABLE_BY_MEANING = frozenset({"question", "request", "problem"})
"""Gate kinds whose choices may turn into an answer by meaning (``Params.semantic_unexplained``)."""
_WITHOUT_LACKING = ("keep", "away")
"""The answer model's features that cost a second embedding (``MatcherIndex._without_lacking``)."""


@dataclass(frozen=True, slots=True)
class Params:
    """Weights and thresholds; defaults were set on one FAQ and checked on another of a different domain."""

    w_words: float = 0.30
    w_groups: float = 0.20
    w_chars: float = 0.20
    w_pinyin: float = 0.30
    function_weight: float = 0.6
    """Weight of asking words (怎么, 什么时候 ...) relative to topic words."""
    homophones: bool = True
    """Rewrite homophone typos of FAQ word pairs (发漂 -> 发票) before segmentation."""
    background: bool = True
    """Scale word weights by how rare the word is in general Chinese (jieba's frequencies)."""
    phrasing_weight: float = 0.6
    """Share of the best single phrasing in the score; the rest is the whole-entry similarity."""
    answer_weight: float = 0.4
    """Weight of answer-text terms inside the whole-entry document."""
    answer_chars: int = 300
    """Only the start of a long answer is indexed (it says what the entry is about)."""
    general_synonyms: bool = True
    answer_at: float = 0.15
    """Best score needed to answer (together with ``margin``, ``relative_margin`` and ``coverage``,
    which do most of the work: they are scale-free while the score's scale varies between FAQs)."""
    margin: float = 0.05
    """Lead of the best entry over the second needed to answer; below it the member is asked."""
    relative_margin: float = 0.25
    """The lead must also be at least this share of the best score (two strong, similar entries)."""
    coverage: float = 0.65
    """Share of the message's topic words the entry must explain to be answered (else suggest)."""
    suggest_at: float = 0.08
    """Lowest best score that may be suggested; below ``suggest_confident`` only when one of the
    suggestions explains at least ``suggest_coverage`` of the message's topic words (a member's aside
    shares a word or two with an entry but is mostly about something else) and the message does not
    @mention another member."""
    context_weight: float = 0.3
    """Weight, in the coverage check, of words said only in clauses that do not ask."""
    suggest_coverage: float = 0.35
    suggest_coverage_question: float = 0.2
    """The same for a clear question: a member who asks gets the choices more readily."""
    suggest_confident: float = 0.2
    """From this best score on, suggest whatever the coverage."""
    suggest_ratio: float = 0.2
    """Suggestions on words alone list the candidates (top 3) scoring at least this share of the best."""
    problem_extra: float = 0.15
    """Problem reports (no question cue) need this much more score to be answered."""
    addressed_bonus: float = 0.06
    """An @mention of the bot lowers the answer bar by this much."""
    other_mention_extra: float = 0.08
    """A message @mentioning someone else (not the bot) is talk between members: higher bar."""
    coverage_grammar: bool = True
    """The coverage check ignores grammar words (没, 去, 才能, 昨天 ...: data/grammar_words.txt)."""
    rank_grammar: bool = True
    """Grammar words also get ``function_weight`` in the scores."""
    query_share: float = 0.5
    """How a phrasing's similarity is normalized: 0.5 is cosine; above, the share of the message's
    weight that is matched counts more; below, the share of the phrasing's weight."""
    classifier_weight: float = 0.75
    """Share of the per-FAQ classifier's score (``classifier.py``) in the score that orders the
    candidates (0: similarity only); the scores the thresholds read stay similarities."""
    classifier_lambda: float = 0.3
    """Ridge penalty of the classifier."""
    classifier_answer: float = 1.0
    """Weight of the answer's sentences as training examples (a phrasing weighs 1)."""
    semantic: bool = True
    """Ask the sentence model (``semantic.py``) when word evidence does not settle a question."""
    semantic_scale: float = 0.05
    """Cosine gap to the model's best entry that costs a candidate as much as the whole word score:
    the model's cosines crowd in a narrow band (0.85-0.95), so small gaps mean a lot."""
    semantic_suggest_at: float = 0.89
    """A clear question the words cannot place is still offered the entries closest in meaning from
    this cosine on (questions the FAQ covers peak near 0.93, chit-chat near 0.89: the gate keeps
    chit-chat from getting here, and 0.90 left members whose words the FAQ lacks without choices)."""
    semantic_unclear_extra: float = 0.04
    """Wishes and bare keywords need this much more cosine for those choices."""
    semantic_problem_extra: float = 0.01
    """Problem reports, this much more: a report the gate let through ("一直转圈，交不上去") is trouble with
    something, and chit-chat rarely reads as one (0.04 left 11 of them without choices on five sets)."""
    semantic_choice_band: float = 0.05
    """A candidate far behind on words is still offered when its closest phrasing is within this cosine of the
    closest of all: on the labelled sets 0.05 brought 24 right entries into the choices, 0.02 brought 15, and
    neither lost one (README)."""
    semantic_answer_at: float = 0.92
    semantic_lead: float = 0.05
    """A close second on words is answered when the words explain the message (coverage) and the model
    puts the same entry first (phrasings and answer together, as in the reordering), this much ahead of
    the next, its closest phrasing at ``semantic_answer_at`` or more."""
    semantic_explained: float = 0.8
    semantic_explained_at: float = 0.90
    semantic_explained_lead: float = 0.03
    """When the words explain this much of the message (coverage), the model's first entry is answered
    from a closest-phrasing cosine of ``semantic_explained_at`` and a lead of ``semantic_explained_lead``."""
    semantic_answer_weight: float = 1.0
    """In the reordering, the gap to the best-matching passages (summed cosines: ``_passages``) counts this
    much next to the phrasings' gap (the model was trained to match questions with the passages that answer
    them)."""
    semantic_answer_chars: int = 200
    """The start of the answer that is embedded."""
    semantic_question_passage: bool = True
    """Also embed the question followed by the start of its answer, as a second passage (top1 up 0.6-2.9
    points on four of the five sets, unchanged on the fifth; README)."""
    semantic_unexplained: bool = True
    """A question about to get choices is answered when words and model agree on the first and the words
    the entry lacks change little: removing them keeps the message's meaning (``semantic_unexplained_keep``)
    and does not bring it closer to the entry (by more than ``semantic_unexplained_away``). A colloquial
    word for the entry's own topic passes; the word that makes a question one the FAQ does not cover
    ("积分能转让吗" against the points entry) carries meaning of its own and moves the message away."""
    semantic_unexplained_at: float = 0.88
    semantic_unexplained_lead: float = 0.05
    """Closest-phrasing cosine and lead (phrasings and passages together) the model's first entry needs."""
    semantic_unexplained_keep: float = 0.97
    """Least cosine between the message and the message without the unexplained words (0.96 until four more
    unseen sets: it answered 3 of 40 uncovered questions on two of them; 0.97 answers 6 fewer over all
    sets, and 31 fewer paraphrases)."""
    semantic_unexplained_away: float = 0.01
    """How much closer to the entry's closest phrasing the message may get without those words."""
    semantic_unexplained_situation: bool = True
    """Words the entry lacks that the member says only in clauses that do not ask (the situation before the
    question: "刚搬来这边，平时上班忙，年卡多少钱") need no test when the asking clauses are all explained
    (+17 right answers over the seven sets it was measured on, no wrong or uncovered one; then, on the
    travel set, unseen, +3 and one uncovered question: "报名的时候名字写错了 能改吗", where the situation is
    the question)."""
    answer_model: bool = True
    """Answer the first choice when the answer model (``confidence.py``) finds it likely right."""
    answer_model_at: float = 0.7
    """The likelihood it needs (uncovered questions weighing 8 in training, so it is no plain probability).
    Leave-one-set-out over the 16 examined own sets, 0.7 answered 141 more paraphrases right, 1 wrong and 3
    uncovered questions; 0.6 answered 214, 4 wrong and 8 uncovered; 0.8, 72 / 1 / 1 (README)."""


class MatcherIndex:
    """Precomputed inverted index over an FAQ; see the module docstring for the scoring."""

    def __init__(self, faq: Faq, *, bot_names: Sequence[str] = (), params: Params | None = None,
                 background: bool = False) -> None:
        self.faq = faq
        self.params = p = params or Params()
        self.bot_names = tuple(bot_names)
        self._norm_cache: dict[str, str] = {}
        self.synonyms = build_synonyms(faq.synonyms, general=p.general_synonyms)
        self.stop = stopwords()
        self.function = function_words()
        self._no_topic = self.function | grammar_words() if p.coverage_grammar else self.function
        self._rank_function = self._no_topic if p.rank_grammar else self.function
        self.segmenter = Segmenter(self._vocabulary())
        self.segmenter.add_words(_faq_terms(faq, self.segmenter, self._norm))
        self.featurizer = Featurizer(self.segmenter, self.synonyms.canon, self.stop, self.function)
        faq_words = list(self._faq_words())
        self.fixer = HomophoneFixer(
            (self._norm(t) for e in faq.entries for t in (*e.phrasings, *e.tags)),
            self.segmenter.known,
            words=[w for w in faq_words if len(w) >= 2],
            keep=frozenset(w for w in self.stop if len(w) == 1) | NEGATIONS,
            alone=_standalone(faq_words),
        ) if p.homophones else None
        self._mult: dict[str, float] = {}
        self.top_k = 5
        self._entry_index = {e.id: i for i, e in enumerate(faq.entries)}
        self.answer_model: AnswerModel | None = default_answer_model() if p.semantic else None
        bg_freq, bg_total = background_freq() if p.background else ({}, 1)
        self._bg_freq = bg_freq
        self._bg_log_total = math.log(max(bg_total, 2))
        self._bg_span = max(1e-9, self._bg_log_total - math.log(max(1, min(bg_freq.values(), default=1))))
        self._build()
        self._semantic: SemanticIndex | None = None
        self._embedding: BackgroundIndex | None = None
        if p.semantic and (embedder := default_embedder()) is not None:
            phrasings = [[self._norm(t) for t in e.phrasings] for e in faq.entries]
            passages = [_passages(self._norm(e.question), self._norm(e.answer)[:p.semantic_answer_chars],
                                  p.semantic_question_passage) for e in faq.entries]
            todo = SemanticIndex.pending(embedder, phrasings, passages) if background else 0
            if todo > BACKGROUND_AT:
                log.info("embedding %d new FAQ texts in the background; matching on words until done", todo)
                self._embedding = BackgroundIndex(embedder, phrasings, passages, todo)
            else:
                self._semantic = SemanticIndex(embedder, phrasings, passages)

    @property
    def semantic(self) -> SemanticIndex | None:
        """The sentence model's view of the FAQ; None without the model, or while it is still embedding."""
        if self._semantic is None and self._embedding is not None:
            self._semantic = self._embedding.index
        return self._semantic

    def wait_for_meaning(self, timeout: float | None = None) -> bool:
        """Block until a background embedding is done; whether the sentence model is in use."""
        if self._embedding is not None:
            self._embedding.wait(timeout)
        return self.semantic is not None

    # -- build -------------------------------------------------------------------------------------
    def _vocabulary(self) -> Iterable[str]:
        """Words jieba must keep whole: synonym words and tags."""
        yield from self.synonyms.words
        for e in self.faq.entries:
            for t in e.tags:
                yield self._norm(t)

    def _faq_words(self) -> Iterable[str]:
        """The FAQ's words (no stop words) as its phrasings, tags and answers are cut. Those of two or more chars
        are the spellings a homophone typo is corrected to (a pair across a word boundary, 惠吗 in
        有优惠吗, is no word, so 回吗 is left alone)."""
        terms, norm, n = self.featurizer.terms, self._norm, self.params.answer_chars
        for e in self.faq.entries:
            for t in (*e.phrasings, *e.tags, e.answer[:n]):
                yield from terms(norm(t)).words  # cached: the index build reads the same texts

    def _weight(self, key: str, idf: float) -> float:
        """Term weight: FAQ IDF times, for words, general-language rarity and the asking-word discount."""
        ns = key[0]
        if ns not in ("w", "g"):
            return idf
        m = self._mult.get(key)
        if m is None:
            word = key[1:]
            m = self.params.function_weight if word in self._rank_function else 1.0
            f = self._bg_freq.get(word)
            if f:
                rarity = (self._bg_log_total - math.log(f)) / self._bg_span
                m *= 0.3 + 0.7 * min(1.0, max(0.0, rarity))
            if len(self._mult) < 200_000:
                self._mult[key] = m
        return idf * m

    def _build(self) -> None:
        """Featurize every phrasing and entry, then weigh and normalize all postings at once (numpy):
        the per-posting work is a few array operations, the Python loops run per text and per term."""
        p = self.params
        entries = self.faq.entries
        norm = self._norm
        terms = self.featurizer.terms
        # phrasing documents: their keys one after the other, ``phr_len`` keys each
        flat: list[str] = []
        phr_len: list[int] = []
        starts: list[int] = []
        offsets: list[int] = []  # per entry, where its phrasings' keys start in ``flat``
        for e in entries:
            starts.append(len(phr_len))
            offsets.append(len(flat))
            for ph in e.phrasings:
                keys = _key_list(terms(norm(ph)))
                flat += keys
                phr_len.append(len(keys))
        offsets.append(len(flat))
        n = len(phr_len)
        # term ids in order of first occurrence; the phrasings' terms come first
        term_id: dict[str, int] = dict(zip(dict.fromkeys(flat), range(len(flat)), strict=False))
        phr_ids = _ids(term_id, flat)
        df = np.bincount(phr_ids, minlength=len(term_id)).tolist()
        self.idf = dict(zip(term_id, [math.log(1.0 + n / d) for d in df], strict=True))
        self.idf_unknown = math.log(1.0 + 2.0 * n)

        # whole-entry documents: all phrasings and tags at full weight, the answer at answer_weight
        eflat: list[str] = []
        ent_len: list[int] = []
        ent_ans: list[int] = []  # how many of the document's keys (its last ones) come from the answer only
        self._entry_text: list[str] = []
        for i, e in enumerate(entries):
            keys = flat[offsets[i] : offsets[i + 1]]
            for t in e.tags:
                keys += _key_list(terms(norm(t)))
            bag = dict.fromkeys(keys)
            ans = norm(e.answer[: p.answer_chars])
            # the coverage check also reads the entry's text
            self._entry_text.append("|".join((*(norm(x) for x in (*e.phrasings, *e.tags)), ans)))
            extra = [k for k in _key_list(terms(ans)) if k not in bag]
            eflat += bag
            eflat += extra
            ent_len.append(len(bag) + len(extra))
            ent_ans.append(len(extra))
        new = [k for k in dict.fromkeys(eflat) if k not in term_id]
        term_id.update(zip(new, range(len(term_id), len(term_id) + len(new)), strict=True))
        ent_ids = _ids(term_id, eflat)

        # per term: weight and namespace
        idf_get, unknown = self.idf.get, self.idf_unknown
        weight = np.array([self._weight(k, idf_get(k, unknown)) for k in term_id], dtype=np.float64)
        ns_of = {ns: j for j, ns in enumerate(NAMESPACES)}
        term_ns = np.array([ns_of[k[0]] for k in term_id], dtype=np.int64)

        # per posting
        n_ent = len(entries)
        n_docs = n + n_ent
        lens = np.array(phr_len + ent_len, dtype=np.int64)
        rows = np.concatenate((phr_ids, ent_ids))
        docs = np.repeat(np.arange(n_docs, dtype=np.int64), lens)
        vals = weight[rows]
        if n_ent:
            ends = np.cumsum(lens[n:])
            first_ans = (ends - np.array(ent_ans, dtype=np.int64))[docs[len(phr_ids) :] - n]
            pos = np.arange(len(ent_ids), dtype=np.int64)
            ans_only = np.flatnonzero(pos >= first_ans) + len(phr_ids)
            vals[ans_only] = p.answer_weight * vals[ans_only]
        # per document and namespace: squared norm (summed in key order), then the scale factor
        bins = docs * len(NAMESPACES) + term_ns[rows]
        norms = np.bincount(bins, weights=vals * vals, minlength=n_docs * len(NAMESPACES)).tolist()
        ns_w = (p.w_words, p.w_groups, p.w_chars, p.w_pinyin)
        scaled = [p.phrasing_weight * w for w in ns_w] * n + [(1.0 - p.phrasing_weight) * w for w in ns_w] * n_ent
        exp = 1.0 - p.query_share
        factor = np.array([a / x**exp if x else 0.0 for a, x in zip(scaled, norms, strict=True)], dtype=np.float64)
        vals = (factor[bins] * vals).astype(np.float32)
        self._store(term_id, rows, docs, vals, starts, n, n_ent)
        self.classifier = self._train_classifier() if p.classifier_weight > 0 else None
        self._norm_cache.clear()
        self.featurizer.set_cache_size(_QUERY_CLAUSE_CACHE)

    def _features(self, keys: Sequence[str]) -> list[float]:
        """A text's feature values as the classifier sees them: term weights normalized per namespace,
        times the square root of the namespace's weight (so dot products mix like the similarity)."""
        p = self.params
        ns_w = dict(zip(NAMESPACES, (p.w_words, p.w_groups, p.w_chars, p.w_pinyin), strict=True))
        weights = [self._weight(k, self.idf.get(k, self.idf_unknown)) for k in keys]
        norms = dict.fromkeys(NAMESPACES, 0.0)
        for k, v in zip(keys, weights, strict=True):
            norms[k[0]] += v * v
        scale = {ns: math.sqrt(ns_w[ns] / norms[ns]) if norms[ns] else 0.0 for ns in NAMESPACES}
        return [v * scale[k[0]] for k, v in zip(keys, weights, strict=True)]

    def _train_classifier(self) -> clf.Classifier | None:
        p = self.params
        if self.n_phrasing_docs ** 2 * len(self.term_id) > clf.MAX_WORK:  # a lower bound of its cost
            return None
        examples: list[tuple[list[str], list[float]]] = []
        labels: list[int] = []
        sample_weight: list[float] = []
        terms, norm = self.featurizer.terms, self._norm

        def add(text: str, label: int, weight: float) -> None:
            keys = _key_list(terms(text))
            if keys:
                examples.append((keys, self._features(keys)))
                labels.append(label)
                sample_weight.append(weight)

        for i, e in enumerate(self.faq.entries):
            for ph in e.phrasings:
                add(norm(ph), i, 1.0)
            if p.classifier_answer > 0:
                for sent in clf.SENTENCE.split(norm(e.answer[: p.answer_chars])):
                    if len(sent) >= 4:
                        add(sent, i, p.classifier_answer)
        return clf.train(examples, labels, sample_weight, len(self.faq.entries), p.classifier_lambda)

    def _store(self, term_id: dict[str, int], rows: np.ndarray, docs: np.ndarray, vals: np.ndarray,
               starts: list[int], n_phr: int, n_entries: int) -> None:
        """Postings as one CSR matrix (terms x documents, documents ascending within a term) so a
        query is a handful of numpy calls."""
        order = np.argsort(rows, kind="stable")  # stable: documents stay ascending within each term
        self.term_id = term_id
        self.indptr = np.zeros(len(term_id) + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=len(term_id)), out=self.indptr[1:])
        self.indices = docs.astype(np.int32)[order]
        self.data = vals[order]
        self.entry_starts = np.asarray(starts, dtype=np.int64)
        self._phrasing_columns = _phrasing_columns(self.entry_starts, n_phr)
        self._indptr: list[int] = self.indptr.tolist()
        self.n_phrasing_docs = n_phr
        self.n_docs = n_phr + n_entries

    def _norm(self, text: str) -> str:
        out = self._norm_cache.get(text)
        if out is None:
            out = self._norm_cache[text] = normalize(text).text
        return out

    # -- query -------------------------------------------------------------------------------------
    def query_terms(self, text: str) -> Terms:
        """Terms of an already normalized message, after homophone correction."""
        return self.featurizer.terms(self._corrected(text))

    def _corrected(self, text: str) -> str:
        """The message with homophone typos of FAQ words repaired (发漂 -> 发票), as words and model read it."""
        return self.fixer.fix(text) if self.fixer is not None else text

    def scores(self, text: str) -> list[tuple[int, float]]:
        """(entry index, score) for every entry with any evidence, best first."""
        return self._score_terms(self.query_terms(normalize(text, self.bot_names).text))

    def _score_terms(self, t: Terms) -> list[tuple[int, float]]:
        vec = self._vectors(t)
        return self._top(*vec) if vec else []

    def _vectors(self, t: Terms) -> tuple[np.ndarray, np.ndarray] | None:
        """Per entry: the similarity (what thresholds read) and the rank score (similarity mixed with
        the classifier: what orders the candidates). None without any known term."""
        keys = list(_keys(t))
        if not keys:
            return None
        qs = self.params.query_share
        norms = dict.fromkeys(NAMESPACES, 0.0)
        weights = []
        for k in keys:
            v = self._weight(k, self.idf.get(k, self.idf_unknown))
            weights.append(v)
            norms[k[0]] += v * v
        ip = self._indptr
        idx_parts = []
        val_parts = []
        tid = self.term_id
        for k, v in zip(keys, weights, strict=True):
            r = tid.get(k)
            if r is not None:
                a, b = ip[r], ip[r + 1]
                idx_parts.append(self.indices[a:b])
                val_parts.append(self.data[a:b] * (v / norms[k[0]] ** qs))
        if not idx_parts:
            return None
        acc = np.bincount(np.concatenate(idx_parts), weights=np.concatenate(val_parts), minlength=self.n_docs)
        score = self._best_phrasing(acc) + acc[self.n_phrasing_docs:]
        if self.classifier is not None:
            extra = self.classifier.scores(keys, self._features(keys))
            if extra is not None:
                g = self.params.classifier_weight
                # the classifier reorders; the reported scores stay similarities, so the decision
                # thresholds keep their scale (and a reordered pair can show a negative margin)
                return score, (1.0 - g) * score + g * np.maximum(extra, 0.0)
        return score, score

    def _best_phrasing(self, acc: np.ndarray) -> np.ndarray:
        """Each entry's best phrasing similarity, one rank of phrasings at a time (every entry's first, then
        the second of those that have one, ...): whole-array maxima, 3 times faster here than
        ``np.maximum.reduceat`` over the phrasing documents at 10,000 entries."""
        if not self._phrasing_columns:  # no entries
            return acc[:0]
        (_, first), *rest = self._phrasing_columns
        best = acc[first]
        for entries, docs in rest:
            if entries is None:
                np.maximum(best, acc[docs], out=best)
            else:
                best[entries] = np.maximum(best[entries], acc[docs])
        return best

    def _top(self, score: np.ndarray, rank: np.ndarray) -> list[tuple[int, float]]:
        """The best ``top_k`` entries by ``rank`` with evidence, as (entry, similarity). Picked by repeated
        argmax: most entries share no term with a message, and ``np.argpartition`` is slow on the many equal
        zeros (75 µs at 1,000 entries and 1 ms at 10,000 here, against 3 and 10 µs)."""
        left = rank.copy()
        out = []
        for _ in range(min(self.top_k, len(score))):
            e = int(left.argmax())
            if left[e] <= 0:
                break
            left[e] = -np.inf
            if score[e] > 0:
                out.append((e, float(score[e])))
        return out

    def _context_words(self, text: str, t: Terms) -> frozenset[str]:
        """Words only in the clauses that do not ask (the member's situation, not the question)."""
        asking = asking_clauses(text)
        if not asking:
            return frozenset()
        focus = self.query_terms("，".join(asking)).words
        if all(w in self._no_topic for w in focus):
            return frozenset()
        return frozenset(t.words).difference(focus)

    def coverage(self, t: Terms, entry: int, *, context: frozenset[str] = frozenset()) -> float:
        """Share of the message's topic-word weight the entry explains: the word, or its synonym
        group, occurs among the entry's terms (phrasings, tags, start of the answer), or the word
        occurs in the entry's text (segmentation may cut 登 and 登录, 结业证书 and 结业证 书 differently).

        A near-topic question the FAQ does not cover ("can points be transferred?" against the points
        entry) matches well but leaves a word of its own unexplained. ``context`` words (from clauses
        that do not ask) weigh ``context_weight``: "刚搬到附近" says little about which entry is meant."""
        num = den = 0.0
        for w in t.words:
            if w in self._no_topic:
                continue
            wt = self._weight("w" + w, self.idf.get("w" + w, self.idf_unknown))
            if w in context:
                wt *= self.params.context_weight
            den += wt
            if self._explains(entry, w):
                num += wt
        return num / den if den else 1.0

    def unexplained(self, t: Terms, entry: int) -> list[str]:
        """The message's topic words the entry does not explain (see ``coverage``)."""
        return [w for w in dict.fromkeys(t.words) if w not in self._no_topic and not self._explains(entry, w)]

    def _explains(self, entry: int, word: str) -> bool:
        """The word, or its synonym group, is among the entry's terms, or the word is in its text."""
        g = self.synonyms.canon.get(word)
        return (word in self._entry_text[entry] or self._in_entry("w" + word, entry)
                or (g is not None and self._in_entry("g" + g, entry)))

    def _in_entry(self, key: str, entry: int) -> bool:
        """Whether the whole-entry document (phrasings, tags, start of the answer) has ``key``."""
        r = self.term_id.get(key)
        if r is None:
            return False
        doc = self.n_phrasing_docs + entry
        a, b = self._indptr[r], self._indptr[r + 1]
        j = a + int(np.searchsorted(self.indices[a:b], doc))
        return j < b and int(self.indices[j]) == doc

    def match(self, text: str, *, addressed: bool = False) -> MatchResult:
        norm = normalize(text, self.bot_names)
        gate = classify(norm)
        addressed = addressed or norm.mentions_bot or _looks_like_bot(norm.mentions)
        said = self._corrected(norm.text)
        terms = self.featurizer.terms(said)
        vec = self._vectors(terms) if norm.text else None
        ranked = self._top(*vec) if vec else []
        asks = gate.is_question or (addressed and gate.kind == "statement")
        if not asks or (gate.kind == "personal" and not addressed):
            return self._result(ranked, gate, "none", gate.reason)
        res = self._decide(norm, gate, terms, ranked, addressed)
        semantic = self.semantic
        if res.action == "answer" or vec is None or semantic is None:
            return res
        # words left it open: ask the sentence model, which reorders the candidates by meaning
        meaning = semantic.meaning(said)  # the model, too, reads 号码布 where the member typed 号马布
        standing = self._fused(vec, meaning)
        shown = self._fuse(vec, standing)
        res = self._decide(norm, gate, terms, ranked, addressed, meaning, shown)
        if res.action != "suggest" or gate.kind not in _ANSWERABLE_BY_MEANING or (norm.mentions and not addressed):
            return res
        if not res.tentative and self.params.semantic_unexplained:
            res = self._answer_by_meaning(res, said, gate, terms, shown, meaning, semantic)
            if res.action == "answer":
                return res
        return self._answer_by_model(res, norm.text, said, gate, terms, vec, shown, standing, meaning, semantic)

    def _answer_by_model(self, res: MatchResult, text: str, said: str, gate: GateResult, terms: Terms,
                         vec: tuple[np.ndarray, np.ndarray], shown: Sequence[tuple[int, float]], standing: np.ndarray,
                         meaning: Meaning, semantic: SemanticIndex) -> MatchResult:
        """The first choice as an answer when the answer model (``confidence.py``) finds it likely right;
        else ``res`` with that likelihood and the evidence, for explanations and training. May cost a
        second embedding (the message without the words the first choice lacks), which is skipped when
        no outcome of it could reach the bar."""
        p = self.params
        pick = self._entry_index.get(res.suggestions[0].id) if res.suggestions else None
        if pick is None:
            return res
        model = self.answer_model if p.answer_model else None
        missing = self.unexplained(terms, pick)
        evidence = self._evidence(text, said, gate, terms, vec, standing, meaning, pick, missing)
        if model is not None:
            bound = model.probability(evidence, unknown=_WITHOUT_LACKING)
            if bound < p.answer_model_at:
                return replace(res, confidence=bound, evidence=evidence)
        evidence.update(self._without_lacking(said, missing, meaning, semantic, pick))
        if model is None:
            return replace(res, evidence=evidence)
        likely = model.probability(evidence)
        if likely < p.answer_model_at:
            return replace(res, confidence=likely, evidence=evidence)
        ranked = [(pick, float(vec[0][pick])), *((e, s) for e, s in shown if e != pick)]
        out = self._result(ranked, gate, "answer", f"first choice likely right ({likely:.2f})",
                           evidence["coverage"], sims=meaning.phrasings)
        return replace(out, confidence=likely, evidence=evidence)

    def _evidence(self, text: str, said: str, gate: GateResult, terms: Terms, vec: tuple[np.ndarray, np.ndarray],
                  standing: np.ndarray, meaning: Meaning, pick: int, missing: Sequence[str]) -> dict[str, float]:
        """What the answer model reads about the first choice ``pick``, which lacks the words ``missing``
        (``confidence.FEATURES``), but for what leaving them out does (``_without_lacking``); ``standing``:
        the entries by words and meaning together (``_fused``)."""
        score, _ = vec
        best, second = _two_highest(score)
        sims = meaning.phrasings
        both = meaning.combined(self.params.semantic_answer_weight)
        fused = _two_highest(standing)
        return {
            "coverage": self.coverage(terms, pick, context=self._context_words(text, terms)),
            "coverage_all": self.coverage(terms, pick),
            "missing": float(len(missing)),
            "length": math.log1p(len(said)),
            "problem": float(gate.kind == "problem"),
            "strength": gate.strength,
            "word_best": best,
            "word_margin": best - second,
            "word_share": float(score[pick]) / best if best > 0 else 0.0,
            "cosine": float(sims[pick]),
            "cosine_lead": _lead(sims, pick),
            "combined_lead": _lead(both, pick),
            "fused_gap": fused[0] - fused[1] if len(score) > 1 else 1.0,
        }

    def _without_lacking(self, said: str, missing: Sequence[str], meaning: Meaning, semantic: SemanticIndex,
                         pick: int) -> dict[str, float]:
        """The answer model's ``keep`` and ``away`` for the words ``missing`` that ``pick`` lacks."""
        if not missing:
            return {"keep": 1.0, "away": 0.0}
        kept = self._without_words(said, missing, meaning, semantic, pick)
        keep, away = kept if kept is not None else (0.0, 0.0)  # the words the entry lacks are the whole message
        return {"keep": keep, "away": away}

    def _without_words(self, text: str, missing: Sequence[str], meaning: Meaning, semantic: SemanticIndex,
                       pick: int) -> tuple[float, float] | None:
        """The message without the words ``missing`` (a second embedding): the cosine it keeps with the whole
        message, and how much closer to ``pick``'s closest phrasing it gets; None when nothing is left."""
        rest = text
        for w in missing:
            rest = rest.replace(w, "")
        if not _WORD_CHAR.search(rest):
            return None
        without = semantic.meaning(rest)
        return meaning.similarity(without), float(without.phrasings[pick] - meaning.phrasings[pick])

    def _answer_by_meaning(self, res: MatchResult, text: str, gate: GateResult, terms: Terms,
                           shown: Sequence[tuple[int, float]], meaning: Meaning,
                           semantic: SemanticIndex) -> MatchResult:
        """The first choice as an answer, when words and model agree on it and the words it lacks change
        little (``Params.semantic_unexplained``); else ``res`` (the choices), which says why when those
        words were what kept it back. Costs a second embedding."""
        p = self.params
        pick = shown[0][0]
        sims = meaning.phrasings
        if _model_lead(meaning, pick, p) < p.semantic_unexplained_lead or sims[pick] < p.semantic_unexplained_at:
            return res
        missing = self.unexplained(terms, pick)
        lacking = "、".join(missing)
        situation = (p.semantic_unexplained_situation and bool(missing)
                     and set(missing) <= self._context_words(text, terms))
        if missing and not situation:
            # every word must be in the text the model read, and something must be left without them
            kept = self._without_words(text, missing, meaning, semantic, pick) if all(
                w in text for w in missing) else None
            if kept is None:
                return res
            keep, away = kept
            if keep < p.semantic_unexplained_keep:
                return replace(res, reason=f"{res.reason}; {lacking} change the meaning")
            if away > p.semantic_unexplained_away:
                return replace(res, reason=f"{res.reason}; {lacking} take it away from {self.faq.entries[pick].id}")
        reason = "words and meaning agree" + (
            f"; {lacking} only tell the situation" if situation
            else f"; without {lacking} it means much the same" if missing else "")
        return self._result(shown, gate, "answer", reason, self.coverage(terms, pick), sims=sims)

    def _fuse(self, vec: tuple[np.ndarray, np.ndarray], standing: np.ndarray) -> list[tuple[int, float]]:
        """The best ``top_k`` entries by their ``standing`` (words and meaning together: ``_fused``), as
        (entry, word similarity)."""
        score, _ = vec
        return [(int(e), float(score[e])) for e in np.argsort(-standing)[:self.top_k]]

    def _fused(self, vec: tuple[np.ndarray, np.ndarray], meaning: Meaning) -> np.ndarray:
        """Each entry's standing by words and meaning together (the higher, the better)."""
        p = self.params
        score, rank = vec
        both = meaning.combined(p.semantic_answer_weight)
        fused = rank / max(float(rank.max()), 1e-9) + (both - float(both.max())) / p.semantic_scale
        return np.where(score > 0, fused, fused - 1.0)  # entries with no shared evidence stay behind

    def ranking(self, text: str) -> list[int]:
        """Entry indexes, best first, by words and (when loaded) meaning: for measuring, since it always
        asks the sentence model, which ``match`` does only when words leave a question open."""
        said = self._corrected(normalize(text, self.bot_names).text)
        vec = self._vectors(self.featurizer.terms(said)) if said else None
        if vec is None:
            return []
        semantic = self.semantic
        if semantic is None:
            return [e for e, _ in self._top(*vec)]
        return [e for e, _ in self._fuse(vec, self._fused(vec, semantic.meaning(said)))]

    def _result(self, ranked: Sequence[tuple[int, float]], gate: GateResult, action: str, reason: str,
                cov: float | None = None, chosen: Sequence[int] | None = None,
                sims: np.ndarray | None = None) -> MatchResult:
        """The result for ``ranked`` candidates; ``chosen`` entries, when given, are the suggestions."""
        entries = self.faq.entries
        cands = tuple(Candidate(entries[e], min(1.0, s)) for e, s in ranked[:3])
        best = cands[0].score if cands else 0.0
        margin = best - (cands[1].score if len(cands) > 1 else 0.0)
        entry = cands[0].entry if cands and action != "none" else None
        # the candidates far behind the best on words are left out, unless the model finds them close in meaning
        cut = self.params.suggest_ratio * max((c.score for c in cands), default=0.0)
        close = -1.0 if sims is None else float(sims.max()) - self.params.semantic_choice_band
        sugg = tuple(c.entry for (e, _), c in zip(ranked, cands, strict=False)
                     if c.score >= cut or (sims is not None and sims[e] >= close)) if action != "none" else ()
        if chosen is not None:
            sugg = tuple(entries[e] for e in chosen)
            entry = sugg[0] if sugg else None
        closest = () if sims is None else tuple((entries[int(e)], float(sims[e])) for e in np.argsort(-sims)[:3])
        return MatchResult(action, entry, best, sugg, cands, margin, reason,  # type: ignore[arg-type]
                           gate.is_question, cov, closest, tentative=chosen is not None)

    def _decide(self, norm: Normalized, gate: GateResult, terms: Terms, ranked: Sequence[tuple[int, float]],
                addressed: bool, meaning: Meaning | None = None,
                shown: Sequence[tuple[int, float]] | None = None) -> MatchResult:
        """Answer, suggest or none for a message the gate let through. ``ranked``: the candidates by
        words, which alone may be answered; ``meaning`` and ``shown``: the sentence model's cosines and
        the candidates reordered with them, which are what a member is offered."""
        p = self.params
        shown = shown or ranked
        sims = meaning.phrasings if meaning is not None else None
        best = ranked[0][1] if ranked else 0.0
        margin = best - (ranked[1][1] if len(ranked) > 1 else 0.0)
        cov: float | None = None

        def result(action: str, reason: str) -> MatchResult:
            return self._result(ranked if action == "answer" else shown, gate, action, reason, cov, sims=sims)

        def quiet(reason: str) -> MatchResult:
            """None, unless the sentence model finds the question close in meaning to some entries
            (words failed: "门口的机器认不出我的脸" shares no word with "刷脸进不了门怎么办")."""
            if sims is not None and gate.kind not in ("members", "personal") and not (norm.mentions and not addressed):
                closest = int(np.argmax(sims))
                extra = {"question": 0.0, "problem": p.semantic_problem_extra}.get(gate.kind, p.semantic_unclear_extra)
                bar = p.semantic_suggest_at + extra
                if sims[closest] >= bar:
                    # the first three by words and meaning together, the closest in meaning among them (the
                    # cosine alone ranks worse: the entries within 0.02 of the closest missed the right one more)
                    fused = [e for e, _ in shown[:3]]
                    near = fused if closest in fused else [*fused[:2], closest]
                    return self._result(shown, gate, "suggest", "close in meaning: suggest", cov, near, sims)
            return result("none", reason)

        # stricter for problem reports, wishes and bare keywords; looser when the bot is @mentioned;
        # stricter when the message @mentions someone else (talk between members)
        shift = 0.0
        if gate.strength < 1.0 or gate.kind == "statement":
            shift += p.problem_extra
        if addressed:
            shift -= p.addressed_bonus
        elif norm.mentions:
            shift += p.other_mention_extra
        if best < p.suggest_at + shift:
            return quiet("score below threshold")
        context = self._context_words(norm.text, terms)
        cov = self.coverage(terms, ranked[0][0], context=context)
        leads = margin >= max(p.margin + shift, p.relative_margin * best)
        if best >= p.answer_at + shift and cov >= p.coverage and leads:
            return result("answer", "confident match")
        if meaning is not None:
            # words found it close, meaning sets it apart: the entry first by both, if its words explain the message
            pick = shown[0][0]
            pick_cov = cov if pick == ranked[0][0] else self.coverage(terms, pick, context=context)
            if _settled_by_meaning(meaning, pick, pick_cov, shown[0][1] >= p.answer_at + shift, p):
                cov = pick_cov
                return self._result(shown, gate, "answer", "close second, settled by meaning", cov, sims=sims)
        if gate.kind == "members" and not addressed:
            # asked of the other members ("谁来", "有没有杭州的同学"): the FAQ speaks only when sure
            return result("none", "asks the other members, not the FAQ")
        # a weak match is suggested only if one of the suggestions explains a good part of the message,
        # and not when the message talks to another member
        # a clear question (not a problem report, wish or bare keyword) needs less of that
        bar = p.suggest_coverage_question if gate.kind == "question" else p.suggest_coverage
        top = shown[0][1]
        if best < p.suggest_confident + shift and (
            (norm.mentions and not addressed)
            or not any(self.coverage(terms, e) >= bar
                       for e, s in shown[:3] if s >= p.suggest_ratio * max(best, top))
        ):
            return quiet("weak match, message mostly about something else")
        if best >= p.answer_at + shift:
            return result("suggest", "part of the message not covered: suggest" if leads else "close second: suggest")
        return result("suggest", "unsure: suggest")


def _passages(question: str, answer: str, with_question: bool) -> list[str]:
    """What the sentence model reads as an entry's passages: the start of its answer and, unless turned off,
    the question followed by that start (an answer alone may not say what it answers)."""
    return [answer, f"{question} {answer}"] if with_question else [answer]


def _settled_by_meaning(meaning: Meaning, entry: int, cov: float, scored: bool, p: Params) -> bool:
    """Whether the sentence model, too, puts ``entry`` first (phrasings and passages together, as in the
    reordering), close in meaning and clearly ahead; the less the words explain, the more it must lead."""
    sims = meaning.phrasings
    lead = _model_lead(meaning, entry, p)
    if lead <= 0:
        return False
    if cov >= p.semantic_explained and sims[entry] >= p.semantic_explained_at and lead >= p.semantic_explained_lead:
        return True
    return scored and cov >= p.coverage and sims[entry] >= p.semantic_answer_at and lead >= p.semantic_lead


def _model_lead(meaning: Meaning, entry: int, p: Params) -> float:
    """How far ``entry`` is ahead of the next by phrasings and passages together, as in the reordering;
    0 when it is not first (or is the only entry)."""
    both = meaning.combined(p.semantic_answer_weight)
    return max(0.0, _lead(both, entry)) if len(both) > 1 else 0.0


def _two_highest(values: np.ndarray) -> tuple[float, float]:
    """The highest value and the next (0 when there is one value)."""
    if len(values) < 2:
        return float(values.max(initial=0.0)), 0.0
    second, first = np.partition(values, -2)[-2:]
    return float(first), float(second)


def _lead(values: np.ndarray, entry: int) -> float:
    """How far ``entry`` is ahead of the best other entry (negative when behind)."""
    if len(values) < 2:
        return 1.0
    return float(values[entry]) - float(np.max(np.delete(values, entry)))


def _phrasing_columns(starts: np.ndarray, n_phr: int) -> list[tuple[np.ndarray | None, np.ndarray]]:
    """Per rank k: the entries with a k-th phrasing (None: all of them) and those phrasings' documents."""
    counts = np.diff(np.append(starts, n_phr))
    columns: list[tuple[np.ndarray | None, np.ndarray]] = []
    for k in range(int(counts.max(initial=0))):
        entries = np.flatnonzero(counts > k)
        columns.append((None if len(entries) == len(starts) else entries, starts[entries] + k))
    return columns


def _key_list(t: Terms) -> list[str]:
    """``_keys`` as a list (built with C-level maps: the index build calls it per text)."""
    return [*map("w".__add__, t.words), *map("g".__add__, t.groups), *map("c".__add__, t.chars),
            *map("p".__add__, t.pinyin)]


def _ids(term_id: dict[str, int], keys: list[str]) -> np.ndarray:
    return np.fromiter(map(term_id.__getitem__, keys), dtype=np.int64, count=len(keys))


def _keys(t: Terms) -> Iterable[str]:
    for w in t.words:
        yield "w" + w
    for g in t.groups:
        yield "g" + g
    for c in t.chars:
        yield "c" + c
    for py in t.pinyin:
        yield "p" + py


_BOT_HINTS = ("助手", "助理", "机器人", "bot", "客服", "小秘书", "小管家", "小帮手")


def _looks_like_bot(mentions: Sequence[str]) -> bool:
    """A mention of a name like 星火小助手 or 物业小管家 is addressed to a bot (assistant bots are named so;
    王管家, a property office's steward, is a person)."""
    return any(h in m for m in mentions for h in _BOT_HINTS)


def _standalone(words: Iterable[str], min_count: int = 3) -> frozenset[str]:
    """Characters the FAQ uses as words of their own (钱 in 退的钱): a member's 钱到 is no typo of 签到."""
    counts = Counter(w for w in words if len(w) == 1)
    return frozenset(w for w, n in counts.items() if n >= min_count)


def _faq_terms(faq: Faq, seg: Segmenter, norm: Callable[[str], str]) -> Iterable[str]:
    """The FAQ's own vocabulary (群规, 开营 ...): 2-4 character strings that recur in its questions and
    that the general dictionary can only cut into single characters.

    An occurrence counts only where the string does not cut through a word: 卡怎 in 年卡怎么 ends
    inside 怎么, 以退 in 可以退 starts inside 可以, and 课能 in 私教课能退吗 ends on an asking word. Such
    strings recur in every FAQ and, made words, would hide 卡 and 怎么 from the matcher."""
    freq = seg.frequencies
    stop = stopwords()
    stop_chars = frozenset(w for w in stop if len(w) == 1)
    edge = stop_chars | frozenset(w for w in function_words() | grammar_words() if len(w) == 1)
    counts: Counter[str] = Counter()  # in how many entries each string occurs whole
    for e in faq.entries:
        seen: set[str] = set()
        for ph in e.phrasings:
            for run in _CJK_RUN.findall(norm(ph)):
                m = len(run)
                # cut[k]: a dictionary word spans the boundary before run[k], so no string starts or ends there
                cut = [False, *map(freq.get, map(add, run, run[1:])), False]
                seen.update([run[i : i + n] for n in (2, 3, 4) for i in range(m - n + 1)
                             if not cut[i] and not cut[i + n]])
        counts.update(seen)
    recurring = [g for g, c in counts.items()
                 if c >= 2 and g not in stop and stop_chars.isdisjoint(g) and edge.isdisjoint((g[0], g[-1]))]
    return seg.only_single_chars_among(recurring)


def build_index(faq: Faq, *, bot_names: Sequence[str] = (), params: Params | None = None,
                background: bool = False) -> MatcherIndex:
    """Build the matcher for ``faq``; ``bot_names`` are the bot's nicknames (for @mention detection).
    ``background``: a big first embedding (more than ``BACKGROUND_AT`` new texts) runs in a thread while
    the index answers on words (a live bot); without it the build waits (the same result every run)."""
    return MatcherIndex(faq, bot_names=bot_names, params=params, background=background)


__all__ = ["MatcherIndex", "Params", "build_index", "GateResult"]
