"""Run the minimal echo bot (tests/discord_double/echo_bot.py) against a double, in its own process.

Used by bench_discord.py as the performance floor; not meant to be run by hand. The token comes from
DISCORD_TOKEN, like Studio Mentor's. SIGTERM/SIGINT close the bot cleanly.

    python benchmarks/echo_runner.py --api-base URL --gateway-url URL --guild-id ID
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.discord_double.echo_bot import EchoBot  # noqa: E402
from tests.discord_double.redirect import redirect_discord_py  # noqa: E402


async def serve(api_base: str, gateway_url: str, guild_id: int, token: str) -> None:
    """Start the echo bot (its /echo synced to ``guild_id``) and run until a signal closes it."""
    with redirect_discord_py(api_base, gateway_url):
        bot = EchoBot(sync_guild_ids=[guild_id], guild_ready_timeout=0.05)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, lambda: loop.create_task(bot.close()))
        async with bot:
            await bot.start(token)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--api-base", required=True)
    parser.add_argument("--gateway-url", required=True)
    parser.add_argument("--guild-id", type=int, required=True)
    args = parser.parse_args()
    for url in (args.api_base, args.gateway_url):
        if "://127.0.0.1:" not in url:
            parser.error(f"refusing a non-loopback URL: {url}")
    asyncio.run(serve(args.api_base, args.gateway_url, args.guild_id, os.environ["DISCORD_TOKEN"]))


if __name__ == "__main__":
    main()
