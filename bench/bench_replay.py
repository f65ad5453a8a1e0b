"""Replay throughput with activity recording: a 100,000-message generated log through the bot.

Runs several handler sets over the same log, each into a fresh SQLite file (WAL), with the
default timed jobs (the daily digest among them):
  full          the default handlers, all of them
  faq+activity  guard, activity recording, FAQ answering (choice, faq, fallback)
  activity      guard + activity recording only (what recording itself costs)
  none          guard only (the replay engine, outbox and timed jobs)
Target: >= 3,000 messages/s with activity recording.

    .venv/bin/python bench/bench_replay.py [--messages 100000] [--only MODE ...]
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from gen_log import gen_lines  # noqa: E402

from bot.app import App, default_handlers  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.replay import replay_sync  # noqa: E402
from tests.conftest import CONFIG_YAML, FAQ_YAML  # noqa: E402

TARGET = 3000.0


def machine() -> str:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import os

    return f"{os.cpu_count()} CPUs, {model}, Python {platform.python_version()}"


MODES = {
    "full": None,
    "faq+activity": ("guard", "activity", "stale", "choice", "faq", "fallback"),
    "activity": ("guard", "activity", "stale"),
    "none": ("guard", "stale"),
}


def handlers_for(mode: str):  # type: ignore[no-untyped-def]
    """The default handlers, or only those named (unwrapped from counting wrappers such as Tallied)."""
    keep = MODES[mode]
    if keep is None:
        return default_handlers()
    plain = [getattr(h, "inner", h) for h in default_handlers()]
    return [h for h in plain if h.name in keep]


def run(kind: str, lines: list[str], tmp: Path) -> float:
    config = load_config(tmp / "config.yaml")
    db = tmp / f"{kind}.db"

    def factory(*args, **kwargs):  # type: ignore[no-untyped-def]
        return App.create(*args, handlers=handlers_for(kind), **kwargs)

    started = time.perf_counter()
    result = replay_sync(lines, config, db_url=f"sqlite:///{db}", app_factory=factory)
    elapsed = time.perf_counter() - started
    rate = result.events / elapsed
    digests = sum(1 for a in result.actions if a["reason"] == "digest")
    print(f"{kind:13s} {result.events:7d} events in {elapsed:6.2f} s = {rate:8.0f} msg/s "
          f"({len(result.actions)} actions, {digests} digest DMs, {len(result.errors)} handler errors)")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--only", nargs="+", choices=list(MODES))
    args = parser.parse_args()
    print("machine:", machine())
    lines = gen_lines(args.messages)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        (tmp / "faq.yaml").write_text(FAQ_YAML, encoding="utf-8")
        (tmp / "config.yaml").write_text(CONFIG_YAML, encoding="utf-8")
        rates = {mode: run(mode, lines, tmp) for mode in (args.only or list(MODES))}
    for mode, rate in rates.items():
        if mode != "none":
            verdict = "OK" if rate >= TARGET else "below target"
            print(f"{mode}: {rate:.0f} msg/s vs target >= {TARGET:.0f} with activity recording: {verdict}")


if __name__ == "__main__":
    main()
