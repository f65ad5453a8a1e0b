"""A seeded, multi-week community chat log with planted roles, for activity/KOL tests and benchmarks.

Per room: two helpers (quote-reply questions within minutes, get thanked), a helper who goes
quiet for the last ``quiet_days``, a sticker lover, regulars, two eager newcomers who join
``newcomer_days`` before the end, a flooder, a spammer, lurkers, and an operator who also helps.
``Cast`` says who is who, so tests can check the digest against the plan.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
QUESTIONS = ["怎么开发票？", "可以退款吗？", "多久发货？", "怎么查物流？", "会员多少钱一年？", "怎么取消自动续费？",
             "请问课表在哪里看呀", "手表数据同步不了怎么办？", "周末的活动几点开始？", "新人第一周跑多少合适？"]
ANSWERS = ["在订单页里点申请就行", "我之前也遇到过，重新登录一下就好了", "一般两天内就到", "先别急，慢慢来，每次三公里",
           "在我的-设置里面可以改", "周六早上七点，老地方集合"]
CHAT = ["今天跑了五公里", "早上好", "今天天气不错适合跑步", "昨晚睡得不好", "周末有人一起吗", "刚下班",
        "膝盖有点酸", "打卡完成", "这周目标二十公里", "新鞋到了很舒服", "配速终于进六了", "下雨了只能跑步机"]
PLAYFUL = ["哈哈哈哈", "[捂脸]", "冲鸭！", "[旺柴][旺柴]", "太强了哈哈", "🏃🏃"]
ADS = ["【双11爆款跑鞋 工厂直发一折起】点击领券 https://t.cn/A6x{n}", "需要跑鞋的加我V：shoes{n} 正品保证",
       "兼职日赚300 私聊我 {n}"]


@dataclass
class Cast:
    rooms: list[str] = field(default_factory=list)
    helpers: dict[str, list[str]] = field(default_factory=dict)
    quitters: dict[str, str] = field(default_factory=dict)
    stickers: dict[str, str] = field(default_factory=dict)
    newcomers: dict[str, list[str]] = field(default_factory=dict)
    flooders: dict[str, str] = field(default_factory=dict)
    spammers: dict[str, str] = field(default_factory=dict)
    lurkers: dict[str, list[str]] = field(default_factory=dict)
    operator: str = "wxid_op"
    last_day: date = date(2026, 11, 30)


class _Log:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.records: list[dict] = []
        self.n = 0

    def add(self, ts: datetime, room: str, sender: str, kind: str = "text", text: str = "",
            mentions: list[str] | None = None, quote: str | None = None) -> str:
        self.n += 1
        mid = f"g{self.n}"
        self.records.append({"id": mid, "ts": ts.isoformat(), "room": room, "room_topic": f"跑团{room[:3]}",
                             "sender": sender, "sender_name": NAMES.get(sender, sender[5:]), "type": kind,
                             "text": text, "mentions": mentions or [], "quote": quote})
        return mid


NAMES: dict[str, str] = {}


def generate(seed: int = 7, rooms: int = 2, days: int = 42, end: date = date(2026, 11, 30),
             quiet_days: int = 14, newcomer_days: int = 8, regulars: int = 8, lurkers: int = 10
             ) -> tuple[list[str], Cast]:
    """JSON log lines (time-ordered) and the cast. ``end`` is the last day of the log."""
    rng = random.Random(seed)
    log = _Log(rng)
    cast = Cast(last_day=end)
    start = end - timedelta(days=days - 1)
    for r in range(rooms):
        room = f"r{r:02d}@chatroom"
        p = f"wxid_r{r}_"
        helpers = [p + "helper1", p + "helper2"]
        quitter, sticker, flooder, spammer = p + "quitter", p + "sticker", p + "flooder", p + "spam"
        newcomers = [p + "new1", p + "new2"]
        regs = [p + f"reg{i}" for i in range(regulars)]
        lurks = [p + f"lurk{i}" for i in range(lurkers)]
        NAMES.update({helpers[0]: f"阿辉{r}", helpers[1]: f"三毛{r}", quitter: f"老K{r}", sticker: f"默默{r}",
                      newcomers[0]: f"糖糖{r}", newcomers[1]: f"乐乐{r}", flooder: f"刷屏哥{r}",
                      spammer: f"鞋批发{r}"})
        cast.rooms.append(room)
        cast.helpers[room], cast.quitters[room], cast.stickers[room] = helpers, quitter, sticker
        cast.newcomers[room], cast.flooders[room], cast.spammers[room] = newcomers, flooder, spammer
        cast.lurkers[room] = lurks
        newcomer_start = end - timedelta(days=newcomer_days - 1)
        for i in range(days):
            day = start + timedelta(days=i)
            _day(log, rng, room, day, day >= newcomer_start, day > end - timedelta(days=quiet_days),
                 helpers, quitter, sticker, flooder, spammer, newcomers, regs, lurks, cast.operator,
                 day == newcomer_start, i)
    log.records.sort(key=lambda rec: (rec["ts"], int(rec["id"][1:])))
    return [json.dumps(rec, ensure_ascii=False) for rec in log.records], cast


def _at(day: date, rng: random.Random, lo: int = 8, hi: int = 22) -> datetime:
    return datetime.combine(day, time(rng.randint(lo, hi - 1), rng.randint(0, 59), rng.randint(0, 59)), TZ)


def _day(log: _Log, rng: random.Random, room: str, day: date, newcomers_in: bool, quiet: bool,
         helpers: list[str], quitter: str, sticker: str, flooder: str, spammer: str, newcomers: list[str],
         regs: list[str], lurks: list[str], operator: str, join_day: bool, index: int) -> None:
    if join_day:
        for m in newcomers:
            log.add(datetime.combine(day, time(7, rng.randint(0, 59)), TZ), room, m, "join")
    active_helpers = [h for h in helpers if rng.random() < 0.85] + ([quitter] if not quiet and rng.random() < 0.85
                                                                       else [])
    askers = [m for m in regs if rng.random() < 0.3] + (newcomers if newcomers_in else [])
    # questions, answered by a helper (quote-reply) and thanked
    for asker in askers:
        for _ in range(2 if asker in newcomers else 1):
            t = _at(day, rng, 9, 21)
            q = log.add(t, room, asker, text=rng.choice(QUESTIONS))
            if active_helpers and rng.random() < 0.8:
                helper = rng.choice(active_helpers)
                t2 = t + timedelta(minutes=rng.randint(1, 12))
                a = log.add(t2, room, helper, text=rng.choice(ANSWERS), quote=q)
                if rng.random() < 0.6:
                    t3 = t2 + timedelta(minutes=rng.randint(1, 5))
                    if rng.random() < 0.5:
                        log.add(t3, room, asker, text=f"谢谢@{NAMES.get(helper, helper)}\u2005", mentions=[helper])
                    else:
                        log.add(t3, room, asker, text="收到 谢谢[抱拳]", quote=a)
            elif rng.random() < 0.5:
                log.add(t + timedelta(minutes=rng.randint(2, 30)), room, operator, text="我来看看", quote=q)
    # chatter
    for h in active_helpers:
        for _ in range(rng.randint(2, 5)):
            log.add(_at(day, rng), room, h, text=rng.choice(CHAT))
    if rng.random() < 0.9:
        for _ in range(rng.randint(3, 8)):
            t = _at(day, rng)
            log.add(t, room, sticker, "emoji")
            if rng.random() < 0.3:
                log.add(t + timedelta(seconds=20), room, sticker, text=rng.choice(PLAYFUL))
    for m in regs:
        if rng.random() < 0.35:
            for _ in range(rng.randint(1, 3)):
                log.add(_at(day, rng), room, m, text=rng.choice(CHAT + PLAYFUL))
    if newcomers_in:
        for m in newcomers:
            for _ in range(rng.randint(3, 6)):
                log.add(_at(day, rng), room, m, text=rng.choice(CHAT + PLAYFUL))
    for m in lurks:
        if rng.random() < 0.02:
            log.add(_at(day, rng), room, m, text=rng.choice(CHAT))
    # a flooder: bursts of the same line most days
    if rng.random() < 0.7:
        t = _at(day, rng)
        line = rng.choice(["冲冲冲", "顶顶顶顶", "哈哈哈哈哈哈"])
        for k in range(rng.randint(10, 16)):
            log.add(t + timedelta(seconds=3 * k), room, flooder, text=line)
        log.add(_at(day, rng), room, flooder, text=rng.choice(CHAT))
    # a spammer: ads and links every few days
    if index % 3 == 0:
        t = _at(day, rng)
        for k, ad in enumerate(ADS):
            kind = "link" if "http" in ad else "text"
            log.add(t + timedelta(seconds=30 * k), room, spammer, kind, ad.format(n=index))
        log.add(t + timedelta(minutes=3), room, spammer, text=rng.choice(CHAT))
    if rng.random() < 0.5:
        log.add(_at(day, rng), room, operator, text="今晚九点直播答疑，大家准时来")
