"""Turning a raw WeChat group message into the text a member actually wrote, in one canonical form.

Members type traditional characters, full-width letters, WeChat emoji codes (``[捂脸]``), Unicode emoji,
@mentions (``@name`` + U+2005) and quote-replies. The matcher should see only the member's own words,
simplified, lower-cased and half-width, plus a few facts it needs later (was the bot mentioned,
did an emoji code carry a question).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

# WeChat renders @mentions as "@" + display name + U+2005 (four-per-em space); clients that lose
# the U+2005 send a plain space instead.
_MENTION_END = "\u2005"
_MENTION = re.compile(r"@([^\s\u2005@]{1,32})(?:[\u2005 \t]|$)")

# Quote-replies: WeChat (PC and via wechaty) sends 「name：quoted text」 followed by a dashed
# separator line and then the reply; older clients send the reply first and the quote after.
_QUOTE_SEP = re.compile(r"^\s*(?:-\s*){3,}$|^\s*[-—_=]{3,}\s*$", re.M)
_QUOTE_SEP_CHARS = frozenset("-—_=")  # a separator line needs one of them, a quote block needs 「
_QUOTE_BLOCK = re.compile(r"「[^「」]{0,400}?[：:][^「」]*」", re.S)

_EMOJI_CODE = re.compile(r"\[([^\[\]\s]{1,6})\]")
# WeChat emoji codes that carry meaning for the matcher: a puzzled face is a question mark.
QUESTION_EMOJI_CODES = frozenset({"疑问", "问号", "思考", "?", "？"})
# Placeholders the client puts in place of non-text content: the message is not a text question.
MEDIA_PLACEHOLDERS = frozenset(
    {"图片", "动画表情", "表情", "语音", "视频", "文件", "链接", "红包", "转账", "位置", "名片", "小程序",
     "聊天记录", "音乐", "视频号", "拍一拍"}
)

_EMOJI = re.compile(
    "["
    "\U0001f000-\U0001faff"  # pictographs, emoticons, transport, supplemental symbols
    "\u2600-\u27bf"  # misc symbols, dingbats (☀ ✅ ❤)
    "\u2b00-\u2bff"  # arrows and stars (⭐)
    "\ufe0f\u200d\u20e3"  # variation selector, zero-width joiner, keycap
    "\U000e0000-\U000e007f"  # tags (flag sequences)
    "]+"
)
_QUESTION_EMOJI = frozenset("🤔❓❔⁉")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Normalized:
    """A message reduced to the member's own words (``text``) and what was stripped around them."""

    text: str
    """Member's own text: simplified, NFKC, lower case, emoji and mentions removed, spaces collapsed."""
    mentions: tuple[str, ...] = ()
    """Display names @mentioned in the message (normalized)."""
    mentions_bot: bool = False
    """One of the bot's names was @mentioned."""
    emoji_question: bool = False
    """A question emoji (``[疑问]``, 🤔) stood in for a question mark."""
    media: str | None = None
    """The message is a media placeholder such as ``[图片]`` (its kind), not text."""
    quoted: bool = False
    """A quoted message was removed (the member replied to someone)."""


@lru_cache(maxsize=1)
def _t2s():  # type: ignore[no-untyped-def]
    """The traditional -> simplified converter (opencc-python-reimplemented, loaded once).

    ``tw2sp`` also maps Taiwanese word choices to mainland ones (影片 -> 视频, 联络 -> 联系, 软体 -> 软件):
    a member typing traditional characters usually uses those words too, and the FAQ does not."""
    from opencc import OpenCC

    return OpenCC("tw2sp")


@lru_cache(maxsize=1)
def _traditional_chars() -> frozenset[str]:
    """Characters the t2s converter would change; lets simplified text skip the converter (~20 µs)."""
    import importlib.resources as res

    try:
        data = (res.files("opencc") / "dictionary" / "TSCharacters.txt").read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return frozenset()
    chars: set[str] = set()
    for line in data.splitlines():
        key, _, value = line.partition("\t")
        if value.split(" ")[0] != key:
            chars.update(key)
    return frozenset(chars)


def to_simplified(text: str) -> str:
    """Traditional Chinese to simplified; returns the text unchanged when it has no traditional char."""
    trad = _traditional_chars()
    if trad and trad.isdisjoint(text):
        return text
    return _t2s().convert(text)


def fold(text: str) -> str:
    """NFKC (full width -> half width, compatibility forms), lower case, simplified characters."""
    return to_simplified(unicodedata.normalize("NFKC", text).lower())


def strip_quote(text: str) -> tuple[str, bool]:
    """Remove a quoted message (「name：text」 and its dashed separator), keeping the member's reply."""
    parts = _QUOTE_SEP.split(text)
    quoted = False
    if len(parts) > 1:
        # the reply is the part without the quote block; WeChat puts the quote first
        kept = [p for p in parts if not _QUOTE_BLOCK.search(p)]
        text = "\n".join(kept) if kept else parts[-1]
        quoted = True
    new = _QUOTE_BLOCK.sub(" ", text)
    if new != text:
        quoted = True
    return new, quoted


def _bot_forms(bot_names: Sequence[str]) -> tuple[str, ...]:
    if not bot_names:
        return ()
    return _bot_forms_of(tuple(bot_names))


@lru_cache(maxsize=64)
def _bot_forms_of(bot_names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted({fold(n).strip().lstrip("@") for n in bot_names if n.strip()}, key=len, reverse=True))


def normalize(text: str, bot_names: Sequence[str] = ()) -> Normalized:
    """Reduce a raw message to the member's own words; see ``Normalized`` for what is kept aside."""
    text = text or ""
    if "「" in text or not _QUOTE_SEP_CHARS.isdisjoint(text):
        raw, quoted = strip_quote(text)
    else:  # no quote block and no separator line can occur: nothing to strip
        raw, quoted = text, False
    s = fold(raw)
    bots = _bot_forms(bot_names)

    # media placeholders ("[图片]", "[文件] name.docx") and emoji codes
    stripped = s.strip()
    media = None
    m = _EMOJI_CODE.match(stripped)
    if m and m.group(1) in MEDIA_PLACEHOLDERS:
        media = m.group(1)
    emoji_question = False

    def _code(mo: re.Match[str]) -> str:
        nonlocal emoji_question
        code = mo.group(1)
        if code in QUESTION_EMOJI_CODES:
            emoji_question = True
        return " "

    if "[" in s:
        s = _EMOJI_CODE.sub(_code, s)
    if not _QUESTION_EMOJI.isdisjoint(s):
        emoji_question = True
    s = _EMOJI.sub(" ", s)

    # @mentions: a known bot name first (it may run into the text without a separator), then any @name
    mentions: list[str] = []
    mentions_bot = False
    for b in bots:
        token = "@" + b
        if token in s:
            mentions_bot = True
            mentions.append(b)
            s = s.replace(token, " ")
    if "@" in s:
        for mo in _MENTION.finditer(s):
            mentions.append(mo.group(1))
        s = _MENTION.sub(" ", s)
    s = s.replace(_MENTION_END, " ")
    s = _SPACES.sub(" ", s).strip()
    return Normalized(s, tuple(mentions), mentions_bot, emoji_question, media, quoted)
