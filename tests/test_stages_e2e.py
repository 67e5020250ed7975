"""/stage end to end through the loopback Discord: set, show, history, next and its checklist buttons, the
quiz, visibility, moderators' stats, stage roles (including Discord's 403), restarts and 200 members at once."""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import discord

from bot.clock import ManualClock
from bot.knowledge import SearchIndex
from bot.knowledge.library import Library
from bot.knowledge.stage_guides import load_stage_content
from bot.stages import LADDER
from bot.storage import Storage
from tests.conftest import EPHEMERAL, Mentor, custom_ids, embeds_of, mentor_config, start_mentor
from tests.discord_double import DiscordDouble
from tests.discord_double.interactions import Interaction, base_payload, command_data
from tests.discord_double.models import MANAGE_ROLES
from tests.discord_double.studio import Studio

ROLE_ROUTE = "/guilds/{guild_id}/members/{user_id}/roles/{role_id}"


async def run(
    m: Mentor, user_id: int, command: str, options: dict | None = None, **kw: Any
) -> tuple[Interaction, dict]:
    """Run a slash command in Studio's #general; return the interaction and the bot's callback body."""
    s = m.studio
    inter = await m.double.slash_command(s.guild.id, s.general.id, user_id, command, options or {}, **kw)
    return inter, await inter.response


async def crafted(m: Mentor, user_id: int, command: str, options: dict, **override: Any) -> Interaction:
    """Send a slash command whose option values a stale or hand-made client changed after validation."""
    s = m.studio
    data, _ = command_data(m.double, s.guild.id, command, options)
    data = copy.deepcopy(data)
    for option in data["options"][0]["options"]:
        if option["name"] in override:
            option["value"] = override[option["name"]]
    payload = base_payload(m.double, 2, s.guild.id, s.general.id, user_id)
    payload["data"] = data
    return await m.double._dispatch_interaction(payload)


def fields(body: dict, index: int = 0) -> dict[str, str]:
    return {f["name"]: f["value"] for f in embeds_of(body)[index].get("fields", [])}


def button(message: dict, custom_id: str) -> dict:
    return next(
        c for row in message["components"] for c in row["components"] if c.get("custom_id") == custom_id
    )


async def test_stage_set_is_synced_with_every_stage_as_a_choice(mentor: Mentor) -> None:
    """/stage set offers the five stages in ladder order, each option described."""
    stage = next(c for c in mentor.double.commands(mentor.studio.guild.id) if c["name"] == "stage")
    set_ = next(o for o in stage["options"] if o["name"] == "set")
    option = next(o for o in set_["options"] if o["name"] == "stage")
    assert [c["value"] for c in option["choices"]] == [s.value for s in LADDER]
    assert all(o["description"] for o in set_["options"])
    assert {o["name"] for o in stage["options"]} == {
        "set", "show", "history", "next", "quiz", "visibility", "stats"
    }  # fmt: skip


async def test_set_saves_and_answers_privately_with_what_to_focus_on(mentor: Mentor) -> None:
    """The reply is ephemeral, names the stage, lists its focus, points to /stage next; the stage is stored."""
    s = mentor.studio
    inter, body = await run(
        mentor, s.alice.id, "stage set", {"stage": "learning", "note": "started a course"}
    )
    assert body["data"]["flags"] & EPHEMERAL
    assert custom_ids(body) == [f"sm:stage:next:{s.alice.id}"]  # "What's next" opens /stage next
    nxt = await mentor.double.click(inter.message, f"sm:stage:next:{s.alice.id}", s.alice.id)
    opened = await nxt.response
    assert opened["type"] == 4 and opened["data"]["flags"] & EPHEMERAL
    assert f"sm:stage:check:{s.alice.id}:finish-a-track" in custom_ids(opened)
    other = await mentor.double.click(inter.message, f"sm:stage:next:{s.alice.id}", s.mo.id)
    assert "belongs to someone else" in (await other.response)["data"]["content"]
    embed = embeds_of(body)[0]
    assert embed["title"] == "Your stage: Learning the craft"
    assert "started a course" in embed["description"]
    assert "Music theory" in fields(body)["Focus on now"] or "music theory" in fields(body)["Focus on now"]
    assert "/stage next" in embed["footer"]["text"]
    assert mentor.storage.stages.current(s.guild.id, s.alice.id) == "learning"
    assert mentor.storage.stages.current(s.guild.id, s.mo.id) is None  # nobody else's changed
    _, again = await run(mentor, s.alice.id, "stage set", {"stage": "learning"})
    assert "already" in embeds_of(again)[0]["description"]
    assert len(mentor.storage.stages.history(s.guild.id, s.alice.id)) == 1


async def test_note_is_cleaned_clipped_and_never_pings(mentor: Mentor) -> None:
    """Whitespace collapses, a crafted over-long note is clipped to 200, and echoed mentions can't ping."""
    s = mentor.studio
    note = f"  moved   up\n\n@everyone  <@{s.mo.id}> <@&{s.mods.id}>  "
    _, body = await run(mentor, s.alice.id, "stage set", {"stage": "intern", "note": note})
    stored = mentor.storage.stages.history(s.guild.id, s.alice.id)[0].note
    assert stored == f"moved up @everyone <@{s.mo.id}> <@&{s.mods.id}>"
    description = embeds_of(body)[0]["description"]
    assert "@everyone" not in description and f"<@{s.mo.id}>" not in description  # neutralised
    assert body["data"]["allowed_mentions"] == {"parse": []}
    long = await crafted(mentor, s.alice.id, "stage set", {"stage": "producer", "note": "x"}, note="y" * 500)
    assert (await long.response)["data"]["flags"] & EPHEMERAL
    clipped = mentor.storage.stages.history(s.guild.id, s.alice.id)[0].note
    assert clipped is not None and len(clipped) == 200 and clipped.endswith("…")


async def test_a_stage_that_does_not_exist_is_refused_clearly(mentor: Mentor) -> None:
    """A stale client's or crafted stage id gets an ephemeral explanation, and nothing is stored."""
    s = mentor.studio
    inter = await crafted(mentor, s.alice.id, "stage set", {"stage": "intern"}, stage="rockstar")
    body = await inter.response
    assert body["data"]["flags"] & EPHEMERAL
    assert (
        "no stage called `rockstar`" in body["data"]["content"]
        and "`assistant-producer`" in body["data"]["content"]
    )
    assert mentor.storage.stages.current(s.guild.id, s.alice.id) is None


async def test_show_is_private_unless_the_member_makes_it_visible(mentor: Mentor) -> None:
    """Your own stage shows with since-when and a progress bar; another's only after they opt in."""
    s = mentor.studio
    _, none = await run(mentor, s.alice.id, "stage show")
    assert "haven't set a stage" in none["data"]["content"]
    await run(mentor, s.alice.id, "stage set", {"stage": "intern"})
    mentor.storage.stages.toggle_item(s.guild.id, s.alice.id, "set-up-a-session", "intern")
    _, own = await run(mentor, s.alice.id, "stage show")
    assert own["data"]["flags"] & EPHEMERAL
    assert embeds_of(own)[0]["title"] == "alice: Interning"
    assert fields(own)["Since"].startswith("<t:") and fields(own)["Checklist"] == "`▰▰▱▱▱▱▱▱▱▱ 1/5`"
    _, hidden = await run(mentor, s.mo.id, "stage show", {"member": s.alice.id})
    assert hidden["data"]["content"] == "alice keeps their stage private."
    _, opted = await run(mentor, s.alice.id, "stage visibility", {"visible": True})
    assert "can now see" in opted["data"]["content"]
    _, seen = await run(mentor, s.mo.id, "stage show", {"member": s.alice.id})
    assert embeds_of(seen)[0]["title"] == "alice: Interning"
    await run(mentor, s.alice.id, "stage visibility", {"visible": False})
    _, hidden_again = await run(mentor, s.mo.id, "stage show", {"member": s.alice.id})
    assert "private" in hidden_again["data"]["content"]
    stranger = mentor.double.add_user("stranger")  # not in this server: a plain answer, not an apology
    _, elsewhere = await run(mentor, s.mo.id, "stage show", {"member": stranger.id})
    assert elsewhere["data"]["content"] == "stranger keeps their stage private."


async def test_history_lists_changes_newest_first_with_notes(mentor: Mentor) -> None:
    """Each change shows from → to, a Discord timestamp, and the note."""
    s = mentor.studio
    await run(mentor, s.alice.id, "stage set", {"stage": "exploring"})
    mentor.clock.advance(86_400)
    await run(mentor, s.alice.id, "stage set", {"stage": "learning", "note": "enrolled *today*"})
    _, body = await run(mentor, s.alice.id, "stage history")
    lines = embeds_of(body)[0]["description"].splitlines()
    assert "Exploring the career → Learning the craft" in lines[0] and "enrolled \\*today\\*" in lines[0]
    assert lines[0].startswith("<t:") and "Exploring the career" in lines[1]


async def test_next_shows_guidance_and_checklist_buttons_that_toggle(mentor: Mentor) -> None:
    """/stage next lists focus, readiness and reading; a checklist button ticks and unticks, redrawn in place."""
    s = mentor.studio
    _, refused = await run(mentor, s.alice.id, "stage next")
    assert "/stage set" in refused["data"]["content"]
    await run(mentor, s.alice.id, "stage set", {"stage": "learning"})
    inter, body = await run(mentor, s.alice.id, "stage next")
    assert body["data"]["flags"] & EPHEMERAL
    shown = fields(body)
    assert "Ready for Intern when" in shown and any(k.startswith("Checklist") for k in shown)
    check = f"sm:stage:check:{s.alice.id}:finish-a-track"
    assert check in custom_ids(body) and any(c.startswith("sm:show:") for c in custom_ids(body))
    click = await mentor.double.click(inter.message, check, s.alice.id)
    redrawn = await click.response
    assert redrawn["type"] == 7  # the same message, updated
    assert mentor.storage.stages.checklist_done(s.guild.id, s.alice.id) == {"finish-a-track"}
    assert button(inter.message, check)["style"] == discord.ButtonStyle.success.value
    assert "`▰▰▱▱▱▱▱▱▱▱ 1/6`" in next(k for k in fields(redrawn) if k.startswith("Checklist"))
    await (await mentor.double.click(inter.message, check, s.alice.id)).response
    assert mentor.storage.stages.checklist_done(s.guild.id, s.alice.id) == set()


async def test_someone_elses_checklist_button_is_refused_politely(mentor: Mentor) -> None:
    """Another member clicking is told it isn't theirs (ephemerally), and nothing is ticked for anyone."""
    s = mentor.studio
    await run(mentor, s.alice.id, "stage set", {"stage": "learning"})
    inter, _ = await run(mentor, s.alice.id, "stage next")
    click = await mentor.double.click(inter.message, f"sm:stage:check:{s.alice.id}:finish-a-track", s.mo.id)
    body = await click.response
    assert body["data"]["flags"] & EPHEMERAL and "belongs to someone else" in body["data"]["content"]
    assert mentor.storage.stages.checklist_done(s.guild.id, s.alice.id) == set()
    assert mentor.storage.stages.checklist_done(s.guild.id, s.mo.id) == set()


def quiz_answer(message: dict, label_part: str) -> str:
    """The custom_id of the quiz answer whose label contains `label_part`."""
    return next(
        c["custom_id"]
        for row in message["components"]
        for c in row["components"]
        if label_part.lower() in c.get("label", "").lower()
    )


async def test_quiz_walks_the_questions_then_sets_the_suggested_stage(mentor: Mentor) -> None:
    """Each answer shows the next question; the last shows a suggestion with the reason and a set button."""
    s = mentor.studio
    content = load_stage_content()
    inter, first = await run(mentor, s.alice.id, "stage quiz")
    assert first["data"]["flags"] & EPHEMERAL
    assert embeds_of(first)[0]["footer"]["text"].startswith(f"Question 1 of {len(content.quiz)}")
    message = inter.message
    for question in content.quiz:
        assert question.text in mentor.double.message(int(message["id"]))["embeds"][0]["description"]
        producer = next(a for a in question.answers if "producer" in [st.value for st in a.stages])
        click = await mentor.double.click(
            message, quiz_answer(mentor.double.message(int(message["id"])), producer.label), s.alice.id
        )
        assert (await click.response)["type"] == 7
    result = mentor.double.message(int(message["id"]))
    assert result["embeds"][0]["title"] == "You sound like you're at: Producer"
    assert "You said" in result["embeds"][0]["description"]
    set_id = f"sm:stage:quizset:{s.alice.id}:producer"
    assert mentor.storage.stages.current(s.guild.id, s.alice.id) is None  # suggesting is not setting
    refused = await mentor.double.click(result, set_id, s.mo.id)
    assert "belongs to someone else" in (await refused.response)["data"]["content"]
    done = await mentor.double.click(result, set_id, s.alice.id)
    body = await done.response
    assert body["type"] == 7 and embeds_of(body)[0]["title"] == "Your stage: Producer"
    assert mentor.storage.stages.current(s.guild.id, s.alice.id) == "producer"


async def test_stats_are_for_moderators_and_only_count_their_server(mentor: Mentor) -> None:
    """Members are refused; a moderator sees members per stage as bars and the last 30 days' changes."""
    s, double = mentor.studio, mentor.double
    _, refused = await run(mentor, s.alice.id, "stage stats")
    assert "Only moderators" in refused["data"]["content"]
    await run(mentor, s.alice.id, "stage set", {"stage": "exploring"})
    mentor.clock.advance(31 * 86_400)
    await run(mentor, s.alice.id, "stage set", {"stage": "learning"})
    await run(mentor, s.mo.id, "stage set", {"stage": "learning"})
    mentor.storage.stages.set_stage(999, s.alice.id, "producer")  # another server's record
    _, body = await run(mentor, s.mo.id, "stage stats")
    embed = embeds_of(body)[0]
    rows = embed["description"].strip("`\n").splitlines()
    assert rows[1].startswith("Learning the craft") and rows[1].endswith("██████████ 2")
    assert rows[4].startswith("Producer") and rows[4].endswith(" 0")
    assert fields(body)["Members with a stage"] == "2"
    assert fields(body)["Changes in the last 30 days"] == "2 (into: Learning the craft 2)"
    owner2 = double.add_user("owner2")
    other = double.add_guild(name="Other", owner_id=owner2.id)
    channel = double.add_channel(other.id, name="lobby")
    await asyncio.sleep(0.2)
    mentor.bot.tree.copy_global_to(guild=discord.Object(other.id))
    await mentor.bot.tree.sync(guild=discord.Object(other.id))
    inter = await double.slash_command(other.id, channel.id, owner2.id, "stage stats")
    assert fields(await inter.response)["Members with a stage"] == "0"


# --- stage roles ---------------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def own_mentor(
    double: DiscordDouble, studio: Studio, path: Path, clock: ManualClock, index: SearchIndex
) -> AsyncIterator[Mentor]:
    """A bot started on demand (after the test arranged the world, or again on the same file)."""
    config = mentor_config(double, studio, path, cooldown_seconds=0)
    storage = Storage(path, clock=clock)
    bot, task = await start_mentor(config, storage, Library(index=index), double.token, clock)
    try:
        yield Mentor(bot, double, studio, storage, config, clock)
    finally:
        await bot.close()
        await asyncio.wait_for(task, 5)
        storage.close()


def stage_roles(double: DiscordDouble, studio: Studio) -> dict[str, int]:
    return {name: double.add_role(studio.guild.id, name).id for name in ("Learners", "Interns")}


async def map_roles(m: Mentor, roles: dict[str, int]) -> dict:
    s = m.studio
    await run(m, s.mo.id, "mentor settings", {"stage_role_for": "learning", "stage_role": roles["Learners"]})
    _, body = await run(
        m, s.mo.id, "mentor settings", {"stage_role_for": "intern", "stage_role": roles["Interns"]}
    )
    return body


async def test_stage_roles_follow_the_stage(
    discord_double: DiscordDouble, studio: Studio, tmp_path: Path, shipped_index: SearchIndex
) -> None:
    """With Manage Roles and a higher role, /stage set swaps stage roles; /mydata forget takes them away."""
    roles = stage_roles(discord_double, studio)
    discord_double.give_bot_role(studio.guild.id, MANAGE_ROLES)  # on top, before the bot connects
    async with own_mentor(discord_double, studio, tmp_path / "m.db", ManualClock(), shipped_index) as m:
        body = await map_roles(m, roles)
        assert f"Learning: <@&{roles['Learners']}>" in fields(body)["Stage roles"]
        _, learning = await run(m, studio.alice.id, "stage set", {"stage": "learning"})
        assert f"Added <@&{roles['Learners']}>" in fields(learning)["Roles"]
        await asyncio.sleep(0.05)  # role calls run after the reply
        assert discord_double.member_roles(studio.guild.id, studio.alice.id) == [roles["Learners"]]
        await run(m, studio.alice.id, "stage set", {"stage": "intern"})
        await asyncio.sleep(0.05)
        assert discord_double.member_roles(studio.guild.id, studio.alice.id) == [roles["Interns"]]
        await run(m, studio.alice.id, "stage set", {"stage": "producer"})  # no role for producer
        await asyncio.sleep(0.05)
        assert discord_double.member_roles(studio.guild.id, studio.alice.id) == []
        await run(m, studio.alice.id, "stage set", {"stage": "learning"})
        await asyncio.sleep(0.05)
        forget, body = await run(m, studio.alice.id, "mydata forget")  # the role goes with the stage
        confirm = next(c for c in custom_ids(body) if c.startswith("sm:mydata:forget:"))
        await (await discord_double.click(forget.message, confirm, studio.alice.id)).response
        await asyncio.sleep(0.05)
        assert discord_double.member_roles(studio.guild.id, studio.alice.id) == []


async def test_missing_manage_roles_is_explained_and_the_stage_saved(
    discord_double: DiscordDouble, studio: Studio, tmp_path: Path, shipped_index: SearchIndex
) -> None:
    """Without Manage Roles the bot does not even try: the member hears why, moderators see it in stats."""
    roles = stage_roles(discord_double, studio)
    async with own_mentor(discord_double, studio, tmp_path / "m.db", ManualClock(), shipped_index) as m:
        body = await map_roles(m, roles)
        assert "Manage Roles" in body["data"]["content"]
        mark = discord_double.mark()
        _, reply = await run(m, studio.alice.id, "stage set", {"stage": "learning"})
        assert "Manage Roles" in fields(reply)["Roles"] and "stage is saved" in fields(reply)["Roles"]
        assert m.storage.stages.current(studio.guild.id, studio.alice.id) == "learning"
        await asyncio.sleep(0.05)
        assert not [r for r in discord_double.requests[mark:] if r.route == ROLE_ROUTE]
        _, stats = await run(m, studio.mo.id, "stage stats")
        assert "Manage Roles" in fields(stats)["Stage roles"]


async def test_a_role_above_the_bot_is_not_attempted(
    discord_double: DiscordDouble, studio: Studio, tmp_path: Path, shipped_index: SearchIndex
) -> None:
    """A stage role placed above the bot's highest role is named to the member; no request is made."""
    roles = stage_roles(discord_double, studio)
    own = discord_double.give_bot_role(studio.guild.id, MANAGE_ROLES, position=1)
    discord_double.set_role_position(studio.guild.id, roles["Learners"], own.position + 1)
    async with own_mentor(discord_double, studio, tmp_path / "m.db", ManualClock(), shipped_index) as m:
        body = await map_roles(m, roles)
        assert "above my highest role" in body["data"]["content"]
        mark = discord_double.mark()
        _, reply = await run(m, studio.alice.id, "stage set", {"stage": "learning"})
        assert f"<@&{roles['Learners']}> is above my highest role" in fields(reply)["Roles"]
        await asyncio.sleep(0.05)
        assert not [r for r in discord_double.requests[mark:] if r.route == ROLE_ROUTE]
        assert m.storage.stages.current(studio.guild.id, studio.alice.id) == "learning"


async def test_a_403_from_discord_is_reported_and_the_stage_kept(
    discord_double: DiscordDouble, studio: Studio, tmp_path: Path, shipped_index: SearchIndex
) -> None:
    """When Discord refuses the role change anyway (50013), the member gets a follow-up and the stage stays."""
    roles = stage_roles(discord_double, studio)
    discord_double.give_bot_role(studio.guild.id, MANAGE_ROLES)
    async with own_mentor(discord_double, studio, tmp_path / "m.db", ManualClock(), shipped_index) as m:
        await map_roles(m, roles)
        discord_double.fail_next("PUT", ROLE_ROUTE, 403, {"message": "Missing Permissions", "code": 50013})
        inter, reply = await run(m, studio.alice.id, "stage set", {"stage": "learning"})
        assert "Added" in fields(reply)["Roles"]
        follow = await inter.wait_followup()
        assert follow["flags"] & EPHEMERAL and "couldn't update your roles" in follow["content"]
        assert m.storage.stages.current(studio.guild.id, studio.alice.id) == "learning"
        assert discord_double.member_roles(studio.guild.id, studio.alice.id) == []
        _, stats = await run(m, studio.mo.id, "stage stats")
        assert "Discord refused" in fields(stats)["Stage roles"]


# --- restarts and load -----------------------------------------------------------------------------------


async def test_checklist_and_quiz_buttons_work_after_a_restart(
    discord_double: DiscordDouble, studio: Studio, tmp_path: Path, shipped_index: SearchIndex
) -> None:
    """Checklist, quiz and /mydata forget buttons sent by one bot process work in the next one."""
    path, clock = tmp_path / "m.db", ManualClock()
    async with own_mentor(discord_double, studio, path, clock, shipped_index) as m:
        await run(m, studio.alice.id, "stage set", {"stage": "intern"})
        nxt, _ = await run(m, studio.alice.id, "stage next")
        quiz, _ = await run(m, studio.alice.id, "stage quiz")
        forget, _ = await run(m, studio.alice.id, "mydata forget")
    async with own_mentor(discord_double, studio, path, clock, shipped_index) as m:
        click = await discord_double.click(
            nxt.message, f"sm:stage:check:{studio.alice.id}:set-up-a-session", studio.alice.id
        )
        assert (await click.response)["type"] == 7
        assert m.storage.stages.checklist_done(studio.guild.id, studio.alice.id) == {"set-up-a-session"}
        first = quiz.message
        answer = next(c["custom_id"] for row in first["components"] for c in row["components"])
        step = await discord_double.click(first, answer, studio.alice.id)
        assert (await step.response)["data"]["embeds"][0]["footer"]["text"].startswith("Question 2")
        confirm = next(c for c in custom_ids(forget.message) if c.startswith("sm:mydata:forget:"))
        gone = await discord_double.click(forget.message, confirm, studio.alice.id)
        assert (await gone.response)["data"]["content"].startswith("Deleted:")
        assert m.storage.stages.current(studio.guild.id, studio.alice.id) is None


async def test_two_hundred_members_set_their_stage_at_once(mentor: Mentor) -> None:
    """200 concurrent /stage set: every change stored, none lost, every interaction answered within 3 s."""
    s, double = mentor.studio, mentor.double
    members = [double.add_member(s.guild.id, username=f"member{i}") for i in range(200)]
    await asyncio.sleep(0.1)
    stages = [LADDER[i % len(LADDER)].value for i in range(200)]
    inters = await asyncio.gather(
        *(
            double.slash_command(s.guild.id, s.general.id, m.id, "stage set", {"stage": st})
            for m, st in zip(members, stages, strict=True)
        )
    )
    bodies = await asyncio.gather(*(i.wait_response(timeout=10.0) for i in inters))
    assert all(b["data"]["flags"] & EPHEMERAL for b in bodies)
    # Discord's rule, which the double enforces: the callback must arrive within 3 s of the interaction
    # (later ones get 404 Unknown interaction, so a 200 here means on time). Measured per interaction too.
    late = [i for i in inters if i.response_request is None or i.response_request.status != 200]
    assert not late, f"{len(late)} of 200 interactions were not answered within 3 s"
    slowest = max(i.response_request.time - i.created for i in inters if i.response_request)
    assert slowest < 3.0, f"slowest answer took {slowest:.2f}s"
    for member, stage in zip(members, stages, strict=True):
        assert mentor.storage.stages.get(s.guild.id, member.id).stage == stage
    counted = mentor.storage.stages.stats(s.guild.id, "1970").members
    assert sum(counted.values()) == 200


async def test_stage_role_settings_are_checked_and_reset(mentor: Mentor) -> None:
    """A role without its stage is refused before anything is saved; a stage alone or reset clears mappings."""
    s, double = mentor.studio, mentor.double
    learners = double.add_role(s.guild.id, "Learners")
    await asyncio.sleep(0.05)
    _, refused = await run(mentor, s.mo.id, "mentor settings", {"cooldown": 9, "stage_role": learners.id})
    assert "stage_role_for" in refused["data"]["content"] and refused["data"]["flags"] & EPHEMERAL
    assert mentor.storage.settings.get(s.guild.id).cooldown_seconds is None  # nothing half-saved
    _, everyone = await run(
        mentor, s.mo.id, "mentor settings", {"stage_role_for": "intern", "stage_role": s.guild.id}
    )
    assert "can't be given" in everyone["data"]["content"]
    await run(mentor, s.mo.id, "mentor settings", {"stage_role_for": "learning", "stage_role": learners.id})
    await run(mentor, s.mo.id, "mentor settings", {"stage_role_for": "intern", "stage_role": learners.id})
    assert mentor.storage.stages.roles(s.guild.id) == {"learning": learners.id, "intern": learners.id}
    await run(mentor, s.mo.id, "mentor settings", {"stage_role_for": "intern"})
    assert mentor.storage.stages.roles(s.guild.id) == {"learning": learners.id}
    _, reset = await run(mentor, s.mo.id, "mentor settings", {"reset": "stage roles"})
    assert mentor.storage.stages.roles(s.guild.id) == {}
    assert fields(reset)["Stage roles"].startswith("none")


async def test_every_stage_has_a_next_message_discord_accepts(mentor: Mentor) -> None:
    """For each stage, /stage next fits Discord's limits (the double refuses oversize embeds) with its buttons."""
    s = mentor.studio
    content = load_stage_content()
    for guide in content.guides:
        await run(mentor, s.alice.id, "stage set", {"stage": guide.stage.value})
        _, body = await run(mentor, s.alice.id, "stage next")
        assert body["type"] == 4, body
        checks = [c for c in custom_ids(body) if c.startswith("sm:stage:check:")]
        assert len(checks) == len(guide.checklist)
        assert ("Ready for" in " ".join(fields(body))) == (guide.stage is not LADDER[-1])
