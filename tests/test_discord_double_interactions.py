"""The double's interaction side, driven by a bare discord.py bot: attachment options, files in
interaction answers and follow-ups, signed expiring attachment links, and Label modals."""

from __future__ import annotations

import aiohttp
import pytest

from tests.discord_double import DiscordDouble
from tests.discord_double.bot_fixtures import bot_fixture, start_bot_fixture  # noqa: F401 (fixtures)
from tests.discord_double.echo_bot import EchoBot
from tests.discord_double.studio import Studio


async def _fetch(url: str) -> tuple[int, bytes]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.read()


async def test_attachment_option_and_file_answers(
    bot: EchoBot, discord_double: DiscordDouble, studio: Studio
) -> None:
    """An ATTACHMENT option resolves to a CDN-style link; files in the answer and follow-up are kept."""
    inter = await discord_double.slash_command(
        studio.guild.id, studio.general.id, studio.alice.id, "upload", {"file": ("beat.wav", b"RIFF1234")}
    )
    resolved = next(iter(inter.data["resolved"]["attachments"].values()))
    assert inter.data["options"] == [{"name": "file", "type": 11, "value": resolved["id"]}]
    assert "?ex=" in resolved["url"] and "&is=" in resolved["url"] and "&hm=" in resolved["url"]
    response = await inter.response
    assert response["type"] == 4 and response["data"]["content"] == "got beat.wav (8 bytes)"
    assert inter.response_request is not None
    assert [f[1:] for f in inter.response_request.files] == [("copy-beat.wav", b"RIFF1234")]
    answer = inter.message
    assert answer is not None and answer["attachments"][0]["filename"] == "copy-beat.wav"
    assert discord_double.attachment_bytes(answer["attachments"][0]) == b"RIFF1234"
    followup = await inter.wait_followup()
    assert followup["content"] == "reversed"
    kept = inter.followup_messages[0]["attachments"][0]
    assert kept["filename"] == "reversed.bin" and kept["size"] == 8
    assert discord_double.attachment_bytes(kept) == b"4321FFIR"
    assert await _fetch(kept["url"]) == (200, b"4321FFIR")


async def test_attachment_links_are_signed_and_expire(discord_double: DiscordDouble, studio: Studio) -> None:
    """A link without its query, with a forged signature, or past ``ex`` is 404, as on Discord's CDN."""
    sent = await discord_double.send_message(
        studio.general.id, studio.alice.id, "f", attachments=[("a.txt", b"hi")]
    )
    url = sent["attachments"][0]["url"]
    assert await _fetch(url) == (200, b"hi")
    assert (await _fetch(url.split("?")[0]))[0] == 404
    assert (await _fetch(url.replace("hm=", "hm=0")))[0] == 404
    discord_double.state.attachment_ttl = -1
    old = await discord_double.send_message(
        studio.general.id, studio.alice.id, "g", attachments=[("b.txt", b"x")]
    )
    assert (await _fetch(old["attachments"][0]["url"]))[0] == 404


async def test_label_modal_round_trip(bot: EchoBot, discord_double: DiscordDouble, studio: Studio) -> None:
    """A modal of ui.Labels is recorded; the submit mirrors Label (type 18) wrappers with ids and values."""
    command = await discord_double.slash_command(studio.guild.id, studio.help.id, studio.alice.id, "profile")
    shown = await command.response
    assert shown["type"] == 9 and command.modal is not None
    assert [c["type"] for c in command.modal["components"]] == [18, 18]
    assert command.modal["components"][1]["component"]["type"] == 3
    with pytest.raises(AssertionError, match="offers only"):
        await discord_double.submit_modal(
            command, "profile:modal", {"profile:name": "Ana", "profile:stage": ["mastering"]}
        )
    with pytest.raises(AssertionError, match="length 40"):
        await discord_double.submit_modal(
            command, "profile:modal", {"profile:name": "A" * 40, "profile:stage": ["idea"]}
        )
    submit = await discord_double.submit_modal(
        command, "profile:modal", {"profile:name": "Ana", "profile:stage": ["mixing"]}
    )
    components = submit.data["components"]
    assert [c["type"] for c in components] == [18, 18]
    assert components[0]["component"] == {"type": 4, "id": 2, "custom_id": "profile:name", "value": "Ana"}
    assert components[1]["component"]["values"] == ["mixing"]
    assert len({components[0]["id"], components[1]["id"], 2, components[1]["component"]["id"]}) == 4
    assert (await submit.response)["data"]["content"] == "Ana @ mixing"
