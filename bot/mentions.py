"""Is a message addressed to the bot? WeChat writes an @mention as ``@昵称`` + U+2005 (or a space)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.events import SELF_ID


def mentions_bot(text: str, mentions: Iterable[str], bot_names: Iterable[str]) -> bool:
    if SELF_ID in mentions:
        return True
    return any(name and re.search(rf"@{re.escape(name)}(?:[\u2005\s]|$)", text) for name in bot_names)
