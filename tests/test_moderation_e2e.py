"""Moderator commands end to end: permission checks, per-server settings, /kb gaps and /kb reload."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import discord

from bot.clock import ManualClock
from bot.knowledge import bundled_knowledge_dir
from bot.knowledge.library import Library
from bot.storage import Storage
from tests.conftest import EPHEMERAL, Mentor, embeds_of, mentor_config, start_mentor, until


async def run(
    m: Mentor, user_id: int, command: str, options: dict | None = None, *, guild=None, channel=None, **kw
):  # type: ignore[no-untyped-def]
    s = m.studio
    inter = await m.double.slash_command(
        (guild or s.guild).id, (channel or s.general).id, user_id, command, options or {}, **kw
    )
    return inter, await inter.response


async def test_members_are_refused_moderator_commands(mentor: Mentor) -> None:
    """Even if an admin exposes them, members get an ephemeral refusal and nothing changes."""
    s = mentor.studio
    for command, options in (("mentor settings", {"cooldown": 5}), ("kb gaps", {}), ("kb reload", {})):
        _, body = await run(mentor, s.alice.id, command, options, enforce_permissions=False)
        assert body["data"]["flags"] & EPHEMERAL
        assert "Only moderators" in body["data"]["content"]
    assert mentor.storage.settings.get(s.guild.id).cooldown_seconds is None


async def test_moderator_commands_are_hidden_from_members_by_default(mentor: Mentor) -> None:
    """The synced commands carry default_member_permissions = Manage Server."""
    synced = {c["name"]: c for c in mentor.double.commands(mentor.studio.guild.id)}
    manage_guild = str(discord.Permissions(manage_guild=True).value)
    assert str(synced["mentor"]["default_member_permissions"]) == manage_guild
    assert str(synced["kb"]["default_member_permissions"]) == manage_guild
    assert synced["ask"].get("default_member_permissions") is None


async def test_settings_show_and_change(mentor: Mentor) -> None:
    """A moderator sees the settings and changes help channels, role and cooldown; they are stored per server."""
    s = mentor.studio
    _, shown = await run(mentor, s.mo.id, "mentor settings")
    fields = {f["name"]: f["value"] for f in embeds_of(shown)[0]["fields"]}
    assert fields["Answer cooldown"] == "0 s per member *(default)*"
    _, changed = await run(
        mentor,
        s.mo.id,
        "mentor settings",
        {"add_help_channel": s.help.id, "cooldown": 45, "moderator_role": s.mods.id},
    )
    assert changed["data"]["content"] == "Settings saved."
    fields = {f["name"]: f["value"] for f in embeds_of(changed)[0]["fields"]}
    assert fields["Help channels"] == f"<#{s.help.id}>"
    assert fields["Answer cooldown"] == "45 s per member"
    assert changed["data"]["allowed_mentions"] == {"parse": []}  # showing the role must not ping it
    stored = mentor.storage.settings.get(s.guild.id)
    assert (
        stored.help_channel_ids == (s.help.id,)
        and stored.cooldown_seconds == 45
        and stored.moderator_role_id == s.mods.id
    )
    _, removed = await run(mentor, s.mo.id, "mentor settings", {"remove_help_channel": s.help.id})
    assert mentor.storage.settings.get(s.guild.id).help_channel_ids == ()
    assert "none" in {f["name"]: f["value"] for f in embeds_of(removed)[0]["fields"]}["Help channels"]


async def test_configured_moderator_role_grants_access(mentor: Mentor) -> None:
    """A member with the server's moderator role (and no Manage Server) may use moderator commands."""
    s, double = mentor.studio, mentor.double
    helpers = double.add_role(s.guild.id, name="Helpers")
    double.set_member_roles(s.guild.id, s.alice.id, [helpers.id])
    _, refused = await run(mentor, s.alice.id, "kb gaps", enforce_permissions=False)
    assert "Only moderators" in refused["data"]["content"]
    await run(mentor, s.owner.id, "mentor settings", {"moderator_role": helpers.id})
    _, allowed = await run(mentor, s.alice.id, "kb gaps", enforce_permissions=False)
    assert embeds_of(allowed)[0]["title"] == "Knowledge gaps"


async def test_kb_gaps_lists_declined_and_unhelpful_with_counts(mentor: Mentor) -> None:
    """/kb gaps ranks this server's declined questions and down-voted answers by frequency."""
    s = mentor.studio
    for user in (s.alice.id, s.mo.id, s.owner.id):
        await run(mentor, user, "ask", {"question": "How do I bake banana bread?"})
    await run(mentor, s.alice.id, "ask", {"question": "what is the capital of france"})
    inter, _ = await run(mentor, s.alice.id, "ask", {"question": "how do i find my own sound"})
    message = inter.message
    down = next(
        c["custom_id"]
        for row in message["components"]
        for c in row["components"]
        if c["custom_id"].endswith(":0")
    )
    await (await mentor.double.click(message, down, s.alice.id)).response
    _, body = await run(mentor, s.mo.id, "kb gaps")
    lines = embeds_of(body)[0]["description"].splitlines()
    assert lines[0] == "**3×** declined: how do i bake banana bread?"
    assert any(line.startswith("**1×** not helpful: `") for line in lines)
    assert any("what is the capital of france" in line for line in lines)


async def test_one_servers_data_is_invisible_to_another(mentor: Mentor) -> None:
    """A second server's moderator sees none of the first server's questions or settings."""
    s, double = mentor.studio, mentor.double
    await run(mentor, s.alice.id, "ask", {"question": "how do i bake banana bread"})
    await run(mentor, s.mo.id, "mentor settings", {"cooldown": 99})
    owner2 = double.add_user("owner2")
    other = double.add_guild(name="Other", owner_id=owner2.id)
    channel = double.add_channel(other.id, name="lobby")
    await until(lambda: mentor.bot.get_guild(other.id) is not None)  # GUILD_CREATE reached the bot
    # The other server is not a dev guild, so its commands are the global ones: sync them there for the test.
    mentor.bot.tree.copy_global_to(guild=discord.Object(other.id))
    await mentor.bot.tree.sync(guild=discord.Object(other.id))
    _, gaps = await run(mentor, owner2.id, "kb gaps", guild=other, channel=channel)
    assert "Nothing yet" in embeds_of(gaps)[0]["description"]
    _, settings = await run(mentor, owner2.id, "mentor settings", guild=other, channel=channel)
    fields = {f["name"]: f["value"] for f in embeds_of(settings)[0]["fields"]}
    assert fields["Answer cooldown"] == "0 s per member *(default)*"


async def test_reset_puts_a_setting_back_to_the_default(mentor: Mentor) -> None:
    """`reset` clears the server's own value so the config default applies again; other settings stay."""
    s = mentor.studio
    await run(mentor, s.mo.id, "mentor settings", {"cooldown": 45, "add_help_channel": s.help.id})
    _, body = await run(mentor, s.mo.id, "mentor settings", {"reset": "cooldown"})
    fields = {f["name"]: f["value"] for f in embeds_of(body)[0]["fields"]}
    assert fields["Answer cooldown"] == "0 s per member *(default)*"
    assert fields["Help channels"] == f"<#{s.help.id}>"
    stored = mentor.storage.settings.get(s.guild.id)
    assert stored.cooldown_seconds is None and stored.help_channel_ids == (s.help.id,)
    await run(mentor, s.mo.id, "mentor settings", {"reset": "everything"})
    assert mentor.storage.settings.get(s.guild.id).help_channel_ids is None


@contextlib.asynccontextmanager
async def mentor_on_a_copy(discord_double, studio, tmp_path: Path) -> AsyncIterator[tuple[Mentor, Path]]:  # type: ignore[no-untyped-def]
    """Studio Mentor answering from a copy of the bundled knowledge folder that the test may edit."""
    folder = tmp_path / "kb"
    shutil.copytree(bundled_knowledge_dir(), folder, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    config = mentor_config(discord_double, studio, tmp_path / "m.db")
    clock = ManualClock()
    storage = Storage(config.bot.database, clock=clock)
    bot, task = await start_mentor(config, storage, Library(folder), discord_double.token, clock)
    try:
        yield Mentor(bot, discord_double, studio, storage, config, clock), folder
    finally:
        await bot.close()
        await task
        storage.close()


async def test_kb_reload_refuses_a_broken_folder_and_applies_a_good_one(
    discord_double, studio, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """/kb reload replies with the validation errors and keeps answering from the old base; a fixed folder loads."""
    async with mentor_on_a_copy(discord_double, studio, tmp_path) as (m, folder):
        path = folder / "formal-education.toml"
        original = path.read_text(encoding="utf-8")
        path.write_text(original.replace('stages = ["', 'stages = ["rockstar", "', 1), encoding="utf-8")
        inter = await discord_double.slash_command(
            studio.guild.id, studio.general.id, studio.mo.id, "kb reload"
        )
        assert (await inter.response)["type"] == 5  # deferred: validation reads every file
        follow = await inter.wait_followup()
        assert "Reload refused" in follow["content"]
        assert (
            "formal-education.toml: entry '" in follow["content"]
            and "unknown stage 'rockstar'" in follow["content"]
        )
        _, answer = await run(m, studio.alice.id, "ask", {"question": "do i need a degree to be a producer"})
        assert embeds_of(answer), "the old knowledge base still answers"
        path.write_text(
            original.replace(
                "[[entry]]",
                '[[entry]]\nid = "reload-probe"\ntitle = "Reload probe?"\nstages = ["learning"]\nrelated = []\nphrasings = ["zyxwv reload probe", "reload probe zyxwv", "probe zyxwv", "zyxwv"]\nkeywords = ["zyxwv"]\nsynonyms = []\nanswer = "Probe answer."\n\n[[entry]]',
                1,
            ),
            encoding="utf-8",
        )
        inter = await discord_double.slash_command(
            studio.guild.id, studio.general.id, studio.mo.id, "kb reload"
        )
        follow = await inter.wait_followup()
        assert follow["content"].startswith("Reloaded:")
        _, probe = await run(m, studio.alice.id, "ask", {"question": "zyxwv reload probe"})
        assert embeds_of(probe)[0]["title"] == "Reload probe?"


async def test_kb_reload_reloads_the_learning_prompts_too(discord_double, studio, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A broken prompts.toml refuses the reload (the old prompts stay); a good one is what /learning now sends."""
    async with mentor_on_a_copy(discord_double, studio, tmp_path) as (m, folder):
        path = folder / "prompts.toml"
        original = path.read_text(encoding="utf-8")
        path.write_text(
            original.replace('entry = "music-theory"', 'entry = "no-such-entry"', 1), encoding="utf-8"
        )
        inter = await discord_double.slash_command(
            studio.guild.id, studio.general.id, studio.mo.id, "kb reload"
        )
        follow = await inter.wait_followup()
        assert "Reload refused" in follow["content"] and "prompts.toml" in follow["content"], follow[
            "content"
        ]
        _, before = await run(m, studio.alice.id, "learning now")
        assert not embeds_of(before)[0]["description"].startswith("RELOADED")
        path.write_text(original.replace('text = "', 'text = "RELOADED ', -1), encoding="utf-8")
        inter = await discord_double.slash_command(
            studio.guild.id, studio.general.id, studio.mo.id, "kb reload"
        )
        follow = await inter.wait_followup()
        assert follow["content"].startswith("Reloaded:") and "learning prompts" in follow["content"]
        _, after = await run(m, studio.alice.id, "learning now")
        assert embeds_of(after)[0]["description"].startswith("RELOADED "), embeds_of(after)[0]


async def test_a_failing_handler_answers_something_went_wrong(mentor: Mentor) -> None:
    """When a command breaks (here: the database is gone), the member gets an ephemeral apology, not silence."""
    mentor.storage.core.db.close()
    _, body = await run(mentor, mentor.studio.mo.id, "kb gaps")
    assert body["data"]["flags"] & EPHEMERAL
    assert "something went wrong" in body["data"]["content"]
    mentor.storage.core.db = Storage(mentor.config.bot.database).core.db  # let the fixture close cleanly


def fields_of(body: dict) -> dict[str, str]:
    return {f["name"]: f["value"] for f in embeds_of(body)[0]["fields"]}


async def test_settings_change_only_what_was_asked(mentor: Mentor) -> None:
    """Adding a channel keeps the others and never twice; showing saves nothing; a reset touches one setting;
    every answer is private to the moderator."""
    s, double = mentor.studio, mentor.double
    lounge = double.add_channel(s.guild.id, name="lounge")
    await until(lambda: mentor.bot.get_channel(lounge.id) is not None)
    await run(mentor, s.mo.id, "mentor settings", {"add_help_channel": s.help.id, "cooldown": 30})
    await run(
        mentor, s.mo.id, "mentor settings", {"add_help_channel": lounge.id, "moderator_role": s.mods.id}
    )
    _, again = await run(mentor, s.mo.id, "mentor settings", {"add_help_channel": s.help.id})
    assert fields_of(again)["Help channels"] == f"<#{s.help.id}> <#{lounge.id}>"
    assert mentor.storage.settings.get(s.guild.id).help_channel_ids == (s.help.id, lounge.id)
    _, shown = await run(mentor, s.mo.id, "mentor settings")
    assert shown["data"].get("content") is None and shown["data"]["flags"] & EPHEMERAL
    _, reset = await run(mentor, s.mo.id, "mentor settings", {"reset": "cooldown"})
    assert fields_of(reset)["Moderator role"] == f"<@&{s.mods.id}>"
    assert fields_of(reset)["Help channels"] == f"<#{s.help.id}> <#{lounge.id}>"
    _, reset = await run(mentor, s.mo.id, "mentor settings", {"reset": "moderator role"})
    assert fields_of(reset)["Moderator role"] == "none (Manage Server only)"
    assert fields_of(reset)["Answer cooldown"] == "0 s per member *(default)*"
    stored = mentor.storage.settings.get(s.guild.id)
    assert (stored.moderator_role_id, stored.cooldown_seconds) == (None, None)


async def test_kb_gaps_honours_the_limit_and_escapes_markdown(mentor: Mentor) -> None:
    """`limit` caps the list; a member's question cannot restyle the moderator's list with markdown."""
    s = mentor.studio
    for question in (
        "how do i bake **sourdough** bread",
        "what is the capital of france",
        "how tall is everest",
    ):
        await run(mentor, s.alice.id, "ask", {"question": question})
    _, body = await run(mentor, s.mo.id, "kb gaps", {"limit": 2})
    lines = embeds_of(body)[0]["description"].splitlines()
    assert len(lines) == 2
    _, body = await run(mentor, s.mo.id, "kb gaps")
    description = embeds_of(body)[0]["description"]
    assert "how do i bake \\*\\*sourdough\\*\\* bread" in description and len(description.splitlines()) == 3
    assert body["data"]["flags"] & EPHEMERAL
