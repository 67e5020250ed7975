"""Interaction callbacks and the interaction webhook (follow-ups, ``@original``).

These routes need no bot token, as on Discord; the interaction token in the path is the credential.
The callback answers the JSON callback object discord.py requests with ``?with_response=1`` (a 204
would reach ``tree.on_error`` as a TypeError). Discord's timing rules apply: 3 s to answer, one
answer per interaction, and after a "thinking" defer the first follow-up replaces the loading message.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from . import errors
from .channels import check_uploads
from .errors import RestError
from .interactions import Interaction
from .limits import check_choices, check_message, check_modal
from .messages import FLAG_EPHEMERAL, FLAG_LOADING, apply_edit, build_message
from .server import Reply, RestRequest, Router

if TYPE_CHECKING:
    from .double import DiscordDouble

# Callback types each interaction type accepts (PING, COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT).
ALLOWED_CALLBACKS = {1: {1}, 2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}
WEBHOOK_TTL = 15 * 60.0


def _interaction_message(
    double: DiscordDouble, inter: Interaction, body: dict[str, Any], req: RestRequest, *, flags: int = 0
) -> dict[str, Any]:
    """Create, store and (unless ephemeral) echo a message sent through the interaction webhook."""
    state = double.state
    channel = state.channel(inter.channel_id)
    user = state.user(inter.user_id).payload()
    command = inter.payload.get("data", {}).get("name")
    metadata: dict[str, Any] = {
        "id": str(inter.id),
        "type": inter.type,
        "user": user,
        "authorizing_integration_owners": inter.payload.get("authorizing_integration_owners", {}),
    }
    if inter.type == 3 and "message" in inter.payload:
        metadata["interacted_message_id"] = inter.payload["message"]["id"]
    extra: dict[str, Any] = {
        "webhook_id": str(state.application_id),
        "application_id": str(state.application_id),
        "interaction_metadata": metadata,
    }
    if inter.type == 2:
        extra["type"] = 20  # CHAT_INPUT_COMMAND
        extra["interaction"] = {"id": str(inter.id), "type": 2, "name": command, "user": user}
    message = build_message(
        state,
        channel,
        state.bot_user,
        body,
        uploads=req.uploads,
        base_url=double.base_url,
        extra=extra,
        webhook=True,
    )
    message["flags"] = int(message["flags"]) | flags
    ephemeral = bool(message["flags"] & FLAG_EPHEMERAL)
    state.store_message(message, ephemeral=ephemeral)
    if not ephemeral:
        double.dispatch_message("MESSAGE_CREATE", message)
    return message


def _source_message(double: DiscordDouble, inter: Interaction) -> dict[str, Any]:
    """The message a component (or a modal opened from one) belongs to."""
    source = inter.payload.get("message")
    if source is None:
        raise errors.invalid_form(
            errors.field_error(
                ["type"], "INTERACTION_RESPONSE_TYPE_INVALID", "This interaction has no message to update"
            )
        )
    return double.state.message_index.get(int(source["id"]), source)


def _edit(double: DiscordDouble, message: dict[str, Any], body: dict[str, Any], req: RestRequest) -> None:
    apply_edit(double.state, message, body, uploads=req.uploads, base_url=double.base_url)
    if not int(message.get("flags", 0)) & FLAG_EPHEMERAL:
        double.dispatch_message("MESSAGE_UPDATE", message)


async def interaction_callback(double: DiscordDouble, req: RestRequest) -> Reply:
    """``POST /interactions/{id}/{token}/callback``."""
    inter = double.interactions.get(req.id("interaction_id"))
    if inter is None or inter.token != req.params["interaction_token"]:
        raise errors.not_found(errors.UNKNOWN_INTERACTION, "interaction")
    body = req.body()
    inter.callbacks.append(body)
    if inter.acknowledged:
        raise errors.already_acknowledged()
    if asyncio.get_running_loop().time() - inter.created > double.interaction_deadline:
        raise errors.not_found(errors.UNKNOWN_INTERACTION, "interaction")  # Discord's answer after 3 s
    ctype, data = body.get("type"), body.get("data") or {}
    if ctype not in ALLOWED_CALLBACKS.get(inter.type, set()):
        raise errors.invalid_form(
            errors.field_error(
                ["type"], "INTERACTION_RESPONSE_TYPE_INVALID", f"Invalid interaction response type {ctype}"
            )
        )
    flags = int(data.get("flags") or 0)
    info: dict[str, Any] = {"id": str(inter.id), "type": inter.type}
    resource: dict[str, Any] = {"type": ctype}
    message: dict[str, Any] | None = None
    if ctype == 4:
        check_uploads(req)
        check_message(data, files=len(req.uploads), path=["data"])
        message = _interaction_message(double, inter, data, req)
    elif ctype == 5:
        message = _interaction_message(
            double, inter, {"content": ""}, req, flags=FLAG_LOADING | (flags & FLAG_EPHEMERAL)
        )
        inter.loading = True
    elif ctype == 6 and "message" in inter.payload:
        inter.original_message_id = int(inter.payload["message"]["id"])
    elif ctype == 7:
        check_uploads(req)
        check_message(data, files=len(req.uploads), require_content=False, path=["data"])
        message = _source_message(double, inter)
        _edit(double, message, data, req)
    elif ctype == 8:
        check_choices(data)
    elif ctype == 9:
        check_modal(data)
        inter.modal = data
    if message is not None:
        inter.original_message_id = int(message["id"])
        info["response_message_id"] = message["id"]
        info["response_message_loading"] = ctype == 5
        info["response_message_ephemeral"] = bool(int(message.get("flags", 0)) & FLAG_EPHEMERAL)
        resource["message"] = message
    inter.accept(body, req.record)
    return Reply(200, {"interaction": info, "resource": resource})


def _webhook_interaction(double: DiscordDouble, req: RestRequest) -> Interaction:
    """The acknowledged, unexpired interaction behind ``/webhooks/{app}/{token}``."""
    inter = double.interactions_by_token.get(req.params["webhook_token"])
    if inter is None or req.id("webhook_id") != double.state.application_id or not inter.acknowledged:
        raise errors.not_found(errors.UNKNOWN_WEBHOOK, "Webhook")
    if asyncio.get_running_loop().time() - inter.created > WEBHOOK_TTL:
        raise RestError(401, 50027, "Invalid Webhook Token")
    return inter


async def create_followup(double: DiscordDouble, req: RestRequest) -> Reply:
    """``POST /webhooks/{app}/{token}[?wait=1]``: a follow-up (or the first one after a thinking defer)."""
    inter = _webhook_interaction(double, req)
    body = req.body()
    check_uploads(req)
    check_message(body, files=len(req.uploads))
    if inter.loading and inter.message is not None:
        message = inter.message  # Discord turns the "thinking..." message into the first follow-up
        inter.loading = False
        _edit(double, message, body, req)
    else:
        message = _interaction_message(
            double, inter, body, req, flags=int(body.get("flags") or 0) & FLAG_EPHEMERAL
        )
    inter.add_followup(body, message)
    if req.query.get("wait", "").lower() in ("1", "true"):
        return Reply(200, message)
    return Reply(204)


def _webhook_message(double: DiscordDouble, inter: Interaction, req: RestRequest) -> dict[str, Any]:
    raw = req.params.get("message_id", "@original")
    if raw == "@original":
        message = inter.message
    else:
        ids = {inter.original_message_id, *(int(m["id"]) for m in inter.followup_messages)}
        message = double.state.message_index.get(int(raw)) if raw.isdigit() and int(raw) in ids else None
    if message is None:
        raise errors.not_found(errors.UNKNOWN_MESSAGE, "Message")
    return message


async def get_webhook_message(double: DiscordDouble, req: RestRequest) -> Reply:
    """``GET /webhooks/{app}/{token}/messages/{@original|id}``."""
    inter = _webhook_interaction(double, req)
    return Reply(200, _webhook_message(double, inter, req))


async def edit_webhook_message(double: DiscordDouble, req: RestRequest) -> Reply:
    """``PATCH /webhooks/{app}/{token}/messages/{@original|id}``; editing @original ends a defer."""
    inter = _webhook_interaction(double, req)
    message = _webhook_message(double, inter, req)
    body = req.body()
    check_uploads(req)
    check_message(body, files=len(req.uploads), require_content=False)
    if int(message["id"]) == inter.original_message_id:
        inter.loading = False
    inter.edits.append(body)
    _edit(double, message, body, req)
    return Reply(200, message)


async def delete_webhook_message(double: DiscordDouble, req: RestRequest) -> Reply:
    """``DELETE /webhooks/{app}/{token}/messages/{@original|id}``."""
    inter = _webhook_interaction(double, req)
    double.delete_message(_webhook_message(double, inter, req))
    return Reply(204)


def register(router: Router) -> None:
    """Add this module's routes (none needs the bot token)."""
    router.add(
        "POST",
        "/interactions/{interaction_id}/{interaction_token}/callback",
        interaction_callback,
        auth=False,
    )
    router.add("POST", "/webhooks/{webhook_id}/{webhook_token}", create_followup, auth=False)
    for method, handler in (
        ("GET", get_webhook_message),
        ("PATCH", edit_webhook_message),
        ("DELETE", delete_webhook_message),
    ):
        router.add(method, "/webhooks/{webhook_id}/{webhook_token}/messages/@original", handler, auth=False)
        router.add(
            method, "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", handler, auth=False
        )
