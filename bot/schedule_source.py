"""The schedule as a timed source: jobs fire at their cron times, each post exactly once.

Exactly once: before a post is handed to the outbox, its key (bot account, job, room, fire time)
is claimed in the database under a unique constraint; a key already there is never posted again (a
replay of the same log into the same database, a second process of the same account, a restart).
Another bot account sharing the database claims its own keys, for its own rooms: ``rooms: all``
means the rooms this account has seen (``bot.store.rooms``). The claim comes
before the send, so a crash between the two loses that post rather than doubling it.

Missed posts: each job's mark in the database is the last fire time dealt with. The first fire
of a run is a start check at the start time itself: fires since the mark that are at most
``grace`` old are posted once (late), older ones are skipped and logged. A job without a mark
(a fresh database, a new job) has missed nothing. Replay starts on a fresh mark the same way,
so it only fires jobs inside the log's time span.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.actions import Action, Announce, Say, SetTopic
from bot.config import Config
from bot.schedule import Job, load_schedules, render_job
from bot.store.rooms import known_rooms
from bot.store.schedule_models import advance_marks, claim_post, marks

if TYPE_CHECKING:
    from bot.context import Context

log = logging.getLogger("qunbot.schedule")


class ScheduleSource:
    """A TimedSource over all schedule jobs; ``replace_jobs`` swaps them at once (reload)."""

    name = "schedule"

    def __init__(self, jobs: Sequence[Job], grace: timedelta) -> None:
        self._jobs: tuple[Job, ...] = tuple(jobs)
        self.grace = grace
        self._started = False
        self._floor: datetime | None = None
        self._cache: dict[str, tuple[datetime, datetime]] = {}
        self._claimed: set[tuple[str, str, datetime]] = set()  # only without a database

    @classmethod
    def from_config(cls, config: Config) -> ScheduleSource:
        return cls(load_schedules(config), timedelta(minutes=config.schedule.grace_minutes))

    @property
    def jobs(self) -> tuple[Job, ...]:
        return self._jobs

    def replace_jobs(self, jobs: Sequence[Job], now: datetime | None = None) -> None:
        """Swap in a new job list (one assignment: a fire sees the old list or the new one).

        With ``now``, nothing before ``now`` fires: a job added at 10:00 with a 09:30 cron waits
        for its next 09:30 instead of posting a slot it never had.
        """
        self._jobs = tuple(jobs)
        self._cache = {}
        if now is not None:
            self._floor = now

    # -- TimedSource ----------------------------------------------------------------------------
    def next_fire(self, after: datetime) -> datetime | None:
        if not self._jobs:
            return None
        if not self._started:
            return after  # the start check: catch up on posts missed while the bot was down
        start = max(after, self._floor) if self._floor is not None else after
        return min(self._next(job, start) for job in self._jobs)

    def fire(self, when: datetime, ctx: Context) -> list[Action]:
        jobs = self._jobs
        if not self._started:
            self._started = True
            return self._catch_up(jobs, when, ctx)
        actions: list[Action] = []
        for job in jobs:
            if job.fires_at(when):
                actions += self._post(job, when, ctx)
        if ctx.store is not None:
            advance_marks(ctx.store, ctx.config.account, [j.id for j in jobs], when)
        return actions

    # -- internals ------------------------------------------------------------------------------
    def _next(self, job: Job, after: datetime) -> datetime:
        cached = self._cache.get(job.id)
        if cached is not None and cached[0] <= after < cached[1]:
            return cached[1]
        nxt = job.next_fire(after)
        self._cache[job.id] = (after, nxt)
        return nxt

    def _catch_up(self, jobs: Sequence[Job], now: datetime, ctx: Context) -> list[Action]:
        if ctx.store is None:
            return []
        actions: list[Action] = []
        stored = marks(ctx.store, ctx.config.account)
        for job in jobs:
            mark = stored.get(job.id)
            if mark is None or mark >= now:
                continue
            missed = job.fires_between(mark, now)
            late = [t for t in missed if now - t <= self.grace]
            too_old = [t for t in missed if now - t > self.grace]
            if too_old:
                log.warning("schedule: skipped %d missed post(s) of job %s, the latest due %s "
                            "(more than %s before the start at %s)", len(too_old), job.id,
                            too_old[-1].isoformat(), self.grace, now.isoformat())
            for t in late:
                log.info("schedule: posting job %s due %s late, at start %s", job.id, t.isoformat(),
                         now.isoformat())
                actions += self._post(job, t, ctx)
        advance_marks(ctx.store, ctx.config.account, [j.id for j in jobs], now)
        return actions

    def _post(self, job: Job, fire_at: datetime, ctx: Context) -> list[Action]:
        db = ctx.store
        topics = known_rooms(db, ctx.config.account) if db is not None else {}
        rooms = job.rooms if job.rooms is not None else tuple(topics)
        if not rooms:
            log.info("schedule: job %s due %s: no rooms known yet", job.id, fire_at.isoformat())
            return []
        questions = [e.question for e in ctx.faq.faq.entries]
        actions: list[Action] = []
        for room in rooms:
            text = render_job(job, ctx.config, questions, fire_at, topics.get(room) or None)
            if not text:
                log.warning("schedule: job %s rendered empty text for %s, not posted", job.id, room)
                continue
            if not self._claim(db, ctx.config.account, job, room, fire_at, ctx.now, text):
                log.info("schedule: job %s due %s already posted in %s", job.id, fire_at.isoformat(), room)
                continue
            actions.append(post_action(job, room, text))
        return actions

    def _claim(self, db: object, account: str, job: Job, room: str, fire_at: datetime, now: datetime,
               text: str) -> bool:
        if db is None:
            key = (job.id, room, fire_at)
            if key in self._claimed:
                return False
            self._claimed.add(key)
            return True
        return claim_post(db, account, job.id, room, fire_at, now, job.action, text)  # type: ignore[arg-type]


def post_action(job: Job, room: str, text: str) -> Action:
    if job.action == "announce":
        return Announce(room=room, text=text, reason="schedule", job=job.id)
    if job.action == "topic":
        return SetTopic(room=room, text=text, reason="schedule", job=job.id)
    return Say(room=room, text=text, reason="schedule", job=job.id)
