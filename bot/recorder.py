"""The recorder: a Sender that writes actions as JSON lines instead of sending them (replay, tests)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import IO, Any

from bot.actions import Action, to_record
from bot.clock import Clock


class Recorder:
    """Keeps every action with its send time; optionally streams action lines to ``out``."""

    def __init__(self, clock: Clock, out: IO[str] | None = None,
                 on_record: Callable[[dict[str, Any], Action], None] | None = None) -> None:
        self.clock = clock
        self.out = out
        self.on_record = on_record
        self.records: list[dict[str, Any]] = []

    async def send(self, action: Action) -> None:
        record = to_record(action, self.clock.now())
        self.records.append(record)
        if self.out is not None:
            self.out.write(json.dumps(record, ensure_ascii=False) + "\n")
            self.out.flush()
        if self.on_record is not None:
            self.on_record(record, action)
