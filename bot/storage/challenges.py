"""Challenges, who joined them, their submissions and votes.

Every query names the server: a challenge id from another server is simply not found. A member has one
submission per challenge (UNIQUE (challenge, member); resubmitting replaces it) and one vote per challenge
(primary key (challenge, voter); voting again moves it). Each lifecycle step and each reminder DM is a
delivery (`bot.challenge_deliveries`), recorded in the shared delivery log, not here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.challenges import Status, Timeline, Visibility
from bot.clock import iso
from bot.stages import Stage
from bot.storage.core import Area

_COLUMNS = (
    "id, guild_id, channel_id, role_id, review_channel_id, stages, visibility, voting, title, brief, "
    "starts_at, deadline, voting_ends, remind_before, status, with_event, event_id, message_id, thread_id, "
    "created_by"
)
OPEN = (Status.SCHEDULED.value, Status.RUNNING.value, Status.VOTING.value)


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True, slots=True)
class Challenge:
    """One challenge as stored."""

    id: int
    guild_id: int
    channel_id: int
    role_id: int | None
    review_channel_id: int | None
    stages: tuple[Stage, ...]
    visibility: Visibility
    voting: bool
    title: str
    brief: str
    timeline: Timeline
    status: Status
    with_event: bool
    event_id: int | None
    message_id: int | None
    thread_id: int | None
    created_by: int | None

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> Challenge:
        """Build from a row selected with _COLUMNS."""
        cid, guild, channel, role, review, stages, vis, voting, title, brief, start, deadline = row[:12]
        ends, remind, status, with_event, event, message, thread, creator = row[12:]
        timeline = Timeline(
            starts_at=datetime.fromisoformat(start),
            deadline=datetime.fromisoformat(deadline),
            voting_ends=_when(ends),
            remind_before=timedelta(seconds=remind) if remind is not None else None,
        )
        return cls(
            cid, guild, channel, role, review, tuple(Stage(s) for s in json.loads(stages)), Visibility(vis),
            bool(voting), title, brief, timeline, Status(status), bool(with_event), event, message, thread,
            creator,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Submission:
    """A member's entry: a link and/or the jump link of the bot's re-post of their file, and a note."""

    id: int
    challenge_id: int
    user_id: int
    link: str | None
    note: str | None
    file_name: str | None
    file_message: str | None
    vote_message_id: int | None
    submitted_at: datetime


_SUB_COLUMNS = "id, challenge_id, user_id, link, note, file_name, file_message, vote_message_id, updated_at"


def _submission(row: tuple[Any, ...]) -> Submission:
    sid, cid, uid, link, note, file_name, file_message, vote_message = row[:8]
    return Submission(
        sid, cid, uid, link, note, file_name, file_message, vote_message, datetime.fromisoformat(row[8])
    )


class ChallengeStore(Area):
    """challenges, challenge_participants, challenge_submissions, challenge_votes."""

    MEMBER_TABLES = (
        "challenges",
        "challenge_participants",
        "challenge_submissions",
        "challenge_votes",
    )

    # --- challenges ----------------------------------------------------------------------------------

    def create(
        self,
        guild_id: int,
        *,
        created_by: int,
        channel_id: int,
        title: str,
        brief: str,
        timeline: Timeline,
        visibility: Visibility = Visibility.PUBLIC,
        role_id: int | None = None,
        review_channel_id: int | None = None,
        stages: tuple[Stage, ...] = (),
        with_event: bool = False,
    ) -> Challenge:
        """Store a new scheduled challenge and return it."""
        now = self.core.now()
        cursor = self.core.execute(
            "INSERT INTO challenges (guild_id, channel_id, role_id, review_channel_id, stages, visibility, "
            "voting, title, brief, starts_at, deadline, voting_ends, remind_before, status, with_event, "
            "created_by, created_at, updated_at) "
            f"VALUES ({', '.join('?' * 18)})",
            [
                guild_id, channel_id, role_id, review_channel_id, json.dumps([s.value for s in stages]),
                visibility.value, int(timeline.voting_ends is not None), title, brief,
                iso(timeline.starts_at), iso(timeline.deadline),
                iso(timeline.voting_ends) if timeline.voting_ends else None, _seconds(timeline.remind_before),
                Status.SCHEDULED.value, int(with_event), created_by, now, now,
            ],
        )  # fmt: skip
        created = self.get(guild_id, int(cursor.lastrowid or 0))
        assert created is not None
        return created

    def get(self, guild_id: int, challenge_id: int) -> Challenge | None:
        """Return a challenge of this server (None for another server's id, or none at all)."""
        row = self.core.execute(
            f"SELECT {_COLUMNS} FROM challenges WHERE guild_id = ? AND id = ?", [guild_id, challenge_id]
        ).fetchone()
        return Challenge.from_row(row) if row else None

    def in_server(self, guild_id: int, *, open_only: bool = True, limit: int = 25) -> list[Challenge]:
        """Return the server's open challenges (or all, newest first), soonest deadline first."""
        where = f"AND status IN ({', '.join('?' * len(OPEN))})" if open_only else ""
        order = "deadline" if open_only else "id DESC"
        params: list[Any] = [guild_id, *(OPEN if open_only else ()), limit]
        rows = self.core.execute(
            f"SELECT {_COLUMNS} FROM challenges WHERE guild_id = ? {where} ORDER BY {order} LIMIT ?", params
        ).fetchall()
        return [Challenge.from_row(r) for r in rows]

    def open_everywhere(self) -> list[Challenge]:
        """Return every open challenge in every server: what the runner watches."""
        rows = self.core.execute(
            f"SELECT {_COLUMNS} FROM challenges WHERE status IN (?, ?, ?) ORDER BY id", list(OPEN)
        ).fetchall()
        return [Challenge.from_row(r) for r in rows]

    def update(self, guild_id: int, challenge_id: int, **fields: Any) -> Challenge:
        """Change stored fields (title, brief, timeline, status, posts, event) of one server's challenge."""
        values: dict[str, Any] = {}
        for name, value in fields.items():
            if name == "timeline":
                values.update(
                    starts_at=iso(value.starts_at),
                    deadline=iso(value.deadline),
                    voting_ends=iso(value.voting_ends) if value.voting_ends else None,
                    voting=int(value.voting_ends is not None),
                    remind_before=_seconds(value.remind_before),
                )
            elif name in ("status", "visibility"):
                values[name] = value.value
            elif name in ("title", "brief", "event_id", "message_id", "thread_id", "role_id", "with_event"):
                values[name] = value
            else:
                raise TypeError(f"unknown challenge field {name!r}")
        values["updated_at"] = self.core.now()
        assignments = ", ".join(f"{k} = ?" for k in values)
        self.core.execute(
            f"UPDATE challenges SET {assignments} WHERE guild_id = ? AND id = ?",
            [*values.values(), guild_id, challenge_id],
        )
        updated = self.get(guild_id, challenge_id)
        if updated is None:
            raise KeyError(challenge_id)
        return updated

    # --- members -------------------------------------------------------------------------------------

    def join(self, guild_id: int, challenge_id: int, user_id: int) -> bool:
        """Add a participant; return False when they had already joined."""
        cursor = self.core.execute(
            "INSERT OR IGNORE INTO challenge_participants (challenge_id, guild_id, user_id, joined_at) "
            "SELECT id, guild_id, ?, ? FROM challenges WHERE guild_id = ? AND id = ?",
            [user_id, self.core.now(), guild_id, challenge_id],
        )
        return cursor.rowcount == 1

    def leave(self, guild_id: int, challenge_id: int, user_id: int) -> bool:
        """Remove a participant (their submission stays withdrawn too); return False if not joined."""
        with self.core.write():
            self.core.execute(
                "DELETE FROM challenge_submissions WHERE guild_id = ? AND challenge_id = ? AND user_id = ?",
                [guild_id, challenge_id, user_id],
            )
            cursor = self.core.execute(
                "DELETE FROM challenge_participants WHERE guild_id = ? AND challenge_id = ? AND user_id = ?",
                [guild_id, challenge_id, user_id],
            )
        return cursor.rowcount == 1

    def has_joined(self, guild_id: int, challenge_id: int, user_id: int) -> bool:
        """Return True when the member joined this challenge."""
        return (
            self.core.execute(
                "SELECT 1 FROM challenge_participants "
                "WHERE guild_id = ? AND challenge_id = ? AND user_id = ?",
                [guild_id, challenge_id, user_id],
            ).fetchone()
            is not None
        )

    def without_submission(self, guild_id: int, challenge_id: int) -> list[int]:
        """Return participants who have not submitted (the reminder's recipients), in joining order."""
        rows = self.core.execute(
            "SELECT p.user_id FROM challenge_participants p LEFT JOIN challenge_submissions s "
            "ON s.challenge_id = p.challenge_id AND s.user_id = p.user_id "
            "WHERE p.guild_id = ? AND p.challenge_id = ? AND s.id IS NULL ORDER BY p.joined_at, p.user_id",
            [guild_id, challenge_id],
        ).fetchall()
        return [r[0] for r in rows]

    def submit(
        self,
        guild_id: int,
        challenge_id: int,
        user_id: int,
        *,
        link: str | None,
        note: str | None,
        file_name: str | None = None,
        file_message: str | None = None,
    ) -> tuple[Submission, bool]:
        """Store a member's submission (joining them if needed), replacing an earlier one; True if replaced.

        A replacement keeps the submission's id (so votes and the vote post stay attached) and replaces every
        field: what the member sends last is their entry.
        """
        now = self.core.now()
        with self.core.write():
            self.join(guild_id, challenge_id, user_id)
            before = self.submission_of(guild_id, challenge_id, user_id)
            self.core.execute(
                "INSERT INTO challenge_submissions (challenge_id, guild_id, user_id, link, note, file_name, "
                "file_message, submitted_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (challenge_id, user_id) DO UPDATE SET link = excluded.link,"
                " note = excluded.note,"
                " file_name = excluded.file_name, file_message = excluded.file_message,"
                " updated_at = excluded.updated_at",
                [challenge_id, guild_id, user_id, link, note, file_name, file_message, now, now],
            )
            after = self.submission_of(guild_id, challenge_id, user_id)
        assert after is not None
        return after, before is not None

    def submission_of(self, guild_id: int, challenge_id: int, user_id: int) -> Submission | None:
        """Return a member's submission to a challenge, if any."""
        row = self.core.execute(
            f"SELECT {_SUB_COLUMNS} FROM challenge_submissions "
            "WHERE guild_id = ? AND challenge_id = ? AND user_id = ?",
            [guild_id, challenge_id, user_id],
        ).fetchone()
        return _submission(row) if row else None

    def submission(self, guild_id: int, submission_id: int) -> Submission | None:
        """Return one submission of this server by id."""
        row = self.core.execute(
            f"SELECT {_SUB_COLUMNS} FROM challenge_submissions WHERE guild_id = ? AND id = ?",
            [guild_id, submission_id],
        ).fetchone()
        return _submission(row) if row else None

    def submissions(
        self, guild_id: int, challenge_id: int, *, offset: int = 0, limit: int = 1_000_000
    ) -> list[Submission]:
        """Return a challenge's submissions, oldest first, one page at a time."""
        rows = self.core.execute(
            f"SELECT {_SUB_COLUMNS} FROM challenge_submissions WHERE guild_id = ? AND challenge_id = ? "
            "ORDER BY submitted_at, id LIMIT ? OFFSET ?",
            [guild_id, challenge_id, limit, offset],
        ).fetchall()
        return [_submission(r) for r in rows]

    def set_vote_message(self, guild_id: int, submission_id: int, message_id: int) -> None:
        """Remember the post carrying a submission's vote button."""
        self.core.execute(
            "UPDATE challenge_submissions SET vote_message_id = ? WHERE guild_id = ? AND id = ?",
            [message_id, guild_id, submission_id],
        )

    def counts(self, guild_id: int, challenge_id: int) -> tuple[int, int, int]:
        """Return (participants, submissions, votes) of a challenge."""
        row = self.core.execute(
            "SELECT (SELECT COUNT(*) FROM challenge_participants WHERE guild_id = ?1 AND challenge_id = ?2),"
            " (SELECT COUNT(*) FROM challenge_submissions WHERE guild_id = ?1 AND challenge_id = ?2),"
            " (SELECT COUNT(*) FROM challenge_votes WHERE guild_id = ?1 AND challenge_id = ?2)",
            [guild_id, challenge_id],
        ).fetchone()
        return int(row[0]), int(row[1]), int(row[2])

    # --- votes ---------------------------------------------------------------------------------------

    def vote(self, guild_id: int, challenge_id: int, user_id: int, submission_id: int) -> int | None:
        """Record (or move) a member's one vote in a challenge; return the submission it was on before."""
        with self.core.write():
            row = self.core.execute(
                "SELECT submission_id FROM challenge_votes "
                "WHERE guild_id = ? AND challenge_id = ? AND user_id = ?",
                [guild_id, challenge_id, user_id],
            ).fetchone()
            self.core.execute(
                "INSERT INTO challenge_votes (challenge_id, guild_id, user_id, submission_id, voted_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (challenge_id, user_id) DO UPDATE SET "
                "submission_id = excluded.submission_id, voted_at = excluded.voted_at",
                [challenge_id, guild_id, user_id, submission_id, self.core.now()],
            )
        return row[0] if row else None

    def vote_counts(self, guild_id: int, challenge_id: int) -> dict[int, int]:
        """Return votes per submission id (submissions without votes are absent)."""
        rows = self.core.execute(
            "SELECT submission_id, COUNT(*) FROM challenge_votes WHERE guild_id = ? AND challenge_id = ? "
            "GROUP BY submission_id",
            [guild_id, challenge_id],
        ).fetchall()
        return {sid: n for sid, n in rows}

    # --- export and /mydata ----------------------------------------------------------------------------

    def export_rows(self, guild_id: int, challenge_id: int) -> list[dict[str, Any]]:
        """One row per participant: joined, submission, votes received and whom they voted for."""
        rows = self.core.execute(
            "SELECT p.user_id, p.joined_at, s.submitted_at, s.updated_at, s.link, s.file_name,"
            " s.file_message,"
            " s.note, (SELECT COUNT(*) FROM challenge_votes v WHERE v.submission_id = s.id),"
            " (SELECT vs.user_id FROM challenge_votes v"
            "  JOIN challenge_submissions vs ON vs.id = v.submission_id"
            "  WHERE v.challenge_id = p.challenge_id AND v.user_id = p.user_id)"
            " FROM challenge_participants p LEFT JOIN challenge_submissions s"
            " ON s.challenge_id = p.challenge_id AND s.user_id = p.user_id"
            " WHERE p.guild_id = ? AND p.challenge_id = ? ORDER BY p.joined_at, p.user_id",
            [guild_id, challenge_id],
        ).fetchall()
        keys = (
            "user_id", "joined_at", "submitted_at", "updated_at", "link", "file_name", "file_message", "note",
            "votes_received", "voted_for_user_id",
        )  # fmt: skip
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def export_member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """The member's joins, submissions and votes in this server."""

        def rows(sql: str) -> list[dict[str, Any]]:
            cursor = self.core.execute(sql, [guild_id, user_id])
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]

        found = {
            "challenge_joins": rows(
                "SELECT challenge_id, joined_at FROM challenge_participants "
                "WHERE guild_id = ? AND user_id = ?"
            ),
            "challenge_submissions": rows(
                "SELECT challenge_id, link, note, file_name, file_message, submitted_at, updated_at "
                "FROM challenge_submissions WHERE guild_id = ? AND user_id = ?"
            ),
            "challenge_votes": rows(
                "SELECT v.challenge_id, s.user_id AS voted_for_user_id, v.voted_at FROM challenge_votes v "
                "JOIN challenge_submissions s ON s.id = v.submission_id "
                "WHERE v.guild_id = ? AND v.user_id = ?"
            ),
        }
        return {name: listed for name, listed in found.items() if listed}  # a member with none: nothing

    def forget_member(self, guild_id: int, user_id: int) -> dict[str, int]:
        """Delete the member's joins, submissions (with the votes on them) and votes (DMs: deliveries)."""
        removed: dict[str, int] = {}
        params = [guild_id, user_id]
        with self.core.write():
            removed["challenge_votes"] = self.core.execute(
                "DELETE FROM challenge_votes WHERE guild_id = ? AND (user_id = ?2 OR submission_id IN "
                "(SELECT id FROM challenge_submissions WHERE guild_id = ?1 AND user_id = ?2))",
                params,
            ).rowcount
            for table in ("challenge_submissions", "challenge_participants"):
                removed[table] = self.core.execute(
                    f"DELETE FROM {table} WHERE guild_id = ? AND user_id = ?", params
                ).rowcount
            # A moderator's challenges stay (they belong to the server); only the link to them goes.
            removed["challenges"] = self.core.execute(
                "UPDATE challenges SET created_by = NULL WHERE guild_id = ? AND created_by = ?", params
            ).rowcount
        return {table: n for table, n in removed.items() if n}  # only what was touched, like /mydata shows

    def forget_guild(self, guild_id: int) -> dict[str, int]:
        """Delete every challenge of one server with its joins, submissions and votes (steps: deliveries)."""
        removed: dict[str, int] = {}
        with self.core.write():
            for table in (
                "challenge_votes", "challenge_submissions", "challenge_participants",
                "challenges",
            ):  # fmt: skip
                sql = f"DELETE FROM {table} WHERE guild_id = ?"
                removed[table] = self.core.execute(sql, [guild_id]).rowcount
        return {table: n for table, n in removed.items() if n}


def _seconds(delta: timedelta | None) -> int | None:
    return int(delta.total_seconds()) if delta is not None else None
