"""An in-process puppet for testing through the real Wechaty SDK without a WeChat account.

Listeners are awaited in ``emit``, so a test's ``await fake.say(...)`` returns after the bot has
handled the message, and a listener's exception fails the test. ``start()`` logs in, gets ready and
then blocks until ``stop()`` or ``drop()``, like the gRPC puppet's event stream.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import time
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from wechaty_puppet import (
    ContactPayload,
    EventLoginPayload,
    EventMessagePayload,
    EventReadyPayload,
    EventRoomJoinPayload,
    EventRoomLeavePayload,
    MessagePayload,
    MessageType,
    Puppet,
    PuppetOptions,
    RoomMemberPayload,
    RoomPayload,
)

import bot.wechaty_adapter  # noqa: F401 - applies the SDK import fixes first
from bot.wechaty_adapter import reset_sdk_state


class FakePuppet(Puppet):
    def __init__(self, self_id: str = "wxid_bot", self_name: str = "小助手") -> None:
        super().__init__(PuppetOptions(), name="fake")
        self._self_id = self_id
        self.listeners: dict[str, list[Any]] = defaultdict(list)
        self.contacts: dict[str, ContactPayload] = {}
        self.rooms: dict[str, RoomPayload] = {}
        self.aliases: dict[tuple[str, str], str] = {}
        self.messages: dict[str, MessagePayload] = {}
        self.sent: list[dict[str, Any]] = []  # every outgoing call, in order
        self.fail_next_sends = 0
        self.send_delay = 0.0
        self.starts = 0
        self._ids = itertools.count(1)
        self._stopped = asyncio.Event()
        self.add_contact(self_id, self_name)

    # -- world building ------------------------------------------------------------------------
    def add_contact(self, cid: str, name: str) -> None:
        self.contacts[cid] = ContactPayload(id=cid, name=name)

    def add_room(self, rid: str, topic: str, members: dict[str, str], aliases: dict[str, str] | None = None) -> None:
        for cid, name in members.items():
            self.add_contact(cid, name)
        self.rooms[rid] = RoomPayload(id=rid, topic=topic, member_ids=[self._self_id, *members])
        for cid, alias in (aliases or {}).items():
            self.aliases[(rid, cid)] = alias

    # -- driving the bot -----------------------------------------------------------------------
    async def emit(self, event: str, payload: Any) -> None:
        for listener in list(self.listeners[event]):
            result = listener(payload)
            if inspect.isawaitable(result):
                await result

    async def say(self, talker: str, text: str, room: str = "", *, mentions: tuple[str, ...] = (),
                  msg_id: str | None = None, ts: float | None = None,
                  type: MessageType = MessageType.MESSAGE_TYPE_TEXT) -> str:
        mid = msg_id or f"in-{next(self._ids)}"
        self.messages[mid] = MessagePayload(
            id=mid, text=text, timestamp=int((ts or time.time()) * 1000), type=type, from_id=talker,
            room_id=room, to_id="" if room else self._self_id, mention_ids=list(mentions))
        await self.emit("message", EventMessagePayload(message_id=mid))
        return mid

    async def join(self, room: str, invitees: dict[str, str], inviter: str) -> None:
        for cid, name in invitees.items():
            self.add_contact(cid, name)
            self.rooms[room].member_ids.append(cid)
        await self.emit("room-join", EventRoomJoinPayload(
            room_id=room, invited_ids=list(invitees), inviter_id=inviter, timestamp=int(time.time())))

    async def leave(self, room: str, removed: list[str], remover: str) -> None:
        await self.emit("room-leave", EventRoomLeavePayload(
            room_id=room, removed_ids=removed, remover_id=remover, timestamp=int(time.time())))

    def drop(self) -> None:
        """The connection breaks: ``start()`` returns (the runner reconnects)."""
        self._stopped.set()

    # -- the Puppet interface Wechaty uses ---------------------------------------------------
    def on(self, event_name: str, caller: Any) -> None:
        self.listeners[event_name].append(caller)

    def listener_count(self, event_name: str) -> int:
        return len(self.listeners[event_name])

    async def start(self) -> None:
        self.starts += 1
        self._stopped = asyncio.Event()
        await self.emit("login", EventLoginPayload(contact_id=self._self_id))
        await self.emit("ready", EventReadyPayload(data="ready"))
        await self._stopped.wait()

    async def stop(self) -> None:
        self.listeners.clear()
        self._stopped.set()

    def self_id(self) -> str:
        return self._self_id

    async def contact_payload(self, contact_id: str) -> ContactPayload:
        return self.contacts[contact_id]

    async def contact_self_name(self, name: str) -> None:
        self.contacts[self._self_id].name = name
        self.sent.append({"kind": "nickname", "text": name})

    async def room_payload(self, room_id: str) -> RoomPayload:
        return self.rooms[room_id]

    async def room_members(self, room_id: str) -> list[str]:
        return list(self.rooms[room_id].member_ids)

    async def room_member_payload(self, room_id: str, contact_id: str) -> RoomMemberPayload:
        c = self.contacts[contact_id]
        return RoomMemberPayload(id=contact_id, name=c.name, room_alias=self.aliases.get((room_id, contact_id), ""))

    async def room_topic(self, room_id: str, new_topic: str | None = None) -> str:
        if new_topic is not None:
            await self._outgoing({"kind": "topic", "room": room_id, "text": new_topic})
            self.rooms[room_id].topic = new_topic
        return self.rooms[room_id].topic

    async def room_announce(self, room_id: str, announcement: str | None = None) -> str:
        if announcement is not None:
            await self._outgoing({"kind": "announce", "room": room_id, "text": announcement})
        return announcement or ""

    async def message_payload(self, message_id: str) -> MessagePayload:
        return self.messages[message_id]

    async def message_send_text(self, conversation_id: str, message: str,
                                mention_ids: list[str] | None = None) -> str:
        await self._outgoing({"kind": "text", "to": conversation_id, "text": message,
                              "mentions": list(mention_ids or [])})
        mid = f"out-{next(self._ids)}"
        room = conversation_id if conversation_id in self.rooms else ""
        self.messages[mid] = MessagePayload(id=mid, text=message, timestamp=int(time.time() * 1000),
                                            type=MessageType.MESSAGE_TYPE_TEXT, from_id=self._self_id,
                                            room_id=room, to_id="" if room else conversation_id)
        return mid

    async def _outgoing(self, record: dict[str, Any]) -> None:
        if self.send_delay:
            await asyncio.sleep(self.send_delay)
        if self.fail_next_sends:
            self.fail_next_sends -= 1
            raise ConnectionError("fake send failure")
        record["at"] = time.monotonic()
        self.sent.append(record)


@pytest.fixture(autouse=True)
def sdk_clean() -> Iterator[None]:
    """The SDK caches contacts, rooms, tags and seen message ids process-wide: clear between tests.

    Autouse in the modules that import it."""
    reset_sdk_state()
    yield
    reset_sdk_state()
