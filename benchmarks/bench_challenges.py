"""A challenge with 1,000 participants: submissions, the reminder fan-out, and the export.

Everything runs in this one process against the loopback Discord (tests/discord_double): the double, the
members (this script) and the bot share one event loop, so the figures compare bots on equal terms rather
than measure production throughput.

* submissions: every member runs ``/challenge submit challenge link`` (8 in flight); the clock stops when the
  callback reaches the double. The same load on a bare discord.py echo bot (``/ask question`` answered with
  its text) is the floor a slash command costs here.
* reminder fan-out: all members joined, none submitted, the clock is moved to the reminder; the double
  enforces Discord's global rate limit (50 requests/s) and each DM is two requests (open the DM channel,
  send), so 1,000 DMs cannot take less than 39 s (the first second's 50 go at once). The figure is the
  time the bot took against that floor.
* export: ``/challenge export`` for 1,000 participants, command to CSV attachment.

    python benchmarks/bench_challenges.py                # 1,000 members
    python benchmarks/bench_challenges.py --members 200  # quicker
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app import apply_endpoints  # noqa: E402
from bot.challenge_runner import runner_of  # noqa: E402
from bot.challenges import Step, Timeline  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.config import Config  # noqa: E402
from bot.knowledge import SearchIndex, load_knowledge  # noqa: E402
from bot.knowledge.library import Library  # noqa: E402
from bot.storage import Storage  # noqa: E402
from tests.challenge_helpers import T0  # noqa: E402
from tests.conftest import mentor_config, start_mentor  # noqa: E402
from tests.discord_double import DiscordDouble, redirect_discord_py  # noqa: E402
from tests.discord_double.demo_commands import add_demo_commands  # noqa: E402
from tests.discord_double.echo_bot import EchoBot, echo_intents  # noqa: E402
from tests.discord_double.studio import Studio, populate_studio  # noqa: E402

IN_FLIGHT = 8
GLOBAL_LIMIT = 50  # Discord's global limit, requests per second


async def closed_loop(count: int, one: Callable[[int], Awaitable[float]]) -> tuple[float, list[float]]:
    """Run `count` timed actions, IN_FLIGHT at a time; return (wall seconds, each latency)."""
    latencies: list[float] = []
    queue = iter(range(count))

    async def worker() -> None:
        for i in queue:
            latencies.append(await one(i))

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)))
    return time.perf_counter() - start, latencies


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def line(name: str, count: int, wall: float, latencies: list[float]) -> str:
    return (
        f"{name:<28} {count / wall:8.0f}/s   p50 {statistics.median(latencies) * 1000:6.1f} ms"
        f"   p99 {p(latencies, 0.99) * 1000:6.1f} ms"
    )


async def timed(
    double: DiscordDouble, studio: Studio, user: int, command: str, options: dict[str, Any]
) -> float:
    start = time.perf_counter()
    inter = await double.slash_command(studio.guild.id, studio.general.id, user, command, options)
    await inter.wait_response(30)
    return time.perf_counter() - start


async def echo_baseline(members: int) -> str:
    async with DiscordDouble() as double:
        studio = populate_studio(double)
        users = [double.add_member(studio.guild.id, username=f"m{i}").id for i in range(members)]
        with redirect_discord_py(double.api_base, double.gateway_url):
            bot = EchoBot(intents=echo_intents(message_content=True), sync_guild_ids=[studio.guild.id])
            add_demo_commands(bot, studio.guild.id)
            task = asyncio.create_task(bot.start(double.token))
            await asyncio.wait_for(bot.ready_event.wait(), 10)
            try:
                wall, lat = await closed_loop(
                    members, lambda i: timed(double, studio, users[i], "ask", {"question": f"https://x/{i}"})
                )
            finally:
                await bot.close()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
    return line("echo bot /ask", members, wall, lat)


async def mentor_run(members: int, index: SearchIndex) -> list[str]:
    out: list[str] = []
    async with DiscordDouble() as double:
        studio = populate_studio(double)
        users = [double.add_member(studio.guild.id, username=f"m{i}").id for i in range(members)]
        with tempfile.TemporaryDirectory() as tmp:
            config = mentor_config(double, studio, Path(tmp) / "bench.db", cooldown_seconds=0)
            clock = ManualClock(T0)
            storage = Storage(config.bot.database, clock=clock)
            bot, task = await start_mentor(config, storage, Library(index=index), double.token, clock)
            try:
                timeline = Timeline(T0, T0 + timedelta(days=3), None, timedelta(hours=24))
                challenge = storage.challenges.create(
                    studio.guild.id, created_by=studio.mo.id, channel_id=studio.general.id, title="Bench",
                    brief="A benchmark challenge.", timeline=timeline,
                )  # fmt: skip
                await runner_of(bot).run_due()  # the announcement
                wall, lat = await closed_loop(
                    members,
                    lambda i: timed(double, studio, users[i], "challenge submit",
                                    {"challenge": challenge.id, "link": f"https://x.example/{i}"}),
                )  # fmt: skip
                out.append(line("Studio Mentor /challenge submit", members, wall, lat))

                # Reminder: a second challenge everyone joined and nobody submitted to.
                quiet = storage.challenges.create(
                    studio.guild.id, created_by=studio.mo.id, channel_id=studio.general.id, title="Quiet",
                    brief="Nobody submits.", timeline=timeline,
                )  # fmt: skip
                for user in users:
                    storage.challenges.join(studio.guild.id, quiet.id, user)
                await runner_of(bot).run_due()
                double.global_rate_limit(GLOBAL_LIMIT, 1.0)
                assert timeline.remind_at is not None
                clock.set(timeline.remind_at)
                refused_before = double.invalid_request_count
                start = time.perf_counter()
                await runner_of(bot).run_due()
                fan_out = time.perf_counter() - start
                states = storage.challenges.step_states(studio.guild.id, quiet.id, Step.REMIND)
                sent = sum(1 for uid, (state, _) in states.items() if uid and state == "sent")
                # A fresh 1-second window lets the first GLOBAL_LIMIT requests through at once.
                floor = max(2 * members - GLOBAL_LIMIT, 0) / GLOBAL_LIMIT
                refused = double.invalid_request_count - refused_before
                out.append(
                    f"reminder fan-out             {sent} DMs in {fan_out:.1f} s; floor {floor:.1f} s "
                    f"({GLOBAL_LIMIT}/s, 2 requests a DM): {fan_out / max(floor, 1e-9):.2f}x the floor; "
                    f"{refused} answers 401/403/429"
                )
                double.global_rate_limit(None)

                start = time.perf_counter()
                rows = storage.challenges.export_rows(studio.guild.id, challenge.id)
                storage_ms = (time.perf_counter() - start) * 1000
                export = {"challenge": challenge.id}
                inter_time = await timed(double, studio, studio.mo.id, "challenge export", export)
                out.append(
                    f"export                       {len(rows)} rows: query {storage_ms:.1f} ms, "
                    f"command → CSV attachment {inter_time * 1000:.0f} ms"
                )
            finally:
                await bot.close()
                await asyncio.wait_for(task, 10)
                storage.close()
                apply_endpoints(Config())
    return out


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    args = parser.parse_args()
    index = SearchIndex(load_knowledge())
    print(f"members: {args.members}, {IN_FLIGHT} commands in flight")
    print(await echo_baseline(args.members))
    for text in await mentor_run(args.members, index):
        print(text)


if __name__ == "__main__":
    asyncio.run(main())
