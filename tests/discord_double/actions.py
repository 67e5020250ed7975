"""What simulated members do: post messages and DMs, run slash commands, type into autocomplete,
click buttons, pick from selects and submit modals.

Each action checks what Discord's own client would prevent (an unknown option, a button that is not
on the message any more, a choice that is not offered) so a test cannot pass on an impossible input.
"""

from __future__ import annotations

import asyncio
import copy
from typing import TYPE_CHECKING, Any, cast

from .interactions import (
    CHANNEL,
    MENTIONABLE,
    ROLE,
    USER,
    Interaction,
    base_payload,
    check_can_use,
    command_data,
    resolve_value,
)
from .limits import walk_components
from .messages import Upload, build_message

if TYPE_CHECKING:
    from .double import DiscordDouble
    from .gateway import GatewayServer
    from .state import DoubleState

# Select component type -> the option type whose resolved data it carries.
SELECT_RESOLVES = {5: USER, 6: ROLE, 7: MENTIONABLE, 8: CHANNEL}
SELECT_TYPES = {3, 5, 6, 7, 8}


class MemberActions:
    """Mixed into DiscordDouble: the user-side entry points."""

    if TYPE_CHECKING:
        state: DoubleState
        gateway: GatewayServer
        interactions: dict[int, Interaction]
        interactions_by_token: dict[str, Interaction]
        _action_mark: int

        @property
        def base_url(self) -> str: ...

        def mark(self) -> int: ...

        def dispatch_message(self, event: str, message: dict[str, Any]) -> None: ...

    @property
    def _double(self) -> DiscordDouble:
        return cast("DiscordDouble", self)

    def _begin_action(self) -> None:
        self._action_mark = self.mark()

    # --- messages -------------------------------------------------------------------------------

    async def send_message(
        self,
        channel_id: int,
        author_id: int,
        content: str,
        mention_bot: bool = False,
        *,
        reply_to: int | None = None,
        attachments: list[tuple[str, bytes]] | None = None,
    ) -> dict[str, Any]:
        """A member posts in a guild channel; the bot gets MESSAGE_CREATE (content per its intents).

        ``mention_bot`` prefixes ``<@bot>`` like the client's mention; ``attachments`` are (filename, bytes)
        served back by the double; ``reply_to`` makes it a reply to that message id.
        """
        self._begin_action()
        channel = self.state.channel(channel_id)
        if channel.guild_id is not None and author_id not in self.state.guild(channel.guild_id).members:
            raise AssertionError(f"user {author_id} is not a member of the channel's guild")
        bot_mention = f"<@{self.state.bot_user.id}>"
        if mention_bot and bot_mention not in content:
            content = f"{bot_mention} {content}"
        return await self._post(channel_id, author_id, content, reply_to, attachments)

    async def send_dm(
        self, author_id: int, content: str, *, attachments: list[tuple[str, bytes]] | None = None
    ) -> dict[str, Any]:
        """A user DMs the bot (content is always visible to the bot in DMs)."""
        self._begin_action()
        channel = self.state.dm_channel(author_id)
        return await self._post(channel.id, author_id, content, None, attachments)

    async def _post(
        self,
        channel_id: int,
        author_id: int,
        content: str,
        reply_to: int | None,
        attachments: list[tuple[str, bytes]] | None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"content": content}
        if reply_to is not None:
            body["message_reference"] = {"message_id": str(reply_to), "channel_id": str(channel_id)}
        uploads = [Upload(f"files[{i}]", name, data) for i, (name, data) in enumerate(attachments or [])]
        channel, author = self.state.channel(channel_id), self.state.user(author_id)
        message = build_message(self.state, channel, author, body, uploads=uploads, base_url=self.base_url)
        self.state.store_message(message)
        self.dispatch_message("MESSAGE_CREATE", message)
        await asyncio.sleep(0)
        return message

    # --- interactions ---------------------------------------------------------------------------

    async def _dispatch_interaction(self, payload: dict[str, Any]) -> Interaction:
        if not any(s.alive for s in self.gateway.sessions):
            raise AssertionError("no bot session on the gateway: start the bot (and wait for on_ready) first")
        inter = Interaction(self._double, payload)
        self.interactions[inter.id] = inter
        self.interactions_by_token[inter.token] = inter
        self.gateway.dispatch("INTERACTION_CREATE", payload, guild_id=inter.guild_id)
        await asyncio.sleep(0)
        return inter

    async def slash_command(
        self,
        guild_id: int | None,
        channel_id: int | None,
        user_id: int,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        enforce_permissions: bool = True,
    ) -> Interaction:
        """Invoke a synced slash command; ``command`` is the space-separated path ("kb gaps").

        ``guild_id=None`` runs it in the user's DM with the bot. ``enforce_permissions=False`` lets a
        user without the command's ``default_member_permissions`` run it (a server admin's override).
        """
        self._begin_action()
        data, synced = command_data(self._double, guild_id, command, options or {})
        if enforce_permissions:
            check_can_use(self._double, synced, guild_id, user_id)
        payload = base_payload(self._double, 2, guild_id, channel_id, user_id)
        payload["data"] = data
        return await self._dispatch_interaction(payload)

    async def autocomplete(
        self,
        guild_id: int | None,
        channel_id: int | None,
        user_id: int,
        command: str,
        options: dict[str, Any] | None = None,
        focused: str | None = None,
    ) -> Interaction:
        """Type into an autocomplete option; ``focused`` defaults to the only option given."""
        self._begin_action()
        options = options or {}
        if focused is None:
            if len(options) != 1:
                raise AssertionError("name the focused option when passing several")
            focused = next(iter(options))
        data, _ = command_data(self._double, guild_id, command, options, focused=focused)
        payload = base_payload(self._double, 4, guild_id, channel_id, user_id)
        payload["data"] = data
        return await self._dispatch_interaction(payload)

    def _current(self, message: dict[str, Any]) -> dict[str, Any]:
        """The stored (possibly edited since) version of a message the test holds."""
        return self.state.message_index.get(int(message["id"]), message)

    def _component(self, message: dict[str, Any], custom_id: str) -> dict[str, Any]:
        found = {c.get("custom_id"): c for _, c in walk_components(message.get("components") or [], [])}
        if custom_id not in found:
            ids = sorted(str(k) for k in found if k)
            raise AssertionError(f"message {message['id']} has no component {custom_id!r} (it has {ids})")
        component = found[custom_id]
        if component.get("disabled"):
            raise AssertionError(f"component {custom_id!r} is disabled")
        return component

    async def _component_interaction(
        self, message: dict[str, Any], user_id: int, guild_id: int | None, data: dict[str, Any]
    ) -> Interaction:
        channel = self.state.channel(int(message["channel_id"]))
        guild_id = guild_id if guild_id is not None else channel.guild_id
        payload = base_payload(self._double, 3, guild_id, channel.id, user_id)
        payload["message"] = copy.deepcopy(message)
        payload["data"] = data
        return await self._dispatch_interaction(payload)

    async def click(
        self, message: dict[str, Any], custom_id: str, user_id: int, guild_id: int | None = None
    ) -> Interaction:
        """Click a button on the message's current version."""
        self._begin_action()
        current = self._current(message)
        if self._component(current, custom_id).get("type") != 2:
            raise AssertionError(f"component {custom_id!r} is not a button")
        return await self._component_interaction(
            current, user_id, guild_id, {"custom_id": custom_id, "component_type": 2}
        )

    async def select(
        self,
        message: dict[str, Any],
        custom_id: str,
        values: list[Any],
        user_id: int,
        guild_id: int | None = None,
    ) -> Interaction:
        """Pick ``values`` in a select menu (string selects: option values; others: ids)."""
        self._begin_action()
        current = self._current(message)
        component = self._component(current, custom_id)
        ctype = component.get("type")
        if ctype not in SELECT_TYPES:
            raise AssertionError(f"component {custom_id!r} is not a select menu")
        low, high = component.get("min_values", 1), component.get("max_values", 1)
        if not low <= len(values) <= high:
            raise AssertionError(f"select {custom_id!r} takes {low}..{high} values, got {len(values)}")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": ctype}
        if ctype == 3:
            offered = [o["value"] for o in component.get("options", [])]
            for value in values:
                if value not in offered:
                    raise AssertionError(f"select {custom_id!r} does not offer {value!r} (offers {offered})")
            data["values"] = list(values)
        else:
            channel = self.state.channel(int(current["channel_id"]))
            resolved: dict[str, dict[str, Any]] = {}
            option = {"name": custom_id, "type": SELECT_RESOLVES[ctype]}
            data["values"] = [
                resolve_value(self._double, option, v, resolved, channel.guild_id) for v in values
            ]
            data["resolved"] = resolved
        return await self._component_interaction(current, user_id, guild_id, data)

    async def submit_modal(
        self,
        source: Interaction | dict[str, Any] | None,
        custom_id: str,
        fields: dict[str, Any],
        user_id: int | None = None,
        *,
        guild_id: int | None = None,
        channel_id: int | None = None,
    ) -> Interaction:
        """Submit a modal. ``source`` is the Interaction the bot answered with the modal (preferred:
        its definition is checked), or the message whose component opened it, or None (then give
        ``guild_id``/``channel_id``/``user_id``). ``fields`` maps input custom_id -> value (lists for selects).
        """
        self._begin_action()
        message: dict[str, Any] | None = None
        modal: dict[str, Any] | None = None
        if isinstance(source, Interaction):
            modal = source.modal
            if modal is None:
                raise AssertionError(f"{source!r} was not answered with a modal (type 9)")
            if modal.get("custom_id") != custom_id:
                raise AssertionError(
                    f"the modal shown has custom_id {modal.get('custom_id')!r}, not {custom_id!r}"
                )
            user_id = source.user_id if user_id is None else user_id
            guild_id, channel_id = source.guild_id, source.channel_id
            message = source.payload.get("message")
        elif isinstance(source, dict):
            message = self._current(source)
            channel_id = int(message["channel_id"])
            guild_id = guild_id if guild_id is not None else self.state.channel(channel_id).guild_id
        if user_id is None:
            raise AssertionError("submit_modal needs user_id")
        submission = _ModalSubmission(self._double, guild_id, fields)
        payload = base_payload(self._double, 5, guild_id, channel_id, user_id)
        payload["data"] = {"custom_id": custom_id, "components": submission.components(modal)}
        if submission.resolved:
            payload["data"]["resolved"] = submission.resolved
        if message is not None:
            payload["message"] = copy.deepcopy(self._current(message))
        return await self._dispatch_interaction(payload)


class _ModalSubmission:
    """Builds MODAL_SUBMIT ``data.components`` from a modal's definition and the test's values.

    Mirrors the layout (action rows or ``Label`` type 18 wrappers), numbers components the way
    Discord does when the bot gave no ``id``, and resolves user/role/channel select values.
    """

    def __init__(self, double: DiscordDouble, guild_id: int | None, fields: dict[str, Any]) -> None:
        self.double = double
        self.guild_id = guild_id
        self.fields = fields
        self.used: set[str] = set()
        self.resolved: dict[str, dict[str, Any]] = {}
        self._next_id = 0

    def _id(self, component: dict[str, Any]) -> int:
        self._next_id += 1
        return int(component.get("id") or self._next_id)

    def submitted(self, component: dict[str, Any]) -> dict[str, Any]:
        """What Discord sends back for one input, checked against its definition."""
        fields = self.fields
        cid = component.get("custom_id", "")
        ctype = component.get("type")
        out: dict[str, Any] = {"type": ctype, "id": self._id(component), "custom_id": cid}
        if cid in fields:
            self.used.add(cid)
        if ctype == 4:
            value = str(fields.get(cid, component.get("value") or ""))
            if component.get("required", True) and not value:
                raise AssertionError(f"modal input {cid!r} is required")
            low, high = component.get("min_length", 0), component.get("max_length", 4000)
            if value and not low <= len(value) <= high:
                raise AssertionError(f"modal input {cid!r}: length {len(value)} outside its bounds")
            out["value"] = value
        elif ctype in (21, 23):
            out["value"] = fields.get(cid)
        else:
            values = list(fields.get(cid, []))
            low, high = component.get("min_values", 1), component.get("max_values", 1)
            if component.get("required", True) and not low <= len(values) <= high:
                raise AssertionError(f"modal select {cid!r} takes {low}..{high} values, got {len(values)}")
            offered = [o.get("value") for o in component.get("options") or []]
            if ctype == 3 and any(v not in offered for v in values):
                raise AssertionError(f"modal select {cid!r} offers only {offered}")
            if ctype in SELECT_RESOLVES:
                option = {"name": cid, "type": SELECT_RESOLVES[ctype]}
                values = [resolve_value(self.double, option, v, self.resolved, self.guild_id) for v in values]
            out["values"] = values
        return out

    def components(self, modal: dict[str, Any] | None) -> list[dict[str, Any]]:
        """The submitted ``components``; without a known modal, one text input per field."""
        if modal is None:
            return [
                {
                    "type": 1,
                    "id": i * 2 + 1,
                    "components": [{"type": 4, "id": i * 2 + 2, "custom_id": k, "value": str(v)}],
                }
                for i, (k, v) in enumerate(self.fields.items())
            ]
        result: list[dict[str, Any]] = []
        for top in modal.get("components", []):
            if top.get("type") == 1:
                row_id = self._id(top)
                inner = [self.submitted(c) for c in top.get("components", [])]
                result.append({"type": 1, "id": row_id, "components": inner})
            elif top.get("type") == 18:
                label_id = self._id(top)
                result.append({"type": 18, "id": label_id, "component": self.submitted(top["component"])})
            elif top.get("type") == 10:
                result.append({"type": 10, "id": self._id(top), "content": top.get("content", "")})
        unknown = sorted(set(self.fields) - self.used)
        if unknown:
            raise AssertionError(f"modal {modal.get('custom_id')!r} has no inputs {unknown}")
        return result
