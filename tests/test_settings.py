"""A wrong setting stops start-up with one line that names the variable."""

import pytest

from bot.settings import SettingsError, load_settings


@pytest.mark.parametrize("name, value", [
    ("SHUOSHI_TIMEZONE", "Mars/Olympus"),
    ("SHUOSHI_ADMIN_IDS", "12,abc"),
    ("SHUOSHI_BOT_TOKEN", "no-colon"),
    ("SHUOSHI_TELEGRAM_BASE_URL", "ftp://x"),
    ("SHUOSHI_WEBHOOK_PORT", "99999"),
])
def test_bad_value_names_the_variable(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    message = str(error.value)
    assert name in message and "\n" not in message


def test_defaults_and_parsing(monkeypatch):
    monkeypatch.setenv("SHUOSHI_ADMIN_IDS", "1, 2,3")
    monkeypatch.setenv("SHUOSHI_TELEGRAM_BASE_URL", "http://127.0.0.1:8081/")
    settings = load_settings()
    assert settings.admin_ids == [1, 2, 3]
    assert settings.telegram_base_url == "http://127.0.0.1:8081/bot"
    assert str(settings.db_path) == "data/shuoshi.db"
    assert settings.timezone == "Asia/Shanghai" and settings.bot_token is None


def test_cli_prints_one_line(monkeypatch, capsys):
    from handlers.cli import main

    monkeypatch.setenv("SHUOSHI_TIMEZONE", "Nowhere")
    assert main(["roster", "export"]) == 2
    assert capsys.readouterr().err.strip().count("\n") == 0
