"""Number replies: "2" from the member who just got a "did you mean" list answers with entry 2."""

from __future__ import annotations

import re
import unicodedata

from bot.context import Context
from bot.dispatch import Outcome, reply
from bot.events import Event, Message, MessageType
from handlers.replies import reply_to

_CN = {"一": 1, "二": 2, "两": 2, "三": 3}
_NUMBER = re.compile(r"^(?:第)?([1-3一二两三])(?:个|条|项)?(?:吧|的|呀|啊)?$")
_MENTION = re.compile(r"@\S+?(?:\u2005|\s|$)")
_KEYCAP = "\ufe0f\u20e3"


def choice_number(text: str) -> int | None:
    """The number a member picked: "2", "２", "2️⃣", "第二个"; None if the text is anything else."""
    text = unicodedata.normalize("NFKC", _MENTION.sub("", text)).replace(_KEYCAP, "").replace("\u20e3", "")
    text = re.sub(r"[\s。.!！?？~～,，]+", "", text)
    m = _NUMBER.match(text)
    if not m:
        return None
    g = m.group(1)
    return _CN.get(g) or int(g)


class ChoiceReply:
    name = "choice"

    def handle(self, event: Event, ctx: Context) -> Outcome | None:
        if not isinstance(event, Message) or event.type != MessageType.TEXT:
            return None
        key = (event.room or "", event.sender)
        pending = ctx.memory.choices.get(key)
        if pending is None:
            return None
        if ctx.now > pending.expires:
            del ctx.memory.choices[key]
            return None
        n = choice_number(event.text)
        if n is None or n > len(pending.entries):
            return None
        del ctx.memory.choices[key]
        entry = pending.entries[n - 1]
        ctx.scratch["answered"] = entry.id
        return reply(reply_to(event, entry.answer, "faq", entry.id))
