"""End-to-end tests of the Discord double, driven by the real, unmodified discord.py client."""

from __future__ import annotations

import io
from typing import Any

import aiohttp
import discord
import discord.gateway
import discord.http
import pytest

from tests.discord_double import DiscordDouble, RestError
from tests.discord_double.bot_fixtures import StartBot, bot_fixture, eventually, is_post, start_bot_fixture  # noqa: F401 (fixtures)
from tests.discord_double.echo_bot import EchoBot, echo_intents
from tests.discord_double.limits import check_choices
from tests.discord_double.studio import Studio

MESSAGES = "/channels/{channel_id}/messages"


async def test_login_reaches_on_ready(bot: EchoBot, discord_double: DiscordDouble, studio: Studio) -> None:
    """Login makes Discord's calls in order, syncs commands, and READY/GUILD_CREATE fill the cache."""
    calls = [(r.method, r.route) for r in discord_double.requests[:3]]
    assert calls == [
        ("GET", "/users/@me"),
        ("GET", "/oauth2/applications/@me"),
        ("PUT", "/applications/{application_id}/commands"),
    ]
    assert bot.user is not None and bot.user.id == discord_double.bot_user_id
    assert bot.application_id == discord_double.application_id
    guild = bot.get_guild(studio.guild.id)
    assert guild is not None and guild.get_channel(studio.help.id) is not None
    assert {c["name"] for c in discord_double.commands()} == {
        "echo",
        "kb",
        "ask",
        "panel",
        "feedback",
        "slow",
        "profile",
        "upload",
    }
    assert [c["name"] for c in discord_double.commands(studio.guild.id)] == ["mentor"]
    assert discord_double.identify_count == 1
    assert discord_double.intents == echo_intents().value


async def test_message_gets_reply_with_allowed_mentions(
    bot: EchoBot, discord_double: DiscordDouble, studio: Studio
) -> None:
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


async def test_content_blanked_without_message_content_intent(
    start_bot: StartBot, discord_double: DiscordDouble, studio: Studio
) -> None:
    """Without the intent the bot sees empty content, except when mentioned or in DMs."""
    bot = await start_bot(message_content=False)
    await discord_double.send_message(studio.general.id, studio.alice.id, "secret")
    await discord_double.send_message(studio.general.id, studio.alice.id, "hey", mention_bot=True)
    reply = await discord_double.wait_for_request(is_post(MESSAGES))
    assert reply.json["content"] == f"<@{discord_double.bot_user_id}> hey"
    await discord_double.send_dm(studio.alice.id, "private")
    dm_reply = await discord_double.wait_for_request(is_post(MESSAGES))
    assert dm_reply.json["content"] == "private"
    assert [m["content"] for m in discord_double.dm_channel_messages(studio.alice.id)] == [
        "private",
        "private",
    ]
    contents = [m.content for m in bot.received if not m.author.bot]
    assert contents == ["", f"<@{discord_double.bot_user_id}> hey", "private"]


async def test_bot_sees_its_own_messages(bot: EchoBot, discord_double: DiscordDouble, studio: Studio) -> None:
    """Like Discord, the double echoes the bot's own sends back as MESSAGE_CREATE."""
    await discord_double.send_message(studio.help.id, studio.alice.id, "echo me")
    await eventually(lambda: any(m.author.id == discord_double.bot_user_id for m in bot.received))
    own = next(m for m in bot.received if m.author.id == discord_double.bot_user_id)
    assert own.content == "echo me" and own.channel.id == studio.help.id


async def test_slash_subcommand_group_answers(
    bot: EchoBot, discord_double: DiscordDouble, studio: Studio
) -> None:
    """A guild-scoped subcommand group and a global subcommand get type-4 answers with data."""
    inter = await discord_double.slash_command(
        studio.guild.id, studio.general.id, studio.mo.id, "mentor settings show", {"section": "stages"}
    )
    response = await inter.response
    assert response["type"] == 4
    assert response["data"]["content"] == "section=stages" and response["data"]["flags"] == 64
    assert inter.data["guild_id"] == str(studio.guild.id)
    gaps = await discord_double.slash_command(
        studio.guild.id, studio.general.id, studio.alice.id, "kb gaps", {"limit": 5}
    )
    assert (await gaps.response)["data"]["content"] == "gaps limit=5"
    assert gaps.data["options"] == [
        {"name": "gaps", "type": 1, "options": [{"name": "limit", "type": 4, "value": 5}]}
    ]
    with pytest.raises(AssertionError, match="no option 'limt'"):
        await discord_double.slash_command(
            studio.guild.id, studio.general.id, studio.alice.id, "kb gaps", {"limt": 5}
        )
    with pytest.raises(AssertionError, match="never synced"):
        await discord_double.slash_command(studio.guild.id, studio.general.id, studio.alice.id, "nope")


async def test_autocomplete_returns_choices(
    bot: EchoBot, discord_double: DiscordDouble, studio: Studio
) -> None:
    """Typing into an autocomplete option gets a type-8 answer with choices."""
    inter = await discord_double.autocomplete(
        studio.guild.id,
        studio.general.id,
        studio.alice.id,
        "ask",
        options={"question": "inter"},
        focused="question",
    )
    response = await inter.response
    assert response["type"] == 8
    assert response["data"]["choices"][0] == {"name": "inter 0", "value": "inter-0"}


async def test_button_click_updates_message(
    bot: EchoBot, discord_double: DiscordDouble, studio: Studio
) -> None:
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
    inter = await discord_double.slash_command(
        studio.guild.id, studio.general.id, studio.alice.id, "echo", {"text": "once"}
    )
    await inter.response
    url = f"{discord_double.api_base}/interactions/{inter.id}/{inter.token}/callback"
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json={"type": 4, "data": {"content": "x"}}) as r,
    ):
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


def _row(*components: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "components": list(components)}


def _button(custom_id: str, label: str = "b") -> dict[str, Any]:
    return {"type": 2, "style": 1, "label": label, "custom_id": custom_id}


LIMIT_CASES: list[tuple[str, dict[str, Any], int, list[str]]] = [
    ("content", {"content": "x" * 2001}, 50035, ["content"]),
    ("empty", {"content": "  "}, 50006, []),
    ("title", {"embeds": [{"title": "t" * 257}]}, 50035, ["embeds", "0", "title"]),
    ("description", {"embeds": [{"description": "d" * 4097}]}, 50035, ["embeds", "0", "description"]),
    (
        "fields",
        {"embeds": [{"fields": [{"name": "n", "value": "v"}] * 26}]},
        50035,
        ["embeds", "0", "fields"],
    ),
    (
        "field name",
        {"embeds": [{"fields": [{"name": "n" * 257, "value": "v"}]}]},
        50035,
        ["embeds", "0", "fields", "0", "name"],
    ),
    (
        "field value",
        {"embeds": [{"fields": [{"name": "n", "value": "v" * 1025}]}]},
        50035,
        ["embeds", "0", "fields", "0", "value"],
    ),
    ("footer", {"embeds": [{"footer": {"text": "f" * 2049}}]}, 50035, ["embeds", "0", "footer", "text"]),
    ("author", {"embeds": [{"author": {"name": "a" * 257}}]}, 50035, ["embeds", "0", "author", "name"]),
    (
        "embed total",
        {"embeds": [{"description": "d" * 4000}, {"description": "d" * 2001}]},
        50035,
        ["embeds"],
    ),
    ("embed count", {"embeds": [{"title": "t"}] * 11}, 50035, ["embeds"]),
    (
        "rows",
        {"content": "x", "components": [_row(_button(f"b{i}")) for i in range(6)]},
        50035,
        ["components"],
    ),
    (
        "row width",
        {"content": "x", "components": [_row(*(_button(f"b{i}") for i in range(6)))]},
        50035,
        ["components", "0", "components"],
    ),
    (
        "label",
        {"content": "x", "components": [_row(_button("b", "l" * 81))]},
        50035,
        ["components", "0", "components", "0", "label"],
    ),
    (
        "custom_id",
        {"content": "x", "components": [_row(_button("c" * 101))]},
        50035,
        ["components", "0", "components", "0", "custom_id"],
    ),
    (
        "options",
        {
            "content": "x",
            "components": [
                _row(
                    {
                        "type": 3,
                        "custom_id": "s",
                        "options": [{"label": str(i), "value": str(i)} for i in range(26)],
                    }
                )
            ],
        },
        50035,
        ["components", "0", "components", "0", "options"],
    ),
]


@pytest.mark.parametrize(
    ("payload", "code", "path"), [c[1:] for c in LIMIT_CASES], ids=[c[0] for c in LIMIT_CASES]
)
async def test_message_limits(
    discord_double: DiscordDouble, studio: Studio, payload: dict[str, Any], code: int, path: list[str]
) -> None:
    """Each Discord limit answers 400 with Discord's code and the offending field in ``errors``."""
    url = f"{discord_double.api_base}/channels/{studio.general.id}/messages"
    headers = {"Authorization": f"Bot {discord_double.token}"}
    async with aiohttp.ClientSession() as session, session.post(url, json=payload, headers=headers) as r:
        body = await r.json()
    assert r.status == 400 and body["code"] == code
    node = body.get("errors", {})
    for key in path:
        node = node[key]
    assert not path or node["_errors"]
    assert discord_double.messages(studio.general.id) == []


def test_autocomplete_choice_limits() -> None:
    """More than 25 choices, or a choice name over 100 characters, is an Invalid Form Body."""
    with pytest.raises(RestError) as caught:
        check_choices({"choices": [{"name": "n", "value": "v"}] * 26})
    assert caught.value.code == 50035 and "choices" in caught.value.errors["data"]
    with pytest.raises(RestError):
        check_choices({"choices": [{"name": "n" * 101, "value": "v"}]})


async def test_bot_token_required(discord_double: DiscordDouble) -> None:
    """REST needs ``Bot <token>``; interaction callbacks don't (an unknown one is 404 10062)."""
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{discord_double.api_base}/users/@me") as r:
            assert r.status == 401 and (await r.json())["message"] == "401: Unauthorized"
        async with session.post(
            f"{discord_double.api_base}/interactions/1/x/callback", json={"type": 1}
        ) as r:
            assert r.status == 404 and (await r.json())["code"] == 10062


async def test_planned_failures(bot: EchoBot, discord_double: DiscordDouble, studio: Studio) -> None:
    """fail_next and dm_closed surface as discord.Forbidden with Discord's codes, once."""
    discord_double.fail_next(
        "POST", MESSAGES, status=403, body={"code": 50013, "message": "Missing Permissions"}
    )
    channel = bot.get_channel(studio.help.id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.Forbidden) as caught:
        await channel.send("first")
    assert caught.value.code == 50013
    await channel.send("second")
    discord_double.dm_closed(studio.alice.id)
    user = await bot.fetch_user(studio.alice.id)
    with pytest.raises(discord.Forbidden) as closed:
        await user.send("hello")
    assert closed.value.code == 50007
    assert discord_double.dm_channel_messages(studio.alice.id) == []


async def test_default_permissions_enforced(
    bot: EchoBot, discord_double: DiscordDouble, studio: Studio
) -> None:
    """Discord hides a command from members lacking its default permissions, unless overridden."""
    with pytest.raises(AssertionError, match="default_member_permissions"):
        await discord_double.slash_command(
            studio.guild.id, studio.general.id, studio.alice.id, "mentor settings show", {"section": "x"}
        )
    inter = await discord_double.slash_command(
        studio.guild.id,
        studio.general.id,
        studio.alice.id,
        "mentor settings show",
        {"section": "x"},
        enforce_permissions=False,
    )
    assert (await inter.response)["type"] == 4


async def test_late_answer_is_unknown_interaction(
    bot: EchoBot, discord_double: DiscordDouble, studio: Studio
) -> None:
    """An answer after the deadline (3 s on Discord) gets 404 code 10062."""
    discord_double.interaction_deadline = 0.0
    inter = await discord_double.slash_command(
        studio.guild.id, studio.general.id, studio.alice.id, "echo", {"text": "late"}
    )
    callback = await discord_double.wait_for_request(
        lambda r: r.route is not None and r.route.endswith("/callback")
    )
    assert callback.status == 404 and callback.response["code"] == 10062
    assert not inter.acknowledged


async def test_world_changes_reach_connected_bot(bot: EchoBot, discord_double: DiscordDouble) -> None:
    """A guild and channel added after login arrive as GUILD_CREATE and CHANNEL_CREATE."""
    guild = discord_double.add_guild("Second")
    channel = discord_double.add_channel(guild.id, "lobby")
    await eventually(lambda: bot.get_channel(channel.id) is not None)
    assert bot.get_guild(guild.id) is not None


async def test_member_chunking(start_bot: StartBot, discord_double: DiscordDouble, studio: Studio) -> None:
    """With Discord's presence-limited member lists, discord.py chunks and still gets everyone."""
    discord_double.gateway.presence_limited_members = True
    bot = await start_bot(members=True)
    guild = bot.get_guild(studio.guild.id)
    assert guild is not None and guild.chunked and len(guild.members) == 4
    assert any(frame.get("op") == 8 for frame in discord_double.gateway.frames)


async def test_attachments_round_trip(bot: EchoBot, discord_double: DiscordDouble, studio: Studio) -> None:
    """Member uploads are downloadable by the bot; the bot's multipart uploads are recorded and stored."""
    await discord_double.send_message(
        studio.general.id, studio.alice.id, "my track", attachments=[("t.wav", b"RIFF")]
    )
    await eventually(lambda: any(m.attachments for m in bot.received))
    received = next(m for m in bot.received if m.attachments)
    assert await received.attachments[0].read() == b"RIFF"
    channel = bot.get_channel(studio.general.id)
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send("notes", file=discord.File(io.BytesIO(b"abc"), filename="notes.txt"))
    upload = discord_double.requests[-1]
    assert upload.json["content"] == "notes" and upload.files[0][1:] == ("notes.txt", b"abc")
    assert sent.attachments[0].content_type == "text/plain"
    assert discord_double.message(sent.id)["attachments"][0]["size"] == 3
