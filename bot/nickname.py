"""The bot's account nickname from ``bot.nickname_template`` ("{name}｜早9晚9回复").

Members see the nickname next to every reply, so it is a cheap place to say when people answer.
The live adapter sets it at start where the puppet allows it.
"""

from __future__ import annotations

import re

from bot.config import Config

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def render_nickname(config: Config) -> str | None:
    """The nickname to set, or None when no template is configured.

    ``{name}`` is ``bot.name`` and ``{service_hours}`` the hours summary; other braces stay as written.
    """
    template = config.bot.nickname_template
    if not template or not template.strip():
        return None
    values = {"name": config.bot.name}
    if "{service_hours}" in template:
        values["service_hours"] = config.hours.summary()
    name = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template).strip()
    return name or None
