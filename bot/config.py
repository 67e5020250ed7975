"""The bot's configuration: one frozen, typed object, validated once at start-up.

Every problem is a ConfigError whose message names the file, the key and what is wrong, so `studio-mentor run`
can print one line and exit 2 before it touches the network. The token never lives in the TOML file: it comes
from DISCORD_TOKEN or the file named by DISCORD_TOKEN_FILE, and it is kept out of every repr.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from datetime import time, timedelta
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_CONFIG_NAME = "config.toml"
DEFAULT_DATABASE_NAME = "studio-mentor.db"
COOLDOWN_MAX = 3600  # seconds; /mentor settings accepts the same range
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# A bot token is three base64url parts joined by dots; checking the shape catches a pasted client secret or
# a stray newline before Discord answers 401.
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_\-]{20,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{20,}$")


class ConfigError(Exception):
    """A configuration problem, worded for the server owner (file, key, what is wrong)."""


@dataclass(frozen=True, slots=True)
class DiscordSettings:
    """[discord]: where to reach Discord and how to sync commands."""

    api_base: str = field(
        default="", metadata={"url": True}
    )  # e.g. "http://127.0.0.1:8080/api/v10" for an HTTP proxy; "" is Discord itself
    gateway_url: str = field(
        default="", metadata={"url": True}
    )  # e.g. "ws://127.0.0.1:8080/gateway"; "" is Discord's own gateway
    dev_guild_ids: tuple[int, ...] = ()  # servers whose slash commands are synced at every start
    guild_ready_timeout: float = field(
        default=2.0, metadata={"min": 0, "max": 60}
    )  # seconds discord.py waits for server data before on_ready
    max_ratelimit_wait: float = field(
        default=30.0, metadata={"min": 0, "max": 3600}
    )  # longest rate-limit sleep before a send is given up and retried later
    connect_timeout: float = field(
        default=30.0, metadata={"min": 1, "max": 600}
    )  # seconds to wait for Discord to answer the login at start before giving up (exit 2)


@dataclass(frozen=True, slots=True)
class BotSettings:
    """[bot]: files and logging."""

    database: Path = Path(DEFAULT_DATABASE_NAME)
    knowledge_dir: Path | None = None  # None: the knowledge base bundled with the package
    log_level: str = field(default="INFO", metadata={"choices": LOG_LEVELS})


@dataclass(frozen=True, slots=True)
class AnswerSettings:
    """[answers]: defaults for answering in channels; each server can override them with /mentor settings."""

    cooldown_seconds: int = field(
        default=30, metadata={"min": 0, "max": COOLDOWN_MAX}
    )  # per member, for channel answers (slash commands are never throttled)
    help_channel_ids: tuple[int, ...] = ()  # channels answered in every server that has set none of its own


@dataclass(frozen=True, slots=True)
class PrivacySettings:
    """[privacy]: how long the bot keeps what it stores (README: "What the bot stores")."""

    question_log_days: int = field(
        default=90, metadata={"min": 1, "max": 3650}
    )  # logged questions and answer votes older than this are deleted by a daily job
    removed_server_days: int = field(
        default=30, metadata={"min": 0, "max": 3650}
    )  # a server's data is deleted this long after the bot was removed from it (unless it comes back)


@dataclass(frozen=True, slots=True)
class LearningSettings:
    """[learning]: scheduled continuous-learning prompts."""

    catch_up_hours: float = field(
        default=6.0, metadata={"min": 0, "max": 168}
    )  # prompts missed while the bot was down are still sent if due at most this long ago, else skipped
    max_sends_per_second: float = field(
        default=20.0, metadata={"min": 0.1, "max": 45}
    )  # requests per second for scheduled sends; Discord allows 50 in all, commands need the rest


@dataclass(frozen=True, slots=True)
class Config:
    """The whole validated configuration."""

    discord: DiscordSettings = field(default_factory=DiscordSettings)
    bot: BotSettings = field(default_factory=BotSettings)
    answers: AnswerSettings = field(default_factory=AnswerSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    learning: LearningSettings = field(default_factory=LearningSettings)
    source: Path | None = None


_SECTIONS: dict[str, type] = {
    "discord": DiscordSettings,
    "bot": BotSettings,
    "answers": AnswerSettings,
    "privacy": PrivacySettings,
    "learning": LearningSettings,
}


def load_config(path: Path | None) -> Config:
    """Load and validate a config file; with no file, return the defaults (database in the working dir)."""
    if path is None:
        return Config()
    name = str(path)
    try:
        raw = tomllib.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{name}: file not found") from None
    except OSError as exc:
        raise ConfigError(f"{name}: cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{name}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{name}: invalid TOML: {exc}") from None
    base = path.resolve().parent
    parts: dict[str, Any] = {}
    for section, values in raw.items():
        if section not in _SECTIONS:
            raise ConfigError(f"{name}: unknown section [{section}] (known: {', '.join(_SECTIONS)})")
        if not isinstance(values, dict):
            raise ConfigError(f"{name}: [{section}] must be a table")
        parts[section] = _section(name, section, _SECTIONS[section], values, base)
    if "bot" not in parts:
        parts["bot"] = BotSettings(database=base / DEFAULT_DATABASE_NAME)
    return Config(**parts, source=path)


def _section(name: str, section: str, cls: type, values: dict[str, Any], base: Path) -> Any:
    """Validate one table against its dataclass's fields, types and ranges."""
    known = {f.name: f for f in fields(cls)}
    hints = get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        where = f"{name}: [{section}] {key}"
        if key not in known:
            raise ConfigError(f"{where}: unknown key (known: {', '.join(known)})")
        kwargs[key] = _convert(where, hints[key], value, base, known[key].metadata)
    if section == "bot":
        kwargs.setdefault("database", base / DEFAULT_DATABASE_NAME)
    return cls(**kwargs)


def _convert(where: str, kind: Any, value: Any, base: Path, meta: Any) -> Any:
    """Check and convert one value to its field's type (dispatched on the type itself), then its range."""
    optional = False
    if get_origin(kind) in (UnionType, Union):
        args = [a for a in get_args(kind) if a is not type(None)]
        optional, kind = len(args) < len(get_args(kind)), args[0]
    converter = _CONVERTERS.get(get_origin(kind) or kind)
    if converter is None:
        raise AssertionError(f"unhandled config type {kind}")  # a programming error, caught by tests
    if optional and value == "":
        return None
    converted = converter(where, value, base, meta)
    if isinstance(converted, int | float) and not isinstance(converted, bool):
        _check_range(where, converted, meta)
    return converted


def _check_range(where: str, value: float, meta: Any) -> None:
    low, high = meta.get("min", 0), meta.get("max")
    if value < low or (high is not None and value > high):
        span = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ConfigError(f"{where}: must be {span}, got {value}")


def _to_str(where: str, value: Any, base: Path, meta: Any) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: expected a string, got {_type_name(value)}")
    choices = meta.get("choices")
    if choices:
        if value.upper() not in choices:
            raise ConfigError(f"{where}: expected one of {', '.join(choices)}, got '{value}'")
        return value.upper()
    if meta.get("url") and value and not re.match(r"^(https?|wss?)://", value):
        raise ConfigError(f"{where}: expected an http(s):// or ws(s):// URL, got '{value}'")
    return value.rstrip("/")


def _to_number(kind: type) -> Any:
    def convert(where: str, value: Any, base: Path, meta: Any) -> Any:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (kind is int and isinstance(value, float))
        ):
            raise ConfigError(
                f"{where}: expected {'an integer' if kind is int else 'a number'}, got {_type_name(value)}"
            )
        if not math.isfinite(value):
            raise ConfigError(f"{where}: must be a finite number, got {value}")
        return kind(value)

    return convert


def _to_ids(where: str, value: Any, base: Path, meta: Any) -> tuple[int, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"{where}: expected a list of ids (integers), got {_type_name(value)}")
    for i, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, int):
            raise ConfigError(f"{where}: item {i + 1} ({item!r}) is not an id: expected an integer")
        if item <= 0:
            raise ConfigError(f"{where}: item {i + 1} ({item}) is not an id: ids are positive")
    return tuple(value)


def _to_path(where: str, value: Any, base: Path, meta: Any) -> Path:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}: expected a file path (string), got {_type_name(value)}")
    p = Path(value).expanduser()
    return p if p.is_absolute() else base / p


def _to_zone(where: str, value: Any, base: Path, meta: Any) -> ZoneInfo:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}: expected an IANA time zone name such as 'Europe/Berlin'")
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{where}: unknown time zone '{value}' (use an IANA name such as 'Europe/Berlin')"
        ) from None


def _to_clock(where: str, value: Any, base: Path, meta: Any) -> time:
    if isinstance(value, time):  # TOML has a local-time type: 18:00:00
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{1,2}:\d{2}", value):
        hours, minutes = map(int, value.split(":"))
        if hours < 24 and minutes < 60:
            return time(hours, minutes)
    raise ConfigError(f"{where}: expected a time of day as HH:MM, got {value!r}")


def _to_duration(where: str, value: Any, base: Path, meta: Any) -> timedelta:
    seconds = _to_number(float)(where, value, base, meta)
    _check_range(where, seconds, meta)
    return timedelta(seconds=seconds)


_CONVERTERS: dict[Any, Any] = {
    str: _to_str,
    int: _to_number(int),
    float: _to_number(float),
    tuple: _to_ids,  # tuple[int, ...]: Discord ids
    Path: _to_path,
    ZoneInfo: _to_zone,
    time: _to_clock,
    timedelta: _to_duration,  # given in seconds
}


def _type_name(value: Any) -> str:
    """Name a TOML value's type the way a config author thinks of it."""
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


class Token:
    """The bot token; its repr and str never reveal it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """Return the secret, only to hand it to discord.py."""
        return self._value

    def __repr__(self) -> str:
        return "Token('***')"

    __str__ = __repr__


def load_token(environ: os._Environ[str] | dict[str, str] | None = None) -> Token:
    """Read the token from DISCORD_TOKEN or the file named by DISCORD_TOKEN_FILE, and check its shape."""
    env = os.environ if environ is None else environ
    value = env.get("DISCORD_TOKEN")
    source = "DISCORD_TOKEN"
    if not value and env.get("DISCORD_TOKEN_FILE"):
        file = env["DISCORD_TOKEN_FILE"]
        source = f"DISCORD_TOKEN_FILE ({file})"
        try:
            value = Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{source}: cannot read the token file ({exc.__class__.__name__})") from None
        if not value.strip():
            raise ConfigError(f"{source}: the token file is empty; put the bot token in it")
    if not value or not value.strip():
        raise ConfigError("DISCORD_TOKEN: not set; put the bot token in DISCORD_TOKEN or DISCORD_TOKEN_FILE")
    value = value.strip()
    if value.lower().startswith("bot "):
        value = value[4:].strip()
    if not _TOKEN_RE.match(value):
        raise ConfigError(f"{source}: does not look like a bot token (three dot-separated parts)")
    return Token(value)
