"""Known servers: when the bot joined each and when it was removed, for the removed-server retention rule.

A server's data is deleted `[privacy] removed_server_days` after the bot was removed, unless it came back.
Joins and removals are recorded as they happen; at each housekeeping run the list is also reconciled with
the servers the bot is in (a removal while the bot was offline arrives as no event at all).
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.storage.core import Area


class GuildRegistry(Area):
    """known_guilds: one row per server the bot has been in; removed_at is NULL while it is there.

    welcomed_at (m0020, onboarding) is when the bot posted its welcome there: set once, kept until the
    server's row is deleted by the removed-server rule.
    """

    def joined(self, guild_id: int) -> None:
        """Record that the bot is in a server (a new join, or a return that cancels a pending deletion)."""
        now = self.core.now()
        with self.core.write():
            self.core.execute(
                "INSERT INTO known_guilds (guild_id, joined_at, removed_at) VALUES (?, ?, NULL) "
                "ON CONFLICT(guild_id) DO UPDATE SET removed_at = NULL, "
                "joined_at = CASE WHEN removed_at IS NULL THEN joined_at ELSE excluded.joined_at END",
                [guild_id, now],
            )

    def removed(self, guild_id: int) -> None:
        """Record that the bot was removed from a server (the first removal time counts)."""
        now = self.core.now()
        with self.core.write():
            self.core.execute(
                "INSERT INTO known_guilds (guild_id, joined_at, removed_at) VALUES (?, NULL, ?) "
                "ON CONFLICT(guild_id) DO UPDATE SET removed_at = COALESCE(removed_at, excluded.removed_at)",
                [guild_id, now],
            )

    def reconcile(self, present: Iterable[int]) -> list[int]:
        """Mark the servers the bot is in as present and every other known one as removed; return those.

        Call it only with the full list of servers (after the bot is ready): a server missing from it
        starts its countdown to deletion.
        """
        ids = set(present)
        with self.core.write():
            for guild_id in ids:
                self.joined(guild_id)
            rows = self.core.execute("SELECT guild_id FROM known_guilds WHERE removed_at IS NULL").fetchall()
            gone = [row[0] for row in rows if row[0] not in ids]
            for guild_id in gone:
                self.removed(guild_id)
        return gone

    def removed_before(self, instant: str) -> list[int]:
        """Return the servers the bot was removed from before an ISO UTC instant, oldest first."""
        rows = self.core.execute(
            "SELECT guild_id FROM known_guilds WHERE removed_at IS NOT NULL AND removed_at < ? "
            "ORDER BY removed_at",
            [instant],
        ).fetchall()
        return [row[0] for row in rows]

    def removed_at(self, guild_id: int) -> str | None:
        """Return when the bot was removed from a server (None while it is there, or if unknown)."""
        row = self.core.execute(
            "SELECT removed_at FROM known_guilds WHERE guild_id = ?", [guild_id]
        ).fetchone()
        return row[0] if row else None

    def claim_welcome(self, guild_id: int) -> bool:
        """Record that the server gets its welcome now; False if it already had one (never welcome twice).

        Claimed before sending: a crash between the two loses one welcome rather than posting two.
        """
        now = self.core.now()
        with self.core.write():
            row = self.core.execute(
                "SELECT welcomed_at FROM known_guilds WHERE guild_id = ?", [guild_id]
            ).fetchone()
            if row is not None and row[0] is not None:
                return False
            self.core.execute(
                "INSERT INTO known_guilds (guild_id, joined_at, removed_at, welcomed_at) "
                "VALUES (?, ?, NULL, ?) "
                "ON CONFLICT(guild_id) DO UPDATE SET welcomed_at = excluded.welcomed_at",
                [guild_id, now, now],
            )
        return True

    def welcomed_at(self, guild_id: int) -> str | None:
        """Return when the server got its welcome (None if never, or since its data was deleted)."""
        row = self.core.execute(
            "SELECT welcomed_at FROM known_guilds WHERE guild_id = ?", [guild_id]
        ).fetchone()
        return row[0] if row else None

    def forget_guild(self, guild_id: int) -> dict[str, int]:
        """Delete the server's row."""
        with self.core.write():
            n = self.core.execute("DELETE FROM known_guilds WHERE guild_id = ?", [guild_id]).rowcount
        return {"known_guilds": n}
