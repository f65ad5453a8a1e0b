"""Homophone-typo correction: fixes what a pinyin IME typed wrong, and nothing a member meant."""

from __future__ import annotations

import pytest

from bot.faq.matcher import build_index
from bot.faq.model import Faq, FaqEntry
from bot.faq.spell import HomophoneFixer


@pytest.fixture(scope="module")
def index():
    e = FaqEntry
    faq = Faq((
        e("invoice", "怎么开发票？", "在「我的-订单」申请发票，发票 3 天内发到邮箱。", ("发票抬头怎么填",)),
        e("slides", "课件在哪下载？", "每节课的课件在课程详情页下载。", ("PPT 能下载吗",)),
        e("refund", "退款多久到账？", "退的钱原路返回，钱一般 3 天到账，钱到了会有短信。", ("退的钱什么时候到",)),
        e("discount", "有优惠吗？", "老学员报名有优惠吗？有，九折。", ("学生有优惠吗",)),
        e("checkin", "每天要签到吗？", "每天在群里签到，签到满 21 天有奖励。", ("签到在哪里",)),
        e("lag", "跟不上进度怎么办？", "跟不上可以看回放，不上直播也没关系。", ("进度跟不上", "课程跟不上")),
    ))
    return build_index(faq)


def test_typo_of_an_faq_word_is_fixed(index):
    assert index.fixer.fix("怎么开发漂") == "怎么开发票"
    assert index.fixer.fix("课建在哪") == "课件在哪"  # the FAQ has 课件 once in a question, once in an answer


def test_pairs_across_a_word_boundary_are_no_spelling(index):
    # 惠吗 occurs in 有优惠吗 but is no word: 回吗 stays a question
    assert index.fixer.fix("群里问会有人回吗") == "群里问会有人回吗"


def test_particles_and_negations_are_never_rewritten(index):
    assert index.fixer.fix("明天补上") == "明天补上"  # not 不上 (跟不上 is an FAQ word)


def test_a_character_the_faq_uses_alone_is_kept(index):
    # the FAQ says 钱 on its own; 钱到 is not a typo of 签到
    assert index.fixer.fix("退的钱到哪了") == "退的钱到哪了"


def test_fixer_without_words_uses_the_texts():
    fixer = HomophoneFixer(["发票怎么开", "发票抬头"])
    assert fixer.fix("发漂") == "发票"
