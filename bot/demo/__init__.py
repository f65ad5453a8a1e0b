"""The bundled sample community (「轻跑」 running club): config, FAQ, schedules and a few days of chat.

Installed as package data (``bot/_community``) from the project's top-level ``config.yaml``,
``faq.yaml`` and ``schedules/``; in a source checkout those files are read in place.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
CHAT_LOG = Path(__file__).resolve().parent / "chat.jsonl"


def community_dir() -> Path:
    bundled = PACKAGE / "_community"
    return bundled if (bundled / "config.yaml").is_file() else PACKAGE.parent


def config_path() -> Path:
    return community_dir() / "config.yaml"
