"""The crash test: the bot as a real process with hundreds of DM prompts due, SIGKILLed mid fan-out and
restarted. Every due delivery must be sent exactly once, by the deliveries table and by what the loopback
Discord recorded (it de-duplicates `enforce_nonce` sends within the window, as Discord does).
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from bot.clock import ManualClock
from bot.slots import ALL_DAYS
from bot.storage import Storage
from tests.discord_double import DiscordDouble
from tests.test_lifecycle_e2e import _write_config, start_bot_process, token_double  # noqa: F401 (fixture)

MEMBERS = 200
RATE = 45  # requests/s: the highest max_sends_per_second the config accepts, to keep the test short


def dm_posts(double: DiscordDouble) -> list:  # type: ignore[type-arg]
    """Answered message POSTs into DM channels."""
    dms = set(double.state.dm_by_user.values())
    return [
        r
        for r in double.requests
        if r.method == "POST"
        and r.route == "/channels/{channel_id}/messages"
        and int(r.params["channel_id"]) in dms
    ]


async def wait_until(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(timeout * 20)):
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def test_sigkill_mid_fan_out_then_restart_sends_each_prompt_exactly_once(
    tmp_path: Path,
    token_double,  # type: ignore[no-untyped-def]  # noqa: F811 (the fixture imported above)
) -> None:
    """Kill -9 halfway through 200 due DMs; after a restart all 200 are sent, none twice."""
    double, studio = token_double
    users = [double.add_member(studio.guild.id, f"member{i}").user.id for i in range(MEMBERS)]
    config = _write_config(tmp_path / "config.toml", double, studio.guild.id)
    with config.open("a", encoding="utf-8") as f:
        f.write(f"[learning]\nmax_sends_per_second = {RATE}\n")
    now = datetime.now(UTC)
    due = (now - timedelta(minutes=2)).replace(second=0, microsecond=0)
    storage = Storage(tmp_path / "data" / "mentor.db", clock=ManualClock(now - timedelta(hours=1)))
    storage.migrate()
    for user in users:
        storage.learning.subscribe(
            studio.guild.id, user, "daily", ALL_DAYS, time(due.hour, due.minute), "UTC"
        )
    storage.close()

    first = await start_bot_process(config, double, capture=False)
    try:
        await wait_until(lambda: len(dm_posts(double)) >= MEMBERS // 3, 30, "the fan-out to start")
    finally:
        first.send_signal(signal.SIGKILL)
        await first.wait()
    sent_before_kill = len({r.json["nonce"] for r in dm_posts(double)})
    assert 0 < sent_before_kill < MEMBERS, "the kill must land mid fan-out"

    second = await start_bot_process(config, double, capture=False)
    try:
        await wait_until(lambda: all(double.dms_received(u) for u in users), 60, "every member's DM")
        await asyncio.sleep(0.5)  # anything still in flight (a duplicate would show now)
    finally:
        second.send_signal(signal.SIGTERM)
        await asyncio.wait_for(second.wait(), 15)

    # Discord's side: one message per member, each created by exactly one nonce.
    assert all(len(double.dms_received(u)) == 1 for u in users)
    posts = dm_posts(double)
    assert all(r.json.get("enforce_nonce") for r in posts)
    created = Counter(r.json["nonce"] for r in posts if r.status == 200)
    message_ids = {r.response["id"] for r in posts if r.status == 200}
    assert len(created) == len(message_ids) == MEMBERS
    # The bot's side: one row per member for that slot, all sent, with the message Discord kept.
    with sqlite3.connect(tmp_path / "data" / "mentor.db") as conn:
        rows = conn.execute("SELECT recipient, status, message_id FROM deliveries").fetchall()
    assert len(rows) == MEMBERS and {r[0] for r in rows} == set(users)
    assert {r[1] for r in rows} == {"sent"}
    assert {str(r[2]) for r in rows} == {str(m) for m in message_ids}
