"""DiscordDouble: a loopback Discord (REST + gateway) for driving the real discord.py client in tests.

Point discord.py at it with ``discord.http.Route.BASE = double.api_base`` and
``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(double.gateway_url)`` before login
(see ``redirect.redirect_discord_py``). Simulated users act through the methods in ``actions.py``;
world changes made while the bot runs (threads, overwrites, roles, guilds leaving) are in ``world.py``.
"""

from __future__ import annotations

import http
import secrets
from collections import Counter
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from . import callbacks, channels, guilds, rest, threads
from .actions import MemberActions
from .errors import RestError
from .events import EventEcho
from .gateway import (
    INTENT_GUILD_MEMBERS,
    INTENT_GUILDS,
    GatewayServer,
    GatewaySession,
)
from .interactions import Interaction
from .messages import FLAG_EPHEMERAL
from .models import Channel, Guild, Member, Role, User
from .ratelimit import GlobalRateLimit
from .recording import Fault, Faults, RecordedRequest, RequestLog, rate_limit_fault
from .server import RestServer, Router
from .state import DoubleState
from .world import WorldActions


class DiscordDouble(MemberActions, WorldActions, EventEcho):
    """A fake Discord on 127.0.0.1: one application with one bot user, and any guilds you add."""

    def __init__(self, *, token: str = "test-token", bot_name: str = "Studio Mentor") -> None:
        self.state = DoubleState(token, bot_name)
        self.gateway = GatewayServer(self)
        self.faults = Faults()
        self.requests_log = RequestLog()
        self.router = Router()
        for module in (rest, channels, threads, guilds, callbacks):
            module.register(self.router)
        self.interactions: dict[int, Interaction] = {}
        self.interactions_by_token: dict[str, Interaction] = {}
        self.interaction_deadline = 3.0  # seconds to answer before Discord says "Unknown interaction"
        self._action_mark = 0
        self.internal_errors: list[Exception] = []  # bugs in the double itself (answered 501)
        self.global_limit: GlobalRateLimit | None = None  # see global_rate_limit()
        self.invalid_requests: Counter[int] = Counter()  # 401/403/429 answers by status
        self._server = RestServer(self, self.router)
        self._runner: web.AppRunner | None = None
        self._port = 0

    # --- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on an ephemeral loopback port."""
        self._runner = web.AppRunner(self._server.app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Close gateway sockets (1001 going away) and the HTTP server."""
        if self._runner is None:
            return
        await self.gateway.close_all(1001)
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    # --- addresses and identity ------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (attachments are served under it)."""
        if not self._port:
            raise RuntimeError("DiscordDouble.start() has not been awaited")
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_base(self) -> str:
        """Value for ``discord.http.Route.BASE``."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """Value for ``DiscordWebSocket.DEFAULT_GATEWAY`` (also sent as ``resume_gateway_url``)."""
        return f"ws://127.0.0.1:{self._port}/gateway"

    @property
    def token(self) -> str:
        """The only bot token REST and IDENTIFY accept."""
        return self.state.token

    @property
    def bot_user_id(self) -> int:
        """The bot user's id."""
        return self.state.bot_user.id

    @property
    def application_id(self) -> int:
        """The application's id (distinct from the bot user's, so mix-ups show)."""
        return self.state.application_id

    def random_token(self) -> str:
        """An unguessable token for interactions."""
        return secrets.token_urlsafe(32)

    # --- building the world ----------------------------------------------------------------------

    def add_user(self, username: str, *, bot: bool = False, global_name: str | None = None) -> User:
        """Create a user who is in no guild yet (see ``add_member(..., user_id=)``)."""
        return self.state.add_user(username, bot=bot, global_name=global_name)

    def add_guild(self, name: str = "Studio", owner_id: int | None = None) -> Guild:
        """Create a guild the bot is in; without ``owner_id`` a "<name>-owner" user is made owner.

        Added while the bot is connected, it is a join: GUILD_CREATE without ``unavailable``, which
        discord.py turns into ``on_guild_join`` (guilds announced in READY come back with
        ``unavailable: false`` after IDENTIFY instead, which is never a join).
        """
        guild = self.state.add_guild(name, owner_id)

        def joined(session: GatewaySession) -> dict[str, Any]:
            data = self.gateway.guild_create(session, guild.id)
            del data["unavailable"]
            return data

        self.gateway.dispatch("GUILD_CREATE", guild_id=guild.id, intent=INTENT_GUILDS, transform=joined)
        return guild

    def add_role(self, guild_id: int, name: str, permissions: int = 0, **extra: Any) -> Role:
        """Create a role (extra: color, hoist, mentionable)."""
        role = self.state.add_role(guild_id, name, permissions, **extra)
        self.gateway.dispatch(
            "GUILD_ROLE_CREATE",
            {"guild_id": str(guild_id), "role": role.payload()},
            guild_id=guild_id,
            intent=INTENT_GUILDS,
        )
        return role

    def add_channel(self, guild_id: int, name: str, **extra: Any) -> Channel:
        """Create a text channel (extra: type, topic, parent_id, permission_overwrites)."""
        channel = self.state.add_channel(guild_id, name, **extra)
        self.gateway.dispatch("CHANNEL_CREATE", channel.payload(), guild_id=guild_id, intent=INTENT_GUILDS)
        return channel

    def add_member(
        self,
        guild_id: int,
        username: str | None = None,
        roles: list[int] | None = None,
        bot: bool = False,
        *,
        user_id: int | None = None,
    ) -> Member:
        """Add a new user called ``username`` (or the existing ``user_id``) to a guild."""
        if user_id is not None:
            user = self.state.user(user_id)
        elif username is not None:
            user = self.state.add_user(username, bot=bot)
        else:
            raise ValueError("add_member needs a username or a user_id")
        member = self.state.add_member(guild_id, user, roles)
        self.gateway.dispatch(
            "GUILD_MEMBER_ADD",
            {**member.payload(), "guild_id": str(guild_id)},
            guild_id=guild_id,
            intent=INTENT_GUILD_MEMBERS,
        )
        return member

    def set_member_roles(self, guild_id: int, user_id: int, roles: list[int]) -> Member:
        """Replace a member's roles (GUILD_MEMBER_UPDATE)."""
        member = self.state.member(guild_id, user_id)
        member.roles = list(roles)
        self.gateway.dispatch(
            "GUILD_MEMBER_UPDATE",
            {**member.payload(), "guild_id": str(guild_id)},
            guild_id=guild_id,
            intent=INTENT_GUILD_MEMBERS,
        )
        return member

    def remove_member(self, guild_id: int, user_id: int) -> None:
        """A member leaves (GUILD_MEMBER_REMOVE)."""
        member = self.state.member(guild_id, user_id)
        del self.state.guild(guild_id).members[user_id]
        self.gateway.dispatch(
            "GUILD_MEMBER_REMOVE",
            {"guild_id": str(guild_id), "user": member.user.payload()},
            guild_id=guild_id,
            intent=INTENT_GUILD_MEMBERS,
        )

    def find_guild(self, name: str) -> Guild:
        """A guild by name."""
        return next(g for g in self.state.guilds.values() if g.name == name)

    def find_channel(self, guild_id: int, name: str) -> Channel:
        """A guild channel by name."""
        return next(c for c in self.state.guild(guild_id).channels.values() if c.name == name)

    def find_member(self, guild_id: int, username: str) -> Member:
        """A member by username."""
        return next(m for m in self.state.guild(guild_id).members.values() if m.username == username)

    def find_role(self, guild_id: int, name: str) -> Role:
        """A role by name."""
        return next(r for r in self.state.guild(guild_id).roles.values() if r.name == name)

    # --- what the bot did --------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every REST request, in arrival order."""
        return self.requests_log.requests

    @property
    def unknown_requests(self) -> list[RecordedRequest]:
        """Requests that matched no route (answered 404/405)."""
        return self.requests_log.unknown

    def mark(self) -> int:
        """A position in ``requests`` for ``wait_for_request(since=...)``."""
        return self.requests_log.mark()

    async def wait_for_request(
        self, predicate: Callable[[RecordedRequest], bool], timeout: float = 5.0, since: int | None = None
    ) -> RecordedRequest:
        """First request matching ``predicate`` at or after ``since``, waiting for future ones.

        ``since`` defaults to the mark taken when the latest simulated user action began, so
        "wait for the reply to what I just did" needs no bookkeeping.
        """
        return await self.requests_log.wait_for(
            predicate, timeout, self._action_mark if since is None else since
        )

    def messages(self, channel_id: int, *, include_ephemeral: bool = False) -> list[dict[str, Any]]:
        """Messages stored in a channel, oldest first (ephemeral ones only when asked)."""
        listed = self.state.messages_in(channel_id)
        if not include_ephemeral:
            return listed
        extra = [
            m
            for m in self.state.message_index.values()
            if int(m["channel_id"]) == channel_id and int(m.get("flags", 0)) & FLAG_EPHEMERAL
        ]
        return sorted(listed + extra, key=lambda m: int(m["id"]))

    def dm_channel_messages(self, user_id: int) -> list[dict[str, Any]]:
        """Messages in the bot's DM channel with a user (empty if none was opened)."""
        channel_id = self.state.dm_by_user.get(user_id)
        return self.state.messages_in(channel_id) if channel_id else []

    def message(self, message_id: int) -> dict[str, Any]:
        """Current state of any stored message (ephemeral included)."""
        return self.state.message_index[message_id]

    def commands(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        """Commands the bot synced globally (or to ``guild_id``)."""
        return self.state.get_commands(guild_id)

    @property
    def gateway_sessions(self) -> list[GatewaySession]:
        """Every session IDENTIFYed and still alive, oldest first."""
        return self.gateway.sessions

    @property
    def identify_count(self) -> int:
        """How many IDENTIFYs were accepted."""
        return self.gateway.identify_count

    @property
    def resume_count(self) -> int:
        """How many RESUMEs were accepted."""
        return self.gateway.resume_count

    @property
    def intents(self) -> int | None:
        """Intents of the newest session (None before the first IDENTIFY)."""
        return self.gateway.sessions[-1].intents if self.gateway.sessions else None

    # --- faults ----------------------------------------------------------------------------------

    def _require_route(self, method: str, route_template: str) -> None:
        if not self.router.knows(method, route_template):
            known = sorted({f"{r.method} {r.template}" for r in self.router.routes})
            raise ValueError(f"no route {method} {route_template}; known routes: {known}")

    def fail_next(
        self,
        method: str,
        route_template: str,
        status: int = 500,
        body: dict[str, Any] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` matching requests with ``status`` and ``body``.

        Note discord.py retries 500/502/504 itself (sleeping 1 s, 3 s, ...), as against Discord.
        """
        self._require_route(method, route_template)
        body = body or {"message": f"{status}: {http.HTTPStatus(status).phrase}", "code": 0}
        error = RestError(status, int(body.get("code", 0)), str(body.get("message", "")))
        self.faults.add_error(method, route_template, Fault(error=error, body=body, times=times))

    def rate_limit_next(
        self,
        method: str,
        route_template: str,
        retry_after: float = 0.2,
        global_: bool = False,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` matching requests with a well-formed 429."""
        self._require_route(method, route_template)
        self.faults.add_error(method, route_template, rate_limit_fault(retry_after, global_, times))

    def delay(self, method: str, route_template: str, seconds: float, times: int | None = None) -> None:
        """Hold matching requests ``seconds`` before answering (``times=None``: until ``seconds=0``)."""
        self._require_route(method, route_template)
        self.faults.set_delay(method, route_template, seconds, times)

    def dm_closed(self, user_id: int, closed: bool = True) -> None:
        """Make sends to this user's DM channel fail with 403 code 50007 (or reopen them)."""
        self.state.user(user_id)
        if closed:
            self.state.closed_dms.add(user_id)
        else:
            self.state.closed_dms.discard(user_id)

    async def close_gateway(self, code: int = 4000) -> None:
        """Drop the bot's gateway connection(s); with a resumable code the bot comes back with RESUME."""
        await self.gateway.close_all(code)

    def request_reconnect(self) -> None:
        """Send op 7 RECONNECT (the bot reconnects and RESUMEs)."""
        self.gateway.send_op(7, None)

    def invalidate_session(self, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION (``False``: the bot must IDENTIFY again)."""
        if not resumable:
            for session in self.gateway.sessions:
                session.alive = False
        self.gateway.send_op(9, resumable)

    async def wait_until_connected(self, timeout: float = 5.0) -> None:
        """Wait until a session has a live socket (after IDENTIFY or RESUME)."""
        await self.gateway.wait_until(
            lambda: any(s.alive and s.connected for s in self.gateway.sessions),
            timeout,
            "a connected gateway session",
        )
