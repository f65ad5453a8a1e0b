"""The outbox paces, merges and retries on the simulated clock; nothing is silently dropped."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.actions import DirectMessage, Say
from bot.clock import SimClock
from bot.config import OutboxSection
from bot.outbox import Outbox
from bot.recorder import Recorder

T0 = datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def make(**settings):
    clock = SimClock(T0)
    failed: list[tuple[str, str, int]] = []
    box = Outbox(OutboxSection(jitter_seconds=0, **settings), clock,
                 on_failed=lambda a, err, n: failed.append((a.text, err, n)))
    return clock, box, Recorder(clock), failed


def sent_offsets(recorder):
    return [(datetime.fromisoformat(r["ts"]) - T0).total_seconds() for r in recorder.records]


def test_messages_to_one_room_are_spaced_by_the_room_interval():
    clock, box, rec, _ = make(merge=False, room_interval_seconds=3)
    for i in range(3):
        box.submit(Say(room="r1", text=f"a{i}"))
    asyncio.run(box.pump_until(rec, None))
    assert sent_offsets(rec) == [0, 3, 6]
    assert [r["text"] for r in rec.records] == ["a0", "a1", "a2"]


def test_rooms_do_not_wait_for_each_other():
    clock, box, rec, _ = make(merge=False, room_interval_seconds=3)
    box.submit(Say(room="r1", text="a"))
    box.submit(Say(room="r2", text="b"))
    box.submit(DirectMessage(contact="wxid_op", text="c"))
    asyncio.run(box.pump_until(rec, None))
    assert sent_offsets(rec) == [0, 0, 0]


def test_the_overall_per_minute_limit_holds():
    clock, box, rec, _ = make(per_minute=5)
    for i in range(8):
        box.submit(Say(room=f"r{i}", text="x"))
    asyncio.run(box.pump_until(rec, None))
    assert sent_offsets(rec) == [0, 0, 0, 0, 0, 60, 60, 60]


def test_pending_answers_to_one_room_merge_into_one_message():
    clock, box, rec, _ = make(room_interval_seconds=3)
    box.submit(Say(room="r1", text="first", to=("a",), reply_to="m1"))
    asyncio.run(box.pump_until(rec, T0))  # "first" goes at once
    box.submit(Say(room="r1", text="second", to=("b",), reply_to="m2"))
    box.submit(Say(room="r1", text="third", to=("c",), reply_to="m3"))
    asyncio.run(box.pump_until(rec, None))
    assert len(rec.records) == 2
    merged = rec.records[1]
    assert merged["to"] == ["b", "c"]
    assert merged["text"] == "second\n\nthird"
    assert merged["merged"] == ["m2", "m3"]
    assert sent_offsets(rec) == [0, 3]


def test_scheduled_posts_are_never_merged():
    clock, box, rec, _ = make()
    box.submit(Say(room="r1", text="a", reason="schedule", job="daily"))
    box.submit(Say(room="r1", text="b", reason="faq"))
    asyncio.run(box.pump_until(rec, None))
    assert [r["text"] for r in rec.records] == ["a", "b"]


class Flaky:
    def __init__(self, clock, failures: int) -> None:
        self.clock, self.failures, self.calls = clock, failures, []

    async def send(self, action):
        self.calls.append(self.clock.now())
        if len(self.calls) <= self.failures:
            raise ConnectionError("puppet gone")


def test_a_failed_send_is_retried_with_backoff():
    clock, box, _, failed = make(retries=3, retry_backoff_seconds=2)
    sender = Flaky(clock, failures=2)
    box.submit(Say(room="r1", text="answer"))
    asyncio.run(box.pump_until(sender, None))
    assert [(c - T0).total_seconds() for c in sender.calls] == [0, 2, 6]
    assert box.sent_count == 1 and not failed


def test_after_the_last_try_the_message_is_reported_not_dropped():
    clock, box, _, failed = make(retries=2, retry_backoff_seconds=1)
    sender = Flaky(clock, failures=99)
    box.submit(Say(room="r1", text="answer"))
    asyncio.run(box.pump_until(sender, None))
    assert len(sender.calls) == 3
    assert failed == [("answer", "ConnectionError: puppet gone", 3)]
    assert len(box) == 0


def test_a_full_queue_reports_what_it_cannot_take():
    clock, box, rec, failed = make(queue_size=2, merge=False)
    assert box.submit(Say(room="r1", text="1"))
    assert box.submit(Say(room="r1", text="2"))
    assert not box.submit(Say(room="r1", text="3"))
    assert failed == [("3", "outbox queue full", 0)]


def test_jitter_delays_each_send_a_little():
    clock = SimClock(T0)
    import random

    box = Outbox(OutboxSection(jitter_seconds=2), clock, rng=random.Random(1))
    rec = Recorder(clock)
    box.submit(Say(room="r1", text="x"))
    asyncio.run(box.pump_until(rec, None))
    delay = sent_offsets(rec)[0]
    assert 0 < delay <= 2


def test_live_loop_sends_on_the_real_clock():
    from bot.clock import RealClock

    async def main():
        clock = RealClock()
        box = Outbox(OutboxSection(jitter_seconds=0, room_interval_seconds=0.05, merge=False), clock)
        rec = Recorder(clock)
        stop = asyncio.Event()
        task = asyncio.create_task(box.run(rec, stop))
        box.submit(Say(room="r1", text="a"))
        box.submit(Say(room="r1", text="b"))
        for _ in range(100):
            if len(rec.records) == 2:
                break
            await asyncio.sleep(0.01)
        stop.set()
        box.submit(DirectMessage(contact="x", text="wake"))  # wakes the loop so it sees stop
        await asyncio.wait_for(task, 1)
        return rec.records

    records = asyncio.run(main())
    times = [datetime.fromisoformat(r["ts"]) for r in records[:2]]
    assert [r["text"] for r in records[:2]] == ["a", "b"]
    assert times[1] - times[0] >= timedelta(seconds=0.05)


def test_a_reply_arriving_while_the_previous_one_is_being_sent_is_not_lost():
    clock = SimClock(T0)
    box = Outbox(OutboxSection(jitter_seconds=0, room_interval_seconds=3), clock)

    class Slow:
        def __init__(self) -> None:
            self.sent: list[str] = []
            self.started = asyncio.Event()
            self.release = asyncio.Event()

        async def send(self, action):
            self.started.set()
            await self.release.wait()
            self.sent.append(action.text)

    async def main():
        sender = Slow()
        box.submit(Say(room="r1", text="A", to=("a",)))
        task = asyncio.create_task(box.pump_until(sender, None))
        await sender.started.wait()
        box.submit(Say(room="r1", text="B", to=("b",)))  # "A" is in flight: "B" must not merge into it
        sender.release.set()
        await task
        return sender.sent

    assert asyncio.run(main()) == ["A", "B"]
