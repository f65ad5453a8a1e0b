"""KOL candidates: a score per member per room over a window, every part explainable in words.

score = Σ over the window's days of w(day) × (active_day + message·counted + playful·stickers
        + helped·answers + thanked·thanks + mentioned·mentions + replied·replies
        + product_question·questions)  +  newcomer_helped · distinct newcomers helped

w(day) falls linearly from 1 on the digest's day to about ½ at the window's first day (recent
days count more). Linear on purpose: Σ w over a member's rows only needs their count and the sum
of their day numbers, which the database adds up without sending a row per message or per day.
Messages count once a minute per member and at most ``MESSAGE_CAP`` a day; floods, repeated
text, ads and bare links never count (the recorder marks them). Members who flood or advertise,
operators and bots are never candidates.

Segments: ``rising`` joined within the window (their first week counts toward it); ``kol`` helps
others (answers or thanks, at least twice) on several days; ``active`` the rest above the bar.
``fading``: was among the previous window's top candidates, and the score fell by half or more.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

DEFAULT_WEIGHTS: Mapping[str, float] = {
    "active_day": 4.0,        # per day with at least one message that counts
    "message": 0.3,           # per counted message (once a minute, at most MESSAGE_CAP a day)
    "helped": 6.0,            # per answer to another member's question (quote-reply or @ within 30 min)
    "newcomer_helped": 4.0,   # extra per distinct newcomer (first week) helped in the window
    "thanked": 5.0,           # per thanks received ("谢谢@X", a thanks quoting X, "谢谢阿辉")
    "mentioned": 1.0,         # per @ by another member
    "replied": 1.5,           # per quote-reply received from another member
    "playful": 0.4,           # per sticker or playful message (once a minute)
    "product_question": 1.5,  # per question about the product (the FAQ recognised the topic)
}
MESSAGE_CAP = 30
"""Counted messages per member per room per day (the recorder enforces it)."""
MIN_SCORE = 10.0
"""Below this nobody is a candidate (roughly: active on two or three days)."""
MIN_DAYS = 2
KOL_HELPS = 2
KOL_DAYS = 3
FADE_RATIO = 0.5


class WeightError(ValueError):
    pass


def weights_from(config: Mapping[str, float]) -> dict[str, float]:
    """The default weights overridden by ``activity.weights``; an unknown name is an error."""
    unknown = sorted(set(config) - set(DEFAULT_WEIGHTS))
    if unknown:
        raise WeightError(f"unknown weight {', '.join(unknown)} "
                          f"(known: {', '.join(DEFAULT_WEIGHTS)})")
    return {**DEFAULT_WEIGHTS, **{k: float(v) for k, v in config.items()}}


@dataclass(slots=True)
class Tally:
    """How many, and the sum of their day numbers (what the linear decay needs)."""

    n: int = 0
    days: int = 0

    def weighted(self, last: int, window: int) -> float:
        """Σ w(day) = n − (n·last − Σday) / (2·window)."""
        return self.n - (self.n * last - self.days) / (2 * window)


@dataclass(slots=True)
class WindowStats:
    """One member in one room over one window, as the database adds it up."""

    messages: int = 0
    junk: int = 0
    ads: int = 0
    tallies: dict[str, Tally] = field(default_factory=dict)
    """active_day, message, playful, product_question, helped, thanked, mentioned, replied"""
    askers: int = 0
    newcomers: int = 0

    def tally(self, key: str) -> Tally:
        t = self.tallies.get(key)
        if t is None:
            t = self.tallies[key] = Tally()
        return t


@dataclass(slots=True)
class MemberStats:
    room: str
    member: str
    cur: WindowStats = field(default_factory=WindowStats)
    prev: WindowStats = field(default_factory=WindowStats)


@dataclass(frozen=True, slots=True)
class WindowScore:
    score: float
    active_days: int
    parts: Mapping[str, float]
    counts: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class Candidate:
    member: str
    name: str
    room: str
    score: float
    segment: str
    reasons: tuple[str, ...]
    daily: tuple[int, ...] = ()
    """Messages per day over the window, oldest first (for the sparkline)."""


@dataclass(frozen=True, slots=True)
class Fading:
    member: str
    name: str
    room: str
    score: float
    previous: float
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MemberInfo:
    name: str
    joined: int | None
    """Local day number (date ordinal) of the Join, if seen."""


@dataclass(frozen=True, slots=True)
class Ranking:
    candidates: tuple[Candidate, ...]
    fading: tuple[Fading, ...]


def score_window(st: WindowStats, last: int, window: int, w: Mapping[str, float]) -> WindowScore:
    parts: dict[str, float] = {}
    counts: dict[str, int] = {"messages": st.messages, "junk": st.junk, "ads": st.ads}
    for key, tally in st.tallies.items():
        if tally.n:
            parts[key] = w[key] * tally.weighted(last, window)
            counts[key] = tally.n
    if st.newcomers:
        parts["newcomer_helped"] = w["newcomer_helped"] * st.newcomers
    active = st.tallies.get("active_day")
    return WindowScore(round(sum(parts.values()), 1), active.n if active else 0, parts, counts)


def is_spammy(counts: Mapping[str, int]) -> bool:
    """Advertised, or a fifth of what they sent was flood, repeats or bare links."""
    junk = counts.get("junk", 0)
    return counts.get("ads", 0) >= 2 or junk >= max(3, 0.2 * counts.get("messages", 0))


def reasons(ws: WindowScore, m: WindowStats, window: int) -> list[str]:
    """Chinese one-liners, the biggest contribution first."""
    c = ws.counts
    said: list[tuple[float, str]] = [(ws.parts.get("active_day", 0), f"{window}天里活跃{ws.active_days}天")]
    helped = ws.parts.get("helped", 0) + ws.parts.get("newcomer_helped", 0) + 0.01
    if m.newcomers and m.newcomers >= m.askers:
        said.append((helped, f"回答了{m.newcomers}位新人的问题"))
    elif m.newcomers:
        said.append((helped, f"帮{m.askers}位群友解答问题（含{m.newcomers}位新人）"))
    elif c.get("helped"):
        said.append((helped, f"帮{max(m.askers, 1)}位群友解答了{c['helped']}个问题"))
    for key, text in (("thanked", "被感谢{}次"), ("replied", "被回复{}次"), ("mentioned", "被@{}次"),
                      ("playful", "发表情活跃气氛{}次"), ("product_question", "问了{}个产品问题"),
                      ("message", "发言{}条")):
        if c.get(key):
            said.append((ws.parts.get(key, 0), text.format(c[key])))
    said.sort(key=lambda t: -t[0])
    return [text for _, text in said]


def rank(stats: Iterable[MemberStats], info: Mapping[tuple[str, str], MemberInfo], day: date, *,
         window: int, weights: Mapping[str, float], excluded: frozenset[str], top: int) -> Ranking:
    """Candidates (top ``top`` per room, plus up to ``top`` rising) and who is fading."""
    last = day.toordinal()
    first = last - window + 1
    by_room: dict[str, list[Candidate]] = defaultdict(list)
    scored: list[tuple[MemberStats, WindowScore, WindowScore]] = []
    for m in stats:
        if m.member in excluded:
            continue
        cur = score_window(m.cur, last, window, weights)
        prev = score_window(m.prev, first - 1, window, weights)
        both = {k: cur.counts.get(k, 0) + prev.counts.get(k, 0) for k in ("junk", "ads", "messages")}
        if not is_spammy(both):
            scored.append((m, cur, prev))
    was_candidate = _previous_candidates(scored, top)
    fading: list[Fading] = []
    for m, cur, prev in scored:
        who = info.get((m.room, m.member), MemberInfo(m.member, None))
        if (m.room, m.member) in was_candidate and cur.score <= prev.score * FADE_RATIO:
            fading.append(Fading(m.member, who.name, m.room, cur.score, prev.score, (
                f"得分{prev.score:.0f}→{cur.score:.0f}",
                f"前{window}天活跃{prev.active_days}天，近{window}天{cur.active_days}天")))
            continue
        if cur.score < MIN_SCORE / 2 or cur.active_days < MIN_DAYS:
            continue
        why = reasons(cur, m.cur, window)
        newcomer = who.joined is not None and first <= who.joined <= last
        helps = cur.counts.get("helped", 0) + cur.counts.get("thanked", 0)
        if newcomer:
            segment = "rising"
            why.insert(0, f"入群第{last - who.joined + 1}天")
        elif cur.score < MIN_SCORE:
            continue
        elif helps >= KOL_HELPS and cur.active_days >= KOL_DAYS:
            segment = "kol"
        else:
            segment = "active"
        by_room[m.room].append(Candidate(m.member, who.name, m.room, cur.score, segment, tuple(why[:3])))
    chosen: list[Candidate] = []
    for people in by_room.values():
        people.sort(key=lambda c: (-c.score, c.member))
        best = people[:top]
        best += [c for c in people[top:] if c.segment == "rising"][:top]
        chosen += best
    chosen.sort(key=lambda c: (-c.score, c.room, c.member))
    fading.sort(key=lambda f: (-f.previous, f.room, f.member))
    return Ranking(tuple(chosen), tuple(fading))


def _previous_candidates(scored: Iterable[tuple[MemberStats, WindowScore, WindowScore]],
                         top: int) -> set[tuple[str, str]]:
    """Who the previous window's digest showed: its top ``top`` per room (above the bar)."""
    by_room: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for m, _, prev in scored:
        if prev.score >= MIN_SCORE and prev.active_days >= MIN_DAYS:
            by_room[m.room].append((prev.score, m.member))
    return {(room, member) for room, people in by_room.items() for _, member in sorted(people, reverse=True)[:top]}
