"""The answer model's file: what it reads must be evidence the matcher computes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.faq.confidence import FEATURES, MODEL_FILE, AnswerModel


def test_the_bundled_model_reads_the_matchers_evidence():
    model = AnswerModel.load()
    assert set(model.features) <= set(FEATURES)
    weak = dict.fromkeys(FEATURES, 0.0)
    strong = {**weak, "coverage": 1.0, "coverage_all": 1.0, "cosine": 0.97, "cosine_lead": 0.08,
              "combined_lead": 0.15, "keep": 1.0, "word_best": 0.4, "word_margin": 0.2, "word_share": 1.0,
              "fused_gap": 4.0, "strength": 1.0, "length": 2.5}
    assert model.probability(strong) > 0.9 > 0.1 > model.probability({**weak, "cosine": 0.85, "keep": 0.8})


def test_a_model_file_with_an_unknown_feature_is_refused(tmp_path: Path):
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    data["features"][0] = "shoe_size"
    path = tmp_path / "answer_model.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match=r"answer_model\.json.*shoe_size"):
        AnswerModel.load(path)
