"""Bad config and FAQ files: one line naming file, line, column, key and problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_config
from bot.faq import load_faq
from bot.yamlfile import ConfigError
from tests.conftest import CONFIG_YAML, FAQ_YAML

CONFIG_CASES = {
    "unknown key": (CONFIG_YAML.replace("timezone:", "timezon:"),
                    'config.yaml:3:1: timezon: unknown key (did you mean "timezone"?)'),
    "unknown nested key": (CONFIG_YAML.replace("jitter_seconds", "jiter_seconds"),
                           'config.yaml:13:3: outbox.jiter_seconds: unknown key (did you mean "jitter_seconds"?)'),
    "wrong type": (CONFIG_YAML.replace("operators: [wxid_op]", "operators: 5"),
                   "config.yaml:7:12: operators: expected a list, got int"),
    "bad time range": (CONFIG_YAML.replace('"09:00-18:00"', '"18:00-09:00"'),
                       'config.yaml:9:12: service_hours.mon-fri: bad time range "18:00-09:00" '
                       "(the end must be after the start)"),
    "overlapping ranges": (CONFIG_YAML.replace('"10:00-12:00, 14:00-17:00"', '"10:00-12:00, 11:00-17:00"'),
                           'config.yaml:10:8: service_hours.sat: time ranges "10:00-12:00" and '
                           '"11:00-17:00" overlap'),
    "unknown day": (CONFIG_YAML.replace("sat:", "satday:"),
                    'config.yaml:10:3: service_hours.satday: unknown day "satday" (use mon, tue, wed, '
                    'thu, fri, sat, sun, or mon-fri) (did you mean "sat"?)'),
    "bad closed date": (CONFIG_YAML.replace('"2026-10-01"', '"2026-13-01"'),
                        'config.yaml:11:12: service_hours.closed[0]: expected a date like 2026-10-01, '
                        'got "2026-13-01"'),
    "unknown timezone": (CONFIG_YAML.replace("Asia/Shanghai", "Asia/Beijing"),
                         'config.yaml:3:11: timezone: unknown timezone "Asia/Beijing" '
                         "(use an IANA name like Asia/Shanghai)"),
    "missing key": (CONFIG_YAML.replace("  name: 小助手\n", "  nickname_template: x\n"),
                    "config.yaml:2:3: bot.name: missing required key"),
    "duplicate key": (CONFIG_YAML + "timezone: UTC\n",
                      "config.yaml:14:1: timezone: duplicate key (first at line 3)"),
    "yaml syntax": (CONFIG_YAML.replace("operators: [wxid_op]", "operators: [wxid_op"),
                    "config.yaml:8:14: YAML syntax error: expected ',' or ']', but got ':'"),
    "bad digest time": (CONFIG_YAML + 'digest:\n  time: "25:00"\n',
                        'config.yaml:15:9: digest.time: bad time "25:00" (expected HH:MM, e.g. 21:00)'),
}

FAQ_CASES = {
    "duplicate id": (FAQ_YAML.replace("id: refund", "id: invoice"),
                     'faq.yaml:7:9: entries[1].id: duplicate FAQ id "invoice" (first used by entry #1)'),
    "empty answer": (FAQ_YAML.replace("answer: 下单后 48 小时内发货，节假日顺延。", 'answer: ""'),
                     "faq.yaml:15:13: entries[2].answer: empty answer"),
    "unknown entry key": (FAQ_YAML.replace("similar: [年卡价格", "simlar: [年卡价格"),
                          'faq.yaml:24:5: entries[4].simlar: unknown key (did you mean "similar"?)'),
    "misspelt top key": ("entires:\n" + FAQ_YAML.split("\n", 1)[1],
                         'faq.yaml:1:1: entires: unknown key (did you mean "entries"?)'),
    "no entries": ("entries: []\n", "faq.yaml:1:10: entries: no entries: add at least one question and answer"),
    "entries not a list": ("entries: hello\n", 'faq.yaml:1:10: entries: expected a list, got "hello"'),
    "number as text": (FAQ_YAML.replace("similar: [年卡价格", "similar: [12123, 年卡价格"),
                       'faq.yaml:24:15: entries[4].similar[0]: expected text, got 12123, which YAML reads as a number: '
                       'put it in quotes ("12123")'),
    "yes as text": (FAQ_YAML.replace("tags: [会员]", "tags: [会员, yes]", 1),
                    'faq.yaml:26:16: entries[4].tags[1]: expected text, got yes, which YAML reads as true or false: '
                    'put it in quotes ("yes")'),
}


def _relative(error: ConfigError, folder: Path) -> str:
    return str(error).replace(f"{folder}/", "")


@pytest.mark.parametrize("case", sorted(CONFIG_CASES))
def test_bad_config_names_file_line_key_and_problem(case, community, tmp_path):
    text, expected = CONFIG_CASES[case]
    path = community(config=text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert _relative(info.value, tmp_path) == expected


@pytest.mark.parametrize("case", sorted(FAQ_CASES))
def test_bad_faq_names_file_line_key_and_problem(case, tmp_path):
    text, expected = FAQ_CASES[case]
    path = tmp_path / "faq.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_faq(path)
    assert _relative(info.value, tmp_path) == expected


def test_missing_faq_file_is_named(community, tmp_path):
    path = community(config=CONFIG_YAML.replace("faq: faq.yaml", "faq: faqs.yaml"))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert _relative(info.value, tmp_path) == "config.yaml:5:6: faq: FAQ file not found: faqs.yaml"


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")


def test_the_bench_faqs_load_as_they_are():
    bench = Path(__file__).resolve().parents[2] / "shared" / "faq-bench"
    if not bench.is_dir():
        pytest.skip("../shared/faq-bench not beside the checkout")
    assert len(load_faq(bench / "faq_course.yaml")) == 40
    assert len(load_faq(bench / "faq_shop.yaml")) == 35


def test_valid_config_resolves_paths_and_hours(community, tmp_path):
    config = load_config(community())
    assert config.faq_path == tmp_path / "faq.yaml"
    assert config.database_url() == f"sqlite:///{tmp_path.resolve()}/bot.db"
    assert config.hours.summary() == "周一至周五 09:00-18:00；周六 10:00-12:00、14:00-17:00"
