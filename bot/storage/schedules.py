"""Learning schedules: a server's channel prompts, members' DM subscriptions, the prompt rotation's
history and "Done" completions.

Schedules are stored as moderators and members give them (weekdays, wall-clock time, IANA zone); every
slot is computed from those by `bot.slots`, never by adding hours to a stored instant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from bot.clock import iso
from bot.storage.core import Area


def _days_text(days: frozenset[int]) -> str:
    return ",".join(str(d) for d in sorted(days))


def _days(text: str) -> frozenset[int]:
    return frozenset(int(d) for d in text.split(",") if d)


@dataclass(frozen=True, slots=True)
class ChannelSchedule:
    """A server's channel prompts: where, which weekdays, when, in which zone."""

    guild_id: int
    channel_id: int
    days: frozenset[int]
    at: time
    tz: str
    paused: bool
    pause_reason: str | None
    active_since: datetime

    @property
    def schedule_key(self) -> str:
        """The delivery log's schedule key."""
        return channel_schedule_key(self.guild_id)


@dataclass(frozen=True, slots=True)
class Subscription:
    """A member's DM prompts in one server."""

    guild_id: int
    user_id: int
    frequency: str  # daily | weekly
    days: frozenset[int]
    at: time
    tz: str
    paused: bool
    pause_reason: str | None
    active_since: datetime

    @property
    def schedule_key(self) -> str:
        """The delivery log's schedule key."""
        return dm_schedule_key(self.guild_id, self.user_id)


def channel_schedule_key(guild_id: int) -> str:
    """Schedule key of a server's channel prompts."""
    return f"learning:channel:{guild_id}"


def dm_schedule_key(guild_id: int, user_id: int) -> str:
    """Schedule key of a member's DM prompts."""
    return f"learning:dm:{guild_id}:{user_id}"


def channel_audience(guild_id: int) -> str:
    """Rotation key of a server's channel."""
    return f"guild:{guild_id}"


def member_audience(guild_id: int, user_id: int) -> str:
    """Rotation key of one member in one server."""
    return f"guild:{guild_id}:member:{user_id}"


_CHANNEL_COLS = "guild_id, channel_id, days, at, tz, paused, pause_reason, active_since"
_SUB_COLS = "guild_id, user_id, frequency, days, at, tz, paused, pause_reason, active_since"


def _channel(row: tuple[Any, ...]) -> ChannelSchedule:
    guild, channel, days, at, tz, paused, reason, since = row
    return ChannelSchedule(
        guild, channel, _days(days), time.fromisoformat(at), tz, bool(paused), reason,
        datetime.fromisoformat(since),
    )  # fmt: skip


def _subscription(row: tuple[Any, ...]) -> Subscription:
    guild, user, frequency, days, at, tz, paused, reason, since = row
    return Subscription(
        guild, user, frequency, _days(days), time.fromisoformat(at), tz, bool(paused), reason,
        datetime.fromisoformat(since),
    )  # fmt: skip


class LearningStore(Area):
    """learning_channels, learning_subscriptions, learning_prompt_log, learning_completions."""

    MEMBER_TABLES = ("learning_subscriptions", "learning_prompt_log", "learning_completions")

    # --- channel schedules -------------------------------------------------------------------------

    def set_channel(
        self, guild_id: int, channel_id: int, days: frozenset[int], at: time, tz: str, set_by: int
    ) -> ChannelSchedule:
        """Create or replace a server's channel schedule (running); slots before now are never caught up."""
        now = self.core.now()
        self.core.execute(
            "INSERT INTO learning_channels (guild_id, channel_id, days, at, tz, paused, pause_reason, "
            "set_by, active_since, updated_at) VALUES (?, ?, ?, ?, ?, 0, NULL, ?, ?, ?) "
            "ON CONFLICT (guild_id) DO UPDATE SET channel_id = excluded.channel_id, days = excluded.days, "
            "at = excluded.at, tz = excluded.tz, paused = 0, pause_reason = NULL, set_by = excluded.set_by, "
            "active_since = excluded.active_since, updated_at = excluded.updated_at",
            [guild_id, channel_id, _days_text(days), at.strftime("%H:%M"), tz, set_by, now, now],
        )
        found = self.channel(guild_id)
        assert found is not None
        return found

    def channel(self, guild_id: int) -> ChannelSchedule | None:
        """A server's channel schedule, if it has one."""
        row = self.core.execute(
            f"SELECT {_CHANNEL_COLS} FROM learning_channels WHERE guild_id = ?", [guild_id]
        ).fetchone()
        return _channel(row) if row else None

    def channels(self) -> list[ChannelSchedule]:
        """Every channel schedule (the scheduler filters paused ones)."""
        rows = self.core.execute(f"SELECT {_CHANNEL_COLS} FROM learning_channels").fetchall()
        return [_channel(r) for r in rows]

    def pause_channel(self, guild_id: int, reason: str) -> bool:
        """Pause a server's channel prompts; True if this changed anything (so moderators are told once)."""
        cursor = self.core.execute(
            "UPDATE learning_channels SET paused = 1, pause_reason = ?, updated_at = ? "
            "WHERE guild_id = ? AND paused = 0",
            [reason, self.core.now(), guild_id],
        )
        return cursor.rowcount == 1

    def resume_channel(self, guild_id: int) -> bool:
        """Resume; slots missed while paused are not caught up (active_since moves to now)."""
        now = self.core.now()
        cursor = self.core.execute(
            "UPDATE learning_channels SET paused = 0, pause_reason = NULL, active_since = ?, updated_at = ? "
            "WHERE guild_id = ? AND paused = 1",
            [now, now, guild_id],
        )
        return cursor.rowcount == 1

    def remove_channel(self, guild_id: int) -> bool:
        """Delete a server's channel schedule."""
        cursor = self.core.execute("DELETE FROM learning_channels WHERE guild_id = ?", [guild_id])
        return cursor.rowcount == 1

    # --- member subscriptions ----------------------------------------------------------------------

    def subscribe(
        self, guild_id: int, user_id: int, frequency: str, days: frozenset[int], at: time, tz: str
    ) -> Subscription:
        """Create or replace a member's subscription (running again if it was paused)."""
        now = self.core.now()
        self.core.execute(
            "INSERT INTO learning_subscriptions (guild_id, user_id, frequency, days, at, tz, paused, "
            "pause_reason, active_since, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, NULL, ?, ?) "
            "ON CONFLICT (guild_id, user_id) DO UPDATE SET frequency = excluded.frequency, "
            "days = excluded.days, at = excluded.at, tz = excluded.tz, paused = 0, pause_reason = NULL, "
            "active_since = excluded.active_since, updated_at = excluded.updated_at",
            [guild_id, user_id, frequency, _days_text(days), at.strftime("%H:%M"), tz, now, now],
        )
        found = self.subscription(guild_id, user_id)
        assert found is not None
        return found

    def subscription(self, guild_id: int, user_id: int) -> Subscription | None:
        """A member's subscription in a server."""
        row = self.core.execute(
            f"SELECT {_SUB_COLS} FROM learning_subscriptions WHERE guild_id = ? AND user_id = ?",
            [guild_id, user_id],
        ).fetchone()
        return _subscription(row) if row else None

    def subscriptions(self, *, running_only: bool = False) -> list[Subscription]:
        """Every subscription (or only the running ones)."""
        where = " WHERE paused = 0" if running_only else ""
        rows = self.core.execute(f"SELECT {_SUB_COLS} FROM learning_subscriptions{where}").fetchall()
        return [_subscription(r) for r in rows]

    def pause_subscription(self, guild_id: int, user_id: int, reason: str) -> bool:
        """Pause a member's DMs with the reason shown in /learning status; True if it was running."""
        cursor = self.core.execute(
            "UPDATE learning_subscriptions SET paused = 1, pause_reason = ?, updated_at = ? "
            "WHERE guild_id = ? AND user_id = ? AND paused = 0",
            [reason, self.core.now(), guild_id, user_id],
        )
        return cursor.rowcount == 1

    def pause_user_everywhere(self, user_id: int, reason: str) -> int:
        """Pause a user's DM subscriptions in every server (a refused DM would be refused for all)."""
        cursor = self.core.execute(
            "UPDATE learning_subscriptions SET paused = 1, pause_reason = ?, updated_at = ? "
            "WHERE user_id = ? AND paused = 0",
            [reason, self.core.now(), user_id],
        )
        return cursor.rowcount

    def resume_subscription(self, guild_id: int, user_id: int) -> bool:
        """Resume; slots missed while paused are not caught up."""
        now = self.core.now()
        cursor = self.core.execute(
            "UPDATE learning_subscriptions SET paused = 0, pause_reason = NULL, active_since = ?, "
            "updated_at = ? WHERE guild_id = ? AND user_id = ? AND paused = 1",
            [now, now, guild_id, user_id],
        )
        return cursor.rowcount == 1

    def unsubscribe(self, guild_id: int, user_id: int) -> bool:
        """Delete a member's subscription."""
        cursor = self.core.execute(
            "DELETE FROM learning_subscriptions WHERE guild_id = ? AND user_id = ?", [guild_id, user_id]
        )
        return cursor.rowcount == 1

    # --- rotation history --------------------------------------------------------------------------

    def prompts_used(self, audience: str, limit: int = 1000) -> list[str]:
        """Prompt ids picked for an audience, oldest first (the most recent `limit`)."""
        rows = self.core.execute(
            "SELECT prompt_id FROM learning_prompt_log WHERE audience = ? ORDER BY id DESC LIMIT ?",
            [audience, limit],
        ).fetchall()
        return [r[0] for r in reversed(rows)]

    def record_prompt(self, audience: str, prompt_id: str, guild_id: int, user_id: int | None) -> None:
        """Remember that a prompt was picked for an audience."""
        self.core.execute(
            "INSERT INTO learning_prompt_log (audience, guild_id, user_id, prompt_id, used_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [audience, guild_id, user_id, prompt_id, self.core.now()],
        )

    # --- completions -------------------------------------------------------------------------------

    def complete(self, guild_id: int, user_id: int, delivery_id: int, prompt_id: str | None) -> bool:
        """Record a "Done" click; False if this prompt was already marked done."""
        cursor = self.core.execute(
            "INSERT OR IGNORE INTO learning_completions (guild_id, user_id, delivery_id, prompt_id, "
            "completed_at) VALUES (?, ?, ?, ?, ?)",
            [guild_id, user_id, delivery_id, prompt_id, self.core.now()],
        )
        return cursor.rowcount == 1

    def completions(self, guild_id: int, user_id: int, since: datetime | None = None) -> list[datetime]:
        """When a member clicked "Done" in a server, oldest first."""
        rows = self.core.execute(
            "SELECT completed_at FROM learning_completions WHERE guild_id = ? AND user_id = ? "
            "AND completed_at >= ? ORDER BY completed_at",
            [guild_id, user_id, iso(since) if since else ""],
        ).fetchall()
        return [datetime.fromisoformat(r[0]) for r in rows]

    # --- a member's data ---------------------------------------------------------------------------

    def export_member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """The member's subscription, prompts picked for them and completions in this server."""
        sub = self.subscription(guild_id, user_id)
        used = self.core.execute(
            "SELECT prompt_id, used_at FROM learning_prompt_log WHERE guild_id = ? AND user_id = ? "
            "ORDER BY id",
            [guild_id, user_id],
        ).fetchall()
        done = self.core.execute(
            "SELECT prompt_id, completed_at FROM learning_completions WHERE guild_id = ? AND user_id = ? "
            "ORDER BY completed_at",
            [guild_id, user_id],
        ).fetchall()
        return {
            "learning_subscription": None
            if sub is None
            else {
                "frequency": sub.frequency,
                "days": sorted(sub.days),
                "at": sub.at.strftime("%H:%M"),
                "timezone": sub.tz,
                "paused": sub.paused,
                "pause_reason": sub.pause_reason,
            },
            "learning_prompts": [{"prompt": p, "at": at} for p, at in used],
            "learning_completions": [{"prompt": p, "at": at} for p, at in done],
        }

    def forget_member(self, guild_id: int, user_id: int) -> dict[str, int]:
        """Delete the member's subscription, prompt history and completions in this server."""
        removed: dict[str, int] = {}
        for table in self.MEMBER_TABLES:
            cursor = self.core.execute(
                f"DELETE FROM {table} WHERE guild_id = ? AND user_id = ?", [guild_id, user_id]
            )
            removed[table] = cursor.rowcount
        return removed

    def forget_guild(self, guild_id: int) -> dict[str, int]:
        """Delete the server's channel schedule and its members' learning rows (removed-server rule)."""
        removed: dict[str, int] = {}
        with self.core.write():
            for table in ("learning_channels", *self.MEMBER_TABLES):
                cursor = self.core.execute(f"DELETE FROM {table} WHERE guild_id = ?", [guild_id])
                removed[table] = cursor.rowcount
        return removed
