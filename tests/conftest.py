"""Shared fixtures: the loopback Discord, and Studio Mentor itself connected to it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.app import MentorBot, apply_endpoints
from bot.clock import Clock, ManualClock
from bot.config import AnswerSettings, BotSettings, Config, DiscordSettings
from bot.knowledge import SearchIndex, load_knowledge
from bot.knowledge.library import Library
from bot.storage import Storage
from tests.discord_double import DiscordDouble
from tests.discord_double.recording import RecordedRequest
from tests.discord_double.studio import Studio

pytest_plugins = ["tests.discord_double.fixtures"]


@pytest.fixture(scope="session")
def shipped_index() -> SearchIndex:
    """The bundled knowledge base's index, built once for the whole run."""
    return SearchIndex(load_knowledge())


@dataclass
class Mentor:
    """A running Studio Mentor and the world around it."""

    bot: MentorBot
    double: DiscordDouble
    studio: Studio
    storage: Storage
    config: Config
    clock: ManualClock  # the bot's only source of time: advance it instead of sleeping


def mentor_config(double: DiscordDouble, studio: Studio, database: Path, **answers: object) -> Config:
    """A config pointing the bot at the double, syncing commands to the Studio guild."""
    return Config(
        discord=DiscordSettings(
            api_base=double.api_base,
            gateway_url=double.gateway_url,
            dev_guild_ids=(studio.guild.id,),
            guild_ready_timeout=0.05,
        ),
        bot=BotSettings(database=database),
        answers=AnswerSettings(**answers),  # type: ignore[arg-type]
    )


async def start_mentor(
    config: Config, storage: Storage, library: Library, token: str, clock: Clock | None = None
) -> tuple[MentorBot, asyncio.Task[None]]:
    """Start the real bot against the double and wait until it is ready."""
    bot = MentorBot(config=config, storage=storage, library=library, clock=clock)
    ready = asyncio.Event()

    async def on_ready() -> None:
        ready.set()

    bot.add_listener(on_ready, "on_ready")
    task = asyncio.create_task(bot.start(token))
    done, _ = await asyncio.wait(
        {task, asyncio.create_task(ready.wait())}, timeout=10, return_when=asyncio.FIRST_COMPLETED
    )
    if task in done:
        task.result()  # surface the start-up error
    assert ready.is_set(), "bot did not become ready"
    return bot, task


@pytest.fixture
async def mentor(
    discord_double: DiscordDouble, studio: Studio, tmp_path: Path, shipped_index: SearchIndex
) -> AsyncIterator[Mentor]:
    """Studio Mentor connected to the loopback Discord, with a fresh SQLite file."""
    config = mentor_config(discord_double, studio, tmp_path / "mentor.db", cooldown_seconds=0)
    clock = ManualClock()
    storage = Storage(config.bot.database, clock=clock)
    bot, task = await start_mentor(config, storage, Library(index=shipped_index), discord_double.token, clock)
    try:
        yield Mentor(bot, discord_double, studio, storage, config, clock)
    finally:
        await bot.close()
        await asyncio.wait_for(task, 5)
        storage.close()
        apply_endpoints(Config())  # leave discord.py pointing at Discord for the next test


def embeds_of(body: dict) -> list[dict]:
    """The embeds in a message or callback body."""
    data = body.get("data", body)
    return data.get("embeds") or []


def custom_ids(body: dict) -> list[str]:
    """Every component custom_id in a message or callback body, in order."""
    data = body.get("data", body)
    out: list[str] = []
    for row in data.get("components") or []:
        for comp in row.get("components", []):
            if comp.get("custom_id"):
                out.append(comp["custom_id"])
    return out


EPHEMERAL = discord.MessageFlags.ephemeral.flag


def weak_question(mentor: Mentor) -> str:
    """A question the shipped knowledge base can only guess at (between the thresholds).

    A topic word among words the knowledge base has never seen reads as a guess, not an answer.
    """
    index = mentor.bot.library.index
    words = sorted({w for e in index.kb.entries for k in e.keywords for w in k.split()})
    candidates = [f"{w} {filler}" for filler in ("blorp", "blorp flim", "blorp flim zorg") for w in words]
    question = next((q for q in candidates if index.search(q).suggestions), None)
    assert question, "no question falls in the weak band"
    return question


# --- waiting on what the bot sent, instead of sleeping ----------------------------------------------

MESSAGES = "/channels/{channel_id}/messages"
REPLY_TIMEOUT = 5.0  # seconds: generous on a loaded machine; a passing test never waits this long


def is_post_to(channel_id: int) -> Callable[[RecordedRequest], bool]:
    """Predicate: the bot posted a message in this channel (or thread, or DM)."""
    return lambda r: (
        r.method == "POST" and r.route == MESSAGES and r.params.get("channel_id") == str(channel_id)
    )


def is_reply_to(message: dict[str, Any]) -> Callable[[RecordedRequest], bool]:
    """Predicate: the bot posted a reply to this message (a message the double built for a member)."""
    posted_in = is_post_to(int(message["channel_id"]))
    return lambda r: (
        posted_in(r)
        and isinstance(r.json, dict)
        and str((r.json.get("message_reference") or {}).get("message_id")) == str(message["id"])
    )


def posts_to(double: DiscordDouble, channel_id: int) -> list[RecordedRequest]:
    """Every message the bot posted in a channel so far, in order."""
    return [r for r in double.requests if is_post_to(channel_id)(r)]


async def reply_to(double: DiscordDouble, message: dict[str, Any]) -> RecordedRequest:
    """Wait for the bot's reply to one message (looking back to the start of the run, so order is free)."""
    return await double.wait_for_request(is_reply_to(message), REPLY_TIMEOUT, since=0)


async def assert_ignored(
    double: DiscordDouble, ignored: list[dict[str, Any]], control: dict[str, Any], *, since: int = 0
) -> RecordedRequest:
    """Assert the bot never answered ``ignored``: wait for its reply to ``control``, sent after them.

    "Nothing arrived yet" proves nothing on its own. The bot handles gateway events in arrival order and
    makes its reply request before it awaits anything, so once the control message (one the bot *does*
    answer, sent last) has its reply, a wrong reply to an earlier message would have been requested too.
    Checks every post in the messages' channels from ``since`` (a ``double.mark()``); returns the reply.
    """
    answer = await reply_to(double, control)
    channels = {str(m["channel_id"]) for m in [*ignored, control]}
    posted = [
        r
        for r in double.requests[since:]
        if r.method == "POST" and r.route == MESSAGES and r.params.get("channel_id") in channels
    ]
    wrong = [r for r in posted if r is not answer]
    assert not wrong, [(r.params.get("channel_id"), r.json) for r in wrong]
    return answer


async def until(check: Callable[[], object], timeout: float = REPLY_TIMEOUT) -> None:
    """Wait until ``check()`` is truthy: for state the bot's cache reaches by the gateway (a new thread)."""
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.005)
