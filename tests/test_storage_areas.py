"""The storage core and areas in detail: transactions, timestamps from the clock, the question log's limits,
/kb gaps ordering, and what /mydata exports and forgets. (tests/test_storage.py covers the basics.)"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.storage import GuildSettings, Outcome, Source, Storage
from bot.storage import settings as settings_module
from bot.storage.questions import QUESTION_BATCH

G, OTHER_G = 1, 2  # servers
ALICE, MO = 10, 20  # members


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def storage(tmp_path: Path, clock: ManualClock) -> Iterator[Storage]:
    opened = Storage(tmp_path / "mentor.db", clock=clock)
    opened.migrate()
    yield opened
    opened.close()


def ask(
    storage: Storage,
    question: str,
    *,
    guild_id: int = G,
    user_id: int = ALICE,
    outcome: Outcome = Outcome.DECLINED,
    source: Source = Source.SLASH,
) -> None:
    storage.questions.record(
        guild_id=guild_id,
        channel_id=5,
        user_id=user_id,
        question=question,
        source=source,
        outcome=outcome,
        entry_id="e1" if outcome is Outcome.ANSWERED else None,
        score=0.5,
    )


def read_back(path: Path, sql: str) -> tuple:  # type: ignore[type-arg]
    """One row as another connection sees it (what survives a crash); the connection is closed after."""
    with closing(sqlite3.connect(path)) as conn:
        return tuple(conn.execute(sql).fetchone())


def rows_on_disk(path: Path, table: str) -> int:
    return int(read_back(path, f"SELECT COUNT(*) FROM {table}")[0])


def test_connection_settings(storage: Storage) -> None:
    """WAL with synchronous=NORMAL, a busy timeout for a second reader, and enforced foreign keys."""
    pragma = lambda name: storage.core.execute(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
    assert (
        pragma("journal_mode"),
        pragma("synchronous"),
        pragma("busy_timeout"),
        pragma("foreign_keys"),
    ) == (
        "wal",
        1,
        5000,
        1,
    )


def test_the_database_folder_is_created(tmp_path: Path) -> None:
    """A configured path in folders that do not exist yet is created, however deep."""
    storage = Storage(tmp_path / "var" / "lib" / "mentor" / "mentor.db")
    try:
        assert storage.migrate() and storage.path.is_file()
    finally:
        storage.close()


def test_migrate_names_what_it_applied(tmp_path: Path) -> None:
    """The first migrate lists every migration in order; the next lists none."""
    storage = Storage(tmp_path / "m.db")
    try:
        applied = storage.migrate()
        assert applied[:4] == [
            "m0001_guild_settings",
            "m0002_questions",
            "m0003_feedback",
            "m0004_questions_gaps_index",
        ]
        assert applied == sorted(applied)
        assert storage.migrate() == []
    finally:
        storage.close()


def test_a_write_is_all_or_nothing_and_nested_writes_join_it(storage: Storage) -> None:
    """An error inside write() rolls back every row written in it, nested writes included; the next write works."""
    with pytest.raises(RuntimeError), storage.core.write():
        storage.questions.record_feedback(guild_id=G, user_id=ALICE, entry_id="a", helpful=True)
        with storage.core.write():
            storage.questions.record_feedback(guild_id=G, user_id=MO, entry_id="a", helpful=True)
        raise RuntimeError("halfway")
    assert storage.questions.feedback_counts(G, "a") == (0, 0)
    with pytest.raises(RuntimeError), storage.core.write(), storage.core.write():
        storage.questions.record_feedback(guild_id=G, user_id=ALICE, entry_id="a", helpful=True)
        raise RuntimeError("in the inner one")
    assert storage.questions.feedback_counts(G, "a") == (0, 0)
    with storage.core.write():
        with storage.core.write():
            storage.questions.record_feedback(guild_id=G, user_id=ALICE, entry_id="a", helpful=True)
        storage.questions.record_feedback(guild_id=G, user_id=MO, entry_id="a", helpful=False)
    assert rows_on_disk(storage.path, "feedback") == 2  # committed once the outer write ended


def test_timestamps_come_from_the_clock(storage: Storage, clock: ManualClock) -> None:
    """Every stored time is the injected clock's, as ISO UTC text."""
    ask(storage, "first")
    clock.advance(timedelta(days=1, seconds=30))
    storage.questions.record_feedback(guild_id=G, user_id=ALICE, entry_id="a", helpful=True)
    exported = storage.export_member(G, ALICE)
    assert [q["asked_at"] for q in exported["questions"]] == ["2026-01-05T12:00:00+00:00"]
    assert [v["voted_at"] for v in exported["votes"]] == ["2026-01-06T12:00:30+00:00"]


def test_the_log_clips_questions_and_groups_them_folded(storage: Storage) -> None:
    """Stored questions stop at 1,000 characters; /kb gaps groups by the folded, tidied first 200."""
    long = "Ünder " + "x" * 2000
    ask(storage, long)
    ask(storage, "  how   do I BAKE bread ")
    ask(storage, "how do i bake bread")
    exported = storage.export_member(G, ALICE)["questions"]
    assert len(exported[0]["question"]) == 1000 and exported[0]["question"] == long[:1000]
    gaps = {g.text: g.count for g in storage.questions.gaps(G)}
    assert gaps == {"how do i bake bread": 2, ("under " + "x" * 2000)[:200]: 1}


def test_the_log_writes_itself_every_batch(storage: Storage) -> None:
    """Buffered rows reach the file without a flush once a batch fills, not before."""
    for i in range(QUESTION_BATCH - 1):
        ask(storage, f"q{i}")
    assert rows_on_disk(storage.path, "questions") == 0
    ask(storage, "the last of the batch")
    assert rows_on_disk(storage.path, "questions") == QUESTION_BATCH


def test_the_log_keeps_what_the_bot_did(storage: Storage) -> None:
    """Source, outcome, the entry answered and the time are exported exactly as recorded."""
    ask(storage, "how do i mix", outcome=Outcome.ANSWERED, source=Source.CHANNEL)
    ask(storage, "bread?", outcome=Outcome.THROTTLED, source=Source.MENTION)
    assert storage.export_member(G, ALICE)["questions"] == [
        {
            "question": "how do i mix",
            "source": "channel",
            "outcome": "answered",
            "entry": "e1",
            "asked_at": "2026-01-05T12:00:00+00:00",
        },
        {
            "question": "bread?",
            "source": "mention",
            "outcome": "throttled",
            "entry": None,
            "asked_at": "2026-01-05T12:00:00+00:00",
        },
    ]


def test_gaps_rank_by_count_then_recency_and_respect_the_limit(storage: Storage) -> None:
    """Only declined questions and down-votes count; most frequent first, ties the most recent first."""
    for question in ("old tie", "frequent", "frequent", "frequent", "new tie"):
        ask(storage, question)
    ask(storage, "answered is no gap", outcome=Outcome.ANSWERED)
    ask(storage, "a guess is no gap", outcome=Outcome.SUGGESTED)
    ask(storage, "held back is no gap", outcome=Outcome.THROTTLED)
    ask(storage, "frequent", guild_id=OTHER_G)
    for user in (ALICE, MO):
        storage.questions.record_feedback(guild_id=G, user_id=user, entry_id="bad", helpful=False)
    storage.questions.record_feedback(guild_id=G, user_id=ALICE, entry_id="good", helpful=True)
    storage.questions.record_feedback(guild_id=G, user_id=ALICE, entry_id="meh", helpful=False)
    gaps = [(g.kind, g.text, g.count) for g in storage.questions.gaps(G)]
    assert gaps == [
        ("declined", "frequent", 3),
        ("unhelpful", "bad", 2),
        ("declined", "new tie", 1),
        ("declined", "old tie", 1),
        ("unhelpful", "meh", 1),
    ]
    assert [g.text for g in storage.questions.gaps(G, limit=2)] == ["frequent", "bad"]
    assert [g.text for g in storage.questions.gaps(G, limit=1)] == ["frequent"]
    for i in range(12):
        ask(storage, f"filler {i}")
    assert len(storage.questions.gaps(G)) == 10  # /kb gaps' default


def test_votes_are_counted_and_kept_per_member(storage: Storage) -> None:
    """(helpful, not helpful) per answer; an answer nobody voted on is (0, 0); export shows the member's own."""
    assert storage.questions.feedback_counts(G, "x") == (0, 0)
    assert storage.questions.record_feedback(guild_id=G, user_id=ALICE, entry_id="x", helpful=True)
    assert (
        rows_on_disk(storage.path, "feedback") == 1
    )  # autocommit: a vote is on disk as soon as it is counted
    assert storage.questions.record_feedback(guild_id=G, user_id=MO, entry_id="x", helpful=True)
    assert storage.questions.record_feedback(guild_id=G, user_id=MO, entry_id="y", helpful=False)
    assert storage.questions.feedback_counts(G, "x") == (2, 0)
    assert storage.questions.feedback_counts(G, "y") == (0, 1)
    assert storage.export_member(G, MO)["votes"] == [
        {"entry": "x", "helpful": True, "voted_at": "2026-01-05T12:00:00+00:00"},
        {"entry": "y", "helpful": False, "voted_at": "2026-01-05T12:00:00+00:00"},
    ]


def test_forget_member_removes_only_that_member_in_that_server(storage: Storage) -> None:
    """/mydata forget deletes the member's questions (buffered ones too) and votes; nobody else's."""
    ask(storage, "mine")
    ask(storage, "mine again")
    ask(storage, "mine elsewhere", guild_id=OTHER_G)
    ask(storage, "mo's", user_id=MO)
    storage.questions.record_feedback(guild_id=G, user_id=ALICE, entry_id="x", helpful=True)
    storage.questions.record_feedback(guild_id=G, user_id=MO, entry_id="x", helpful=True)
    assert {t: n for t, n in storage.forget_member(G, ALICE).items() if n} == {"questions": 2, "feedback": 1}
    exported = storage.export_member(G, ALICE)
    assert exported["questions"] == [] and exported["votes"] == []
    assert [q["question"] for q in storage.export_member(OTHER_G, ALICE)["questions"]] == ["mine elsewhere"]
    assert [q["question"] for q in storage.export_member(G, MO)["questions"]] == ["mo's"]
    assert storage.questions.feedback_counts(G, "x") == (1, 0)
    assert rows_on_disk(storage.path, "questions") == 2  # the buffered ones never reached the file


def test_every_area_is_found_and_settings_hold_no_member_data(storage: Storage) -> None:
    """Storage.areas lists each area once; settings are per server, so they export and forget nothing."""
    names = [type(a).__name__ for a in storage.areas]
    assert len(names) == len(set(names)) and {"SettingsStore", "QuestionLog"} <= set(names)
    assert storage.settings.export_member(G, ALICE) == {} and storage.settings.forget_member(G, ALICE) == {}


def test_close_leaves_a_self_contained_file(tmp_path: Path) -> None:
    """After close the write-ahead log is checkpointed into the database file (a copy of it is complete)."""
    storage = Storage(tmp_path / "m.db")
    storage.migrate()
    storage.questions.record_feedback(guild_id=G, user_id=ALICE, entry_id="x", helpful=True)
    wal = storage.path.with_name(storage.path.name + "-wal")
    assert wal.stat().st_size > 0
    storage.close()
    assert not wal.exists() or wal.stat().st_size == 0


def test_settings_reset_and_partial_updates(storage: Storage) -> None:
    """None puts a setting back to "not set"; settings left out stay; an empty channel list is not "not set"."""
    assert storage.settings.get(OTHER_G) == GuildSettings(OTHER_G)
    saved = storage.settings.update(G, help_channel_ids=(5, 6), cooldown_seconds=30, moderator_role_id=7)
    assert saved == GuildSettings(G, (5, 6), 7, 30) == storage.settings.get(G)
    storage.settings.update(G, cooldown_seconds=None)
    got = storage.settings.get(G)
    assert (got.help_channel_ids, got.cooldown_seconds, got.moderator_role_id) == ((5, 6), None, 7)
    storage.settings.update(G, help_channel_ids=())
    assert storage.settings.get(G).help_channel_ids == ()
    storage.settings.update(G, help_channel_ids=None)
    assert storage.settings.get(G).help_channel_ids is None
    row = read_back(
        storage.path,
        "SELECT help_channel_ids, cooldown_seconds, moderator_role_id, updated_at FROM guild_settings",
    )
    assert row == (None, None, 7, "2026-01-05T12:00:00+00:00")


def test_the_settings_cache_stays_bounded(storage: Storage, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings are cached per server up to a bound, then the cache starts over (reads stay correct).

    Reads the private cache on purpose: the bound is the behaviour under test, invisible from outside.
    """
    monkeypatch.setattr(settings_module, "SETTINGS_CACHE_MAX", 2)
    storage.settings.update(3, cooldown_seconds=9)
    for guild_id in (1, 2, 3, 4):
        storage.settings.get(guild_id)
        assert len(storage.settings._cache) <= 2
    assert storage.settings.get(3).cooldown_seconds == 9
