"""Crash safety on a real file: SIGKILL under load loses no acknowledged row; refused writes are never silent."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import signal
import sqlite3
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.knowledge import SearchIndex
from bot.knowledge.library import Library
from bot.runtime import _exit_report
from bot.storage import Storage
from tests.conftest import embeds_of, mentor_config, start_mentor
from tests.discord_double import DiscordDouble
from tests.discord_double.studio import Studio, populate_studio
from tests.kbfactory import write_kb
from tests.test_lifecycle_e2e import TOKEN, _env, _write_config

KILLS = 20


@pytest.fixture
async def token_double() -> AsyncIterator[tuple[DiscordDouble, Studio]]:
    """A loopback Discord that accepts the bot process's well-formed token."""
    double = DiscordDouble(token=TOKEN)
    studio = populate_studio(double)
    await double.start()
    try:
        yield double, studio
    finally:
        await double.stop()


QUESTIONS = (
    "do i need a degree",
    "how do i mic a guitar amp",
    "what does an intern do",
    "how do i bake bread",
)


async def launch(config: Path, double: DiscordDouble) -> asyncio.subprocess.Process:
    """Start `python -m bot run` and return once its gateway session is identified.

    It runs on a two-entry knowledge folder: loading the bundled one would cost a second per restart.
    """
    knowledge = config.parent / "kb"
    if not knowledge.is_dir():
        write_kb(knowledge)
    identified = double.identify_count
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--config",
        str(config),
        "--knowledge",
        str(knowledge),
        cwd=config.parent,
        env=_env(DISCORD_TOKEN=TOKEN),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while double.identify_count == identified:
        assert proc.returncode is None, "the bot exited during start-up"
        assert time.monotonic() < deadline, "the bot did not connect"
        await asyncio.sleep(0.02)
    return proc


async def ask(double: DiscordDouble, studio: Studio, question: str, timeout: float) -> dict:  # type: ignore[type-arg]
    inter = await double.slash_command(
        studio.guild.id, studio.general.id, studio.alice.id, "ask", {"question": question}
    )
    return await asyncio.wait_for(inter.response, timeout)


async def answers_after_restart(double: DiscordDouble, studio: Studio) -> bool:
    """The bot answers /ask once ready (asked again while it is still finishing start-up)."""
    for _ in range(100):
        with contextlib.suppress(asyncio.TimeoutError):
            body = await ask(double, studio, "what is the first thing", 0.3)
            return bool(embeds_of(body))
    return False


def committed_rows(path: Path) -> set[tuple[int, str]]:
    """Question-log rows another connection sees committed: acknowledged by the database."""
    conn = sqlite3.connect(path)
    try:
        return set(conn.execute("SELECT id, normalised FROM questions"))
    finally:
        conn.close()


async def test_sigkill_under_load_keeps_every_flushed_row(tmp_path: Path, token_double) -> None:  # type: ignore[no-untyped-def]
    """20 SIGKILLs at random moments of a /ask stream: integrity ok, flushed rows all there, answers after restart."""
    double, studio = token_double
    config = _write_config(tmp_path / "config.toml", double, studio.guild.id)
    database = tmp_path / "data" / "mentor.db"
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    acknowledged: set[tuple[int, str]] = set()
    grew = 0
    for cycle in range(KILLS):
        proc = await launch(config, double)
        assert await answers_after_restart(double, studio), (
            f"cycle {cycle}: no answer after restart (seed {seed})"
        )

        async def stream() -> None:
            while True:
                batch = [ask(double, studio, rng.choice(QUESTIONS), 2) for _ in range(8)]
                await asyncio.gather(*batch, return_exceptions=True)

        streaming = asyncio.create_task(stream())
        await asyncio.sleep(rng.uniform(0.05, 1.6))  # a random moment: mid-batch, mid-flush, mid-commit
        seen = committed_rows(database)
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
        streaming.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await streaming
        grew += len(seen - acknowledged)
        acknowledged |= seen
        conn = sqlite3.connect(database)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", (
                f"cycle {cycle} (seed {seed})"
            )
        finally:
            conn.close()
        missing = acknowledged - committed_rows(database)
        assert not missing, f"cycle {cycle}: {len(missing)} acknowledged rows lost (seed {seed})"
    assert grew > KILLS  # the stream really was writing between kills
    proc = await launch(config, double)
    assert await answers_after_restart(double, studio)
    proc.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(proc.wait(), 15) == 0
    assert acknowledged <= committed_rows(database)


async def test_refused_writes_are_reported_at_exit(
    discord_double: DiscordDouble,
    studio: Studio,
    tmp_path: Path,
    shipped_index: SearchIndex,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The database refuses writes mid-run: the bot keeps answering, says so, and at exit reports the loss (status 1)."""
    clock = ManualClock()
    config = mentor_config(discord_double, studio, tmp_path / "mentor.db")
    storage = Storage(config.bot.database, clock=clock)
    storage.prepare()
    bot, task = await start_mentor(config, storage, Library(index=shipped_index), discord_double.token, clock)
    caplog.set_level(logging.INFO)
    try:
        storage.core.execute("PRAGMA query_only = ON")  # from now on SQLite refuses every write
        for question in QUESTIONS:
            body = await (
                await discord_double.slash_command(
                    studio.guild.id, studio.general.id, studio.alice.id, "ask", {"question": question}
                )
            ).response
            assert body["type"] == 4  # still answering
        storage.flush()
        assert storage.backlog() == (len(QUESTIONS), 0)
        assert any(
            "cannot write to" in r.getMessage() and "keeping" in r.getMessage() for r in caplog.records
        )
    finally:
        await bot.close()
        await asyncio.wait_for(task, 5)
    assert _exit_report(storage, 0) == 1
    report = [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.ERROR and r.getMessage().startswith("stopped")
    ]
    assert report == [
        f"stopped, but {len(QUESTIONS)} question-log row(s) could not be written to {storage.path} and are lost "
        "(0 more were dropped earlier because the memory buffer was full): check the disk and the file's permissions"
    ]
    assert not any("stopped cleanly" in r.getMessage() for r in caplog.records)


async def test_clean_stop_reports_cleanly(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """With every row written, the exit report is "stopped cleanly" and status 0."""
    caplog.set_level(logging.INFO)
    storage = Storage(tmp_path / "mentor.db")
    storage.prepare()
    storage.questions.record(
        guild_id=1,
        channel_id=1,
        user_id=1,
        question="q",
        source="slash",
        outcome="declined",
        entry_id=None,
        score=0.0,
    )  # type: ignore[arg-type]
    assert _exit_report(storage, 0) == 0
    assert [r.getMessage() for r in caplog.records if "stopped" in r.getMessage()] == ["stopped cleanly"]
