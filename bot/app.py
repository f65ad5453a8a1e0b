"""The assembled bot: config, FAQ index, store, handlers in their order, outbox and timed sources.

Live runs, replay, the demo and tests all build an ``App`` the same way; only the clock and the
sender differ (real clock + Wechaty sender, or simulated clock + recorder).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from bot.actions import Action, conversation
from bot.clock import Clock
from bot.config import Config
from bot.context import Context
from bot.dispatch import Dispatched, Dispatcher, Handler
from bot.events import Event
from bot.faq import load_faq
from bot.faq.index import FaqIndex
from bot.outbox import Outbox, Sender
from bot.store import Database
from bot.timed import TimedSource

log = logging.getLogger("qunbot.app")

FLUSH_EVENTS = 1000
FLUSH_SECONDS = 5.0
"""Buffered writes (activity rows, unanswered questions, day counters) go to the database at least this often."""


def default_handlers() -> list[Handler]:
    """The handlers in the order they run. Earlier ones can stop later ones."""
    from handlers.activity import ActivityRecorder
    from handlers.admin import Admin
    from handlers.choice import ChoiceReply
    from handlers.conversation import Conversation
    from handlers.fallback import Fallback
    from handlers.faq_answer import FaqAnswer
    from handlers.guard import Guard, StaleGuard
    from handlers.handoff import HandoffRequest
    from handlers.paused import Paused, RoomNotes
    from handlers.rooms import RoomRecorder
    from handlers.unanswered import Tallied, UnansweredRecorder
    from handlers.welcome import Welcome

    # Recorders first (they also see stale backlog, which StaleGuard then stops; RoomRecorder is the one
    # writer of the rooms this account has seen, which later handlers and timed jobs read); admin and paused stop
    # what they own; a hand-off request wins over an FAQ answer; talk between people is left alone; the
    # unanswered recorder runs before the fallback (which stops by replying). Tallied counts the answers
    # of handlers that stop dispatch, for #今日.
    return [Guard(), RoomRecorder(), Welcome(), ActivityRecorder(), RoomNotes(), StaleGuard(), Admin(), Paused(),
            Tallied(ChoiceReply()), HandoffRequest(), Conversation(), Tallied(FaqAnswer()),
            UnansweredRecorder(), Fallback()]


def default_timed(config: Config) -> list[TimedSource]:
    from bot.digest import DigestSource
    from bot.schedule_source import ScheduleSource
    from handlers.welcome import WelcomeSource

    timed: list[TimedSource] = [ScheduleSource.from_config(config), WelcomeSource()]
    if config.digest.enabled:
        timed.append(DigestSource(config))
    return timed


def build_faq_index(config: Config, faq_path: str | None = None, *, background: bool = False) -> FaqIndex:
    """``background``: a live bot lets a big FAQ's first embedding run in a thread (see ``build_index``)."""
    from bot.faq.matcher import Params, build_index

    return build_index(load_faq(faq_path or config.faq_path), bot_names=(config.bot.name,),
                       params=Params(semantic=config.matching.semantic), background=background)


@dataclass(frozen=True, slots=True)
class Fired:
    source: str
    when: datetime


class App:
    def __init__(self, ctx: Context, dispatcher: Dispatcher, outbox: Outbox, sender: Sender | None,
                 timed: Sequence[TimedSource], db: Database | None) -> None:
        self.ctx = ctx
        self.dispatcher = dispatcher
        self.outbox = outbox
        self.sender = sender
        self.timed = list(timed)
        self.db = db
        self._timed_after: dict[str, datetime] = {}
        self._timers_wake = asyncio.Event()
        self.flush_hooks: list[Callable[[], None]] = [
            partial(h.flush, ctx) for h in dispatcher.handlers if callable(getattr(h, "flush", None))]
        """Handlers that buffer writes (activity, unanswered questions) expose ``flush(ctx)``."""
        self._since_flush = 0
        self._flushed_mono = time.monotonic()

    @classmethod
    def create(cls, config: Config, clock: Clock, sender: Sender | None = None, *,
               db_url: str | None = None, rng: random.Random | None = None,
               faq_index: FaqIndex | None = None, handlers: Sequence[Handler] | None = None,
               timed: Sequence[TimedSource] | None = None, live: bool = False) -> App:
        """``live``: a bot on a real account, where a big FAQ's first embedding must not hold up the start
        or a reload; a replay waits for it, so every run gives the same result."""
        db = Database(db_url or config.database_url())
        index = faq_index or build_faq_index(config, background=live)
        ctx = Context(config=config, clock=clock, faq=index, store=db, embed_in_background=live)
        outbox = Outbox(config.outbox, clock, rng=rng, on_failed=_failed_recorder(db, clock))
        app = cls(ctx, Dispatcher(handlers if handlers is not None else default_handlers()),
                  outbox, sender, timed if timed is not None else default_timed(config), db)
        from bot.reload import attach

        attach(app)  # "#重载" reloads the schedules in app.timed, not only the FAQ
        return app

    @property
    def config(self) -> Config:
        return self.ctx.config

    @property
    def clock(self) -> Clock:
        return self.ctx.clock

    # -- events in, actions out -------------------------------------------------------------
    def dispatch(self, event: Event, *, stale: bool = False) -> Dispatched:
        """Run the handlers over one event and queue their actions in the outbox."""
        self.ctx.scratch = {"stale": stale}
        result = self.dispatcher.dispatch(event, self.ctx)
        self._timers_wake.set()  # a handler may have planned timed work (a welcome window)
        self._submit(result.actions)
        self._since_flush += 1
        if self._since_flush >= FLUSH_EVENTS or time.monotonic() - self._flushed_mono >= FLUSH_SECONDS:
            self.flush_buffers()
        return result

    def flush_buffers(self) -> None:
        """Write what handlers buffered. Called between dispatches only, so every row is complete; the
        timing (wall-clock seconds or a count) decides when, never what, is written."""
        self._since_flush = 0
        self._flushed_mono = time.monotonic()
        for hook in self.flush_hooks:
            try:
                hook()
            except Exception:  # noqa: BLE001 - a failed write is logged; the next flush retries what it kept
                log.exception("flushing buffered writes failed")

    def timers_changed(self) -> None:
        """Tell the live timer loop that jobs changed (a reload): it recomputes the next fire time."""
        self._timers_wake.set()

    async def run_flusher(self, stop: asyncio.Event, interval: float = FLUSH_SECONDS) -> None:
        """Live: flush buffered writes every ``interval`` seconds even when the groups are quiet."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)
            self.flush_buffers()

    def handle(self, event: Event) -> list[Action]:
        return list(self.dispatch(event).actions)

    def record(self, event: Event) -> None:
        """Let recording handlers see an event without answering it (stale messages at start-up)."""
        self.dispatch(event, stale=True)

    # -- timed sources ----------------------------------------------------------------------
    def start_timers(self, after: datetime) -> None:
        """Fire times are counted from ``after`` (replay: the log's first time; live: now)."""
        for source in self.timed:
            self._timed_after.setdefault(source.name, after)

    def next_timer(self) -> tuple[datetime, TimedSource] | None:
        best: tuple[datetime, TimedSource] | None = None
        for source in self.timed:
            after = self._timed_after.get(source.name)
            if after is None:
                continue
            when = source.next_fire(after)
            if when is not None and (best is None or when < best[0]):
                best = (when, source)
        return best

    def fire(self, when: datetime, source: TimedSource) -> list[Action]:
        self._timed_after[source.name] = when
        try:
            actions = source.fire(when, self.ctx)
        except Exception:  # noqa: BLE001 - a broken job must not stop the bot
            log.exception("timed job %s failed at %s", source.name, when.isoformat())
            return []
        return self._submit(actions)

    def _submit(self, actions: Sequence[Action]) -> list[Action]:
        """Queue actions for sending; a paused room gets nothing but operators' confirmations."""
        from handlers.paused import paused_rooms

        paused = paused_rooms(self.ctx) if self.ctx.store is not None else self.ctx.memory.paused_rooms
        sent: list[Action] = []
        for action in actions:
            room = getattr(action, "room", None)
            if room in paused and action.reason != "admin":
                log.info("room %s is paused: %s (%s) not sent", room, action.kind, action.reason)
                continue
            self.outbox.submit(action)
            sent.append(action)
        return sent

    async def run_timers(self, stop: asyncio.Event | None = None) -> None:
        """Live: sleep on the clock until the next timed job (or until an event may have planned an
        earlier one, or ``stop``), fire it, repeat."""
        self.start_timers(self.clock.now())
        stopper = asyncio.create_task(self._set_on(stop, self._timers_wake)) if stop is not None else None
        try:
            while stop is None or not stop.is_set():
                self._timers_wake.clear()
                nxt = self.next_timer()
                if nxt is not None and nxt[0] <= self.clock.now():
                    self.fire(*nxt)
                    continue
                timeout = None if nxt is None else (nxt[0] - self.clock.now()).total_seconds()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._timers_wake.wait(), timeout)
        finally:
            if stopper is not None:
                stopper.cancel()

    @staticmethod
    async def _set_on(stop: asyncio.Event, wake: asyncio.Event) -> None:
        await stop.wait()
        wake.set()

    # -- sending ----------------------------------------------------------------------------
    async def run_outbox(self, stop: asyncio.Event | None = None) -> None:
        if self.sender is None:
            raise RuntimeError("no sender: App.create(..., sender=...)")
        await self.outbox.run(self.sender, stop)

    async def aclose(self, flush_timeout: float = 30.0) -> None:
        """Welcome who is still waiting, flush what is queued (paced), then close the database."""
        from handlers.welcome import flush_due

        self._submit(flush_due(self.ctx, datetime.max.replace(tzinfo=self.clock.now().tzinfo)))
        if self.sender is not None and len(self.outbox):
            await self.outbox.flush(self.sender, flush_timeout)
        self.close()

    def close(self) -> None:
        """Write buffered rows, then close the database."""
        self.flush_buffers()
        self.flush_hooks = []
        if self.db is not None:
            self.db.close()


def _failed_recorder(db: Database, clock: Clock):  # type: ignore[no-untyped-def]
    from bot.store.db import utc_naive
    from bot.store.outbox_models import FailedSend

    def record(action: Action, error: str, attempts: int) -> None:
        with db.session() as s:
            s.add(FailedSend(ts=utc_naive(clock.now()), kind=action.kind,
                             conversation=conversation(action), text=action.text,
                             reason=action.reason, error=error, attempts=attempts))

    return record
