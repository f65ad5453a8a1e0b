"""Write a seeded generated community log (tests/gen_community.py, scaled up) for the benchmarks.

    .venv/bin/python bench/gen_log.py OUT.jsonl [--messages 100000] [--seed 7]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.gen_community import generate  # noqa: E402

PER_ROOM = 1700
"""Roughly how many log lines one generated room produces over six weeks."""


def gen_lines(messages: int, seed: int = 7, days: int = 42) -> list[str]:
    rooms = max(1, messages // PER_ROOM + 1)
    while True:
        lines, _ = generate(seed=seed, rooms=rooms, days=days)
        if len(lines) >= messages:
            return lines[:messages]
        rooms += max(1, (messages - len(lines)) // PER_ROOM + 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    lines = gen_lines(args.messages, args.seed)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} lines to {args.out}")


if __name__ == "__main__":
    main()
