"""A loopback Discord (REST + gateway websocket) for end-to-end tests of the real discord.py client.

Usage::

    async with DiscordDouble() as double:
        guild = double.add_guild("Studio")
        ...
        with redirect_discord_py(double.api_base, double.gateway_url):
            await bot.start(double.token)
"""

from .double import DiscordDouble
from .errors import RestError
from .gateway import GatewaySession
from .interactions import Interaction
from .models import Channel, Guild, Member, Role, User
from .recording import RecordedRequest
from .redirect import redirect_discord_py
from .studio import Studio, populate_studio

__all__ = [
    "Channel",
    "DiscordDouble",
    "GatewaySession",
    "Guild",
    "Interaction",
    "Member",
    "RecordedRequest",
    "RestError",
    "Role",
    "Studio",
    "User",
    "populate_studio",
    "redirect_discord_py",
]
