"""``config.yaml`` as typed, validated settings (pydantic), with file/line errors.

Every key of interfaces.md is here; more keys have defaults that suit a typical community.
Relative paths resolve against the config file's folder.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot import service_hours as sh
from bot.yamlfile import ConfigError, YamlDoc, read_yaml, validate

_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BotSection(Strict):
    name: str = Field(min_length=1)
    account: str | None = Field(None, min_length=1, max_length=128)
    """Optional: this bot account's identity in a shared database (rooms seen, scheduled-post claims,
    the digest's rooms); default: ``name``. Set it when several bots share one database, and keep it
    when renaming the bot."""
    nickname_template: str | None = None
    """Optional: the bot's nickname, set at start where the puppet allows it ("{name}｜早9晚6回复")."""
    ignore: tuple[str, ...] = ()
    """Contact ids of other bots: their messages are never answered nor counted."""


class ServiceHoursSection(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)
    closed: tuple[dt.date, ...] = ()

    @model_validator(mode="after")
    def _parse(self) -> ServiceHoursSection:
        self.build()
        return self

    def build(self) -> sh.ServiceHours:
        ranges: dict[str, str] = {}
        for key, value in (self.model_extra or {}).items():
            if not isinstance(value, str):
                raise ValueError(f'"{key}": expected a time range text like "09:00-18:00"')
            try:
                sh.parse_days(key)
            except ValueError as exc:
                raise ValueError(f"{exc}{_day_hint(key)}") from None
            ranges[key] = value
        return sh.build(ranges, list(self.closed))


def _day_hint(key: str) -> str:
    from bot.yamlfile import did_you_mean

    return did_you_mean(key, [*sh.DAYS, "mon-fri", "closed", "daily"])


class DigestSection(Strict):
    time: str = "21:00"
    enabled: bool = True
    recipients: tuple[str, ...] | None = None
    """Who gets the digest; default: the operators."""
    top: int = Field(3, ge=1, le=10)
    max_chars: int = Field(800, ge=200)

    @field_validator("time")
    @classmethod
    def _time(cls, v: str) -> str:
        return check_hhmm(v)


class WelcomeRoom(Strict):
    enabled: bool = True
    text: str | None = None


class WelcomeSection(Strict):
    enabled: bool = True
    text: str = "欢迎 {names} 加入{room_topic}！提问请按模板：{question_template}"
    window_seconds: int = Field(60, ge=0, le=3600)
    rooms: dict[str, WelcomeRoom] = {}


class OutboxSection(Strict):
    room_interval_seconds: float = Field(3.0, ge=0)
    per_minute: int = Field(30, ge=1)
    jitter_seconds: float = Field(1.5, ge=0)
    queue_size: int = Field(500, ge=1)
    retries: int = Field(4, ge=0)
    retry_backoff_seconds: float = Field(2.0, ge=0)
    merge: bool = True


class MatchingSection(Strict):
    choice_minutes: float = Field(5, gt=0)
    """How long a "did you mean" list stays open for a number reply."""
    semantic: bool = True
    """Ask the bundled sentence model when words leave a question open (off: words only, faster)."""


class ScheduleSection(Strict):
    grace_minutes: float = Field(30, ge=0)
    """After a restart, a post missed by at most this much is still sent, once."""


class ActivitySection(Strict):
    window_days: int = Field(14, ge=1)
    retention_days: int = Field(180, ge=1)
    keep_text: bool = False
    weights: dict[str, float] = {}

    @field_validator("weights")
    @classmethod
    def _weights(cls, v: dict[str, float]) -> dict[str, float]:
        from bot.activity.score import weights_from

        weights_from(v)  # unknown names: a clear error naming the known ones
        return v


class HandoffSection(Strict):
    """Handing a member to a person: on request, or when the bot failed them twice in a row."""

    enabled: bool = True
    keywords: tuple[str, ...] = ()
    """More request phrases on top of the built-in ones (转人工, 人工客服, 找真人 ...)."""
    window_minutes: float = Field(10, gt=0)
    """Two unanswered questions from one member within this many minutes hand them over."""
    context_lines: int = Field(5, ge=0, le=20)
    """Recent room messages included in the operators' hand-off message."""
    notify: tuple[str, ...] | None = None
    """Who gets hand-offs; default: the operators."""


class Config(Strict):
    bot: BotSection
    timezone: str = "Asia/Shanghai"
    database: str = "sqlite:///qunbot.db"
    faq: str = "faq.yaml"
    schedules: str | None = "schedules/"
    operators: tuple[str, ...] = ()
    service_hours: ServiceHoursSection | None = None
    question_template: str = "【问题】… 【已尝试】… 【截图】…"
    digest: DigestSection = DigestSection()
    welcome: WelcomeSection = WelcomeSection()
    outbox: OutboxSection = OutboxSection()
    matching: MatchingSection = MatchingSection()
    schedule: ScheduleSection = ScheduleSection()
    activity: ActivitySection = ActivitySection()
    handoff: HandoffSection = HandoffSection()
    stale_message_seconds: float = Field(180, ge=0)
    """Messages older than this when the bot starts are recorded but not answered."""
    base_dir: Path = Field(Path("."), exclude=True)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f'unknown timezone "{v}" (use an IANA name like Asia/Shanghai)') from None
        return v

    @field_validator("database")
    @classmethod
    def _db(cls, v: str) -> str:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            make_url(v)
        except ArgumentError:
            raise ValueError(f'"{v}" is not an SQLAlchemy URL (e.g. sqlite:///qunbot.db)') from None
        return v

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def hours(self) -> sh.ServiceHours:
        """Built once per loaded config: handlers ask for it on every message."""
        return self.service_hours.build() if self.service_hours else sh.ServiceHours.always()

    @property
    def account(self) -> str:
        """This bot account's identity in the database: ``bot.account``, else ``bot.name``."""
        return self.bot.account or self.bot.name

    @property
    def faq_path(self) -> Path:
        return self.resolve(self.faq)

    @property
    def schedules_path(self) -> Path | None:
        return self.resolve(self.schedules) if self.schedules else None

    @property
    def handoff_recipients(self) -> tuple[str, ...]:
        return self.handoff.notify if self.handoff.notify is not None else self.operators

    @property
    def digest_recipients(self) -> tuple[str, ...]:
        return self.digest.recipients if self.digest.recipients is not None else self.operators

    def resolve(self, path: str) -> Path:
        p = Path(path).expanduser()
        return p if p.is_absolute() else self.base_dir / p

    def database_url(self) -> str:
        """The database URL, a relative SQLite path resolved against the config folder."""
        prefix = "sqlite:///"
        if self.database.startswith(prefix) and self.database != "sqlite:///:memory:":
            rest = self.database[len(prefix):]
            if rest and not rest.startswith("/"):
                return prefix + str((self.base_dir / rest).resolve())
        return self.database


def check_hhmm(v: str) -> str:
    if not isinstance(v, str) or not _HHMM.match(v.strip()):
        raise ValueError(f'bad time "{v}" (expected HH:MM, e.g. 21:00)')
    return v.strip()


def load_config(path: str | Path) -> Config:
    """Read and validate a config file; raises ConfigError with file, line and problem."""
    doc = read_yaml(path, "config file")
    if not isinstance(doc.data, dict):
        raise ConfigError(doc.path, "expected a mapping of settings (bot:, timezone:, faq: ...)", 1, 1)
    data: dict[str, Any] = dict(doc.data)
    data["base_dir"] = doc.path.resolve().parent
    _check_service_hours(doc, data.get("service_hours"))
    config: Config = validate(doc, Config, data)
    _check_files(doc, config)
    return config


def _check_service_hours(doc: YamlDoc, section: Any) -> None:
    """Check each ``days: ranges`` line on its own, so an error points at that line."""
    if not isinstance(section, dict):
        return
    seen: dict[str, str] = {}
    for key, value in section.items():
        if key == "closed":
            continue
        loc = ["service_hours", key]
        try:
            days = sh.parse_days(str(key))
        except ValueError as exc:
            raise doc.error(loc, f"{exc}{_day_hint(str(key))}", key=True) from None
        if not isinstance(value, str):
            raise doc.error(loc, 'expected a time range text like "09:00-18:00"')
        try:
            sh.parse_ranges(value)
        except ValueError as exc:
            raise doc.error(loc, str(exc)) from None
        for day in days:
            if day in seen:
                raise doc.error(loc, f'"{day}" is already given by "{seen[day]}"', key=True)
            seen[day] = str(key)


def _check_files(doc: YamlDoc, config: Config) -> None:
    if not config.faq_path.is_file():
        raise doc.error(["faq"], f"FAQ file not found: {config.faq_path}")
    sched = config.schedules_path
    if sched is not None and not sched.exists():
        raise doc.error(["schedules"], f"schedules folder not found: {sched}")

