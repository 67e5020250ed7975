"""Operator tools behind `studio-mentor db check` and `db backup`: safe while the bot is running.

Both open the database with a plain connection of their own and never migrate or change it. WAL mode lets
them read a consistent snapshot while the bot keeps writing; the backup uses SQLite's online backup API and
is verified with `PRAGMA integrity_check` before it replaces anything.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from bot.storage.core import MigrationState, StorageError, migration_state, storage_error


@contextlib.contextmanager
def _open_existing(path: Path) -> Iterator[sqlite3.Connection]:
    """Open a database that must already exist (a plain connect would create an empty one)."""
    if path.is_dir():
        raise StorageError(f"{path}: is a folder, not a database file; check [bot] database")
    if not path.is_file():
        raise StorageError(
            f"{path}: no database here (the bot creates it at its first start); check [bot] database "
            "or --config"
        )
    try:
        conn = sqlite3.connect(str(path), isolation_level=None)
        conn.execute("PRAGMA busy_timeout=5000")
    except sqlite3.Error as exc:
        raise storage_error(path, exc) from None
    try:
        yield conn
    finally:
        conn.close()


def _integrity(conn: sqlite3.Connection) -> list[str]:
    return [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]


def _row_counts(conn: sqlite3.Connection, tables: tuple[str, ...]) -> dict[str, int]:
    return {t: int(conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]) for t in tables}


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What `db check` found."""

    path: Path
    size: int
    integrity: list[str]  # ["ok"] when healthy, else SQLite's problem lines
    migrations: MigrationState
    rows: dict[str, int]

    @property
    def healthy(self) -> bool:
        """True when the bot can start on this file as it is."""
        return self.integrity == ["ok"] and not self.migrations.unknown and not self.migrations.foreign

    def render(self) -> str:
        """The report as the command prints it."""
        m = self.migrations
        lines = [
            f"database: {self.path} ({self.size:,} bytes)",
            f"integrity: {'ok' if self.integrity == ['ok'] else '; '.join(self.integrity[:10])}",
            f"migrations: {len(m.applied)} applied, {len(m.pending)} pending, {len(m.unknown)} unknown",
        ]
        if m.pending:
            lines.append(f"  pending (applied at the bot's next start): {', '.join(m.pending)}")
        if m.unknown:
            lines.append(
                f"  unknown (written by a newer version; this one refuses to start): {', '.join(m.unknown)}"
            )
        if m.foreign:
            lines.append("  not a Studio Mentor database: it has tables but no record of our migrations")
        lines.append("rows:")
        width = max((len(t) for t in self.rows), default=0)
        lines += [f"  {table:<{width}}  {count:>10,}" for table, count in self.rows.items()]
        lines.append("OK" if self.healthy else "PROBLEMS: see above")
        return "\n".join(lines) + "\n"


def check_database(path: Path) -> CheckReport:
    """Check integrity, list migrations applied / pending / unknown, and count rows in every table."""
    with _open_existing(path) as conn:
        try:
            integrity = _integrity(conn)
            state = migration_state(Database(conn))
            rows = _row_counts(conn, state.tables)
        except sqlite3.Error as exc:
            raise storage_error(path, exc) from None
    return CheckReport(path, path.stat().st_size, integrity, state, rows)


@dataclass(frozen=True, slots=True)
class BackupResult:
    """What `db backup` wrote."""

    source: Path
    target: Path
    size: int
    rows: dict[str, int]

    def render(self) -> str:
        """The result as the command prints it."""
        total = sum(self.rows.values())
        return (
            f"backed up {self.source} to {self.target} ({self.size:,} bytes, {len(self.rows)} tables, "
            f"{total:,} rows); integrity_check: ok\n"
        )


def backup_database(source: Path, target: Path, *, replace: bool = False) -> BackupResult:
    """Copy a live database with SQLite's backup API into target, verified before it takes target's place."""
    if target.resolve() == source.resolve():
        raise StorageError(f"{target}: is the database itself; choose another file for the backup")
    if target.exists() and not replace:
        raise StorageError(f"{target}: already exists; choose a new name, or pass --force to replace it")
    if not target.parent.is_dir():
        raise StorageError(f"{target.parent}: no such folder; create it first")
    partial = target.with_name(target.name + ".partial")
    try:
        integrity, rows = _copy(source, partial)
    except BaseException:
        partial.unlink(missing_ok=True)  # never leave a half-written copy behind
        raise
    if integrity != ["ok"]:
        partial.unlink(missing_ok=True)
        raise StorageError(
            f"{source}: the copy failed integrity_check ({integrity[0]}); the database may be damaged: run "
            "`studio-mentor db check`"
        )
    os.replace(partial, target)
    return BackupResult(source, target, target.stat().st_size, rows)


def _copy(source: Path, partial: Path) -> tuple[list[str], dict[str, int]]:
    """Back up source into partial; return the copy's integrity_check lines and row counts."""
    with _open_existing(source) as conn:
        try:
            partial.unlink(missing_ok=True)
            copy = sqlite3.connect(str(partial), isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise storage_error(partial, exc) from None
        try:
            try:
                conn.backup(copy)  # one consistent snapshot, even while the bot writes
            except sqlite3.Error as exc:
                raise storage_error(source, exc) from None
            try:
                copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
                return _integrity(copy), _row_counts(copy, migration_state(Database(copy)).tables)
            except sqlite3.Error as exc:
                raise storage_error(partial, exc) from None
        finally:
            copy.close()
