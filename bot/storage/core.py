"""The database itself: one connection, transactions, migrations, and the write-behind buffers' flush.

All calls run on the event loop's thread: each is a sub-millisecond indexed query or single-row write
(benchmarks/README.md measures them), which costs less than a hop to a worker thread. SQLite runs in WAL mode
with synchronous=NORMAL (every acknowledged commit survived kill -9 here), and read-modify-write goes through
`BEGIN IMMEDIATE` so a concurrent writer cannot make it fail halfway.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.clock import Clock, SystemClock, iso
from bot.storage.migrations import migrations


class Core:
    """The connection every storage area shares, with the one way to write several rows atomically."""

    def __init__(self, path: Path | str, clock: Clock | None = None) -> None:
        self.path = Path(path)
        self.clock: Clock = clock or SystemClock()
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), isolation_level=None)  # autocommit; we open transactions ourselves
        self.db = Database(conn)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA busy_timeout=5000")
        self.db.execute("PRAGMA foreign_keys=ON")
        self._flushers: list[Callable[[], None]] = []
        self._depth = 0

    def now(self) -> str:
        """Return the clock's current instant as stored in every timestamp column."""
        return iso(self.clock.now())

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        """Run one statement."""
        return self.db.execute(sql, params)

    @contextmanager
    def write(self) -> Iterator[None]:
        """Run a read-modify-write (or several writes) in one immediate transaction; nested calls join it."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self.db.execute("ROLLBACK")
            raise
        self._depth = 0
        self.db.execute("COMMIT")

    def on_flush(self, flusher: Callable[[], None]) -> None:
        """Register an area's write-behind buffer, written by flush()."""
        self._flushers.append(flusher)

    def flush(self) -> None:
        """Write every buffered row (every second, before reads of buffered data, and at close)."""
        for flusher in self._flushers:
            flusher()

    def migrate(self) -> list[str]:
        """Apply pending migrations; return their names."""
        pending = [m.name for m in migrations.pending(self.db)]
        migrations.apply(self.db)
        return pending

    def close(self) -> None:
        """Flush, then close (after a WAL checkpoint, so the file is self-contained)."""
        try:
            self.flush()
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            self.db.close()


class Area:
    """One storage area (settings, questions, ...): the only code that names its tables.

    An area that stores member ids says how to export and delete one member's rows, so `/mydata` reaches
    everything; `MEMBER_TABLES` lists the tables it covers (a structural test checks every table with a
    user id column is covered by some area).
    """

    MEMBER_TABLES: tuple[str, ...] = ()

    def __init__(self, core: Core) -> None:
        self.core = core

    def export_member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """Return everything this area holds about one member in one server, as JSON-ready data."""
        return {}

    def forget_member(self, guild_id: int, user_id: int) -> dict[str, int]:
        """Delete (or anonymise) one member's rows in one server; return rows touched per table."""
        return {}
