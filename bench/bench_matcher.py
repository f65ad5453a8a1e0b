"""Benchmark of the FAQ matcher on synthetic FAQs (1,000 and 10,000 entries), on words alone.

The sentence model that the matcher asks when words leave a question open is measured apart, in
``bench_semantic.py``: embedding 40,000 synthetic phrasings would take this script minutes.

Measures, on one core: per-message p50/p99 latency after warm-up, index build time and the memory the
index adds (tracemalloc), and the cold start of ``qunbot faq ask`` (a subprocess; skipped if the command
is not installed). The FAQs are generated from general customer-service vocabulary, not from any bench.

Usage: .venv/bin/python bench/bench_matcher.py [--sizes 1000,10000] [--queries 2000] [--json]
Targets: 1,000 entries p50 <= 150 us, p99 <= 1 ms; 10,000 entries p50 <= 500 us;
build of 10,000 <= 3 s and <= 150 MB; `qunbot faq ask` cold start <= 2.5 s.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.faq.matcher import MatcherIndex, Params  # noqa: E402
from bot.faq.matcher import build_index as build_any  # noqa: E402
from bot.faq.model import Faq, FaqEntry  # noqa: E402


def build_index(faq: Faq, bot_names: tuple[str, ...] = ()) -> MatcherIndex:
    return build_any(faq, bot_names=bot_names, params=Params(semantic=False))


def _split(text: str, sep: str) -> tuple[str, ...]:
    return tuple(w for w in text.split(sep) if w)


SUBJECTS = _split(
    "订单 发票 会员卡 课程 预约 停车 快递 退款 积分 优惠券 账号 密码 教练 医生 "
    "挂号 体检 房间 押金 储值卡 合同 保险 维修 安装 配送 自提点 门店 直播 回放 "
    "作业 证书 考试 报名 学费 餐券 车位 钥匙 网络 宽带 话费 流量 套餐 快件 包裹 "
    "退货 换货 售后 客服 发货 物流 地址 手机号 验证码 小程序 app 电脑 打印 "
    "相册 照片 视频 资料 课件 老师 班级 群聊 活动 抽奖 红包 奖品 礼品 团购 拼团 "
    "秒杀 预售 定金 尾款 分期 花呗 信用卡 银行卡 提现 余额 返现 佣金 推荐 邀请码 "
    "积分卡 年卡 月卡 次卡 私教 游泳 瑜伽 场地 球馆 器材 储物柜 淋浴 停车场 "
    "发票抬头 税号 报销 收据 合同章 营业执照 资质 门禁 访客 物业 水费 电费",
    " ",
)
ACTIONS = _split(
    "怎么申请|多久到账|在哪里查看|可以取消吗|需要什么材料|收费吗|几点开始|怎么修改|"
    "能转给别人吗|过期了怎么办|有什么要求|怎么退|丢了怎么办|可以延期吗|怎么开通|"
    "在哪里领取|能不能换|多少钱|怎么联系|为什么失败|有没有优惠|怎么使用|什么时候生效|"
    "可以提前吗|怎么查询|能开发票吗|怎么续费|可以暂停吗|怎么绑定|怎么解绑",
    "|",
)
QUALIFIERS = _split(
    "周末 线上 线下 企业 学生 老用户 新用户 节假日 晚上 外地 团体 个人 海外 家属 "
    "儿童 老人",
    " ",
)
NOISE = ("请问", "想问下", "麻烦问一下", "你好", "那个", "我刚", "刚才", "有点急", "谢谢", "哈哈", "[捂脸]",
         "@小助手\u2005")


def synthetic_faq(n: int, seed: int = 7) -> Faq:
    """``n`` distinct entries built as qualifier + subject + action, each with three phrasings."""
    rng = random.Random(seed)
    combos = [(q, s, a) for s in SUBJECTS for a in ACTIONS for q in QUALIFIERS]
    rng.shuffle(combos)
    entries = []
    for i, (q, s, a) in enumerate(combos[:n]):
        question = f"{q}{s}{a}？"
        similar = (f"{s}{a}，{q}的", f"想了解{q}{s}{a}", f"{q}办理{s}{a}")
        answer = f"{q}{s}：请在小程序「我的-{s}」页面操作，{a}的规则以页面说明为准，如有疑问请联系客服。"
        entries.append(FaqEntry(f"e{i}", question, answer, similar, (s,)))
    return Faq(tuple(entries), (("退款", "退钱"), ("发货", "寄出")))


def queries(faq: Faq, n: int, seed: int = 11) -> list[str]:
    """Member-like messages: an entry's words reordered, with fillers, plus some chit-chat."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        if rng.random() < 0.2:
            out.append(rng.choice(("大家好", "收到，谢谢", "哈哈哈哈", "[强][强]", "今天天气真好", "我已经下单了")))
            continue
        e = rng.choice(faq.entries)
        base = rng.choice(e.phrasings).rstrip("？")
        out.append(f"{rng.choice(NOISE)}{base}{rng.choice(('', '？', '呀', '啊[疑问]'))}")
    return out


def measure(n: int, n_queries: int) -> dict[str, float]:
    faq = synthetic_faq(n)
    build_index(synthetic_faq(20))  # load the shared dictionaries first: measure what the index adds
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    t0 = time.perf_counter()
    index = build_index(faq, bot_names=("小助手",))
    build_s = time.perf_counter() - t0
    mem_mb = (tracemalloc.get_traced_memory()[0] - before) / 2**20
    tracemalloc.stop()
    qs = queries(faq, n_queries)
    for q in qs[:300]:  # warm-up (pinyin and weight caches)
        index.match(q)
    lat = []
    for q in qs:
        t = time.perf_counter_ns()
        index.match(q)
        lat.append(time.perf_counter_ns() - t)
    lat.sort()
    # build time without tracemalloc overhead
    t0 = time.perf_counter()
    build_index(faq)
    build_plain = time.perf_counter() - t0
    return {
        "entries": n,
        "p50_us": lat[len(lat) // 2] / 1000,
        "p99_us": lat[int(len(lat) * 0.99)] / 1000,
        "mean_us": sum(lat) / len(lat) / 1000,
        "build_s": build_plain,
        "build_traced_s": build_s,
        "memory_mb": mem_mb,
    }


def cold_start() -> float | None:
    """Wall time of ``qunbot faq ask`` answering one question from a fresh process (None if absent)."""
    exe = shutil.which("qunbot") or str(Path(sys.executable).parent / "qunbot")
    if not os.path.exists(exe):
        return None
    faq = Path(__file__).resolve().parents[1] / "faq.yaml"
    with tempfile.TemporaryDirectory() as tmp:
        q = "怎么开发票？"
        for args in ([exe, "faq", "ask", str(faq), q], [exe, "faq", "ask", "--faq", str(faq), q]):
            probe = subprocess.run(args, capture_output=True, text=True, cwd=tmp)
            if probe.returncode == 0:
                break
        else:
            return None
        best = float("inf")
        for _ in range(3):
            t = time.perf_counter()
            subprocess.run(args, capture_output=True, text=True, cwd=tmp)
            best = min(best, time.perf_counter() - t)
        return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    results: dict[str, object] = {"sizes": [measure(int(s), args.queries) for s in args.sizes.split(",")]}
    results["cold_start_s"] = cold_start()
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for r in results["sizes"]:  # type: ignore[union-attr]
        print(
            f"{r['entries']:>6} entries: p50 {r['p50_us']:7.1f} us  p99 {r['p99_us']:7.1f} us  "
            f"mean {r['mean_us']:7.1f} us  build {r['build_s']:5.2f} s  memory {r['memory_mb']:6.1f} MB"
        )
    cs = results["cold_start_s"]
    print(f"qunbot faq ask cold start: {cs:.2f} s" if cs is not None else "qunbot faq ask: not installed, skipped")


if __name__ == "__main__":
    main()
