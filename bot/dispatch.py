"""The dispatcher: runs handlers in their declared order; a handler may stop the ones after it.

Modelled on nonebot2's matcher priority/block and python-telegram-bot's handler groups, smaller:
the order is one explicit list (see ``bot/app.py``), not a registry scattered over modules.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from bot.actions import Action
from bot.events import Event

if TYPE_CHECKING:
    from bot.context import Context

log = logging.getLogger("qunbot.dispatch")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a handler decided: the actions to take, and whether later handlers should still run."""

    actions: tuple[Action, ...] = ()
    stop: bool = False


CONTINUE = Outcome()
STOP = Outcome(stop=True)


def reply(*actions: Action, stop: bool = True) -> Outcome:
    return Outcome(actions=tuple(actions), stop=stop)


class Handler(Protocol):
    name: str

    def handle(self, event: Event, ctx: Context) -> Outcome | None:
        """Return an Outcome (None means "not mine, go on")."""
        ...


@dataclass(frozen=True, slots=True)
class Dispatched:
    actions: tuple[Action, ...]
    handled_by: tuple[str, ...]
    stopped_by: str | None
    errors: tuple[str, ...] = ()


class Dispatcher:
    """Runs an ordered list of handlers over each event and collects their actions.

    An exception in one handler is logged with the event id and the rest still run: one bad
    handler must not silence the bot.
    """

    def __init__(self, handlers: Sequence[Handler]) -> None:
        names = [h.name for h in handlers]
        if len(set(names)) != len(names):
            raise ValueError(f"handler names must be unique: {names}")
        self.handlers = tuple(handlers)

    def dispatch(self, event: Event, ctx: Context) -> Dispatched:
        actions: list[Action] = []
        handled: list[str] = []
        errors: list[str] = []
        for handler in self.handlers:
            try:
                outcome = handler.handle(event, ctx)
            except Exception as exc:  # noqa: BLE001 - a handler bug must not stop the bot
                event_id = getattr(event, "id", getattr(event, "job", "?"))
                log.exception("handler %s failed on event %s", handler.name, event_id)
                errors.append(f"{handler.name}: {type(exc).__name__}: {exc}")
                continue
            if outcome is None:
                continue
            if outcome.actions:
                handled.append(handler.name)
                actions.extend(outcome.actions)
            if outcome.stop:
                return Dispatched(tuple(actions), tuple(handled), handler.name, tuple(errors))
        return Dispatched(tuple(actions), tuple(handled), None, tuple(errors))
