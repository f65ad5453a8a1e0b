"""Offline replay: a recorded chat log through the whole bot on a simulated clock.

Same handlers, timed jobs, outbox and database code as a live run; the WeChat connection is
replaced by the log (events in) and a recorder (actions out).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from bot.actions import Action
from bot.app import App
from bot.clock import SimClock
from bot.config import Config
from bot.events import Event
from bot.logfile import Skipped, read_events
from bot.recorder import Recorder


@dataclass(slots=True)
class ReplayResult:
    events: int = 0
    actions: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


EventHook = Callable[[Event], None]
ActionHook = Callable[[dict[str, Any], Action], None]


async def replay(lines: Iterable[str], config: Config, *, db_url: str | None = None,
                 out: IO[str] | None = None, until: datetime | None = None, seed: int = 0,
                 on_event: EventHook | None = None, on_action: ActionHook | None = None,
                 app_factory: Callable[..., App] | None = None) -> ReplayResult:
    """Replay ``lines`` (JSON log lines) and return what the bot did."""
    result = ReplayResult()
    events = read_events(lines, (config.bot.name,), result.skipped)
    app: App | None = None
    clock: SimClock | None = None
    recorder: Recorder | None = None
    for event in events:
        if app is None:
            clock = SimClock(event.ts, config.tz)
            recorder = Recorder(clock, out, on_action)
            app = (app_factory or App.create)(config, clock, recorder, db_url=db_url, rng=random.Random(seed))
            app.start_timers(event.ts)
        assert clock is not None and recorder is not None
        if until is not None and event.ts > until:
            break
        await _advance(app, recorder, event.ts)
        clock.set(event.ts)
        result.events += 1
        if on_event is not None:
            on_event(event)
        dispatched = app.dispatch(event)
        result.errors.extend(dispatched.errors)
    if app is None:
        return result
    assert recorder is not None
    end = until or app.clock.now()
    await _advance(app, recorder, end)
    await app.outbox.pump_until(recorder, None)
    result.actions = recorder.records
    app.close()
    return result


async def _advance(app: App, recorder: Recorder, to: datetime) -> None:
    """Fire timed jobs and send queued messages due up to ``to``, in time order."""
    while (nxt := app.next_timer()) is not None and nxt[0] <= to:
        when, source = nxt
        await app.outbox.pump_until(recorder, when)
        await app.clock.sleep_until(when)
        app.fire(when, source)
    await app.outbox.pump_until(recorder, to)


def replay_sync(lines: Iterable[str], config: Config, **kwargs: Any) -> ReplayResult:
    return asyncio.run(replay(lines, config, **kwargs))
