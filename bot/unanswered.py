"""Questions the FAQ could not answer: recorded as they happen, grouped so variants count together.

Operators want "what do members keep asking that the FAQ lacks", not a raw list: the same question
comes reworded, in traditional characters, with @mentions and emoji. Each question is reduced to its
topic characters (``bot.faq.normalize`` folds traditional/full-width/emoji/mentions; asking words and
particles go) and compared by character bigrams; a question joins the group it is most similar to.
``top_groups`` is what ``qunbot unanswered``, ``qunbot faq suggest`` and the daily digest read.
"""

from __future__ import annotations

import re
import weakref
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache

from sqlalchemy import func, insert, or_, select

from bot.store import Database
from bot.store.db import utc_naive as to_utc
from bot.store.unanswered_models import HandoffRecord, RoomDay, RoomDayAsker, UnansweredQuestion

SIMILAR = 0.5
"""Similarity from which two questions are variants of one another."""

_FILLERS = re.compile(
    "有没有人知道|有人知道|谁知道|有谁知道|请问一下|请问|问一下|问下|想问问|想问一下|想问|同问|求助|求问|"
    "大家好|各位|大家|小助手|老师|教练|你们|我们|怎么办|怎么回事|为什么|为啥|怎么样|怎么|怎样|如何|"
    "是不是|是否|能不能|可不可以|可以吗|可以|能否|一下|一直|现在|还是|的话"
)
_NON_WORD = re.compile(r"[^\u3400-\u9fffa-z0-9]+")
_MENTION = re.compile(r"@[^\s\u2005@]{1,32}(?:[\u2005 \t]|$)")
_EMOJI_CODE = re.compile(r"\[[^\[\]\s]{1,6}\]")


@dataclass(frozen=True, slots=True)
class UnansweredGroup:
    """One question and its variants; ``count`` questions asked in ``rooms`` (busiest room first)."""

    text: str
    variants: tuple[str, ...]
    count: int
    rooms: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {"text": self.text, "variants": list(self.variants), "count": self.count,
                "rooms": list(self.rooms)}


@dataclass(frozen=True, slots=True)
class Asked:
    """One recorded question, as grouping sees it."""

    text: str
    room: str | None
    ts: datetime


# -- time helpers --------------------------------------------------------------------------------
def day_bounds(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """A local day as a naive-UTC [start, end) range."""
    start = datetime.combine(day, time(0), tz)
    return to_utc(start), to_utc(start + timedelta(days=1))


@dataclass(slots=True)
class _DayCounts:
    messages: int = 0
    answered: int = 0
    suggested: int = 0
    askers: set[str] = field(default_factory=set)


# -- recording -----------------------------------------------------------------------------------
# Questions are written in batches, like the activity rows and the day counters: a commit per message
# would cap a replay near 1,000 messages a second. Every reader calls ``flush_pending`` first, and the
# app flushes at close. The per-member "unanswered lately" counts come from memory, seeded from the
# database once per member (after a restart the window still holds).
_FLUSH_AT = 500


@dataclass(slots=True)
class _Pending:
    rows: list[dict[str, object]] = field(default_factory=list)
    days: dict[tuple[str, str], _DayCounts] = field(default_factory=dict)
    recent: dict[tuple[str | None, str], dict[str, datetime]] = field(default_factory=dict)


_PENDING: weakref.WeakKeyDictionary[Database, _Pending] = weakref.WeakKeyDictionary()


def _pending(db: Database) -> _Pending:
    pending = _PENDING.get(db)
    if pending is None:
        pending = _PENDING[db] = _Pending()
    return pending


def record_unanswered(db: Database, *, ts: datetime, room: str | None, member: str, text: str,
                      member_name: str = "", room_topic: str | None = None, msg_id: str = "") -> None:
    pending = _pending(db)
    pending.rows.append({"ts": to_utc(ts), "room": room, "room_topic": room_topic or "", "member": member,
                         "member_name": member_name, "msg_id": msg_id, "text": text})
    seen = pending.recent.get((room, member))
    if seen is not None:
        seen[msg_id or f"#{len(pending.rows)}"] = to_utc(ts)
    if len(pending.rows) >= _FLUSH_AT:
        flush_pending(db)


def recent_unanswered(db: Database, room: str | None, member: str, since: datetime,
                      exclude_msg: str = "") -> int:
    """How many of this member's questions in this room went unanswered since ``since``."""
    pending = _pending(db)
    key = (room, member)
    seen = pending.recent.get(key)
    start = to_utc(since)
    if seen is None:  # first time this run: what the database (and the buffer) hold
        flush_pending(db)
        q = select(UnansweredQuestion.msg_id, UnansweredQuestion.id, UnansweredQuestion.ts).where(
            UnansweredQuestion.member == member, UnansweredQuestion.ts >= start,
            UnansweredQuestion.room.is_(None) if room is None else UnansweredQuestion.room == room)
        with db.session() as s:
            seen = {msg_id or f"id{row_id}": ts for msg_id, row_id, ts in s.execute(q)}
        pending.recent[key] = seen
    for old in [m for m, ts in seen.items() if ts < start]:
        del seen[old]
    return sum(1 for m in seen if m != exclude_msg)


def flush_pending(db: Database) -> None:
    """Write buffered questions and day counters in one transaction."""
    pending = _PENDING.get(db)
    if pending is None or not (pending.rows or pending.days):
        return
    rows, days = pending.rows, pending.days
    pending.rows, pending.days = [], {}
    with db.session() as s:
        if rows:
            s.execute(insert(UnansweredQuestion), rows)
        for (room, key), counts in days.items():
            row = s.scalar(select(RoomDay).where(RoomDay.room == room, RoomDay.day == key))
            if row is None:
                row = RoomDay(room=room, day=key, messages=0, answered=0, suggested=0)
                s.add(row)
            row.messages += counts.messages
            row.answered += counts.answered
            row.suggested += counts.suggested
            for asker in counts.askers:
                if s.get(RoomDayAsker, (room, key, asker)) is None:
                    s.add(RoomDayAsker(room=room, day=key, member=asker))


def latest_unanswered(db: Database, room: str, since: datetime, not_member: str) -> str | None:
    """The text of the room's latest unanswered question since ``since`` asked by someone else."""
    flush_pending(db)
    q = (select(UnansweredQuestion.text)
         .where(UnansweredQuestion.room == room, UnansweredQuestion.ts >= to_utc(since),
                UnansweredQuestion.member != not_member)
         .order_by(UnansweredQuestion.ts.desc(), UnansweredQuestion.id.desc()).limit(1))
    with db.session() as s:
        return s.scalar(q)


def record_handoff(db: Database, *, ts: datetime, room: str | None, member: str, trigger: str,
                   text: str = "", member_name: str = "") -> None:
    with db.session() as s:
        s.add(HandoffRecord(ts=to_utc(ts), room=room, member=member, member_name=member_name,
                            trigger=trigger, text=text))


def last_handoff(db: Database, room: str | None, member: str) -> datetime | None:
    """When this member was last handed to a person in this room (aware UTC), or None."""
    q = select(func.max(HandoffRecord.ts)).where(
        HandoffRecord.member == member,
        HandoffRecord.room.is_(None) if room is None else HandoffRecord.room == room)
    with db.session() as s:
        when = s.scalar(q)
    return when.replace(tzinfo=UTC) if when is not None else None


# -- room-day counters (#今日) --------------------------------------------------------------------
def bump_day(db: Database, room: str, day: date, *, messages: int = 0, answered: int = 0,
             suggested: int = 0, asker: str | None = None) -> None:
    """Add to one room's counters for a local day (buffered; written by ``flush_pending``)."""
    pending = _pending(db)
    counts = pending.days.setdefault((room, day.isoformat()), _DayCounts())
    counts.messages += messages
    counts.answered += answered
    counts.suggested += suggested
    if asker is not None:
        counts.askers.add(asker)
    if len(pending.days) >= _FLUSH_AT:
        flush_pending(db)


@dataclass(frozen=True, slots=True)
class DayNumbers:
    messages: int = 0
    askers: int = 0
    answered: int = 0
    suggested: int = 0
    unanswered: int = 0
    handoffs: int = 0


def day_numbers(db: Database, room: str, day: date, tz: tzinfo) -> DayNumbers:
    """One room's numbers for a local day; messages and askers come from the activity tables when
    they recorded that day (issue 6 keeps the fuller record), else from the counters here."""
    flush_pending(db)
    start, end = day_bounds(day, tz)
    key = day.isoformat()
    with db.session() as s:
        row = s.scalar(select(RoomDay).where(RoomDay.room == room, RoomDay.day == key))
        askers = s.scalar(select(func.count()).select_from(RoomDayAsker).where(
            RoomDayAsker.room == room, RoomDayAsker.day == key)) or 0
        unanswered = s.scalar(select(func.count()).select_from(UnansweredQuestion).where(
            UnansweredQuestion.room == room, UnansweredQuestion.ts >= start,
            UnansweredQuestion.ts < end)) or 0
        handoffs = s.scalar(select(func.count()).select_from(HandoffRecord).where(
            HandoffRecord.room == room, HandoffRecord.ts >= start, HandoffRecord.ts < end)) or 0
    messages = row.messages if row else 0
    activity = _activity_numbers(db, room, start, end)
    if activity is not None:
        messages, askers = activity[0], max(askers, activity[1])
    return DayNumbers(messages, int(askers), row.answered if row else 0, row.suggested if row else 0,
                      int(unanswered), int(handoffs))


def _activity_numbers(db: Database, room: str, start: datetime, end: datetime) -> tuple[int, int] | None:
    from bot.store.activity_models import Activity

    lo = int(start.replace(tzinfo=UTC).timestamp())
    hi = int(end.replace(tzinfo=UTC).timestamp())
    where = (Activity.room == room, Activity.ts >= lo, Activity.ts < hi)
    try:
        with db.session() as s:
            messages = s.scalar(select(func.count()).select_from(Activity).where(*where)) or 0
            askers = s.scalar(select(func.count(func.distinct(Activity.member))).where(
                *where, Activity.is_question.is_(True))) or 0
    except Exception:  # noqa: BLE001 - a changed activity schema must not break #今日
        return None
    return (int(messages), int(askers)) if messages else None


# -- grouping ------------------------------------------------------------------------------------
def display_text(text: str) -> str:
    """The member's words as an operator reads them: no @mentions, emoji codes or line breaks."""
    from bot.faq.normalize import strip_quote

    text, _ = strip_quote(text)
    text = _EMOJI_CODE.sub(" ", _MENTION.sub(" ", text))
    return " ".join(text.split())


@lru_cache(maxsize=4096)
def topic_chars(text: str) -> str:
    """The characters that carry the topic: folded, without mentions, emoji, asking words, particles."""
    from bot.faq.lexicon import stopwords
    from bot.faq.normalize import normalize

    s = _NON_WORD.sub("", normalize(text).text)
    s = _FILLERS.sub("", s)
    single = _single_stopchars(frozenset(stopwords()))
    kept = "".join(c for c in s if c not in single)
    return kept or s


@lru_cache(maxsize=1)
def _single_stopchars(words: frozenset[str]) -> frozenset[str]:
    return frozenset(w for w in words if len(w) == 1 and "\u3400" <= w <= "\u9fff") | frozenset("能算会")


def features(text: str) -> frozenset[str]:
    """Character bigrams of the topic characters (single characters for one-character topics)."""
    s = topic_chars(text)
    if len(s) < 2:
        return frozenset(s)
    return frozenset(s[i:i + 2] for i in range(len(s) - 1))


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Mostly Dice; a short question contained in a longer one still counts (overlap, discounted)."""
    if not a or not b:
        return 0.0
    common = len(a & b)
    if common == 0:
        return 0.0
    dice = 2 * common / (len(a) + len(b))
    overlap = common / min(len(a), len(b))
    if common < 2:
        overlap = 0.0
    return max(dice, 0.8 * overlap)


def group_questions(asked: Iterable[Asked], threshold: float = SIMILAR) -> list[UnansweredGroup]:
    """Group questions whose topics are alike: a cheap greedy pass in time order (each question joins
    the group holding its closest match), then groups merge while their average similarity holds."""
    groups: list[list[tuple[Asked, frozenset[str]]]] = []
    by_feature: dict[str, set[int]] = {}
    for item in sorted(asked, key=lambda a: a.ts):
        feats = features(item.text)
        best, best_sim = None, 0.0
        for gi in sorted(set().union(*(by_feature.get(f, set()) for f in feats))):
            sim = max(similarity(feats, other) for _, other in groups[gi][:50])
            if sim > best_sim:
                best, best_sim = gi, sim
        if best is None or best_sim < threshold:
            groups.append([])
            best = len(groups) - 1
        groups[best].append((item, feats))
        for f in feats:
            by_feature.setdefault(f, set()).add(best)
    merged = _merge(groups, by_feature, threshold)
    out = [_summarise(g) for g in merged]
    out.sort(key=lambda g: -g.count)  # stable: equal counts keep the order first asked
    return out


def _merge(groups: list[list[tuple[Asked, frozenset[str]]]], by_feature: dict[str, set[int]],
           threshold: float) -> list[list[tuple[Asked, frozenset[str]]]]:
    """Average-linkage merging of the greedy groups (fixes a variant that arrived before its bridge)."""
    alive = dict(enumerate(groups))

    def linkage(a: int, b: int) -> float:
        ga, gb = alive[a][:30], alive[b][:30]
        return sum(similarity(fa, fb) for _, fa in ga for _, fb in gb) / (len(ga) * len(gb))

    changed = True
    while changed:
        changed = False
        for a in sorted(alive):
            if a not in alive:
                continue
            feats = set().union(*(f for _, f in alive[a]))
            near = {b for f in feats for b in by_feature.get(f, ()) if b != a and b in alive}
            scored = sorted(((linkage(a, b), b) for b in near), reverse=True)
            if scored and scored[0][0] >= threshold:
                b = scored[0][1]
                keep, gone = min(a, b), max(a, b)
                alive[keep] = sorted(alive[keep] + alive.pop(gone), key=lambda x: x[0].ts)
                for f in set().union(*(f for _, f in alive[keep])):
                    by_feature.setdefault(f, set()).add(keep)
                changed = True
    return [alive[k] for k in sorted(alive)]


def _summarise(group: list[tuple[Asked, frozenset[str]]]) -> UnansweredGroup:
    from bot.faq.normalize import to_simplified

    texts: Counter[str] = Counter()
    feats_of: dict[str, frozenset[str]] = {}
    for asked, feats in group:
        shown = display_text(asked.text) or asked.text.strip()
        texts[shown] += 1
        feats_of.setdefault(shown, feats)
    distinct = list(texts)  # first-asked order

    def centrality(t: str) -> tuple[bool, float, int]:
        """Simplified wording first (it becomes the FAQ question), then the most typical, short phrasing."""
        sims = sum(similarity(feats_of[t], feats_of[o]) for o in distinct if o != t)
        return (to_simplified(t) == t, sims + texts[t] - len(topic_chars(t)) / 20, -distinct.index(t))

    representative = max(distinct, key=centrality)
    variants = tuple(t for t in sorted(distinct, key=lambda t: (-texts[t], distinct.index(t)))
                     if t != representative)
    rooms = Counter(a.room for a, _ in group if a.room)
    return UnansweredGroup(representative, variants, len(group),
                           tuple(r for r, _ in rooms.most_common()))


def load_asked(db: Database, since: datetime | None = None, rooms: Sequence[str] | None = None,
               until: datetime | None = None, direct: bool = False) -> list[Asked]:
    """Questions asked in [``since``, ``until``); with ``rooms``, only those rooms' (and, with ``direct``,
    those asked in direct messages)."""
    flush_pending(db)
    q = select(UnansweredQuestion.text, UnansweredQuestion.room, UnansweredQuestion.ts)
    if since is not None:
        q = q.where(UnansweredQuestion.ts >= to_utc(since))
    if until is not None:
        q = q.where(UnansweredQuestion.ts < to_utc(until))
    if rooms is not None:
        in_rooms = UnansweredQuestion.room.in_(list(rooms))
        q = q.where(or_(in_rooms, UnansweredQuestion.room.is_(None)) if direct else in_rooms)
    with db.session() as s:
        return [Asked(text, room, ts) for text, room, ts in s.execute(q.order_by(UnansweredQuestion.ts))]


def top_groups(db: Database, since: datetime | None = None, limit: int | None = 5,
               rooms: Sequence[str] | None = None, until: datetime | None = None,
               direct: bool = False) -> list[UnansweredGroup]:
    """The biggest groups of unanswered questions asked in [``since``, ``until``) (in ``rooms`` if given,
    plus direct messages' with ``direct``)."""
    groups = group_questions(load_asked(db, since, rooms, until, direct))
    return groups if limit is None else groups[:limit]


# -- FAQ stubs -----------------------------------------------------------------------------------
def _quoted(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def faq_stubs(groups: Sequence[UnansweredGroup]) -> str:
    """``faq.yaml`` entries to complete: the representative as question, variants as similar."""
    lines = [
        "# 未答问题整理出的 FAQ 草稿 / draft FAQ entries from unanswered questions.",
        "# 每条先填好 answer（空答案会被 FAQ 加载拒绝），改好 id，再复制到 faq.yaml 的 entries: 下。",
        "# Fill in each answer before use (an empty answer is rejected by the FAQ loader on purpose),",
        "# give it a meaningful id, then paste it under `entries:` in faq.yaml.",
        "entries:" if groups else "entries: []",
    ]
    for i, g in enumerate(groups, 1):
        where = f"{len(g.rooms)} 个群 / {len(g.rooms)} room(s)"
        lines.append(f"  # 问了 {g.count} 次，{where} / asked {g.count} time(s)")
        lines.append(f"  - id: draft-{i}")
        lines.append(f"    question: {_quoted(g.text)}")
        if g.variants:
            lines.append("    similar:")
            lines += [f"      - {_quoted(v)}" for v in g.variants]
        else:
            lines.append("    similar: []")
        lines.append('    answer: ""  # TODO: 填写答案后才能使用 / fill in before use: empty answers are rejected')
        lines.append("    tags: []")
    return "\n".join(lines) + "\n"
