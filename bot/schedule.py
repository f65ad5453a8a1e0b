"""Schedule files (``schedules/*.yaml``) as typed jobs, and the text they post.

Loaded at start and on reload: ``load_schedules(config)`` either returns every job or raises one
ConfigError naming file, line, column and key, so a bad edit never half-replaces the running
jobs. Crontab expressions are parsed by APScheduler 3 in the configured timezone; numeric
weekdays are translated first, because APScheduler 3 counts 0 as Monday where crontab counts
0 as Sunday (its issue 286), and "0 9 * * 1" must mean Monday here as everywhere else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

from apscheduler.triggers.cron import CronTrigger
from pydantic import BaseModel, ConfigDict, Field

from bot.config import Config
from bot.service_hours import DAY_WORDS
from bot.yamlfile import ConfigError, YamlDoc, did_you_mean, read_yaml, validate

ACTIONS = ("announce", "say", "topic")
PLACEHOLDERS = ("service_hours", "question_template", "faq_index", "date", "room_topic")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_ONE_MICROSECOND = timedelta(microseconds=1)
UNKNOWN_TOPIC = "本群"


class _JobSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(min_length=1)
    cron: str
    rooms: str | list[str]
    action: str
    template: str | None = None
    text: str | None = None


class _ScheduleFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    jobs: list[_JobSpec] = []


@dataclass(frozen=True, slots=True)
class Job:
    """One scheduled post. ``rooms`` None means every room the bot knows (``rooms: all``)."""

    id: str
    cron: str
    action: str
    text: str
    rooms: tuple[str, ...] | None
    source: str
    """Where it was defined (``file:line``), for log lines."""
    trigger: CronTrigger = field(compare=False, repr=False)
    template: Path | None = None

    def next_fire(self, after: datetime) -> datetime:
        """The first fire time strictly after ``after`` (a cron always fires again)."""
        tz = self.trigger.timezone
        nxt = self.trigger.get_next_fire_time(None, after.astimezone(tz) + _ONE_MICROSECOND)
        assert nxt is not None  # a crontab without end date never runs out
        return nxt

    def fires_at(self, when: datetime) -> bool:
        return self.trigger.get_next_fire_time(None, when) == when

    def fires_between(self, start: datetime, end: datetime, limit: int = 10_000) -> list[datetime]:
        """Fire times in (start, end], at most ``limit`` of them."""
        out: list[datetime] = []
        t = self.next_fire(start)
        while t <= end and len(out) < limit:
            out.append(t)
            t = self.next_fire(t)
        return out


# -- cron ---------------------------------------------------------------------------------------
def parse_cron(expr: str, tz: tzinfo) -> CronTrigger:
    """A five-field crontab as an APScheduler trigger; ValueError says what is wrong."""
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields (minute hour day-of-month month day-of-week), got {len(fields)}")
    minute, hour, dom, month, dow = fields
    if dom not in ("*", "?") and dow not in ("*", "?"):
        raise ValueError("restricts both day-of-month and day-of-week (crontab means either one, "
                         "APScheduler both): split it into two jobs")
    try:
        return CronTrigger(minute=minute, hour=hour, day=dom, month=month,
                           day_of_week=_crontab_weekdays(dow), timezone=tz)
    except ValueError as exc:
        raise ValueError(str(exc)) from None


def _crontab_weekdays(spec: str) -> str:
    """Numeric crontab weekdays (0 or 7 = Sunday) as day names APScheduler reads the same way."""
    if not any(c.isdigit() for c in spec):
        return spec  # names and "*" mean the same to both
    days: set[int] = set()
    for part in spec.split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text.isdigit() and int(step_text) > 0 else None
        if step_text and step is None:
            raise ValueError(f'bad step in day-of-week "{part}"')
        if span in ("*", "?"):
            lo, hi = 0, 6
        elif "-" in span:
            a, b = span.split("-", 1)
            lo, hi = _weekday(a), _weekday(b)
            if hi == 0 and b.strip() in ("7", "sun"):
                hi = 7
        else:
            lo = _weekday(span)
            hi = 6 if step else lo
        if hi < lo:
            raise ValueError(f'day-of-week range "{span}" runs backwards')
        days.update(d % 7 for d in range(lo, hi + 1, step or 1))
    return ",".join(_CRON_DAYS[d] for d in sorted(days))


def _weekday(token: str) -> int:
    token = token.strip().lower()
    if token.isdigit():
        n = int(token)
        if n > 7:
            raise ValueError(f'day-of-week "{token}" is out of range (0-7, 0 and 7 are Sunday)')
        return n
    if token[:3] in _CRON_DAYS:
        return _CRON_DAYS.index(token[:3])
    raise ValueError(f'unknown day-of-week "{token}"')


# -- placeholders -------------------------------------------------------------------------------
def placeholders_in(text: str) -> list[tuple[str, int]]:
    """(name, offset) of each ``{name}`` in ``text``; other braces are plain text."""
    return [(m.group(1), m.start()) for m in _PLACEHOLDER.finditer(text)]


def render(text: str, values: Mapping[str, str]) -> str:
    """Fill ``{name}`` placeholders; unknown ones stay as written (checked at load time)."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def faq_index(questions: Iterable[str]) -> str:
    """A compact numbered list of FAQ questions, one a line."""
    return "\n".join(f"{i}. {q.strip()}" for i, q in enumerate(questions, 1))


def date_words(when: datetime) -> str:
    """``11月2日 周一``."""
    return f"{when.month}月{when.day}日 {DAY_WORDS[when.weekday()]}"


def job_values(config: Config, questions: Sequence[str], when: datetime, room_topic: str | None) -> dict[str, str]:
    """The placeholder values for one post of a job at ``when`` in one room."""
    return {
        "service_hours": config.hours.summary(),
        "question_template": config.question_template,
        "faq_index": faq_index(questions),
        "date": date_words(when.astimezone(config.tz)),
        "room_topic": room_topic or UNKNOWN_TOPIC,
    }


def render_job(job: Job, config: Config, questions: Sequence[str], when: datetime,
               room_topic: str | None) -> str:
    return render(job.text, job_values(config, questions, when, room_topic)).strip()


# -- loading ------------------------------------------------------------------------------------
def schedule_files(config: Config) -> list[Path]:
    """The schedule files: ``*.yaml``/``*.yml`` directly in the schedules folder (or that one file)."""
    folder = config.schedules_path
    if folder is None or not folder.exists():
        return []
    if folder.is_file():
        return [folder]
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in (".yaml", ".yml"))


def load_schedules(config: Config) -> list[Job]:
    """Every job of every schedule file, or a ConfigError for the first problem found."""
    jobs: list[Job] = []
    seen: dict[str, str] = {}
    for path in schedule_files(config):
        doc = read_yaml(path, "schedule file")
        if doc.data is None:
            continue
        if not isinstance(doc.data, dict):
            raise ConfigError(doc.path, "expected a mapping with a `jobs:` list", 1, 1)
        _check_keys(doc)
        spec: _ScheduleFile = validate(doc, _ScheduleFile)
        for i, job_spec in enumerate(spec.jobs):
            job = _build_job(doc, i, job_spec, config)
            if job.id in seen:
                raise doc.error(["jobs", i, "id"], f'duplicate job id "{job.id}" (first defined at {seen[job.id]})')
            seen[job.id] = job.source
            jobs.append(job)
    return jobs


def _check_keys(doc: YamlDoc) -> None:
    """Unknown keys first, with a did-you-mean: a typo'd ``crn:`` is the problem, not a missing ``cron:``."""
    for key in doc.data:
        if key not in _ScheduleFile.model_fields:
            raise doc.error([key], f"unknown key{did_you_mean(str(key), ['jobs'])}", key=True)
    jobs = doc.data.get("jobs")
    if not isinstance(jobs, list):
        return
    known = list(_JobSpec.model_fields)
    for i, item in enumerate(jobs):
        for key in item if isinstance(item, dict) else ():
            if key not in known:
                raise doc.error(["jobs", i, key], f"unknown key{did_you_mean(str(key), known)}", key=True)


def _build_job(doc: YamlDoc, i: int, spec: _JobSpec, config: Config) -> Job:
    loc: list[str | int] = ["jobs", i]
    try:
        trigger = parse_cron(spec.cron, config.tz)
    except ValueError as exc:
        raise doc.error([*loc, "cron"], f'bad cron "{spec.cron}": {exc}') from None
    if spec.action not in ACTIONS:
        raise doc.error([*loc, "action"], f'unknown action "{spec.action}"{did_you_mean(spec.action, ACTIONS)} '
                                          f"(use {', '.join(ACTIONS)})")
    rooms = _rooms(doc, [*loc, "rooms"], spec.rooms)
    if spec.template is not None and spec.text is not None:
        raise doc.error([*loc, "text"], "give either template: or text:, not both", key=True)
    template: Path | None = None
    if spec.template is not None:
        template = _find_template(doc, [*loc, "template"], spec.template, config)
        text = template.read_text(encoding="utf-8")
        _check_template(template, text, spec.id)
    elif spec.text is not None:
        text = spec.text
        for name, _ in placeholders_in(text):
            if name not in PLACEHOLDERS:
                raise doc.error([*loc, "text"], _unknown_placeholder(name))
    else:
        raise doc.error(loc, "needs template: (a file) or text: (inline)")
    line, _ = doc.locate(loc)
    return Job(id=spec.id, cron=spec.cron, action=spec.action, text=text, rooms=rooms,
               source=f"{doc.path}:{line}", trigger=trigger, template=template)


def _rooms(doc: YamlDoc, loc: list[str | int], value: str | list[str]) -> tuple[str, ...] | None:
    if isinstance(value, str):
        if value.strip().lower() == "all":
            return None
        raise doc.error(loc, f'expected "all" or a list of room ids, got "{value}" (one room: [{value}])')
    rooms = tuple(r.strip() for r in value)
    if not rooms or not all(rooms):
        raise doc.error(loc, "expected at least one room id (or rooms: all)")
    return tuple(dict.fromkeys(rooms))


def _find_template(doc: YamlDoc, loc: list[str | int], rel: str, config: Config) -> Path:
    folder = doc.path.parent
    candidates = [folder / rel, config.base_dir / rel]
    for cand in candidates:
        if cand.is_file():
            return cand
    raise doc.error(loc, f'template file not found: "{rel}" (looked in {folder} and {config.base_dir})')


def _check_template(path: Path, text: str, job_id: str) -> None:
    for name, offset in placeholders_in(text):
        if name not in PLACEHOLDERS:
            line = text.count("\n", 0, offset) + 1
            column = offset - (text.rfind("\n", 0, offset) + 1) + 1
            raise ConfigError(path, f'{_unknown_placeholder(name)} (template of job "{job_id}")', line, column)


def _unknown_placeholder(name: str) -> str:
    known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
    hint = did_you_mean(name, PLACEHOLDERS)
    return f"unknown placeholder {{{name}}}{hint} (known: {known})"
