"""Point the real discord.py client at a DiscordDouble, and put it back afterwards.

The two class attributes below are all discord.py reads to find Discord (``Route.BASE`` also covers
interaction callbacks and webhooks). Never call ``discord.http._set_api_version()`` afterwards: it
resets ``Route.BASE`` to discord.com.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import discord.gateway
import discord.http
import yarl


@contextmanager
def redirect_discord_py(api_base: str, gateway_url: str) -> Iterator[None]:
    """Within the block, discord.py talks to ``api_base``/``gateway_url`` instead of Discord."""
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway
