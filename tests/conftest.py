"""Shared fixtures: a small community (config + FAQ) written to a temporary folder."""

from __future__ import annotations

import json
import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.faq.semantic import CACHE_ENV

FAQ_YAML = """\
entries:
  - id: invoice
    question: 怎么开发票？
    similar: [发票在哪里申请, 可以开增值税发票吗]
    answer: 在「我的订单」里点「申请发票」，3 个工作日内发到邮箱。
    tags: [售后]
  - id: refund
    question: 可以退款吗？
    similar: [不想要了怎么退钱, 退款规则是什么]
    answer: 购买 7 天内可以无理由退款，在「我的订单」里申请。
    tags: [售后]
  - id: shipping-time
    question: 多久发货？
    similar: [什么时候发货, 下单后几天能寄出]
    answer: 下单后 48 小时内发货，节假日顺延。
    tags: [物流]
  - id: tracking
    question: 怎么查物流？
    similar: [快递单号在哪看, 包裹到哪了]
    answer: 在「我的订单-物流详情」里可以看到快递单号和进度。
    tags: [物流]
  - id: membership-price
    question: 会员多少钱一年？
    similar: [年卡价格, 会员费用是多少]
    answer: 年度会员 198 元，月度会员 25 元。
    tags: [会员]
  - id: cancel-renewal
    question: 怎么取消自动续费？
    similar: [关闭自动续费, 不想自动扣款了]
    answer: 在「我的-会员-自动续费」里关闭即可。
    tags: [会员]
"""

CONFIG_YAML = """\
bot:
  name: 小助手
timezone: Asia/Shanghai
database: sqlite:///bot.db
faq: faq.yaml
schedules: null
operators: [wxid_op]
service_hours:
  mon-fri: "09:00-18:00"
  sat: "10:00-12:00, 14:00-17:00"
  closed: ["2026-10-01"]
outbox:
  jitter_seconds: 0
"""


@pytest.fixture(autouse=True, scope="session")
def _embedding_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """One embedding cache for the whole run, never the user's own (``~/.cache/qunbot``)."""
    os.environ[CACHE_ENV] = str(tmp_path_factory.mktemp("embeddings"))


@pytest.fixture
def community(tmp_path: Path) -> Callable[..., Path]:
    """Write config.yaml + faq.yaml (optionally with extra config text) and return the config path."""

    def make(extra: str = "", faq: str = FAQ_YAML, config: str = CONFIG_YAML) -> Path:
        (tmp_path / "faq.yaml").write_text(faq, encoding="utf-8")
        path = tmp_path / "config.yaml"
        path.write_text(config + textwrap.dedent(extra), encoding="utf-8")
        return path

    return make


def log_lines(*records: dict) -> list[str]:
    """Chat-log lines with defaults filled in (room r1, type text, no mentions)."""
    out = []
    for i, rec in enumerate(records, 1):
        base = {"id": f"m{i}", "room": "r1@chatroom", "room_topic": "测试群", "sender": "wxid_a",
                "sender_name": "小雨", "type": "text", "text": "", "mentions": [], "quote": None}
        base.update(rec)
        out.append(json.dumps(base, ensure_ascii=False))
    return out
