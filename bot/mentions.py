"""Is a message addressed to the bot? WeChat writes an @mention as ``@昵称`` + U+2005 (or a space)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.events import SELF_ID

MENTION = re.compile(r"@([^\s\u2005@]{1,30})(?:[\u2005\s]|$)")
"""``@name`` followed by U+2005, a space or the end: the display name is group 1."""


def mentioned_names(text: str) -> list[str]:
    """The display names @mentioned in the text, in order."""
    return MENTION.findall(text)


def mentions_bot(text: str, mentions: Iterable[str], bot_names: Iterable[str]) -> bool:
    if SELF_ID in mentions:
        return True
    return any(name and re.search(rf"@{re.escape(name)}(?:[\u2005\s]|$)", text) for name in bot_names)
