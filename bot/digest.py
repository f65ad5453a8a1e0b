"""The operators' daily digest: KOL candidates, who is fading, the questions nobody answered.

Built from the database only (``build_digest``), so the timed DM, ``qunbot digest`` and the demo
show the same thing. Each bot account digests the rooms it has seen (``bot.store.rooms``): two bots
sharing one database send two digests, each about its own rooms. The DM text stays under
``digest.max_chars``: lines are added in order of importance until the next one would not fit.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from bot.actions import Action, DirectMessage
from bot.activity import query
from bot.activity.score import Candidate, Fading, rank, weights_from
from bot.config import Config
from bot.events import SELF_ID
from bot.store import Database
from bot.store.rooms import all_topics, known_rooms
from bot.unanswered import top_groups

if TYPE_CHECKING:
    from bot.context import Context

log = logging.getLogger("qunbot.digest")

SEGMENT_WORDS = {"kol": "达人", "rising": "新星", "active": "活跃"}
UNANSWERED_DAYS = 7
"""The unanswered questions shown are those of the last week."""


@dataclass(frozen=True, slots=True)
class Unanswered:
    text: str
    count: int
    rooms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Digest:
    date: date
    candidates: tuple[Candidate, ...]
    fading: tuple[Fading, ...]
    unanswered: tuple[Unanswered, ...]
    topics: dict[str, str]
    window: int

    def to_json(self) -> dict[str, Any]:
        """The ``qunbot digest --json`` shape of interfaces.md."""
        return {
            "date": self.date.isoformat(),
            "candidates": [{"member": c.member, "name": c.name, "room": c.room, "score": c.score,
                            "segment": c.segment, "reasons": list(c.reasons)} for c in self.candidates],
            "fading": [{"member": f.member, "room": f.room, "reasons": list(f.reasons)} for f in self.fading],
            "unanswered": [{"text": u.text, "count": u.count, "rooms": list(u.rooms)} for u in self.unanswered],
        }

    def topic(self, room: str) -> str:
        return self.topics.get(room) or room


def build_digest(db: Database, config: Config, day: date, *, with_daily: bool = False,
                 rooms: Mapping[str, str] | None = None) -> Digest:
    """The digest for ``day`` (its activity window ends that day); ``with_daily`` adds each
    candidate's messages per day (for the HTML sparklines).

    ``rooms`` (room id -> topic) limits it to those rooms and their unanswered questions (plus those
    asked in direct messages), as each account's digest does (``account_rooms``); None reads every room.
    """
    window = config.activity.window_days
    weights = weights_from(config.activity.weights)
    excluded = frozenset((*config.operators, *config.bot.ignore, SELF_ID))
    only = list(rooms) if rooms is not None else None
    # an account that has seen every room in the database needs no per-row room filter (the usual case)
    only_activity = None if only and set(only) >= set(all_topics(db)) else only
    stats = query.load(db, day, window, only_activity)
    ranking = rank(stats, query.member_info(db, config.tz), day, window=window, weights=weights,
                   excluded=excluded, top=config.digest.top)
    candidates = ranking.candidates
    if with_daily and candidates:
        daily = query.daily_counts(db, day, window, [(c.room, c.member) for c in candidates])
        candidates = tuple(replace(c, daily=daily[(c.room, c.member)]) for c in candidates)
    since = datetime.combine(day - timedelta(days=UNANSWERED_DAYS - 1), time(0), config.tz)
    until = datetime.combine(day + timedelta(days=1), time(0), config.tz)
    topics = dict(rooms) if rooms is not None else all_topics(db)
    return Digest(day, candidates, ranking.fading, tuple(_unanswered(db, since, until, only)), topics, window)


def account_rooms(db: Database, config: Config) -> dict[str, str]:
    """The rooms this bot account has seen, with their topics: what its digest covers."""
    return known_rooms(db, config.account)


def _unanswered(db: Database, since: datetime, until: datetime, rooms: list[str] | None,
                limit: int = 5) -> list[Unanswered]:
    """The week's most frequent unanswered questions, up to the end of the digest's day."""
    groups = top_groups(db, since=since, until=until, limit=limit, rooms=rooms, direct=True)
    return [Unanswered(g.text, g.count, tuple(g.rooms)) for g in groups]


def render_text(d: Digest, max_chars: int = 800) -> str:
    """The DM text, at most ``max_chars`` characters; the least important lines go first."""
    head = f"【社群日报】{d.date.month}月{d.date.day}日（近{d.window}天）"
    sections: list[tuple[str, list[str]]] = []
    by_room: dict[str, list[Candidate]] = {}
    for c in d.candidates:
        by_room.setdefault(c.room, []).append(c)
    cand_lines: list[str] = []
    for room, people in by_room.items():
        cand_lines.append(f"▍{d.topic(room)}")
        for i, c in enumerate(people, 1):
            why = "，".join(c.reasons[:2])
            cand_lines.append(f"{i}. {c.name}［{SEGMENT_WORDS[c.segment]} {c.score:.0f}］{why}")
    sections.append(("达人候选：", cand_lines or ["（暂无）"]))
    if d.fading:
        sections.append(("渐冷提醒：", [f"· {f.name}（{d.topic(f.room)}）{'，'.join(f.reasons)}"
                                       for f in d.fading]))
    if d.unanswered:
        sections.append(("没人回答的高频问题：", [f"· {u.text}（{u.count}次）" for u in d.unanswered]))
    more = "…更多见 qunbot digest"
    lines = [head]
    used = len(head)
    cut = False
    for title, body in sections:
        if used + 1 + len(title) + len(more) + 1 > max_chars:
            cut = True
            break
        lines.append(title)
        used += 1 + len(title)
        for line in body:
            if used + 1 + len(line) + 1 + len(more) > max_chars:
                cut = True
                break
            lines.append(line)
            used += 1 + len(line)
    if cut:
        lines.append(more)
    return "\n".join(lines)[:max_chars]


class DigestSource:
    """A timed source: every day at ``digest.time``, a DM with the day's digest to each recipient.

    Before reading, it writes the activity still buffered; once a day it also deletes activity
    older than ``activity.retention_days``.
    """

    name = "digest"

    def __init__(self, config: Config) -> None:
        hh, mm = (int(x) for x in config.digest.time.split(":"))
        self.at = time(hh, mm)
        self.tz = config.tz

    def next_fire(self, after: datetime) -> datetime | None:
        local = after.astimezone(self.tz)
        when = datetime.combine(local.date(), self.at, self.tz)
        while when <= local:
            when = datetime.combine(when.date() + timedelta(days=1), self.at, self.tz)
        return when

    def fire(self, when: datetime, ctx: Context) -> list[Action]:
        from bot.activity.recorder import flush

        config, db = ctx.config, ctx.store
        if db is None or not config.digest.enabled or not config.digest_recipients:
            return []
        flush(ctx)
        day = when.astimezone(self.tz).date()
        query.purge(db, day, config.activity.retention_days)
        digest = build_digest(db, config, day, rooms=account_rooms(db, config))
        text = render_text(digest, config.digest.max_chars)
        return [DirectMessage(contact=who, text=text, reason="digest") for who in config.digest_recipients]
