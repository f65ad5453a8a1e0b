"""Safe reload of ``faq.yaml`` and the schedules: all or nothing.

Everything new is built and validated first (the FAQ index fully, the schedule jobs); only when
every part is good is it swapped in, the index in one assignment. A bad file keeps the running
version whole and the operators get its file, line and problem. Triggered by ``#重载`` and, in live
runs, by ``watch`` noticing a changed file.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.actions import DirectMessage
from bot.context import Context
from bot.faq.index import FaqIndex
from bot.yamlfile import ConfigError

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger("qunbot.reload")

RELOADER_KEY = "reloader"
"""Where ``attach`` leaves the app's reload function in ``ctx.memory.extra`` for ``#重载``."""


@dataclass(frozen=True, slots=True)
class ReloadReport:
    ok: bool
    faq_entries: int = 0
    jobs: int | None = None
    """Schedule jobs loaded; None when schedules were not reloaded (no schedule module or source)."""
    error: str | None = None
    """``file:line:col: key: problem`` of the first bad file."""

    def summary(self) -> str:
        if not self.ok:
            return f"重载失败，继续使用原来的版本：{self.error}"
        jobs = f"，定时任务 {self.jobs} 个" if self.jobs is not None else ""
        return f"已重载：FAQ {self.faq_entries} 条{jobs}。"


@dataclass(frozen=True, slots=True)
class Prepared:
    """A fully built new state, not yet in use."""

    index: FaqIndex
    jobs: list[Any] | None


def prepare(ctx: Context, timed: Sequence[Any] = ()) -> Prepared:
    """Build the new FAQ index and schedule jobs; raises ConfigError, changes nothing."""
    from bot.app import build_faq_index

    index = build_faq_index(ctx.config, background=ctx.embed_in_background)
    jobs = None
    if any(hasattr(t, "replace_jobs") for t in timed):
        from bot.schedule import load_schedules

        jobs = list(load_schedules(ctx.config))
    return Prepared(index, jobs)


def commit(ctx: Context, prepared: Prepared, timed: Sequence[Any] = ()) -> ReloadReport:
    """Swap the prepared state in: the FAQ index in one assignment, then the jobs."""
    ctx.faq = prepared.index
    if prepared.jobs is not None:
        for source in timed:
            if hasattr(source, "replace_jobs"):
                source.replace_jobs(prepared.jobs, now=ctx.now)  # no catching up on past slots
    jobs = len(prepared.jobs) if prepared.jobs is not None else None
    return ReloadReport(True, len(prepared.index.faq.entries), jobs)


def reload(ctx: Context, timed: Sequence[Any] = ()) -> ReloadReport:
    """Reload FAQ and schedules, or nothing; never raises on a bad file."""
    try:
        prepared = prepare(ctx, timed)
    except (ConfigError, OSError, ValueError) as exc:
        log.warning("reload failed, keeping the running version: %s", exc)
        return ReloadReport(False, error=str(exc))
    report = commit(ctx, prepared, timed)
    log.info("reloaded: %d FAQ entries, %s jobs", report.faq_entries, report.jobs)
    return report


def attach(app: App) -> None:
    """Let ``#重载`` reach the app's timed sources (schedules), not only the FAQ in the context."""
    def reload_app() -> ReloadReport:
        report = reload(app.ctx, app.timed)
        app.timers_changed()  # a new or moved job may now be the next one due
        return report

    app.ctx.memory.extra[RELOADER_KEY] = reload_app


def request_reload(ctx: Context) -> ReloadReport:
    """What ``#重载`` runs: the attached app reload if any, else the FAQ alone."""
    reloader: Callable[[], ReloadReport] | None = ctx.memory.extra.get(RELOADER_KEY)
    return reloader() if reloader is not None else reload(ctx)


def failure_notices(ctx: Context, report: ReloadReport, skip: str | None = None) -> list[DirectMessage]:
    """One DM per operator with the file, line and problem of a failed reload."""
    from handlers.replies import reload_failed_text

    if report.ok or report.error is None:
        return []
    text = reload_failed_text(report.error)
    return [DirectMessage(contact=op, text=text, reason="admin") for op in ctx.config.operators if op != skip]


# -- watching files ------------------------------------------------------------------------------
def watched_files(ctx: Context) -> list[Path]:
    """``faq.yaml`` and the schedules: the file, or every file under the folder (templates too)."""
    files = [ctx.config.faq_path]
    sched = ctx.config.schedules_path
    if sched is not None and sched.is_file():
        files.append(sched)
    elif sched is not None and sched.is_dir():
        files += sorted(p for p in sched.rglob("*") if p.is_file())
    return files


def snapshot(files: Sequence[Path]) -> dict[Path, float | None]:
    out: dict[Path, float | None] = {}
    for path in files:
        try:
            out[path] = path.stat().st_mtime_ns
        except OSError:
            out[path] = None
    return out


class FileWatcher:
    """Notices changed, added or removed files between polls."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.seen = snapshot(watched_files(ctx))

    def changed(self) -> bool:
        now = snapshot(watched_files(self.ctx))
        if now == self.seen:
            return False
        self.seen = now
        return True


async def watch(app: App, interval: float = 3.0, stop: asyncio.Event | None = None) -> None:
    """Live: poll file times every ``interval`` s; reload on a change and tell operators of a bad file.

    The new index is built in a worker thread (it takes a moment) and swapped in on the loop.
    """
    attach(app)
    watcher = FileWatcher(app.ctx)
    while stop is None or not stop.is_set():
        await asyncio.sleep(interval)
        if not watcher.changed():
            continue
        await asyncio.sleep(min(interval, 0.5))  # let an editor finish writing
        watcher.changed()
        try:
            prepared = await asyncio.to_thread(prepare, app.ctx, app.timed)
        except Exception as exc:  # noqa: BLE001 - a bad file (or a loader bug) must not stop watching
            report = ReloadReport(False, error=str(exc))
            log.warning("file change not loaded, keeping the running version: %s", exc)
            for notice in failure_notices(app.ctx, report):
                app.outbox.submit(notice)
            continue
        report = commit(app.ctx, prepared, app.timed)
        app.timers_changed()
        log.info("files changed, reloaded: %d FAQ entries, %s jobs", report.faq_entries, report.jobs)
