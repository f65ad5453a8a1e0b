"""The digest as one self-contained HTML page (inline CSS and SVG): operators open it offline."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.digest import SEGMENT_WORDS, Digest

_CSS = """
body{font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:2rem auto;max-width:860px;
color:#222;padding:0 1rem}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%}td,th{padding:.4rem .5rem;text-align:left;border-bottom:1px solid #eee;
vertical-align:middle}th{font-weight:600;color:#555}.seg{border-radius:4px;padding:1px 6px;font-size:.85rem}
.kol{background:#fde7c7}.rising{background:#d7f5dc}.active{background:#e4ecfb}.score{font-variant-numeric:
tabular-nums;text-align:right}.muted{color:#888}ul{padding-left:1.2rem}
"""


def sparkline(values: Sequence[int], width: int = 120, height: int = 24) -> str:
    """An inline SVG polyline of daily message counts, oldest on the left."""
    if not values:
        return ""
    top = max(max(values), 1)
    step = width / max(len(values) - 1, 1)
    points = " ".join(f"{i * step:.1f},{height - 2 - (v / top) * (height - 4):.1f}" for i, v in enumerate(values))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="每日发言">'
            f'<polyline fill="none" stroke="#e07a1f" stroke-width="1.5" points="{points}"/></svg>')


def render_html(d: Digest) -> str:
    rows = []
    for c in d.candidates:
        rows.append(
            f"<tr><td>{escape(c.name)}<div class=muted>{escape(c.member)}</div></td>"
            f"<td>{escape(d.topic(c.room))}</td>"
            f"<td><span class='seg {c.segment}'>{SEGMENT_WORDS[c.segment]}</span></td>"
            f"<td class=score>{c.score:.1f}</td><td>{escape('，'.join(c.reasons))}</td>"
            f"<td>{sparkline(c.daily)}</td></tr>")
    cand = ("<table><tr><th>成员</th><th>群</th><th>类型</th><th>得分</th><th>理由</th>"
            f"<th>近{d.window}天发言</th></tr>{''.join(rows)}</table>") if rows else "<p class=muted>暂无</p>"
    fading = "".join(f"<li>{escape(f.name)}（{escape(d.topic(f.room))}）：{escape('，'.join(f.reasons))}</li>"
                     for f in d.fading) or "<li class=muted>无</li>"
    unanswered = "".join(f"<li>{escape(u.text)} <span class=muted>（{u.count}次，"
                         f"{escape('、'.join(d.topic(r) for r in u.rooms))}）</span></li>"
                         for u in d.unanswered) or "<li class=muted>无</li>"
    title = f"社群日报 {d.date.isoformat()}"
    return (f"<!doctype html><html lang=zh-CN><head><meta charset=utf-8><title>{title}</title>"
            f"<style>{_CSS}</style></head><body><h1>{title}</h1>"
            f"<p class=muted>近{d.window}天的活跃度；得分越近的日子权重越高。</p>"
            f"<h2>达人候选</h2>{cand}<h2>渐冷提醒</h2><ul>{fading}</ul>"
            f"<h2>没人回答的高频问题</h2><ul>{unanswered}</ul></body></html>\n")
