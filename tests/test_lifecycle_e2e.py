"""The bot's lifetime: reconnecting, running as a real process, clean shutdown, start-up errors."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import Mentor, embeds_of
from tests.discord_double import DiscordDouble
from tests.discord_double.studio import Studio, populate_studio

ROOT = Path(__file__).resolve().parents[1]
# Shaped like a real bot token (three base64url parts) so the bot's own token check accepts it.
TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GabcDE.abcdefghijklmnopqrstuvwxyz012345678"


async def test_gateway_drop_resumes_and_nothing_is_lost(mentor: Mentor) -> None:
    """Closing the gateway mid-conversation: the bot RESUMEs on the same session and answers the next question."""
    s, double = mentor.studio, mentor.double
    first = await double.slash_command(
        s.guild.id, s.general.id, s.alice.id, "ask", {"question": "what does an intern do"}
    )
    assert embeds_of(await first.response)
    identifies = double.identify_count
    mentor.storage.settings.update(s.guild.id, help_channel_ids=(s.help.id,))
    await double.close_gateway(4000)
    # Asked while the bot is disconnected: Discord buffers it and replays it on RESUME.
    missed = await double.send_message(s.help.id, s.alice.id, "how do i become an assistant producer?")
    await double.wait_until_connected()
    for _ in range(50):
        if double.resume_count:
            break
        await asyncio.sleep(0.05)
    assert double.resume_count == 1 and double.identify_count == identifies
    reply = await double.wait_for_request(
        lambda r: (
            r.method == "POST"
            and r.params.get("channel_id") == str(s.help.id)
            and r.json.get("message_reference", {}).get("message_id") in (missed["id"], int(missed["id"]))
        ),
        timeout=5,
    )
    assert reply.json["embeds"]
    second = await double.slash_command(
        s.guild.id, s.general.id, s.alice.id, "ask", {"question": "how do i mic a guitar amp"}
    )
    body = await second.response
    assert body["type"] == 4
    assert mentor.bot.is_ready()


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "STUDIO_MENTOR_"))}
    env.update(extra)
    return env


def _write_config(path: Path, double: DiscordDouble, guild_id: int) -> Path:
    path.write_text(
        f'[discord]\napi_base = "{double.api_base}"\ngateway_url = "{double.gateway_url}"\n'
        f"dev_guild_ids = [{guild_id}]\nguild_ready_timeout = 0.05\n"
        '[bot]\ndatabase = "data/mentor.db"\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture
async def token_double() -> AsyncIterator[tuple[DiscordDouble, Studio]]:
    """A loopback Discord whose token passes the bot's own shape check, for bots run as processes."""
    double = DiscordDouble(token=TOKEN)
    studio = populate_studio(double)
    await double.start()
    try:
        yield double, studio
    finally:
        await double.stop()


async def start_bot_process(
    config: Path, double: DiscordDouble, *, capture: bool
) -> asyncio.subprocess.Process:
    """Launch `python -m bot run` as a server owner would, and wait until it has synced its commands."""
    pipe = asyncio.subprocess.PIPE if capture else asyncio.subprocess.DEVNULL
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--config",
        str(config),
        "run",
        cwd=config.parent,
        env=_env(DISCORD_TOKEN=TOKEN),
        stdout=pipe,
        stderr=pipe,
    )
    await double.wait_for_request(
        lambda r: r.route == "/applications/{application_id}/guilds/{guild_id}/commands", timeout=20, since=0
    )
    return proc


async def test_run_as_a_process_answers_and_stops_cleanly_on_sigterm(tmp_path: Path, token_double) -> None:  # type: ignore[no-untyped-def]
    """`studio-mentor run` connects to the double, answers /ask, and exits 0 on SIGTERM without logging the token."""
    double, studio = token_double
    config = _write_config(tmp_path / "config.toml", double, studio.guild.id)
    proc = await start_bot_process(config, double, capture=True)
    try:
        await double.wait_until_connected(timeout=10)
        await asyncio.sleep(0.2)
        inter = await double.slash_command(
            studio.guild.id, studio.general.id, studio.alice.id, "ask", {"question": "do i need a degree"}
        )
        assert embeds_of(await inter.response)
        proc.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(proc.communicate(), 15)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    log = stderr.decode()
    assert proc.returncode == 0, log
    assert "stopped cleanly" in log
    assert TOKEN not in log and TOKEN.split(".")[2] not in log
    assert (tmp_path / "data" / "mentor.db").is_file()


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, timeout=60, env=env, cwd=cwd
    )


def test_run_without_token_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """No token: one clear line, exit 2, no connection attempted."""
    result = run_cli("run", env=_env(), cwd=tmp_path)
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == "error: DISCORD_TOKEN: not set; put the bot token in DISCORD_TOKEN or DISCORD_TOKEN_FILE"
    )


def test_run_with_malformed_token_does_not_echo_it(tmp_path: Path) -> None:
    """A malformed token is refused by shape, and never printed."""
    result = run_cli("run", env=_env(DISCORD_TOKEN="not-a-token-secret123"), cwd=tmp_path)
    assert result.returncode == 2
    assert "does not look like a bot token" in result.stderr
    assert "secret123" not in result.stderr and "Traceback" not in result.stderr


def test_run_with_bad_config_names_file_and_key(tmp_path: Path) -> None:
    """A wrong type in the config is reported with file and key before connecting."""
    config = tmp_path / "config.toml"
    config.write_text('[answers]\ncooldown_seconds = "soon"\n', encoding="utf-8")
    result = run_cli("--config", str(config), "run", env=_env(DISCORD_TOKEN=TOKEN), cwd=tmp_path)
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == f"error: {config}: [answers] cooldown_seconds: expected an integer, got a string"
    )


def test_run_with_broken_knowledge_folder_is_refused(tmp_path: Path) -> None:
    """A broken knowledge folder stops start-up with its problems listed, exit 2."""
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "sections.toml").write_text("[[section]]\nslug = 'a'\ntitle = 'A'\n", encoding="utf-8")
    (folder / "a.toml").write_text("section = 'a'\n[[entry]]\nid = 'x'\n", encoding="utf-8")
    result = run_cli("run", "--knowledge", str(folder), env=_env(DISCORD_TOKEN=TOKEN), cwd=tmp_path)
    assert result.returncode == 2
    assert "error: a.toml: entry 'x': key 'title': missing or empty" in result.stderr


async def test_second_process_on_the_same_database_is_refused(tmp_path: Path, token_double) -> None:  # type: ignore[no-untyped-def]
    """Two bots on one database would double-send: the second exits 2 with a clear message."""
    double, studio = token_double
    config = _write_config(tmp_path / "config.toml", double, studio.guild.id)
    first = await start_bot_process(config, double, capture=False)
    try:
        second = await asyncio.to_thread(
            run_cli, "--config", str(config), "run", env=_env(DISCORD_TOKEN=TOKEN), cwd=tmp_path
        )
        assert second.returncode == 2
        assert "another Studio Mentor process is using this database" in second.stderr
    finally:
        first.send_signal(signal.SIGTERM)
        await asyncio.wait_for(first.wait(), 15)
    assert first.returncode == 0


def test_invite_link_has_exactly_the_needed_permissions(tmp_path: Path) -> None:
    """`studio-mentor invite` reads the application id from the token and asks for the documented permissions."""
    result = run_cli("invite", env=_env(DISCORD_TOKEN=TOKEN), cwd=tmp_path)
    assert result.returncode == 0
    url = result.stdout.strip()
    assert "client_id=1234567890123456789" in url
    # View Channels, Send Messages, Embed Links, Attach Files, Read Message History, Create Public Threads,
    # Send Messages in Threads: nothing else.
    expected = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 35) | (1 << 38)
    assert f"permissions={expected}" in url
    assert "scope=bot+applications.commands" in url


async def test_sync_command_syncs_globally_once_and_exits(tmp_path: Path, token_double) -> None:  # type: ignore[no-untyped-def]
    """`studio-mentor sync` logs in, replaces the global commands with the bot's, and exits 0."""
    double, studio = token_double
    config = _write_config(tmp_path / "config.toml", double, studio.guild.id)
    result = await asyncio.to_thread(
        run_cli, "--config", str(config), "sync", env=_env(DISCORD_TOKEN=TOKEN), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "synced 10 commands globally" in result.stdout
    puts = [
        r
        for r in double.requests
        if r.method == "PUT" and r.route == "/applications/{application_id}/commands"
    ]
    assert len(puts) == 1
    assert {c["name"] for c in puts[0].json} == {
        "ask",
        "topics",
        "mentor",
        "kb",
        "stage",
        "mydata",
        "learning",
        "challenge",
        "help",
        "about",
    }
    assert not (tmp_path / "data" / "mentor.db").exists()  # syncing touches no database


async def test_message_content_intent_off_stops_with_a_clear_message(tmp_path: Path, token_double) -> None:  # type: ignore[no-untyped-def]
    """If the Message Content intent is not enabled in the portal, Discord refuses it: exit 2 saying how to fix it."""
    double, studio = token_double
    double.gateway.allowed_intents = 0  # the application has no privileged intent approved
    config = _write_config(tmp_path / "config.toml", double, studio.guild.id)
    result = await asyncio.to_thread(
        run_cli, "--config", str(config), "run", env=_env(DISCORD_TOKEN=TOKEN), cwd=tmp_path
    )
    assert result.returncode == 2
    assert "the Message Content intent is off: enable it in the Developer Portal" in result.stderr
    assert "Traceback" not in result.stderr and TOKEN not in result.stderr


async def test_rejected_token_stops_with_a_clear_message(tmp_path: Path, token_double) -> None:  # type: ignore[no-untyped-def]
    """A well-formed token that Discord rejects (401 at login): exit 2, no traceback, token not printed."""
    double, studio = token_double
    config = _write_config(tmp_path / "config.toml", double, studio.guild.id)
    wrong = TOKEN[:-5] + "WRONG"
    result = await asyncio.to_thread(
        run_cli, "--config", str(config), "run", env=_env(DISCORD_TOKEN=wrong), cwd=tmp_path
    )
    assert result.returncode == 2
    assert "Discord rejected the token" in result.stderr
    assert "Traceback" not in result.stderr and wrong not in result.stderr
