"""The runner and the gRPC puppet fixes, without a puppet server: CLI checks, start-up errors, redaction."""

from __future__ import annotations

import asyncio
import logging
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli.run_cmd import run_command
from bot.config import load_config
from bot.runner import RedactFilter, Runner, RunOptions, StartupError, install_redaction, kv, service_puppet_factory
from bot.wechaty_adapter import (
    FixedPuppetService,
    MessageIdCache,
    _AnnounceResponse,
    _TopicResponse,
    announce_request,
    topic_request,
)
from tests.fake_puppet import FakePuppet, sdk_clean  # noqa: F401 - autouse: clears the SDK's caches

CONFIG = "bot:\n  name: 小助手\nfaq: faq.yaml\nschedules: null\ndatabase: sqlite:///bot.db\n"
FAQ = "entries:\n  - id: a\n    question: 怎么开发票？\n    answer: 在订单里申请。\n"


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    (tmp_path / "faq.yaml").write_text(FAQ, encoding="utf-8")
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- the command line ----------------------------------------------------------------------------
@pytest.mark.parametrize("env", [{}, {"WECHATY_PUPPET_SERVICE_ENDPOINT": "127.0.0.1:1"},
                                 {"WECHATY_PUPPET_SERVICE_TOKEN": "t"}])
def test_run_without_service_env_fails_at_once_naming_both(config_path: Path, env: dict[str, str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("WECHATY_PUPPET_SERVICE_TOKEN", "WECHATY_PUPPET_SERVICE_ENDPOINT"):
        monkeypatch.delenv(var, raising=False)
    result = CliRunner().invoke(run_command, ["--config", str(config_path)], env=env)
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert "WECHATY_PUPPET_SERVICE_TOKEN" in lines[0] and "WECHATY_PUPPET_SERVICE_ENDPOINT" in lines[0]
    assert "puppet service" in lines[0]


def test_run_with_unreachable_service_fails_clearly_without_leaking_the_token(
        config_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "tok-SECRET-123456"
    env = {"WECHATY_PUPPET_SERVICE_TOKEN": secret,
           "WECHATY_PUPPET_SERVICE_ENDPOINT": f"127.0.0.1:{closed_port()}"}
    result = CliRunner().invoke(run_command, ["--config", str(config_path), "--login-timeout", "10"], env=env)
    assert result.exit_code == 1, result.output
    assert "could not start the puppet" in result.output
    assert secret not in result.output and "SECRET" not in result.output


def test_run_is_importable_for_the_cli_group() -> None:
    from bot.cli import main

    assert "run" in main.commands


# -- start-up watching ---------------------------------------------------------------------------
class SilentPuppet(FakePuppet):
    """Connects but never logs in (an account waiting for a QR scan)."""

    async def start(self) -> None:
        self.starts += 1
        await asyncio.Event().wait()


def test_login_timeout_is_a_clear_startup_error(config_path: Path) -> None:
    async def main() -> None:
        runner = Runner.create(load_config(config_path), SilentPuppet,
                               RunOptions(login_timeout=0.3, ready_timeout=0.3))
        with pytest.raises(StartupError, match=r"not logged in within 0.3 s"):
            await asyncio.wait_for(runner.run(asyncio.Event()), 10)
    asyncio.run(main())


def test_unreachable_service_is_a_startup_error(config_path: Path) -> None:
    async def main() -> None:
        factory = service_puppet_factory(f"127.0.0.1:{closed_port()}", "token")
        runner = Runner.create(load_config(config_path), factory, RunOptions(login_timeout=10))
        with pytest.raises(StartupError, match="could not start the puppet"):
            await asyncio.wait_for(runner.run(asyncio.Event()), 15)
    asyncio.run(main())


def test_stop_during_login_wait_returns_quietly(config_path: Path) -> None:
    async def main() -> None:
        runner = Runner.create(load_config(config_path), SilentPuppet, RunOptions(login_timeout=30))
        stop = asyncio.Event()
        task = asyncio.create_task(runner.run(stop))
        await asyncio.sleep(0.2)
        stop.set()
        await asyncio.wait_for(task, 10)
    asyncio.run(main())


# -- gRPC protocol fixes (checked against the Node server in test_e2e_grpc) -----------------------
def test_announce_and_topic_requests_carry_old_and_new_fields() -> None:
    # field 1 id, field 2 StringValue{1: text} (old servers), field 3 plain string (puppet-service 1.x)
    text = "公告".encode()
    assert bytes(announce_request("r", "公告")) == b"\n\x01r\x12\x08\n\x06" + text + b"\x1a\x06" + text
    assert bytes(announce_request("r", None)) == b"\n\x01r"  # a read sends neither
    assert bytes(topic_request("r", "名")) == b"\n\x01r\x12\x05\n\x03" + "名".encode() + b"\x1a\x03" + "名".encode()


def test_responses_are_read_from_either_field() -> None:
    assert _AnnounceResponse().parse(b"\x12\x02ok").text == "ok"  # new servers: field 2
    assert _AnnounceResponse().parse(b"\x0a\x04\x0a\x02ok").text_deprecated == "ok"  # old: field 1
    assert _TopicResponse().parse(b"\x12\x02ok").topic == "ok"


def test_service_puppet_listens_for_the_heartbeat_it_emits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WECHATY_PUPPET_SERVICE_TOKEN", "env-secret")
    puppet = FixedPuppetService("127.0.0.1:1", "tok")
    assert puppet.options.token == "tok" and puppet.options.end_point == "127.0.0.1:1"
    puppet.on("heart-beat", lambda payload: None)
    assert puppet.listener_count("heartbeat") == 1 and puppet.listener_count("heart-beat") == 1


def test_service_puppet_construction_logs_no_token(monkeypatch: pytest.MonkeyPatch) -> None:
    records: list[str] = []

    class Catch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    sdk_log = logging.getLogger("PuppetService")
    handler = Catch()
    sdk_log.addHandler(handler)
    monkeypatch.setenv("WECHATY_PUPPET_SERVICE_TOKEN", "env-secret")
    try:
        FixedPuppetService("127.0.0.1:1", "tok-secret")
    finally:
        sdk_log.removeHandler(handler)
    assert not any("secret" in r for r in records)


# -- small parts ---------------------------------------------------------------------------------
def test_redaction_filter_hides_the_secret_in_messages_and_tracebacks() -> None:
    flt = RedactFilter("s3cr3t")
    try:
        raise ValueError("bad token s3cr3t")
    except ValueError:
        import sys

        rec = logging.LogRecord("x", logging.ERROR, __file__, 1, "token=%s", ("s3cr3t",), sys.exc_info())
    assert flt.filter(rec)
    assert rec.getMessage() == "token=***" and "s3cr3t" not in (rec.exc_text or "")
    install_redaction("s3cr3t")  # idempotent, touches every handler
    install_redaction("s3cr3t")


def test_message_id_cache_is_bounded_lru() -> None:
    cache = MessageIdCache(size=3)
    assert [cache.seen(i) for i in "abc"] == [False, False, False]
    assert cache.seen("a")  # refreshes a
    assert not cache.seen("d")  # evicts b
    assert len(cache) == 3 and not cache.seen("b") and cache.seen("a")


def test_kv_quotes_values_with_spaces() -> None:
    assert kv("send_failed", kind="say", error="ConnectionError: boom", job=None) == \
        'event=send_failed kind=say error="ConnectionError: boom"'
