"""Recording activity: one row per member message, flags decided as messages arrive, written in batches.

Why batches: replaying a big log must stay fast (thousands of messages a second), and one commit
per message would dominate. Rows wait in memory until the app flushes its buffers (after a dispatch,
every so many events or seconds: ``App.flush_buffers``), a digest is computed, or the app closes.
Flushing only between dispatches means a row is written once every handler has decided about it.

Why decide flags here: the cooldown ("bursts count once a minute"), flood and repeated-text checks
need the message stream in order, and a digest over a million rows should only have to add up
integers.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, update

from bot.activity import signals
from bot.activity.score import MESSAGE_CAP
from bot.config import Config
from bot.events import SELF_ID, Join, Leave, Message, MessageType
from bot.store.activity_models import Activity, ActivityCredit, ActivityMember

if TYPE_CHECKING:
    from bot.context import Context
    from bot.store import Database

COOLDOWN_SECONDS = 60
"""A burst counts once a minute."""
FLOOD_COUNT, FLOOD_SECONDS = 6, 60
"""The sixth message within a minute, and every one after, is a flood."""
REPEAT_SECONDS = 10 * 60
"""The same line again within ten minutes is a repeat (saying "早上好" every morning is not)."""
CROSSPOST_SECONDS = 24 * 3600
"""The same line in another room within a day is cross-posting (spam), also a repeat."""
ANSWER_SECONDS = 30 * 60
"""Quoting (or @-ing) someone's question within this long counts as answering it."""
NEWCOMER_SECONDS = 7 * 24 * 3600
RECENT_MESSAGES = 50_000
JUNK_FLOOD, JUNK_REPEAT, JUNK_AD, JUNK_LINK = 1, 2, 3, 4
EXTRA_KEY = "activity_recorder"


@dataclass(slots=True)
class _Recent:
    """A recent message, for quote look-ups; ``is_question`` is read lazily because the FAQ
    handler fills the message's scratch after this recorder has seen it."""

    room: str
    sender: str
    ts: int
    scratch: dict[str, Any] | None
    guess: bool

    @property
    def is_question(self) -> bool:
        match = self.scratch.get("match") if self.scratch else None
        return bool(match.is_question) if match is not None else self.guess


@dataclass(slots=True)
class _Member:
    name: str
    first_seen: int
    joined: int | None = None
    left: int | None = None
    in_db: bool = False
    dirty: bool = True
    last_counted: int = -10**9
    day: int = 0
    day_counted: int = 0
    last_playful: int = -10**9
    burst: deque[int] = field(default_factory=lambda: deque(maxlen=FLOOD_COUNT))


class ActivityRecorder:
    def __init__(self, db: Database, config: Config) -> None:
        self.db = db
        self.tz: tzinfo = config.tz
        self.keep_text = config.activity.keep_text
        self.rows: list[dict[str, Any]] = []
        self.pending: list[tuple[dict[str, Any], _Recent]] = []
        self.credits: list[dict[str, Any]] = []
        self.members: dict[tuple[str, str], _Member] = {}
        self.room_members: dict[str, set[str]] = {}
        self.loaded_rooms: set[str] = set()
        self.recent: OrderedDict[str, _Recent] = OrderedDict()
        self.texts: dict[str, deque[tuple[str, str | None, int]]] = {}
        self.last_question: dict[tuple[str, str], int] = {}
        self.last_helper: dict[tuple[str, str], tuple[str, int]] = {}

    # -- events ---------------------------------------------------------------------------
    def observe(self, event: Message | Join | Leave, scratch: dict[str, Any] | None = None) -> None:
        if isinstance(event, Message):
            if event.room is not None and event.sender != SELF_ID:
                self._message(event, scratch)
        else:
            self._membership(event)

    def _day(self, ts: datetime) -> int:
        return ts.astimezone(self.tz).toordinal()

    def _member(self, room: str, member: str, name: str, ts: int) -> _Member:
        state = self.members.get((room, member))
        if state is None:
            state = self.members[(room, member)] = _Member(name=name, first_seen=ts)
            self.room_members.setdefault(room, set()).add(member)
        elif name and state.name != name:
            state.name, state.dirty = name, True
        return state

    def _membership(self, event: Join | Leave) -> None:
        self._load_room(event.room)
        ts = int(event.ts.timestamp())
        state = self._member(event.room, event.member, event.member_name, ts)
        if isinstance(event, Join):
            state.joined, state.left = ts, None
        else:
            state.left = ts
        state.dirty = True

    def _message(self, msg: Message, scratch: dict[str, Any] | None) -> None:
        assert msg.room is not None
        room, sender = msg.room, msg.sender
        self._load_room(room)
        ts = int(msg.ts.timestamp())
        day = self._day(msg.ts)
        state = self._member(room, sender, msg.sender_name, ts)
        text = msg.text or ""
        is_text = msg.type == MessageType.TEXT
        guess = is_text and signals.looks_like_question(text)
        recent = _Recent(room, sender, ts, scratch if is_text else None, guess)
        junk = self._junk(msg, state, text, ts)
        playful = junk == 0 and (msg.type == MessageType.EMOJI or (is_text and signals.is_playful(text)))
        if state.day != day:
            state.day, state.day_counted = day, 0
        counted = junk == 0 and ts - state.last_counted >= COOLDOWN_SECONDS and state.day_counted < MESSAGE_CAP
        if counted:
            state.last_counted = ts
            state.day_counted += 1
        if playful:
            if ts - state.last_playful >= COOLDOWN_SECONDS:
                state.last_playful = ts
            else:
                playful = False
        row: dict[str, Any] = {
            "room": room, "member": sender, "msg_id": msg.id, "ts": ts, "day": day, "kind": msg.type.value,
            "length": len(text), "is_question": guess, "product_question": False,
            "mentions": len(msg.mentions), "quote_id": msg.quote, "answered": False, "thanks": False,
            "counted": counted, "playful": playful, "junk": junk,
            "text": text if self.keep_text and text else None,
        }
        if junk == 0:
            self._credits(msg, row, ts, day, text)
        self.rows.append(row)
        if is_text:
            self.pending.append((row, recent))
            if guess:
                self.last_question[(room, sender)] = ts
        self.recent[msg.id] = recent
        if len(self.recent) > RECENT_MESSAGES:
            self.recent.popitem(last=False)

    def _junk(self, msg: Message, state: _Member, text: str, ts: int) -> int:
        state.burst.append(ts)
        if len(state.burst) == FLOOD_COUNT and ts - state.burst[0] < FLOOD_SECONDS:
            return JUNK_FLOOD
        if text and signals.is_ad(text):
            return JUNK_AD
        if msg.type == MessageType.LINK or (msg.type == MessageType.TEXT and signals.is_bare_link(text)):
            return JUNK_LINK
        norm = signals.normalize(text) if msg.type == MessageType.TEXT else ""
        if len(norm) >= 4 and not signals.is_sticker_text(text):
            seen = self.texts.setdefault(msg.sender, deque(maxlen=8))
            room = msg.room
            repeated = any(t == norm and (ts - at < REPEAT_SECONDS or (r != room and ts - at < CROSSPOST_SECONDS))
                           for t, r, at in seen)
            seen.append((norm, room, ts))
            if repeated:
                return JUNK_REPEAT
        return 0

    def _credit(self, room: str, member: str, other: str, kind: str, ts: int, day: int,
                newcomer: bool = False) -> None:
        self.credits.append({"room": room, "member": member, "other": other, "kind": kind,
                             "newcomer": newcomer, "ts": ts, "day": day})

    def _is_newcomer(self, room: str, member: str, ts: int) -> bool:
        state = self.members.get((room, member))
        return bool(state and state.joined is not None and 0 <= ts - state.joined < NEWCOMER_SECONDS)

    def _credits(self, msg: Message, row: dict[str, Any], ts: int, day: int, text: str) -> None:
        """Mentions, quote-replies, answers and thanks: who helped or noticed whom."""
        assert msg.room is not None
        room, sender = msg.room, msg.sender
        quoted = self._lookup(msg.quote) if msg.quote else None
        quoted_sender = quoted.sender if quoted is not None and quoted.sender != sender else None
        others = [m for m in dict.fromkeys(msg.mentions) if m not in (sender, SELF_ID)]
        for other in others:
            self._credit(room, other, sender, "mention", ts, day)
        if quoted_sender is not None:
            self._credit(room, quoted_sender, sender, "reply", ts, day)
        asker = None
        if quoted is not None and quoted_sender is not None and quoted.is_question \
                and ts - quoted.ts <= ANSWER_SECONDS:
            asker = quoted_sender
        else:
            for other in others:
                asked = self.last_question.get((room, other))
                if asked is not None and 0 <= ts - asked <= ANSWER_SECONDS:
                    asker = other
                    break
        thanks = msg.type == MessageType.TEXT and signals.is_thanks(text)
        if asker is not None and not thanks:
            row["answered"] = True
            self._credit(room, sender, asker, "answer", ts, day, self._is_newcomer(room, asker, ts))
            self.last_helper[(room, asker)] = (sender, ts)
        if thanks:
            target = quoted_sender or (others[0] if others else None) or self._thanked_by_name(room, sender, text)
            if target is None:
                helper = self.last_helper.get((room, sender))
                if helper is not None and ts - helper[1] <= ANSWER_SECONDS:
                    target = helper[0]
            if target is not None and target != sender:
                row["thanks"] = True
                self._credit(room, target, sender, "thanks", ts, day)

    def _thanked_by_name(self, room: str, sender: str, text: str) -> str | None:
        """"谢谢阿辉哥": the member whose short display name follows the thanks."""
        best: tuple[int, str] | None = None
        for member in self.room_members.get(room, ()):
            if member == sender:
                continue
            short = signals.short_name(self.members[(room, member)].name)
            if len(short) >= 2 and short in text and (best is None or len(short) > best[0]):
                best = (len(short), member)
        return best[1] if best else None

    def _lookup(self, msg_id: str) -> _Recent | None:
        found = self.recent.get(msg_id)
        if found is not None:
            return found
        with self.db.session() as s:
            hit = s.execute(select(Activity.room, Activity.member, Activity.ts, Activity.is_question)
                            .where(Activity.msg_id == msg_id).limit(1)).first()
        return _Recent(hit[0], hit[1], hit[2], None, bool(hit[3])) if hit else None

    def _load_room(self, room: str) -> None:
        """Members already known from earlier runs (join dates matter for newcomers)."""
        if room in self.loaded_rooms:
            return
        self.loaded_rooms.add(room)
        with self.db.session() as s:
            known = s.execute(select(ActivityMember).where(ActivityMember.room == room)).scalars().all()
        for m in known:
            self.members.setdefault((room, m.member), _Member(
                name=m.name, first_seen=m.first_seen, joined=m.joined, left=m.left, in_db=True, dirty=False))
            self.room_members.setdefault(room, set()).add(m.member)

    # -- writing --------------------------------------------------------------------------
    def flush(self) -> None:
        """Write buffered rows (one transaction)."""
        for row, recent in self.pending:
            match = recent.scratch.get("match") if recent.scratch else None
            if match is not None:
                row["is_question"] = bool(match.is_question)
                row["product_question"] = bool(match.is_question) and (
                    match.action != "none" or bool(recent.scratch and recent.scratch.get("answered")))
            recent.scratch = None
            recent.guess = bool(row["is_question"])
        self.pending.clear()
        dirty = [(k, m) for k, m in self.members.items() if m.dirty]
        if not (self.rows or self.credits or dirty):
            return
        with self.db.session() as s:
            self._write_members(s, dirty)
            if self.rows:
                s.execute(insert(Activity), self.rows)
            if self.credits:
                s.execute(insert(ActivityCredit), self.credits)
        self.rows, self.credits = [], []

    def _write_members(self, s: Any, dirty: list[tuple[tuple[str, str], _Member]]) -> None:
        new = [{"room": r, "member": m, "name": st.name, "joined": st.joined, "first_seen": st.first_seen,
                "left": st.left} for (r, m), st in dirty if not st.in_db]
        if new:
            s.execute(insert(ActivityMember), new)
        for (r, m), st in dirty:
            if st.in_db:
                s.execute(update(ActivityMember).where(ActivityMember.room == r, ActivityMember.member == m)
                          .values(name=st.name, joined=st.joined, left=st.left))
            st.in_db, st.dirty = True, False


def recorder_for(ctx: Context) -> ActivityRecorder | None:
    """The app's recorder, made on first use (None without a database)."""
    if ctx.store is None:
        return None
    rec = ctx.memory.extra.get(EXTRA_KEY)
    if rec is None:
        rec = ctx.memory.extra[EXTRA_KEY] = ActivityRecorder(ctx.store, ctx.config)
    return rec


def flush(ctx: Context) -> None:
    rec = ctx.memory.extra.get(EXTRA_KEY)
    if rec is not None:
        rec.flush()
