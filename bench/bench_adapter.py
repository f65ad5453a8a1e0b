"""Benchmark the live layer through the real Wechaty SDK on the in-process fake puppet.

1. latency: from the puppet's message event to the puppet's send call (SDK objects -> event ->
   handlers -> outbox -> sender -> SDK call), outbox pacing off (limits 0). Target p50 <= 20 ms.
2. load: 200 incoming messages a second (mostly chatter, some FAQ questions, 20 rooms) delivered
   concurrently, as the gRPC puppet's event emitter does; prints the backlog (messages received
   but not yet handled) and the outbox depth every second. No growing backlog = it keeps up.

    .venv/bin/python bench/bench_adapter.py              # latency + 20 s of load
    .venv/bin/python bench/bench_adapter.py --seconds 60 # the full one-minute run
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.config import load_config  # noqa: E402
from bot.runner import Runner, RunOptions  # noqa: E402
from bot.wechaty_adapter import reset_sdk_state  # noqa: E402
from tests.fake_puppet import FakePuppet  # noqa: E402

FAQ = """\
entries:
  - id: invoice
    question: 怎么开发票？
    similar: [发票在哪里申请, 可以开增值税发票吗]
    answer: 在「我的订单」里点「申请发票」，3 个工作日内发到邮箱。
  - id: shipping-time
    question: 多久发货？
    similar: [什么时候发货, 下单后几天能寄出]
    answer: 下单后 48 小时内发货，节假日顺延。
  - id: refund
    question: 退款规则是什么？
    similar: [不想要了怎么退钱]
    answer: 购买 7 天内可以无理由退款，在「我的订单」里申请。
  - id: tracking
    question: 怎么查物流？
    similar: [快递单号在哪看, 包裹到哪了]
    answer: 在「我的订单-物流详情」里可以看到快递单号和进度。
"""
CONFIG = """\
bot:
  name: 小助手
timezone: Asia/Shanghai
database: sqlite:///bench.db
faq: faq.yaml
schedules: null
outbox:
  room_interval_seconds: 0
  per_minute: 1000000
  jitter_seconds: 0
  queue_size: 100000
  merge: false
"""
QUESTIONS = ["怎么开发票？", "多久发货？", "退款规则是什么？", "怎么查物流？", "发票在哪里申请"]
CHATTER = ["哈哈哈", "好的收到", "今天的作业交了吗", "谢谢老师", "明天见", "这个课讲得真好", "+1", "👍"]
ROOMS = [f"{20000 + i}@chatroom" for i in range(20)]


class TimedPuppet(FakePuppet):
    """Notes when each send call arrives."""

    def __init__(self) -> None:
        super().__init__(self_id="wxid_bot", self_name="小助手")
        self.sent_event = asyncio.Event()
        self.sent_times: list[float] = []

    async def message_send_text(self, conversation_id: str, message: str,
                                mention_ids: list[str] | None = None) -> str:
        self.sent_times.append(time.perf_counter())
        self.sent_event.set()
        return await super().message_send_text(conversation_id, message, mention_ids)


def build(tmp: Path) -> tuple[Runner, TimedPuppet]:
    (tmp / "faq.yaml").write_text(FAQ, encoding="utf-8")
    (tmp / "config.yaml").write_text(CONFIG, encoding="utf-8")
    fake = TimedPuppet()
    members = {f"wxid_m{i}": f"成员{i}" for i in range(200)}
    for room in ROOMS:
        fake.add_room(room, f"群{room[:5]}", members)
    reset_sdk_state()
    runner = Runner.create(load_config(tmp / "config.yaml"), lambda: fake, RunOptions(login_timeout=10))
    return runner, fake


async def started(runner: Runner) -> tuple[asyncio.Event, asyncio.Task[None]]:
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    while runner.link.current is None or not runner.link.current.ready.is_set():
        await asyncio.sleep(0.01)
    return stop, task


async def latency(tmp: Path, n: int) -> dict[str, float]:
    runner, fake = build(tmp)
    stop, task = await started(runner)
    samples = []
    for i in range(n + 20):
        fake.sent_event.clear()
        t0 = time.perf_counter()
        await fake.say(f"wxid_m{i % 200}", QUESTIONS[i % len(QUESTIONS)], ROOMS[i % len(ROOMS)])
        await asyncio.wait_for(fake.sent_event.wait(), 5)
        if i >= 20:  # warm-up: first jieba/SQL/SDK paths
            samples.append((fake.sent_times[-1] - t0) * 1000)
    stop.set()
    await task
    samples.sort()
    return {"n": len(samples), "p50_ms": statistics.median(samples),
            "p95_ms": samples[int(len(samples) * 0.95) - 1], "p99_ms": samples[int(len(samples) * 0.99) - 1],
            "max_ms": samples[-1]}


async def load(tmp: Path, rate: int, seconds: int, question_share: float) -> list[dict[str, Any]]:
    runner, fake = build(tmp)
    stop, task = await started(runner)
    loop = asyncio.get_running_loop()
    state = {"received": 0, "handled": 0}
    inflight: set[asyncio.Task[Any]] = set()

    async def deliver(i: int) -> None:
        every = max(1, round(1 / question_share)) if question_share > 0 else 0
        text = QUESTIONS[i % len(QUESTIONS)] if every and i % every == 0 else CHATTER[i % len(CHATTER)]
        await fake.say(f"wxid_m{i % 200}", text, ROOMS[i % len(ROOMS)])
        state["handled"] += 1

    rows: list[dict[str, Any]] = []
    start = loop.time()
    next_report = start + 1
    total = rate * seconds
    for i in range(total):
        target = start + i / rate
        now = loop.time()
        if target > now:
            await asyncio.sleep(target - now)
        t = asyncio.create_task(deliver(i))
        inflight.add(t)
        t.add_done_callback(inflight.discard)
        state["received"] += 1
        if loop.time() >= next_report:
            rows.append({"t": round(loop.time() - start), "received": state["received"],
                         "handled": state["handled"], "backlog": state["received"] - state["handled"],
                         "outbox": len(runner.app.outbox), "sent": len(fake.sent_times)})
            while loop.time() >= next_report:  # one row a second even if the producer lags
                next_report += 1
    await asyncio.gather(*list(inflight))
    drained = loop.time() - start
    rows.append({"t": round(drained, 1), "received": state["received"], "handled": state["handled"],
                 "backlog": 0, "outbox": len(runner.app.outbox), "sent": len(fake.sent_times), "final": True})
    stop.set()
    await task
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=int, default=20, help="load duration (60 for the full run)")
    ap.add_argument("--rate", type=int, default=200, help="incoming messages per second")
    ap.add_argument("--questions", type=float, default=0.1, help="share of messages that are FAQ questions")
    ap.add_argument("--latency-n", type=int, default=300)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("qunbot").setLevel(logging.WARNING)

    with tempfile.TemporaryDirectory() as d1:
        lat = asyncio.run(latency(Path(d1), args.latency_n))
    verdict = "OK" if lat["p50_ms"] <= 20 else "OVER TARGET"
    print(f"latency event->send (n={lat['n']}): p50 {lat['p50_ms']:.2f} ms  p95 {lat['p95_ms']:.2f} ms  "
          f"p99 {lat['p99_ms']:.2f} ms  max {lat['max_ms']:.2f} ms  [target p50 <= 20 ms: {verdict}]")

    with tempfile.TemporaryDirectory() as d2:
        rows = asyncio.run(load(Path(d2), args.rate, args.seconds, args.questions))
    print(f"\nload: {args.rate} msg/s for {args.seconds} s, {args.questions:.0%} questions, {len(ROOMS)} rooms")
    print(f"{'t(s)':>6} {'received':>9} {'handled':>8} {'backlog':>8} {'outbox':>7} {'sent':>6}")
    for r in rows:
        print(f"{r['t']:>6} {r['received']:>9} {r['handled']:>8} {r['backlog']:>8} {r['outbox']:>7} {r['sent']:>6}"
              + ("  (all handled)" if r.get("final") else ""))
    backlogs = [r["backlog"] for r in rows if not r.get("final")]
    half = len(backlogs) // 2
    growing = half > 0 and max(backlogs[half:]) > 2 * max(1, max(backlogs[:half])) + args.rate // 10
    achieved = rows[-1]["handled"] / rows[-1]["t"] if rows[-1]["t"] else 0
    print(f"\nmax backlog {max(backlogs, default=0)}; handled {achieved:.0f} msg/s over the run incl. drain; "
          f"backlog {'GROWING' if growing else 'steady'}")


if __name__ == "__main__":
    main()
