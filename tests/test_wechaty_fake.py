"""The live layer through the REAL Wechaty SDK, on the in-process fake puppet (no account, no network)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from wechaty_puppet import MessageType as SdkType

from bot.actions import Announce, DirectMessage, SetTopic
from bot.clock import RealClock
from bot.config import load_config
from bot.events import SELF_ID, Join, Leave, Message, MessageType
from bot.runner import Runner, RunOptions
from bot.wechaty_adapter import Incoming, WechatyLink
from tests.fake_puppet import FakePuppet, sdk_clean  # noqa: F401 - autouse: clears the SDK's caches

ROOM = "r1@chatroom"
FAQ = """\
entries:
  - id: invoice
    question: 怎么开发票？
    similar: [发票在哪里申请]
    answer: 在「我的订单」里点「申请发票」。
  - id: shipping-time
    question: 多久发货？
    similar: [什么时候发货]
    answer: 下单后 48 小时内发货。
  - id: refund
    question: 可以退款吗？
    similar: [退款规则是什么]
    answer: 购买 7 天内可以无理由退款。
"""
CONFIG = """\
bot:
  name: 小助手
  nickname_template: "{name}｜早9晚6"
  ignore: [wxid_otherbot]
timezone: Asia/Shanghai
database: sqlite:///bot.db
faq: faq.yaml
schedules: null
operators: [wxid_op]
stale_message_seconds: 120
outbox:
  room_interval_seconds: %(interval)s
  per_minute: 1000
  jitter_seconds: 0
  retries: 2
  retry_backoff_seconds: 0.05
  merge: %(merge)s
"""
FAST = RunOptions(login_timeout=5, ready_timeout=5, backoff_initial=0.05, backoff_max=0.2, flush_timeout=5)


@pytest.fixture
def make_config(tmp_path: Path) -> Callable[..., Path]:
    def make(interval: float = 0, merge: bool = True) -> Path:
        (tmp_path / "faq.yaml").write_text(FAQ, encoding="utf-8")
        path = tmp_path / "config.yaml"
        path.write_text(CONFIG % {"interval": interval, "merge": str(merge).lower()}, encoding="utf-8")
        return path
    return make


def world() -> FakePuppet:
    fake = FakePuppet(self_id="wxid_bot", self_name="小助手")
    fake.add_room(ROOM, "星火写作营", {"wxid_a": "Rain", "wxid_b": "Bo", "wxid_op": "Op",
                                       "wxid_otherbot": "OtherBot"}, aliases={"wxid_a": "小雨"})
    return fake


async def until(cond: Callable[[], Any], timeout: float = 5.0) -> None:
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


class Live:
    """A Runner on a fake puppet, started and ready."""

    def __init__(self, config_path: Path, fake: FakePuppet) -> None:
        self.fake = fake
        self.runner = Runner.create(load_config(config_path), lambda: fake, FAST)
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Live:
        self.task = asyncio.create_task(self.runner.run(self.stop))
        await until(lambda: self.runner.link.current is not None and self.runner.link.current.ready.is_set())
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.stop.set()
        assert self.task is not None
        await asyncio.wait_for(self.task, 10)

    def texts(self, to: str = ROOM) -> list[dict[str, Any]]:
        return [s for s in self.fake.sent if s["kind"] == "text" and s["to"] == to]


def test_question_in_room_is_answered_with_asker_mentioned(make_config: Callable[..., Path]) -> None:
    async def main() -> None:
        async with Live(make_config(), world()) as live:
            await live.fake.say("wxid_a", "请问怎么开发票？", ROOM)
            await until(lambda: live.texts())
            sent = live.texts()[0]
            assert sent["mentions"] == ["wxid_a"]
            assert sent["text"] == "@小雨\u2005在「我的订单」里点「申请发票」。"  # group nickname, WeChat's separator
    asyncio.run(main())


def test_nickname_set_from_template_at_login(make_config: Callable[..., Path]) -> None:
    async def main() -> None:
        async with Live(make_config(), world()) as live:
            await until(lambda: any(s["kind"] == "nickname" for s in live.fake.sent))
            assert live.fake.contacts["wxid_bot"].name == "小助手｜早9晚6"
            # the new name is still recognised as an @mention of the bot
            await live.fake.say("wxid_b", "@小助手｜早9晚6\u2005多久发货", ROOM)
            await until(lambda: live.texts())
    asyncio.run(main())


def test_announce_topic_and_dm_reach_the_puppet(make_config: Callable[..., Path]) -> None:
    async def main() -> None:
        async with Live(make_config(), world()) as live:
            outbox = live.runner.app.outbox
            outbox.submit(Announce(room=ROOM, text="本周六停课", reason="admin"))
            outbox.submit(SetTopic(room=ROOM, text="星火写作营3期", reason="admin"))
            outbox.submit(DirectMessage(contact="wxid_op", text="今日摘要", reason="digest"))
            await until(lambda: len(live.fake.sent) >= 4)  # + the nickname
            kinds = {s["kind"]: s for s in live.fake.sent}
            assert kinds["announce"] == {"kind": "announce", "room": ROOM, "text": "本周六停课",
                                         "at": kinds["announce"]["at"]}
            assert kinds["topic"]["text"] == "星火写作营3期"
            assert live.texts("wxid_op")[0]["text"] == "今日摘要"
            room = live.runner.link.current.bot.Room.load(ROOM)
            assert await room.topic() == "星火写作营3期"  # the cached room follows the change
    asyncio.run(main())


def test_duplicate_message_id_after_reconnect_is_answered_once(make_config: Callable[..., Path]) -> None:
    async def main() -> None:
        async with Live(make_config(), world()) as live:
            await live.fake.say("wxid_a", "怎么开发票？", ROOM, msg_id="m-dup")
            await until(lambda: len(live.texts()) == 1)
            live.fake.drop()  # connection lost: the runner reconnects with a fresh Wechaty
            await until(lambda: live.fake.starts == 2 and live.runner.link.current is not None
                        and live.runner.link.current.ready.is_set())
            await live.fake.say("wxid_a", "怎么开发票？", ROOM, msg_id="m-dup")  # redelivered
            await live.fake.say("wxid_b", "多久发货？", ROOM, msg_id="m-new")
            await until(lambda: len(live.texts()) == 2)
            await asyncio.sleep(0.1)
            assert [t["mentions"] for t in live.texts()] == [["wxid_a"], ["wxid_b"]]
    asyncio.run(main())


def test_failing_handler_does_not_stop_the_bot(make_config: Callable[..., Path],
                                               caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        async with Live(make_config(), world()) as live:
            real = live.runner.app.handle

            def handle(event: Any) -> Any:
                if isinstance(event, Message) and "boom" in event.text:
                    raise RuntimeError("handler bug")
                return real(event)

            live.runner.app.handle = handle  # type: ignore[method-assign]
            link = live.runner.link
            to_event = link.to_event

            async def convert(conn: Any, msg: Any) -> Any:
                if msg.message_id == "m-odd":
                    raise ValueError("odd payload")
                return await to_event(conn, msg)

            link.to_event = convert  # type: ignore[method-assign]
            await live.fake.say("wxid_a", "boom", ROOM, msg_id="m-boom")
            await live.fake.say("wxid_b", "hi", ROOM, msg_id="m-odd")
            await live.fake.say("wxid_a", "怎么开发票？", ROOM)
            await until(lambda: live.texts())
            assert live.runner.errors == 1
    with caplog.at_level(logging.ERROR):
        asyncio.run(main())
    assert any("event=handler_error" in r.message and "id=m-boom" in r.message for r in caplog.records)
    assert any("event=convert_error" in r.message and "m-odd" in r.message for r in caplog.records)


def test_self_ignored_and_stale_messages_are_not_answered(make_config: Callable[..., Path],
                                                          caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        async with Live(make_config(), world()) as live:
            await live.fake.say("wxid_bot", "怎么开发票？", ROOM)
            await live.fake.say("wxid_otherbot", "怎么开发票？", ROOM)
            await live.fake.say("wxid_a", "怎么开发票？", ROOM, msg_id="m-old", ts=time.time() - 600)
            await live.fake.say("wxid_b", "多久发货？", ROOM)
            await until(lambda: live.texts())
            await asyncio.sleep(0.1)
            assert [t["mentions"] for t in live.texts()] == [["wxid_b"]]
    with caplog.at_level(logging.INFO, logger="qunbot.run"):
        asyncio.run(main())
    assert any("id=m-old" in r.message and "decision=stale" in r.message for r in caplog.records)


def test_send_failure_is_retried(make_config: Callable[..., Path]) -> None:
    async def main() -> None:
        async with Live(make_config(), world()) as live:
            live.fake.fail_next_sends = 1
            await live.fake.say("wxid_a", "怎么开发票？", ROOM)
            await until(lambda: live.texts())
            assert live.runner.app.outbox.sent_count >= 1
    asyncio.run(main())


def test_outbox_spaces_a_burst(make_config: Callable[..., Path]) -> None:
    async def main() -> None:
        async with Live(make_config(interval=0.2, merge=False), world()) as live:
            for q in ("怎么开发票？", "多久发货？", "退款规则是什么"):
                await live.fake.say("wxid_a", q, ROOM)
            await until(lambda: len(live.texts()) == 3)
            at = [t["at"] for t in live.texts()]
            assert all(b - a >= 0.19 for a, b in zip(at, at[1:], strict=False))
    asyncio.run(main())


def test_outbox_merges_a_burst(make_config: Callable[..., Path]) -> None:
    async def main() -> None:
        async with Live(make_config(interval=0.2, merge=True), world()) as live:
            await live.fake.say("wxid_a", "怎么开发票？", ROOM)
            await until(lambda: live.texts())  # the first goes at once, the room is now "busy"
            await live.fake.say("wxid_b", "多久发货？", ROOM)
            await live.fake.say("wxid_a", "退款规则是什么", ROOM)
            await until(lambda: len(live.texts()) == 2)
            await asyncio.sleep(0.3)
            first, merged = live.texts()
            assert len(live.texts()) == 2 and merged["at"] - first["at"] >= 0.19
            assert merged["mentions"] == ["wxid_b", "wxid_a"]
            assert "48 小时" in merged["text"] and "7 天" in merged["text"]
    asyncio.run(main())


# -- event conversion, seen by a capturing sink --------------------------------------------------
async def _captured(fake: FakePuppet) -> tuple[WechatyLink, list[Incoming]]:
    got: list[Incoming] = []

    async def sink(item: Incoming) -> None:
        got.append(item)

    link = WechatyLink(RealClock("Asia/Shanghai"), bot_name="小助手", ignore=("wxid_otherbot",),
                       stale_seconds=120, sink=sink, puppet_factory=lambda: fake)
    conn = link.connect()
    await until(conn.ready.is_set)
    return link, got


def test_message_event_fields() -> None:
    async def main() -> None:
        fake = world()
        link, got = await _captured(fake)
        await fake.say("wxid_a", "@小助手\u2005怎么开发票", ROOM, mentions=("wxid_bot", "wxid_b"), msg_id="m1")
        await fake.say("wxid_b", "@小助手 多久发货", ROOM, msg_id="m2")
        await fake.say("wxid_b", "邮件@小助手们", ROOM, msg_id="m3")
        await fake.say("wxid_op", "你好", "", msg_id="m4")
        await fake.say("wxid_b", "[图片]", ROOM, msg_id="m5", type=SdkType.MESSAGE_TYPE_IMAGE)
        await fake.say("wxid_b", "", ROOM, msg_id="m6", type=SdkType.MESSAGE_TYPE_EMOTICON)
        await fake.say("wxid_b", "", ROOM, msg_id="m7", type=SdkType.MESSAGE_TYPE_VIDEO)
        await link.disconnect()
        ev = {i.event.id: i.event for i in got}
        m1 = ev["m1"]
        assert isinstance(m1, Message)
        assert (m1.room, m1.room_topic, m1.sender, m1.sender_name) == (ROOM, "星火写作营", "wxid_a", "小雨")
        assert m1.mentions == (SELF_ID, "wxid_b") and m1.mentions_bot and m1.type is MessageType.TEXT
        assert m1.ts.tzinfo is not None and abs(time.time() - m1.ts.timestamp()) < 5
        assert ev["m2"].mentions_bot and ev["m2"].sender_name == "Bo"
        assert not ev["m3"].mentions_bot
        assert ev["m4"].room is None and ev["m4"].is_direct
        assert [ev[m].type for m in ("m5", "m6", "m7")] == [MessageType.IMAGE, MessageType.EMOJI, MessageType.OTHER]
        assert not any(i.stale for i in got)
    asyncio.run(main())


def test_join_and_leave_events() -> None:
    async def main() -> None:
        fake = world()
        link, got = await _captured(fake)
        await fake.join(ROOM, {"wxid_n1": "新人1", "wxid_n2": "新人2"}, inviter="wxid_op")
        await fake.leave(ROOM, ["wxid_b"], remover="wxid_op")
        await link.disconnect()
        joins = [i.event for i in got if isinstance(i.event, Join)]
        assert [(j.member, j.member_name, j.room, j.room_topic) for j in joins] == [
            ("wxid_n1", "新人1", ROOM, "星火写作营"), ("wxid_n2", "新人2", ROOM, "星火写作营")]
        leaves = [i.event for i in got if isinstance(i.event, Leave)]
        assert [(x.member, x.member_name) for x in leaves] == [("wxid_b", "Bo")]
        assert len({j.id for j in joins}) == 2
    asyncio.run(main())
