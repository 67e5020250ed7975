"""Storage: the only package that names tables. A core (connection, transactions, migrations, write-behind)
and one module per area; the bot reaches each area through one `Storage` object.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.clock import Clock
from bot.storage.challenges import Challenge, ChallengeStore, Submission
from bot.storage.core import Area, Core, MigrationState, StorageError
from bot.storage.deliveries import Delivery, DeliveryLog, Status
from bot.storage.guilds import GuildRegistry
from bot.storage.questions import Gap, Outcome, QuestionLog, Source
from bot.storage.schedules import ChannelSchedule, LearningStore, Subscription
from bot.storage.settings import UNSET, GuildSettings, SettingsStore, Unset
from bot.storage.stages import MemberStage, StageChange, StageStats, StageStore

__all__ = [
    "UNSET",
    "Area",
    "Challenge",
    "ChallengeStore",
    "ChannelSchedule",
    "Core",
    "Delivery",
    "DeliveryLog",
    "Gap",
    "GuildRegistry",
    "GuildSettings",
    "LearningStore",
    "MemberStage",
    "MigrationState",
    "Outcome",
    "QuestionLog",
    "SettingsStore",
    "Source",
    "StageChange",
    "StageStats",
    "StageStore",
    "Status",
    "Storage",
    "StorageError",
    "Submission",
    "Subscription",
    "Unset",
]


class Storage:
    """The bot's database: one object per area, sharing one connection."""

    def __init__(self, path: Path | str, *, clock: Clock | None = None) -> None:
        self.core = Core(path, clock)
        self.settings = SettingsStore(self.core)
        self.questions = QuestionLog(self.core)
        self.guilds = GuildRegistry(self.core)
        self.learning = LearningStore(self.core)
        self.deliveries = DeliveryLog(self.core)
        self.stages = StageStore(self.core)
        self.challenges = ChallengeStore(self.core)

    @property
    def path(self) -> Path:
        """The database file."""
        return self.core.path

    @property
    def areas(self) -> tuple[Area, ...]:
        """Every area, for /mydata and the structural test that every member table is covered."""
        return tuple(v for v in vars(self).values() if isinstance(v, Area))

    def prepare(self) -> list[str]:
        """Check the file (integrity, version, ownership, writable), then migrate; return migrations applied.

        Raises StorageError with one line naming the file and the fix: the runtime calls this before
        logging in to Discord.
        """
        self.core.verify()
        return self.core.migrate()

    def migrate(self) -> list[str]:
        """Apply pending migrations; return their names."""
        return self.core.migrate()

    def flush(self) -> None:
        """Write every write-behind buffer."""
        self.core.flush()

    def close(self) -> None:
        """Flush and close."""
        self.core.close()

    def backlog(self) -> tuple[int, int]:
        """Return (rows held in memory and not yet written, rows dropped because a buffer was full)."""
        held = dropped = 0
        for area in self.areas:
            h, d = area.backlog()
            held, dropped = held + h, dropped + d
        return held, dropped

    def forget_guild(self, guild_id: int) -> dict[str, int]:
        """Delete one server's rows from every area, in one transaction (the removed-server rule)."""
        removed: dict[str, int] = {}
        with self.core.write():
            for area in self.areas:
                removed.update(area.forget_guild(guild_id))
        return removed

    def export_member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """Everything every area holds about one member in one server."""
        out: dict[str, Any] = {}
        for area in self.areas:
            out.update(area.export_member(guild_id, user_id))
        return out

    def forget_member(self, guild_id: int, user_id: int) -> dict[str, int]:
        """Delete one member's rows in one server from every area, in one transaction."""
        removed: dict[str, int] = {}
        with self.core.write():
            for area in self.areas:
                removed.update(area.forget_member(guild_id, user_id))
        return removed
