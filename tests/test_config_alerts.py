"""The [alerts] config section: defaults, validation with a clear message, secrecy."""

import pytest

from hedgetui.config import ConfigError, load_config
from hedgetui.config.model import AlertsConfig


def write(tmp_path, text):
    path = tmp_path / "config.toml"
    path.write_text('[[accounts]]\nname = "p"\nexchange = "paper"\n\n' + text)
    return path


def test_defaults_when_the_section_is_absent(tmp_path):
    cfg = load_config(write(tmp_path, ""), env={})
    assert cfg.alerts == AlertsConfig()
    assert cfg.alerts.log_file is None and cfg.alerts.desktop is True
    assert cfg.alerts.webhook_url is None and cfg.alerts.allow_live_auto is False


def test_values_and_env_override(tmp_path):
    path = write(
        tmp_path,
        '[alerts]\nlog_file = "alerts.jsonl"\nwebhook_url = "https://hooks.example.com/T0/SECRET"\n'
        "webhook_timeout = 2.5\nallow_live_auto = true\n",
    )
    cfg = load_config(path, env={"HEDGETUI_ALERTS__DESKTOP": "false"})
    a = cfg.alerts
    assert a.log_file == "alerts.jsonl" and a.webhook_timeout == 2.5 and a.allow_live_auto
    assert a.desktop is False
    assert a.webhook_url.get_secret_value() == "https://hooks.example.com/T0/SECRET"
    assert "SECRET" not in repr(cfg) and "SECRET" not in str(a)


@pytest.mark.parametrize(
    "line, words",
    [
        ('webhook_url = "ftp://x.example.com/TOKEN123"', ["alerts.webhook_url", "http"]),
        ('webhook_url = "hooks.example.com"', ["webhook_url", "https://"]),
        ("webhook_timeout = 0", ["webhook_timeout"]),
        ('desktop = "maybe"', ["desktop"]),
        ("sound = true", ["sound"]),
    ],
)
def test_bad_values_name_the_key(tmp_path, line, words):
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, f"[alerts]\n{line}\n"), env={})
    text = str(err.value)
    for word in words:
        assert word in text
    assert "TOKEN123" not in text  # a webhook URL's token is never echoed
