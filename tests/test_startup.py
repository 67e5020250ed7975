"""Start-up failures through the real command line: one line naming the thing and the fix, exit 2, no traceback.

Storage problems are found before the bot logs in: each test runs `python -m bot run` against a live loopback
Discord and checks that it received no request at all.
"""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage import Storage
from tests.discord_double import DiscordDouble
from tests.discord_double.studio import Studio, populate_studio
from tests.fsmodes import unwritable
from tests.test_lifecycle_e2e import TOKEN, _env, run_cli, start_bot_process


@pytest.fixture
async def double() -> AsyncIterator[tuple[DiscordDouble, Studio]]:
    """A loopback Discord that accepts the test token."""
    d = DiscordDouble(token=TOKEN)
    studio = populate_studio(d)
    await d.start()
    try:
        yield d, studio
    finally:
        await d.stop()


def write_config(folder: Path, database: str, api_base: str, gateway_url: str = "") -> Path:
    config = folder / "config.toml"
    config.write_text(
        f'[discord]\napi_base = "{api_base}"\ngateway_url = "{gateway_url}"\nguild_ready_timeout = 0.05\n'
        f'[bot]\ndatabase = "{database}"\n',
        encoding="utf-8",
    )
    return config


async def run_bot(folder: Path, double: DiscordDouble, database: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot run` with a config pointing at the double; it must stop by itself."""
    config = write_config(folder, database, double.api_base, double.gateway_url)
    return await asyncio.to_thread(
        run_cli, "run", "--config", str(config), env=_env(DISCORD_TOKEN=TOKEN), cwd=folder
    )


def assert_one_line(result: subprocess.CompletedProcess[str], *parts: str) -> str:
    """Exit 2, exactly one line on stderr, no traceback; the line contains every part."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for part in parts:
        assert part in lines[0], lines[0]
    return lines[0]


def bot_database(path: Path) -> Path:
    """A real, fully migrated Studio Mentor database with a row in it."""
    storage = Storage(path)
    storage.prepare()
    storage.settings.update(1, cooldown_seconds=5)
    storage.close()
    return path


def garbage(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 40)


def malformed(path: Path) -> None:
    bot_database(path)
    with sqlite3.connect(path) as conn:
        conn.executemany("INSERT INTO questions (normalised) VALUES (?)", [("x" * 500,)] * 300)
    conn.close()
    data = bytearray(path.read_bytes())
    page = 4096
    data[page * 2 : page * 3] = b"\xa5" * page  # a b-tree page overwritten with noise
    path.write_bytes(bytes(data))


def foreign(path: Path) -> None:
    """Some other program's SQLite file that happens to have a `questions` table."""
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE questions (id INTEGER PRIMARY KEY, body TEXT)")
        conn.execute("INSERT INTO questions (body) VALUES ('what is 2+2')")
    conn.close()


def newer(path: Path) -> None:
    """A database written by a later version of the bot: one migration this version does not know."""
    bot_database(path)
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('studio-mentor', 'm0099_from_the_future', '2030-01-01 00:00:00')"
        )
        conn.execute("CREATE TABLE future (x)")
    conn.close()


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (garbage, "not a SQLite database"),
        (malformed, "the database is damaged"),
        (foreign, "not a Studio Mentor database (it has tables questions"),
        (newer, "written by a newer Studio Mentor (it has migration m0099_from_the_future"),
    ],
    ids=["garbage", "malformed", "foreign", "newer"],
)
async def test_unusable_database_is_refused_before_login(tmp_path: Path, double, damage, expected) -> None:  # type: ignore[no-untyped-def]
    """Garbage, a damaged image, another program's SQLite file, a newer bot's database: one line, no login."""
    d, _ = double
    db = tmp_path / "mentor.db"
    damage(db)
    before = db.read_bytes()
    result = await run_bot(tmp_path, d, "mentor.db")
    assert_one_line(result, f"error: {db}:", expected)
    assert d.requests == []  # stopped before logging in
    assert db.read_bytes() == before  # never half-migrated, never "repaired"


async def test_database_that_is_a_folder_is_refused(tmp_path: Path, double) -> None:  # type: ignore[no-untyped-def]
    """A folder where the database file should be: one line naming it."""
    d, _ = double
    (tmp_path / "mentor.db").mkdir()
    result = await run_bot(tmp_path, d, "mentor.db")
    assert_one_line(result, f"{tmp_path / 'mentor.db'}: is a folder, not a database file")
    assert d.requests == []


async def test_read_only_database_file_is_refused(tmp_path: Path, double) -> None:  # type: ignore[no-untyped-def]
    """A database file the bot cannot write would lose every row silently: refused at start instead."""
    d, _ = double
    db = bot_database(tmp_path / "mentor.db")
    with unwritable(db):
        result = await run_bot(tmp_path, d, "mentor.db")
    assert_one_line(result, f"{db}: the database is read-only", "writable by the bot's user")
    assert d.requests == []


async def test_read_only_folder_is_refused(tmp_path: Path, double) -> None:  # type: ignore[no-untyped-def]
    """An existing database in a folder the bot cannot write (WAL needs files beside it): refused."""
    d, _ = double
    folder = tmp_path / "data"
    folder.mkdir()
    db = bot_database(folder / "mentor.db")
    (folder / "mentor.db.lock").touch()
    with unwritable(folder):
        result = await run_bot(tmp_path, d, "data/mentor.db")
    line = assert_one_line(result, f"{db}:")
    assert "read-only" in line or "cannot open or create" in line
    assert d.requests == []


async def test_new_database_in_a_read_only_folder_is_refused(tmp_path: Path, double) -> None:  # type: ignore[no-untyped-def]
    """No database yet and a folder that refuses new files: the lock file is the first thing named."""
    d, _ = double
    folder = tmp_path / "data"
    folder.mkdir()
    with unwritable(folder):
        result = await run_bot(tmp_path, d, "data/mentor.db")
    assert_one_line(result, f"{folder / 'mentor.db.lock'}: cannot open the lock file", "writable")
    assert d.requests == []


async def test_unwritable_lock_file_is_refused(tmp_path: Path, double) -> None:  # type: ignore[no-untyped-def]
    """A lock file the bot cannot open: one line naming it."""
    d, _ = double
    bot_database(tmp_path / "mentor.db")
    lock = tmp_path / "mentor.db.lock"
    lock.touch()
    with unwritable(lock):
        result = await run_bot(tmp_path, d, "mentor.db")
    assert_one_line(result, f"{lock}: cannot open the lock file")
    assert d.requests == []


async def test_symlink_to_a_running_bots_database_is_refused(tmp_path: Path, double) -> None:  # type: ignore[no-untyped-def]
    """The lock is on the real file: a second bot through a symlink to the same database exits 2."""
    d, studio = double
    first_dir, second_dir = tmp_path / "a", tmp_path / "b"
    first_dir.mkdir()
    second_dir.mkdir()
    config = write_config(first_dir, "mentor.db", d.api_base, d.gateway_url)
    text = config.read_text(encoding="utf-8").replace("[bot]", f"dev_guild_ids = [{studio.guild.id}]\n[bot]")
    config.write_text(text, encoding="utf-8")
    (second_dir / "link.db").symlink_to(first_dir / "mentor.db")
    first = await start_bot_process(config, d, capture=False)
    try:
        logins = len([r for r in d.requests if r.route == "/users/@me"])
        result = await run_bot(second_dir, d, "link.db")
        assert_one_line(result, "another Studio Mentor process is using this database")
        assert len([r for r in d.requests if r.route == "/users/@me"]) == logins  # the second never logged in
    finally:
        first.terminate()
        await asyncio.wait_for(first.wait(), 15)
    assert first.returncode == 0


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def plain_http_port() -> AsyncIterator[int]:
    """A TCP server that answers like plain HTTP: a TLS handshake with it fails."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(100)
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


@pytest.fixture
async def silent_port() -> AsyncIterator[int]:
    """A TCP server that accepts connections and reads, but never answers."""
    held: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)
        await reader.read(65536)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_discord_that_never_answers_is_one_line_after_the_connect_timeout(
    tmp_path: Path, silent_port: int
) -> None:
    """A host that accepts the connection and never replies: one line after [discord] connect_timeout, exit 2."""
    base = f"http://127.0.0.1:{silent_port}/api/v10"
    config = write_config(tmp_path, "mentor.db", base)
    config.write_text(config.read_text().replace("[bot]", "connect_timeout = 1\n[bot]"), encoding="utf-8")
    started = asyncio.get_running_loop().time()
    result = await asyncio.to_thread(
        run_cli, "run", "--config", str(config), env=_env(DISCORD_TOKEN=TOKEN), cwd=tmp_path
    )
    assert asyncio.get_running_loop().time() - started < 20  # not aiohttp's five minutes
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if " ERROR " in line]
    assert len(errors) == 1, result.stderr
    assert f"cannot reach Discord at {base} (no answer within 1 s)" in errors[0], errors[0]


@pytest.mark.parametrize("failure", ["refused", "dns", "tls"])
async def test_discord_unreachable_at_start_is_one_line(
    tmp_path: Path, plain_http_port: int, failure: str
) -> None:
    """Connection refused, a name that does not resolve, a TLS failure: one error line, exit 2, no traceback."""
    base = {
        "refused": f"http://127.0.0.1:{closed_port()}/api/v10",
        "dns": "http://discord.studio-mentor.invalid/api/v10",
        "tls": f"https://127.0.0.1:{plain_http_port}/api/v10",
    }[failure]
    config = write_config(tmp_path, "mentor.db", base)
    result = await asyncio.to_thread(
        run_cli, "run", "--config", str(config), env=_env(DISCORD_TOKEN=TOKEN), cwd=tmp_path
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if " ERROR " in line]
    assert len(errors) == 1, result.stderr
    assert f"cannot reach Discord at {base}" in errors[0] and "check the network" in errors[0]
    assert len(result.stderr.splitlines()) <= 4, result.stderr  # a few INFO lines at most, never 80
    assert "PyNaCl" not in result.stderr and "davey" not in result.stderr  # no voice, no voice warnings
