"""Digest speed: the daily digest over 1,000,000 activity rows on SQLite (target <= 1 s).

Bulk-inserts synthetic rows (Core executemany), in time order, spread over both scoring windows (the 28 days the
digest reads: worst case, every row is in range), 50 rooms x 200 members, plus credits (answers,
thanks, mentions, replies) for about a sixth of them; then times ``build_digest``.

    .venv/bin/python bench/bench_digest.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import date, datetime
from datetime import time as dtime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from bench_replay import machine  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from bot.activity import query  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.digest import account_rooms, build_digest, render_text  # noqa: E402
from bot.store import Database  # noqa: E402
from bot.store.activity_models import Activity, ActivityCredit, ActivityMember  # noqa: E402
from bot.store.rooms import Room  # noqa: E402
from tests.conftest import CONFIG_YAML, FAQ_YAML  # noqa: E402

DAY = date(2026, 11, 30)
ROOMS, MEMBERS, DAYS = 50, 200, 28
KINDS = ("text",) * 7 + ("emoji", "image", "link")


def fill(db: Database, rows: int, tz, account: str) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(1)
    first = DAY.toordinal() - DAYS + 1
    base = int(datetime.combine(date.fromordinal(first), dtime(0), tz).timestamp())
    weights = [1 / (i + 1) for i in range(MEMBERS)]  # a few talk a lot, most a little
    with db.engine.begin() as conn:
        seen = datetime.fromtimestamp(base)
        conn.execute(insert(Room), [{"account": account, "room": f"r{r}", "topic": f"群{r}", "first_seen": seen,
                                     "updated_at": seen} for r in range(ROOMS)])
        conn.execute(insert(ActivityMember), [
            {"room": f"r{r}", "member": f"m{r}_{m}", "name": f"成员{m}", "first_seen": base,
             "joined": base + 20 * 86400 if m % 37 == 0 else None} for r in range(ROOMS) for m in range(MEMBERS)])
    chunk = 50_000
    done = 0
    while done < rows:
        n = min(chunk, rows - done)
        members = rng.choices(range(MEMBERS), weights, k=n)
        acts, credits = [], []
        for i in range(n):
            r = rng.randrange(ROOMS)
            offset = (done + i) * DAYS * 86400 // rows  # rows arrive in time order, as in a live run
            ts, day = base + offset, first + offset // 86400
            member = f"m{r}_{members[i]}"
            roll = rng.random()
            acts.append({"room": f"r{r}", "member": member, "msg_id": f"x{done + i}", "ts": ts, "day": day,
                         "kind": rng.choice(KINDS), "length": rng.randrange(40), "is_question": roll < 0.1,
                         "product_question": roll < 0.05, "mentions": int(roll > 0.9), "quote_id": None,
                         "answered": 0.1 <= roll < 0.14, "thanks": 0.14 <= roll < 0.16, "counted": roll < 0.7,
                         "playful": 0.7 <= roll < 0.8, "junk": 3 if roll > 0.995 else 0, "text": None})
            if roll < 0.17 and roll >= 0.1:
                other = f"m{r}_{rng.randrange(MEMBERS)}"
                kind = ("answer", "answer", "answer", "answer", "thanks", "thanks", "reply")[int((roll - 0.1) * 100)]
                credits.append({"room": f"r{r}", "member": member if kind == "answer" else other,
                                "other": other if kind == "answer" else member, "kind": kind,
                                "newcomer": kind == "answer" and rng.random() < 0.2, "ts": ts, "day": day})
        with db.engine.begin() as conn:
            conn.execute(insert(Activity), acts)
            if credits:
                conn.execute(insert(ActivityCredit), credits)
        done += n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    print("machine:", machine())
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        (tmp / "faq.yaml").write_text(FAQ_YAML, encoding="utf-8")
        (tmp / "config.yaml").write_text(CONFIG_YAML, encoding="utf-8")
        config = load_config(tmp / "config.yaml")
        db = Database(f"sqlite:///{tmp / 'digest.db'}")
        started = time.perf_counter()
        fill(db, args.rows, config.tz, config.account)
        print(f"inserted {args.rows} activity rows in {time.perf_counter() - started:.1f} s")
        db.close()
        for run in ("cold", "warm"):
            db = Database(f"sqlite:///{tmp / 'digest.db'}")
            started = time.perf_counter()
            stats = query.load(db, DAY, config.activity.window_days)
            loaded = time.perf_counter() - started
            started = time.perf_counter()
            digest = build_digest(db, config, DAY, rooms=account_rooms(db, config))  # as the evening DM
            text = render_text(digest, config.digest.max_chars)
            elapsed = time.perf_counter() - started
            db.close()
            verdict = "OK" if elapsed <= 1.0 else "above target"
            print(f"{run}: build_digest + text {elapsed:.3f} s (the grouped queries alone {loaded:.3f} s, "
                  f"{len(stats)} member-rooms, {len(digest.candidates)} candidates, {len(digest.fading)} fading, "
                  f"{len(text)} chars); target <= 1 s: {verdict}")


if __name__ == "__main__":
    main()
