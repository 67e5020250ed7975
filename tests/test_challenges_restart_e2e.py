"""Restarts: a new bot process between every pair of steps, a crash inside a step, catching up after downtime."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import apply_endpoints
from bot.challenges import Status, Step
from bot.clock import ManualClock
from bot.config import Config
from bot.knowledge import SearchIndex
from bot.knowledge.library import Library
from bot.storage import Storage
from tests.challenge_helpers import (
    T0,
    bot_posts,
    button_ids,
    command,
    create,
    fresh,
    recorded,
    runner,
    steps_of,
)
from tests.conftest import Mentor, mentor_config, start_mentor
from tests.discord_double import DiscordDouble
from tests.discord_double.studio import Studio

D = timedelta(days=1)


class Restarting:
    """One database, one clock and one double; the bot itself is replaced on demand."""

    def __init__(self, double: DiscordDouble, studio: Studio, path: Path, index: SearchIndex) -> None:
        self.config = mentor_config(double, studio, path, cooldown_seconds=0)
        self.clock = ManualClock(T0)
        self.storage = Storage(path, clock=self.clock)
        self.library = Library(index=index)
        self.double, self.studio = double, studio
        self.mentor: Mentor | None = None
        self._task: asyncio.Task[None] | None = None
        self.starts = 0

    async def start(self) -> Mentor:
        bot, self._task = await start_mentor(
            self.config, self.storage, self.library, self.double.token, self.clock
        )
        self.starts += 1
        self.mentor = Mentor(bot, self.double, self.studio, self.storage, self.config, self.clock)
        return self.mentor

    async def stop(self) -> None:
        if self.mentor is not None and self._task is not None:
            await self.mentor.bot.close()
            await asyncio.wait_for(self._task, 5)
        self.mentor = None

    async def restart(self) -> Mentor:
        await self.stop()
        return await self.start()


@pytest.fixture
async def world(
    discord_double: DiscordDouble, studio: Studio, tmp_path: Path, shipped_index: SearchIndex
) -> AsyncIterator[Restarting]:
    w = Restarting(discord_double, studio, tmp_path / "mentor.db", shipped_index)
    try:
        yield w
    finally:
        await w.stop()
        w.storage.close()
        apply_endpoints(Config())


async def test_a_restart_between_every_pair_of_steps_loses_and_repeats_nothing(world: Restarting) -> None:
    """Each step runs in a different process from the one before; every post and DM exists exactly once."""
    s = world.studio
    m = await world.start()
    bob = m.double.add_member(s.guild.id, username="bob")
    challenge, _ = await create(
        m,
        {"start": "2030-03-05 18:00", "deadline": "2030-03-08 18:00", "voting_length": "1d"},
        {"voting": True},
    )
    t = challenge.timeline
    assert t.remind_at is not None and t.voting_ends is not None

    m = await world.restart()
    world.clock.set(t.starts_at)
    await runner(m).run_due()
    assert len(bot_posts(m, s.general.id)) == 1
    for user in (s.alice.id, bob.id, s.mo.id):
        await command(m, user, "challenge join", {"challenge": challenge.id})
    for user in (s.alice.id, s.mo.id):
        await command(
            m, user, "challenge submit", {"challenge": challenge.id, "link": f"https://x.example/{user}"}
        )

    m = await world.restart()
    world.clock.set(t.remind_at)
    await runner(m).run_due()
    assert len(m.double.dms_received(bob.id)) == 1

    m = await world.restart()
    world.clock.set(t.deadline)
    await runner(m).run_due()
    assert fresh(m, challenge).status is Status.VOTING

    m = await world.restart()  # the vote buttons were posted by the previous process: still persistent
    thread_id = fresh(m, challenge).thread_id or 0
    alice_post = next(p for p in bot_posts(m, thread_id) if p.get("embeds") and f"<@{s.alice.id}>" in
                      p["embeds"][0]["description"])  # fmt: skip
    [vote_id] = button_ids(alice_post)
    voted = await m.double.click(alice_post, vote_id, bob.id)
    assert "is in" in (await voted.response)["data"]["content"]

    m = await world.restart()
    world.clock.set(t.voting_ends)
    await runner(m).run_due()
    m = await world.restart()
    await runner(m).run_due()

    general = bot_posts(m, s.general.id)
    assert len(general) == 2 and "Results" in general[1]["embeds"][0]["title"]
    assert len([p for p in bot_posts(m, thread_id) if p.get("components")]) == 2  # one vote post per entry
    assert len(m.double.dms_received(bob.id)) == 1
    assert m.double.dms_received(s.alice.id) == m.double.dms_received(s.mo.id) == []
    assert fresh(m, challenge).status is Status.CLOSED and world.starts == 7


async def test_a_crash_after_sending_but_before_recording_does_not_post_twice(world: Restarting) -> None:
    """The step stays pending; the next process resends with the same nonce and Discord returns the first post."""
    s = world.studio
    m = await world.start()
    challenge, _ = await create(m, {"start": "2030-03-05 18:00"})
    world.clock.set(challenge.timeline.starts_at)
    await runner(m).run_due()
    [announcement] = bot_posts(m, s.general.id)
    # What a crash between the send and its record leaves behind: a claimed delivery and no stored post.
    world.storage.core.execute(
        "UPDATE deliveries SET status = 'sending', message_id = NULL WHERE schedule = ?",
        [f"challenge:{challenge.id}"],
    )
    world.storage.core.execute(
        "UPDATE challenges SET status = 'scheduled', message_id = NULL, thread_id = NULL WHERE id = ?",
        [challenge.id],
    )
    m = await world.restart()
    await runner(m).run_due()
    assert bot_posts(m, s.general.id) == [announcement]
    again = fresh(m, challenge)
    assert again.status is Status.RUNNING and again.message_id == int(announcement["id"])
    assert again.thread_id == int(announcement["id"])  # the thread opened before the crash is found again
    assert steps_of(m, challenge) == {Step.ANNOUNCE}


async def test_steps_missed_while_down_catch_up_and_a_late_reminder_is_skipped(world: Restarting) -> None:
    """Down from before the start until after the deadline: announce and close run, the reminder does not."""
    s = world.studio
    m = await world.start()
    challenge, _ = await create(m, {"start": "2030-03-05 18:00", "deadline": "2030-03-08 18:00"})
    await world.stop()
    world.clock.set(challenge.timeline.deadline + D)
    m = await world.start()
    await runner(m).run_due()
    states = recorded(m, challenge, Step.REMIND)
    assert states == {0: ("skipped", "the deadline passed before it could go out")}
    assert fresh(m, challenge).status is Status.CLOSED
    posts = bot_posts(m, s.general.id)
    assert len(posts) == 2 and posts[1]["embeds"][0]["title"].startswith("Results")
