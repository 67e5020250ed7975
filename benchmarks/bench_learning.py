"""Scheduled-prompt fan-out: N members' DM prompts due in the same minute, Discord's global limit enforced.

Studio Mentor runs as in production (``python -m bot --config config.toml run``, in its own process, real
clock) against the loopback Discord served from this process, which enforces Discord's global rate limit of
50 requests per second. The database is prepared with N daily subscriptions at the same minute; the bot
starts, its APScheduler timer wakes it at that minute, and it fans out. Meanwhile a member runs ``/ask``
every 0.25 s. Measured:

* time to deliver all, against the floor the global limit sets for the requests actually needed
  (each DM is two requests the first time: open the DM channel, then the message);
* lateness of each DM after its due instant (p50, p99, max);
* ``/ask`` latency during the fan-out (p50, p99, max; Discord's deadline is 3 s);
* 429s answered, invalid requests (401/403/429), and the bot's peak RSS (VmHWM).

    python benchmarks/bench_learning.py                    # 2,000 members at 45 requests/s (~2 minutes)
    python benchmarks/bench_learning.py --members 300      # quicker
    python benchmarks/bench_learning.py --rate 20          # the default max_sends_per_second
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.clock import ManualClock  # noqa: E402
from bot.slots import ALL_DAYS  # noqa: E402
from bot.storage import Storage  # noqa: E402
from tests.discord_double import DiscordDouble  # noqa: E402
from tests.discord_double.studio import populate_studio  # noqa: E402

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GabcDE.abcdefghijklmnopqrstuvwxyz012345678"
GLOBAL_LIMIT = 50  # Discord's global requests per second
LEAD = 25.0  # seconds at least between launching the bot and the due minute (start-up, sync, ready)
ASK_EVERY = 0.25
QUESTIONS = ("do i need a degree to be a producer?", "how do i get an internship", "what does a producer do")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (nan for no values)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))]


def peak_rss_mib(pid: int) -> float:
    """VmHWM of a process in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def prepare(
    folder: Path, double: DiscordDouble, guild_id: int, users: list[int], due: datetime, rate: float
) -> Path:
    """Write the config and a database with every member subscribed daily at the due minute (UTC)."""
    config = folder / "config.toml"
    config.write_text(
        f'[discord]\napi_base = "{double.api_base}"\ngateway_url = "{double.gateway_url}"\n'
        f"dev_guild_ids = [{guild_id}]\nguild_ready_timeout = 0.05\n"
        f'[bot]\ndatabase = {json.dumps(str(folder / "mentor.db"))}\nlog_level = "INFO"\n'
        f"[learning]\nmax_sends_per_second = {rate}\n",
        encoding="utf-8",
    )
    storage = Storage(folder / "mentor.db", clock=ManualClock(due - timedelta(hours=1)))
    storage.migrate()
    with storage.core.write():
        for user in users:
            storage.learning.subscribe(
                guild_id, user, "daily", ALL_DAYS, clock_time(due.hour, due.minute), "UTC"
            )
    storage.close()
    return config


async def run(members: int, rate: float) -> dict[str, float]:
    double = DiscordDouble(token=TOKEN)
    studio = populate_studio(double)
    users = [double.add_member(studio.guild.id, f"m{i}").user.id for i in range(members)]
    await double.start()
    double.global_rate_limit(GLOBAL_LIMIT)
    now = datetime.now(UTC)
    due = (now + timedelta(seconds=LEAD + 60)).replace(second=0, microsecond=0)
    # The double records monotonic times: map the due instant onto that clock.
    due_mono = time.monotonic() + (due - datetime.now(UTC)).total_seconds()
    with tempfile.TemporaryDirectory() as tmp:
        config = prepare(Path(tmp), double, studio.guild.id, users, due, rate)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "STUDIO_MENTOR_"))}
        env["DISCORD_TOKEN"] = TOKEN
        log = (Path(tmp) / "bot.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "--config", str(config), "run"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
        try:
            await double.wait_for_request(
                lambda r: r.route == "/applications/{application_id}/guilds/{guild_id}/commands",
                timeout=60,
                since=0,
            )
            await double.wait_until_connected(timeout=30)
            ask_latencies: list[float] = []
            wanted = set(users)
            while time.monotonic() < due_mono - 1:
                await asyncio.sleep(0.2)
            start_mark = double.mark()
            i = 0
            while time.monotonic() < due_mono + 600:
                if all(double.dms_received(u) for u in wanted):
                    break
                t0 = time.perf_counter()
                inter = await double.slash_command(
                    studio.guild.id, studio.general.id, studio.alice.id, "ask", {"question": QUESTIONS[i % 3]}
                )
                await asyncio.wait_for(inter.response, 10)
                ask_latencies.append(time.perf_counter() - t0)
                i += 1
                await asyncio.sleep(ASK_EVERY)
            rss = peak_rss_mib(proc.pid)
        finally:
            proc.send_signal(signal.SIGTERM)
            await asyncio.to_thread(proc.wait, 30)
            log.close()
        fanout = [r for r in double.requests[start_mark:] if not r.route or "interactions" not in r.route]
        answered = [r for r in fanout if r.status < 400]
        dm_channels = set(double.state.dm_by_user.values())
        sends = [
            r
            for r in answered
            if r.method == "POST"
            and r.route == "/channels/{channel_id}/messages"
            and int(r.params["channel_id"]) in dm_channels
        ]
        opens = [r for r in answered if r.method == "POST" and r.route == "/users/@me/channels"]
        lateness = [r.time - due_mono for r in sends]
        needed = len(sends) + len(opens)  # what delivering needs; 429s and /ask callbacks not counted
        elapsed = max(r.time for r in sends) - due_mono
        floor = needed / GLOBAL_LIMIT
        await double.stop()
    return {
        "members": members,
        "rate": rate,
        "delivered": len({r.params["channel_id"] for r in sends}),
        "requests_needed": needed,
        "floor_s": floor,
        "elapsed_s": elapsed,
        "ratio": elapsed / floor,
        "late_p50_s": percentile(lateness, 50),
        "late_p99_s": percentile(lateness, 99),
        "late_max_s": max(lateness),
        "ask_n": len(ask_latencies),
        "ask_p50_ms": percentile(ask_latencies, 50) * 1000,
        "ask_p99_ms": percentile(ask_latencies, 99) * 1000,
        "ask_max_ms": max(ask_latencies) * 1000,
        "global_429": double.global_limit.hits if double.global_limit else 0,
        "invalid_requests": double.invalid_request_count,
        "peak_rss_mib": rss,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=45.0, help="[learning] max_sends_per_second")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    figures = asyncio.run(run(args.members, args.rate))
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    f = figures
    print(
        f"{f['members']:.0f} members due in one minute, max_sends_per_second = {f['rate']:g}, "
        f"global limit {GLOBAL_LIMIT}/s"
    )
    print(f"delivered {f['delivered']:.0f} DMs with {f['requests_needed']:.0f} requests")
    print(f"time to deliver all: {f['elapsed_s']:.1f} s; floor {f['floor_s']:.1f} s; ratio {f['ratio']:.3f}")
    print(
        f"lateness after due: p50 {f['late_p50_s']:.1f} s, p99 {f['late_p99_s']:.1f} s, "
        f"max {f['late_max_s']:.1f} s"
    )
    print(
        f"/ask during fan-out ({f['ask_n']:.0f}): p50 {f['ask_p50_ms']:.0f} ms, "
        f"p99 {f['ask_p99_ms']:.0f} ms, max {f['ask_max_ms']:.0f} ms"
    )
    print(f"429s from the global limit: {f['global_429']:.0f}; invalid requests: {f['invalid_requests']:.0f}")
    print(f"bot peak RSS: {f['peak_rss_mib']:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
