"""The challenge state machine, directly: validation, due steps at each instant, windows, ranking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.challenges import (
    BRIEF_MAX,
    TITLE_MAX,
    ChallengeError,
    Draft,
    Status,
    Step,
    Timeline,
    Visibility,
    can_join,
    can_submit,
    can_vote,
    due_steps,
    next_wake,
    parse_stages,
    rank,
    relevant_first,
    stale_steps,
    status_after,
    validate,
)
from bot.stages import Stage

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)
D = timedelta(days=1)


def draft(**changes: object) -> Draft:
    base: dict[str, object] = {
        "title": "Flip this sample",
        "brief": "Make a beat from the sample.",
        "starts_at": NOW + H,
        "deadline": NOW + 3 * D,
        "voting": True,
    }
    base.update(changes)
    return Draft(**base)  # type: ignore[arg-type]


def test_a_sound_draft_has_no_problems() -> None:
    """A future start, a later deadline and short fields pass."""
    assert validate(draft(), NOW) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"title": " "}, "The title is empty."),
        ({"title": "t" * (TITLE_MAX + 1)}, f"The title is {TITLE_MAX + 1} characters"),
        ({"brief": "b" * (BRIEF_MAX + 1)}, f"The brief is {BRIEF_MAX + 1} characters"),
        ({"starts_at": NOW - H}, "The start is in the past"),
        ({"deadline": NOW - H, "starts_at": NOW - 2 * H}, "The deadline is in the past."),
        ({"deadline": NOW + H, "starts_at": NOW + 2 * H}, "The deadline is before the start."),
        ({"deadline": NOW + H + timedelta(minutes=5)}, "at least 10 minutes"),
        ({"deadline": NOW + 400 * D}, "more than a year away"),
        ({"voting_length": timedelta(minutes=1)}, "Voting must last between"),
        ({"visibility": Visibility.MODERATORS}, "Voting needs public submissions"),
    ],
)
def test_each_problem_is_named(changes: dict[str, object], expected: str) -> None:
    """Every invalid field gives its own sentence."""
    problems = validate(draft(**changes), NOW)
    assert any(p.startswith(expected) or expected in p for p in problems), problems


def test_all_problems_are_reported_at_once() -> None:
    """An empty title and a past deadline are both reported, not just the first."""
    problems = validate(draft(title="", deadline=NOW - H, starts_at=NOW - 2 * H), NOW)
    assert len(problems) == 3


def test_an_edit_may_keep_a_start_that_has_passed() -> None:
    """Editing a running challenge does not complain that its start is past."""
    assert validate(draft(starts_at=NOW - D), NOW, creating=False) == []
    assert validate(draft(starts_at=NOW - D), NOW) != []


def test_a_start_a_moment_ago_is_accepted() -> None:
    """A start that passed while the modal was open (within the grace) is fine."""
    assert validate(draft(starts_at=NOW - timedelta(minutes=2)), NOW) == []


def timeline(voting: bool = True, remind: timedelta | None = D) -> Timeline:
    return draft(voting=voting, remind_before=remind, voting_length=2 * D).timeline()


def test_steps_fall_due_in_order_at_their_instants() -> None:
    """Announce at the start, remind a day before the deadline, close at it, results when voting ends."""
    t = timeline()
    done: set[Step] = set()
    assert due_steps(t, Status.SCHEDULED, done, t.starts_at - timedelta(seconds=1)) == []
    assert due_steps(t, Status.SCHEDULED, done, t.starts_at) == [Step.ANNOUNCE]
    done.add(Step.ANNOUNCE)
    assert t.remind_at == t.deadline - D
    assert due_steps(t, Status.RUNNING, done, t.deadline - D - timedelta(seconds=1)) == []
    assert due_steps(t, Status.RUNNING, done, t.deadline - D) == [Step.REMIND]
    done.add(Step.REMIND)
    assert due_steps(t, Status.RUNNING, done, t.deadline) == [Step.CLOSE]
    done.add(Step.CLOSE)
    assert t.voting_ends == t.deadline + 2 * D
    assert due_steps(t, Status.VOTING, done, t.voting_ends - timedelta(seconds=1)) == []
    assert due_steps(t, Status.VOTING, done, t.voting_ends) == [Step.RESULTS]
    done.add(Step.RESULTS)
    assert next_wake(t, Status.CLOSED, done) is None


def test_missed_steps_catch_up_in_order_but_a_late_reminder_is_skipped() -> None:
    """Waking after the deadline runs announce and close, and reports the reminder as stale."""
    t = timeline()
    late = t.deadline + H
    assert due_steps(t, Status.SCHEDULED, set(), late) == [Step.ANNOUNCE, Step.CLOSE]
    assert stale_steps(t, set(), late) == [Step.REMIND]
    assert stale_steps(t, {Step.REMIND}, late) == []
    assert stale_steps(t, set(), t.deadline - timedelta(seconds=1)) == []


def test_without_voting_close_is_the_last_step() -> None:
    """No voting: no RESULTS step, and CLOSE leads straight to closed."""
    t = timeline(voting=False)
    assert t.voting_ends is None
    assert due_steps(t, Status.RUNNING, {Step.ANNOUNCE, Step.REMIND}, t.deadline + 9 * D) == [Step.CLOSE]
    assert next_wake(t, Status.RUNNING, {Step.ANNOUNCE, Step.REMIND, Step.CLOSE}) is None
    assert status_after(Step.CLOSE, voting=False) is Status.CLOSED
    assert status_after(Step.CLOSE, voting=True) is Status.VOTING


def test_a_reminder_that_would_precede_the_start_is_dropped() -> None:
    """A 12-hour challenge with a 24-hour reminder has no reminder; "off" has none either."""
    short = draft(deadline=NOW + 13 * H, remind_before=D).timeline()
    assert short.remind_at is None
    assert timeline(remind=None).remind_at is None
    assert Step.REMIND not in due_steps(short, Status.RUNNING, {Step.ANNOUNCE}, short.deadline)


def test_closed_and_cancelled_challenges_have_nothing_due() -> None:
    """A cancelled challenge never announces, however late the bot wakes."""
    t = timeline()
    assert due_steps(t, Status.CANCELLED, set(), t.ends_at + D) == []
    assert next_wake(t, Status.CANCELLED, set()) is None


def test_next_wake_is_the_earliest_pending_step() -> None:
    """After the announcement, the next wake is the reminder."""
    t = timeline()
    assert next_wake(t, Status.SCHEDULED, set()) == t.starts_at
    assert next_wake(t, Status.RUNNING, {Step.ANNOUNCE}) == t.remind_at


@pytest.mark.parametrize(
    ("offset", "submit", "join"),
    [(-timedelta(seconds=1), True, True), (timedelta(0), False, False), (timedelta(seconds=1), False, False)],
)
def test_deadline_edges(offset: timedelta, submit: bool, join: bool) -> None:
    """Submissions are taken just before the deadline, refused at it and after it."""
    t = timeline()
    assert can_submit(Status.RUNNING, t, t.deadline + offset) is submit
    assert can_join(Status.RUNNING, t, t.deadline + offset) is join


def test_submissions_wait_for_the_start_and_votes_for_voting() -> None:
    """No submission before the announcement; votes only while voting is open."""
    t = timeline()
    assert not can_submit(Status.SCHEDULED, t, t.starts_at - H)
    assert can_join(Status.SCHEDULED, t, t.starts_at - H)
    assert not can_vote(Status.RUNNING, t, t.deadline - H)
    assert can_vote(Status.VOTING, t, t.deadline + H)
    assert t.voting_ends is not None and not can_vote(Status.VOTING, t, t.voting_ends)


def test_stages_parse_by_value_or_label_in_ladder_order() -> None:
    """Stages may be typed in any order and case; unknown ones are refused with the list."""
    assert parse_stages("Intern, learning") == (Stage.LEARNING, Stage.INTERN)
    assert parse_stages("assistant producer") == (Stage.ASSISTANT_PRODUCER,)
    assert parse_stages("") == () and parse_stages("all") == ()
    with pytest.raises(ChallengeError, match="Unknown stage 'guru'"):
        parse_stages("learning, guru")


def test_rank_shares_places_on_ties_and_ignores_zero_votes() -> None:
    """Two submissions tied on 3 share first place; the next is third; no-vote ones never win."""
    assert rank({10: 3, 11: 3, 12: 1, 13: 0, 14: 1}) == [(1, 10, 3), (1, 11, 3), (3, 12, 1), (3, 14, 1)]
    assert rank({1: 5, 2: 4, 3: 3, 4: 2}) == [(1, 1, 5), (2, 2, 4), (3, 3, 3)]
    assert rank({}) == []


def test_member_stage_sorts_relevant_challenges_first() -> None:
    """Challenges for the member's stage (or for all) come before the others, order otherwise kept."""
    stages = [(Stage.PRODUCER,), (), (Stage.LEARNING,), (Stage.PRODUCER, Stage.LEARNING)]
    assert relevant_first(stages, Stage.LEARNING) == [1, 2, 3, 0]
    assert relevant_first(stages, None) == [0, 1, 2, 3]
