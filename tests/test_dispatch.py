from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.actions import Say
from bot.dispatch import CONTINUE, Dispatcher, Outcome, reply
from bot.events import Message

TZ = ZoneInfo("Asia/Shanghai")
MSG = Message(id="m1", ts=datetime(2026, 11, 2, 10, tzinfo=TZ), room="r1", sender="a", sender_name="A", text="hi")


class Recording:
    def __init__(self, name: str, log: list[str], outcome: Outcome | None) -> None:
        self.name, self.log, self.outcome = name, log, outcome

    def handle(self, event, ctx):
        self.log.append(self.name)
        return self.outcome


class Boom:
    name = "boom"

    def handle(self, event, ctx):
        raise RuntimeError("handler bug")


def test_handlers_run_in_declared_order_and_collect_actions():
    log: list[str] = []
    say = Say(room="r1", text="x")
    d = Dispatcher([Recording("a", log, None), Recording("b", log, reply(say, stop=False)),
                    Recording("c", log, CONTINUE)])
    result = d.dispatch(MSG, ctx=None)
    assert log == ["a", "b", "c"]
    assert result.actions == (say,)
    assert result.handled_by == ("b",)
    assert result.stopped_by is None


def test_a_handler_can_stop_the_ones_after_it():
    log: list[str] = []
    d = Dispatcher([Recording("a", log, reply(Say(room="r1", text="x"))), Recording("b", log, None)])
    result = d.dispatch(MSG, ctx=None)
    assert log == ["a"]
    assert result.stopped_by == "a"


def test_a_failing_handler_is_logged_and_the_rest_still_run(caplog):
    log: list[str] = []
    d = Dispatcher([Boom(), Recording("after", log, reply(Say(room="r1", text="ok")))])
    result = d.dispatch(MSG, ctx=None)
    assert log == ["after"]
    assert [a.text for a in result.actions] == ["ok"]
    assert "boom" in result.errors[0] and "handler bug" in result.errors[0]
    assert "m1" in caplog.text


def test_duplicate_handler_names_are_refused():
    import pytest

    with pytest.raises(ValueError, match="unique"):
        Dispatcher([Recording("a", [], None), Recording("a", [], None)])
