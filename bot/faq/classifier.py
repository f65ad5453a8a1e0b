"""A per-FAQ linear classifier over the matcher's sparse terms, trained when the index is built.

Each entry is a class; its phrasings are the training examples and the sentences of the start of its
answer are further ones (they say what the entry is about in other words). One-vs-rest ridge
regression, solved in the dual (examples x examples), learns which terms tell confusable entries
apart, which a similarity to the single nearest phrasing cannot. Its scores are blended with the
similarity for ranking. Dense numpy: trained only while the problem stays small (``MAX_WORK``), so a
very large FAQ is ranked by similarity alone and still builds fast.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

MAX_WORK = 2.5e9
"""Upper bound on examples^2 x features (the cost of the kernel matrix); above it no classifier."""
SENTENCE = re.compile(r"[。！？!?\n；;]+")


class Classifier:
    """Ridge weights per (term, entry): ``scores`` sums the rows of the message's terms."""

    def __init__(self, feature: dict[str, int], weights: np.ndarray) -> None:
        self.feature = feature
        self.weights = weights

    def scores(self, keys: Sequence[str], values: Sequence[float]) -> np.ndarray | None:
        feat = self.feature
        rows = []
        coef = []
        for k, v in zip(keys, values, strict=True):
            j = feat.get(k)
            if j is not None:
                rows.append(j)
                coef.append(v)
        if not rows:
            return None
        return np.asarray(coef, dtype=np.float32) @ self.weights[rows]


def train(examples: Sequence[tuple[Sequence[str], Sequence[float]]], labels: Sequence[int],
          sample_weight: Sequence[float], n_classes: int, lam: float) -> Classifier | None:
    """``examples`` are (keys, feature values) with values already scaled as queries' are."""
    feature: dict[str, int] = {}
    for keys, _ in examples:
        for k in keys:
            if k not in feature:
                feature[k] = len(feature)
    n, d = len(examples), len(feature)
    if not n or n * n * d > MAX_WORK:
        return None
    x = np.zeros((n, d), dtype=np.float64)
    for i, (keys, vals) in enumerate(examples):
        x[i, [feature[k] for k in keys]] = vals
    y = np.zeros((n, n_classes), dtype=np.float64)
    y[np.arange(n), np.asarray(labels, dtype=np.int64)] = 1.0
    k = x @ x.T
    k[np.diag_indices(n)] += lam / np.asarray(sample_weight, dtype=np.float64)
    alpha = np.linalg.solve(k, y)
    return Classifier(feature, (x.T @ alpha).astype(np.float32))
