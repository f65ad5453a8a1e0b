"""Train the answer model (``bot/faq/confidence.py``) on the project's own labelled sets, and measure it.

Every message the matcher would offer choices for (with the sentence model asked) is an example: its
first choice's evidence, labelled right when it is a paraphrase of that entry, wrong otherwise (another
entry, an uncovered question, chit-chat). Uncovered questions and chit-chat weigh more: answering them is
worse than leaving a right first choice among the choices. Only the examined own sets are used; the
holdout, the unexamined sets and the dev bench are scored with the final model, by counts only.

Leave-one-set-out: each examined set is scored by a model trained on the others, so the numbers say
what the model does on a domain it has not seen.

Usage: .venv/bin/python bench/train_answer_model.py [--write] (needs scikit-learn: pip install -e .[bench])
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_quality import SETS  # noqa: E402

from bot.faq.confidence import FEATURES, MODEL_FILE, AnswerModel  # noqa: E402
from bot.faq.loader import load_faq  # noqa: E402
from bot.faq.matcher import Params, build_index  # noqa: E402

UNTOUCHED = ("holdout", "unexamined", "(dev)")
"""Sets never trained on."""
WEIGHTS = {"paraphrase": 1.0, "unknown": 8.0, "chitchat": 8.0}
SPAN = 5
"""The range kept for each feature: its 5th to 95th percentile. Answering never needed a second embedding's
outcome outside it on our sets (``AnswerModel.probability``'s bound skipped 65 % of choice lists' second
embeddings and lost no answer); an outcome beyond it is left a choice list."""
THRESHOLDS = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85)


@dataclass(frozen=True, slots=True)
class Example:
    set: str
    kind: str
    right: bool
    x: tuple[float, ...]


def examples(name: str, faq: Path, queries: Path) -> list[Example]:
    index = build_index(load_faq(faq), params=Params(answer_model=False))
    out = []
    for line in queries.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        res = index.match(row["text"])
        if res.evidence is None:
            continue
        right = row["kind"] == "paraphrase" and res.suggestions[0].id == row["expect"]
        out.append(Example(name, row["kind"], right, tuple(res.evidence[f] for f in FEATURES)))
    return out


def fit(data: list[Example], c: float) -> AnswerModel:
    x = np.array([e.x for e in data])
    y = np.array([e.right for e in data])
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=c, max_iter=5000).fit(scaler.transform(x), y,
                                                       sample_weight=[WEIGHTS[e.kind] for e in data])
    return AnswerModel(FEATURES, scaler.mean_, scaler.scale_, model.coef_[0], float(model.intercept_[0]),
                       *np.percentile(x, [SPAN, 100 - SPAN], axis=0))


def added(model: AnswerModel, data: list[Example], at: float) -> Counter[str]:
    """What answering the first choice from ``at`` on would add: right and wrong answers, answered
    uncovered questions and chit-chat."""
    got: Counter[str] = Counter()
    for e in data:
        if model.probability(dict(zip(FEATURES, e.x, strict=True))) >= at:
            got["right" if e.right else "wrong" if e.kind == "paraphrase" else e.kind] += 1
    return got


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true",
                    help=f"write the model trained on all examined sets to {MODEL_FILE}")
    ap.add_argument("-C", type=float, default=1.0, help="inverse ridge penalty")
    ap.add_argument("--uncovered-weight", type=float, default=WEIGHTS["unknown"],
                    help="weight of an uncovered question or chit-chat (a paraphrase weighs 1)")
    ap.add_argument("--at", type=float, default=Params().answer_model_at, help="threshold reported in the model file")
    args = ap.parse_args()
    WEIGHTS.update(unknown=args.uncovered_weight, chitchat=args.uncovered_weight)
    by_set = {name: examples(name, f, q) for name, f, q in SETS if f.exists() and q.exists()}
    train = [n for n in by_set if not any(u in n for u in UNTOUCHED)]
    print(f"{sum(len(by_set[n]) for n in train)} examples from {len(train)} examined sets")
    held: dict[float, Counter[str]] = {t: Counter() for t in THRESHOLDS}
    for name in train:
        model = fit([e for n in train if n != name for e in by_set[n]], args.C)
        counts = {t: added(model, by_set[name], t) for t in THRESHOLDS}
        for t in THRESHOLDS:
            held[t] += counts[t]
        got = counts[args.at] if args.at in counts else added(model, by_set[name], args.at)
        print(f"  {name[:32]:32s} at {args.at}: {dict(got)}")
    print("leave-one-set-out, added over all examined sets:")
    for t in THRESHOLDS:
        print(f"  at {t:.2f}: {dict(held[t])}")
    final = fit([e for n in train for e in by_set[n]], args.C)
    print(f"examined sets, final model at {args.at} (in sample):")
    for name in train:
        print(f"  {name[:32]:32s} {dict(added(final, by_set[name], args.at))}")
    untouched = {n: dict(added(final, by_set[n], args.at)) for n in by_set if n not in train}
    print(f"untouched sets, final model at {args.at}:")
    for name, got in untouched.items():
        print(f"  {name[:32]:32s} {got}")
    if args.write:
        about = {"trained_on": train, "C": args.C, "weights": WEIGHTS,
                 "leave_one_set_out": {f"{t:.2f}": dict(held[t]) for t in THRESHOLDS}}
        MODEL_FILE.write_text(final.to_json(about), encoding="utf-8")
        print(f"wrote {MODEL_FILE}")


if __name__ == "__main__":
    main()
