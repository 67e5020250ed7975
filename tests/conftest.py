"""Shared fixtures: the loopback Discord, and Studio Mentor itself connected to it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import discord
import pytest

from bot.app import MentorBot, apply_endpoints
from bot.clock import Clock, ManualClock
from bot.config import AnswerSettings, BotSettings, Config, DiscordSettings
from bot.knowledge import SearchIndex, load_knowledge
from bot.knowledge.library import Library
from bot.storage import Storage
from tests.discord_double import DiscordDouble
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
