"""The database itself: one connection, start-up checks, transactions, migrations, write-behind flushes.

All calls run on the event loop's thread: each is a sub-millisecond indexed query or single-row write
(benchmarks/README.md measures them), which costs less than a hop to a worker thread. SQLite runs in WAL mode
with synchronous=NORMAL (every acknowledged commit survived kill -9 here), and read-modify-write goes through
`BEGIN IMMEDIATE` so a concurrent writer cannot make it fail halfway.

Every problem found while opening or checking the file is a StorageError worded as one line (the file, what
is wrong, what to do), raised before the bot logs in to Discord.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.clock import Clock, SystemClock, iso
from bot.storage.migrations import migrations

log = logging.getLogger(__name__)

MIGRATIONS_TABLE = "_sqlite_migrations"
WRITE_FAILURE_REPORT_SECONDS = 60.0  # while writes keep failing, say so again this often
RESTORE_HINT = "restore a backup (see `studio-mentor db backup`) or move the file away to start a new one"


class StorageError(Exception):
    """A database the bot cannot use, worded for the server owner: the file, what is wrong, what to do."""


def storage_error(path: Path, exc: sqlite3.Error | OSError) -> StorageError:
    """Translate SQLite's or the OS's complaint about a database file into one line with the fix."""
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    text = reason.lower()
    if "not a database" in text:
        return StorageError(
            f"{path}: not a SQLite database ({reason}); point [bot] database at the bot's database file, "
            "or move this file away to start a new one"
        )
    if "malformed" in text or "corrupt" in text:
        return StorageError(f"{path}: the database is damaged ({reason}); {RESTORE_HINT}")
    if "readonly" in text or "read-only" in text or "permission denied" in text:
        return StorageError(
            f"{path}: the database is read-only ({reason}); make the file and its folder writable by the "
            "bot's user"
        )
    if "unable to open" in text:
        return StorageError(
            f"{path}: cannot open or create the database ({reason}); check that its folder exists and is "
            "writable by the bot's user"
        )
    if "disk is full" in text or "disk i/o" in text:
        return StorageError(
            f"{path}: cannot write the database ({reason}); free disk space or check the disk"
        )
    if "locked" in text or "busy" in text:
        return StorageError(
            f"{path}: the database is locked by another program ({reason}); stop it (is a second bot or "
            "a database browser using this file?)"
        )
    return StorageError(f"{path}: cannot use the database ({reason}); {RESTORE_HINT}")


@dataclass(frozen=True, slots=True)
class MigrationState:
    """Which of this version's migrations a database has, and anything it has that this version lacks."""

    applied: tuple[str, ...]
    pending: tuple[str, ...]
    unknown: tuple[str, ...]  # applied by a newer version of the bot
    tables: tuple[str, ...]  # every table, ours or not

    @property
    def foreign(self) -> bool:
        """True for a file with tables but no record of our migrations: some other program's database."""
        return not self.applied and any(t != MIGRATIONS_TABLE for t in self.tables)


def migration_state(db: Database) -> MigrationState:
    """Read the migrations record and table list (read-only)."""
    known = [m.name for m in migrations._migrations]  # sqlite-utils keeps the registered set here
    applied = tuple(m.name for m in migrations.applied(db))
    tables = tuple(
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall()
    )
    return MigrationState(
        applied=applied,
        pending=tuple(name for name in known if name not in applied),
        unknown=tuple(name for name in applied if name not in known),
        tables=tables,
    )


class Core:
    """The connection every storage area shares, with the one way to write several rows atomically."""

    def __init__(self, path: Path | str, clock: Clock | None = None) -> None:
        self.path = Path(path)
        self.clock: Clock = clock or SystemClock()
        if str(path) != ":memory:":
            if self.path.is_dir():
                raise StorageError(
                    f"{self.path}: is a folder, not a database file; set [bot] database to a file"
                )
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(
                    f"{self.path.parent}: cannot create the database folder ({exc.strerror}); create it or "
                    "set [bot] database to a writable place"
                ) from None
        try:
            conn = sqlite3.connect(str(path), isolation_level=None)  # autocommit; we open transactions
            self.db = Database(conn)
            self.db.execute("PRAGMA busy_timeout=5000")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.execute("SELECT COUNT(*) FROM sqlite_master")  # "file is not a database" shows here
        except sqlite3.Error as exc:
            raise storage_error(self.path, exc) from None
        self._flushers: list[Callable[[], None]] = []
        self._depth = 0
        self._failing_since: float | None = None
        self._last_report = 0.0

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
            if self.db.conn.in_transaction:  # SQLite may already have rolled back (disk full, I/O error)
                self.db.execute("ROLLBACK")
            raise
        self._depth = 0
        self.db.execute("COMMIT")

    def verify(self) -> MigrationState:
        """Refuse, before the bot logs in, a database it cannot safely use; return its migration state.

        A damaged file, a file written by a newer version (an unknown migration: never half-migrate it),
        some other program's database, or a file the bot cannot write all stop start-up with one line.
        """
        try:
            problems = [row[0] for row in self.db.execute("PRAGMA quick_check").fetchall()]
            state = migration_state(self.db)
        except sqlite3.Error as exc:
            raise storage_error(self.path, exc) from None
        if problems != ["ok"]:
            raise StorageError(f"{self.path}: the database is damaged ({problems[0]}); {RESTORE_HINT}")
        if state.unknown:
            raise StorageError(
                f"{self.path}: written by a newer Studio Mentor (it has migration {state.unknown[-1]}, "
                "unknown to this version); upgrade the bot, or restore a backup made by this version"
            )
        if state.foreign:
            shown = ", ".join(state.tables[:5])
            raise StorageError(
                f"{self.path}: not a Studio Mentor database (it has tables {shown} but no record of our "
                "migrations); set [bot] database to a new file"
            )
        self.probe_write()
        return state

    def probe_write(self) -> None:
        """Check the file takes writes: a read-only database would otherwise lose every row silently."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                self.db.execute("CREATE TABLE _studio_mentor_write_probe (x)")
            finally:
                if self.db.conn.in_transaction:
                    self.db.execute("ROLLBACK")
        except sqlite3.Error as exc:
            raise storage_error(self.path, exc) from None

    def on_flush(self, flusher: Callable[[], None]) -> None:
        """Register an area's write-behind buffer, written by flush()."""
        self._flushers.append(flusher)

    def flush(self) -> None:
        """Write every buffered row (every second, before reads of buffered data, and at close)."""
        for flusher in self._flushers:
            flusher()

    @property
    def failing(self) -> bool:
        """True while buffered writes are being refused by the database."""
        return self._failing_since is not None

    def write_failed(self, exc: sqlite3.Error, held: int, dropped: int) -> None:
        """Say (at once, then once a minute) that buffered rows could not be written and are held."""
        now = self.clock.monotonic()
        if self._failing_since is None:
            self._failing_since = self._last_report = now
            log.error(
                "cannot write to %s (%s): keeping %d row(s) in memory and retrying every second",
                self.path,
                exc,
                held,
            )
        elif now - self._last_report >= WRITE_FAILURE_REPORT_SECONDS:
            self._last_report = now
            log.error(
                "still cannot write to %s (%s): %d row(s) held in memory, %d dropped because the buffer "
                "was full",
                self.path,
                exc,
                held,
                dropped,
            )

    def write_recovered(self, written: int) -> None:
        """Say that held rows reached the file once the database takes writes again."""
        if self._failing_since is not None:
            self._failing_since = None
            log.warning("%s takes writes again: wrote %d row(s) held in memory", self.path, written)

    def migrate(self) -> list[str]:
        """Apply pending migrations; return their names."""
        try:
            # WAL is switched on here, after verify(): switching rewrites the file's header, which must not
            # happen to a file the bot is about to refuse (another program's database).
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            pending = [m.name for m in migrations.pending(self.db)]
            migrations.apply(self.db)
        except sqlite3.Error as exc:
            raise storage_error(self.path, exc) from None
        return pending

    def close(self) -> None:
        """Flush, then close (after a WAL checkpoint, so the file is self-contained)."""
        try:
            self.flush()
            try:
                self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error as exc:
                log.warning("could not checkpoint %s at close (%s)", self.path, exc)
        finally:
            self.db.close()


class Area:
    """One storage area (settings, questions, ...): the only code that names its tables.

    An area that stores member ids says how to export and delete one member's rows, so `/mydata` reaches
    everything; `MEMBER_TABLES` lists the tables it covers (a structural test checks every table with a
    user id column is covered by some area). Every area also deletes a whole server's rows
    (`forget_guild`), for the removed-server retention rule.
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

    def forget_guild(self, guild_id: int) -> dict[str, int]:
        """Delete every row this area holds about one server; return rows deleted per table."""
        return {}

    def backlog(self) -> tuple[int, int]:
        """Return (rows held in memory, not yet written; rows dropped because the buffer was full)."""
        return 0, 0
