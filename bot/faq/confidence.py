"""How likely the first choice is the entry a member asked about: a small logistic model over evidence
the matcher already has.

The fixed rules answer only when words (or words and meaning) are clearly sure; everything else gets
choices, and most first choices are right. No single signal tells a right first choice from a question
the FAQ does not cover (README), but several together do better: how much of the message the entry's
words explain, the sentence model's cosine and lead, whether the message keeps its meaning without the
words the entry lacks, the word score and margin. ``AnswerModel`` weighs them into one likelihood.

It is trained by ``bench/train_answer_model.py`` on the project's own labelled sets (never the dev
bench), with uncovered questions weighing more than wrong first choices, and checked leave-one-set-out;
the weights live in ``data/answer_model.json``.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

log = logging.getLogger("qunbot.faq.confidence")

MODEL_FILE = Path(__file__).with_name("data") / "answer_model.json"

FEATURES = (
    "coverage", "coverage_all", "missing", "length", "problem", "strength",
    "word_best", "word_margin", "word_share",
    "cosine", "cosine_lead", "combined_lead", "fused_gap", "keep", "away",
)
"""What the model reads: ``MatcherIndex._evidence`` computes them, ``keep`` and ``away`` (a second embedding)
in ``MatcherIndex._without_lacking``."""


@dataclass(frozen=True, slots=True)
class AnswerModel:
    """Standardized features, weights and intercept of a logistic regression, and the range (5th to 95th
    percentile) each feature spanned in training."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    intercept: float
    low: np.ndarray
    high: np.ndarray

    def probability(self, evidence: Mapping[str, float], unknown: Sequence[str] = ()) -> float:
        """The probability that the first choice is the right answer; with ``unknown`` features (not in
        ``evidence``), the highest it can be with them anywhere in their usual range (``low`` to ``high``),
        which tells whether measuring them (a second embedding) can matter."""
        favourable = np.where(self.weights > 0, self.high, self.low)
        x = np.array([favourable[i] if f in unknown else evidence[f] for i, f in enumerate(self.features)],
                     dtype=np.float64)
        z = float(((x - self.mean) / self.scale) @ self.weights) + self.intercept
        return 1.0 / (1.0 + math.exp(-z))

    def to_json(self, about: Mapping[str, object]) -> str:
        """The model and ``about`` (how it was trained and measured), as ``load`` reads it."""
        return json.dumps({"about": dict(about), "features": list(self.features), "mean": self.mean.tolist(),
                           "scale": self.scale.tolist(), "weights": self.weights.tolist(),
                           "intercept": self.intercept, "low": self.low.tolist(), "high": self.high.tolist()},
                          ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> AnswerModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        features = tuple(data["features"])
        unknown = set(features) - set(FEATURES)
        if unknown:
            raise ValueError(f"{path}: unknown features {sorted(unknown)}")
        mean, scale, weights, low, high = (np.asarray(data[k], dtype=np.float64)
                                           for k in ("mean", "scale", "weights", "low", "high"))
        return cls(features, mean, scale, weights, float(data["intercept"]), low, high)


@cache
def default_answer_model() -> AnswerModel | None:
    """The bundled model, loaded once per process; None (and one warning) if its file is missing or broken."""
    try:
        return AnswerModel.load()
    except (OSError, ValueError, KeyError) as exc:
        log.warning("answer model unavailable, first choices stay choices: %s", exc)
        return None
