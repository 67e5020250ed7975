"""The challenge state machine: fields and times checked, statuses, and which lifecycle steps are due.

Pure rules over aware UTC datetimes (`now` is always a parameter): the cog turns modal text into a `Draft`
with `bot.slots.parse_when`, and the runner asks `due_steps` what to do at each wake-up. A challenge moves
scheduled → running → (voting →) closed, or to cancelled from any open status:

- ANNOUNCE at the start (the post with Join / Submit, the role ping, the thread);
- REMIND `remind_before` ahead of the deadline, to members who joined and have not submitted;
- CLOSE at the deadline: submissions stop; with voting on, each public submission is posted with a vote
  button;
- RESULTS when voting ends (or with CLOSE when there is no voting): the summary with the winners.

A step missed while the bot was down still runs when it wakes, in order, except a reminder whose deadline has
already passed (a "24 hours left" DM after the deadline would be wrong, so it is skipped).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from bot.stages import LADDER, Stage

TITLE_MAX = 100  # Discord's scheduled-event name limit, so the title fits everywhere it is shown
BRIEF_MAX = 1000  # the limit, which is also a scheduled event's description limit
LINK_MAX = 500
NOTE_MAX = 500
START_GRACE = timedelta(minutes=5)  # a start typed as "now-ish" that passed while the modal was open
MIN_LENGTH = timedelta(minutes=10)  # shortest start → deadline a challenge can run
MAX_AHEAD = timedelta(days=366)  # the furthest a deadline may be set
VOTING_MIN = timedelta(minutes=10)
VOTING_MAX = timedelta(days=30)
DEFAULT_VOTING = timedelta(days=2)
DEFAULT_REMIND_BEFORE = timedelta(hours=24)
WINNERS_MAX = 3  # places shown in the results (more when tied)


class Status(StrEnum):
    """Where a challenge is in its life."""

    SCHEDULED = "scheduled"
    RUNNING = "running"
    VOTING = "voting"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def is_open(self) -> bool:
        """Return True while the challenge can still change (not closed or cancelled)."""
        return self not in (Status.CLOSED, Status.CANCELLED)


class Step(StrEnum):
    """A lifecycle step; each runs at most once per challenge (the delivery key)."""

    ANNOUNCE = "announce"
    REMIND = "remind"
    CLOSE = "close"
    RESULTS = "results"
    CANCEL = "cancel"  # not timed: the notice to participants when a moderator cancels


class Visibility(StrEnum):
    """Who sees the submissions."""

    PUBLIC = "public"
    MODERATORS = "moderators"


class ChallengeError(ValueError):
    """A problem a moderator or member can fix; the text is shown to them as it is."""


@dataclass(frozen=True, slots=True)
class Timeline:
    """When a challenge's steps fall (all UTC)."""

    starts_at: datetime
    deadline: datetime
    voting_ends: datetime | None  # None: no voting
    remind_before: timedelta | None  # None: no reminder

    @property
    def remind_at(self) -> datetime | None:
        """Return when the reminder goes out, or None when there is none or it would precede the start."""
        if self.remind_before is None:
            return None
        at = self.deadline - self.remind_before
        return at if at > self.starts_at else None

    @property
    def ends_at(self) -> datetime:
        """Return when the challenge is over (results): the end of voting, else the deadline."""
        return self.voting_ends or self.deadline

    def at(self, step: Step) -> datetime | None:
        """Return when a step is due (None when the challenge has no such step)."""
        if step is Step.ANNOUNCE:
            return self.starts_at
        if step is Step.REMIND:
            return self.remind_at
        if step is Step.CLOSE:
            return self.deadline
        if step is Step.RESULTS:
            return self.ends_at
        return None


@dataclass(frozen=True, slots=True)
class Draft:
    """What a moderator asked for, before it is stored: checked by `validate`."""

    title: str
    brief: str
    starts_at: datetime
    deadline: datetime
    voting: bool
    voting_length: timedelta | None = None
    remind_before: timedelta | None = DEFAULT_REMIND_BEFORE
    visibility: Visibility = Visibility.PUBLIC
    stages: tuple[Stage, ...] = field(default_factory=tuple)

    def timeline(self) -> Timeline:
        """Return the steps' times this draft gives."""
        voting_ends = self.deadline + (self.voting_length or DEFAULT_VOTING) if self.voting else None
        return Timeline(self.starts_at, self.deadline, voting_ends, self.remind_before)


def validate(draft: Draft, now: datetime, *, creating: bool = True) -> list[str]:
    """Return every problem with a draft (empty when it may be saved), each a sentence for the moderator.

    `creating=False` is an edit of a challenge that may already be running: its start may then be past.
    """
    problems: list[str] = []
    title, brief = draft.title.strip(), draft.brief.strip()
    if not title:
        problems.append("The title is empty.")
    elif len(title) > TITLE_MAX:
        problems.append(f"The title is {len(title)} characters; the limit is {TITLE_MAX}.")
    if not brief:
        problems.append("The brief is empty.")
    elif len(brief) > BRIEF_MAX:
        problems.append(f"The brief is {len(brief)} characters; the limit is {BRIEF_MAX}.")
    if creating and draft.starts_at < now - START_GRACE:
        problems.append("The start is in the past (leave it empty to start now).")
    if draft.deadline <= now:
        problems.append("The deadline is in the past.")
    elif draft.deadline <= draft.starts_at:
        problems.append("The deadline is before the start.")
    elif draft.deadline - draft.starts_at < MIN_LENGTH:
        problems.append(f"The challenge must run at least {_span(MIN_LENGTH)} (start to deadline).")
    elif draft.deadline - now > MAX_AHEAD:
        problems.append("The deadline is more than a year away.")
    if draft.voting_length is not None and not VOTING_MIN <= draft.voting_length <= VOTING_MAX:
        problems.append(f"Voting must last between {_span(VOTING_MIN)} and {_span(VOTING_MAX)}.")
    if draft.voting and draft.visibility is Visibility.MODERATORS:
        problems.append("Voting needs public submissions: members can't vote on what they can't see.")
    return problems


def _span(delta: timedelta) -> str:
    """Say a length in its largest whole unit ("10 minutes", "30 days")."""
    seconds = int(delta.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds % size == 0 and seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} seconds"


def status_after(step: Step, voting: bool) -> Status:
    """Return the status a challenge has once a step has run."""
    if step is Step.ANNOUNCE or step is Step.REMIND:
        return Status.RUNNING
    if step is Step.CLOSE:
        return Status.VOTING if voting else Status.CLOSED
    return Status.CLOSED


def due_steps(timeline: Timeline, status: Status, done: Collection[Step], now: datetime) -> list[Step]:
    """Return the steps to run now, in order; `done` holds the steps already run (or skipped).

    Without voting, CLOSE also produces the results, so RESULTS never appears separately. A reminder whose
    deadline has passed is returned by `stale_steps` instead, to be recorded as skipped.
    """
    if not status.is_open:
        return []
    order = [Step.ANNOUNCE, Step.REMIND, Step.CLOSE]
    if timeline.voting_ends is not None:
        order.append(Step.RESULTS)
    due: list[Step] = []
    for step in order:
        at = timeline.at(step)
        if step in done or at is None:
            continue
        if at > now:
            break  # steps are in time order: nothing later is due either
        if step is Step.REMIND and now >= timeline.deadline:
            continue
        due.append(step)
    return due


def stale_steps(timeline: Timeline, done: Collection[Step], now: datetime) -> list[Step]:
    """Return steps that were missed and must not run late (a reminder after its deadline)."""
    if Step.REMIND not in done and timeline.remind_at is not None and now >= timeline.deadline:
        return [Step.REMIND]
    return []


def next_wake(timeline: Timeline, status: Status, done: Collection[Step]) -> datetime | None:
    """Return when the next step of an open challenge falls (None when nothing is left)."""
    if not status.is_open:
        return None
    pending = [
        at
        for step in (Step.ANNOUNCE, Step.REMIND, Step.CLOSE, Step.RESULTS)
        if step not in done and (at := timeline.at(step)) is not None
        if step is not Step.RESULTS or timeline.voting_ends is not None
    ]
    return min(pending, default=None)


def can_submit(status: Status, timeline: Timeline, now: datetime) -> bool:
    """Return True when a submission is accepted now: running, and the deadline not yet reached."""
    return status is Status.RUNNING and timeline.starts_at <= now < timeline.deadline


def can_join(status: Status, timeline: Timeline, now: datetime) -> bool:
    """Return True when members may join: announced or upcoming, and before the deadline."""
    return status in (Status.SCHEDULED, Status.RUNNING) and now < timeline.deadline


def can_vote(status: Status, timeline: Timeline, now: datetime) -> bool:
    """Return True while votes are taken: in voting, before voting ends."""
    return status is Status.VOTING and timeline.voting_ends is not None and now < timeline.voting_ends


def parse_stages(text: str) -> tuple[Stage, ...]:
    """Parse "learning, intern" (values or labels, any case) into stages in ladder order; "" means all."""
    wanted: set[Stage] = set()
    for part in (p.strip().lower() for p in text.replace(";", ",").split(",")):
        if not part or part == "all":
            continue
        match = next((s for s in Stage if part in (s.value, s.label.lower())), None)
        if match is None:
            names = ", ".join(s.value for s in LADDER)
            raise ChallengeError(f"Unknown stage '{part}': use {names} (comma-separated), or leave it empty.")
        wanted.add(match)
    return tuple(s for s in LADDER if s in wanted)


def rank(votes: dict[int, int], limit: int = WINNERS_MAX) -> list[tuple[int, int, int]]:
    """Rank submissions by votes: (place, submission id, votes), ties sharing a place, top `limit` places.

    Submissions without votes never win. Ties keep the earlier submission (lower id) first for display.
    """
    ordered = sorted(((n, sid) for sid, n in votes.items() if n > 0), key=lambda x: (-x[0], x[1]))
    out: list[tuple[int, int, int]] = []
    place, previous = 0, None
    for position, (count, sid) in enumerate(ordered, start=1):
        if count != previous:
            place, previous = position, count
        if place > limit:
            break
        out.append((place, sid, count))
    return out


def relevant_first(stages_of: Sequence[tuple[Stage, ...]], member_stage: Stage | None) -> list[int]:
    """Return indexes ordering challenges meant for the member's stage (or for everyone) first."""

    def key(i: int) -> int:
        stages = stages_of[i]
        return 0 if member_stage is None or not stages or member_stage in stages else 1

    return sorted(range(len(stages_of)), key=key)
