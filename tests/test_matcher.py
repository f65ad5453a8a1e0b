"""Matcher behaviour a member notices, on small FAQs written here (not the bench)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.faq.eval import evaluate
from bot.faq.gate import GateResult, classify
from bot.faq.loader import load_faq
from bot.faq.matcher import Params, build_index
from bot.faq.model import Faq, FaqEntry
from bot.faq.normalize import normalize


def _gate(text: str) -> GateResult:
    """The gate's verdict on a message as a member types it."""
    return classify(normalize(text))


def _faq(synonyms: tuple[tuple[str, ...], ...] = ()) -> Faq:
    e = FaqEntry
    return Faq(
        (
            e("card-price", "年卡多少钱？", "年卡 2999 元，月卡 399 元。",
              ("会员卡价格是多少", "办卡怎么收费"), ("价格",)),
            e("card-refund", "会员卡可以退款吗？", "开卡 7 天内未使用可全额退款。", ("不想练了能退卡吗",), ("退款",)),
            e("invoice", "怎么开发票？", "在小程序「我的-订单」点申请发票，3 个工作日内发到邮箱。",
              ("可以开公司抬头的发票吗",), ("发票",)),
            e("opening-hours", "健身房几点开门？", "每天 6:00-23:00 营业，节假日照常。", ("营业时间是什么时候",)),
            e("parking", "有停车位吗？", "地下二层停车场，会员免费停 3 小时。", ("开车来停哪里",)),
            e("coach-booking", "私教课怎么预约？", "在小程序「私教」页选择教练和时间预约。", ("怎么约私教",)),
            e("coach-cancel", "私教课预约了能取消吗？", "上课前 12 小时可以免费取消预约。", ("私教预约怎么取消",)),
            e("locker", "储物柜怎么用？", "前台领手环，刷手环开柜。", ("柜子打不开怎么办",)),
        ),
        synonyms,
    )


@pytest.fixture(scope="module")
def index():
    return build_index(_faq(), bot_names=("健身小助手",))


def test_every_phrasing_finds_its_entry_first(index):
    # entries have one to three phrasings: an entry's best phrasing may be its first, second or third
    for entry in index.faq.entries:
        for phrasing in entry.phrasings:
            ranked = index.scores(phrasing)
            assert index.faq.entries[ranked[0][0]].id == entry.id, phrasing
            assert ranked[0][1] > 0.5 and all(s < ranked[0][1] for _, s in ranked[1:]), phrasing


def test_clear_question_is_answered(index):
    r = index.match("年卡多少钱？")
    assert r.action == "answer" and r.entry is not None and r.entry.id == "card-price"
    assert r.is_question
    assert 0.0 <= r.score <= 1.0
    assert r.reason == "confident match"
    assert r.candidates[0].entry.id == "card-price" and len(r.candidates) <= 3


def test_traditional_characters_match(index):
    r = index.match("會員卡可以退款嗎？")
    assert r.action == "answer" and r.entry.id == "card-refund"


def test_homophone_typo_matches(index):
    r = index.match("发漂怎么开？")  # 发漂 typed for 发票
    assert r.candidates[0].entry.id == "invoice"
    assert r.action == "answer"


def test_chitchat_gets_nothing(index):
    for text in ("大家好", "谢谢教练[抱拳]", "[强][强][强]", "哈哈哈哈", "收到", "👍", "[图片]"):
        r = index.match(text)
        assert r.action == "none", text
        assert not r.suggestions


def test_statement_with_faq_words_gets_nothing(index):
    r = index.match("发票已经收到了，谢谢")
    assert r.action == "none"
    assert "statement" in r.reason or "chit-chat" in r.reason
    assert not r.is_question


def test_close_second_gives_suggestions(index):
    # close in words and in meaning too ("私教预约？" alone the sentence model reads as booking)
    r = index.match("私教预约有什么规定？")
    assert r.action == "suggest"
    ids = [e.id for e in r.suggestions]
    assert ids[0] == r.candidates[0].entry.id
    assert {"coach-booking", "coach-cancel"} <= set(ids)
    assert len(ids) <= 3


def test_addressed_lowers_the_bar():
    faq = _faq()
    probe = build_index(faq).match("开车过来方便吗")
    assert probe.candidates and probe.candidates[0].entry.id == "parking"
    s = probe.score
    # a bar just above this message's score: only the @mention gets it answered
    params = Params(answer_at=s + 0.02, margin=0.0, coverage=0.0, addressed_bonus=0.05)
    index = build_index(faq, bot_names=("健身小助手",), params=params)
    assert index.match("开车过来方便吗").action != "answer"
    assert index.match("开车过来方便吗", addressed=True).action == "answer"
    assert index.match("@健身小助手\u2005开车过来方便吗").action == "answer"
    # without the bot's name configured (`qunbot faq match` on a bare FAQ), a name bots are given still counts
    unnamed = build_index(faq, params=params)
    for bot in ("健身小助手", "健身房小管家", "前台助理"):
        assert unnamed.match(f"@{bot}\u2005开车过来方便吗").action == "answer", bot
    assert unnamed.match("@王管家\u2005开车过来方便吗").action != "answer"  # a person, not a bot


def test_mention_of_another_member_raises_the_bar(index):
    assert index.match("@阿强\u2005你下午几点来").action == "none"


def test_question_to_other_members_is_weaker(index):
    g = _gate("有人下午一起去练腿吗")
    assert g.is_question and g.strength < 1.0
    assert index.match("有人下午一起去练腿吗").action == "none"


def test_near_topic_question_is_not_answered(index):
    # the price entry matches, but "transfer to a friend" is an aspect the FAQ does not cover
    r = index.match("年卡可以转让给朋友吗")
    assert r.action != "answer"


def test_coverage_reads_the_entry_text(index):
    entries = [e.id for e in index.faq.entries]
    terms = index.query_terms("手环")  # only in the locker entry's answer
    assert index.coverage(terms, entries.index("locker")) == 1.0
    assert index.coverage(terms, entries.index("parking")) == 0.0


def test_weak_match_about_something_else_gets_nothing():
    # shares one word with an entry, but is mostly about something the FAQ does not know: quiet at a
    # coverage bar of a third (problem reports, wishes and keywords always have it; clear questions
    # have a fifth by default, see the next test); words only: the sentence model would offer the opening
    # hours, close in meaning (see test_semantic.py)
    params = Params(suggest_coverage_question=Params().suggest_coverage, semantic=False)
    r = build_index(_faq(), params=params).match("楼下新开的奶茶店几点关门呀")
    assert r.score >= Params().suggest_at  # close enough to the opening-hours entry to be weighed
    assert r.action == "none" and "something else" in r.reason


def test_clear_questions_get_choices_more_readily():
    """On an own labelled set: the lower coverage bar for clear questions helps more members (the right
    entry among the choices) without replying to more chit-chat."""
    faq = load_faq(OWN_SETS / "faq_gym.yaml")
    rows = [json.loads(x) for x in (OWN_SETS / "gym.jsonl").read_text(encoding="utf-8").splitlines() if x]
    words = Params(semantic=False)  # the sentence model's choices would hide the difference
    default = evaluate(build_index(faq, params=words), rows).metrics
    strict = evaluate(build_index(faq, params=dataclasses.replace(words, suggest_coverage_question=0.35)), rows).metrics
    assert default["helped"] >= strict["helped"] + 2.0
    assert default["chitchat_reply"] <= strict["chitchat_reply"]


def test_synonyms_from_faq_yaml(tmp_path: Path):
    path = tmp_path / "faq.yaml"
    path.write_text(
        "synonyms:\n  - [私教, PT, 一对一]\nentries:\n"
        "  - id: coach\n    question: 私教课多少钱？\n    answer: 500 元一节。\n"
        "  - id: card\n    question: 年卡多少钱？\n    answer: 2999 元。\n"
        "  - id: parking\n    question: 有停车位吗？\n    answer: 有。\n",
        encoding="utf-8",
    )
    faq = load_faq(path)
    words = Params(semantic=False)  # the word evidence itself, before the sentence model reorders
    with_syn = build_index(faq, params=words).match("一对一多少钱？")
    without = build_index(dataclasses.replace(faq, synonyms=(), by_id={}), params=words).match("一对一多少钱？")
    assert with_syn.candidates[0].entry.id == "coach"
    assert without.candidates[0].entry.id != "coach"


def test_indexes_do_not_share_vocabulary():
    a = build_index(Faq((FaqEntry("x", "蜂巢柜在哪？", "一楼。"),), (("蜂巢柜", "快递柜"),)))
    b = build_index(Faq((FaqEntry("y", "几点开门？", "九点。"),)))
    assert "蜂巢柜" in a.segmenter.cut("蜂巢柜在哪")
    assert "蜂巢柜" not in b.segmenter.cut("蜂巢柜在哪")


def test_to_record_shape(index):
    rec = index.match("年卡多少钱？").to_record("年卡多少钱？")
    assert set(rec) == {"text", "action", "entry", "score", "suggestions"}
    assert rec["action"] == "answer" and rec["entry"] == "card-price"
    assert isinstance(rec["score"], float) and isinstance(rec["suggestions"], list)
    none = index.match("大家好").to_record("大家好")
    assert none["entry"] is None and none["suggestions"] == []


def test_evaluate_report(index):
    rows = [
        {"text": "年卡多少钱", "expect": "card-price", "kind": "paraphrase"},
        {"text": "大家好", "expect": None, "kind": "chitchat"},
        {"text": "可以带宠物进来吗", "expect": None, "kind": "unknown"},
    ]
    report = evaluate(index, rows)
    assert report.metrics["answer_acc"] == 100.0
    assert report.metrics["chitchat_reply"] == 0.0
    d = report.to_dict()
    assert set(d["misses"]) == {"wrong answer", "missed paraphrase", "chit-chat replied", "unknown answered"}
    assert "answer_acc" in report.to_text()


BENCH = Path(__file__).resolve().parents[2] / "shared" / "faq-bench"


@pytest.mark.skipif(not (BENCH / "score.py").exists(), reason="faq-bench not available")
@pytest.mark.parametrize("name", ["course", "shop"])
def test_dev_bench(name: str, tmp_path: Path):
    """The dev bench through score.py itself; asserts the safety goals this matcher meets and floors
    for the rest (the full goals are tracked in the report, not yet met)."""
    index = build_index(load_faq(BENCH / f"faq_{name}.yaml"))
    rows = [json.loads(x) for x in (BENCH / f"dev_{name}.jsonl").read_text(encoding="utf-8").splitlines() if x]
    preds = tmp_path / "pred.jsonl"
    preds.write_text(
        "".join(json.dumps(index.match(r["text"]).to_record(r["text"]), ensure_ascii=False) + "\n" for r in rows),
        encoding="utf-8",
    )
    out = subprocess.run(
        [sys.executable, str(BENCH / "score.py"), str(BENCH / f"dev_{name}.jsonl"), str(preds), "--json"],
        capture_output=True, text=True, check=True,
    )
    m = json.loads(out.stdout)
    ours = evaluate(index, rows).metrics
    assert {k: m[k] for k in ours} == ours  # eval.py computes exactly what score.py does
    assert m["chitchat_reply"] <= 1.0
    assert m["wrong_answer"] <= 2.0
    assert m["unknown_answer"] <= 5.0
    assert m["helped"] >= 91.0
    assert m["answer_acc"] >= 47.0


def test_classifier_trained_for_small_faq_and_optional() -> None:
    faq = _faq()
    on = build_index(faq)
    off = build_index(faq, params=Params(classifier_weight=0.0))
    assert on.classifier is not None and off.classifier is None
    # it only reorders: scores stay similarities, and the message's entry still comes first
    for idx in (on, off):
        ranked = idx.scores(faq.entries[0].question)
        assert ranked and ranked[0][0] == 0


@pytest.mark.parametrize("text", [
    "有没有北京的姐妹，周六一起去爬山呀", "差两个人成团，谁来", "楼上的，你的手环忘在前台了", "放学啦～", "练完了!",
    "教练好", "你今天练了多久", "你们都几点去健身房", "你办的年卡多少钱", "周六晚上有人一起去练腿吗",
    "这周第一名是谁啊这么厉害",
])
def test_talk_to_members_and_exclamations_get_nothing(index, text):
    r = index.match(text)
    assert r.action == "none" and not r.suggestions, (text, r.reason)


@pytest.mark.parametrize("text", ["谁是负责开发票的老师", "开发票的事该问谁", "两张发票可以一起开吗"])
def test_who_is_in_charge_is_a_question(text):
    g = _gate(text)
    assert g.kind == "question" and g.strength == 1.0, g


OWN_SETS = Path(__file__).resolve().parents[1] / "bench" / "eval"


@pytest.mark.parametrize(("faq_file", "queries", "least_answered", "least_helped", "most_uncovered"), [
    (Path(__file__).resolve().parents[1] / "faq.yaml", OWN_SETS / "run_club.jsonl", 40.0, 86.0, 5.0),
    # domains the matcher was not developed on; gym and mother-baby FAQs have few phrasings an entry, and
    # near-topic questions they do not cover read like theirs (README, known limits)
    (OWN_SETS / "faq_gym.yaml", OWN_SETS / "gym.jsonl", 36.0, 86.0, 10.0),
    (OWN_SETS / "faq_kids.yaml", OWN_SETS / "kids.jsonl", 40.0, 86.0, 5.0),
    (OWN_SETS / "faq_estate.yaml", OWN_SETS / "estate.jsonl", 40.0, 86.0, 5.0),
    # members' words far from the FAQ's
    (OWN_SETS / "faq_pet.yaml", OWN_SETS / "pet.jsonl", 26.0, 86.0, 5.0),
    (OWN_SETS / "faq_travel.yaml", OWN_SETS / "travel.jsonl", 25.0, 83.0, 5.0),
    (OWN_SETS / "faq_dental.yaml", OWN_SETS / "dental.jsonl", 32.0, 83.0, 5.0),
    (OWN_SETS / "faq_ev.yaml", OWN_SETS / "ev.jsonl", 62.0, 94.0, 5.0),
    (OWN_SETS / "faq_home.yaml", OWN_SETS / "home.jsonl", 48.0, 88.0, 5.0),
    (OWN_SETS / "faq_baby.yaml", OWN_SETS / "baby.jsonl", 42.0, 88.0, 10.0),
    (OWN_SETS / "faq_hotel.yaml", OWN_SETS / "hotel.jsonl", 52.0, 90.0, 5.0),
    (OWN_SETS / "faq_game.yaml", OWN_SETS / "game.jsonl", 58.0, 88.0, 5.0),
    (OWN_SETS / "faq_pharmacy.yaml", OWN_SETS / "pharmacy.jsonl", 54.0, 92.0, 5.0),
])
def test_own_labelled_sets(faq_file: Path, queries: Path, least_answered: float, least_helped: float,
                           most_uncovered: float):
    """The project's own labelled sets, written without looking at the matcher: the bot stays quiet on
    chit-chat and rarely answers wrong; floors for the rest (README, performance)."""
    rows = [json.loads(x) for x in queries.read_text(encoding="utf-8").splitlines() if x]
    m = evaluate(build_index(load_faq(faq_file)), rows).metrics
    assert m["chitchat_reply"] <= 1.0
    assert m["wrong_answer"] <= 2.0
    assert m["unknown_answer"] <= most_uncovered
    assert m["helped"] >= least_helped
    assert m["answer_acc"] >= least_answered


@pytest.mark.parametrize(("text", "asks"), [
    ("进门要刷脸还是扫码", True), ("是补差价还是得重新买", True), ("教练是男的还是女的", True),
    ("没事没事", False), ("那边还是空的", False), ("我是说了还是没用", False), ("感觉练了还是有效果的", False),
    ("孩子发烧了，在家休息呢", False), ("课在哪呢", True), ("他说想学怎么做游戏，哈哈", False),
    ("@健身小助手 怎么开发票哈哈", True),
])
def test_alternative_questions_and_repetitions(text, asks):
    assert _gate(text).is_question == asks, text


@pytest.mark.parametrize(("text", "kind"), [
    ("楼上每天半夜还在跺脚，怎么投诉啊", "question"), ("樓上太吵了 去哪裡投訴", "question"),  # the flat upstairs
    ("楼上的，你那双鞋哪买的", "personal"), ("楼上说的那个app叫啥", "personal"),  # the member above
    ("3号楼的电梯卡在8楼不动了", "problem"),
])
def test_upstairs_and_the_member_above(text, kind):
    assert _gate(text).kind == kind, text


@pytest.mark.parametrize(("text", "entry"), [
    ("最近想减肥，打算办卡，年卡多少钱", "card-price"),
    ("下个月出差回来想练起来，健身房几点开门", "opening-hours"),
    ("刚搬到附近，开车过来的话，停车位有吗", "parking"),
])
def test_context_before_the_question_counts_less(text, entry):
    # the member's situation comes first, the question last: the situation's words need no entry
    r = build_index(_faq()).match(text)
    assert r.action == "answer" and r.entry.id == entry, r.reason
    # (the sentence model's test of the words an entry lacks, and the answer model, would answer it too)
    full_weight = build_index(_faq(), params=Params(context_weight=1.0, semantic_unexplained=False,
                                                    answer_model=False)).match(text)
    assert full_weight.action == "suggest" and "not covered" in full_weight.reason


def test_asking_clauses():
    from bot.faq.gate import asking_clauses

    assert asking_clauses("刚搬到附近，想办张卡，你们卡分几种") == ["你们卡分几种"]
    assert asking_clauses("年卡多少钱") == []  # one clause: all of it asks
    assert asking_clauses("年卡多少钱？月卡呢") == []  # every clause asks


@pytest.mark.parametrize(("text", "kind"), [
    ("年卡不想要了", "request"), ("跑完半天也没数据", "problem"), ("退了三天还没到账", "problem"),
    ("我也没过来，下次吧", "statement"),
])
def test_wishes_and_troubles_without_a_question_word(text, kind):
    assert _gate(text).kind == kind, text


@pytest.mark.parametrize("text", ["找到了 牛", "小周帮我弄好了，是系统太旧要升级"])
def test_done_reports_are_not_questions(text):
    assert not _gate(text).is_question


@pytest.mark.parametrize(("text", "kind"), [
    # one step done, then the trouble: still a problem report
    ("会员卡绑好了，但是积分一直没到账", "problem"), ("学费交了 到现在还没人联系我", "problem"),
    # done with the matter, whatever was wrong before or is explained after
    ("登录上了，原来是密码输错了", "statement"), ("上次投诉的事已经解决了 谢谢", "statement"),
    ("我要投诉，已经等了三天了还没到", "question"),  # the trouble goes on after 已经
    # A吗还是B typed without a comma; a form that will not go through; admiration; a meetup
    ("能直接用医保结算吗还是得先垫付", "question"), ("一直转圈，交不上去", "problem"),
    ("这只猫是什么品种呀 好可爱", "chitchat"), ("周末约个球局 来不来", "members"),
    # members asked about themselves, a goodbye, an exclamation; the business asked about its goods
    ("你们觉得哪个教练好", "personal"), ("你们家孩子也报了别的班吗", "personal"), ("这是谁的车 挡路了", "members"),
    ("你们家的猫粮是正品吗", "question"), ("下次课见", "chitchat"), ("求带！", "chitchat"), ("求链接！", "question"),
    # joy is no trouble; 啦 for 了; the member above addressed; trouble words; a check-in that did not count
    ("证书收到啦，孩子高兴坏了", "statement"), ("手机摔坏了", "problem"), ("退款到账啦 谢谢", "statement"),
    ("楼上的姐妹，你的快递被我拿错了", "chitchat"), ("手表里的数据一直传不过来", "problem"),
    ("会员到期了 续不上", "problem"), ("打卡一直没记上", "problem"), ("打卡第3天 5公里", "chitchat"),
    ("卫生间天花板漏水了", "problem"), ("外套好像落在教室了", "problem"), ("行李箱一直没出来", "problem"),
    ("吃坏肚子了[可怜]", "problem"),
    # a joke; members asked about their own; 好几 counts, it does not ask; no pain, no problem, all is well
    ("讲个笑话：程序员最怕什么？", "chitchat"), ("洗发水大家都用哪个牌子的", "personal"),
    ("你们孩子晚上几点睡", "personal"), ("你们的孩子班几点下课", "question"), ("做完了 白了好几个度", "statement"),
    ("第一次拔牙没想到一点都不疼", "statement"), ("装了两年了 一点问题都没有", "statement"),
    ("跑完了，轨迹里一条都没有", "question"), ("补的牙一喝冷水就疼", "problem"),
    ("第一次来，进去之后都是干嘛的", "question"), ("听说天天洗头会掉发 真的假的", "question"),
    ("拔完牙到现在还在渗血", "problem"),
    # never again, not charged, taught how: nothing asked; an acknowledgement negated is no acknowledgement
    ("买了洗碗机以后再也没人吵架了", "statement"), ("上门费师傅没收", "statement"),
    ("师傅人很好，还教我怎么清洗滤网", "statement"), ("快递没收到", "question"), ("好的收到", "chitchat"),
])
def test_done_trouble_and_other_cues(text, kind):
    assert _gate(text).kind == kind, text


@pytest.mark.parametrize(("text", "kind"), [
    # a machine's symptoms told without a question are problem reports; the symptom gone is news
    ("热水器一直往下滴水", "problem"), ("油烟机不转了", "problem"), ("洗衣机甩干的时候咣咣响", "problem"),
    ("冰箱里一股怪味", "problem"), ("电视一开机就死机", "problem"), ("路由器总是掉线", "problem"),
    ("空调开了两小时屋里还是热的", "problem"), ("审批一直批不下来", "problem"),
    ("空调不滴水了", "statement"), ("换了滤网就没异味了", "statement"), ("今天还是好热", "statement"),
    ("吃得停不下来", "statement"), ("第一次跑步 怕坚持不下来", "statement"),
    # members asked about their own habits and things; the business asked about its hours stays a question
    ("你们用的什么洗发水", "personal"), ("你们家的空调一般开几度", "personal"), ("你们一般几点开门", "question"),
    ("你们每天几点发货", "question"), ("楼上的车是什么牌子的", "personal"),
    # company, news for whoever sees it, showing off, cheering, photos shared
    ("周末谁有空 出来吃饭", "members"), ("周末一起去爬山吗", "members"), ("有一起拼车的吗", "members"),
    ("钥匙丢了 捡到的麻烦联系我", "members"), ("我家狗狗的新衣服 好看不", "chitchat"), ("支持支持", "chitchat"),
    ("期待！", "chitchat"), ("晒几张周末拍的照片", "statement"),
    # the wrong thing came, too little came, it never came; tried and it did not help
    ("买的是大号 结果发来的是小号", "problem"), ("分量明显不足", "problem"), ("显示已签收 但我根本没拿到", "problem"),
    ("手机一直黑屏 重启也没用", "problem"), ("最近总是睡不够", "statement"),
    # done and still not right; hurt; broken; a wish to stop; A不A with a two-character verb
    ("保洁做完窗户上还是有印子", "problem"), ("搬东西的时候扭伤了腰", "problem"), ("快递到的时候杯子碎了", "problem"),
    ("明天那单不做了", "request"), ("你们周末营业不营业", "question"),
    # homes compared, a member above spoken to, neighbours sought, what everyone bought
    ("你们家猫掉毛吗，我家的掉得厉害", "personal"), ("楼上的宝妈，你家娃几个月了", "personal"),
    ("有邻居有多余的快递箱吗", "members"), ("双十一你们都买了啥", "personal"),
    # A还是B with latin letters or digits; leaks, rashes, dents, too few, the wrong thing typed
    ("宝宝20斤穿L还是XL", "question"), ("买2段还是3段", "question"), ("尿不湿侧漏了", "problem"),
    ("换了新的洗发水 头皮过敏了", "problem"), ("奶粉罐子压瘪了", "problem"), ("买了五件只到了三件", "problem"),
    ("收货人名字写成我妈的了", "problem"),
    # an opinion asked of the others, a reminder, trouble that went away by itself, an invitation
    ("这把新武器强不强", "chitchat"), ("周报交了吗 别忘了", "chitchat"), ("昨天退款没到 今天自己到了", "statement"),
    ("晚上一起打球不", "members"),
    # harm done by others, all gone, still not there, a stutter
    ("账号被盗了", "problem"), ("一到晚上就被踢下线", "problem"), ("余额全没了", "problem"),
    ("退款到现在都没看到", "problem"), ("一开直播就卡成ppt", "problem"),
    # a member named and spoken to, or spoken of; everyone greeted; whatever, not which; told
    ("张姐 你家狗狗打疫苗了吗", "personal"), ("明天几点集合啊 王哥", "personal"), ("老周最近咋不来了", "personal"),
    ("小程序怎么登录", "question"), ("大家午饭吃了没", "members"), ("大家好 请问怎么退款", "question"),
    ("这群真好 有啥事都有人管", "statement"), ("什么时候都能退吗", "question"), ("老公给我买了个新包", "statement"),
])
def test_symptoms_habits_and_company(text, kind):
    assert _gate(text).kind == kind, text


@pytest.mark.parametrize(("text", "kind"), [
    ("中午吃啥呢", "chitchat"), ("明天喝点什么好呢", "chitchat"), ("今天吃什么套餐划算", "question"),
    ("要不要周日一起去爬山", "members"), ("晚上谁去超市 帮我捎瓶酱油", "members"), ("发票找谁去开", "question"),
    ("你们谁用过那个新出的滤芯", "members"), ("你们有没有夜间的课", "question"),
    ("灯好了 刚刚是保险丝烧了", "statement"), ("刚才是不是停电了", "question"),
    ("这个月电费比上个月少了 挺好", "statement"), ("洗衣机漏水了，别的还行", "problem"),
    ("哪里哪里", "chitchat"), ("过奖了", "chitchat"), ("哪里能买到", "question"),
])
def test_meals_company_causes_and_verdicts(text, kind):
    """Musing about a meal, who goes along, the cause told after the trouble, a pleased last word, modesty."""
    assert _gate(text).kind == kind, text


@pytest.mark.parametrize(("text", "kind"), [
    ("路由器一直断断续续的", "problem"), ("电视打开显示无信号", "problem"), ("门口的机器亮红灯了", "problem"),
    ("充电器上的红灯一直闪", "problem"), ("蓝牙耳机老是掉", "problem"), ("买了两件 积分一分都没加", "problem"),
    ("订单一直显示待发货", "problem"), ("手机信号到卧室就没了", "problem"),
    ("今天路上全是红灯 迟到了", "statement"), ("不小心把奶茶洒了", "statement"), ("我一次都没去过", "statement"),
])
def test_devices_and_orders_in_trouble(text, kind):
    """Trouble told without a question: a line that comes and goes, a red light, no signal, a status stuck."""
    assert _gate(text).kind == kind, text


def test_a_known_latin_word_does_not_cut_a_longer_one():
    from bot.faq.tokenize import Segmenter

    seg = Segmenter(["refer", "app", "kw"])
    # jieba would say refer + ral and app + le, which match entries about referrals and the app
    assert seg.cut("referral的积分和apple watch") == ("referral", "的", "积分", "和", "apple", "watch")
    assert seg.cut("打开app找refer") == ("打开", "app", "找", "refer")
    assert seg.cut("11kw的桩") == ("11", "kw", "的", "桩")


def test_faq_ask_explains_the_decision(tmp_path: Path):
    from click.testing import CliRunner

    from bot.cli import main

    faq_file = Path(__file__).resolve().parents[1] / "faq.yaml"
    out = CliRunner().invoke(main, ["faq", "ask", str(faq_file), "刚换了个手机，轻跑死活登不上去"])
    assert out.exit_code == 0, out.output
    assert "decision: suggest" in out.output and "margin" in out.output and "coverage" in out.output
    assert "why:      close second" in out.output and "app-login" in out.output
    quiet = CliRunner().invoke(main, ["faq", "ask", str(faq_file), "哈哈哈"])
    assert "decision: none" in quiet.output and "chit-chat" in quiet.output and "coverage" not in quiet.output


def test_general_synonyms_cover_colloquial_service_words():
    """存钱 for 充值, 价位 for 收费, 约号 for 预约, 往后挪 for 改期, 反映 for 投诉: words members use that the
    general synonym list (bot/faq/data/synonyms.txt) ties to the FAQ's own."""
    e = FaqEntry
    faq = Faq((
        e("topup", "会员卡怎么充值？", "在小程序「会员」页充值，满1000送100。", ("充值有优惠吗",)),
        e("price", "洗车多少钱？", "普通洗车 40 元，精洗 120 元。", ("洗车怎么收费",)),
        e("book", "怎么预约洗车？", "在小程序选门店和时间预约。", ("可以提前预约吗",)),
        e("resched", "预约了能改时间吗？", "开始前 2 小时可以在小程序改期。", ("预约怎么改期",)),
        e("complain", "服务不满意怎么投诉？", "拨打 400 电话或在小程序提交投诉。", ("在哪投诉",)),
        e("pickup", "可以上门取车吗？", "3 公里内免费上门取送车。", ("有没有接送服务",)),
        e("claim", "出险了怎么报案？", "先拍照留证，再拨打保险公司电话报案。", ("出险流程是什么",)),
        e("human", "怎么联系人工客服？", "小程序「我的」页点「人工客服」。", ("客服电话多少",)),
    ), ())
    index = build_index(faq, params=Params(semantic=False))
    for text, entry in [("想存钱到卡里 有送的吗", "topup"), ("精洗什么价位", "price"), ("周六上午怎么约号", "book"),
                        ("约好的时间能往后挪吗", "resched"), ("服务员态度差 去哪反映", "complain"),
                        ("被追尾了 接下来怎么弄", "claim"), ("机器人说不清楚 能找个真人吗", "human")]:
        r = index.match(text)
        assert r.action != "none" and r.candidates[0].entry.id == entry, (text, r.reason)
