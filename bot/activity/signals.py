"""Cheap text signals for activity scoring: thanks, ads, playful messages, question cues.

Plain keyword and pattern checks, so each decision can be explained to an operator in a word.
"""

from __future__ import annotations

import re

_THANKS = re.compile(r"谢谢|多谢|感谢|谢啦|谢了|thx|thanks|thank you|3q|蟹蟹|比心|辛苦了", re.I)
_AD = re.compile(
    r"加[我个]?\s*(?:v|vx|微|微信|薇|q|qq)|微信号|v信|vx[:：]|代购|批发|领券|优惠券|一折|工厂直|返利|兼职|"
    r"招代理|日赚|刷单|私聊我|免费领|低价|特价|点击链接|扫码进群|进群领",
    re.I,
)
_URL = re.compile(r"https?://\S+|www\.\S+|\b[a-z0-9-]+\.(?:cn|com|net|cc|top)/\S*", re.I)
_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_STICKER_TEXT = re.compile(r"^(?:\s*\[[^\[\]]{1,6}\]\s*)+$")
_PLAYFUL = re.compile(r"哈哈|嘿嘿|嘻嘻|hhh|233|冲鸭|加油|打卡|[\U0001F300-\U0001FAFF\u2600-\u27BF]|\[[^\[\]]{1,6}\]",
                      re.I)
_QUESTION = re.compile(r"[?？]|吗|么|怎么|如何|请问|为什么|为啥|能不能|可以.*吗|哪里|哪儿|多少|几点|是否")
_NAME_CUT = re.compile(r"[｜|/（(\[【·\-—_ ].*$")
_SPACE = re.compile(r"[\s\u2005]+")


def is_thanks(text: str) -> bool:
    return bool(_THANKS.search(text))


def is_ad(text: str) -> bool:
    """Advertising: sales words, contact-me hooks, phone numbers."""
    return bool(_AD.search(text) or _PHONE.search(text))


def is_bare_link(text: str) -> bool:
    """Only a URL, nothing said about it."""
    return bool(text) and not _URL.sub("", text).strip()


def is_playful(text: str) -> bool:
    """Stickers written as text ("[捂脸]"), laughter, cheering, emoji."""
    return bool(_PLAYFUL.search(text))


def is_sticker_text(text: str) -> bool:
    return bool(_STICKER_TEXT.match(text))


def looks_like_question(text: str) -> bool:
    """A fallback when the FAQ matcher did not look at the message (stale or non-text)."""
    return bool(_QUESTION.search(text))


def normalize(text: str) -> str:
    """The text as compared for repeats: no spaces, no @mentions, lower case."""
    text = re.sub(r"@\S+?(?:\u2005|\s|$)", "", text)
    return _SPACE.sub("", text).lower()


def short_name(display: str) -> str:
    """The part of a display name people use when they thank someone ("阿辉｜跑龄6年" -> "阿辉")."""
    return _NAME_CUT.sub("", display).strip()
