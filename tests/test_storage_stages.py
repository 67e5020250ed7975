"""Career-stage storage on a real SQLite file: per-server records, history, checklist, roles, a member's data,
and the structural rule that every table holding a user id is covered by some area's MEMBER_TABLES."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from bot.clock import ManualClock, iso
from bot.storage import Storage


def open_storage(path: Path, clock: ManualClock | None = None) -> Storage:
    storage = Storage(path, clock=clock)
    storage.migrate()
    return storage


def test_stage_is_per_server_and_survives_reopening(tmp_path: Path) -> None:
    """The same person in two servers is two records, both read back after the file is reopened."""
    path = tmp_path / "m.db"
    storage = open_storage(path)
    assert storage.stages.current(1, 7) is None
    storage.stages.set_stage(1, 7, "intern", "started at a studio")
    storage.stages.set_stage(2, 7, "producer")
    assert storage.stages.current(1, 7) == "intern"
    storage.close()
    reopened = open_storage(path)
    assert reopened.stages.current(1, 7) == "intern"
    assert reopened.stages.current(2, 7) == "producer"
    record = reopened.stages.get(1, 7)
    assert record.stage == "intern" and record.since is not None and record.visible is False
    reopened.close()


def test_history_is_append_only_and_newest_first(tmp_path: Path) -> None:
    """Each move adds a row (from, to, note, when); setting the same stage again adds nothing."""
    clock = ManualClock()
    storage = open_storage(tmp_path / "m.db", clock)
    first = storage.stages.set_stage(1, 7, "exploring")
    clock.advance(timedelta(days=3))
    second = storage.stages.set_stage(1, 7, "learning", "enrolled")
    assert storage.stages.set_stage(1, 7, "learning", "again") is None
    assert first is not None and first.from_stage is None
    assert second is not None and second.from_stage == "exploring"
    history = storage.stages.history(1, 7)
    assert [(h.from_stage, h.to_stage, h.note) for h in history] == [
        ("exploring", "learning", "enrolled"),
        (None, "exploring", None),
    ]
    assert history[0].changed_at == iso(clock.now())
    assert storage.stages.get(1, 7).since == iso(clock.now())
    storage.close()


def test_current_cache_follows_every_write(tmp_path: Path) -> None:
    """current() is cached, yet reflects a change and a forget made through the store at once."""
    storage = open_storage(tmp_path / "m.db")
    assert storage.stages.current(1, 7) is None  # cached as "none"
    storage.stages.set_stage(1, 7, "intern")
    assert storage.stages.current(1, 7) == "intern"
    storage.forget_member(1, 7)
    assert storage.stages.current(1, 7) is None
    storage.close()


def test_checklist_toggles_and_is_per_server(tmp_path: Path) -> None:
    """A milestone ticks, unticks, and ticking it in one server leaves the other untouched."""
    storage = open_storage(tmp_path / "m.db")
    assert storage.stages.toggle_item(1, 7, "finish-a-track", "learning") is True
    assert storage.stages.checklist_done(1, 7) == {"finish-a-track"}
    assert storage.stages.checklist_done(2, 7) == set()
    assert storage.stages.toggle_item(1, 7, "finish-a-track", "learning") is False
    assert storage.stages.checklist_done(1, 7) == set()
    storage.close()


def test_visibility_can_be_chosen_before_a_stage(tmp_path: Path) -> None:
    """Choosing visibility first makes a record without a stage; the stage set later keeps the choice."""
    storage = open_storage(tmp_path / "m.db")
    storage.stages.set_visible(1, 7, True)
    assert storage.stages.get(1, 7).visible and storage.stages.current(1, 7) is None
    storage.stages.set_stage(1, 7, "intern")
    assert storage.stages.get(1, 7).visible
    assert storage.stages.stats(1, "1970").members == {"intern": 1}
    storage.close()


def test_stats_count_members_and_recent_changes_per_server(tmp_path: Path) -> None:
    """Members per stage now, and changes since a cut-off; another server's rows never count."""
    clock = ManualClock()
    storage = open_storage(tmp_path / "m.db", clock)
    storage.stages.set_stage(1, 1, "exploring")
    clock.advance(timedelta(days=40))
    cutoff = iso(clock.now())
    storage.stages.set_stage(1, 1, "learning")
    storage.stages.set_stage(1, 2, "learning")
    storage.stages.set_stage(2, 3, "producer")
    stats = storage.stages.stats(1, cutoff)
    assert stats.members == {"learning": 2}
    assert stats.changes == 2 and stats.arrivals == {"learning": 2}
    storage.close()


def test_stage_roles_per_server(tmp_path: Path) -> None:
    """Roles map per server; None removes one mapping, clear_roles removes them all."""
    storage = open_storage(tmp_path / "m.db")
    storage.stages.set_role(1, "intern", 11)
    storage.stages.set_role(1, "producer", 12)
    storage.stages.set_role(1, "intern", 13)
    storage.stages.set_role(2, "intern", 21)
    assert storage.stages.roles(1) == {"intern": 13, "producer": 12}
    storage.stages.set_role(1, "producer", None)
    assert storage.stages.roles(1) == {"intern": 13}
    assert storage.stages.clear_roles(1) == 1
    assert storage.stages.roles(1) == {} and storage.stages.roles(2) == {"intern": 21}
    storage.close()


def test_export_and_forget_reach_every_member_row(tmp_path: Path) -> None:
    """A member's export lists their stage, history and checklist; forget deletes exactly those rows."""
    path = tmp_path / "m.db"
    storage = open_storage(path)
    storage.stages.set_stage(1, 7, "exploring")
    storage.stages.set_stage(1, 7, "learning", "note")
    storage.stages.toggle_item(1, 7, "finish-a-track", "learning")
    storage.stages.set_stage(1, 8, "intern")  # someone else
    storage.stages.set_stage(2, 7, "intern")  # the same person elsewhere
    exported = storage.export_member(1, 7)
    assert exported["stage"]["stage"] == "learning"
    assert [h["to"] for h in exported["stage_history"]] == ["exploring", "learning"]
    assert exported["stage_checklist"][0]["item"] == "finish-a-track"
    removed = storage.forget_member(1, 7)
    assert removed["member_stages"] == 1 and removed["stage_history"] == 2 and removed["stage_checklist"] == 1
    assert storage.export_member(1, 7)["stage"] is None
    storage.close()
    with sqlite3.connect(path) as conn:
        for table in ("member_stages", "stage_history", "stage_checklist"):
            left = conn.execute(f"SELECT COUNT(*) FROM {table} WHERE guild_id = 1 AND user_id = 7").fetchone()
            assert left[0] == 0, table
        assert conn.execute("SELECT COUNT(*) FROM member_stages").fetchone()[0] == 2


def test_every_table_with_a_user_id_is_covered_by_an_area(tmp_path: Path) -> None:
    """Introspect the migrated schema: any table with a user id column must be in some MEMBER_TABLES."""
    storage = open_storage(tmp_path / "m.db")
    covered = {t for area in storage.areas for t in area.MEMBER_TABLES}
    with_user = set()
    for table in storage.core.db.table_names():
        columns = {c.name for c in storage.core.db.table(table).columns}
        if columns & {"user_id", "member_id", "author_id"}:
            with_user.add(table)
    assert with_user, "the schema has member tables"
    assert with_user <= covered, f"not covered by any area's MEMBER_TABLES: {sorted(with_user - covered)}"
    assert covered <= set(storage.core.db.table_names()), "an area lists a table that does not exist"
    storage.close()


def test_forget_guild_removes_only_that_server(tmp_path: Path) -> None:
    """A removed server's stages, history, checklists and roles go; another server's stay, cache included."""
    storage = open_storage(tmp_path / "m.db")
    storage.stages.set_stage(1, 7, "intern")
    storage.stages.toggle_item(1, 7, "set-up-a-session", "intern")
    storage.stages.set_role(1, "intern", 11)
    storage.stages.set_stage(2, 7, "producer")
    assert storage.stages.current(1, 7) == "intern"
    removed = storage.stages.forget_guild(1)
    assert removed == {"member_stages": 1, "stage_history": 1, "stage_checklist": 1, "stage_roles": 1}
    assert storage.stages.current(1, 7) is None and storage.stages.roles(1) == {}
    assert storage.stages.current(2, 7) == "producer"
    storage.close()
