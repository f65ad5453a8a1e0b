"""KOL candidates on a generated multi-week community: the planted roles come out as planned."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.activity.score import DEFAULT_WEIGHTS, WeightError, weights_from
from bot.config import load_config
from bot.digest import Digest, build_digest
from bot.replay import replay_sync
from bot.store import Database
from bot.yamlfile import ConfigError
from tests.conftest import CONFIG_YAML, FAQ_YAML
from tests.gen_community import Cast, generate


@pytest.fixture(scope="module")
def community_run(tmp_path_factory) -> tuple[Digest, Cast, list[dict]]:
    tmp = tmp_path_factory.mktemp("kol")
    (tmp / "faq.yaml").write_text(FAQ_YAML, encoding="utf-8")
    (tmp / "config.yaml").write_text(CONFIG_YAML, encoding="utf-8")
    config = load_config(tmp / "config.yaml")
    lines, cast = generate(seed=7, rooms=3)
    url = f"sqlite:///{tmp / 'kol.db'}"
    result = replay_sync(lines, config, db_url=url)
    assert not result.errors
    db = Database(url)
    try:
        digest = build_digest(db, config, cast.last_day, with_daily=True)
    finally:
        db.close()
    return digest, cast, result.actions


def _room_top(digest: Digest, room: str, n: int = 3) -> list[str]:
    return [c.member for c in digest.candidates if c.room == room][:n]


def test_planted_helpers_are_in_their_rooms_top_three(community_run):
    digest, cast, _ = community_run
    for room in cast.rooms:
        top = _room_top(digest, room)
        for helper in cast.helpers[room]:
            assert helper in top, (room, top)
            found = next(c for c in digest.candidates if c.member == helper)
            assert found.segment == "kol"
            assert any("解答" in r or "回答" in r for r in found.reasons)


def test_eager_newcomers_are_rising(community_run):
    digest, cast, _ = community_run
    segments = {(c.room, c.member): c for c in digest.candidates}
    for room in cast.rooms:
        for newcomer in cast.newcomers[room]:
            cand = segments[(room, newcomer)]
            assert cand.segment == "rising"
            assert cand.reasons[0].startswith("入群第")


def test_flooders_spammers_lurkers_and_operators_are_never_candidates(community_run):
    digest, cast, _ = community_run
    members = {c.member for c in digest.candidates} | {f.member for f in digest.fading}
    for room in cast.rooms:
        assert cast.flooders[room] not in members
        assert cast.spammers[room] not in members
        assert not members & set(cast.lurkers[room])
    assert cast.operator not in members


def test_a_planted_kol_who_goes_quiet_is_fading(community_run):
    digest, cast, _ = community_run
    fading = {(f.room, f.member): f for f in digest.fading}
    for room in cast.rooms:
        quitter = cast.quitters[room]
        assert (room, quitter) in fading
        assert quitter not in {c.member for c in digest.candidates}
        assert fading[(room, quitter)].reasons[0].startswith("得分")


def test_reasons_are_readable_chinese(community_run):
    digest, _, _ = community_run
    for c in digest.candidates:
        assert c.reasons and all(any("\u4e00" <= ch <= "\u9fff" for ch in r) for r in c.reasons)
        assert len(c.daily) == digest.window


def test_scores_are_sorted_best_first(community_run):
    digest, _, _ = community_run
    scores = [c.score for c in digest.candidates]
    assert scores == sorted(scores, reverse=True)


def test_weights_default_override_and_unknown_names():
    assert weights_from({}) == dict(DEFAULT_WEIGHTS)
    assert weights_from({"thanked": 9})["thanked"] == 9.0
    with pytest.raises(WeightError, match="unknown weight thankz"):
        weights_from({"thankz": 1})


def test_changing_a_weight_changes_the_ranking(community_run, tmp_path):
    _, cast, _ = community_run
    lines, _ = generate(seed=7, rooms=1)
    (tmp_path / "faq.yaml").write_text(FAQ_YAML, encoding="utf-8")
    (tmp_path / "config.yaml").write_text(CONFIG_YAML + "activity:\n  weights: {playful: 40}\n", encoding="utf-8")
    config = load_config(tmp_path / "config.yaml")
    url = f"sqlite:///{tmp_path / 'w.db'}"
    replay_sync(lines, config, db_url=url)
    db = Database(url)
    try:
        digest = build_digest(db, config, cast.last_day)
    finally:
        db.close()
    room = "r00@chatroom"
    assert _room_top(digest, room, 1) == [cast.stickers[room]]


def test_bad_weight_in_config_is_a_clear_error(tmp_path: Path):
    (tmp_path / "faq.yaml").write_text(FAQ_YAML, encoding="utf-8")
    (tmp_path / "config.yaml").write_text(CONFIG_YAML + "activity:\n  weights: {helpd: 3}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config.yaml:\d+:\d+: activity.weights: unknown weight helpd \(known: "):
        load_config(tmp_path / "config.yaml")
