"""Replay throughput with activity recording: a 100,000-message generated log through the bot.

Runs three handler sets on the same log, each into a fresh SQLite file (WAL):
  full       the default handlers (FAQ matcher, fallback, activity) and timed jobs (the digest)
  no-faq     guard + activity recording only (what recording itself costs), digest still daily
  no-activity the default handlers without activity recording (what the rest costs)
Target: >= 3,000 messages/s with activity recording.

    .venv/bin/python bench/bench_replay.py [--messages 100000] [--only full]
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


def handlers_for(kind: str):  # type: ignore[no-untyped-def]
    handlers = default_handlers()
    if kind == "no-faq":
        return [h for h in handlers if h.name in ("guard", "activity", "stale")]
    if kind == "no-activity":
        return [h for h in handlers if h.name != "activity"]
    return handlers


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
    print(f"{kind:12s} {result.events:7d} events in {elapsed:6.2f} s = {rate:8.0f} msg/s "
          f"({len(result.actions)} actions, {digests} digest DMs, {len(result.errors)} handler errors)")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--only", choices=["full", "no-faq", "no-activity"])
    args = parser.parse_args()
    print("machine:", machine())
    lines = gen_lines(args.messages)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        (tmp / "faq.yaml").write_text(FAQ_YAML, encoding="utf-8")
        (tmp / "config.yaml").write_text(CONFIG_YAML, encoding="utf-8")
        rates = {kind: run(kind, lines, tmp) for kind in ([args.only] if args.only else
                                                          ["full", "no-faq", "no-activity"])}
    if "full" in rates:
        verdict = "OK" if rates["full"] >= TARGET else "BELOW TARGET"
        print(f"target >= {TARGET:.0f} msg/s with activity recording: {verdict}")


if __name__ == "__main__":
    main()
