"""Per-server settings changed by moderators; a NULL column means "use the config default"."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum

from bot.storage.core import Area, Core

SETTINGS_CACHE_MAX = 10_000  # servers whose settings stay in memory; past it the cache starts over


class Unset(Enum):
    """The type of UNSET: "leave this setting as it is" (None means "back to the default")."""

    UNSET = "unset"


UNSET = Unset.UNSET


@dataclass(frozen=True, slots=True)
class GuildSettings:
    """One server's own settings; None means "not set here, use the config default"."""

    guild_id: int
    help_channel_ids: tuple[int, ...] | None = None
    moderator_role_id: int | None = None
    cooldown_seconds: int | None = None
    timezone: str | None = None  # IANA name; None means UTC


class SettingsStore(Area):
    """guild_settings: one row per server that changed anything."""

    def __init__(self, core: Core) -> None:
        super().__init__(core)
        self._cache: dict[int, GuildSettings] = {}

    def get(self, guild_id: int) -> GuildSettings:
        """Return a server's settings (all None when it never changed any).

        Read on every message, so they are cached: this process is the database's only writer (the lock
        file in runtime.py), and update() refreshes the cache in the same call that writes.
        """
        cached = self._cache.get(guild_id)
        if cached is not None:
            return cached
        row = self.core.execute(
            "SELECT help_channel_ids, moderator_role_id, cooldown_seconds, timezone FROM guild_settings "
            "WHERE guild_id = ?",
            [guild_id],
        ).fetchone()
        settings = GuildSettings(guild_id)
        if row is not None:
            channels, role, cooldown, zone = row
            settings = GuildSettings(
                guild_id=guild_id,
                help_channel_ids=tuple(json.loads(channels)) if channels is not None else None,
                moderator_role_id=role,
                cooldown_seconds=cooldown,
                timezone=zone,
            )
        if len(self._cache) >= SETTINGS_CACHE_MAX:
            self._cache.clear()
        self._cache[guild_id] = settings
        return settings

    def update(
        self,
        guild_id: int,
        *,
        help_channel_ids: tuple[int, ...] | Unset | None = UNSET,
        moderator_role_id: int | Unset | None = UNSET,
        cooldown_seconds: int | Unset | None = UNSET,
        timezone: str | Unset | None = UNSET,
    ) -> GuildSettings:
        """Change the given settings of one server; UNSET leaves a setting alone, None resets it."""
        self._cache.pop(guild_id, None)
        with self.core.write():
            current = self.get(guild_id)
            channels = current.help_channel_ids if help_channel_ids is UNSET else help_channel_ids
            role = current.moderator_role_id if moderator_role_id is UNSET else moderator_role_id
            cooldown = current.cooldown_seconds if cooldown_seconds is UNSET else cooldown_seconds
            zone = current.timezone if timezone is UNSET else timezone
            row = {
                "guild_id": guild_id,
                "help_channel_ids": json.dumps(list(channels)) if channels is not None else None,
                "moderator_role_id": role,
                "cooldown_seconds": cooldown,
                "timezone": zone,
                "updated_at": self.core.now(),
            }
            self.core.db.table("guild_settings").upsert(row, pk="guild_id")
            self._cache.pop(guild_id, None)
        return self.get(guild_id)

    def forget_guild(self, guild_id: int) -> dict[str, int]:
        """Delete the server's settings."""
        self._cache.pop(guild_id, None)
        with self.core.write():
            n = self.core.execute("DELETE FROM guild_settings WHERE guild_id = ?", [guild_id]).rowcount
        self._cache.pop(guild_id, None)
        return {"guild_settings": n}
