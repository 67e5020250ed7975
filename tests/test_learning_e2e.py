"""/learning end to end through the loopback Discord, the bot's clock advanced by the test.

The scheduler's timer never fires during a test (its delays are minutes away on the ManualClock); the test
moves the clock and calls `bot.scheduler.tick()`, the same code the timer runs.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import discord

from bot.knowledge.library import Library
from bot.storage import Status
from tests.conftest import EPHEMERAL, Mentor, custom_ids, embeds_of, start_mentor

SEND = discord.Permissions(send_messages=True).value


async def run(m: Mentor, user_id: int, command: str, options: dict | None = None, **kw: Any) -> dict:
    inter = await m.double.slash_command(
        m.studio.guild.id, m.studio.general.id, user_id, command, options or {}, **kw
    )
    return await inter.response


async def tick(m: Mentor, delta: timedelta) -> None:
    m.clock.advance(delta)
    await m.bot.scheduler.tick()


def fields(body: dict) -> dict[str, str]:
    return {f["name"]: f["value"] for f in embeds_of(body)[0].get("fields", [])}


async def test_channel_prompt_is_posted_with_a_thread_at_its_time(mentor: Mentor) -> None:
    """A moderator sets 13:00 Berlin daily; at 12:00 UTC one embed is posted in #general with a thread on it."""
    s, double = mentor.studio, mentor.double
    body = await run(
        mentor,
        s.mo.id,
        "learning channel set",
        {"channel": s.general.id, "days": "daily", "time": "13:00", "timezone": "europe/berlin"},
    )
    assert body["data"]["content"] == "Channel prompts set."
    due = datetime(
        2026, 1, 6, 12, 0, tzinfo=UTC
    )  # clock starts 5 Jan 12:00 UTC: today's 13:00 CET has passed
    assert f"<t:{int(due.timestamp())}:F>" in fields(body)["Next prompt"]
    await tick(mentor, timedelta(hours=23, minutes=59))
    assert not [m for m in double.messages(s.general.id) if m["author"]["id"] == str(double.bot_user_id)]
    await tick(mentor, timedelta(minutes=1))
    posted = [m for m in double.messages(s.general.id) if m["author"]["id"] == str(double.bot_user_id)]
    assert len(posted) == 1 and embeds_of(posted[0])[0]["title"].startswith("Learning prompt")
    (thread,) = double.threads(s.general.id)
    assert thread.id == int(posted[0]["id"])
    await tick(mentor, timedelta(minutes=5))
    assert (
        len([m for m in double.messages(s.general.id) if m["author"]["id"] == str(double.bot_user_id)]) == 1
    )


async def test_channel_prompts_rotate_without_repeating(mentor: Mentor) -> None:
    """Ten daily channel prompts in a row are ten different prompts."""
    s, double = mentor.studio, mentor.double
    await run(
        mentor,
        s.mo.id,
        "learning channel set",
        {"channel": s.general.id, "days": "daily", "time": "12:30", "timezone": "UTC"},
    )
    for _ in range(10):
        await tick(
            mentor,
            timedelta(days=1)
            if mentor.clock.now().hour == 12 and mentor.clock.now().minute == 30
            else timedelta(minutes=30),
        )
    posted = [
        embeds_of(m)[0]["description"]
        for m in double.messages(s.general.id)
        if m["author"]["id"] == str(double.bot_user_id)
    ]
    assert len(posted) == 10 and len(set(posted)) == 10


async def test_members_cannot_set_channel_prompts(mentor: Mentor) -> None:
    """The channel commands are moderators' even when an admin exposes them."""
    s = mentor.studio
    body = await run(
        mentor,
        s.alice.id,
        "learning channel set",
        {"channel": s.general.id, "days": "daily", "time": "13:00", "timezone": "UTC"},
        enforce_permissions=False,
    )
    assert body["data"]["flags"] & EPHEMERAL and "Only moderators" in body["data"]["content"]
    assert mentor.storage.learning.channel(s.guild.id) is None


async def test_bad_schedule_input_is_explained(mentor: Mentor) -> None:
    """An unknown zone, time or day list gets an ephemeral message naming the accepted formats."""
    s = mentor.studio
    for options, expected in (
        ({"time": "25:00", "timezone": "UTC"}, "24-hour time"),
        ({"time": "18:00", "timezone": "Mars/Olympus"}, "IANA name"),
    ):
        body = await run(mentor, s.alice.id, "learning subscribe", {"frequency": "daily", **options})
        assert body["data"]["flags"] & EPHEMERAL and expected in body["data"]["content"], body
    body = await run(
        mentor,
        s.mo.id,
        "learning channel set",
        {"channel": s.general.id, "days": "someday", "time": "13:00", "timezone": "UTC"},
    )
    assert "mon,wed,fri" in body["data"]["content"]
    assert mentor.storage.learning.subscription(s.guild.id, s.alice.id) is None


async def test_timezone_autocomplete_suggests_iana_names(mentor: Mentor) -> None:
    """Typing "berl" offers Europe/Berlin."""
    s = mentor.studio
    inter = await mentor.double.autocomplete(
        s.guild.id,
        s.general.id,
        s.alice.id,
        "learning subscribe",
        {"frequency": "daily", "time": "18:00", "timezone": "berl"},
        focused="timezone",
    )
    body = await inter.response
    assert {"name": "Europe/Berlin", "value": "Europe/Berlin"} in body["data"]["choices"]


async def test_dm_arrives_and_done_works_after_a_restart(mentor: Mentor, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Subscribe; status shows the next time; the DM arrives on time; "Done" still works after a restart."""
    s, double = mentor.studio, mentor.double
    body = await run(
        mentor,
        s.alice.id,
        "learning subscribe",
        {"frequency": "daily", "time": "12:30", "timezone": "Europe/London"},
    )
    due = datetime(2026, 1, 5, 12, 30, tzinfo=UTC)
    assert f"<t:{int(due.timestamp())}:F>" in fields(body)["Next prompt"]
    status = await run(mentor, s.alice.id, "learning status")
    assert (
        f"<t:{int(due.timestamp())}:" in fields(status)["Next prompt"]
        and fields(status)["Weekly streak"] == "0 weeks"
    )
    await tick(mentor, timedelta(minutes=30))
    (dm,) = double.dms_received(s.alice.id)
    assert "/learning unsubscribe" in embeds_of(dm)[0]["footer"]["text"]
    (done,) = custom_ids(dm)
    # Restart: a new bot process on the same database.
    await mentor.bot.close()
    bot, task = await start_mentor(
        mentor.config, mentor.storage, Library(index=mentor.bot.library.index), double.token, mentor.clock
    )
    try:
        clicked = await (await double.click(dm, done, s.alice.id)).response
        assert (
            clicked["data"]["content"] == "Nice work! Weekly streak: 1 week."
            and clicked["data"]["flags"] & EPHEMERAL
        )
        other = await (await double.click(dm, done, s.mo.id)).response  # not mo's prompt
        assert "isn't yours" in other["data"]["content"]
        again = await (await double.click(dm, done, s.alice.id)).response
        assert again["data"]["content"].startswith("Already marked done.")
        assert len(mentor.storage.learning.completions(s.guild.id, s.alice.id)) == 1
    finally:
        await bot.close()
        await asyncio.wait_for(task, 5)
        mentor.bot = bot  # the fixture closes it again, harmlessly


async def test_closed_dms_pause_the_subscription_once(mentor: Mentor) -> None:
    """403/50007 pauses the subscription with the reason shown in status; no further DM is tried."""
    s, double = mentor.studio, mentor.double
    double.dm_closed(s.alice.id)
    await run(
        mentor, s.alice.id, "learning subscribe", {"frequency": "daily", "time": "12:30", "timezone": "UTC"}
    )
    await tick(mentor, timedelta(minutes=30))
    sub = mentor.storage.learning.subscription(s.guild.id, s.alice.id)
    assert sub is not None and sub.paused and "DMs are closed" in (sub.pause_reason or "")
    (row,) = mentor.storage.deliveries.since(datetime(2026, 1, 1, tzinfo=UTC))
    assert row.status is Status.FAILED and "50007" in (row.reason or "")
    assert double.invalid_request_count == 1
    for _ in range(3):
        await tick(mentor, timedelta(days=1))
    assert double.invalid_request_count == 1
    status = await run(mentor, s.alice.id, "learning status")
    assert "DMs are closed" in fields(status)["Paused"]


async def test_lost_channel_access_pauses_and_tells_the_moderators_once(mentor: Mentor) -> None:
    """The bot loses Send Messages in the channel: no 403 is even risked, the schedule pauses, one notice."""
    s, double = mentor.studio, mentor.double
    await run(
        mentor,
        s.mo.id,
        "learning channel set",
        {"channel": s.general.id, "days": "daily", "time": "12:30", "timezone": "UTC"},
    )
    double.set_channel_overwrite(s.general.id, double.bot_user_id, deny=SEND)
    await asyncio.sleep(0.1)  # CHANNEL_UPDATE reaches the bot
    for _ in range(3):
        await tick(mentor, timedelta(minutes=30) if mentor.clock.now().minute == 0 else timedelta(days=1))
    schedule = mentor.storage.learning.channel(s.guild.id)
    assert schedule is not None and schedule.paused and "Send Messages" in (schedule.pause_reason or "")
    notices = double.dms_received(s.owner.id) + [
        m for m in double.messages(s.help.id) if "paused" in m.get("content", "")
    ]
    assert len(notices) == 1 and "/learning channel resume" in notices[0]["content"]
    assert double.invalid_request_count == 0
    shown = await run(mentor, s.mo.id, "learning channel show")
    assert "Send Messages" in fields(shown)["Paused"]


async def test_learning_now_and_pause_resume_unsubscribe(mentor: Mentor) -> None:
    """/learning now answers at once (ephemeral); pause, resume and unsubscribe change what is planned."""
    s = mentor.studio
    now = await run(mentor, s.alice.id, "learning now")
    assert now["data"]["flags"] & EPHEMERAL and embeds_of(now)[0]["title"].startswith("Learning prompt")
    refused = await run(mentor, s.alice.id, "learning pause")
    assert "not subscribed" in refused["data"]["content"]
    await run(
        mentor,
        s.alice.id,
        "learning subscribe",
        {"frequency": "weekly", "time": "12:30", "timezone": "UTC", "weekday": "tuesday"},
    )
    await run(mentor, s.alice.id, "learning pause")
    await tick(mentor, timedelta(days=1, minutes=30))  # Tuesday 12:30: paused, nothing
    assert mentor.double.dms_received(s.alice.id) == []
    await run(mentor, s.alice.id, "learning resume")
    await tick(mentor, timedelta(days=7))
    assert len(mentor.double.dms_received(s.alice.id)) == 1
    await run(mentor, s.alice.id, "learning unsubscribe")
    await tick(mentor, timedelta(days=7))
    assert len(mentor.double.dms_received(s.alice.id)) == 1


async def test_my_data_covers_subscriptions_deliveries_and_completions(mentor: Mentor) -> None:
    """Export lists the member's learning rows; forget deletes them and leaves others' alone."""
    s, storage = mentor.studio, mentor.storage
    for user in (s.alice.id, s.mo.id):
        await run(
            mentor, user, "learning subscribe", {"frequency": "daily", "time": "12:30", "timezone": "UTC"}
        )
    await tick(mentor, timedelta(minutes=30))
    (dm,) = mentor.double.dms_received(s.alice.id)
    await (await mentor.double.click(dm, custom_ids(dm)[0], s.alice.id)).response
    exported = storage.export_member(s.guild.id, s.alice.id)
    assert exported["learning_subscription"]["timezone"] == "UTC"
    assert len(exported["deliveries"]) == 1 and len(exported["learning_completions"]) == 1
    assert len(exported["learning_prompts"]) == 1
    removed = storage.forget_member(s.guild.id, s.alice.id)
    assert (
        removed["deliveries"] == 1
        and removed["learning_subscriptions"] == 1
        and removed["learning_completions"] == 1
    )
    assert storage.export_member(s.guild.id, s.alice.id)["deliveries"] == []
    assert storage.learning.subscription(s.guild.id, s.mo.id) is not None
