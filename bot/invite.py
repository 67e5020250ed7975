"""The bot's invite link, with exactly the permissions it uses."""

from __future__ import annotations

import base64
import os

import discord

# What Studio Mentor does in a server, and nothing more: read the channels it answers in, reply with embeds
# and buttons, and post scheduled prompts and challenge announcements (also inside threads).
REQUIRED_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    embed_links=True,
    read_message_history=True,
    create_public_threads=True,  # a thread under each learning prompt and challenge announcement
    attach_files=True,  # challenge entries' files are re-posted by the bot
)
SCOPES = ("bot", "applications.commands")


def client_id_from_token(token: str) -> int | None:
    """Return the application id encoded in a bot token's first part, or None if it is not one."""
    head = token.split(".", 1)[0]
    try:
        decoded = base64.b64decode(head + "=" * (-len(head) % 4), altchars=b"-_").decode("ascii")
    except (ValueError, UnicodeDecodeError):
        return None
    return int(decoded) if decoded.isdigit() else None


def invite_url(client_id: int | None = None) -> str:
    """Build the OAuth2 invite URL; the client id defaults to the one in DISCORD_TOKEN."""
    if client_id is None:
        token = os.environ.get("DISCORD_TOKEN", "").strip()
        client_id = client_id_from_token(token) if token else None
    if client_id is None:
        raise SystemExit("error: pass --client-id (your application's id) or set DISCORD_TOKEN")
    return discord.utils.oauth_url(client_id, permissions=REQUIRED_PERMISSIONS, scopes=SCOPES)
