"""Storage on a real SQLite file: migrations, per-server settings, the written-behind question log, votes."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import ManualClock, iso
from bot.storage import Storage
from bot.storage.migrations import migrations


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


def test_refused_writes_are_held_and_written_once_the_database_recovers(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    """A write the database refuses keeps the rows in memory, says so once, and writes them when it can."""
    storage = open_storage(tmp_path)
    storage.core.execute("PRAGMA query_only = ON")  # SQLite now refuses every write, as a read-only file does
    for i in range(3):
        log(storage, 1, f"question {i}")
        storage.flush()
    assert storage.backlog() == (3, 0)
    refused = [r for r in caplog.records if "cannot write to" in r.getMessage()]
    assert (
        len(refused) == 1
        and "keeping" in refused[0].getMessage()
        and str(storage.path) in refused[0].getMessage()
    )
    storage.core.execute("PRAGMA query_only = OFF")
    storage.flush()
    assert storage.backlog() == (0, 0)
    assert count_questions(storage.path) == 3
    assert any("takes writes again: wrote 3 row(s)" in r.getMessage() for r in caplog.records)
    storage.close()


def test_held_rows_are_bounded_and_drops_are_counted(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Past the buffer's cap the oldest held rows are dropped, and counted for the exit report."""
    from bot.storage import questions

    monkeypatch.setattr(questions, "PENDING_MAX", 5)
    storage = open_storage(tmp_path)
    storage.core.execute("PRAGMA query_only = ON")
    for i in range(8):
        log(storage, 1, f"question {i}")
        storage.flush()
    assert storage.backlog() == (5, 3)
    storage.core.execute("PRAGMA query_only = OFF")
    storage.flush()
    with sqlite3.connect(storage.path) as conn:
        kept = [r[0] for r in conn.execute("SELECT normalised FROM questions ORDER BY id")]
    assert kept == [f"question {i}" for i in range(3, 8)]  # the newest survive
    storage.close()


def test_forgetting_a_member_also_drops_their_held_rows(tmp_path: Path) -> None:
    """Rows held during a write failure must not reappear after the member asked to be forgotten."""
    storage = open_storage(tmp_path)
    storage.core.execute("PRAGMA query_only = ON")
    log(storage, 1, "mine")
    storage.core.execute("PRAGMA query_only = OFF")
    storage.forget_member(1, 2)
    storage.flush()
    assert count_questions(storage.path) == 0
    storage.close()


def test_overheard_help_channel_messages_keep_only_folded_text(tmp_path: Path) -> None:
    """A help-channel message the bot did not answer is stored with no member, channel or wording."""
    storage = open_storage(tmp_path)
    common = {"guild_id": 1, "channel_id": 7, "user_id": 9, "entry_id": None, "score": 0.1}
    storage.questions.record(
        question="Call me on 0176 555 1234, Ok?", source="channel", outcome="declined", **common
    )  # type: ignore[arg-type]
    storage.questions.record(question="How do I mix?", source="channel", outcome="answered", **common)  # type: ignore[arg-type]
    storage.questions.record(question="Is this on?", source="mention", outcome="declined", **common)  # type: ignore[arg-type]
    storage.flush()
    rows = storage.core.execute(
        "SELECT user_id, channel_id, question, normalised, source FROM questions ORDER BY id"
    ).fetchall()
    assert rows[0] == (None, None, None, "call me on 0176 555 1234, ok?", "channel")
    assert rows[1][:3] == (9, 7, "How do I mix?")  # answered: addressed to the bot
    assert rows[2][:3] == (9, 7, "Is this on?")  # a mention is addressed to the bot
    assert [q["question"] for q in storage.export_member(1, 9)["questions"]] == [
        "How do I mix?",
        "Is this on?",
    ]
    storage.close()


def test_migration_scrubs_overheard_rows_already_stored(tmp_path: Path) -> None:
    """Upgrading a database from before the privacy rule anonymises the help-channel rows it already holds."""
    path = tmp_path / "old.db"
    storage = Storage(path)
    storage.core.execute("PRAGMA journal_mode=WAL")
    migrations.apply(storage.core.db, stop_before="m0005a_known_guilds")
    storage.core.execute(
        "INSERT INTO questions (guild_id, channel_id, user_id, question, normalised, source, outcome) VALUES "
        "(1, 7, 9, 'My number is 555', 'my number is 555', 'channel', 'declined'), "
        "(1, 7, 9, 'How do I mix', 'how do i mix', 'channel', 'answered'), "
        "(1, 7, 9, 'hey bot', 'hey bot', 'slash', 'declined')"
    )
    assert "m0005b_overheard_questions_anonymised" in storage.prepare()
    rows = storage.core.execute(
        "SELECT user_id, channel_id, question, normalised FROM questions ORDER BY id"
    ).fetchall()
    assert rows == [
        (None, None, None, "my number is 555"),
        (9, 7, "How do I mix", "how do i mix"),
        (9, 7, "hey bot", "hey bot"),
    ]
    storage.close()


def test_retention_deletes_questions_and_votes_older_than_the_cutoff(tmp_path: Path) -> None:
    """prune() deletes what was recorded before the cutoff and keeps the rest, held rows included."""
    clock = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))
    storage = Storage(tmp_path / "mentor.db", clock=clock)
    storage.prepare()
    log(storage, 1, "old question")
    storage.questions.record_feedback(guild_id=1, user_id=2, entry_id="x", helpful=False)
    clock.advance(timedelta(days=100))
    log(storage, 1, "new question")
    removed = storage.questions.prune(iso(clock.now() - timedelta(days=90)))
    assert removed == {"questions": 1, "feedback": 1}
    assert [g.text for g in storage.questions.gaps(1)] == ["new question"]
    storage.close()


def test_forget_guild_reaches_every_area(tmp_path: Path) -> None:
    """Storage.forget_guild deletes one server's rows in every area and nothing of other servers."""
    storage = open_storage(tmp_path)
    for guild in (1, 2):
        storage.settings.update(guild, cooldown_seconds=5)
        log(storage, guild, "a question")
        storage.questions.record_feedback(guild_id=guild, user_id=2, entry_id="x", helpful=True)
        storage.guilds.joined(guild)
    removed = storage.forget_guild(1)
    assert {t: n for t, n in removed.items() if n} == {
        "guild_settings": 1,
        "questions": 1,
        "feedback": 1,
        "known_guilds": 1,
    }
    assert storage.settings.get(1).cooldown_seconds is None
    assert storage.settings.get(2).cooldown_seconds == 5
    assert storage.questions.gaps(2) and not storage.questions.gaps(1)
    # Every table that has a guild_id column is emptied for the forgotten server.
    tables = [r[0] for r in storage.core.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        columns = [c[1] for c in storage.core.execute(f'PRAGMA table_info("{table}")')]
        if "guild_id" in columns:
            assert (
                storage.core.execute(f'SELECT COUNT(*) FROM "{table}" WHERE guild_id = 1').fetchone()[0] == 0
            ), table
    storage.close()


def test_known_servers_track_joins_removals_and_returns(tmp_path: Path) -> None:
    """Removal starts the countdown (first time counts), a return cancels it, reconcile catches offline removals."""
    clock = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))
    storage = Storage(tmp_path / "mentor.db", clock=clock)
    storage.prepare()
    guilds = storage.guilds
    guilds.joined(1)
    guilds.joined(2)
    guilds.removed(1)
    first = guilds.removed_at(1)
    clock.advance(60)
    guilds.removed(1)
    assert guilds.removed_at(1) == first
    guilds.joined(1)
    assert guilds.removed_at(1) is None
    assert guilds.reconcile([1, 3]) == [2]  # 2 vanished while offline; 3 is new
    assert guilds.removed_at(2) == iso(clock.now()) and guilds.removed_at(3) is None
    clock.advance(timedelta(days=1))
    assert guilds.removed_before(iso(clock.now())) == [2]
    storage.close()


def test_every_storage_area_says_how_to_forget_a_server(tmp_path: Path) -> None:
    """Each area implements forget_guild (the removed-server rule must reach every table), and backlog is known."""
    from bot.storage.core import Area

    storage = open_storage(tmp_path)
    assert storage.areas
    for area in storage.areas:
        assert type(area).forget_guild is not Area.forget_guild, type(area).__name__
    storage.close()
