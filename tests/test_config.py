"""Configuration and token loading: every mistake is one clear line naming the file and key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config, load_token

GOOD_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_is_valid() -> None:
    """config.example.toml loads as it ships."""
    config = load_config(Path(__file__).resolve().parents[1] / "config.example.toml")
    assert config.answers.cooldown_seconds >= 0


def test_defaults_without_a_file() -> None:
    """No config file means the defaults: database in the working directory, Discord's own endpoints."""
    config = load_config(None)
    assert config.bot.database == Path("studio-mentor.db")
    assert config.discord.api_base == ""


def test_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    """A relative database path, or none, lands beside the config file, not in the working directory."""
    assert load_config(write(tmp_path, "[discord]\n")).bot.database == tmp_path.resolve() / "studio-mentor.db"
    config = load_config(write(tmp_path, '[bot]\ndatabase = "data/mentor.db"\nknowledge_dir = "kb"\n'))
    assert config.bot.database == tmp_path.resolve() / "data" / "mentor.db"
    assert config.bot.knowledge_dir == tmp_path.resolve() / "kb"


def test_values_are_converted(tmp_path: Path) -> None:
    """Lists of ids become tuples; log levels are upper-cased; URLs lose a trailing slash."""
    config = load_config(
        write(
            tmp_path,
            '[discord]\napi_base = "http://127.0.0.1:9/api/v10/"\ndev_guild_ids = [1, 2]\n'
            '[bot]\nlog_level = "debug"\n[answers]\nhelp_channel_ids = [7]\ncooldown_seconds = 0\n',
        )
    )
    assert config.discord.api_base == "http://127.0.0.1:9/api/v10"
    assert config.discord.dev_guild_ids == (1, 2)
    assert config.bot.log_level == "DEBUG"
    assert config.answers.help_channel_ids == (7,)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[discord\n", "invalid TOML"),
        ("[voice]\nx = 1\n", "unknown section [voice]"),
        ("[discord]\napibase = 'x'\n", "[discord] apibase: unknown key"),
        (
            "[answers]\ncooldown_seconds = 'ten'\n",
            "[answers] cooldown_seconds: expected an integer, got a string",
        ),
        ("[answers]\ncooldown_seconds = -1\n", "[answers] cooldown_seconds: must be between 0 and 3600"),
        ("[answers]\ncooldown_seconds = 5000\n", "[answers] cooldown_seconds: must be between 0 and 3600"),
        ("[discord]\nguild_ready_timeout = nan\n", "[discord] guild_ready_timeout: must be a finite number"),
        ("[discord]\nguild_ready_timeout = inf\n", "[discord] guild_ready_timeout: must be a finite number"),
        ("[discord]\nguild_ready_timeout = 600\n", "[discord] guild_ready_timeout: must be between 0 and 60"),
        ("[answers]\nhelp_channel_ids = [1, 'x']\n", "[answers] help_channel_ids: item 2 ('x') is not an id"),
        ("[answers]\nhelp_channel_ids = [1, 0]\n", "[answers] help_channel_ids: item 2 (0) is not an id"),
        (
            "[answers]\ncooldown_seconds = true\n",
            "[answers] cooldown_seconds: expected an integer, got a boolean",
        ),
        ("[discord]\ndev_guild_ids = ['123']\n", "[discord] dev_guild_ids: item 1 ('123') is not an id"),
        (
            "[discord]\ngateway_url = 'localhost:80'\n",
            "[discord] gateway_url: expected an http(s):// or ws(s):// URL",
        ),
        ("[bot]\nlog_level = 'LOUD'\n", "[bot] log_level: expected one of"),
        ("[bot]\ndatabase = 5\n", "[bot] database: expected a file path (string), got an integer"),
        ("discord = 1\n", "[discord] must be a table"),
    ],
)
def test_config_errors_name_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    """Each kind of mistake is reported with the file and the key."""
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(str(path))
    assert message in str(info.value)


def test_unreadable_config(tmp_path: Path) -> None:
    """A missing or non-UTF-8 file is a config error, not a traceback."""
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"\xff\xfe[discord]")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(bad)


def test_token_from_environment_or_file(tmp_path: Path) -> None:
    """The token comes from DISCORD_TOKEN, or the file named by DISCORD_TOKEN_FILE, and never shows in a repr."""
    token = load_token({"DISCORD_TOKEN": f"  {GOOD_TOKEN}\n"})
    assert token.reveal() == GOOD_TOKEN
    assert GOOD_TOKEN not in repr(token) and GOOD_TOKEN not in str(token)
    secret = tmp_path / "token"
    secret.write_text(GOOD_TOKEN + "\n", encoding="utf-8")
    assert load_token({"DISCORD_TOKEN_FILE": str(secret)}).reveal() == GOOD_TOKEN


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "DISCORD_TOKEN: not set"),
        ({"DISCORD_TOKEN": "   "}, "DISCORD_TOKEN: not set"),
        ({"DISCORD_TOKEN": "hunter2"}, "DISCORD_TOKEN: does not look like a bot token"),
        (
            {"DISCORD_TOKEN_FILE": "/nonexistent/token"},
            "DISCORD_TOKEN_FILE (/nonexistent/token): cannot read",
        ),
    ],
)
def test_token_errors(env: dict[str, str], message: str) -> None:
    """A missing or malformed token is one clear line that never repeats the value."""
    with pytest.raises(ConfigError) as info:
        load_token(env)
    assert str(info.value).startswith(message)
    assert "hunter2" not in str(info.value)


def test_empty_token_file_is_named(tmp_path: Path) -> None:
    """An empty DISCORD_TOKEN_FILE names that file, not DISCORD_TOKEN."""
    empty = tmp_path / "token"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_token({"DISCORD_TOKEN_FILE": str(empty)})
    assert (
        str(info.value) == f"DISCORD_TOKEN_FILE ({empty}): the token file is empty; put the bot token in it"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[privacy]\nquestion_log_days = 0\n",
            "[privacy] question_log_days: must be between 1 and 3650, got 0",
        ),
        ("[privacy]\nquestion_log_days = 1.5\n", "[privacy] question_log_days: expected an integer"),
        (
            "[privacy]\nremoved_server_days = -1\n",
            "[privacy] removed_server_days: must be between 0 and 3650",
        ),
        ("[privacy]\nremoved_server_days = inf\n", "[privacy] removed_server_days: expected an integer"),
    ],
)
def test_privacy_periods_are_checked(tmp_path: Path, text: str, message: str) -> None:
    """Retention periods outside their range are refused with file and key."""
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(path)


def test_privacy_defaults_and_values(tmp_path: Path) -> None:
    """Question log kept 90 days and removed servers 30 by default; the file can change both."""
    assert (load_config(None).privacy.question_log_days, load_config(None).privacy.removed_server_days) == (
        90,
        30,
    )
    config = load_config(write(tmp_path, "[privacy]\nquestion_log_days = 7\nremoved_server_days = 0\n"))
    assert (config.privacy.question_log_days, config.privacy.removed_server_days) == (7, 0)
