"""Echo of REST-side changes over the gateway, as Discord does it (mixed into DiscordDouble).

Discord tells the bot about every message change it makes itself (MESSAGE_CREATE for its own
sends, MESSAGE_UPDATE, MESSAGE_DELETE, reactions), filtered by the session's intents, and hides
content from bots without the message-content intent; these helpers apply the same rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .gateway import (
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MESSAGE_REACTIONS,
    INTENT_GUILD_MESSAGES,
    INTENT_MESSAGE_CONTENT,
)
from .messages import FLAG_EPHEMERAL, bot_can_read, gateway_view

if TYPE_CHECKING:
    from .gateway import GatewayServer
    from .state import DoubleState

INTENT_DIRECT_MESSAGE_REACTIONS = 1 << 13


class EventEcho:
    """Mixed into DiscordDouble: what the REST handlers call after changing a message."""

    if TYPE_CHECKING:
        state: DoubleState
        gateway: GatewayServer

    def dispatch_message(self, event: str, message: dict[str, Any]) -> None:
        """MESSAGE_CREATE/UPDATE to sessions with the guild-messages or DM intent, content rules applied."""
        channel = self.state.channels.get(int(message["channel_id"]))
        guild_id = channel.guild_id if channel is not None else None
        intent = INTENT_GUILD_MESSAGES if guild_id is not None else INTENT_DIRECT_MESSAGES
        self.gateway.dispatch(
            event,
            guild_id=guild_id,
            intent=intent,
            transform=lambda s: gateway_view(self.state, message, s.intents),
        )

    def delete_message(self, message: dict[str, Any]) -> None:
        """Delete a stored message and send MESSAGE_DELETE (not for ephemeral ones)."""
        channel = self.state.channels.get(int(message["channel_id"]))
        guild_id = channel.guild_id if channel is not None else None
        self.state.delete_message(int(message["channel_id"]), int(message["id"]))
        if int(message.get("flags", 0)) & FLAG_EPHEMERAL:
            return
        data = {"id": message["id"], "channel_id": message["channel_id"]}
        if guild_id is not None:
            data["guild_id"] = str(guild_id)
        intent = INTENT_GUILD_MESSAGES if guild_id is not None else INTENT_DIRECT_MESSAGES
        self.gateway.dispatch("MESSAGE_DELETE", data, guild_id=guild_id, intent=intent)

    def dispatch_reaction(
        self, event: str, message: dict[str, Any], user_id: int, emoji: dict[str, Any]
    ) -> None:
        """MESSAGE_REACTION_ADD/REMOVE for a reaction on ``message``."""
        channel = self.state.channels.get(int(message["channel_id"]))
        guild_id = channel.guild_id if channel is not None else None
        data: dict[str, Any] = {
            "user_id": str(user_id),
            "channel_id": message["channel_id"],
            "message_id": message["id"],
            "emoji": emoji,
            "burst": False,
            "type": 0,
        }
        if guild_id is not None:
            data["guild_id"] = str(guild_id)
            member = self.state.guild(guild_id).members.get(user_id)
            if member is not None and event.endswith("ADD"):
                data["member"] = member.payload()
        intent = INTENT_GUILD_MESSAGE_REACTIONS if guild_id is not None else INTENT_DIRECT_MESSAGE_REACTIONS
        self.gateway.dispatch(event, data, guild_id=guild_id, intent=intent)

    def rest_view(self, message: dict[str, Any]) -> dict[str, Any]:
        """A message as REST shows it: blanked if the app's approved intents lack message content."""
        allowed = self.gateway.allowed_intents
        if allowed is None or allowed & INTENT_MESSAGE_CONTENT or bot_can_read(self.state, message, 0):
            return message
        return {**message, "content": "", "embeds": [], "attachments": [], "components": []}
