"""Challenge storage on a real SQLite file: server scoping, one submission and one vote each, steps, /mydata."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.challenge_deliveries import schedule_of, step_states, steps_done
from bot.challenges import Status, Step, Timeline
from bot.clock import ManualClock
from bot.storage import Challenge, Storage

G, OTHER = 100, 200
START = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    store = Storage(tmp_path / "mentor.db", clock=ManualClock(START))
    store.migrate()
    yield store
    store.close()


def make(storage: Storage, guild_id: int = G) -> Challenge:
    timeline = Timeline(START, START + timedelta(days=3), START + timedelta(days=5), timedelta(hours=24))
    return storage.challenges.create(
        guild_id, created_by=9, channel_id=1, title="Flip", brief="Flip it.", timeline=timeline
    )


def test_a_challenge_round_trips_and_belongs_to_its_server(storage: Storage) -> None:
    """What is stored comes back the same, and another server's id is not found."""
    challenge = make(storage)
    assert storage.challenges.get(G, challenge.id) == challenge
    assert challenge.status is Status.SCHEDULED and challenge.voting
    assert challenge.timeline.voting_ends == START + timedelta(days=5)
    assert storage.challenges.get(OTHER, challenge.id) is None
    assert storage.challenges.join(OTHER, challenge.id, 5) is False  # no such challenge there
    assert storage.challenges.in_server(OTHER) == []
    assert [c.id for c in storage.challenges.in_server(G)] == [challenge.id]


def test_the_database_refuses_a_second_submission_row(storage: Storage) -> None:
    """UNIQUE (challenge, member) holds even for a write that bypasses submit()."""
    challenge = make(storage)
    storage.challenges.submit(G, challenge.id, 5, link="https://a", note=None)
    with pytest.raises(sqlite3.IntegrityError):
        storage.core.execute(
            "INSERT INTO challenge_submissions (challenge_id, guild_id, user_id, submitted_at, updated_at) "
            "VALUES (?, ?, 5, 'x', 'x')",
            [challenge.id, G],
        )


def test_resubmitting_replaces_and_keeps_the_id(storage: Storage) -> None:
    """A second submission replaces the first (same id, new link) and reports that it replaced."""
    challenge = make(storage)
    first, replaced = storage.challenges.submit(G, challenge.id, 5, link="https://a", note="v1")
    assert not replaced and storage.challenges.has_joined(G, challenge.id, 5)
    second, replaced = storage.challenges.submit(G, challenge.id, 5, link="https://b", note=None)
    assert replaced and second.id == first.id and second.link == "https://b" and second.note is None
    assert storage.challenges.counts(G, challenge.id) == (1, 1, 0)


def test_one_vote_per_member_which_can_move(storage: Storage) -> None:
    """Voting again moves the vote; the counts follow."""
    challenge = make(storage)
    a, _ = storage.challenges.submit(G, challenge.id, 5, link="a", note=None)
    b, _ = storage.challenges.submit(G, challenge.id, 6, link="b", note=None)
    assert storage.challenges.vote(G, challenge.id, 7, a.id) is None
    assert storage.challenges.vote(G, challenge.id, 8, a.id) is None
    assert storage.challenges.vote_counts(G, challenge.id) == {a.id: 2}
    assert storage.challenges.vote(G, challenge.id, 7, b.id) == a.id
    assert storage.challenges.vote_counts(G, challenge.id) == {a.id: 1, b.id: 1}
    assert storage.challenges.counts(G, challenge.id) == (2, 2, 2)


def test_reminder_recipients_are_participants_without_a_submission(storage: Storage) -> None:
    """Joined and not submitted: reminded; submitted or left: not."""
    challenge = make(storage)
    for user in (5, 6, 7):
        storage.challenges.join(G, challenge.id, user)
    storage.challenges.submit(G, challenge.id, 6, link="x", note=None)
    storage.challenges.submit(G, challenge.id, 7, link="x", note=None)
    assert storage.challenges.leave(G, challenge.id, 7)
    assert storage.challenges.without_submission(G, challenge.id) == [5]
    assert storage.challenges.submission_of(G, challenge.id, 7) is None


def test_steps_are_read_from_this_challenges_deliveries_only(storage: Storage) -> None:
    """A step counts as done once its delivery is final; DMs and challenge 1's neighbour 11 do not count."""
    log, first = storage.deliveries, make(storage)
    other = [make(storage) for _ in range(10)][-1]
    assert (first.id, other.id) == (1, 11)  # "challenge:1" is a prefix of "challenge:11"

    def plan(challenge_id: int, step: Step, recipient: int = 9, user_id: int | None = None) -> int:
        row = log.plan(
            kind=f"challenge-{step}", schedule=schedule_of(challenge_id), slot=step.value, recipient=recipient,
            due_at=START, guild_id=G, user_id=user_id,
        )  # fmt: skip
        assert row is not None
        return row.id

    announce = plan(first.id, Step.ANNOUNCE)
    assert steps_done(log, first.id) == set()  # pending: it may still be sent (or resent after a crash)
    log.mark_sent(announce, 42)
    dm = plan(first.id, Step.REMIND, recipient=5, user_id=5)
    log.mark_failed(dm, "DMs closed")
    plan(other.id, Step.CLOSE)
    log.mark_skipped(plan(other.id, Step.REMIND), "late")
    assert steps_done(log, first.id) == {Step.ANNOUNCE}  # the member's DM is not the server-wide step
    assert step_states(log, first.id, Step.REMIND) == {5: ("failed", "DMs closed")}
    assert steps_done(log, other.id) == {Step.REMIND}
    assert "challenge_steps" not in storage.core.db.table_names()  # m0021 dropped the old record


def test_member_data_is_exported_and_forgotten_in_one_server_only(storage: Storage) -> None:
    """/mydata reaches joins, submissions and votes; forgetting removes them (and votes on them) here only."""
    here, there = make(storage), make(storage, OTHER)
    mine, _ = storage.challenges.submit(G, here.id, 5, link="https://mine", note="n")
    theirs, _ = storage.challenges.submit(G, here.id, 6, link="https://theirs", note=None)
    storage.challenges.vote(G, here.id, 5, theirs.id)
    storage.challenges.vote(G, here.id, 6, mine.id)
    storage.challenges.submit(OTHER, there.id, 5, link="https://elsewhere", note=None)
    exported = storage.export_member(G, 5)
    assert [r["link"] for r in exported["challenge_submissions"]] == ["https://mine"]
    assert exported["challenge_votes"][0]["voted_for_user_id"] == 6
    assert [r["challenge_id"] for r in exported["challenge_joins"]] == [here.id]
    removed = storage.forget_member(G, 5)
    assert removed["challenge_votes"] == 2  # the member's vote and the vote on their submission
    assert removed["challenge_submissions"] == 1 and removed["challenge_participants"] == 1
    assert storage.challenges.counts(G, here.id) == (1, 1, 0)
    assert storage.challenges.counts(OTHER, there.id) == (1, 1, 0)
    assert not any(key.startswith("challenge") for key in storage.export_member(G, 5))


def test_export_rows_hold_one_line_per_participant(storage: Storage) -> None:
    """The CSV rows: who joined, what they sent, votes received and whom they voted for."""
    challenge = make(storage)
    storage.challenges.join(G, challenge.id, 4)
    a, _ = storage.challenges.submit(G, challenge.id, 5, link="https://a", note="hi")
    storage.challenges.vote(G, challenge.id, 4, a.id)
    rows = {r["user_id"]: r for r in storage.challenges.export_rows(G, challenge.id)}
    assert rows[4]["submitted_at"] is None and rows[4]["voted_for_user_id"] == 5
    assert rows[5]["link"] == "https://a" and rows[5]["votes_received"] == 1
    assert storage.challenges.export_rows(OTHER, challenge.id) == []


def test_every_member_table_is_covered() -> None:
    """Each challenge table with a user id is listed for /mydata."""
    from bot.storage.challenges import ChallengeStore

    assert set(ChallengeStore.MEMBER_TABLES) >= {
        "challenge_participants",
        "challenge_submissions",
        "challenge_votes",
    }


def test_forget_guild_removes_one_servers_challenges_only(storage: Storage) -> None:
    """A removed server's challenges and everything under them go; another server's stay."""
    here, there = make(storage), make(storage, OTHER)
    sub, _ = storage.challenges.submit(G, here.id, 5, link="x", note=None)
    storage.challenges.vote(G, here.id, 6, sub.id)
    storage.challenges.submit(OTHER, there.id, 5, link="y", note=None)
    removed = storage.challenges.forget_guild(G)
    assert removed["challenges"] == 1 and removed["challenge_votes"] == 1
    assert storage.challenges.get(G, here.id) is None
    assert storage.challenges.counts(OTHER, there.id) == (1, 1, 0)
