"""The ``qunbot`` command line (click). Each command group lives in its own module."""

from __future__ import annotations

import logging
import sys
from typing import Any

import click
from sqlalchemy.exc import SQLAlchemyError

from bot.yamlfile import ConfigError


class QunbotGroup(click.Group):
    """Turns known errors into one readable line and a non-zero exit, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            click.echo(f"qunbot: error: {exc}", err=True)
            sys.exit(2)
        except (OSError, ValueError) as exc:
            click.echo(f"qunbot: error: {exc}", err=True)
            sys.exit(2)
        except SQLAlchemyError as exc:  # a bad --db URL, an unreachable server, a locked file...
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            click.echo(f"qunbot: error: database: {first}", err=True)
            sys.exit(2)


@click.group(cls=QunbotGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
def main(verbose: int) -> None:
    """qunbot: the WeChat group assistant operators trust to run their groups hands-off."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("jieba").setLevel(logging.ERROR)


def _register() -> None:
    from bot.cli.demo_cmd import demo_command
    from bot.cli.digest_cmd import digest_command
    from bot.cli.faq_cmd import faq_group
    from bot.cli.replay_cmd import replay_command
    from bot.cli.run_cmd import run_command
    from bot.cli.schedule_cmd import schedule_group
    from bot.cli.unanswered_cmd import unanswered_command

    main.add_command(faq_group)
    main.add_command(replay_command)
    main.add_command(demo_command)
    main.add_command(digest_command)
    main.add_command(schedule_group)
    main.add_command(unanswered_command)
    main.add_command(run_command)


_register()
