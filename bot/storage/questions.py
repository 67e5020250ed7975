"""The question log (for /kb gaps) and helpful / not-helpful votes on answers."""

from __future__ import annotations

import logging
import sqlite3
from collections import deque
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.knowledge.text import fold
from bot.storage.core import Area, Core

log = logging.getLogger(__name__)

NORMALISED_QUESTION_CHARS = 200  # /kb gaps groups questions by their first 200 folded characters
QUESTION_BATCH = 200  # buffered question-log rows that trigger a write before the timer does
# Rows held in memory while the database refuses writes (about 0.5 KB each: 25 MB at most). Past it the oldest
# are dropped and counted, so a long outage costs bounded memory and the loss is reported, never silent.
PENDING_MAX = 50_000


class Outcome(StrEnum):
    """What the bot did with a question."""

    ANSWERED = "answered"
    SUGGESTED = "suggested"  # "did you mean" offered
    DECLINED = "declined"
    THROTTLED = "throttled"  # an answer existed but the member was on cooldown


class Source(StrEnum):
    """Where a question was asked."""

    SLASH = "slash"
    MENTION = "mention"
    CHANNEL = "channel"


@dataclass(frozen=True, slots=True)
class Gap:
    """A question the knowledge base handles badly in one server, with how often it came up."""

    kind: str  # "declined" (no answer) or "unhelpful" (answered, voted not helpful)
    text: str  # the question, or the entry id voted down
    count: int


def addressed_to_bot(source: Source | str, outcome: Outcome | str) -> bool:
    """True unless the message was overheard: asked in a help channel, and the bot did not answer it.

    Such a message was not addressed to the bot, so only its folded text is kept (for /kb gaps): no member,
    no channel, no original wording.
    """
    return str(source) != Source.CHANNEL or str(outcome) == Outcome.ANSWERED


class QuestionLog(Area):
    """questions (written behind, in batches) and feedback."""

    MEMBER_TABLES = ("questions", "feedback")

    def __init__(self, core: Core) -> None:
        super().__init__(core)
        self._pending: deque[tuple[Any, ...]] = deque()
        self._dropped = 0
        core.on_flush(self.flush)

    def record(
        self,
        *,
        guild_id: int,
        channel_id: int,
        user_id: int,
        question: str,
        source: Source,
        outcome: Outcome,
        entry_id: str | None,
        score: float,
    ) -> None:
        """Log one question and what the bot did with it (overheard ones without who, where or wording)."""
        normalised = " ".join(fold(question).split())[:NORMALISED_QUESTION_CHARS]
        kept = addressed_to_bot(source, outcome)
        if len(self._pending) >= PENDING_MAX:
            self._pending.popleft()
            self._dropped += 1
            if self._dropped == 1:
                log.error(
                    "question-log buffer full (%d rows) while the database refuses writes: dropping the "
                    "oldest rows until it takes writes again",
                    PENDING_MAX,
                )
        self._pending.append(
            (
                guild_id,
                channel_id if kept else None,
                user_id if kept else None,
                question[:1000] if kept else None,
                normalised,
                str(source),
                str(outcome),
                entry_id,
                score,
                self.core.now(),
            )
        )
        # While writes fail, only the timer retries: a locked database would otherwise stall every message.
        if len(self._pending) >= QUESTION_BATCH and not self.core.failing:
            self.flush()

    def flush(self) -> None:
        """Write buffered question-log rows in one transaction; if the database refuses, keep them.

        The question log is written behind, in batches: one commit per question was the largest cost the
        bot added to each answer. The bot flushes every second, before every read of the log and at close,
        so at most the last second of log rows can be lost to a crash (never settings or votes). A write
        the database refuses (read-only, disk full, locked) leaves the rows in memory for the next try,
        and says so in the log; `backlog()` tells the runtime what was never written, for the exit report.
        """
        if not self._pending:
            return
        rows = list(self._pending)
        try:
            with self.core.write():
                self.core.db.conn.executemany(
                    "INSERT INTO questions (guild_id, channel_id, user_id, question, normalised, source, "
                    "outcome, entry_id, score, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
        except (sqlite3.OperationalError, sqlite3.DatabaseError) as exc:
            if isinstance(exc, sqlite3.IntegrityError | sqlite3.ProgrammingError):
                raise  # a bug, not the database's state: holding the rows would not help
            self.core.write_failed(exc, len(rows), self._dropped)
            return
        self._pending.clear()
        self.core.write_recovered(len(rows))

    def backlog(self) -> tuple[int, int]:
        """Return (question-log rows not yet written, rows dropped because the buffer was full)."""
        return len(self._pending), self._dropped

    def _drop_pending(self, keep: Any) -> None:
        """Remove held rows that keep() rejects (a forgotten member's or server's rows must not reappear)."""
        self._pending = deque(row for row in self._pending if keep(row))

    def record_feedback(self, *, guild_id: int, user_id: int, entry_id: str, helpful: bool) -> bool:
        """Record a member's vote on an answer; return False if they had already voted on it."""
        cursor = self.core.execute(
            "INSERT OR IGNORE INTO feedback (guild_id, user_id, entry_id, helpful, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [guild_id, user_id, entry_id, int(helpful), self.core.now()],
        )
        return cursor.rowcount == 1

    def feedback_counts(self, guild_id: int, entry_id: str) -> tuple[int, int]:
        """Return (helpful, not helpful) vote counts of one answer in one server."""
        row = self.core.execute(
            "SELECT COALESCE(SUM(helpful), 0), COALESCE(SUM(1 - helpful), 0) FROM feedback "
            "WHERE guild_id = ? AND entry_id = ?",
            [guild_id, entry_id],
        ).fetchone()
        return int(row[0]), int(row[1])

    def gaps(self, guild_id: int, limit: int = 10) -> list[Gap]:
        """Return the server's most frequent declined questions and most down-voted answers."""
        self.flush()
        declined = self.core.execute(
            "SELECT normalised, COUNT(*) AS n FROM questions WHERE guild_id = ? AND outcome = 'declined' "
            "GROUP BY normalised ORDER BY n DESC, MAX(id) DESC LIMIT ?",
            [guild_id, limit],
        ).fetchall()
        unhelpful = self.core.execute(
            "SELECT entry_id, COUNT(*) AS n FROM feedback WHERE guild_id = ? AND helpful = 0 "
            "GROUP BY entry_id ORDER BY n DESC, entry_id LIMIT ?",
            [guild_id, limit],
        ).fetchall()
        gaps = [Gap("declined", q, n) for q, n in declined] + [Gap("unhelpful", e, n) for e, n in unhelpful]
        gaps.sort(key=lambda g: g.count, reverse=True)
        return gaps[:limit]

    def export_member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """Return the member's logged questions and votes in this server."""
        self.flush()
        questions = self.core.execute(
            "SELECT question, source, outcome, entry_id, created_at FROM questions "
            "WHERE guild_id = ? AND user_id = ? ORDER BY id",
            [guild_id, user_id],
        ).fetchall()
        votes = self.core.execute(
            "SELECT entry_id, helpful, created_at FROM feedback WHERE guild_id = ? AND user_id = ? "
            "ORDER BY created_at",
            [guild_id, user_id],
        ).fetchall()
        return {
            "questions": [
                {"question": q, "source": s, "outcome": o, "entry": e, "asked_at": t}
                for q, s, o, e, t in questions
            ],
            "votes": [{"entry": e, "helpful": bool(h), "voted_at": t} for e, h, t in votes],
        }

    def forget_member(self, guild_id: int, user_id: int) -> dict[str, int]:
        """Delete the member's questions and votes in this server (held rows included)."""
        self.flush()
        self._drop_pending(lambda row: not (row[0] == guild_id and row[2] == user_id))
        with self.core.write():
            q = self.core.execute(
                "DELETE FROM questions WHERE guild_id = ? AND user_id = ?", [guild_id, user_id]
            ).rowcount
            f = self.core.execute(
                "DELETE FROM feedback WHERE guild_id = ? AND user_id = ?", [guild_id, user_id]
            ).rowcount
        return {"questions": q, "feedback": f}

    def forget_guild(self, guild_id: int) -> dict[str, int]:
        """Delete every logged question and vote of one server (held rows included)."""
        self.flush()
        self._drop_pending(lambda row: row[0] != guild_id)
        with self.core.write():
            q = self.core.execute("DELETE FROM questions WHERE guild_id = ?", [guild_id]).rowcount
            f = self.core.execute("DELETE FROM feedback WHERE guild_id = ?", [guild_id]).rowcount
        return {"questions": q, "feedback": f}

    def prune(self, before: str) -> dict[str, int]:
        """Delete questions and votes recorded before an ISO UTC instant (the retention limit)."""
        self.flush()
        with self.core.write():
            q = self.core.execute("DELETE FROM questions WHERE created_at < ?", [before]).rowcount
            f = self.core.execute("DELETE FROM feedback WHERE created_at < ?", [before]).rowcount
        return {"questions": q, "feedback": f}
