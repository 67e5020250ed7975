"""`studio-mentor learning upcoming|deliveries`: read from the database, no Discord, as a real subprocess."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from bot.learning import KIND_DM
from bot.slots import ALL_DAYS
from bot.storage import Status, Storage
from tests.test_cli import cli


def make_db(tmp_path: Path) -> Path:
    """A database with one member's daily subscription and three deliveries (sent, failed, skipped)."""
    path = tmp_path / "mentor.db"
    storage = Storage(path)
    storage.migrate()
    storage.learning.subscribe(1, 7, "daily", ALL_DAYS, time(18, 0), "Europe/Berlin")
    storage.learning.subscribe(1, 8, "daily", ALL_DAYS, time(9, 0), "UTC")
    storage.learning.pause_subscription(1, 8, "paused by you")
    due = datetime.now(UTC) - timedelta(hours=2)
    for slot, status, reason in (
        ("a", Status.SENT, None),
        ("b", Status.FAILED, "DM refused"),
        ("c", Status.SKIPPED, "missed"),
    ):
        row = storage.deliveries.plan(
            kind=KIND_DM,
            schedule="learning:dm:1:7",
            slot=slot,
            recipient=7,
            due_at=due,
            guild_id=1,
            user_id=7,
        )
        assert row is not None
        if status is Status.SENT:
            storage.deliveries.mark_sent(row.id, 99)
        elif status is Status.FAILED:
            storage.deliveries.mark_failed(row.id, reason or "")
        else:
            storage.deliveries.mark_skipped(row.id, reason or "")
    storage.close()
    (tmp_path / "config.toml").write_text('[bot]\ndatabase = "mentor.db"\n', encoding="utf-8")
    return tmp_path / "config.toml"


def test_upcoming_lists_running_schedules_only(tmp_path: Path) -> None:
    """Two days ahead: the running daily subscription twice, the paused one never."""
    config = make_db(tmp_path)
    run = cli("--config", str(config), "learning", "upcoming", "--hours", "48")
    assert run.returncode == 0, run.stderr
    lines = [line for line in run.stdout.splitlines() if "learning.dm" in line]
    assert len(lines) == 2 and all("user 7" in line for line in lines)
    assert all(":00 UTC" in line for line in lines)  # 18:00 Berlin is 16:00 or 17:00 UTC


def test_deliveries_shows_sent_failed_and_skipped_with_reasons(tmp_path: Path) -> None:
    """The log lists each outcome and its reason, with a summary line."""
    config = make_db(tmp_path)
    run = cli("--config", str(config), "learning", "deliveries", "--since", "1d")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[0].endswith("1 failed, 1 sent, 1 skipped")
    assert "DM refused" in run.stdout and "missed" in run.stdout
    later = cli("--config", str(config), "learning", "deliveries", "--since", "2999-01-01")
    assert "none" in later.stdout.splitlines()[0]
    bad = cli("--config", str(config), "learning", "deliveries", "--since", "yesterday-ish")
    assert bad.returncode == 2 and "24h" in bad.stdout


def test_missing_database_is_reported_not_created(tmp_path: Path) -> None:
    """No database yet: say so, exit 1, and create nothing."""
    (tmp_path / "config.toml").write_text('[bot]\ndatabase = "none.db"\n', encoding="utf-8")
    run = cli("--config", str(tmp_path / "config.toml"), "learning", "upcoming")
    assert run.returncode == 1 and "no database" in run.stdout
    assert not (tmp_path / "none.db").exists()
