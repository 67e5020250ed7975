"""End-to-end tests of the Discord double, driven by the real, unmodified discord.py client."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import discord
import discord.gateway
import discord.http
import pytest
from discord import app_commands

from tests.discord_double import DiscordDouble, RecordedRequest, redirect_discord_py
from tests.discord_double.echo_bot import EchoBot, echo_intents
from tests.discord_double.studio import Studio

pytest_plugins = ["tests.discord_double.fixtures"]

MESSAGES = "/channels/{channel_id}/messages"
StartBot = Callable[..., Awaitable[EchoBot]]


class PanelView(discord.ui.View):
    """A button that edits its message and a select that answers ephemerally."""

    def __init__(self) -> None:
        super().__init__(timeout=60)

    @discord.ui.button(label="Ping", custom_id="panel:ping")
    async def ping(self, interaction: discord.Interaction, button: discord.ui.Button[PanelView]) -> None:
        await interaction.response.edit_message(content="pong", view=self)

    @discord.ui.select(custom_id="panel:pick", options=[discord.SelectOption(label=x, value=x) for x in "abc"],
                       max_values=2)
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select[PanelView]) -> None:
        await interaction.response.send_message(f"picked {','.join(select.values)}", ephemeral=True)


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    """One text input; the submit answers with what was typed."""

    text: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(label="Your feedback",
                                                                      custom_id="feedback:text")

    def __init__(self) -> None:
        super().__init__(custom_id="feedback:modal")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"thanks: {self.text.value}")


def add_test_commands(bot: EchoBot, guild_id: int) -> None:
    """Commands exercising every interaction shape: groups, autocomplete, views, modals, defers."""
    mentor = app_commands.Group(name="mentor", description="Mentor tools")
    settings = app_commands.Group(name="settings", description="Settings", parent=mentor)

    @settings.command(name="show", description="Show a settings section")
    async def show(interaction: discord.Interaction, section: str) -> None:
        await interaction.response.send_message(f"section={section}", ephemeral=True)

    kb = app_commands.Group(name="kb", description="Knowledge base")

    @kb.command(name="gaps", description="List gaps")
    async def gaps(interaction: discord.Interaction, limit: int) -> None:
        await interaction.response.send_message(f"gaps limit={limit}")

    @app_commands.command(name="ask", description="Ask a question")
    async def ask(interaction: discord.Interaction, question: str) -> None:
        await interaction.response.send_message(f"you asked {question}")

    @ask.autocomplete("question")
    async def ask_complete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=f"{current} {i}", value=f"{current}-{i}") for i in range(3)]

    @app_commands.command(name="panel", description="Show a panel")
    async def panel(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Pick one", view=PanelView())

    @app_commands.command(name="feedback", description="Send feedback")
    async def feedback(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(FeedbackModal())

    @app_commands.command(name="slow", description="Think, then answer")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send("done")

    bot.tree.add_command(mentor, guild=discord.Object(guild_id))
    for command in (kb, ask, panel, feedback, slow):
        bot.tree.add_command(command)


@pytest.fixture
async def start_bot(discord_double: DiscordDouble, studio: Studio) -> AsyncIterator[StartBot]:
    """Start EchoBots (with the test commands) against the double; close them and restore discord.py after."""
    bots: list[tuple[EchoBot, asyncio.Task[None]]] = []
    with redirect_discord_py(discord_double.api_base, discord_double.gateway_url):

        async def start(*, message_content: bool = True) -> EchoBot:
            bot = EchoBot(intents=echo_intents(message_content=message_content), sync_guild_ids=[studio.guild.id])
            add_test_commands(bot, studio.guild.id)
            task = asyncio.create_task(bot.start(discord_double.token))
            bots.append((bot, task))
            await asyncio.wait_for(bot.ready_event.wait(), 5)
            return bot

        yield start
        for bot, task in bots:
            await bot.close()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, 5)
    assert discord.http.Route.BASE == "https://discord.com/api/v10"
    assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == "wss://gateway.discord.gg/"


@pytest.fixture
async def bot(start_bot: StartBot) -> EchoBot:
    """A connected EchoBot with the message-content intent."""
    return await start_bot()


async def eventually(check: Callable[[], Any], timeout: float = 3.0) -> None:
    """Wait until ``check()`` is truthy (for effects the bot sees, not the double)."""
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.005)


def is_post(route: str) -> Callable[[RecordedRequest], bool]:
    """Predicate: a POST to ``route``."""
    return lambda r: r.method == "POST" and r.route == route


async def test_login_reaches_on_ready(bot: EchoBot, discord_double: DiscordDouble, studio: Studio) -> None:
    """Login makes Discord's calls in order, syncs commands, and READY/GUILD_CREATE fill the cache."""
    calls = [(r.method, r.route) for r in discord_double.requests[:3]]
    assert calls == [("GET", "/users/@me"), ("GET", "/oauth2/applications/@me"),
                     ("PUT", "/applications/{application_id}/commands")]
    assert bot.user is not None and bot.user.id == discord_double.bot_user_id
    assert bot.application_id == discord_double.application_id
    guild = bot.get_guild(studio.guild.id)
    assert guild is not None and guild.get_channel(studio.help.id) is not None
    assert {c["name"] for c in discord_double.commands()} == {"echo", "kb", "ask", "panel", "feedback", "slow"}
    assert [c["name"] for c in discord_double.commands(studio.guild.id)] == ["mentor"]
    assert discord_double.identify_count == 1
    assert discord_double.intents == echo_intents().value


async def test_message_gets_reply_with_allowed_mentions(bot: EchoBot, discord_double: DiscordDouble,
                                                        studio: Studio) -> None:
    """A member's message reaches on_message; the reply is recorded with allowed_mentions and a reference."""
    sent = await discord_double.send_message(studio.general.id, studio.alice.id, "hi <@&123456789012345678>")
    reply = await discord_double.wait_for_request(is_post(MESSAGES))
    assert reply.status == 200
    assert reply.json["content"] == sent["content"]
    assert reply.json["allowed_mentions"] == {"parse": []}
    assert int(reply.json["message_reference"]["message_id"]) == int(sent["id"])
    stored = discord_double.messages(studio.general.id)
    assert [m["author"]["username"] for m in stored] == ["alice", "Studio Mentor"]
    assert stored[-1]["type"] == 19 and stored[-1]["mentions"] == []


async def test_content_blanked_without_message_content_intent(start_bot: StartBot, discord_double: DiscordDouble,
                                                              studio: Studio) -> None:
    """Without the intent the bot sees empty content, except when mentioned or in DMs."""
    bot = await start_bot(message_content=False)
    await discord_double.send_message(studio.general.id, studio.alice.id, "secret")
    await discord_double.send_message(studio.general.id, studio.alice.id, "hey", mention_bot=True)
    reply = await discord_double.wait_for_request(is_post(MESSAGES))
    assert reply.json["content"] == f"<@{discord_double.bot_user_id}> hey"
    await discord_double.send_dm(studio.alice.id, "private")
    dm_reply = await discord_double.wait_for_request(is_post(MESSAGES))
    assert dm_reply.json["content"] == "private"
    assert [m["content"] for m in discord_double.dm_channel_messages(studio.alice.id)] == ["private", "private"]
    contents = [m.content for m in bot.received if not m.author.bot]
    assert contents == ["", f"<@{discord_double.bot_user_id}> hey", "private"]


async def test_bot_sees_its_own_messages(bot: EchoBot, discord_double: DiscordDouble, studio: Studio) -> None:
    """Like Discord, the double echoes the bot's own sends back as MESSAGE_CREATE."""
    await discord_double.send_message(studio.help.id, studio.alice.id, "echo me")
    await eventually(lambda: any(m.author.id == discord_double.bot_user_id for m in bot.received))
    own = next(m for m in bot.received if m.author.id == discord_double.bot_user_id)
    assert own.content == "echo me" and own.channel.id == studio.help.id


async def test_slash_subcommand_group_answers(bot: EchoBot, discord_double: DiscordDouble, studio: Studio) -> None:
    """A guild-scoped subcommand group and a global subcommand get type-4 answers with data."""
    inter = await discord_double.slash_command(studio.guild.id, studio.general.id, studio.mo.id,
                                               "mentor settings show", {"section": "stages"})
    response = await inter.response
    assert response["type"] == 4
    assert response["data"]["content"] == "section=stages" and response["data"]["flags"] == 64
    assert inter.data["guild_id"] == str(studio.guild.id)
    gaps = await discord_double.slash_command(studio.guild.id, studio.general.id, studio.alice.id, "kb gaps",
                                              {"limit": 5})
    assert (await gaps.response)["data"]["content"] == "gaps limit=5"
    assert gaps.data["options"] == [{"name": "gaps", "type": 1, "options": [
        {"name": "limit", "type": 4, "value": 5}]}]
    with pytest.raises(AssertionError, match="no option 'limt'"):
        await discord_double.slash_command(studio.guild.id, studio.general.id, studio.alice.id, "kb gaps",
                                           {"limt": 5})
    with pytest.raises(AssertionError, match="never synced"):
        await discord_double.slash_command(studio.guild.id, studio.general.id, studio.alice.id, "nope")


async def test_autocomplete_returns_choices(bot: EchoBot, discord_double: DiscordDouble, studio: Studio) -> None:
    """Typing into an autocomplete option gets a type-8 answer with choices."""
    inter = await discord_double.autocomplete(studio.guild.id, studio.general.id, studio.alice.id, "ask",
                                              options={"question": "inter"}, focused="question")
    response = await inter.response
    assert response["type"] == 8
    assert response["data"]["choices"][0] == {"name": "inter 0", "value": "inter-0"}


async def test_button_click_updates_message(bot: EchoBot, discord_double: DiscordDouble, studio: Studio) -> None:
    """Clicking a view's button routes to the view; a type-7 answer edits the message."""
    command = await discord_double.slash_command(studio.guild.id, studio.general.id, studio.alice.id, "panel")
    await command.response
    panel = command.message
    assert panel is not None and panel["content"] == "Pick one"
    click = await discord_double.click(panel, "panel:ping", user_id=studio.alice.id)
    assert (await click.response)["type"] == 7
    assert discord_double.message(int(panel["id"]))["content"] == "pong"
    pick = await discord_double.select(panel, "panel:pick", values=["a", "c"], user_id=studio.mo.id)
    assert (await pick.response)["data"]["content"] == "picked a,c"
    with pytest.raises(AssertionError, match="does not offer 'z'"):
        await discord_double.select(panel, "panel:pick", values=["z"], user_id=studio.mo.id)


async def test_modal_submit(bot: EchoBot, discord_double: DiscordDouble, studio: Studio) -> None:
    """A modal answer (type 9) can be submitted; the modal's on_submit answers."""
    command = await discord_double.slash_command(studio.guild.id, studio.help.id, studio.alice.id, "feedback")
    assert (await command.response)["type"] == 9
    submit = await discord_double.submit_modal(command, "feedback:modal", fields={"feedback:text": "great"})
    assert (await submit.response)["data"]["content"] == "thanks: great"


async def test_defer_then_followup(bot: EchoBot, discord_double: DiscordDouble, studio: Studio) -> None:
    """A thinking defer (type 5) is followed by a follow-up that replaces the loading message."""
    inter = await discord_double.slash_command(studio.guild.id, studio.general.id, studio.alice.id, "slow")
    assert (await inter.response)["type"] == 5
    followup = await inter.wait_followup(timeout=5)
    assert followup["content"] == "done"
    assert inter.message is not None and inter.message["content"] == "done"
    assert inter.message["flags"] & 128 == 0


async def test_second_answer_is_rejected(bot: EchoBot, discord_double: DiscordDouble, studio: Studio) -> None:
    """Answering an interaction twice gets Discord's 400 code 40060."""
    inter = await discord_double.slash_command(studio.guild.id, studio.general.id, studio.alice.id, "echo",
                                               {"text": "once"})
    await inter.response
    url = f"{discord_double.api_base}/interactions/{inter.id}/{inter.token}/callback"
    async with aiohttp.ClientSession() as session, session.post(url, json={"type": 4, "data": {"content": "x"}}) as r:
        assert r.status == 400 and r.headers["Content-Type"] == "application/json"
        assert (await r.json())["code"] == 40060


async def test_long_message_is_rejected(bot: EchoBot, discord_double: DiscordDouble, studio: Studio) -> None:
    """A 2,001-character message fails like on Discord: HTTPException code 50035."""
    channel = bot.get_channel(studio.general.id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as caught:
        await channel.send("x" * 2001)
    assert caught.value.status == 400 and caught.value.code == 50035
    assert "content" in caught.value.text


async def test_rate_limit_retried_once(bot: EchoBot, discord_double: DiscordDouble, studio: Studio) -> None:
    """A 429 makes discord.py wait retry_after and retry exactly once."""
    discord_double.rate_limit_next("POST", MESSAGES, retry_after=0.2)
    await discord_double.send_message(studio.general.id, studio.alice.id, "limited")
    await discord_double.wait_for_request(lambda r: is_post(MESSAGES)(r) and r.status == 200)
    posts = [r for r in discord_double.requests if is_post(MESSAGES)(r)]
    assert [r.status for r in posts] == [429, 200]
    assert posts[1].time - posts[0].time >= 0.2


async def test_gateway_drop_resumes(bot: EchoBot, discord_double: DiscordDouble, studio: Studio) -> None:
    """After a 4000 close the bot RESUMEs, gets the missed message replayed, and answers it."""
    await discord_double.close_gateway(code=4000)
    await discord_double.send_message(studio.general.id, studio.alice.id, "while away")
    reply = await discord_double.wait_for_request(is_post(MESSAGES))
    assert reply.json["content"] == "while away"
    assert discord_double.resume_count == 1 and discord_double.identify_count == 1


async def test_unknown_route_recorded(bot: EchoBot, discord_double: DiscordDouble) -> None:
    """A route the double lacks answers Discord's 404 body and is recorded."""
    with pytest.raises(discord.NotFound):
        await bot.http.request(discord.http.Route("GET", "/nowhere/{thing_id}", thing_id=1))
    assert [r.path for r in discord_double.unknown_requests] == ["/nowhere/1"]
    assert discord_double.unknown_requests[0].status == 404
