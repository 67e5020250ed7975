"""Storage on a real SQLite file: migrations, per-server settings, the written-behind question log, votes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.storage import Storage


def open_storage(tmp_path: Path) -> Storage:
    storage = Storage(tmp_path / "data" / "mentor.db")
    storage.migrate()
    return storage


def count_questions(path: Path) -> int:
    """Count logged questions through a separate connection, as another reader would see them."""
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM questions").fetchone()[0])


def log(storage: Storage, guild_id: int, question: str, outcome: str = "declined") -> None:
    storage.questions.record(
        guild_id=guild_id,
        channel_id=1,
        user_id=2,
        question=question,
        source="slash",
        outcome=outcome,
        entry_id=None,
        score=0.1,
    )


def test_migrations_create_the_file_and_run_once(tmp_path: Path) -> None:
    """The first start creates the database and applies every migration; the next applies none."""
    storage = open_storage(tmp_path)
    assert (tmp_path / "data" / "mentor.db").is_file()
    assert storage.migrate() == []
    mode = storage.core.db.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    storage.close()


def test_question_log_is_written_behind_and_never_lost_on_close(tmp_path: Path) -> None:
    """Logged questions reach the file on flush, before any read of the log, and at close."""
    storage = open_storage(tmp_path)
    path = storage.path
    log(storage, 1, "How do I bake bread?")
    log(storage, 1, "how do i bake bread?")
    assert count_questions(path) == 0  # buffered
    gaps = storage.questions.gaps(1)
    assert [(g.text, g.count) for g in gaps] == [("how do i bake bread?", 2)]
    assert count_questions(path) == 2
    log(storage, 1, "what is the capital of france")
    storage.close()
    assert count_questions(path) == 3


def test_settings_are_per_server_and_reads_see_every_change(tmp_path: Path) -> None:
    """A change to one server's settings is read back at once and leaves other servers untouched."""
    storage = open_storage(tmp_path)
    assert storage.settings.get(1).cooldown_seconds is None
    storage.settings.update(1, cooldown_seconds=10, help_channel_ids=(5,))
    assert storage.settings.get(1).cooldown_seconds == 10
    storage.settings.update(1, moderator_role_id=7)
    settings = storage.settings.get(1)
    assert (settings.cooldown_seconds, settings.help_channel_ids, settings.moderator_role_id) == (10, (5,), 7)
    storage.settings.update(1, moderator_role_id=None)
    assert storage.settings.get(1).moderator_role_id is None
    assert storage.settings.get(2).help_channel_ids is None
    storage.close()
    reopened = open_storage(tmp_path)
    assert reopened.settings.get(1).help_channel_ids == (5,)
    reopened.close()


def test_votes_count_once_per_member_per_answer_per_server(tmp_path: Path) -> None:
    """A member's second vote on the same answer is refused; other servers keep their own counts."""
    storage = open_storage(tmp_path)
    assert storage.questions.record_feedback(guild_id=1, user_id=9, entry_id="x", helpful=False)
    assert not storage.questions.record_feedback(guild_id=1, user_id=9, entry_id="x", helpful=True)
    assert storage.questions.record_feedback(guild_id=2, user_id=9, entry_id="x", helpful=True)
    assert storage.questions.feedback_counts(1, "x") == (0, 1)
    assert storage.questions.feedback_counts(2, "x") == (1, 0)
    assert [(g.kind, g.text) for g in storage.questions.gaps(1)] == [("unhelpful", "x")]
    assert storage.questions.gaps(2) == []
    storage.close()
