"""Matching quality on every labelled message set at hand, side by side.

The sets: the project's own, written for checking by someone who saw neither the matcher nor the dev
sets (``bench/eval/``: the bundled running club's FAQ, a gym chain's, a children's coding school's, a
housing estate's property office's, a driving school's, a pet hospital's, a travel agency's tour groups, a
dental clinic's, a home-appliance brand's after-sales group, a community group-buying neighbourhood group,
an electric-car brand's owners' group, a home-services company's customers' group, a mother-and-baby
brand's customers' group, a hotel chain's members' group, a mobile game's players' group, a pharmacy chain's
members' group, a coworking space's members' group, a specialty coffee chain's members' group, a
broadband provider's residents' group and an English-learning app's learners' group: domains the matcher was
not developed on; the driving set is a holdout, scored and never tuned on, and the hotel, coworking and
language-app sets were scored, never examined), and the dev bench (``../shared/faq-bench``) when it lies
beside the checkout. Prints the bench's six metrics, and how often the right entry ranks first and among the
first three (what a better answer rule could reach at most), by words and meaning together.

Usage: .venv/bin/python bench/bench_quality.py [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.faq.eval import evaluate  # noqa: E402
from bot.faq.loader import load_faq  # noqa: E402
from bot.faq.matcher import build_index  # noqa: E402

EVAL = ROOT / "bench" / "eval"
DEV = ROOT.parent / "shared" / "faq-bench"
SETS = (
    ("club (own)", ROOT / "faq.yaml", EVAL / "run_club.jsonl"),
    ("gym (own, new domain)", EVAL / "faq_gym.yaml", EVAL / "gym.jsonl"),
    ("kids coding (own, new domain)", EVAL / "faq_kids.yaml", EVAL / "kids.jsonl"),
    ("estate (own, new domain)", EVAL / "faq_estate.yaml", EVAL / "estate.jsonl"),
    ("driving (own, holdout)", EVAL / "faq_driving.yaml", EVAL / "driving.jsonl"),
    ("pet hospital (own, new domain)", EVAL / "faq_pet.yaml", EVAL / "pet.jsonl"),
    ("travel (own, new domain)", EVAL / "faq_travel.yaml", EVAL / "travel.jsonl"),
    ("dental (own, new domain)", EVAL / "faq_dental.yaml", EVAL / "dental.jsonl"),
    ("appliance (own, new domain)", EVAL / "faq_appliance.yaml", EVAL / "appliance.jsonl"),
    ("group-buying (own, new domain)", EVAL / "faq_groupbuy.yaml", EVAL / "groupbuy.jsonl"),
    ("EV owners (own, new domain)", EVAL / "faq_ev.yaml", EVAL / "ev.jsonl"),
    ("home services (own, new domain)", EVAL / "faq_home.yaml", EVAL / "home.jsonl"),
    ("mother-baby (own, new domain)", EVAL / "faq_baby.yaml", EVAL / "baby.jsonl"),
    ("hotel (own, unexamined)", EVAL / "faq_hotel.yaml", EVAL / "hotel.jsonl"),
    ("mobile game (own, new domain)", EVAL / "faq_game.yaml", EVAL / "game.jsonl"),
    ("pharmacy (own, new domain)", EVAL / "faq_pharmacy.yaml", EVAL / "pharmacy.jsonl"),
    ("coworking (own, unexamined)", EVAL / "faq_cowork.yaml", EVAL / "cowork.jsonl"),
    ("coffee chain (own, new domain)", EVAL / "faq_coffee.yaml", EVAL / "coffee.jsonl"),
    ("broadband (own, new domain)", EVAL / "faq_broadband.yaml", EVAL / "broadband.jsonl"),
    ("language app (own, unexamined)", EVAL / "faq_lang.yaml", EVAL / "lang.jsonl"),
    ("course (dev)", DEV / "faq_course.yaml", DEV / "dev_course.jsonl"),
    ("shop (dev)", DEV / "faq_shop.yaml", DEV / "dev_shop.jsonl"),
)
COLUMNS = ("answer_acc", "helped", "wrong_answer", "chitchat_reply", "unknown_answer", "precision", "top1", "top3")


def measure(faq_path: Path, queries_path: Path) -> dict[str, float]:
    index = build_index(load_faq(faq_path))
    rows = [json.loads(x) for x in queries_path.read_text(encoding="utf-8").splitlines() if x.strip()]
    out = dict(evaluate(index, rows).metrics)
    paraphrases = [r for r in rows if r["kind"] == "paraphrase"]
    ranks = [[index.faq.entries[e].id for e in index.ranking(r["text"])[:3]] for r in paraphrases]
    out["top1"] = round(100.0 * sum(r[:1] == [p["expect"]] for r, p in zip(ranks, paraphrases, strict=True))
                        / len(paraphrases), 1)
    out["top3"] = round(100.0 * sum(p["expect"] in r for r, p in zip(ranks, paraphrases, strict=True))
                        / len(paraphrases), 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    results = {name: measure(f, q) for name, f, q in SETS if f.exists() and q.exists()}
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
        return
    print(f"{'set':31s}" + "".join(f"{c:>15s}" for c in COLUMNS))
    for name, m in results.items():
        print(f"{name:31s}" + "".join(f"{m[c]:15.1f}" for c in COLUMNS))


if __name__ == "__main__":
    main()
