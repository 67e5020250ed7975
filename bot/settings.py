"""Effective per-server settings: the server's own value, else the config default — resolved in one place."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import AnswerSettings
from bot.storage import SettingsStore


@dataclass(frozen=True, slots=True)
class EffectiveSettings:
    """What applies in one server now, and which values are the config's defaults."""

    guild_id: int
    help_channel_ids: tuple[int, ...]
    moderator_role_id: int | None
    cooldown_seconds: int
    timezone: str  # IANA name moderators' times are read in
    defaults: frozenset[str]  # names of the settings this server has not set itself


DEFAULT_TIMEZONE = "UTC"


class SettingsResolver:
    """Answers "what applies in this server" from stored settings and the config's [answers] defaults."""

    def __init__(self, store: SettingsStore, defaults: AnswerSettings) -> None:
        self.store = store
        self.defaults = defaults

    def effective(self, guild_id: int) -> EffectiveSettings:
        """Return every setting as it applies in this server."""
        own = self.store.get(guild_id)
        inherited = set()
        channels = own.help_channel_ids
        if channels is None:
            channels = self.defaults.help_channel_ids
            inherited.add("help_channel_ids")
        cooldown = own.cooldown_seconds
        if cooldown is None:
            cooldown = self.defaults.cooldown_seconds
            inherited.add("cooldown_seconds")
        if own.moderator_role_id is None:
            inherited.add("moderator_role_id")
        if own.timezone is None:
            inherited.add("timezone")
        return EffectiveSettings(
            guild_id=guild_id,
            help_channel_ids=channels,
            moderator_role_id=own.moderator_role_id,
            cooldown_seconds=cooldown,
            timezone=own.timezone or DEFAULT_TIMEZONE,
            defaults=frozenset(inherited),
        )

    def help_channels(self, guild_id: int) -> tuple[int, ...]:
        """Return the channels where questions are answered without a mention."""
        own = self.store.get(guild_id).help_channel_ids
        return own if own is not None else self.defaults.help_channel_ids

    def cooldown_seconds(self, guild_id: int) -> int:
        """Return the seconds between channel answers to one member."""
        own = self.store.get(guild_id).cooldown_seconds
        return own if own is not None else self.defaults.cooldown_seconds

    def moderator_role_id(self, guild_id: int) -> int | None:
        """Return the server's moderator role, if it chose one."""
        return self.store.get(guild_id).moderator_role_id

    def timezone(self, guild_id: int) -> str:
        """Return the server's IANA time zone name (UTC unless a moderator chose one)."""
        return self.store.get(guild_id).timezone or DEFAULT_TIMEZONE
