"""Benchmark of the sentence-model step (``bot/faq/semantic.py``), apart from the word matcher.

Measures, on one core: the time the model takes for one message; how many of a realistic message
stream reach it (the bundled FAQ with its own labelled set: only messages the gate lets through and
words leave open); the full ``match`` latency of those, and of the rest; embedding the FAQ's phrasings
and passages on a cold cache and loading them from a warm one; the cosine scan over 10,000 entries' phrasings;
and a live bot's start with a 10,000-entry FAQ on a cold cache (the embedding runs in the background):
how soon it answers, and what a message that needs the model costs while that embedding runs.

Usage: .venv/bin/python bench/bench_semantic.py [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.faq import semantic  # noqa: E402
from bot.faq.loader import load_faq  # noqa: E402
from bot.faq.matcher import MatcherIndex, build_index  # noqa: E402


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def measure() -> dict[str, float]:
    embedder = semantic.default_embedder()
    if embedder is None:
        raise SystemExit("the sentence model did not load (see the warning above)")
    faq = load_faq(ROOT / "faq.yaml")
    rows = [json.loads(x) for x in (ROOT / "bench" / "eval" / "run_club.jsonl").read_text("utf-8").splitlines() if x]
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as cache_dir:
        os.environ[semantic.CACHE_ENV] = cache_dir
        t = time.perf_counter()
        build_index(faq)
        out["build_cold_cache_s"] = time.perf_counter() - t
        t = time.perf_counter()
        index = build_index(faq)
        out["build_warm_cache_s"] = time.perf_counter() - t
    out["phrasings"] = sum(len(e.phrasings) for e in faq.entries)
    out["passages"] = 2 * len(faq.entries)  # the answer's start; the question followed by it

    texts = [f"想问下第{i}次跑完步膝盖有点酸正常吗" for i in range(60)]
    for text in texts[:5]:
        embedder.embed([text])
    lat = []
    for text in texts[5:]:
        t = time.perf_counter_ns()
        embedder.embed([text])
        lat.append((time.perf_counter_ns() - t) / 1000)
    out["embed_one_p50_us"] = _pct(lat, 50)

    asked = []
    twice = []  # also without the words the first choice lacks (the answer rules of ``Params``)
    calls: list[int] = []
    real_embed = index.semantic.embedder.embed  # type: ignore[union-attr]

    def counted(texts: Sequence[str], *, passage: bool = False) -> np.ndarray:
        calls.append(1)  # an embedding, not a memo hit
        return real_embed(texts, passage=passage)

    index.semantic.embedder.embed = counted  # type: ignore[union-attr,method-assign]
    other = []
    for row in rows:
        index.semantic._memo.clear()  # type: ignore[union-attr]
        before = len(calls)
        t = time.perf_counter_ns()
        index.match(row["text"])
        us = (time.perf_counter_ns() - t) / 1000
        (asked if len(calls) > before else other).append(us)
        if len(calls) > before + 1:
            twice.append(us)
    del index.semantic.embedder.embed  # type: ignore[union-attr]  # the shared model, uncounted again
    out["messages"] = len(rows)
    out["asked_share"] = len(asked) / len(rows)
    out["asked_p50_us"] = _pct(asked, 50)
    out["asked_p99_us"] = _pct(asked, 99)
    out["not_asked_p50_us"] = _pct(other, 50)
    out["asked_twice_share"] = len(twice) / len(rows)
    out["asked_twice_p50_us"] = _pct(twice, 50)

    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((40_000, 384)).astype(np.float32)  # 10,000 entries x 4 phrasings
    starts = np.arange(0, 40_000, 4)
    query = vectors[0]
    scan = []
    for _ in range(50):
        t = time.perf_counter_ns()
        np.maximum.reduceat(vectors @ query, starts)
        scan.append((time.perf_counter_ns() - t) / 1000)
    out["scan_10k_entries_p50_us"] = _pct(scan, 50)
    out["scan_10k_entries_mb"] = vectors.nbytes / 2**20
    out.update(measure_background(index, [row["text"] for row in rows]))
    return out


def measure_background(index: MatcherIndex, texts: list[str], seconds: float = 30.0) -> dict[str, float]:
    """A live start with a 10,000-entry FAQ on a cold cache, then ``index`` (whose model is ready, as
    before a reload) matching ``texts`` while that FAQ is embedded in the background."""
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_matcher import synthetic_faq

    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as cache_dir:
        os.environ[semantic.CACHE_ENV] = cache_dir
        t = time.perf_counter()
        big = build_index(synthetic_faq(10_000), background=True)
        out["live_build_10k_cold_s"] = time.perf_counter() - t
        out["live_build_10k_semantic_ready"] = float(big.semantic is not None)
        asked = []
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            for text in texts:
                index.semantic._memo.clear()  # type: ignore[union-attr]
                t = time.perf_counter_ns()
                r = index.match(text)
                if r.closest:  # the model was asked
                    asked.append((time.perf_counter_ns() - t) / 1000)
                if time.perf_counter() >= end:
                    break
        out["during_embedding_asked_p50_us"] = _pct(asked, 50)
        out["during_embedding_asked_p99_us"] = _pct(asked, 99)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    r = measure()
    if args.json:
        print(json.dumps(r, indent=2))
        return
    print(f"model, one message: p50 {r['embed_one_p50_us'] / 1000:.1f} ms")
    print(f"bundled FAQ ({r['phrasings']:.0f} phrasings, {r['passages']:.0f} passages): "
          f"build {r['build_cold_cache_s']:.2f} s on a cold cache, "
          f"{r['build_warm_cache_s']:.2f} s warm")
    print(f"club set ({r['messages']:.0f} messages): {r['asked_share']:.0%} reach the model; "
          f"match p50 {r['asked_p50_us'] / 1000:.1f} ms / p99 {r['asked_p99_us'] / 1000:.1f} ms for those, "
          f"p50 {r['not_asked_p50_us']:.0f} us for the rest; {r['asked_twice_share']:.0%} reach it twice "
          f"(without the words the first choice lacks): p50 {r['asked_twice_p50_us'] / 1000:.1f} ms")
    print(f"cosine scan, 10,000 entries x 4 phrasings: p50 {r['scan_10k_entries_p50_us'] / 1000:.2f} ms, "
          f"{r['scan_10k_entries_mb']:.0f} MB of vectors")
    print(f"live start, 10,000 entries, cold cache: answers on words after {r['live_build_10k_cold_s']:.2f} s "
          f"(model {'ready' if r['live_build_10k_semantic_ready'] else 'embedding in the background'}); "
          f"meanwhile a message that needs the model: p50 {r['during_embedding_asked_p50_us'] / 1000:.1f} ms, "
          f"p99 {r['during_embedding_asked_p99_us'] / 1000:.1f} ms")


if __name__ == "__main__":
    main()
