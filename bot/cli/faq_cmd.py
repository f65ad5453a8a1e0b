"""``qunbot faq check|ask|match|eval``: operators try their FAQ before members do."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from bot.faq import load_faq
from bot.faq.index import FaqIndex, MatchResult

FAQ_FILE = click.Path(dir_okay=False, path_type=Path)
BOT_NAME = click.option("--bot-name", help="The bot's nickname in the groups (config bot.name), so an @mention "
                        "of it is told apart from one of a member, exactly as the running bot does.")


def _index(path: Path, bot_name: str | None = None) -> FaqIndex:
    from bot.faq.matcher import build_index

    return build_index(load_faq(path), bot_names=(bot_name,) if bot_name else ())


@click.group("faq")
def faq_group() -> None:
    """Check an FAQ file and see how the bot would answer."""


@faq_group.command("check")
@click.argument("faq", type=FAQ_FILE)
@BOT_NAME
def check(faq: Path, bot_name: str | None) -> None:
    """Validate FAQ and flag entries that answer each other's questions."""
    index = _index(faq, bot_name)
    entries = index.faq.entries
    phrasings = sum(len(e.phrasings) for e in entries)
    overlaps = []
    for entry in entries:
        for text in entry.phrasings:
            result = index.match(text, addressed=True)
            if result.action == "answer" and result.entry is not None and result.entry.id != entry.id:
                overlaps.append(f'  "{text}" ({entry.id}) is answered by {result.entry.id}')
    click.echo(f"{faq}: OK, {len(entries)} entries, {phrasings} phrasings, "
               f"{len(index.faq.synonyms)} synonym groups")
    if overlaps:
        click.echo(f"{len(overlaps)} phrasing(s) land on another entry; consider rewording:")
        for line in overlaps:
            click.echo(line)


def explain(text: str, result: MatchResult) -> str:
    """The decision in words an operator reads."""
    covered = "" if result.coverage is None else f"   coverage {result.coverage:.0%}"
    lines = [f"message:  {text}", f"decision: {result.action}   score {result.score:.2f}   "
             f"margin {result.margin:.2f}{covered}"]
    if result.action == "answer" and result.entry:
        lines.append(f"answers:  {result.entry.id}: {result.entry.question}")
    elif result.action == "suggest":
        offers = " | ".join(f"{i}. {e.question}" for i, e in enumerate(result.suggestions, 1))
        lines.append(f"offers:   {offers}")
    if result.closest:
        lines.append("meaning:  " + " | ".join(f"{e.id} {cos:.3f}" for e, cos in result.closest))
    if result.confidence is not None:
        bound = "at most " if result.evidence is not None and "keep" not in result.evidence else ""
        lines.append(f"likely:   the first choice is right with probability {bound}{result.confidence:.2f} "
                     "(answer model)")
    lines.append(f"why:      {result.reason or '-'}")
    if result.candidates:
        lines.append("top 3:")
        for i, cand in enumerate(result.candidates[:3], 1):
            lines.append(f"  {i}. {cand.score:.2f}  {cand.entry.id}: {cand.entry.question}")
    return "\n".join(lines)


@faq_group.command("ask")
@click.argument("faq", type=FAQ_FILE)
@click.argument("text")
@click.option("--mention", is_flag=True, help="Treat the message as @mentioning the bot.")
@click.option("--json", "as_json", is_flag=True, help="Print the decision as a JSON line.")
@BOT_NAME
def ask(faq: Path, text: str, mention: bool, as_json: bool, bot_name: str | None) -> None:
    """Show what the bot would do with one message TEXT: decision, score and the top 3."""
    result = _index(faq, bot_name).match(text, addressed=mention)
    if as_json:
        click.echo(json.dumps(result.to_record(text), ensure_ascii=False))
    else:
        click.echo(explain(text, result))


@faq_group.command("match")
@click.option("--faq", "faq", type=FAQ_FILE, required=True)
@BOT_NAME
def match(faq: Path, bot_name: str | None) -> None:
    """Read JSON lines with "text" from stdin; print one decision line per input line."""
    index = _index(faq, bot_name)
    bad = 0
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            text = record["text"]
            if not isinstance(text, str):
                raise TypeError("text is not a string")
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            bad += 1
            click.echo(f"qunbot: stdin line {number}: skipped, needs a JSON object with \"text\" ({exc})",
                       err=True)
            out = {"text": None, "action": "none", "entry": None, "score": 0.0, "suggestions": [],
                   "error": f"line {number}: bad input"}
        else:
            out = index.match(text).to_record(text)
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    if bad:
        sys.exit(1)


def read_queries(path: Path) -> list[dict]:
    """Labelled query lines; a bad line is an error naming its number."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: bad JSON ({exc.msg})") from None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str) or \
                row.get("kind") not in ("paraphrase", "chitchat", "unknown"):
            raise ValueError(f'{path}:{number}: needs "text" and "kind" (paraphrase|chitchat|unknown)')
        rows.append(row)
    return rows


@faq_group.command("eval")
@click.option("--faq", "faq", type=FAQ_FILE, required=True)
@click.option("--queries", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="JSON lines: {text, expect: entry id or null, kind: paraphrase|chitchat|unknown}.")
@click.option("--json", "as_json", is_flag=True)
@BOT_NAME
def evaluate_cmd(faq: Path, queries: Path, as_json: bool, bot_name: str | None) -> None:
    """Score the FAQ on labelled messages and list the misses by kind."""
    from bot.faq.eval import evaluate

    report = evaluate(_index(faq, bot_name), read_queries(queries))
    click.echo(json.dumps(report.to_dict(), ensure_ascii=False) if as_json else report.to_text())


@faq_group.command("suggest")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--db", "db_url", help="SQLAlchemy URL (default: the config's database).")
@click.option("--since", help="Only questions asked from this date (YYYY-MM-DD) on.")
@click.option("--top", type=click.IntRange(min=1), default=5, show_default=True,
              help="How many of the biggest groups of unanswered questions.")
def suggest(config_path: Path, db_url: str | None, since: str | None, top: int) -> None:
    """Print faq.yaml stubs for the most asked unanswered questions (fill in the answers)."""
    from bot.cli.unanswered_cmd import load_groups
    from bot.config import load_config
    from bot.unanswered import faq_stubs

    click.echo(faq_stubs(load_groups(load_config(config_path), db_url, since, top)), nl=False)
