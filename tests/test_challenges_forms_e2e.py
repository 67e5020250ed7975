"""The create form and its errors, permissions, cross-server ids and the server's time zone, end to end."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import discord

from bot.challenges import Status
from tests.challenge_helpers import CREATE_FORM, T0, command, create, fresh, open_form, runner
from tests.conftest import EPHEMERAL, Mentor, embeds_of

MODERATOR_COMMANDS = [
    ("challenge create", lambda c, s: {"channel": s.general.id}),
    ("challenge edit", lambda c, s: {"challenge": c}),
    ("challenge extend", lambda c, s: {"challenge": c, "deadline": "in 9 days"}),
    ("challenge end", lambda c, s: {"challenge": c}),
    ("challenge cancel", lambda c, s: {"challenge": c}),
    ("challenge submissions", lambda c, s: {"challenge": c}),
    ("challenge export", lambda c, s: {"challenge": c}),
]


async def test_a_deadline_before_the_start_is_refused_keeping_what_was_typed(mentor: Mentor) -> None:
    """The error is private, names the problem, shows the typed text, and the retry form comes back filled in."""
    m = mentor
    m.clock.set(T0)
    form = await open_form(m)
    typed = {
        "title": "Mix it",
        "brief": "Mix the stems.",
        "start": "2030-03-10 18:00",
        "deadline": "2030-03-09 18:00",
    }
    submitted = await m.double.submit_modal(form, CREATE_FORM, typed)
    body = (await submitted.response)["data"]
    assert body["flags"] & EPHEMERAL
    assert "The deadline is before the start." in body["content"]
    shown = {f["name"]: f["value"] for f in embeds_of(body)[0]["fields"]}
    assert shown["Title"] == "Mix it" and shown["Deadline"] == "2030-03-09 18:00"
    assert m.storage.challenges.in_server(m.studio.guild.id, open_only=False) == []
    retry_message = submitted.message
    assert retry_message is not None
    [retry_id] = [c["custom_id"] for row in retry_message["components"] for c in row["components"]]
    again = await m.double.click(retry_message, retry_id, m.studio.mo.id)
    modal = (await again.response)["data"]
    values = {lab["component"]["custom_id"]: lab["component"].get("value") for lab in modal["components"]}
    assert values == {"title": "Mix it", "brief": "Mix the stems.", "start": "2030-03-10 18:00",
                      "deadline": "2030-03-09 18:00"}  # fmt: skip
    fixed = await m.double.submit_modal(again, CREATE_FORM, {"deadline": "2030-03-12 18:00"})
    assert "is set" in (await fixed.response)["data"]["content"]


async def test_malformed_and_past_times_are_named(mentor: Mentor) -> None:
    """An unreadable start and a deadline in the past are both reported; nothing is created."""
    m = mentor
    m.clock.set(T0)
    form = await open_form(m)
    fields = {"title": "T", "brief": "B", "start": "next blursday", "deadline": "2030-03-01 10:00"}
    body = (await (await m.double.submit_modal(form, CREATE_FORM, fields)).response)["data"]
    assert "Start: can't read 'next blursday' as a time" in body["content"]
    form = await open_form(m)
    fields = {"title": "T", "brief": "B", "deadline": "2030-03-01 10:00"}
    body = (await (await m.double.submit_modal(form, CREATE_FORM, fields)).response)["data"]
    assert "The deadline is in the past." in body["content"]
    assert m.storage.challenges.in_server(m.studio.guild.id, open_only=False) == []


async def test_an_over_long_field_from_a_tampered_client_is_refused(mentor: Mentor) -> None:
    """The form's max_length is only a client hint: a longer brief is refused by the bot itself."""
    m, s = mentor, mentor.studio
    m.clock.set(T0)
    await open_form(m)
    long = {"title": "T", "brief": "b" * 1001, "start": "", "deadline": "in 3 days"}
    # No form definition given: the double then skips the client-side limits, as a modified client would.
    tampered = await m.double.submit_modal(
        None, CREATE_FORM, long, s.mo.id, guild_id=s.guild.id, channel_id=s.general.id
    )
    body = (await tampered.response)["data"]
    assert "The brief is 1001 characters; the limit is 1000." in body["content"]
    assert m.storage.challenges.in_server(s.guild.id, open_only=False) == []


async def test_members_are_refused_every_moderator_command(mentor: Mentor) -> None:
    """The bot's own check refuses a member even when Discord would let them run the command."""
    m, s = mentor, mentor.studio
    m.clock.set(T0)
    challenge, _ = await create(m, {"start": "tomorrow 18:00"})
    for name, options in MODERATOR_COMMANDS:
        _, body = await command(m, s.alice.id, name, options(challenge.id, s))
        assert body["type"] == 4 and body["data"]["flags"] & EPHEMERAL, name
        assert "Only moderators" in body["data"]["content"], name
    assert fresh(m, challenge).status is Status.SCHEDULED


async def test_another_servers_challenge_is_not_found(mentor: Mentor) -> None:
    """A challenge id from another server is "not found" for members and moderators alike."""
    m, s = mentor, mentor.studio
    m.clock.set(T0)
    challenge, _ = await create(m, {"start": "tomorrow 18:00"})
    owner2 = m.double.add_user("owner2")
    other = m.double.add_guild(name="Other", owner_id=owner2.id)
    lobby = m.double.add_channel(other.id, name="lobby")
    await asyncio.sleep(0.2)
    m.bot.tree.copy_global_to(guild=discord.Object(other.id))
    await m.bot.tree.sync(guild=discord.Object(other.id))
    for name, options in [
        ("challenge join", {"challenge": challenge.id}),
        ("challenge submit", {"challenge": challenge.id, "link": "https://x.example"}),
        ("challenge export", {"challenge": challenge.id}),
        ("challenge cancel", {"challenge": challenge.id}),
    ]:
        _, body = await command(m, owner2.id, name, options, guild_id=other.id, channel_id=lobby.id)
        assert f"Challenge #{challenge.id} was not found in this server" in body["data"]["content"], name
    assert fresh(m, challenge).status is Status.SCHEDULED
    assert m.storage.challenges.counts(s.guild.id, challenge.id) == (0, 0, 0)


async def test_times_are_read_in_the_servers_time_zone(mentor: Mentor) -> None:
    """With /mentor settings timezone: Europe/Berlin, "2030-03-05 18:00" is 17:00 UTC."""
    m, s = mentor, mentor.studio
    m.clock.set(T0)
    inter = await m.double.autocomplete(
        s.guild.id, s.general.id, s.mo.id, "mentor settings", {"timezone": "berl"}
    )
    assert "Europe/Berlin" in [c["value"] for c in (await inter.response)["data"]["choices"]]
    _, saved = await command(m, s.mo.id, "mentor settings", {"timezone": "europe/berlin"})
    fields = {f["name"]: f["value"] for f in embeds_of(saved)[0]["fields"]}
    assert fields["Time zone"] == "Europe/Berlin"
    _, refused = await command(m, s.mo.id, "mentor settings", {"timezone": "Mars/Olympus"})
    assert "unknown time zone" in refused["data"]["content"]
    challenge, _ = await create(m, {"start": "2030-03-05 18:00", "deadline": "2030-03-08 18:00"})
    assert challenge.timeline.starts_at == datetime(2030, 3, 5, 17, 0, tzinfo=UTC)
    _, reset = await command(m, s.mo.id, "mentor settings", {"reset": "time zone"})
    fields = {f["name"]: f["value"] for f in embeds_of(reset)[0]["fields"]}
    assert fields["Time zone"] == "UTC *(default)*"


async def test_edit_changes_an_upcoming_challenge_and_refuses_a_closed_one(mentor: Mentor) -> None:
    """/challenge edit opens the form filled in; the change is stored; a closed challenge can't be edited."""
    m, s = mentor, mentor.studio
    m.clock.set(T0)
    challenge, _ = await create(m, {"start": "2030-03-05 18:00", "deadline": "2030-03-08 18:00"})
    inter, body = await command(m, s.mo.id, "challenge edit", {"challenge": challenge.id})
    values = {
        lab["component"]["custom_id"]: lab["component"].get("value") for lab in body["data"]["components"]
    }
    assert values["start"] == "2030-03-05 18:00" and values["title"] == "Flip this sample"
    done = await m.double.submit_modal(inter, f"sm:ch:form:edit:{challenge.id}", {"title": "Flip it twice"})
    assert "updated" in (await done.response)["data"]["content"]
    assert fresh(m, challenge).title == "Flip it twice"
    m.clock.set(challenge.timeline.starts_at)
    await runner(m).run_due()
    ending, _ = await command(m, s.mo.id, "challenge end", {"challenge": challenge.id})
    assert "the summary is posted" in (await ending.wait_followup())["content"]
    assert fresh(m, challenge).status is Status.CLOSED
    _, refused = await command(m, s.mo.id, "challenge edit", {"challenge": challenge.id})
    assert "only upcoming or running ones change" in refused["data"]["content"]
