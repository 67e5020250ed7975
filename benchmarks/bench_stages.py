"""/stage set end to end: Studio Mentor against the bare discord.py echo bot, in the same run.

Reuses bench_discord.py's launcher: each bot runs unmodified in its own subprocess (Studio Mentor exactly as
in production, `python -m bot --config config.toml run`) against its own loopback Discord served from this
process, which plays the members. The clock stops when the interaction callback reaches the double.

* Studio Mentor: `/stage set stage:<id>` from a pool of members, each call moving one member to a stage
  they are not at (so every call writes: the member row, a history row, one transaction).
* Echo bot: `/echo text` (its callback is the floor: no storage, no embed).

Closed loop with 8 in flight (and 1), N interactions each; reports throughput and the ratio, p50/p99 latency,
CPU per interaction, and Studio Mentor's database size afterwards (after its clean shutdown checkpoint).

    python benchmarks/bench_stages.py                  # 10,000 per bot and level (about 1-2 minutes)
    python benchmarks/bench_stages.py -n 1000          # quicker
    python benchmarks/bench_stages.py --json out.json  # also write every figure as JSON ("-": stdout)
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from bench_discord import (  # noqa: E402
    BotUnderTest,
    PhaseResult,
    git_state,
    launch_echo,
    launch_mentor,
    measured,
    record,
    stop_bot,
    wait_ready,
)

from bot.stages import LADDER  # noqa: E402

RATIO_TARGET = 0.7
PROBE = "do i need a degree to become a music producer?"


async def stage_round_trip(
    bot: BotUnderTest, member_id: int, stage: str, timeout: float
) -> tuple[float | None, int]:
    """One /stage set (or /echo for the echo bot) and its callback: (seconds, HTTP status)."""
    s = bot.studio
    start = time.perf_counter()
    if bot.name == "mentor":
        inter = await bot.double.slash_command(
            s.guild.id, s.general.id, member_id, "stage set", {"stage": stage}
        )
    else:
        inter = await bot.double.slash_command(s.guild.id, s.general.id, member_id, "echo", {"text": stage})
    hit = await bot.tracker.wait(inter.id, timeout)
    if hit is None:
        return None, 0
    return hit[0] - start, hit[1]


async def closed_loop(
    bot: BotUnderTest, members: list[int], offset: int, concurrency: int, n: int, timeout: float = 5.0
) -> PhaseResult:
    """`concurrency` members in flight, each call the next member moving to their next stage."""
    counter = itertools.count()

    async def run(result: PhaseResult) -> None:
        async def worker() -> None:
            while (i := next(counter)) < n:
                k = offset + i
                member = members[k % len(members)]
                stage = LADDER[(k // len(members)) % len(LADDER)].value  # always a move for that member
                result.sent += 1
                latency, status = await stage_round_trip(bot, member, stage, timeout)
                record(result, latency, status)

        await asyncio.gather(*(worker() for _ in range(concurrency)))

    return await measured(bot, run)


def database_bytes(folder: Path) -> dict[str, int]:
    """Size of the database file and its WAL/SHM companions."""
    files = sorted(folder.glob("mentor.db*"))
    return {p.name: p.stat().st_size for p in files if not p.name.endswith(".lock")}


async def bench(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    out: dict[str, Any] = {"phases": {}, "loadavg_before": os.getloadavg()[0]}
    bots: dict[str, BotUnderTest] = {}
    members: dict[str, list[int]] = {}
    try:
        bots["echo"] = await launch_echo(workdir)
        bots["mentor"] = await launch_mentor(workdir)
        for name, bot in bots.items():
            members[name] = [
                bot.double.add_member(bot.studio.guild.id, username=f"m{i}").id for i in range(args.members)
            ]
        await asyncio.gather(*(wait_ready(b, PROBE) for b in bots.values()))
        offset = 0
        for bot in bots.values():  # warm-up: every code path and the first member rows
            warm = await closed_loop(bot, members[bot.name], 0, 8, args.warmup)
            if warm.completed < warm.sent or warm.errors:
                raise RuntimeError(f"{bot.label} warm-up: {warm.summary()}\n{bot.log_tail()}")
        offset = args.warmup
        for concurrency in args.concurrency:
            for bot in bots.values():
                res = await closed_loop(bot, members[bot.name], offset, concurrency, args.n)
                out["phases"][f"{bot.name}/c{concurrency}"] = res.summary()
                print(
                    f"  {bot.label:13} {concurrency} in flight: {res.throughput:7.0f}/s  "
                    f"p50 {res.percentile(50):6.2f} ms  p99 {res.percentile(99):6.2f} ms  "
                    f"({res.completed}/{res.sent}, {res.errors} errors, {res.timeouts} timeouts)",
                    file=sys.stderr,
                )
            offset += args.n
        out["stage_sets"] = offset
        out["loadavg_after"] = os.getloadavg()[0]
    finally:
        for bot in bots.values():
            out.setdefault("exit", {})[bot.name] = await stop_bot(bot)
    out["database_bytes"] = database_bytes(workdir / "mentor")
    return out


def render(out: dict[str, Any], args: argparse.Namespace) -> str:
    lines = [
        f"/stage set vs /echo, closed loop, {args.n} interactions per bot and level, {args.members} members",
        "",
        "| in flight | echo bot /s | Studio Mentor /s | ratio | echo p99 ms | Mentor p50 ms | Mentor p99 ms "
        "| Mentor CPU µs/op |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for c in args.concurrency:
        echo, mentor = out["phases"][f"echo/c{c}"], out["phases"][f"mentor/c{c}"]
        ratio = mentor["throughput_per_s"] / echo["throughput_per_s"] if echo["throughput_per_s"] else 0.0
        mark = "✓" if ratio >= RATIO_TARGET else "✗"
        lines.append(
            f"| {c} | {echo['throughput_per_s']:.0f} | {mentor['throughput_per_s']:.0f} "
            f"| {ratio:.2f}× {mark} "
            f"| {echo['p99_ms']:.2f} | {mentor['p50_ms']:.2f} | {mentor['p99_ms']:.2f} "
            f"| {mentor['bot_cpu_us_per_rt']:.0f} |"
        )
    sizes = out["database_bytes"]
    total = sum(sizes.values())
    lines += [
        "",
        f"Database after {out['stage_sets']} stage changes ({args.members} members, one member row each and "
        f"one history row per change): {total / 1024:.0f} KiB "
        f"({', '.join(f'{k} {v / 1024:.0f} KiB' for k, v in sizes.items())}), "
        f"{total / max(out['stage_sets'], 1):.0f} bytes per change.",
        f"1-min load average before→after: {out['loadavg_before']:.2f}→{out['loadavg_after']:.2f}.",
    ]
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="bench-stages-") as tmp:
        out = await bench(args, Path(tmp))
    print(render(out, args))
    commit = git_state().get("commit") or "?"
    print(f"\nMeasured at commit {commit}.")
    if args.json:
        payload = json.dumps({"args": vars(args), **out}, indent=2)
        if args.json == "-":
            print(payload)
        else:
            Path(args.json).write_text(payload + "\n", encoding="utf-8")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=10_000, help="interactions per bot and level (10000)")
    parser.add_argument("--members", type=int, default=500, help="members taking turns (500)")
    parser.add_argument("--warmup", type=int, default=200, help="warm-up interactions per bot (200)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8], help="in-flight levels (8)")
    parser.add_argument("--json", nargs="?", const="-", help="also write all figures as JSON ('-': stdout)")
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
