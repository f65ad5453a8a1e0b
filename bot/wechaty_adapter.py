"""The live WeChat layer: the only module that imports the Wechaty SDK (python-wechaty 0.10.7).

It turns SDK callbacks into ``bot.events`` values and actions back into SDK calls, and carries the
fixes the SDK needs on Python 3.11 and against current puppet services (see docs/wechaty.md):

- the ``PuppetOptions`` hash, and ``CACHE_DIR``, set before the first ``import wechaty``;
- ``RoomAnnounce`` / ``RoomTopic`` sent with both the old and the new proto field (else a set is
  read as a get and silently dropped), and read from whichever response field is filled;
- the service puppet emits ``heartbeat`` where Wechaty listens for ``heart-beat``;
- ``Wechaty.start()`` swallows every error: ``_Bot.start`` lets them through;
- the process-wide object pools hold objects bound to a stopped puppet after a reconnect:
  ``reset_sdk_state`` clears them, and every connection gets a fresh ``Wechaty``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import tempfile
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Optional  # betterproto 1.2 reads Optional[...], not X | None

from bot.actions import Action, Announce, DirectMessage, Say, SetTopic
from bot.clock import Clock
from bot.events import SELF_ID, Event, Join, Leave, Message, MessageType
from bot.mentions import mentions_bot

log = logging.getLogger("qunbot.wechaty")

_TOKEN_VARS = ("WECHATY_PUPPET_SERVICE_TOKEN", "TOKEN", "token")
_ENDPOINT_VARS = ("WECHATY_PUPPET_SERVICE_ENDPOINT", "ENDPOINT", "endpoint")
AT_SEP = "\u2005"  # WeChat puts this (a four-per-em space) after an @name


def _prepare_sdk_import() -> None:
    """Must run before the first ``import wechaty``: the SDK fails to import on 3.11 otherwise, and
    would create ``./.wechaty/`` in the working directory and log every message at INFO."""
    os.environ.setdefault("CACHE_DIR", str(Path(tempfile.gettempdir()) / "qunbot-wechaty"))
    os.environ.setdefault("WECHATY_LOG", "warn")
    from wechaty_puppet.schemas.puppet import PuppetOptions as _PO

    if _PO.__hash__ is None:
        _PO.__hash__ = object.__hash__  # type: ignore[method-assign]


_prepare_sdk_import()

import betterproto  # noqa: E402
from apscheduler.schedulers.asyncio import AsyncIOScheduler  # noqa: E402
from wechaty import Contact, Room, Tag, Wechaty, WechatyOptions  # noqa: E402
from wechaty.user.message import Message as SdkMessage  # noqa: E402
from wechaty.utils.async_helper import SingleIdContainer  # noqa: E402
from wechaty_puppet import MessageType as SdkType  # noqa: E402
from wechaty_puppet import Puppet, PuppetOptions  # noqa: E402
from wechaty_puppet_service import PuppetService  # noqa: E402

# "no blueprint registered, no web service" on every login: we never want its web service.
logging.getLogger("wechaty.plugin").setLevel(logging.ERROR)

__all__ = [
    "Connection", "FixedPuppetService", "Incoming", "MessageIdCache", "Puppet", "PuppetOptions",
    "WechatyLink", "WechatySender", "free_port", "reset_sdk_state",
]

_TYPES = {
    SdkType.MESSAGE_TYPE_TEXT: MessageType.TEXT,
    SdkType.MESSAGE_TYPE_EMOTICON: MessageType.EMOJI,
    SdkType.MESSAGE_TYPE_IMAGE: MessageType.IMAGE,
    SdkType.MESSAGE_TYPE_URL: MessageType.LINK,
    SdkType.MESSAGE_TYPE_AUDIO: MessageType.VOICE,
}


def reset_sdk_state() -> None:
    """Clear the SDK's process-wide caches: after a reconnect (or in a second bot in one process)
    pooled contacts and rooms are still bound to the old, stopped puppet and every send fails."""
    for cls in (Contact, Room, Tag):
        cls._pool.clear()
    SingleIdContainer._instance = None


def free_port() -> int:
    """A free local TCP port. The SDK refuses to log in when its (unused) plugin web-server port
    is taken, 5000 by default, so each connection gets one that is free."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- the gRPC puppet, fixed --------------------------------------------------------------------
@dataclass(eq=False, repr=False)
class _AnnounceRequest(betterproto.Message):
    id: str = betterproto.string_field(1)
    text_deprecated: Optional[str] = betterproto.message_field(2, wraps=betterproto.TYPE_STRING)  # noqa: UP045
    text: str = betterproto.string_field(3)


@dataclass(eq=False, repr=False)
class _AnnounceResponse(betterproto.Message):
    text_deprecated: Optional[str] = betterproto.message_field(1, wraps=betterproto.TYPE_STRING)  # noqa: UP045
    text: str = betterproto.string_field(2)


@dataclass(eq=False, repr=False)
class _TopicRequest(betterproto.Message):
    id: str = betterproto.string_field(1)
    topic_deprecated: Optional[str] = betterproto.message_field(2, wraps=betterproto.TYPE_STRING)  # noqa: UP045
    topic: str = betterproto.string_field(3)


@dataclass(eq=False, repr=False)
class _TopicResponse(betterproto.Message):
    topic_deprecated: Optional[str] = betterproto.message_field(1, wraps=betterproto.TYPE_STRING)  # noqa: UP045
    topic: str = betterproto.string_field(2)


def announce_request(room_id: str, text: str | None) -> _AnnounceRequest:
    """A RoomAnnounce request old and new servers both understand: the text in field 2 (the old
    ``StringValue``) and field 3 (the new ``optional string``); no text means "read"."""
    req = _AnnounceRequest(id=room_id)
    if text is not None:
        req.text_deprecated = text
        req.text = text
    return req


def topic_request(room_id: str, topic: str | None) -> _TopicRequest:
    req = _TopicRequest(id=room_id)
    if topic is not None:
        req.topic_deprecated = topic
        req.topic = topic
    return req


@contextlib.contextmanager
def _env_without(names: tuple[str, ...]) -> Iterator[None]:
    saved = {n: os.environ.pop(n) for n in names if n in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


class FixedPuppetService(PuppetService):
    """``PuppetService`` with the protocol and event-name fixes, built without the SDK ever
    seeing (and logging: it prints both in a warning) the token."""

    def __init__(self, endpoint: str, token: str) -> None:
        with _env_without(_TOKEN_VARS + _ENDPOINT_VARS):
            super().__init__(PuppetOptions(end_point=endpoint), name="puppet_service")
        self.options.token = token

    def on(self, event_name: str, caller: Callable[..., Any]) -> None:
        # Wechaty registers 'heart-beat'; this puppet emits 'heartbeat'.
        super().on("heartbeat" if event_name == "heart-beat" else event_name, caller)

    def listener_count(self, event_name: str) -> int:
        return super().listener_count("heartbeat" if event_name == "heart-beat" else event_name)

    async def room_announce(self, room_id: str, announcement: str | None = None) -> str:
        resp = await self.puppet_stub._unary_unary(
            "/wechaty.Puppet/RoomAnnounce", announce_request(room_id, announcement), _AnnounceResponse)
        if announcement is not None:
            return announcement
        return resp.text or resp.text_deprecated or ""

    async def room_topic(self, room_id: str, new_topic: str | None = None) -> str:  # type: ignore[override]
        resp = await self.puppet_stub._unary_unary(
            "/wechaty.Puppet/RoomTopic", topic_request(room_id, new_topic), _TopicResponse)
        if new_topic is not None:
            return new_topic
        return resp.topic or resp.topic_deprecated or ""


# -- incoming ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Incoming:
    """An event for the app; ``stale`` ones (old backlog delivered at start) are recorded, not answered."""

    event: Event
    stale: bool = False


EventSink = Callable[[Incoming], Awaitable[None]]


class MessageIdCache:
    """Bounded LRU of seen message ids: a message redelivered after a reconnect is handled once."""

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self._ids: OrderedDict[str, None] = OrderedDict()

    def seen(self, message_id: str) -> bool:
        """True if already seen; else remember it and return False."""
        if message_id in self._ids:
            self._ids.move_to_end(message_id)
            return True
        self._ids[message_id] = None
        if len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return False

    def __len__(self) -> int:
        return len(self._ids)


def to_datetime(timestamp: float | int | None, clock: Clock) -> datetime:
    """Puppets send seconds or milliseconds (or nothing); an aware time in the clock's zone."""
    if not timestamp:
        return clock.now()
    ts = float(timestamp)
    if ts > 1e11:
        ts /= 1000
    return datetime.fromtimestamp(ts, clock.tz)


class _Bot(Wechaty):
    """One connection's Wechaty: its callbacks go to the Connection, and ``start`` raises."""

    def __init__(self, options: WechatyOptions, conn: Connection) -> None:
        super().__init__(options)
        self.conn = conn

    async def start(self) -> None:
        """Like ``Wechaty.start`` without its catch-all (which prints and sleeps 60 s): returns
        when the puppet's event stream ends, raises when it fails."""
        await self.init_puppet()
        await self.init_puppet_event_bridge(self.puppet)
        await self.puppet.start()
        self.started = True

    async def on_login(self, contact: Contact) -> None:
        await self.conn._on_login(contact)

    async def on_ready(self, payload: Any) -> None:
        self.conn.ready.set()

    async def on_logout(self, contact: Contact) -> None:
        self.conn.logged_out.set()

    async def on_heartbeat(self, payload: Any) -> None:
        # Only fires thanks to FixedPuppetService.on (the SDK listens for 'heart-beat').
        if self.conn.last_heartbeat is None:
            log.info("event=heartbeat first=true")
        self.conn.last_heartbeat = asyncio.get_running_loop().time()

    async def on_scan(self, qr_code: str, status: Any, data: str | None = None) -> None:
        log.info("event=scan status=%s url=https://wechaty.js.org/qrcode/%s",
                 getattr(status, "name", status), qr_code)

    async def on_message(self, msg: SdkMessage) -> None:
        await self.conn.link._on_message(self.conn, msg)

    async def on_room_join(self, room: Room, invitees: list[Contact], inviter: Contact,
                           date: datetime) -> None:
        await self.conn.link._on_members(self.conn, "join", room, invitees, date)

    async def on_room_leave(self, room: Room, leavers: list[Contact], remover: Contact,
                            date: datetime) -> None:
        await self.conn.link._on_members(self.conn, "leave", room, leavers, date)

    async def on_room_topic(self, room: Room, new_topic: str, old_topic: str, changer: Contact,
                            date: datetime) -> None:
        # Room.ready(force_sync=True) does not refresh a loaded room: keep the cached topic true.
        if room.is_ready():
            room.payload.topic = new_topic


class Connection:
    """One attempt to be online: a fresh Wechaty, its ``start()`` task, and what it reported."""

    def __init__(self, link: WechatyLink, puppet: Puppet, port: int) -> None:
        self.link = link
        self.logged_in = asyncio.Event()
        self.ready = asyncio.Event()
        self.logged_out = asyncio.Event()
        self.self_id = ""
        self.self_name = ""
        self.last_heartbeat: float | None = None
        self.ready_at: float | None = None
        options = WechatyOptions(puppet=puppet, puppet_options=PuppetOptions(), port=port,
                                 scheduler=AsyncIOScheduler())
        self.bot = _Bot(options, self)
        self.task: asyncio.Task[None] | None = None

    def start(self) -> asyncio.Task[None]:
        self.task = asyncio.create_task(self.bot.start(), name="wechaty-start")
        return self.task

    async def _on_login(self, contact: Contact) -> None:
        self.self_id = contact.contact_id
        self.self_name = contact.name or ""
        self.logged_in.set()

    def real_id(self, contact_id: str) -> str:
        return self.self_id if contact_id == SELF_ID else contact_id

    def event_id(self, contact_id: str) -> str:
        return SELF_ID if contact_id == self.self_id else contact_id

    async def close(self, timeout: float = 5.0) -> None:
        """Stop the puppet (bounded: a dead server must not hang shutdown) and the start task."""
        bot = self.bot
        with contextlib.suppress(Exception):
            if bot._puppet is not None:
                await asyncio.wait_for(bot.stop(), timeout)
        task = self.task
        if task is not None:
            if not task.done():
                task.cancel()
                await asyncio.wait({task}, timeout=timeout)
            if task.done() and not task.cancelled():
                task.exception()  # retrieved: the runner already reported it
        scheduler = bot._plugin_manager.scheduler
        with contextlib.suppress(Exception):
            if scheduler.running:
                scheduler.shutdown(wait=False)


class WechatyLink:
    """The bot's link to WeChat across reconnects: connections, event conversion, filtering.

    Filtering lives here because it is about delivery, not behaviour: the bot's own messages,
    other bots (``config.bot.ignore``) and redelivered message ids never reach the app; events
    older than ``stale_seconds`` reach it flagged ``stale``.
    """

    def __init__(self, clock: Clock, *, bot_name: str, ignore: tuple[str, ...] = (),
                 stale_seconds: float = 180.0, sink: EventSink | None = None,
                 puppet_factory: Callable[[], Puppet]) -> None:
        self.clock = clock
        self.bot_name = bot_name
        self.ignore = frozenset(ignore)
        self.stale_seconds = stale_seconds
        self.sink = sink
        self.puppet_factory = puppet_factory
        self.seen = MessageIdCache()
        self.current: Connection | None = None
        self.accepting = True
        self.sender = WechatySender(self)

    def connect(self, port: int | None = None) -> Connection:
        """A fresh Wechaty (and cleared SDK pools) on a new puppet, its ``start()`` running."""
        reset_sdk_state()
        conn = Connection(self, self.puppet_factory(), port or free_port())
        self.current = conn
        conn.start()
        return conn

    async def disconnect(self) -> None:
        conn, self.current = self.current, None
        if conn is not None:
            await conn.close()

    # -- conversion ---------------------------------------------------------------------------
    def _is_stale(self, ts: datetime) -> bool:
        return (self.clock.now() - ts).total_seconds() > self.stale_seconds

    async def _deliver(self, event: Event, stale: bool) -> None:
        if self.sink is not None and self.accepting:
            await self.sink(Incoming(event, stale))

    async def _on_message(self, conn: Connection, msg: SdkMessage) -> None:
        mid = msg.message_id
        try:
            event = await self.to_event(conn, msg)
        except Exception:  # noqa: BLE001 - one odd message must not stop the bot
            log.exception("event=convert_error id=%s", mid)
            return
        if event is None or self.seen.seen(mid):
            return
        await self._deliver(event, self._is_stale(event.ts))

    async def to_event(self, conn: Connection, msg: SdkMessage) -> Message | None:
        """The ``Message`` event for an SDK message, or None for ones the app must not see."""
        p = msg.payload
        talker = p.from_id
        if not talker or talker == conn.self_id or talker in self.ignore:
            return None
        room = msg.room()
        sender = msg.talker()
        await sender.ready()
        name = sender.name or talker
        topic: str | None = None
        if room is not None:
            topic = (room.payload.topic if room.is_ready() else "") or None
            try:
                alias = await room.alias(sender)
            except Exception as exc:  # noqa: BLE001 - not every puppet has member payloads
                log.debug("no room alias for %s in %s: %s", talker, room.room_id, exc)
                alias = None
            name = alias or name
        text = msg.text()
        mentions = tuple(conn.event_id(i) for i in (p.mention_ids or []) if i)
        # the mention list when the puppet fills it, else "@name" in the text (bot name or nickname)
        to_bot = room is not None and mentions_bot(text, mentions, (self.bot_name, conn.self_name))
        return Message(
            id=msg.message_id,
            ts=to_datetime(p.timestamp, self.clock),
            room=room.room_id if room is not None else None,
            sender=talker,
            sender_name=name,
            text=text,
            type=_TYPES.get(p.type, MessageType.OTHER),
            room_topic=topic,
            mentions=mentions,
            mentions_bot=to_bot,
            quote=None,  # python-wechaty 0.10.7 payloads carry no quoted-message id
        )

    async def _on_members(self, conn: Connection, kind: str, room: Room, members: list[Contact],
                          date: datetime) -> None:
        try:
            events = self.member_events(conn, kind, room, members, date)
        except Exception:  # noqa: BLE001
            log.exception("event=convert_error kind=%s room=%s", kind, room.room_id)
            return
        for event in events:
            await self._deliver(event, self._is_stale(event.ts))

    def member_events(self, conn: Connection, kind: str, room: Room, members: list[Contact],
                      date: datetime) -> list[Join | Leave]:
        """One Join / Leave per member (the bot itself joining or leaving is not a member event)."""
        ts = date.astimezone(self.clock.tz)  # the SDK gives naive local time; astimezone reads it so
        topic = (room.payload.topic if room.is_ready() else "") or None
        out: list[Join | Leave] = []
        for member in members:
            cid = member.contact_id
            if cid == conn.self_id or cid in self.ignore:
                continue
            eid = f"{kind}:{room.room_id}:{cid}:{int(ts.timestamp())}"
            name = member.name if member.is_ready() else ""
            if kind == "join":
                out.append(Join(id=eid, ts=ts, room=room.room_id, member=cid, member_name=name or cid,
                                room_topic=topic))
            else:
                out.append(Leave(id=eid, ts=ts, room=room.room_id, member=cid, member_name=name,
                                 room_topic=topic))
        return out

    async def set_nickname(self, template: str | None) -> None:
        """Set the account's name from ``bot.nickname_template`` where the puppet allows it."""
        conn = self.current
        if not template or conn is None:
            return
        try:
            name = template.format_map({"name": self.bot_name})
        except (KeyError, ValueError, IndexError):
            name = template
        if name == conn.self_name:
            return
        try:
            await conn.bot.user_self().set_name(name)
        except Exception as exc:  # noqa: BLE001 - many puppets do not support it
            log.info("event=nickname status=unsupported error=%s", type(exc).__name__)
            return
        conn.self_name = name
        log.info("event=nickname status=set")


class NotConnected(RuntimeError):
    """No logged-in connection right now (the outbox retries later)."""


class WechatySender:
    """The outbox's ``Sender`` on the live connection.

    Texts go out with ``puppet.message_send_text`` rather than ``room.say`` / ``contact.say``:
    those load the sent message right after sending, and when that extra call fails (some
    puppets return no id) the outbox would retry a message that was in fact sent.
    """

    def __init__(self, link: WechatyLink) -> None:
        self.link = link

    def _conn(self) -> Connection:
        conn = self.link.current
        if conn is None or not conn.logged_in.is_set():
            raise NotConnected("not logged in to WeChat")
        return conn

    async def send(self, action: Action) -> None:
        conn = self._conn()
        bot = conn.bot
        if isinstance(action, Say):
            ids = [conn.real_id(i) for i in dict.fromkeys(action.to) if i and i != SELF_ID]
            room = bot.Room.load(action.room)
            await room.ready()
            text = await self._mention_prefix(room, ids) + action.text
            await bot.puppet.message_send_text(conversation_id=action.room, message=text,
                                               mention_ids=ids or None)
        elif isinstance(action, Announce):
            room = bot.Room.load(action.room)
            await room.announce(action.text)
        elif isinstance(action, SetTopic):
            room = bot.Room.load(action.room)
            await room.ready()
            await bot.puppet.room_topic(action.room, action.text)
            room.payload.topic = action.text  # the SDK never refreshes a loaded room
        elif isinstance(action, DirectMessage):
            contact = bot.Contact.load(conn.real_id(action.contact))
            await contact.ready()
            await bot.puppet.message_send_text(conversation_id=contact.contact_id, message=action.text)
        else:  # pragma: no cover - Action is a closed union
            raise TypeError(f"unknown action {action!r}")

    @staticmethod
    async def _mention_prefix(room: Room, ids: list[str]) -> str:
        """"@name\u2005" per mentioned member, as WeChat writes it, with the group nickname
        members see (the SDK's ``room.say`` uses the account name)."""
        parts = []
        for cid in ids:
            contact = room.wechaty.Contact.load(cid)
            await contact.ready()
            try:
                alias = await room.alias(contact)
            except Exception:  # noqa: BLE001
                alias = None
            parts.append(f"@{alias or contact.name or cid}{AT_SEP}")
        return "".join(parts)
