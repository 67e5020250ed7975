"""Storage calls made on the event loop: are they all sub-millisecond?

The bot runs its SQLite calls on the event loop's thread (bot/storage.py explains why). That is only right
while each call the message path makes stays well under a millisecond, also on a database that has grown.
This times each call on a real file (WAL, synchronous=NORMAL) pre-filled with many servers' questions, and
compares it with a baseline measured in the same run: a bare `SELECT 1` through the same connection.

    python benchmarks/bench_storage.py            # 100,000 logged questions
    python benchmarks/bench_storage.py --rows 10000
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.storage import Storage  # noqa: E402

GUILDS = 50


def timed(fn: Callable[[], object], n: int) -> list[float]:
    """Latency of n calls in microseconds."""
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1e6)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=2_000)
    args = parser.parse_args()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        storage = Storage(Path(tmp) / "bench.db")
        storage.migrate()
        t0 = time.perf_counter()
        storage.core.db.execute("BEGIN")
        for i in range(args.rows):
            storage.core.db.execute(
                "INSERT INTO questions (guild_id, channel_id, user_id, question, normalised, source, outcome,"
                " entry_id, score, created_at) VALUES (?, ?, ?, ?, ?, 'channel', ?, NULL, 0.3, '2026-01-01')",
                [
                    i % GUILDS,
                    1,
                    rng.randrange(5000),
                    f"q{i % 3000}",
                    f"q{i % 3000}",
                    rng.choice(["answered", "answered", "declined", "suggested"]),
                ],
            )
        storage.core.db.execute("COMMIT")
        fill = time.perf_counter() - t0
        for g in range(GUILDS):
            storage.settings.update(g, help_channel_ids=(1, 2), cooldown_seconds=30)
        counter = iter(range(10**9))
        calls: dict[str, Callable[[], object]] = {
            "baseline SELECT 1": lambda: storage.core.db.execute("SELECT 1").fetchone(),
            "guild_settings (every message)": lambda: storage.settings.get(rng.randrange(GUILDS)),
            "record_question (every answer)": lambda: storage.questions.record(
                guild_id=rng.randrange(GUILDS),
                channel_id=1,
                user_id=2,
                question="how do i mix vocals",
                source="channel",
                outcome="answered",
                entry_id="balanced-clear-mix",
                score=0.9,
            ),
            "record_feedback (button)": lambda: storage.questions.record_feedback(
                guild_id=rng.randrange(GUILDS), user_id=next(counter), entry_id="x", helpful=True
            ),
            "update_guild_settings (moderator)": lambda: storage.settings.update(
                rng.randrange(GUILDS), cooldown_seconds=rng.randrange(60)
            ),
            "knowledge_gaps (moderator)": lambda: storage.questions.gaps(rng.randrange(GUILDS)),
        }
        print(f"database: {args.rows:,} logged questions over {GUILDS} servers (filled in {fill:.1f} s)")
        print("| call | p50 µs | p99 µs | p50 / baseline |")
        print("|---|---|---|---|")
        base = None
        for name, fn in calls.items():
            n = args.calls if "gaps" not in name else max(50, args.calls // 20)
            fn()
            samples = timed(fn, n)
            p50 = statistics.median(samples)
            p99 = sorted(samples)[int(0.99 * len(samples)) - 1]
            base = base or p50
            print(f"| {name} | {p50:.1f} | {p99:.1f} | {p50 / base:.1f}x |")
        storage.close()


if __name__ == "__main__":
    main()
