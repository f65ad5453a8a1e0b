"""What the matcher sees of a raw WeChat message."""

from bot.faq.normalize import fold, normalize, strip_quote, to_simplified


def test_traditional_becomes_simplified():
    assert to_simplified("會員卡可以退款嗎") == "会员卡可以退款吗"
    assert to_simplified("会员卡") == "会员卡"  # simplified text passes through untouched


def test_full_width_and_case_fold():
    assert fold("ＶＩＰ　Ｃａｒｄ？") == "vip card?"


def test_mention_with_wechat_separator_is_removed_and_detected():
    n = normalize("@健身小助手\u2005年卡多少钱", bot_names=["健身小助手"])
    assert n.text == "年卡多少钱"
    assert n.mentions_bot


def test_mention_of_bot_without_separator():
    n = normalize("@健身小助手年卡多少钱", bot_names=["健身小助手"])
    assert n.text == "年卡多少钱"
    assert n.mentions_bot


def test_mention_of_someone_else_anywhere():
    n = normalize("年卡多少钱 @阿强 你知道吗")
    assert n.mentions == ("阿强",)
    assert not n.mentions_bot
    assert "阿强" not in n.text


def test_emoji_codes_and_unicode_emoji_removed():
    n = normalize("教练好[抱拳]今天开门吗🙏🏻")
    assert n.text == "教练好 今天开门吗"


def test_question_emoji_code_is_remembered():
    assert normalize("停车场满了[疑问]").emoji_question


def test_media_placeholder():
    assert normalize("[图片]").media == "图片"
    assert normalize("[文件] 课表.pdf").media == "文件"


def test_quote_reply_keeps_members_own_text():
    raw = "「前台小王：本周六闭馆维修」\n- - - - - - - - - - - - - - -\n那周日还开门吗"
    n = normalize(raw)
    assert n.text == "那周日还开门吗"
    assert n.quoted


def test_quote_after_reply():
    text, quoted = strip_quote("周日开门吗\n「前台小王：本周六闭馆维修」")
    assert quoted
    assert "闭馆" not in text and "周日开门吗" in text


def test_taiwanese_wording_becomes_mainland():
    # a member typing traditional characters also uses Taiwanese words the FAQ does not
    assert to_simplified("影片一直卡住嗎") == "视频一直卡住吗"
    assert to_simplified("請問班導要怎麼聯絡") == "请问班导要怎么联系"
    assert to_simplified("影片一直卡住") == "影片一直卡住"  # simplified text is left as typed
