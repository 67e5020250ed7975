"""The one module that names tables and columns: typed methods over a sqlite-utils Database.

All calls run on the event loop's thread: each is a sub-millisecond indexed query or single-row write
(benchmarks/README.md measures them), which costs less than a hop to a worker thread. SQLite runs in WAL mode
with synchronous=NORMAL (every acknowledged commit survived kill -9 here), and read-modify-write goes through
`BEGIN IMMEDIATE` so a concurrent writer cannot make it fail halfway. Every query is scoped by guild id.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from bot.knowledge.text import fold
from bot.migrations import migrations

NORMALISED_QUESTION_CHARS = 200  # /kb gaps groups questions by their first 200 folded characters
QUESTION_BATCH = 200  # buffered question-log rows that trigger a write before the timer does
SETTINGS_CACHE_MAX = 10_000  # servers whose settings stay in memory; past it the cache starts over


@dataclass(frozen=True, slots=True)
class GuildSettings:
    """One server's settings; None means "not set here, use the config default"."""

    guild_id: int
    help_channel_ids: tuple[int, ...] | None = None
    moderator_role_id: int | None = None
    cooldown_seconds: int | None = None


@dataclass(frozen=True, slots=True)
class Gap:
    """A question the knowledge base handles badly in one server, with how often it came up."""

    kind: str  # "declined" (no answer) or "unhelpful" (answered, voted not helpful)
    text: str  # the question, or the entry id voted down
    count: int


def utcnow() -> str:
    """Return the current UTC time as ISO 8601, the format every timestamp column uses."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class Storage:
    """Typed access to the bot's SQLite database."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), isolation_level=None)  # autocommit; we open transactions ourselves
        self.db = Database(conn)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA busy_timeout=5000")
        self.db.execute("PRAGMA foreign_keys=ON")
        self._settings_cache: dict[int, GuildSettings] = {}
        self._pending_questions: list[tuple[object, ...]] = []

    def migrate(self) -> list[str]:
        """Apply pending migrations; return their names."""
        pending = [m.name for m in migrations.pending(self.db)]
        migrations.apply(self.db)
        return pending

    def close(self) -> None:
        """Flush the question log, then close (after a WAL checkpoint, so the file is self-contained)."""
        try:
            self.flush()
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            self.db.close()

    @contextmanager
    def _write(self) -> Iterator[None]:
        """Run a read-modify-write in one immediate transaction."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # --- server settings --------------------------------------------------------------------------------
    def guild_settings(self, guild_id: int) -> GuildSettings:
        """Return a server's settings (all None when it never changed any).

        Read on every message, so they are cached: this process is the database's only writer (the lock
        file in app.py), and update_guild_settings refreshes the cache in the same call that writes.
        """
        cached = self._settings_cache.get(guild_id)
        if cached is not None:
            return cached
        row = self.db.execute(
            "SELECT help_channel_ids, moderator_role_id, cooldown_seconds FROM guild_settings "
            "WHERE guild_id = ?",
            [guild_id],
        ).fetchone()
        settings = GuildSettings(guild_id)
        if row is not None:
            channels, role, cooldown = row
            settings = GuildSettings(
                guild_id=guild_id,
                help_channel_ids=tuple(json.loads(channels)) if channels is not None else None,
                moderator_role_id=role,
                cooldown_seconds=cooldown,
            )
        if len(self._settings_cache) >= SETTINGS_CACHE_MAX:
            self._settings_cache.clear()
        self._settings_cache[guild_id] = settings
        return settings

    def update_guild_settings(
        self,
        guild_id: int,
        *,
        help_channel_ids: tuple[int, ...] | None = None,
        moderator_role_id: int | None = None,
        cooldown_seconds: int | None = None,
        clear_moderator_role: bool = False,
    ) -> GuildSettings:
        """Change the given settings of one server, leaving the others as they are."""
        self._settings_cache.pop(guild_id, None)
        with self._write():
            current = self.guild_settings(guild_id)
            row = {
                "guild_id": guild_id,
                "help_channel_ids": json.dumps(list(help_channel_ids))
                if help_channel_ids is not None
                else (
                    json.dumps(list(current.help_channel_ids))
                    if current.help_channel_ids is not None
                    else None
                ),
                "moderator_role_id": None
                if clear_moderator_role
                else (moderator_role_id if moderator_role_id is not None else current.moderator_role_id),
                "cooldown_seconds": cooldown_seconds
                if cooldown_seconds is not None
                else current.cooldown_seconds,
                "updated_at": utcnow(),
            }
            self.db.table("guild_settings").upsert(row, pk="guild_id")
            self._settings_cache.pop(guild_id, None)
        return self.guild_settings(guild_id)

    # --- questions and feedback -------------------------------------------------------------------------
    def record_question(
        self,
        *,
        guild_id: int,
        channel_id: int,
        user_id: int,
        question: str,
        source: str,
        outcome: str,
        entry_id: str | None,
        score: float,
    ) -> None:
        """Log one question and what the bot did with it."""
        normalised = " ".join(fold(question).split())[:NORMALISED_QUESTION_CHARS]
        self._pending_questions.append(
            (
                guild_id,
                channel_id,
                user_id,
                question[:1000],
                normalised,
                source,
                outcome,
                entry_id,
                score,
                utcnow(),
            )
        )
        if len(self._pending_questions) >= QUESTION_BATCH:
            self.flush()

    def flush(self) -> None:
        """Write buffered question-log rows in one transaction.

        The question log is written behind, in batches: one commit per question was the largest cost the
        bot added to each answer. The bot flushes every second, before every read of the log and at close,
        so at most the last second of log rows can be lost to a crash (never settings or votes).
        """
        if not self._pending_questions:
            return
        rows, self._pending_questions = self._pending_questions, []
        with self._write():
            self.db.conn.executemany(
                "INSERT INTO questions (guild_id, channel_id, user_id, question, normalised, source, "
                "outcome, entry_id, score, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

    def record_feedback(self, *, guild_id: int, user_id: int, entry_id: str, helpful: bool) -> bool:
        """Record a member's vote on an answer; return False if they had already voted on it."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO feedback (guild_id, user_id, entry_id, helpful, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [guild_id, user_id, entry_id, int(helpful), utcnow()],
        )
        return cursor.rowcount == 1

    def feedback_counts(self, guild_id: int, entry_id: str) -> tuple[int, int]:
        """Return (helpful, not helpful) vote counts of one answer in one server."""
        row = self.db.execute(
            "SELECT COALESCE(SUM(helpful), 0), COALESCE(SUM(1 - helpful), 0) FROM feedback "
            "WHERE guild_id = ? AND entry_id = ?",
            [guild_id, entry_id],
        ).fetchone()
        return int(row[0]), int(row[1])

    def knowledge_gaps(self, guild_id: int, limit: int = 10) -> list[Gap]:
        """Return the server's most frequent declined questions and most down-voted answers."""
        self.flush()
        declined = self.db.execute(
            "SELECT normalised, COUNT(*) AS n FROM questions WHERE guild_id = ? AND outcome = 'declined' "
            "GROUP BY normalised ORDER BY n DESC, MAX(id) DESC LIMIT ?",
            [guild_id, limit],
        ).fetchall()
        unhelpful = self.db.execute(
            "SELECT entry_id, COUNT(*) AS n FROM feedback WHERE guild_id = ? AND helpful = 0 "
            "GROUP BY entry_id ORDER BY n DESC, entry_id LIMIT ?",
            [guild_id, limit],
        ).fetchall()
        gaps = [Gap("declined", q, n) for q, n in declined] + [Gap("unhelpful", e, n) for e, n in unhelpful]
        gaps.sort(key=lambda g: g.count, reverse=True)
        return gaps[:limit]
