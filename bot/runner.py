"""The live run: connect, watch login/ready, feed events to the app, reconnect, shut down cleanly.

The SDK neither reports a failed start nor reconnects usefully (it prints, sleeps 60 s, and a
second login on the same instance never fires). So every attempt is a fresh connection from
``WechatyLink``, watched here with timeouts; a disconnect after a good session is retried with
exponential backoff, a first connection that fails is a clear error. One ``key=value`` log line
per event worth knowing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.actions import Action, conversation
from bot.app import App
from bot.clock import Clock, RealClock
from bot.config import Config
from bot.events import Message
from bot.wechaty_adapter import Connection, FixedPuppetService, Incoming, Puppet, WechatyLink

log = logging.getLogger("qunbot.run")


def kv(event: str, **fields: Any) -> str:
    """One structured log line: ``event=login self=wxid_x``; values with spaces are JSON-quoted."""
    parts = [f"event={event}"]
    for key, value in fields.items():
        if value is None:
            continue
        text = str(value)
        if not text or any(c in text for c in ' ="\n\t'):
            text = json.dumps(text, ensure_ascii=False)
        parts.append(f"{key}={text}")
    return " ".join(parts)


class StartupError(RuntimeError):
    """The first connection did not log in / get ready: a configuration or service problem."""


@dataclass(frozen=True, slots=True)
class RunOptions:
    login_timeout: float = 300.0
    """Seconds to wait for login (a QR scan may be needed on a fresh puppet)."""
    ready_timeout: float = 60.0
    backoff_initial: float = 1.0
    backoff_max: float = 60.0
    stable_seconds: float = 60.0
    """A session that stayed up this long resets the backoff."""
    flush_timeout: float = 30.0
    watch_interval: float = 3.0
    """Seconds between checks of faq.yaml and the schedules for changes (reloaded safely)."""


def service_puppet_factory(endpoint: str, token: str) -> Callable[[], Puppet]:
    return lambda: FixedPuppetService(endpoint, token)


class LoggingSender:
    """Wraps the live sender: one line per send and per failure (the outbox retries failures)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def send(self, action: Action) -> None:
        fields = {"kind": action.kind, "to": conversation(action), "reason": action.reason,
                  "reply_to": getattr(action, "reply_to", None), "job": action.job}
        try:
            await self.inner.send(action)
        except Exception as exc:
            log.warning(kv("send_failed", **fields, error=f"{type(exc).__name__}: {exc}"))
            raise
        log.info(kv("sent", **fields))


class Runner:
    def __init__(self, app: App, link: WechatyLink, options: RunOptions | None = None) -> None:
        self.app = app
        self.link = link
        self.options = options or RunOptions()
        self.handled = 0
        self.errors = 0
        link.sink = self.on_incoming

    @classmethod
    def create(cls, config: Config, puppet_factory: Callable[[], Puppet], options: RunOptions | None = None,
               *, clock: Clock | None = None, db_url: str | None = None) -> Runner:
        clock = clock or RealClock(config.tz)
        link = WechatyLink(clock, bot_name=config.bot.name, ignore=config.bot.ignore,
                           stale_seconds=config.stale_message_seconds, puppet_factory=puppet_factory)
        app = App.create(config, clock, LoggingSender(link.sender), db_url=db_url, live=True)
        return cls(app, link, options)

    # -- events ------------------------------------------------------------------------------
    async def on_incoming(self, incoming: Incoming) -> None:
        """Hand one event to the app; a handler bug is logged with the event id, never fatal."""
        event = incoming.event
        fields = {"id": event.id, "room": getattr(event, "room", None) or "dm"}
        kind = type(event).__name__.lower()
        try:
            if incoming.stale:
                record = getattr(self.app, "record", None)
                if record is not None:
                    record(event)
                decision = "stale"
            else:
                actions = self.app.handle(event)
                decision = ",".join(f"{a.kind}:{a.reason}" for a in actions) or "none"
        except Exception as exc:  # noqa: BLE001 - keep running
            self.errors += 1
            log.exception(kv("handler_error", **fields, kind=kind, error=type(exc).__name__))
            return
        self.handled += 1
        if isinstance(event, Message):
            log.info(kv("message", **fields, sender=event.sender, decision=decision))
        else:
            log.info(kv(kind, **fields, member=getattr(event, "member", None), decision=decision))

    # -- the run -----------------------------------------------------------------------------
    async def run(self, stop: asyncio.Event) -> None:
        """Until ``stop`` is set. Raises StartupError if the first connection does not log in."""
        outbox_stop, timers_stop = asyncio.Event(), asyncio.Event()
        outbox = asyncio.create_task(self.app.run_outbox(outbox_stop), name="outbox")
        timers = asyncio.create_task(self.app.run_timers(timers_stop), name="timers")
        from bot.reload import watch

        watcher = asyncio.create_task(watch(self.app, self.options.watch_interval, timers_stop), name="watch")
        flusher = asyncio.create_task(self.app.run_flusher(timers_stop), name="flusher")
        try:
            await self._connect_loop(stop)
        finally:
            self.link.accepting = False
            timers_stop.set()
            timers.cancel()
            watcher.cancel()
            flusher.cancel()
            await self._stop_outbox(outbox, outbox_stop)
            try:  # flush the outbox (paced) and close the database
                await self.app.aclose(self.options.flush_timeout)
            except Exception:  # noqa: BLE001 - still disconnect
                log.exception(kv("close_error"))
            await self.link.disconnect()
            log.info(kv("stopped", handled=self.handled, errors=self.errors))

    async def _stop_outbox(self, task: asyncio.Task[None], stop: asyncio.Event) -> None:
        """Let the sending loop finish a send in progress (cancelling mid-send could post twice)."""
        stop.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), 10)
        except (TimeoutError, asyncio.CancelledError):
            task.cancel()
        except Exception:  # noqa: BLE001
            log.exception(kv("outbox_error"))

    async def _connect_loop(self, stop: asyncio.Event) -> None:
        opts = self.options
        delay = opts.backoff_initial
        attempt = 0
        was_ready = False
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            attempt += 1
            if attempt > 1:
                log.info(kv("connect", attempt=attempt))
            conn = self.link.connect()
            try:
                outcome = await self._session(conn, stop)
                if outcome == "stopped":
                    return
                was_ready = True
            except StartupError as exc:
                if not was_ready:
                    raise
                log.warning(kv("connect_failed", attempt=attempt, error=str(exc)))
            ready_for = loop.time() - conn.ready_at if conn.ready_at is not None else 0.0
            await self.link.disconnect()
            if ready_for >= opts.stable_seconds:
                delay = opts.backoff_initial
            wait = min(delay, opts.backoff_max) * random.uniform(0.8, 1.2)
            log.info(kv("reconnect", attempt=attempt + 1, in_seconds=f"{wait:.1f}"))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), wait)
            delay = min(delay * 2, opts.backoff_max)

    async def _session(self, conn: Connection, stop: asyncio.Event) -> str:
        """One connection: "stopped" on shutdown, "disconnected" when it ends after being ready."""
        opts = self.options
        got = await _first(stop, conn.logged_in, conn.task, timeout=opts.login_timeout)
        if got is stop:
            return "stopped"
        if got is None:
            raise StartupError(f"not logged in within {opts.login_timeout:g} s "
                               "(is the puppet service running and logged in? see --login-timeout)")
        if got is conn.task:
            raise StartupError(f"could not start the puppet: {_task_error(conn.task)}")
        log.info(kv("login", self=conn.self_id, name=conn.self_name))
        got = await _first(stop, conn.ready, conn.task, timeout=opts.ready_timeout)
        if got is stop:
            return "stopped"
        if got is conn.task:
            raise StartupError(f"connection lost before ready: {_task_error(conn.task)}")
        conn.ready_at = asyncio.get_running_loop().time()
        if got is None:
            # Logged in is enough to talk; some puppets (the mock, some gateways) never say "ready".
            log.warning(kv("ready_timeout", self=conn.self_id, seconds=f"{opts.ready_timeout:g}",
                           note="no ready event from the puppet; continuing"))
        else:
            log.info(kv("ready", self=conn.self_id))
        await self.link.set_nickname(self.app.config.bot.nickname_template)
        got = await _first(stop, conn.logged_out, conn.task, timeout=None)
        if got is stop:
            return "stopped"
        if got is conn.logged_out:
            log.warning(kv("logout", self=conn.self_id))
        else:
            log.warning(kv("disconnect", reason=_task_error(conn.task)))
        return "disconnected"


def _task_error(task: asyncio.Task[None]) -> str:
    if task.cancelled():
        return "cancelled"
    exc = task.exception()
    return f"{type(exc).__name__}: {exc}" if exc else "event stream ended"


async def _first(*waitables: asyncio.Event | asyncio.Task[Any], timeout: float | None) -> Any:
    """The first of these events/tasks to be set/done (events checked in order), or None on timeout."""
    for w in waitables:
        if (w.is_set() if isinstance(w, asyncio.Event) else w.done()):
            return w
    waiters: dict[asyncio.Future[Any], Any] = {}
    for w in waitables:
        fut = asyncio.ensure_future(w.wait()) if isinstance(w, asyncio.Event) else w
        waiters[fut] = w
    try:
        done, _ = await asyncio.wait(set(waiters), timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for fut, w in waiters.items():
            if fut is not w and not fut.done():
                fut.cancel()
    for fut, w in waiters.items():  # keep the argument order for ties
        if fut in done:
            return w
    return None


class RedactFilter(logging.Filter):
    """Replaces a secret (the service token) in every log record, tracebacks included."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secret:
            return True
        message = record.getMessage()
        if self.secret in message:
            record.msg, record.args = message.replace(self.secret, "***"), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self.secret in record.exc_text:
            record.exc_text = record.exc_text.replace(self.secret, "***")
        return True


def install_redaction(secret: str) -> None:
    """Belt and braces: the token is never passed to a logger, but the SDK logs freely (its own
    handlers, no propagation), so every handler that exists gets the filter."""
    flt = RedactFilter(secret)
    loggers = [logging.getLogger()] + [lg for lg in logging.Logger.manager.loggerDict.values()
                                       if isinstance(lg, logging.Logger)]
    for lg in loggers:
        for handler in lg.handlers:
            if not any(isinstance(f, RedactFilter) and f.secret == secret for f in handler.filters):
                handler.addFilter(flt)


async def run_live(config: Config, endpoint: str, token: str, options: RunOptions | None = None,
                   *, db_url: str | None = None, stop: asyncio.Event | None = None) -> None:
    """``qunbot run``: the bot on a puppet service until ``stop`` (SIGINT/SIGTERM in the CLI)."""
    install_redaction(token)
    runner = Runner.create(config, service_puppet_factory(endpoint, token), options, db_url=db_url)
    log.info(kv("starting", endpoint=endpoint, bot=config.bot.name, account=config.account))
    await runner.run(stop or asyncio.Event())
