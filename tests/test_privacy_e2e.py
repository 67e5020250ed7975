"""Privacy end to end: what an overheard message leaves behind, the retention job, removed servers' data."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from bot.clock import ManualClock, iso
from bot.cogs.housekeeping import Housekeeping
from bot.knowledge import SearchIndex
from bot.knowledge.library import Library
from bot.storage import Status, Storage
from tests.conftest import Mentor, embeds_of, mentor_config, start_mentor
from tests.discord_double import DiscordDouble
from tests.discord_double.studio import Studio


async def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait until check() holds (events reach the bot asynchronously)."""
    for _ in range(int(timeout / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    assert check()


def housekeeping(mentor: Mentor) -> Housekeeping:
    # load_extension imports the module afresh, so isinstance against our import would fail: check by name.
    cog = mentor.bot.get_cog("Housekeeping")
    assert cog is not None
    return cog  # type: ignore[return-value]


async def test_unanswered_help_channel_message_keeps_no_member_channel_or_wording(mentor: Mentor) -> None:
    """A help-channel message the bot stays silent on is logged as folded text only; an answered one in full."""
    s, double = mentor.studio, mentor.double
    mentor.storage.settings.update(s.guild.id, help_channel_ids=(s.help.id,))
    await double.send_message(s.help.id, s.alice.id, "Anyone selling a used car? Call Alice on 0176 5551234?")
    answered = await double.send_message(s.help.id, s.alice.id, "how do i become an assistant producer?")
    await double.wait_for_request(
        lambda r: (
            r.method == "POST"
            and str(r.json.get("message_reference", {}).get("message_id")) == str(answered["id"])
        ),
        timeout=5,
    )

    def logged() -> int:
        mentor.storage.flush()
        return int(mentor.storage.core.execute("SELECT COUNT(*) FROM questions").fetchone()[0])

    await eventually(lambda: logged() == 2)  # the answer is logged just after its reply is sent
    rows = mentor.storage.core.execute(
        "SELECT user_id, channel_id, question, normalised, outcome FROM questions ORDER BY id"
    ).fetchall()
    assert rows[0] == (None, None, None, "anyone selling a used car? call alice on 0176 5551234?", "declined")
    assert rows[1][:3] == (s.alice.id, s.help.id, "how do i become an assistant producer?")
    exported = mentor.storage.export_member(s.guild.id, s.alice.id)["questions"]
    assert [q["question"] for q in exported] == ["how do i become an assistant producer?"]


async def test_kb_gaps_says_the_period_it_covers(mentor: Mentor) -> None:
    """/kb gaps tells moderators it covers the retention period, with data and without."""
    s = mentor.studio
    inter = await mentor.double.slash_command(s.guild.id, s.general.id, s.mo.id, "kb gaps", {})
    empty = embeds_of(await inter.response)[0]
    assert empty["footer"]["text"].startswith("Covers the last 90 days")
    assert "in the last 90 days" in empty["description"]
    await (
        await mentor.double.slash_command(
            s.guild.id, s.general.id, s.alice.id, "ask", {"question": "how do i bake bread"}
        )
    ).response
    inter = await mentor.double.slash_command(s.guild.id, s.general.id, s.mo.id, "kb gaps", {})
    listed = embeds_of(await inter.response)[0]
    assert "how do i bake bread" in listed["description"]
    assert listed["footer"]["text"].startswith("Covers the last 90 days")


async def test_retention_job_runs_at_start_and_uses_the_bots_clock(
    discord_double: DiscordDouble, studio: Studio, tmp_path: Path, shipped_index: SearchIndex
) -> None:
    """Rows older than question_log_days (by the injected clock) are gone once the bot is ready; newer stay."""
    clock = ManualClock()
    storage = Storage(tmp_path / "mentor.db", clock=clock)
    storage.prepare()
    common = {
        "guild_id": studio.guild.id,
        "channel_id": 1,
        "user_id": 2,
        "source": "slash",
        "entry_id": None,
        "score": 0.0,
    }
    storage.questions.record(question="asked long ago", outcome="declined", **common)  # type: ignore[arg-type]
    storage.questions.record_feedback(guild_id=studio.guild.id, user_id=2, entry_id="x", helpful=False)
    old_send = storage.deliveries.plan(
        kind="dm",
        schedule="s",
        slot="old",
        recipient=2,
        due_at=clock.now(),
        status=Status.SKIPPED,
        reason="r",
    )
    assert old_send is not None
    clock.advance(timedelta(days=89))
    storage.questions.record(question="asked recently", outcome="declined", **common)  # type: ignore[arg-type]
    storage.flush()
    clock.advance(timedelta(days=2))  # the first rows are now 91 days old, the last 2 days
    config = mentor_config(discord_double, studio, storage.path)
    bot, task = await start_mentor(config, storage, Library(index=shipped_index), discord_double.token, clock)
    try:
        await eventually(lambda: storage.core.execute("SELECT COUNT(*) FROM questions").fetchone()[0] == 1)
        await eventually(lambda: storage.core.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0] == 0)
        assert [g.text for g in storage.questions.gaps(studio.guild.id)] == ["asked recently"]
        cog = bot.get_cog("Housekeeping")
        assert cog is not None and cog.daily.is_running()  # type: ignore[attr-defined]
        assert cog.daily.hours == 24  # type: ignore[attr-defined]
    finally:
        await bot.close()
        await asyncio.wait_for(task, 5)
        storage.close()


async def test_removed_server_data_is_deleted_after_the_grace_period(mentor: Mentor) -> None:
    """Removed from a server: its data stays 30 days (by the bot's clock), then every row of it is deleted."""
    s, double, storage = mentor.studio, mentor.double, mentor.storage
    other = double.add_guild(name="Other")
    await eventually(
        lambda: (
            storage.guilds.removed_at(other.id) is None and any(g.id == other.id for g in mentor.bot.guilds)
        )
    )
    storage.settings.update(other.id, cooldown_seconds=12)
    storage.questions.record(
        guild_id=other.id,
        channel_id=1,
        user_id=2,
        question="q",
        source="slash",
        outcome="declined",
        entry_id=None,
        score=0.0,  # type: ignore[arg-type]
    )
    storage.settings.update(s.guild.id, cooldown_seconds=7)
    double.remove_guild(other.id)
    await eventually(lambda: storage.guilds.removed_at(other.id) is not None)
    assert storage.guilds.removed_at(other.id) == iso(mentor.clock.now())
    mentor.clock.advance(timedelta(days=29))
    assert housekeeping(mentor).sweep().forgotten_guilds == []
    assert storage.settings.get(other.id).cooldown_seconds == 12
    mentor.clock.advance(timedelta(days=1, seconds=1))
    assert housekeeping(mentor).sweep().forgotten_guilds == [other.id]
    assert storage.settings.get(other.id).cooldown_seconds is None
    assert (
        storage.core.execute("SELECT COUNT(*) FROM questions WHERE guild_id = ?", [other.id]).fetchone()[0]
        == 0
    )
    assert storage.guilds.removed_at(other.id) is None
    assert storage.settings.get(s.guild.id).cooldown_seconds == 7  # the server the bot is still in keeps all


async def test_a_server_that_takes_the_bot_back_keeps_its_data(mentor: Mentor) -> None:
    """A removal is cancelled by a return before the grace period ends (joined again, or seen at a sweep)."""
    s, storage = mentor.studio, mentor.storage
    storage.settings.update(s.guild.id, cooldown_seconds=7)
    storage.guilds.removed(s.guild.id)  # e.g. kicked by mistake while the bot was offline...
    mentor.clock.advance(timedelta(days=31))
    sweep = housekeeping(mentor).sweep()  # ...but the bot is in the server again: reconciled, not deleted
    assert sweep.forgotten_guilds == []
    assert storage.guilds.removed_at(s.guild.id) is None
    assert storage.settings.get(s.guild.id).cooldown_seconds == 7


async def test_server_removed_while_offline_starts_its_countdown_at_the_next_sweep(mentor: Mentor) -> None:
    """A server the bot knew but is no longer in (no event while it was down) is marked removed by the sweep."""
    storage = mentor.storage
    storage.guilds.joined(4242)
    housekeeping(mentor).sweep()
    assert storage.guilds.removed_at(4242) == iso(mentor.clock.now())
    assert storage.guilds.removed_at(mentor.studio.guild.id) is None
