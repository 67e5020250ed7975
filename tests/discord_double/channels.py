"""REST handlers for channels and messages: send (JSON or multipart), read, edit, delete, DMs,
typing, reactions and pins.

Sending checks what Discord checks before storing: the bot's channel permissions, closed DMs,
upload size, message limits, and ``enforce_nonce`` de-duplication. Every change is echoed over the
gateway exactly as Discord does (the bot sees its own messages).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import errors
from .errors import RestError
from .gateway import INTENT_GUILDS
from .interactions import ATTACHMENT_SIZE_LIMIT
from .limits import check_message
from .messages import apply_edit, build_message
from .models import (
    ATTACH_FILES,
    EMBED_LINKS,
    MANAGE_MESSAGES,
    MANAGE_THREADS,
    PIN_MESSAGES,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    VIEW_CHANNEL,
    Channel,
    now_iso,
)
from .server import Reply, RestRequest, Router

if TYPE_CHECKING:
    from .double import DiscordDouble


def check_uploads(req: RestRequest) -> None:
    """413 like Discord when the files exceed the upload limit."""
    if sum(len(u.data) for u in req.uploads) > ATTACHMENT_SIZE_LIMIT:
        raise RestError(413, 40005, "Request entity too large")


def _check_can_send(double: DiscordDouble, channel: Channel, uploads: int, embeds: bool = False) -> None:
    """Discord's checks before a bot's send: closed DMs 50007, unseen channel 50001, else 50013.

    Embeds without Embed Links are refused on create (403) but silently dropped on edit, as Discord
    does; interaction answers are exempt (they go through the interaction webhook).
    """
    state = double.state
    if channel.type == 1:
        if channel.recipient_id in state.closed_dms:
            raise errors.cannot_dm()
        return
    perms = state.permissions(channel.guild_id, state.bot_user.id, channel.id)
    if not perms & VIEW_CHANNEL:
        raise errors.missing_access()
    send = SEND_MESSAGES_IN_THREADS if channel.is_thread else SEND_MESSAGES
    if not perms & send or (uploads and not perms & ATTACH_FILES) or (embeds and not perms & EMBED_LINKS):
        raise errors.missing_permissions()
    if channel.archived:
        if channel.locked and not perms & MANAGE_THREADS:
            raise RestError(400, 50083, "Thread is archived")
        channel.archived = channel.locked = False  # a send reopens the thread, as on Discord
        data = channel.payload()
        double.gateway.dispatch("THREAD_UPDATE", data, guild_id=channel.guild_id, intent=INTENT_GUILDS)


async def create_message(double: DiscordDouble, req: RestRequest) -> Reply:
    """``POST /channels/{channel_id}/messages``."""
    state = double.state
    channel = state.channel(req.id("channel_id"))
    body = req.body()
    _check_can_send(double, channel, len(req.uploads), bool(body.get("embeds")))
    check_uploads(req)
    check_message(body, files=len(req.uploads))
    nonce = body.get("nonce")
    if nonce is not None and body.get("enforce_nonce"):
        known = state.nonces.get((channel.id, str(nonce)))
        if known is not None and known in state.message_index:
            return Reply(200, state.message_index[known])  # Discord answers the original, sends nothing new
    message = build_message(
        state, channel, state.bot_user, body, uploads=req.uploads, base_url=double.base_url
    )
    state.store_message(message)
    if nonce is not None:
        state.nonces[(channel.id, str(nonce))] = int(message["id"])
    double.dispatch_message("MESSAGE_CREATE", message)
    return Reply(200, message)


async def list_messages(double: DiscordDouble, req: RestRequest) -> Reply:
    """``GET /channels/{channel_id}/messages?limit&before&after&around``, newest first."""
    channel = double.state.channel(req.id("channel_id"))
    messages = double.state.messages_in(channel.id)
    limit = max(1, min(100, int(req.query.get("limit", 50))))
    if "before" in req.query:
        messages = [m for m in messages if int(m["id"]) < int(req.query["before"])]
    if "after" in req.query:
        after = [m for m in messages if int(m["id"]) > int(req.query["after"])]
        return Reply(200, [double.rest_view(m) for m in reversed(after[:limit])])
    if "around" in req.query:
        pivot = int(req.query["around"])
        older = [m for m in messages if int(m["id"]) <= pivot][-(limit - limit // 2) :]
        newer = [m for m in messages if int(m["id"]) > pivot][: limit // 2]
        return Reply(200, [double.rest_view(m) for m in reversed(older + newer)])
    return Reply(200, [double.rest_view(m) for m in reversed(messages[-limit:])])


async def get_message(double: DiscordDouble, req: RestRequest) -> Reply:
    """``GET /channels/{channel_id}/messages/{message_id}``."""
    message = double.state.message(req.id("channel_id"), req.id("message_id"))
    return Reply(200, double.rest_view(message))


async def edit_message(double: DiscordDouble, req: RestRequest) -> Reply:
    """``PATCH /channels/{channel_id}/messages/{message_id}``: only the bot's own messages."""
    state = double.state
    message = state.message(req.id("channel_id"), req.id("message_id"))
    if message["author"]["id"] != str(state.bot_user.id):
        raise RestError(403, 50005, "Cannot edit a message authored by another user")
    body = req.body()
    check_uploads(req)
    check_message(body, files=len(req.uploads), require_content=False)
    apply_edit(state, message, body, uploads=req.uploads, base_url=double.base_url)
    double.dispatch_message("MESSAGE_UPDATE", message)
    return Reply(200, message)


async def delete_message(double: DiscordDouble, req: RestRequest) -> Reply:
    """``DELETE /channels/{channel_id}/messages/{message_id}``: others' messages need MANAGE_MESSAGES."""
    state = double.state
    channel = state.channel(req.id("channel_id"))
    message = state.message(channel.id, req.id("message_id"))
    if message["author"]["id"] != str(state.bot_user.id):
        if channel.type == 1:
            raise RestError(403, 50003, "Cannot execute action on a DM channel")
        if not state.permissions(channel.guild_id, state.bot_user.id, channel.id) & MANAGE_MESSAGES:
            raise errors.missing_permissions()
    double.delete_message(message)
    return Reply(204)


async def get_channel(double: DiscordDouble, req: RestRequest) -> Reply:
    """``GET /channels/{channel_id}``."""
    return Reply(200, double.state.channel_payload(double.state.channel(req.id("channel_id"))))


async def open_dm(double: DiscordDouble, req: RestRequest) -> Reply:
    """``POST /users/@me/channels {recipient_id}``: succeeds even if the user closed DMs (sending fails)."""
    recipient = req.body().get("recipient_id")
    if recipient is None:
        raise errors.invalid_form(
            errors.field_error(["recipient_id"], "BASE_TYPE_REQUIRED", "This field is required")
        )
    channel = double.state.dm_channel(int(recipient))
    return Reply(200, double.state.channel_payload(channel))


async def typing(double: DiscordDouble, req: RestRequest) -> Reply:
    """``POST /channels/{channel_id}/typing``."""
    double.state.channel(req.id("channel_id"))
    return Reply(204)


def _emoji(raw: str) -> dict[str, Any]:
    name, _, emoji_id = raw.partition(":")
    return {"id": emoji_id or None, "name": name}


async def add_reaction(double: DiscordDouble, req: RestRequest) -> Reply:
    """``PUT .../reactions/{emoji}/@me``: stored on the message and echoed as MESSAGE_REACTION_ADD."""
    channel = double.state.channel(req.id("channel_id"))
    message = double.state.message(channel.id, req.id("message_id"))
    emoji = _emoji(req.params["emoji"])
    reactions: list[dict[str, Any]] = message.setdefault("reactions", [])
    found = next((r for r in reactions if r["emoji"] == emoji), None)
    if found is None:
        reactions.append(
            {
                "count": 1,
                "me": True,
                "me_burst": False,
                "emoji": emoji,
                "burst_colors": [],
                "count_details": {"burst": 0, "normal": 1},
            }
        )
    elif not found["me"]:
        found.update(count=found["count"] + 1, me=True)
        found["count_details"]["normal"] += 1
    double.dispatch_reaction("MESSAGE_REACTION_ADD", message, double.state.bot_user.id, emoji)
    return Reply(204)


async def remove_reaction(double: DiscordDouble, req: RestRequest) -> Reply:
    """``DELETE .../reactions/{emoji}/@me``."""
    channel = double.state.channel(req.id("channel_id"))
    message = double.state.message(channel.id, req.id("message_id"))
    emoji = _emoji(req.params["emoji"])
    reactions = message.get("reactions", [])
    found = next((r for r in reactions if r["emoji"] == emoji and r["me"]), None)
    if found is not None:
        found.update(count=found["count"] - 1, me=False)
        found["count_details"]["normal"] -= 1
        if found["count"] <= 0:
            reactions.remove(found)
        double.dispatch_reaction("MESSAGE_REACTION_REMOVE", message, double.state.bot_user.id, emoji)
    return Reply(204)


def _pinnable(double: DiscordDouble, req: RestRequest) -> dict[str, Any]:
    state = double.state
    channel = state.channel(req.id("channel_id"))
    message = state.message(channel.id, req.id("message_id"))
    if channel.guild_id is not None:
        perms = state.permissions(channel.guild_id, state.bot_user.id, channel.id)
        if not perms & VIEW_CHANNEL:
            raise errors.missing_access()
        if not perms & (PIN_MESSAGES | MANAGE_MESSAGES):
            raise errors.missing_permissions()
    return message


def _pins_update(double: DiscordDouble, message: dict[str, Any]) -> None:
    """MESSAGE_UPDATE (pinned flag) and CHANNEL_PINS_UPDATE, as Discord sends on (un)pinning."""
    double.dispatch_message("MESSAGE_UPDATE", message)
    channel = double.state.channel(int(message["channel_id"]))
    pinned = [m for m in double.state.messages_in(channel.id) if m.get("pinned")]
    data: dict[str, Any] = {
        "channel_id": str(channel.id),
        "last_pin_timestamp": now_iso() if pinned else None,
    }
    if channel.guild_id is not None:
        data["guild_id"] = str(channel.guild_id)
    double.gateway.dispatch("CHANNEL_PINS_UPDATE", data, guild_id=channel.guild_id)


async def pin_message(double: DiscordDouble, req: RestRequest) -> Reply:
    """``PUT /channels/{channel_id}/messages/pins/{message_id}``: needs Pin Messages (or Manage Messages)."""
    message = _pinnable(double, req)
    if not message.get("pinned"):
        message["pinned"] = True
        double.state.pins[int(message["id"])] = now_iso()
        _pins_update(double, message)
    return Reply(204)


async def unpin_message(double: DiscordDouble, req: RestRequest) -> Reply:
    """``DELETE /channels/{channel_id}/messages/pins/{message_id}``."""
    message = _pinnable(double, req)
    if message.get("pinned"):
        message["pinned"] = False
        double.state.pins.pop(int(message["id"]), None)
        _pins_update(double, message)
    return Reply(204)


async def list_pins(double: DiscordDouble, req: RestRequest) -> Reply:
    """``GET /channels/{channel_id}/messages/pins``: newest pin first, in the paged ``items`` shape."""
    channel = double.state.channel(req.id("channel_id"))
    pins = double.state.pins
    pinned = [m for m in double.state.messages_in(channel.id) if int(m["id"]) in pins]
    pinned.sort(key=lambda m: pins[int(m["id"])], reverse=True)
    items = [
        {"pinned_at": pins[int(m["id"])], "message": double.rest_view(m)}
        for m in pinned[: int(req.query.get("limit", 50))]
    ]
    return Reply(200, {"items": items, "has_more": len(pinned) > len(items)})


def register(router: Router) -> None:
    """Add this module's routes."""
    router.add("POST", "/users/@me/channels", open_dm)
    router.add("GET", "/channels/{channel_id}", get_channel)
    router.add("POST", "/channels/{channel_id}/typing", typing)
    router.add("GET", "/channels/{channel_id}/messages", list_messages)
    router.add("POST", "/channels/{channel_id}/messages", create_message)
    router.add("GET", "/channels/{channel_id}/messages/pins", list_pins)
    router.add("PUT", "/channels/{channel_id}/messages/pins/{message_id}", pin_message)
    router.add("DELETE", "/channels/{channel_id}/messages/pins/{message_id}", unpin_message)
    router.add("GET", "/channels/{channel_id}/messages/{message_id}", get_message)
    router.add("PATCH", "/channels/{channel_id}/messages/{message_id}", edit_message)
    router.add("DELETE", "/channels/{channel_id}/messages/{message_id}", delete_message)
    router.add("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", add_reaction)
    router.add(
        "DELETE", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", remove_reaction
    )
