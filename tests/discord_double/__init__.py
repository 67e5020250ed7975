"""A loopback Discord (REST + gateway websocket) for end-to-end tests of the real discord.py client.

Usage::

    async with DiscordDouble() as double:
        guild = double.add_guild("Studio")
        ...
        with redirect_discord_py(double.api_base, double.gateway_url):
            await bot.start(double.token)

Where things live (README.md here has the full table):

- users act (``actions.py``): ``send_message`` (channels and threads), ``send_dm``, ``slash_command``,
  ``autocomplete``, ``click``, ``select``, ``submit_modal`` (action rows or ``ui.Label``);
- the world changes (``world.py``): ``send_webhook_message``, ``add_thread``, ``archive_thread``, ``set_channel_overwrite``,
  ``set_system_channel``, ``give_bot_role``, ``set_role_position``, ``remove_guild``,
  ``global_rate_limit``; readers ``dms_received``, ``member_roles``, ``attachment_bytes``,
  ``scheduled_events``, ``threads``, ``invalid_request_count``;
- REST the bot calls: ``rest.py`` (identity, guilds, commands), ``channels.py`` (messages, DMs,
  reactions, pins), ``threads.py``, ``guilds.py`` (member roles, scheduled events, leaving),
  ``callbacks.py`` (interactions); ``ratelimit.py`` is the global limit.
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
