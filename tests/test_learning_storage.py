"""The learning storage areas and the [learning] settings, on a real SQLite file."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.config import ConfigError, load_config
from bot.learning import KIND_DM, member_streak
from bot.slots import ALL_DAYS
from bot.storage import Status, Storage


@pytest.fixture
def storage(tmp_path: Path) -> Storage:
    s = Storage(tmp_path / "s.db", clock=ManualClock(datetime(2026, 1, 5, 12, 0, tzinfo=UTC)))
    s.migrate()
    return s


def test_the_delivery_key_is_unique_in_the_schema_itself(storage: Storage, tmp_path: Path) -> None:
    """Even a write that bypasses the area cannot create a second row for one (schedule, slot, recipient)."""
    due = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    assert storage.deliveries.plan(kind=KIND_DM, schedule="s", slot="d", recipient=1, due_at=due)
    with pytest.raises(sqlite3.IntegrityError):
        storage.core.execute(
            "INSERT INTO deliveries (kind, schedule, slot, recipient, due_at, not_before, created_at, updated_at) "
            "VALUES ('x', 's', 'd', 1, '', '', '', '')"
        )


def test_a_delivery_is_claimed_by_one_sender_only(storage: Storage) -> None:
    """The second claim of a pending row gets nothing: two wake-ups can never both send it."""
    row = storage.deliveries.plan(
        kind=KIND_DM, schedule="s", slot="d", recipient=1, due_at=storage.core.clock.now()
    )
    assert row is not None
    first = storage.deliveries.claim(row.id)
    assert first is not None and first.status is Status.SENDING and first.attempts == 1
    assert storage.deliveries.claim(row.id) is None
    storage.deliveries.mark_sent(row.id, 5)
    assert (
        storage.deliveries.claim(row.id) is None and storage.deliveries.ready(storage.core.clock.now()) == []
    )


def test_pause_resume_and_remove_channel(storage: Storage) -> None:
    """Pausing reports a change only once (moderators are told once); resume moves active_since to now."""
    storage.learning.set_channel(1, 10, frozenset({1, 3}), time(18, 0), "Europe/Berlin", set_by=99)
    assert storage.learning.pause_channel(1, "no access") is True
    assert storage.learning.pause_channel(1, "no access") is False
    storage.core.clock.advance(timedelta(days=2))  # type: ignore[attr-defined]
    assert storage.learning.resume_channel(1)
    resumed = storage.learning.channel(1)
    assert resumed is not None and not resumed.paused and resumed.active_since == storage.core.clock.now()
    assert storage.learning.remove_channel(1) and storage.learning.channel(1) is None


def test_streak_counts_weeks_with_a_done_in_the_members_zone(storage: Storage) -> None:
    """Done in three consecutive weeks is a streak of 3; a week without one breaks it."""
    storage.learning.subscribe(1, 7, "daily", ALL_DAYS, time(9, 0), "UTC")
    clock = storage.core.clock
    for week, delivery in ((0, 1), (1, 2), (2, 3)):
        clock.set(datetime(2026, 1, 5, 12, 0, tzinfo=UTC) + timedelta(weeks=week))  # type: ignore[attr-defined]
        assert storage.learning.complete(1, 7, delivery, "p")
    assert not storage.learning.complete(1, 7, 3, "p")  # the same prompt twice counts once
    assert member_streak(storage.learning, 1, 7, clock.now()) == 3
    assert member_streak(storage.learning, 1, 7, clock.now() + timedelta(weeks=2)) == 0


def test_learning_settings_defaults_and_ranges(tmp_path: Path) -> None:
    """catch_up_hours defaults to 6 and max_sends_per_second stays well under Discord's 50/s."""
    config = load_config(None)
    assert config.learning.catch_up_hours == 6 and config.learning.max_sends_per_second <= 25
    path = tmp_path / "c.toml"
    path.write_text("[learning]\nmax_sends_per_second = 60\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[learning\] max_sends_per_second: must be between"):
        load_config(path)
    path.write_text("[learning]\ncatch_up_hours = 12\n", encoding="utf-8")
    assert load_config(path).learning.catch_up_hours == 12


def test_prune_drops_old_finished_sends_and_never_pending_ones(storage: Storage) -> None:
    """The delivery log expires like the question log: finished rows past the cutoff go, pending ones stay."""
    old = datetime(2025, 9, 1, 12, 0, tzinfo=UTC)
    recent = datetime(2026, 1, 4, 12, 0, tzinfo=UTC)
    sent = storage.deliveries.plan(kind=KIND_DM, schedule="s", slot="old-sent", recipient=1, due_at=old)
    skipped = storage.deliveries.plan(
        kind=KIND_DM,
        schedule="s",
        slot="old-skip",
        recipient=1,
        due_at=old,
        status=Status.SKIPPED,
        reason="x",
    )
    pending = storage.deliveries.plan(kind=KIND_DM, schedule="s", slot="old-pending", recipient=1, due_at=old)
    fresh = storage.deliveries.plan(kind=KIND_DM, schedule="s", slot="new", recipient=1, due_at=recent)
    assert sent and skipped and pending and fresh
    assert storage.deliveries.claim(sent.id)
    storage.deliveries.mark_sent(sent.id, 5)
    assert storage.deliveries.claim(fresh.id)
    storage.deliveries.mark_sent(fresh.id, 6)
    cutoff = (datetime(2026, 1, 5, 12, 0, tzinfo=UTC) - timedelta(days=90)).isoformat(timespec="seconds")
    assert storage.deliveries.prune(cutoff) == {"deliveries": 2}
    left = {row[0] for row in storage.core.execute("SELECT slot FROM deliveries")}
    assert left == {"old-pending", "new"}
