"""Scoring a matcher on labelled messages, with the same definitions as the bench's ``score.py``.

``evaluate(index, rows)`` runs every row through ``index.match`` (not addressed) and returns the six
metrics plus the misses grouped by kind, so an operator sees which messages went wrong and how.
Rows are dicts ``{"text", "expect": entry id | None, "kind": "paraphrase" | "chitchat" | "unknown"}``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.faq.index import FaqIndex, MatchResult

KINDS = ("paraphrase", "chitchat", "unknown")
MISS_KINDS = ("wrong answer", "missed paraphrase", "chit-chat replied", "unknown answered")
GOALS: dict[str, tuple[str, float]] = {
    "answer_acc": (">=", 90.0),
    "helped": (">=", 96.0),
    "wrong_answer": ("<=", 2.0),
    "chitchat_reply": ("<=", 1.0),
    "unknown_answer": ("<=", 5.0),
    "precision": (">=", 97.0),
}


@dataclass(frozen=True, slots=True)
class Miss:
    kind: str
    """One of ``MISS_KINDS``."""
    text: str
    expect: str | None
    action: str
    got: str | None
    """The answered entry, or the top suggestion / candidate."""
    score: float
    reason: str

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "text": self.text, "expect": self.expect, "action": self.action,
                "got": self.got, "score": round(self.score, 4), "reason": self.reason}


@dataclass(frozen=True, slots=True)
class EvalReport:
    metrics: dict[str, float]
    counts: dict[str, int]
    misses: tuple[Miss, ...] = field(default=())

    def by_kind(self) -> dict[str, list[Miss]]:
        out: dict[str, list[Miss]] = {k: [] for k in MISS_KINDS}
        for m in self.misses:
            out[m.kind].append(m)
        return out

    def meets_goals(self) -> dict[str, bool]:
        return {k: (self.metrics[k] >= g if op == ">=" else self.metrics[k] <= g) for k, (op, g) in GOALS.items()}

    def to_dict(self) -> dict[str, object]:
        return {
            **self.metrics,
            "counts": dict(self.counts),
            "goals_met": self.meets_goals(),
            "misses": {k: [m.to_dict() for m in v] for k, v in self.by_kind().items()},
        }

    def to_text(self, *, max_misses: int = 20) -> str:
        ok = self.meets_goals()
        lines = []
        for k, (op, g) in GOALS.items():
            mark = "ok  " if ok[k] else "MISS"
            lines.append(f"{k:15s} {self.metrics[k]:5.1f}%   goal {op} {g:g}%  {mark}")
        lines.append("counts          " + ", ".join(f"{k} {v}" for k, v in self.counts.items()))
        for kind, misses in self.by_kind().items():
            if not misses:
                continue
            lines.append("")
            lines.append(f"{kind} ({len(misses)}):")
            for m in misses[:max_misses]:
                exp = f" expected {m.expect}," if m.expect else ""
                got = f" {m.action} {m.got}" if m.got else f" {m.action}"
                lines.append(f"  {m.text!r}:{exp}{got} (score {m.score:.2f}, {m.reason})")
            if len(misses) > max_misses:
                lines.append(f"  ... and {len(misses) - max_misses} more")
        return "\n".join(lines)


def _pct(a: int, b: int) -> float:
    return round(100.0 * a / b, 1) if b else 0.0


def score_records(labels: Iterable[Mapping[str, object]], records: Iterable[Mapping[str, object]]) -> dict:
    """The bench's metrics from ``MatchResult.to_record`` dicts (same definitions as score.py)."""
    n = dict.fromkeys(KINDS, 0)
    right = helped = wrong = chat_reply = unk_answer = answers = 0
    for lab, pred in zip(labels, records, strict=True):
        action = pred.get("action")
        kind = str(lab["kind"])
        n[kind] = n.get(kind, 0) + 1
        answered = action == "answer"
        answers += answered
        hit = answered and pred.get("entry") == lab["expect"]
        if kind == "paraphrase":
            right += hit
            wrong += answered and not hit
            sugg = pred.get("suggestions") or []
            helped += hit or (action == "suggest" and lab["expect"] in sugg)  # type: ignore[operator]
        elif kind == "chitchat":
            chat_reply += action != "none"
        else:
            unk_answer += answered
    return {
        "metrics": {
            "answer_acc": _pct(right, n["paraphrase"]),
            "helped": _pct(helped, n["paraphrase"]),
            "wrong_answer": _pct(wrong, n["paraphrase"]),
            "chitchat_reply": _pct(chat_reply, n["chitchat"]),
            "unknown_answer": _pct(unk_answer, n["unknown"]),
            "precision": _pct(right, answers),
        },
        "counts": n,
    }


def _miss(row: Mapping[str, object], res: MatchResult) -> Miss | None:
    kind = row.get("kind")
    expect = row.get("expect")
    text = str(row.get("text", ""))
    top = res.entry.id if res.entry else (res.candidates[0].entry.id if res.candidates else None)
    if kind == "paraphrase":
        if res.action == "answer" and res.entry and res.entry.id == expect:
            return None
        if res.action == "answer":
            return Miss("wrong answer", text, str(expect), res.action, top, res.score, res.reason)
        return Miss("missed paraphrase", text, str(expect), res.action, top, res.score, res.reason)
    if kind == "chitchat" and res.action != "none":
        return Miss("chit-chat replied", text, None, res.action, top, res.score, res.reason)
    if kind == "unknown" and res.action == "answer":
        return Miss("unknown answered", text, None, res.action, top, res.score, res.reason)
    return None


def evaluate(index: FaqIndex, rows: Iterable[Mapping[str, object]]) -> EvalReport:
    """Match every row (not addressed, as the bench does) and score it like ``score.py``."""
    rows = list(rows)
    for i, r in enumerate(rows):
        if r.get("kind") not in KINDS:
            raise ValueError(f"row {i + 1}: kind must be one of {', '.join(KINDS)}, not {r.get('kind')!r}")
    results = [index.match(str(r.get("text", ""))) for r in rows]
    records = [res.to_record(str(r.get("text", ""))) for r, res in zip(rows, results, strict=True)]
    scored = score_records(rows, records)
    misses = tuple(m for r, res in zip(rows, results, strict=True) if (m := _miss(r, res)) is not None)
    return EvalReport(scored["metrics"], scored["counts"], misses)
