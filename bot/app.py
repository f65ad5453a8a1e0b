"""The assembled bot: config, FAQ index, store, handlers in their order, outbox and timed sources.

Live runs, replay, the demo and tests all build an ``App`` the same way; only the clock and the
sender differ (real clock + Wechaty sender, or simulated clock + recorder).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

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


def default_handlers() -> list[Handler]:
    """The handlers in the order they run. Earlier ones can stop later ones."""
    from handlers.choice import ChoiceReply
    from handlers.fallback import Fallback
    from handlers.faq_answer import FaqAnswer
    from handlers.guard import Guard

    return [Guard(), ChoiceReply(), FaqAnswer(), Fallback()]


def default_timed(config: Config) -> list[TimedSource]:
    return []


def build_faq_index(config: Config, faq_path: str | None = None) -> FaqIndex:
    from bot.faq.matcher import build_index

    return build_index(load_faq(faq_path or config.faq_path), bot_names=(config.bot.name,))


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

    @classmethod
    def create(cls, config: Config, clock: Clock, sender: Sender | None = None, *,
               db_url: str | None = None, rng: random.Random | None = None,
               faq_index: FaqIndex | None = None, handlers: Sequence[Handler] | None = None,
               timed: Sequence[TimedSource] | None = None) -> App:
        db = Database(db_url or config.database_url())
        index = faq_index or build_faq_index(config)
        ctx = Context(config=config, clock=clock, faq=index, store=db)
        outbox = Outbox(config.outbox, clock, rng=rng, on_failed=_failed_recorder(db, clock))
        return cls(ctx, Dispatcher(handlers if handlers is not None else default_handlers()),
                   outbox, sender, timed if timed is not None else default_timed(config), db)

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
        for action in result.actions:
            self.outbox.submit(action)
        return result

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
        for action in actions:
            self.outbox.submit(action)
        return actions

    async def run_timers(self, stop: asyncio.Event | None = None) -> None:
        """Live: sleep on the clock until the next timed job, fire it, repeat."""
        self.start_timers(self.clock.now())
        while stop is None or not stop.is_set():
            nxt = self.next_timer()
            if nxt is None:
                return
            when, source = nxt
            await self.clock.sleep_until(when)
            self.fire(when, source)

    # -- sending ----------------------------------------------------------------------------
    async def run_outbox(self, stop: asyncio.Event | None = None) -> None:
        if self.sender is None:
            raise RuntimeError("no sender: App.create(..., sender=...)")
        await self.outbox.run(self.sender, stop)

    async def aclose(self, flush_timeout: float = 30.0) -> None:
        """Flush what is queued (paced), then close the database."""
        if self.sender is not None and len(self.outbox):
            await self.outbox.flush(self.sender, flush_timeout)
        if self.db is not None:
            self.db.close()


def _failed_recorder(db: Database, clock: Clock):  # type: ignore[no-untyped-def]
    from bot.store.outbox_models import FailedSend

    def record(action: Action, error: str, attempts: int) -> None:
        with db.session() as s:
            s.add(FailedSend(ts=clock.now(), kind=action.kind,
                             conversation=conversation(action), text=action.text,
                             reason=action.reason, error=error, attempts=attempts))

    return record
