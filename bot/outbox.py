"""The outbox owns sending: pacing, jitter, merging a burst, retries, and never losing a message.

Limits (config ``outbox:``): at least ``room_interval_seconds`` between two messages to one
conversation, at most ``per_minute`` messages a minute overall, a random jitter before each send,
a bounded queue. Pending replies to one room are merged into one message. A failed send is retried
with exponential backoff; after the last try it goes to ``on_failed`` (the database and the log).

One algorithm serves live runs and replay: ``pump_until`` sends everything due up to a time,
moving the (simulated) clock to each send time, so replayed action times show the pacing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import count
from typing import Protocol

from bot.actions import Action, Say, conversation
from bot.clock import Clock
from bot.config import OutboxSection

log = logging.getLogger("qunbot.outbox")

MERGEABLE = frozenset({"faq", "suggest", "fallback", "off_hours", "welcome", "handoff"})


class Sender(Protocol):
    async def send(self, action: Action) -> None:
        """Carry the action out; raise on failure (the outbox retries)."""
        ...


@dataclass(slots=True)
class _Item:
    action: Action
    not_before: datetime
    gap: float
    seq: int
    attempts: int = 0
    last_error: str = ""
    sending: bool = False
    """Being sent right now: nothing may merge into it (the merged text would be lost)."""


FailedHook = Callable[[Action, str, int], None]
SentHook = Callable[[Action, datetime], None]


class Outbox:
    def __init__(self, settings: OutboxSection, clock: Clock, *, rng: random.Random | None = None,
                 on_failed: FailedHook | None = None, on_sent: SentHook | None = None) -> None:
        self.settings = settings
        self.clock = clock
        self.rng = rng or random.Random()
        self.on_failed = on_failed
        self.on_sent = on_sent
        self._queues: dict[str, deque[_Item]] = {}
        self._last_sent: dict[str, datetime] = {}
        self._recent: deque[datetime] = deque()
        self._seq = count()
        self._wake = asyncio.Event()
        self.sent_count = 0
        self.failed_count = 0

    # -- queueing ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return sum(len(q) for q in self._queues.values())

    def submit(self, action: Action) -> bool:
        """Queue an action; merges with a pending reply to the same room. False if the queue is full
        (the action then goes to ``on_failed``: reported, never silently dropped)."""
        conv = conversation(action)
        queue = self._queues.setdefault(conv, deque())
        if self.settings.merge and queue and self._merge_into(queue[-1], action):
            self._wake.set()
            return True
        if len(self) >= self.settings.queue_size:
            log.error("outbox full (%d): not sending %s to %s", len(self), action.kind, conv)
            self._fail(action, "outbox queue full", 0)
            return False
        jitter = self.rng.uniform(0, self.settings.jitter_seconds) if self.settings.jitter_seconds else 0.0
        now = self.clock.now()
        queue.append(_Item(action, now + timedelta(seconds=jitter),
                           self.settings.room_interval_seconds + jitter, next(self._seq)))
        self._wake.set()
        return True

    def _merge_into(self, item: _Item, action: Action) -> bool:
        prev = item.action
        if (item.attempts or item.sending or not isinstance(prev, Say) or not isinstance(action, Say)
                or prev.reason not in MERGEABLE or action.reason not in MERGEABLE):
            return False
        to = tuple(dict.fromkeys((*prev.to, *action.to)))
        merged_ids = tuple(i for i in (*(prev.merged or (prev.reply_to,)), action.reply_to) if i)
        item.action = replace(prev, to=to, text=f"{prev.text}\n\n{action.text}", merged=merged_ids)
        log.info("merged a reply into the pending message for %s (%d parts)", prev.room, len(merged_ids))
        return True

    # -- pacing -----------------------------------------------------------------------------
    def _ready_at(self, conv: str, item: _Item) -> datetime:
        t = item.not_before
        last = self._last_sent.get(conv)
        if last is not None:
            t = max(t, last + timedelta(seconds=item.gap))
        window = timedelta(seconds=60)
        if len(self._recent) >= self.settings.per_minute:
            t = max(t, self._recent[-self.settings.per_minute] + window)
        return t

    def next_due(self) -> tuple[datetime, str] | None:
        """The earliest (time, conversation) at which a queued message may go, or None if empty."""
        best: tuple[datetime, int, str] | None = None
        for conv, queue in self._queues.items():
            if queue:
                head = queue[0]
                cand = (self._ready_at(conv, head), head.seq, conv)
                if best is None or cand[:2] < best[:2]:
                    best = cand
        return (best[0], best[2]) if best else None

    # -- sending ----------------------------------------------------------------------------
    async def _send_head(self, conv: str, sender: Sender) -> None:
        item = self._queues[conv][0]
        now = self.clock.now()
        item.sending = True
        try:
            await sender.send(item.action)
        except Exception as exc:  # noqa: BLE001 - any send failure is retried, then reported
            item.sending = False
            item.attempts += 1
            item.last_error = f"{type(exc).__name__}: {exc}"
            if item.attempts > self.settings.retries:
                self._queues[conv].popleft()
                log.error("send failed after %d tries to %s: %s", item.attempts, conv, item.last_error)
                self._fail(item.action, item.last_error, item.attempts)
                return
            backoff = self.settings.retry_backoff_seconds * 2 ** (item.attempts - 1)
            item.not_before = now + timedelta(seconds=backoff)
            log.warning("send to %s failed (try %d), retrying in %.1fs: %s",
                        conv, item.attempts, backoff, item.last_error)
            return
        self._queues[conv].popleft()
        self._last_sent[conv] = now
        self._recent.append(now)
        while self._recent and (now - self._recent[0]).total_seconds() >= 60:
            self._recent.popleft()
        self.sent_count += 1
        if self.on_sent:
            self.on_sent(item.action, now)

    def _fail(self, action: Action, error: str, attempts: int) -> None:
        self.failed_count += 1
        if self.on_failed:
            try:
                self.on_failed(action, error, attempts)
            except Exception:  # noqa: BLE001
                log.exception("could not record a failed send")

    async def pump_until(self, sender: Sender, until: datetime | None) -> None:
        """Send everything due up to ``until`` (all, if None), moving the clock to each send time.

        Used by replay and tests with a simulated clock, and at shutdown to flush.
        """
        while (due := self.next_due()) is not None:
            when, conv = due
            if until is not None and when > until:
                return
            await self.clock.sleep_until(when)
            await self._send_head(conv, sender)

    def wake(self) -> None:
        """Make the live loop look at the queue (and at its stop event) now."""
        self._wake.set()

    async def run(self, sender: Sender, stop: asyncio.Event | None = None) -> None:
        """The live sending loop: sleeps until the next message is due, a new one arrives or ``stop``
        is set; a send in progress always completes (cancelling mid-send could post twice)."""
        watcher = asyncio.create_task(self._wake_on(stop)) if stop is not None else None
        try:
            await self._loop(sender, stop)
        finally:
            if watcher is not None:
                watcher.cancel()

    async def _wake_on(self, stop: asyncio.Event) -> None:
        await stop.wait()
        self._wake.set()

    async def _loop(self, sender: Sender, stop: asyncio.Event | None) -> None:
        while stop is None or not stop.is_set():
            due = self.next_due()
            if due is None:
                self._wake.clear()
                await self._wake.wait()
                continue
            when, conv = due
            delay = (when - self.clock.now()).total_seconds()
            if delay > 0:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=delay)
                continue
            await self._send_head(conv, sender)

    async def flush(self, sender: Sender, timeout: float = 30.0) -> None:
        """At shutdown: keep sending (paced) for up to ``timeout`` seconds; report what is left."""
        try:
            await asyncio.wait_for(self._flush_paced(sender), timeout=timeout)
        except TimeoutError:
            for queue in self._queues.values():
                while queue:
                    item = queue.popleft()
                    self._fail(item.action, "not sent before shutdown", item.attempts)

    async def _flush_paced(self, sender: Sender) -> None:
        while (due := self.next_due()) is not None:
            when, conv = due
            delay = (when - self.clock.now()).total_seconds()
            if delay > 0:
                await asyncio.sleep(delay)
            await self._send_head(conv, sender)
