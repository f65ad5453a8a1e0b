"""``qunbot run --config config.yaml``: the bot live on a Wechaty puppet service.

The service is reached with ``WECHATY_PUPPET_SERVICE_ENDPOINT`` (host:port) and
``WECHATY_PUPPET_SERVICE_TOKEN``, read from the environment only: never from a file, never logged.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.yamlfile import ConfigError

if TYPE_CHECKING:  # the SDK import is slow: only when the command runs
    from bot.config import Config
    from bot.runner import RunOptions

TOKEN_VAR = "WECHATY_PUPPET_SERVICE_TOKEN"
ENDPOINT_VAR = "WECHATY_PUPPET_SERVICE_ENDPOINT"
NO_SERVICE = (f"qunbot: error: set {TOKEN_VAR} and {ENDPOINT_VAR} (host:port) in the environment; "
              "both come from a Wechaty puppet service: a provider's token and gateway address, "
              "or your own wechaty-puppet-service gateway")


def _fail(message: str, code: int = 2) -> None:
    click.echo(message, err=True)
    sys.exit(code)


@click.command("run")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The bot's config.yaml.")
@click.option("--db", "db_url", help="SQLAlchemy URL (default: the config's database).")
@click.option("--login-timeout", type=click.FloatRange(min=1), default=300.0, show_default=True,
              help="Seconds to wait for the account to log in (a QR scan may be needed).")
@click.option("--ready-timeout", type=click.FloatRange(min=1), default=60.0, show_default=True,
              help="Seconds to wait for the puppet to be ready after login.")
def run_command(config_path: Path, db_url: str | None, login_timeout: float, ready_timeout: float) -> None:
    """Run the bot live on WeChat through a Wechaty puppet service (until Ctrl-C / SIGTERM)."""
    token = os.environ.get(TOKEN_VAR, "").strip()
    endpoint = os.environ.get(ENDPOINT_VAR, "").strip()
    if not token or not endpoint:
        _fail(NO_SERVICE)
    try:
        from bot.config import load_config

        config = load_config(config_path)
    except ConfigError as exc:
        _fail(f"qunbot: error: {exc}")
    _quiet_logging()
    from bot.runner import RunOptions, StartupError

    options = RunOptions(login_timeout=login_timeout, ready_timeout=ready_timeout)
    try:
        asyncio.run(_main(config, endpoint, token, options, db_url))
    except StartupError as exc:  # servers echo a wrong token in their error: never print it
        _fail(f"qunbot: error: {str(exc).replace(token, '***')}", 1)
    except KeyboardInterrupt:  # a second Ctrl-C during shutdown
        _fail("qunbot: interrupted", 130)


async def _main(config: Config, endpoint: str, token: str, options: RunOptions, db_url: str | None) -> None:
    from bot.runner import run_live

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await run_live(config, endpoint, token, options, db_url=db_url, stop=stop)


def _quiet_logging() -> None:
    """The run's own key=value lines at INFO even without -v; the SDK's chatter stays quiet."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    for name in ("qunbot.run", "qunbot.wechaty"):
        lg = logging.getLogger(name)
        if lg.getEffectiveLevel() > logging.INFO:
            lg.setLevel(logging.INFO)
