"""pytest fixtures: a running DiscordDouble populated with the "Studio" guild.

Register from ``tests/conftest.py`` with ``pytest_plugins = ["tests.discord_double.fixtures"]``.
The world is built before any bot connects, so it all arrives in READY/GUILD_CREATE.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from .double import DiscordDouble
from .studio import Studio, populate_studio, studio_of


@pytest.fixture
async def discord_double() -> AsyncIterator[DiscordDouble]:
    """A started DiscordDouble with the Studio guild; stopped after the test."""
    double = DiscordDouble()
    populate_studio(double)
    await double.start()
    try:
        yield double
    finally:
        await double.stop()


@pytest.fixture
def studio(discord_double: DiscordDouble) -> Studio:
    """Handles (guild, channels, members, role) of the ``discord_double`` fixture's Studio guild."""
    return studio_of(discord_double)
