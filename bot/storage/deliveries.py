"""The delivery log: every scheduled send as one row, keyed (schedule, slot, recipient), that goes
pending -> sending -> sent, or failed / skipped with a reason.

It is generic on purpose: learning prompts use it now and challenge steps (announce, remind, close) will
next. A delivery has a `kind` (what to send, e.g. "learning.dm"), a `schedule` (the owner key, e.g.
"learning:dm:<guild>:<user>"), a `slot` (which occurrence, e.g. the local date "2026-03-29"), a `recipient`
(the user or channel id it goes to) and a `payload` (a reference to the content, e.g. a prompt id).

At-most-once comes from two things: the UNIQUE key, so planning a slot twice inserts one row; and `claim()`,
which moves a row to `sending` in one UPDATE before any request leaves, so two senders can never both own it.
A row left in `sending` by a crash is resent with the same nonce (Discord returns the first message instead
of posting again) if the claim is recent enough for Discord's nonce window, else given up as failed.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.clock import iso
from bot.storage.core import Area


class Status(StrEnum):
    """Where a delivery is in its life."""

    PENDING = "pending"  # planned, waiting for its time (or for a retry)
    SENDING = "sending"  # claimed by a sender; a request may be in flight
    SENT = "sent"
    FAILED = "failed"  # gave up: reason says why (DMs closed, no access, retries exhausted)
    SKIPPED = "skipped"  # deliberately not sent: reason says why (missed beyond the catch-up window)


FINAL = (Status.SENT, Status.FAILED, Status.SKIPPED)
_COLUMNS = (
    "id, kind, schedule, slot, recipient, guild_id, user_id, due_at, not_before, status, reason, "
    "attempts, payload, message_id, claimed_at, updated_at"
)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One row of the log."""

    id: int
    kind: str
    schedule: str
    slot: str
    recipient: int
    guild_id: int | None
    user_id: int | None
    due_at: datetime
    not_before: datetime
    status: Status
    reason: str | None
    attempts: int
    payload: str | None
    message_id: int | None
    claimed_at: datetime | None
    updated_at: datetime

    @property
    def key(self) -> str:
        """The unique key as one string (the nonce is derived from it)."""
        return f"{self.schedule}|{self.slot}|{self.recipient}"


def _delivery(row: tuple[Any, ...]) -> Delivery:
    (id_, kind, schedule, slot, recipient, guild, user, due, not_before, status, reason, attempts) = row[:12]
    payload, message_id, claimed_at, updated_at = row[12:]
    return Delivery(
        id=id_,
        kind=kind,
        schedule=schedule,
        slot=slot,
        recipient=recipient,
        guild_id=guild,
        user_id=user,
        due_at=datetime.fromisoformat(due),
        not_before=datetime.fromisoformat(not_before),
        status=Status(status),
        reason=reason,
        attempts=attempts,
        payload=payload,
        message_id=message_id,
        claimed_at=datetime.fromisoformat(claimed_at) if claimed_at else None,
        updated_at=datetime.fromisoformat(updated_at),
    )


class DeliveryLog(Area):
    """deliveries: the source of truth for what was, or will be, sent."""

    MEMBER_TABLES = ("deliveries",)

    def plan(
        self,
        *,
        kind: str,
        schedule: str,
        slot: str,
        recipient: int,
        due_at: datetime,
        guild_id: int | None = None,
        user_id: int | None = None,
        payload: str | None = None,
        status: Status = Status.PENDING,
        reason: str | None = None,
    ) -> Delivery | None:
        """Insert a delivery unless its (schedule, slot, recipient) exists; return the new row, or None.

        `status=SKIPPED` records a slot that will never be sent (missed beyond the catch-up window), so it
        shows in the operators' log and is never planned again.
        """
        now = self.core.now()
        try:
            cursor = self.core.execute(
                "INSERT INTO deliveries (kind, schedule, slot, recipient, guild_id, user_id, due_at, "
                "not_before, status, reason, payload, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    *(kind, schedule, slot, recipient, guild_id, user_id, iso(due_at), iso(due_at)),
                    *(status.value, reason, payload, now, now),
                ],
            )
        except sqlite3.IntegrityError:
            return None
        return self.get(int(cursor.lastrowid or 0))

    def exists(self, schedule: str, slot: str, recipient: int) -> bool:
        """Whether a slot was already planned for a recipient (whatever became of it)."""
        row = self.core.execute(
            "SELECT 1 FROM deliveries WHERE schedule = ? AND slot = ? AND recipient = ?",
            [schedule, slot, recipient],
        ).fetchone()
        return row is not None

    def get(self, delivery_id: int) -> Delivery | None:
        """One delivery by id."""
        row = self.core.execute(f"SELECT {_COLUMNS} FROM deliveries WHERE id = ?", [delivery_id]).fetchone()
        return _delivery(row) if row else None

    def ready(self, now: datetime, limit: int = 10_000) -> list[Delivery]:
        """Pending deliveries whose time (or retry time) has come, oldest due first."""
        rows = self.core.execute(
            f"SELECT {_COLUMNS} FROM deliveries WHERE status = 'pending' AND not_before <= ? "
            "ORDER BY not_before, id LIMIT ?",
            [iso(now), limit],
        ).fetchall()
        return [_delivery(r) for r in rows]

    def next_ready_at(self) -> datetime | None:
        """When the earliest pending delivery (a retry, usually) becomes ready."""
        row = self.core.execute("SELECT MIN(not_before) FROM deliveries WHERE status = 'pending'").fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def in_flight(self) -> list[Delivery]:
        """Deliveries left in `sending`: a crash (or kill -9) happened between claim and result."""
        rows = self.core.execute(
            f"SELECT {_COLUMNS} FROM deliveries WHERE status = 'sending' ORDER BY id"
        ).fetchall()
        return [_delivery(r) for r in rows]

    def claim(self, delivery_id: int, *, resume: bool = False) -> Delivery | None:
        """Make this process the delivery's only sender: pending -> sending, attempts + 1.

        Returns None if it is not pending (already sent, or claimed meanwhile). `resume=True` re-claims a
        row left in `sending` by a crash, keeping its first claim time (the nonce window counts from it).
        """
        now = self.core.now()
        if resume:
            cursor = self.core.execute(
                "UPDATE deliveries SET attempts = attempts + 1, updated_at = ? "
                "WHERE id = ? AND status = 'sending'",
                [now, delivery_id],
            )
        else:
            cursor = self.core.execute(
                "UPDATE deliveries SET status = 'sending', attempts = attempts + 1, claimed_at = ?, "
                "updated_at = ? WHERE id = ? AND status = 'pending'",
                [now, now, delivery_id],
            )
        return self.get(delivery_id) if cursor.rowcount == 1 else None

    def _finish(self, delivery_id: int, status: Status, reason: str | None, message_id: int | None) -> None:
        self.core.execute(
            "UPDATE deliveries SET status = ?, reason = ?, message_id = COALESCE(?, message_id), "
            "updated_at = ? WHERE id = ?",
            [status.value, reason, message_id, self.core.now(), delivery_id],
        )

    def mark_sent(self, delivery_id: int, message_id: int | None, note: str | None = None) -> None:
        """The message exists on Discord (`note`: something that went wrong after, e.g. no thread)."""
        self._finish(delivery_id, Status.SENT, note, message_id)

    def mark_failed(self, delivery_id: int, reason: str) -> None:
        """Give up on a delivery, with the reason operators will read."""
        self._finish(delivery_id, Status.FAILED, reason, None)

    def mark_skipped(self, delivery_id: int, reason: str) -> None:
        """Decide not to send a planned delivery (its schedule was paused or removed, for instance)."""
        self._finish(delivery_id, Status.SKIPPED, reason, None)

    def retry_at(self, delivery_id: int, when: datetime, reason: str) -> None:
        """Put a delivery back to pending until `when` (after a 5xx or a timeout)."""
        self.core.execute(
            "UPDATE deliveries SET status = 'pending', not_before = ?, reason = ?, updated_at = ? "
            "WHERE id = ?",
            [iso(when), reason, self.core.now(), delivery_id],
        )

    def skip_pending(self, schedule: str, reason: str) -> int:
        """Skip every pending delivery of a schedule (paused, removed, unsubscribed); return how many."""
        cursor = self.core.execute(
            "UPDATE deliveries SET status = 'skipped', reason = ?, updated_at = ? "
            "WHERE schedule = ? AND status = 'pending'",
            [reason, self.core.now(), schedule],
        )
        return cursor.rowcount

    def since(self, since: datetime, *, limit: int = 200, schedule_prefix: str = "") -> list[Delivery]:
        """Deliveries last changed at or after `since`, newest first (the operators' log)."""
        rows = self.core.execute(
            f"SELECT {_COLUMNS} FROM deliveries WHERE updated_at >= ? AND schedule LIKE ? "
            "ORDER BY updated_at DESC, id DESC LIMIT ?",
            [iso(since), schedule_prefix.replace("%", "") + "%", limit],
        ).fetchall()
        return [_delivery(r) for r in rows]

    def counts(self, schedule_prefix: str = "") -> dict[str, int]:
        """Deliveries per status (for the benchmark and the operators' summary)."""
        rows = self.core.execute(
            "SELECT status, COUNT(*) FROM deliveries WHERE schedule LIKE ? GROUP BY status",
            [schedule_prefix.replace("%", "") + "%"],
        ).fetchall()
        return {status: n for status, n in rows}

    def export_member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """The member's personal deliveries (DMs to them) in this server."""
        rows = self.core.execute(
            "SELECT kind, slot, due_at, status, reason, payload, updated_at FROM deliveries "
            "WHERE guild_id = ? AND user_id = ? ORDER BY due_at",
            [guild_id, user_id],
        ).fetchall()
        keys = ("kind", "slot", "due_at", "status", "reason", "payload", "updated_at")
        return {"deliveries": [dict(zip(keys, r, strict=True)) for r in rows]}

    def prune(self, before: str) -> dict[str, int]:
        """Delete finished sends (sent, failed, skipped) due before an ISO UTC instant: the log's retention.

        Safe for exactly-once: the planners never plan a slot that old again (catch-up is hours, not days),
        and pending or in-flight rows are never touched.
        """
        cursor = self.core.execute(
            "DELETE FROM deliveries WHERE status IN ('sent', 'failed', 'skipped') AND due_at < ?", [before]
        )
        return {"deliveries": cursor.rowcount}

    def forget_guild(self, guild_id: int) -> dict[str, int]:
        """Delete every delivery of one server (channel posts and members' DMs)."""
        cursor = self.core.execute("DELETE FROM deliveries WHERE guild_id = ?", [guild_id])
        return {"deliveries": cursor.rowcount}

    def forget_member(self, guild_id: int, user_id: int) -> dict[str, int]:
        """Delete the member's personal deliveries in this server."""
        cursor = self.core.execute(
            "DELETE FROM deliveries WHERE guild_id = ? AND user_id = ?", [guild_id, user_id]
        )
        return {"deliveries": cursor.rowcount}
