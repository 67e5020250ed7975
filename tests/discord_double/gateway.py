"""The gateway websocket: HELLO, heartbeats, IDENTIFY -> READY + GUILD_CREATE, RESUME with replay.

A session outlives its socket, as on Discord: dispatches made while the bot is disconnected are
buffered and replayed after RESUME, so a dropped connection loses nothing the bot would not lose
in production. Frames are JSON, zlib-stream compressed when the client asks (discord.py's default).
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import zlib
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    from .double import DiscordDouble

_log = logging.getLogger(__name__)

INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_GUILD_MESSAGE_REACTIONS = 1 << 10
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT
# The *_LIMITED application flags an unverified app has once the privileged intents are ticked.
APPLICATION_FLAGS = (1 << 13) | (1 << 15) | (1 << 19)
REPLAY_BUFFER = 10_000  # older missed events make RESUME fail with op 9, as on Discord
TRACE = ["discord-double-gateway"]

Transform = Callable[["GatewaySession"], dict[str, Any] | None]


class GatewaySession:
    """One IDENTIFYed session: its intents, shard, sequence and the dispatches sent so far."""

    def __init__(self, session_id: str, identify: dict[str, Any]) -> None:
        self.session_id = session_id
        self.identify = identify
        self.intents: int = int(identify.get("intents") or 0)
        shard = identify.get("shard") or [0, 1]
        self.shard_id, self.shard_count = int(shard[0]), int(shard[1])
        self.seq = 0
        self.events: deque[dict[str, Any]] = deque(maxlen=REPLAY_BUFFER)
        self.connection: GatewayConnection | None = None
        self.alive = True  # False once the bot closed cleanly or was replaced: no RESUME possible
        self.resumes = 0

    @property
    def connected(self) -> bool:
        """Whether a live socket is attached (False between a drop and the RESUME)."""
        return self.connection is not None

    def handles(self, guild_id: int | None) -> bool:
        """Shard routing: ``(guild_id >> 22) % shard_count``; DMs go to shard 0."""
        return ((guild_id or 0) >> 22) % self.shard_count == self.shard_id

    def push(self, event: str, data: dict[str, Any]) -> None:
        """Number, buffer and (if connected) send a dispatch."""
        self.seq += 1
        frame = {"op": 0, "t": event, "s": self.seq, "d": data}
        self.events.append(frame)
        if self.connection is not None:
            self.connection.send(frame)


class GatewayConnection:
    """One websocket; a single writer task keeps frames (and the zlib stream) in order."""

    def __init__(self, ws: web.WebSocketResponse, compress: str | None) -> None:
        self.ws = ws
        self.session: GatewaySession | None = None
        self.closed_by_server = False
        self._zlib = zlib.compressobj() if compress == "zlib-stream" else None
        self._queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self._writer = asyncio.create_task(self._write(), name="discord-double-gateway-writer")

    def send(self, frame: dict[str, Any]) -> None:
        """Queue a frame; sending is ordered and never blocks the caller."""
        self._queue.put_nowait(frame)

    async def _write(self) -> None:
        while (frame := await self._queue.get()) is not None:
            text = json.dumps(frame, separators=(",", ":"))
            try:
                if self._zlib is not None:
                    data = self._zlib.compress(text.encode()) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
                    await self.ws.send_bytes(data)
                else:
                    await self.ws.send_str(text)
            except (ConnectionError, RuntimeError):
                return

    async def close(self, code: int, message: str = "") -> None:
        """Close from the server side (the bot sees the code and decides to RESUME or not)."""
        self.closed_by_server = True
        self.stop()
        await self.ws.close(code=code, message=message.encode())

    def stop(self) -> None:
        """End the writer task."""
        self._queue.put_nowait(None)


class GatewayServer:
    """Accepts gateway connections and routes dispatches to the right sessions."""

    def __init__(self, double: DiscordDouble) -> None:
        self.double = double
        self.sessions: list[GatewaySession] = []
        self.connections: set[GatewayConnection] = set()
        self.frames: list[dict[str, Any]] = []  # every frame the bot sent, heartbeats included
        self.identify_count = 0
        self.resume_count = 0
        self.heartbeat_interval = 41250
        self.allowed_intents: int | None = None  # None = every privileged intent approved
        self.presence_limited_members = False
        self._changed: list[asyncio.Future[None]] = []
        self._tasks: set[asyncio.Task[None]] = set()

    # --- connection lifecycle --------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """Serve one websocket until either side closes it."""
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = GatewayConnection(ws, request.query.get("compress"))
        self.connections.add(conn)
        conn.send(
            {
                "op": 10,
                "s": None,
                "t": None,
                "d": {"heartbeat_interval": self.heartbeat_interval, "_trace": TRACE},
            }
        )
        try:
            if request.query.get("encoding", "json") != "json":
                await conn.close(4002, "Error while decoding payload.")
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    try:
                        frame = json.loads(msg.data)
                    except ValueError:
                        await conn.close(4002, "Error while decoding payload.")
                        break
                    await self._on_frame(conn, frame)
                elif msg.type is WSMsgType.BINARY:
                    await conn.close(4002, "Error while decoding payload.")
        finally:
            conn.stop()
            self.connections.discard(conn)
            session = conn.session
            if session is not None and session.connection is conn:
                session.connection = None
                if not conn.closed_by_server and ws.close_code in (1000, 1001):
                    session.alive = False  # a clean close ends the session on Discord too
            self._notify()
        return ws

    async def _on_frame(self, conn: GatewayConnection, frame: dict[str, Any]) -> None:
        self.frames.append(frame)
        op, data = frame.get("op"), frame.get("d")
        if op == 1:
            conn.send({"op": 11, "s": None, "t": None, "d": None})
        elif op == 2:
            await self._identify(conn, data or {})
        elif op == 6:
            self._resume(conn, data or {})
        elif conn.session is None:
            await conn.close(4003, "Not authenticated.")
        elif op == 8:
            self._request_members(conn.session, data or {})
        elif op not in (3, 4):  # presence and voice state updates are accepted and ignored
            await conn.close(4001, "Unknown opcode.")

    async def _identify(self, conn: GatewayConnection, data: dict[str, Any]) -> None:
        if conn.session is not None:
            await conn.close(4005, "Already authenticated.")
            return
        if data.get("token") != self.double.token:
            await conn.close(4004, "Authentication failed.")
            return
        if data.get("intents") is None:
            await conn.close(4013, "Invalid intent(s).")
            return
        allowed = PRIVILEGED_INTENTS if self.allowed_intents is None else self.allowed_intents
        if int(data["intents"]) & PRIVILEGED_INTENTS & ~allowed:
            await conn.close(4014, "Disallowed intent(s).")
            return
        session = GatewaySession(secrets.token_hex(16), data)
        for old in self.sessions:
            if old.shard_id == session.shard_id and not old.connected:
                old.alive = False
        self.sessions = [s for s in self.sessions if s.alive]
        self.sessions.append(session)
        self.identify_count += 1
        conn.session, session.connection = session, conn
        self._send_ready(session)
        self._notify()

    def _send_ready(self, session: GatewaySession) -> None:
        state = self.double.state
        guilds = [g for g in state.guilds.values() if session.handles(g.id)]
        ready: dict[str, Any] = {
            "v": 10,
            "user": {**state.bot_user.payload(), "verified": True, "mfa_enabled": False, "email": None},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.double.gateway_url,
            "application": {"id": str(state.application_id), "flags": APPLICATION_FLAGS},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["loopback"],
            "auth": {},
            "user_settings": {},
            "_trace": TRACE,
        }
        if "shard" in session.identify:
            ready["shard"] = [session.shard_id, session.shard_count]
        session.push("READY", ready)
        if session.intents & INTENT_GUILDS:
            for guild in guilds:
                session.push("GUILD_CREATE", self.guild_create(session, guild.id))

    def guild_create(self, session: GatewaySession, guild_id: int) -> dict[str, Any]:
        """GUILD_CREATE data for this session (member list trimmed if presence-limited)."""
        limited = self.presence_limited_members and not session.intents & INTENT_GUILD_PRESENCES
        return self.double.state.guild_create_payload(
            self.double.state.guilds[guild_id], only_bot_member=limited
        )

    def _resume(self, conn: GatewayConnection, data: dict[str, Any]) -> None:
        session = next((s for s in self.sessions if s.session_id == data.get("session_id")), None)
        seq = int(data.get("seq") or 0)
        oldest = session.events[0]["s"] if session and session.events else 1
        if session is None or not session.alive or data.get("token") != self.double.token or seq < oldest - 1:
            conn.send({"op": 9, "s": None, "t": None, "d": False})
            return
        previous = session.connection
        if previous is not None and previous is not conn:
            session.connection = None
            task = asyncio.create_task(previous.close(4000, "Session resumed elsewhere."))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        self.resume_count += 1
        session.resumes += 1
        for frame in session.events:
            if frame["s"] > seq:
                conn.send(frame)
        conn.session, session.connection = session, conn
        session.push("RESUMED", {"_trace": TRACE})
        self._notify()

    def _request_members(self, session: GatewaySession, data: dict[str, Any]) -> None:
        guild = self.double.state.guilds.get(int(data.get("guild_id") or 0))
        if guild is None:
            return
        members = list(guild.members.values())
        if data.get("user_ids"):
            wanted = {int(u) for u in data["user_ids"]}
            members = [m for m in members if m.id in wanted]
        else:
            query = str(data.get("query") or "").lower()
            members = [m for m in members if m.username.lower().startswith(query)]
            if data.get("limit"):
                members = members[: int(data["limit"])]
        chunk: dict[str, Any] = {
            "guild_id": str(guild.id),
            "members": [m.payload() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        session.push("GUILD_MEMBERS_CHUNK", chunk)

    # --- used by the double ----------------------------------------------------------------------

    def dispatch(
        self,
        event: str,
        data: dict[str, Any] | None = None,
        *,
        guild_id: int | None = None,
        intent: int | None = None,
        transform: Transform | None = None,
    ) -> int:
        """Send a dispatch to every live session that should get it; return how many did."""
        delivered = 0
        for session in self.sessions:
            if not session.alive or not session.handles(guild_id):
                continue
            if intent is not None and not session.intents & intent:
                continue
            payload = transform(session) if transform is not None else data
            if payload is None:
                continue
            session.push(event, payload)
            delivered += 1
        return delivered

    @property
    def live_sessions(self) -> list[GatewaySession]:
        """Sessions that receive dispatches (connected or awaiting RESUME)."""
        return [s for s in self.sessions if s.alive]

    async def close_all(self, code: int, message: str = "") -> None:
        """Close every connected socket with ``code``; their sessions stay resumable (buffering)."""
        for conn in list(self.connections):
            if conn.session is not None and conn.session.connection is conn:
                conn.session.connection = None  # buffer from now on, even before the close completes
            await conn.close(code, message)
        self._notify()

    def send_op(self, op: int, data: Any) -> None:
        """Send a raw non-dispatch frame (e.g. op 7 RECONNECT, op 9 INVALID_SESSION) to every socket."""
        for conn in list(self.connections):
            conn.send({"op": op, "s": None, "t": None, "d": data})

    def _notify(self) -> None:
        for future in self._changed:
            if not future.done():
                future.set_result(None)
        self._changed.clear()

    async def wait_until(self, predicate: Callable[[], bool], timeout: float, what: str) -> None:
        """Wait until a connection-state predicate holds (checked on every connect/close/resume)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}")
            future: asyncio.Future[None] = loop.create_future()
            self._changed.append(future)
            try:
                await asyncio.wait_for(future, remaining)
            except TimeoutError:
                continue
