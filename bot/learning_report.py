"""`studio-mentor learning upcoming|deliveries`: what the scheduler will send and what it did, read from the
database alone, so an operator can check on a running bot without touching Discord (reads only; SQLite's
WAL lets them run beside the bot).
"""

from __future__ import annotations

import argparse
import sqlite3
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

from bot.clock import SystemClock
from bot.learning import KIND_DM, upcoming_from_tables
from bot.slots import parse_duration
from bot.storage import Storage

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
SHOWN_MAX = 500  # lines of a listing; the counts always cover everything


def _when(text: str, now: datetime) -> datetime:
    """`--since`: a length back from now (24h, 7d) or a UTC date/time (2026-01-05, 2026-01-05T18:00)."""
    try:
        return now - parse_duration(text)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"can't read --since {text!r}: use a length such as 24h or 7d, or 2026-01-05"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _fmt(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def report(args: argparse.Namespace, database: Path, out: TextIO) -> int:
    """Run `learning upcoming` or `learning deliveries`; return the exit code."""
    if not database.is_file():
        out.write(f"no database at {database} (the bot creates it on its first run)\n")
        return EXIT_PROBLEMS
    now = SystemClock().now()
    storage = Storage(database)
    try:
        if args.learning_command == "upcoming":
            return _upcoming(storage, now, args.hours, out)
        try:
            since = _when(args.since, now)
        except ValueError as error:
            out.write(f"error: {error}\n")
            return EXIT_USAGE
        return _deliveries(storage, since, out)
    except sqlite3.OperationalError as error:
        if "no such table" not in str(error):
            raise
        out.write("this database has no learning tables yet: run the bot once to upgrade it\n")
        return EXIT_PROBLEMS
    finally:
        storage.core.db.close()  # read-only use: no flush or checkpoint on a running bot's file


def _upcoming(storage: Storage, now: datetime, hours: float, out: TextIO) -> int:
    until = now + timedelta(hours=hours)
    sends = upcoming_from_tables(storage.learning, now, until)
    retries = storage.deliveries.ready(until)
    out.write(f"{len(sends)} scheduled send(s) between {_fmt(now)} and {_fmt(until)}\n")
    for send in sends[:SHOWN_MAX]:
        target = f"user {send.recipient}" if send.kind == KIND_DM else f"channel {send.recipient}"
        out.write(f"{_fmt(send.due)}  {send.kind:<16} guild {send.guild_id}  {target}\n")
    if retries:
        out.write(f"{len(retries)} pending delivery(ies) (retries or catch-up):\n")
        for row in retries[:SHOWN_MAX]:
            out.write(
                f"{_fmt(row.not_before)}  {row.kind:<16} {row.schedule} {row.slot}  {row.reason or ''}\n"
            )
    return EXIT_OK


def _deliveries(storage: Storage, since: datetime, out: TextIO) -> int:
    rows = storage.deliveries.since(since, limit=100_000)
    counts = Counter(row.status.value for row in rows)
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none"
    out.write(f"deliveries since {_fmt(since)}: {summary}\n")
    for row in rows[:SHOWN_MAX]:
        reason = f"  {row.reason}" if row.reason else ""
        out.write(
            f"{_fmt(row.updated_at)}  {row.status.value:<7} {row.kind:<16} {row.schedule} {row.slot} "
            f"-> {row.recipient} (due {_fmt(row.due_at)}, {row.attempts} attempt(s)){reason}\n"
        )
    if len(rows) > SHOWN_MAX:
        out.write(f"... and {len(rows) - SHOWN_MAX} more\n")
    return EXIT_OK
