"""REST handlers for threads: start one on a message, or a standalone one in a text channel.

As on Discord, a thread started from a message shares that message's id, the message gains a
``thread`` field and the HAS_THREAD flag, the creator becomes the first thread member, and
THREAD_CREATE (``newly_created: true``) goes to every session with the guilds intent. Creating
needs View Channel (else 50001) and Create Public/Private Threads (else 50013).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import errors
from .errors import RestError
from .gateway import INTENT_GUILDS
from .models import CREATE_PRIVATE_THREADS, CREATE_PUBLIC_THREADS, VIEW_CHANNEL, Channel
from .server import Reply, RestRequest, Router

if TYPE_CHECKING:
    from .double import DiscordDouble

FLAG_HAS_THREAD = 1 << 5
PUBLIC_THREAD, PRIVATE_THREAD, ANNOUNCEMENT_THREAD = 11, 12, 10
THREAD_NAME_MAX = 100


def dispatch_thread_create(double: DiscordDouble, thread: Channel, creator_id: int) -> None:
    """THREAD_CREATE as Discord sends it for a new thread (the creator's thread member included)."""
    data = {**thread.payload(), "newly_created": True}
    if creator_id == double.state.bot_user.id:
        data["member"] = thread.thread_member(creator_id)
    double.gateway.dispatch("THREAD_CREATE", data, guild_id=thread.guild_id, intent=INTENT_GUILDS)


def _parent_and_name(double: DiscordDouble, req: RestRequest, needed: int) -> tuple[Channel, str]:
    """Check the parent channel, the bot's permissions there and the thread name."""
    state = double.state
    parent = state.channel(req.id("channel_id"))
    if parent.guild_id is None or parent.type not in (0, 5):
        raise RestError(400, 50024, "Cannot execute action on this channel type")
    perms = state.permissions(parent.guild_id, state.bot_user.id, parent.id)
    if not perms & VIEW_CHANNEL:
        raise errors.missing_access()
    if not perms & needed:
        raise errors.missing_permissions()
    name = str(req.body().get("name") or "")
    if not 1 <= len(name) <= THREAD_NAME_MAX:
        raise errors.invalid_form(
            errors.field_error(
                ["name"], "BASE_TYPE_BAD_LENGTH", f"Must be between 1 and {THREAD_NAME_MAX} in length."
            )
        )
    return parent, name


def _configure(thread: Channel, body: dict[str, Any]) -> None:
    if body.get("auto_archive_duration"):
        thread.auto_archive_duration = int(body["auto_archive_duration"])


async def start_thread_from_message(double: DiscordDouble, req: RestRequest) -> Reply:
    """``POST /channels/{channel_id}/messages/{message_id}/threads``."""
    state = double.state
    parent, name = _parent_and_name(double, req, CREATE_PUBLIC_THREADS)
    message = state.message(parent.id, req.id("message_id"))
    if "thread" in message or int(message["id"]) in state.channels:
        raise RestError(400, 160004, "A thread has already been created for this message")
    kind = ANNOUNCEMENT_THREAD if parent.type == 5 else PUBLIC_THREAD
    thread = state.add_thread(parent.id, name, state.bot_user.id, type=kind, thread_id=int(message["id"]))
    _configure(thread, req.body())
    message["thread"] = thread.payload()
    message["flags"] = int(message.get("flags", 0)) | FLAG_HAS_THREAD
    dispatch_thread_create(double, thread, state.bot_user.id)
    return Reply(201, thread.payload())


async def start_thread(double: DiscordDouble, req: RestRequest) -> Reply:
    """``POST /channels/{channel_id}/threads``: private (type 12) unless the body says 11."""
    kind = int(req.body().get("type") or PRIVATE_THREAD)
    if kind not in (PUBLIC_THREAD, PRIVATE_THREAD, ANNOUNCEMENT_THREAD):
        raise errors.invalid_form(
            errors.field_error(["type"], "BASE_TYPE_CHOICES", "Value must be one of {10, 11, 12}.")
        )
    needed = CREATE_PRIVATE_THREADS if kind == PRIVATE_THREAD else CREATE_PUBLIC_THREADS
    parent, name = _parent_and_name(double, req, needed)
    thread = double.state.add_thread(parent.id, name, double.state.bot_user.id, type=kind)
    _configure(thread, req.body())
    dispatch_thread_create(double, thread, double.state.bot_user.id)
    return Reply(201, thread.payload())


def register(router: Router) -> None:
    """Add this module's routes."""
    router.add("POST", "/channels/{channel_id}/messages/{message_id}/threads", start_thread_from_message)
    router.add("POST", "/channels/{channel_id}/threads", start_thread)
