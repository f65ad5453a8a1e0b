"""Is this message asking something? Questions and requests versus chit-chat and statements.

A bot that answers "我刚开好发票了，谢谢" with the invoice FAQ gets muted, so FAQ words alone are not
enough: the message must read as a question, a request, or a problem report. The gate is rule-based on
general Chinese cues (particles, question words, A-not-A forms, request verbs, trouble words), because
those are stable across domains while any learned rule would follow one FAQ's wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from bot.faq.lexicon import chitchat_cues, question_cues, stopwords
from bot.faq.normalize import Normalized

Kind = Literal[
    "question", "request", "members", "personal", "problem", "keyword",
    "statement", "chitchat", "media", "system", "empty",
]

_CLAUSES = re.compile(r"[,.!?;:~…。，！？；：、\n]+|\s+")
# 送不送, 能不能, 有没有; not the repeated 没事没事
_A_NOT_A = re.compile(r"(?<![不没])([\u4e00-\u9fff])[不没]\1|([\u4e00-\u9fff]{2})[不没]\2")  # 能不能, 服务不服务
_SYSTEM = re.compile(
    r"^\"?[^\"]{1,30}\"?\s*(撤回了一条消息|加入了群聊|通过扫描.{0,40}加入群聊|邀请.{0,60}加入了群聊|拍了拍|"
    r"修改群名为|移出了群聊|退出了群聊|与群里其他人都不是(微信)?朋友关系)"
)
_CJK_OR_WORD = re.compile(r"[\u3400-\u9fffa-z]")
_CHECKIN = re.compile(r"^#?((打卡|接龙)(?!一直|没|不|失败|怎么|咋|为什么|为啥|记录)|day\s*\d+|第\s*\d+\s*天)")
_LIST_LINE = re.compile(r"^\s*\d+[.、]\s*\S+", re.M)
_LAUGH = re.compile(r"(哈|呵|嘿|嘻|h|a|6|1|\+|~)+")

_ALL_WELL = ("问题都", "问题也", "毛病都")
"""What comes before 没有 in "一点问题都没有": all is well, neither trouble nor a question."""
# problem reports ask for help without a question word: "取件码找不到了", "物流三天没动了"
_TROUBLE = re.compile(
    # 再也没人: all is well too; 师傅没收 (did not charge) is no 没收到
    "".join(f"(?<!{w})" for w in _ALL_WELL) + r"(?<!再也)(没收到|没[到动发来回有显示反应人拿])|根本没|"
    r"不[了到见能行对出]|找不到|收不到|打不开|进不去|登不上|用不了|看不了|弄不了|"
    r"失败|错了|错误|填错|写错|输错|选错|拍错|买错|重复|忘了|忘记|丢了|破了|烂了|漏了|少了|扣了|扣款|"
    r"(?<!高兴|开心|激动|兴奋)(?<![乐笑])坏了|"  # 高兴坏了: joy, not trouble
    r"多扣|扣错|不见了|消失|异常|报错|闪退|卡住|卡顿|卡在|不动了|动不了|还没|一直没|迟迟|无法|没法|不可用|不能用|"
    r"不进|不准|不靠谱|不对劲|少写|多写|漏写|(?<![不没])疼|(?<![不没])痛|没(数据|记录|同步|更新|变化|通知|到账)|"
    r"不上去|不上(?=$|[，,。!?\s了啊呀])|不过来|转圈|漏水|没出来|"
    r"落在|丢在|忘在|忘带|拉肚子|坏肚子|拉稀|出血|流血|渗血|"  # things left behind; being unwell
    # a machine's symptoms, told without a question (油烟机不转了, 门缝那里渗水, 一开就一股霉味); 不滴水了 is
    # the symptom gone
    r"不(转|亮|凉|凉快|制冷|制热|出水|出风|加热|启动|通电|工作|运行|显示)|(降|批|退|审|办|取|拔|拆)不下来|下不来|连不上|离线|掉线|"
    r"(?<![不没有])(滴水|渗水|冒水|往外[滴冒渗流]|往下[滴渗流]|异响|噪音|异味|霉味|臭味|焦味|糊味)|"
    r"嗡嗡|砰砰|咣咣|哐哐|咔咔|吱吱|烧焦|[一有]股[^，,。！!？?\s]{0,6}味|故障|失灵|跳闸|冒烟|短路|烧坏|死机|"
    # 开了一小时还是热烘烘的, 打扫完地上还是一层灰: done, and still not right
    r"[了完过][^，,。！!？?\s]{0,12}还是[^，,。！!？?\s]{0,3}[热冷凉湿温烫]|(做|扫|洗|擦|修|装|换|弄)[完过好][^，,。！!？?\s]{0,8}还是|"
    r"受伤|摔倒|划伤|划破|烫伤|扭伤|骨折|流了[^，,。！!？?\s]{0,3}血|碎了|打碎|碰碎|摔碎|弄坏|弄脏|刮花|划花|"
    r"黑屏|花屏|白屏|蓝屏|[也都]没用|掉电|耗电|不足|(?<![睡吃看玩听])不够|"
    r"漏[出得尿液电气油]|[侧后]漏|过敏|疹|红点|瘙痒|发痒|瘪|凹进|变形|破损|压坏|摔坏|只(收到|到了|来了|发了)|"
    r"(写|填|选|输|打)成|"  # 地址写成老家的了: the wrong thing typed
    # 号被盗了, 被踢下线; 装备全没了; 到现在都没看到; 卡成ppt
    r"被(人|别人)?(踢|封|盗|偷|骗|扣|拉黑|删|锁|冻结|登|卖)|[全都就又]没了|突然没了|没东西|到现在[都还]?[没不]|卡成|掉帧|"
    # 网断断续续的, 猫上红灯一闪一闪 (路上全是红灯 is traffic), 显示无信号, wifi老是掉, 积分一分都没涨,
    # 一直显示制作中 (洒了 is no cue: a member who spilt their own coffee tells a mishap, not a complaint)
    r"断断续续|时断时续|时好时坏|红灯(一直|在|还|一)?[闪亮]|亮红|闪红|无信号|没信号|没有信号|(总是|老是|一直|经常|动不动就|隔一会儿?就)掉|"
    r"一[分个件单笔]都没|(一直|还|仍然?|还是)显示|"
    # "买的是五花肉 结果给我排骨": the wrong thing came
    r"(买|订|点|下单)的(明明)?是[^。！!？?]{1,15}(结果|但|可是|拿回来|收到|到手|给我)"
)
_REMINDER = re.compile(r"别忘|不要忘|记得")
# "今天签到了吗 别忘了": a reminder to the others, whatever it asks on the way
_REMINDER_END = re.compile(r"(别|不要)忘(了|记)?[!~。]*$")
# done with the whole matter, whatever trouble is told after ("原来是手机号输错了"); the other done words may
# tell one step done before the trouble ("绑好了，跑完也没数据"); "刚才是我家跳闸了" tells the cause, after the fact
_SETTLED = r"原来|终于|搞定|(解决|找到|知道|明白)[了啦]|(刚才|刚刚)是(?!不是)"
_RESOLVED = re.compile(_SETTLED + r"|自己(好|到|恢复|出来|回来)[了啦]")  # 今天上线自己到了: it went away
_DONE = re.compile(_SETTLED + r"|已|成功|交了|(好|到账|收到|领到|拿到|看完|补上|可以)[了啦]")
# "我想/我要/需要 + verb": a wish addressed to whoever can help
_WANT = re.compile(r"^(我|本人)?(想|想要|要|需要|希望|打算|不想)[\u4e00-\u9fff]{2,}")
# "连续包月不想要了": a wish to stop something
_UNWANTED = re.compile(r"[\u4e00-\u9fff]{2,}(不想要|不想用|不要|不做|不需要)了$")
# "A还是B" asks to choose (刷脸还是扫码); 还是 followed by 不/没/空... means "still" (还是没到)
_ALTERNATIVE = re.compile(
    r"[\u4e00-\u9fffa-z0-9]{2}还是(?![不没空很一那老这也都挺好会要能可得在比太有])[\u4e00-\u9fffa-z0-9].*(?<!的)$"
    r"|是[^，,。！!？?]{1,12}还是(?![不没空有])[\u4e00-\u9fff]"  # 是A还是B: 是补差价还是得重新买
    r"|吗还是"  # A吗还是B, typed without a comma: 能直接结算吗还是得先付
)
# "在家休息呢", "在开会呢": 呢 after 在 + verb tells what someone is doing, it asks nothing
_ONGOING = re.compile(r"在[\u4e00-\u9fff]{1,6}呢$")
# "…，哈哈": a message that ends laughing is banter, whatever words it quotes
_LAUGHING_END = re.compile(r"(哈{2,}|h{3,}|2{1,2}33+|笑死)[~!]*$")
_KEYWORD_MAX = 4
# 几 that counts rather than asks (好几个, 十几天, 几十块, 几乎), and 怎么 told rather than asked (还教我怎么清洗)
_TOLD_NOT_ASKED = re.compile(
    r"好几|十几|几十|几百|几千|几万|几乎|(教|告诉|教会)了?[我他她你]怎么|(分享|发|晒|拍|传)了?几[张个条段]"
    # "有啥问题都能问": whatever, not which; "儿子给我买了个新手机": told
    r"|(啥|什么|哪|谁)[^，,。？?]{0,4}[都也]|给我[\u4e00-\u9fff]{1,2}了"
)
# "晚上吃啥呢": musing about a meal, which the FAQ does not answer
_MEAL_MUSING = re.compile(
    r"^(早上|早饭|中午|午饭|晚上|晚饭|今晚|今天|明天|周末)?(吃|喝)点?(啥|什么)好?(呢|啊|呀|嘞|捏)?([\s，,]+[\u4e00-\u9fff]{1,3})?[~!]*$"
)
# "账单比上个月少了 挺好": trouble words, then pleased (a last clause of its own: "下面冻的还行" is no verdict)
_PLEASED_END = re.compile(r"[\s，,。!~]\s*(挺好|真好|蛮好|不错|太好了|满意)[的了啊呀哈!~]*$")
# "讲个笑话：...": a joke, whatever it asks
_JOKE = re.compile(r"^(讲|说|来)个(笑话|段子)")
_WORD_CUES = ("question word", "request word")
# cues that ask a person in the group rather than the FAQ ("谁来", "帮我留一箱", "发个红包"): still a
# request, but a weaker sign that the FAQ is wanted
_PERSONAL_WORDS = frozenset(("谁", "帮我", "帮帮", "能帮", "发个", "给我", "求拉"))
# "有人要一起拼车吗", "有谁知道...": a question put to the other members
_TO_MEMBERS = re.compile(
    r"^(有人|有没有人|有谁|哪位|有哪位|有(没有[^，,。？?]{0,8})?(同学|姐妹|宝妈|朋友|小伙伴|伙伴|大佬|邻居|老乡|家长)"
    r"|大家(?!好|早)|你们(中间?)?有?谁)"  # "大家吃饭了没", "你们谁家用的mesh"
)
# "小狗丢了 …… 看到的麻烦说一声": news for whoever sees it, not a question for the FAQ
_BROADCAST = re.compile(r"(看到|看见|见到|捡到|知道)的[^，,。？?]{0,3}(说一声|告诉|联系|私聊|私信|吱一声)")
# "晚上有人一起去练背吗", "谁一起拼车", "周末约个饭局": looking for company, not for the FAQ; "这是谁的车":
# whose it is, which a member knows
_COMPANY = re.compile(
    r"(有人|有没有人|谁|^有)[^，,。？?]{0,4}(一起|组队|拼车)|^(要不要)?[^，,。？?]{0,4}一起(去|来|吃|玩|打|练|跑|开黑|上分)|[约组]个[\u4e00-\u9fff]{0,2}局|谁的"
    r"|谁[^，,。？?]{0,2}(有空|有时间|在家)|出来(喝|吃|玩|聚|坐|溜)"  # "周末谁在家 出来喝茶"
    r"|(?<![找问给让叫])谁(要|想)?去(?![问找办处理])"  # "下午谁去店里 帮我带一杯"
)
# a member named by surname and how one addresses them: 李姐, 赵大哥, 老刘
_SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴"
    "夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
# "广场舞今晚几点开始啊 李姐": a question that ends addressing a member
_ADDRESSED_END = re.compile(rf"[，,\s][{_SURNAMES}](姐|哥|叔|姨|大哥|大姐|阿姨|姐姐|哥哥|老师傅)$")
# "第一是谁啊这么猛": admiration in the form of a question
_ADMIRING = re.compile(
    r"(这么|那么|太|真|好)(猛|强|厉害|牛|快|棒|帅|美|拼|卷|能干|漂亮|可爱|好看|萌)[了啊呀吧哇]*[!~]*$"
    r"|(好看|漂亮|帅|美|可爱|酷|好吃)[不吗么嘛][?？]*$"  # "头像是我家的车 好看不": showing off, not asking
    r"|(强不强|猛不猛|帅不帅|香不香|好不好玩|好玩[不吗么])[?？]*$"  # "新角色强不强": an opinion, which members give
)
# "你今天跑了多少", "你们都几点起", "你们觉得哪个好", "你们家孩子也报班了吗", "楼上的，...", "小王你...": one
# member, or all of them, spoken to in person (你们 alone may address the business: "你们支持开发票吗", "你们家的
# 猫粮"; 楼上 is the message above only when it is spoken to or quoted, "楼上说的", else it is the flat upstairs:
# "楼上太吵了 去哪投诉")
_IN_PERSON = re.compile(
    r"^(你(?![们好])|((?!请问|问下|想问|问问)[^，,。？?\s]{1,3})?你们[^，,。？?]{0,3}都|你们平时|大家[^，,。？?]{0,3}都|大家平时"
    r"|楼上的?(?=[，,\s]|说|讲|问|你|那个|姐妹|兄弟|朋友|宝子|宝妈|宝爸|邻居|亲|小伙伴|大哥|大姐|车|图|照片)"
    r"|(你们|大家)[^，,。？?]{0,3}(觉得|最喜欢|更喜欢)"
    r"|你们家的?(孩子|宝宝|小孩|猫咪|狗狗|老人|老公|老婆|[猫狗娃](?=[也都还平晚白每现最]))|你们(孩子|宝宝|小孩)(?![班课营])"
    # what the members use, eat, do every day ("你们用的什么表", "你们座椅加热一般开几档", "你们每天通勤多少公里"),
    # not what the business does ("你们一般几点开门")
    r"|(周末|平时)?你们(用的|装的|吃的|穿的|听的)|你们家[^，,。？?]*[，,。？?\s].*我家"  # 你们家狗掉毛吗，我家…
    r"|你们(家的?)?[^，,。？?]{0,5}(一般|每天|平时)(开(?![门店业票课])|吃|用|听|去哪|通勤|几点起)"
    r"|[^，,。？?]{1,6}大家(都|平时|一般)"
    # a name, then 你: "阿杰你那双鞋...", "李阿姨 你..."
    r"|(?!请问|问下|想问|问问)[\u4e00-\u9fff]{1,3}[，,\s]?你(?![们好])"
    rf"|[老小][{_SURNAMES}](?=最近|今天|昨天|怎么|咋|呢|去|在|也|还|又|说|[，,\s]))"  # 老刘最近咋没来
)
# "群主好", "老师早": a greeting to someone; "明天见", "下次课见": a goodbye
_GREETING = re.compile(
    r"^([\u4e00-\u9fff]{1,4}(好|早|早安|晚安)|(再|明天|下次|下周|回头|晚上|一会儿?|待会儿?|等会儿?)[\u4e00-\u9fff]{0,2}见)[!~]*$"
)
# a short exclamation ("下课啦~", "学到了!"): news or a reaction, not a keyword looked up
_EXCLAIM = re.compile(r"(啦|了|咯|喽|哦|噢|耶|呀|啊|!)[~!]*$")


@dataclass(frozen=True, slots=True)
class GateResult:
    kind: Kind
    strength: float
    """How clearly the message asks something: 1 explicit question/request, ~0.5 problem report,
    wish or bare keyword, 0 statement or chit-chat."""
    reason: str

    @property
    def is_question(self) -> bool:
        return self.strength > 0


@lru_cache(maxsize=1)
def _question_words() -> tuple[tuple[str, str], ...]:
    """(word, "question" or "request"), longest first (ties alphabetical), sorted once: words that ask, and
    words that request help or tell trouble (投诉, 找不到), which a message that then says the matter is
    done no longer asks."""
    cues = question_cues()
    words = [(w, "question") for w in cues.get("word", frozenset())]
    words += [(w, "request") for w in cues.get("request", frozenset())]
    return tuple(sorted(words, key=lambda x: (-len(x[0]), x[0])))


@lru_cache(maxsize=1)
def _chitchat_known() -> list[str]:
    """Greeting, thanks and acknowledgement cues, longest first, sorted once (read only)."""
    cues = chitchat_cues()
    return sorted(
        cues.get("greeting", frozenset()) | cues.get("thanks", frozenset()) | cues.get("ack", frozenset()),
        key=len,
        reverse=True,
    )


def _question_cue(text: str, clauses: list[str]) -> str | None:
    cues = question_cues()
    if "?" in text:
        return "question mark"
    particles = cues.get("particle", frozenset())
    for c in clauses:
        for p in particles:
            if c.endswith(p) and len(c) > len(p):
                # "不" and "没" end a question only after a verb phrase: 能反悔不, 截单了没
                if p in ("不", "没", "否", "未") and len(c) < 3:
                    continue
                if p in ("没", "没有") and c[: -len(p)].endswith(_ALL_WELL):
                    continue
                if p == "呢" and _ONGOING.search(c):  # 在家休息呢: what someone is doing
                    continue
                return f"particle {p}"
    if _A_NOT_A.search(text):
        return "a-not-a question"
    if any(_ALTERNATIVE.search(c) for c in clauses):
        return "alternative question (还是)"
    asked = _TOLD_NOT_ASKED.sub("", text)
    for w, kind in _question_words():  # stable: longest first
        if w in asked:
            return f"{kind} word {w}"
    return None


def asking_clauses(text: str) -> list[str]:
    """The clauses of ``text`` that ask (carry a question cue), when some but not all do: a member
    often gives the context first ("刚搬到附近，想办张卡，你们卡分几种"). Empty otherwise."""
    clauses = [c for c in _CLAUSES.split(text) if c]
    if len(clauses) < 2:
        return []
    asking = [c for c in clauses if _question_cue(c, [c])]
    return asking if len(asking) < len(clauses) else []


def _personal_cues(text: str, clauses: list[str]) -> frozenset[str]:
    """The message's question words when they all ask a person in the group (谁来, 帮我 ...) and none
    the FAQ; empty otherwise. 谁 asks the members only as a subject (谁来, 谁能帮我); as an object or in
    谁是 (班主任是谁, 可以问谁, 谁是班主任) it asks who is in charge, which an FAQ answers."""
    words = frozenset(w for w, _ in _question_words() if w in text)
    if "谁" in words and not any(c.startswith(("谁", "有谁")) and not c.startswith("谁是") for c in clauses):
        return frozenset()
    return words if words <= _PERSONAL_WORDS else frozenset()


def _chitchat_only(clauses: list[str]) -> bool:
    """Every clause is a greeting, thanks or acknowledgement, maybe with a name or particles."""
    known = _chitchat_known()
    stop = stopwords()
    for c in clauses:
        rest = c
        hit = False
        for k in known:
            if len(k) >= 2 and k in rest:
                rest = rest.replace(k, "")
                hit = True
        rest = rest.strip("~-_ ")
        if not rest or _LAUGH.fullmatch(rest):
            continue
        if rest in known or rest in stop:
            continue
        # "谢谢团长", "老师辛苦了": a cue plus a short addressee
        if hit and len(rest) <= 3 and not any(ch in rest for ch in "吗么呢?没不未"):  # 快递没收到: no ack
            continue
        return False
    return True


def _finished(text: str, after: int = 0) -> bool:
    """Whether the message says something is done (after position ``after``) and tells no trouble after that:
    "退款已经到账了 谢谢", "原来是手机号输错了"; not "佳明绑好了，跑完也没数据", where one step is done and
    then the trouble comes."""
    if _RESOLVED.search(text, after):
        return True
    ends = [m.end() for m in _DONE.finditer(text, after)]
    return bool(ends) and not _TROUBLE.search(text, ends[-1])


def classify(norm: Normalized) -> GateResult:
    """Decide whether ``norm`` reads as a question, request or problem report, and how clearly."""
    text = norm.text
    if norm.media is not None:
        return GateResult("media", 0.0, f"media message [{norm.media}]")
    if not _CJK_OR_WORD.search(text):
        if norm.emoji_question:
            return GateResult("question", 0.3, "question emoji alone")
        return GateResult("empty", 0.0, "no text (emoji or mention only)")
    if _SYSTEM.search(text):
        return GateResult("system", 0.0, "system notice")
    clauses = [c for c in _CLAUSES.split(text) if c]
    if _chitchat_only(clauses):
        return GateResult("chitchat", 0.0, "chit-chat (greeting, thanks or acknowledgement)")
    if _JOKE.match(text):
        return GateResult("chitchat", 0.0, "a joke")
    if _MEAL_MUSING.match(text):
        return GateResult("chitchat", 0.0, "musing about a meal")
    if _REMINDER_END.search(text):
        return GateResult("chitchat", 0.0, "a reminder to the others")
    if _LAUGHING_END.search(text) and not norm.mentions_bot and not norm.mentions:
        return GateResult("chitchat", 0.0, "banter (ends laughing)")
    cue = _question_cue(text, clauses)
    if cue:
        if _IN_PERSON.match(text) or _ADDRESSED_END.search(text):
            return GateResult("personal", 0.5, f"question to a member in person ({cue})")
        if _TO_MEMBERS.match(text) or _COMPANY.search(text) or _BROADCAST.search(text):
            return GateResult("members", 0.5, f"question to the other members ({cue})")
        if _ADMIRING.search(text):
            return GateResult("chitchat", 0.0, f"admiration, not a question ({cue})")
        if cue.startswith("request word"):
            if _finished(text, after=text.find(cue.rsplit(" ", 1)[-1])):
                return GateResult("statement", 0.0, f"says it is done ({cue})")  # "投诉的事已经解决了 谢谢"
            if len("".join(clauses)) <= 2 and text.endswith("!"):
                return GateResult("chitchat", 0.0, f"exclamation ({cue})")  # "求带!": asks for nothing the FAQ has
        personal = _personal_cues(text, clauses) if cue.startswith(_WORD_CUES) else frozenset()
        if personal:
            if _DONE.search(text):  # "小周帮我弄好了": help received, told
                return GateResult("statement", 0.0, f"report of help received ({cue})")
            # "谁来" seeks a member; "帮我查下订单" may be meant for the staff the bot speaks for
            kind: Kind = "members" if personal == {"谁"} else "request"
            return GateResult(kind, 0.7, f"request to a member ({cue})")
        return GateResult("question", 1.0, f"question ({cue})")
    if _TO_MEMBERS.match(text) or _IN_PERSON.match(text):
        return GateResult("chitchat", 0.0, "talk to the other members, no question")
    if _GREETING.match(text):
        return GateResult("chitchat", 0.0, "chit-chat (greeting)")
    if _CHECKIN.match(text) or len(_LIST_LINE.findall(text)) >= 2:
        return GateResult("chitchat", 0.0, "chit-chat (check-in or list)")
    if norm.emoji_question:
        return GateResult("question", 0.8, "question (question emoji)")
    done = _finished(text)
    if _TROUBLE.search(text) and not done and not _REMINDER.search(text) and not _PLEASED_END.search(text):
        return GateResult("problem", 0.5, "problem report")
    if any(_WANT.match(c) or _UNWANTED.search(c) for c in clauses) and not done:
        return GateResult("request", 0.5, "request (wish)")
    compact = "".join(clauses)
    if len(compact) <= _KEYWORD_MAX and not done and not _EXCLAIM.search(text):
        return GateResult("keyword", 0.5, "bare keyword")
    return GateResult("statement", 0.0, "statement, not a question")
