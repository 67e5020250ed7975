"""Career stages per member per server: the current stage, its append-only history, checklist progress, the
visibility flag, and the moderators' stage roles.

The same person in two servers is two records: every key starts with the server. Stage ids are plain text
here (validated by the caller against `bot.stages.Stage`), so a stage renamed in the content later does not
need a migration to read old rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.storage.core import Area, Core

NOTE_MAX = 200  # a note is one line of context, not a diary (the command refuses nothing: it clips)
HISTORY_MAX = 25  # changes /stage history shows (an embed's worth)
CURRENT_CACHE_MAX = 50_000  # (server, member) stages kept in memory; past it the cache starts over


@dataclass(frozen=True, slots=True)
class MemberStage:
    """A member's record in one server: the stage (None if never set), since when, and who may see it."""

    guild_id: int
    user_id: int
    stage: str | None
    since: str | None  # ISO UTC text, as every timestamp column
    visible: bool


@dataclass(frozen=True, slots=True)
class StageChange:
    """One row of the history: from (None for the first), to, the note, when."""

    from_stage: str | None
    to_stage: str
    note: str | None
    changed_at: str


@dataclass(frozen=True, slots=True)
class StageStats:
    """How one server's members spread along the path, and how much moved lately."""

    members: dict[str, int]  # stage -> members there now
    changes: int  # stage changes since the cut-off
    arrivals: dict[str, int]  # stage -> changes into it since the cut-off


class StageStore(Area):
    """member_stages, stage_history, stage_checklist (member rows) and stage_roles (per server)."""

    MEMBER_TABLES = ("member_stages", "stage_history", "stage_checklist")

    def __init__(self, core: Core) -> None:
        super().__init__(core)
        self._current: dict[tuple[int, int], str | None] = {}

    # --- the current stage -----------------------------------------------------------------------

    def current(self, guild_id: int, user_id: int) -> str | None:
        """Return the member's stage in this server, or None.

        Read for every answer (stage-aware search), so it is cached: this process is the database's only
        writer (runtime.py's lock file), and every write here updates the cache in the same call.
        """
        key = (guild_id, user_id)
        if key in self._current:  # None is cached too: "never set one" is the common answer
            return self._current[key]
        row = self.core.execute(
            "SELECT stage FROM member_stages WHERE guild_id = ? AND user_id = ?", key
        ).fetchone()
        stage = row[0] if row else None
        if len(self._current) >= CURRENT_CACHE_MAX:
            self._current.clear()
        self._current[key] = stage
        return stage

    def get(self, guild_id: int, user_id: int) -> MemberStage:
        """Return the member's record (stage None and private when they never set anything)."""
        row = self.core.execute(
            "SELECT stage, since, visible FROM member_stages WHERE guild_id = ? AND user_id = ?",
            [guild_id, user_id],
        ).fetchone()
        if row is None:
            return MemberStage(guild_id, user_id, None, None, False)
        return MemberStage(guild_id, user_id, row[0], row[1], bool(row[2]))

    def set_stage(
        self, guild_id: int, user_id: int, stage: str, note: str | None = None
    ) -> StageChange | None:
        """Move the member to `stage` and append the change to the history, in one transaction.

        Return the change, or None when they were already there (nothing is written: history records moves).
        """
        note = note[:NOTE_MAX] if note else None
        key = (guild_id, user_id)
        self._current.pop(key, None)  # re-read after a rollback, never a stage that was not stored
        with self.core.write():
            before = self.get(guild_id, user_id)
            if before.stage == stage:
                return None
            now = self.core.now()
            self.core.execute(
                "INSERT INTO member_stages (guild_id, user_id, stage, since, visible, updated_at) "
                "VALUES (?, ?, ?, ?, 0, ?) ON CONFLICT (guild_id, user_id) "
                "DO UPDATE SET stage = excluded.stage, since = excluded.since, "
                "updated_at = excluded.updated_at",
                [guild_id, user_id, stage, now, now],
            )
            self.core.execute(
                "INSERT INTO stage_history (guild_id, user_id, from_stage, to_stage, note, changed_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [guild_id, user_id, before.stage, stage, note, now],
            )
        self._current[key] = stage
        return StageChange(before.stage, stage, note, now)

    def set_visible(self, guild_id: int, user_id: int, visible: bool) -> None:
        """Let other members of this server see the member's stage (or hide it again)."""
        now = self.core.now()
        self.core.execute(
            "INSERT INTO member_stages (guild_id, user_id, stage, since, visible, updated_at) "
            "VALUES (?, ?, NULL, NULL, ?, ?) ON CONFLICT (guild_id, user_id) "
            "DO UPDATE SET visible = excluded.visible, updated_at = excluded.updated_at",
            [guild_id, user_id, int(visible), now],
        )

    def history(self, guild_id: int, user_id: int, limit: int = HISTORY_MAX) -> list[StageChange]:
        """Return the member's latest stage changes in this server, newest first."""
        rows = self.core.execute(
            "SELECT from_stage, to_stage, note, changed_at FROM stage_history "
            "WHERE guild_id = ? AND user_id = ? ORDER BY id DESC LIMIT ?",
            [guild_id, user_id, limit],
        ).fetchall()
        return [StageChange(*row) for row in rows]

    # --- checklist ---------------------------------------------------------------------------------

    def checklist_done(self, guild_id: int, user_id: int) -> set[str]:
        """Return the ids of the milestones the member has ticked in this server."""
        rows = self.core.execute(
            "SELECT item_id FROM stage_checklist WHERE guild_id = ? AND user_id = ?", [guild_id, user_id]
        ).fetchall()
        return {r[0] for r in rows}

    def toggle_item(self, guild_id: int, user_id: int, item_id: str, stage: str) -> bool:
        """Tick a milestone, or untick it if it was ticked; return whether it is ticked now."""
        with self.core.write():
            removed = self.core.execute(
                "DELETE FROM stage_checklist WHERE guild_id = ? AND user_id = ? AND item_id = ?",
                [guild_id, user_id, item_id],
            ).rowcount
            if removed:
                return False
            self.core.execute(
                "INSERT INTO stage_checklist (guild_id, user_id, item_id, stage, done_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [guild_id, user_id, item_id, stage, self.core.now()],
            )
        return True

    # --- moderators' view ----------------------------------------------------------------------------

    def stats(self, guild_id: int, since: str) -> StageStats:
        """Return members per stage in this server and the changes made at or after `since` (ISO UTC)."""
        members = self.core.execute(
            "SELECT stage, COUNT(*) FROM member_stages WHERE guild_id = ? AND stage IS NOT NULL "
            "GROUP BY stage",
            [guild_id],
        ).fetchall()
        arrivals = self.core.execute(
            "SELECT to_stage, COUNT(*) FROM stage_history WHERE guild_id = ? AND changed_at >= ? "
            "GROUP BY to_stage",
            [guild_id, since],
        ).fetchall()
        moved = {s: n for s, n in arrivals}
        return StageStats(members={s: n for s, n in members}, changes=sum(moved.values()), arrivals=moved)

    def roles(self, guild_id: int) -> dict[str, int]:
        """Return the server's stage roles: stage -> role id (empty when it uses none)."""
        rows = self.core.execute(
            "SELECT stage, role_id FROM stage_roles WHERE guild_id = ? ORDER BY stage", [guild_id]
        ).fetchall()
        return {s: r for s, r in rows}

    def set_role(self, guild_id: int, stage: str, role_id: int | None) -> None:
        """Give a stage a role in this server, or (None) stop giving one."""
        if role_id is None:
            self.core.execute("DELETE FROM stage_roles WHERE guild_id = ? AND stage = ?", [guild_id, stage])
            return
        self.core.execute(
            "INSERT INTO stage_roles (guild_id, stage, role_id, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (guild_id, stage) DO UPDATE SET role_id = excluded.role_id, "
            "updated_at = excluded.updated_at",
            [guild_id, stage, role_id, self.core.now()],
        )

    def clear_roles(self, guild_id: int) -> int:
        """Stop giving stage roles in this server; return how many mappings went."""
        return self.core.execute("DELETE FROM stage_roles WHERE guild_id = ?", [guild_id]).rowcount

    def forget_guild(self, guild_id: int) -> dict[str, int]:
        """Delete every stage row of one server (members, history, checklists, stage roles)."""
        removed: dict[str, int] = {}
        with self.core.write():
            for table in (*self.MEMBER_TABLES, "stage_roles"):
                removed[table] = self.core.execute(
                    f"DELETE FROM {table} WHERE guild_id = ?",  # our own table names
                    [guild_id],
                ).rowcount
        for key in [k for k in self._current if k[0] == guild_id]:
            del self._current[key]
        return removed

    # --- a member's data -----------------------------------------------------------------------------

    def export_member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """Return the member's stage, visibility, full history and ticked milestones in this server."""
        record = self.get(guild_id, user_id)
        history = self.core.execute(
            "SELECT from_stage, to_stage, note, changed_at FROM stage_history "
            "WHERE guild_id = ? AND user_id = ? ORDER BY id",
            [guild_id, user_id],
        ).fetchall()
        checklist = self.core.execute(
            "SELECT item_id, stage, done_at FROM stage_checklist WHERE guild_id = ? AND user_id = ? "
            "ORDER BY done_at, item_id",
            [guild_id, user_id],
        ).fetchall()
        exists = record.stage is not None or record.visible or history or checklist
        return {
            "stage": (
                {"stage": record.stage, "since": record.since, "visible_to_others": record.visible}
                if exists
                else None
            ),
            "stage_history": [{"from": f, "to": t, "note": n, "changed_at": c} for f, t, n, c in history],
            "stage_checklist": [{"item": i, "stage": s, "done_at": d} for i, s, d in checklist],
        }

    def forget_member(self, guild_id: int, user_id: int) -> dict[str, int]:
        """Delete the member's stage, history and checklist in this server, in one transaction."""
        removed: dict[str, int] = {}
        with self.core.write():
            for table in self.MEMBER_TABLES:
                removed[table] = self.core.execute(
                    f"DELETE FROM {table} WHERE guild_id = ? AND user_id = ?",  # our own table names
                    [guild_id, user_id],
                ).rowcount
        self._current.pop((guild_id, user_id), None)
        return removed
