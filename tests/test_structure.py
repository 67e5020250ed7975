"""Structural checks: the README documents every command, and every extension loads on its own."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.app import EXTENSIONS
from bot.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]


def test_readme_lists_every_cli_command() -> None:
    """Each `studio-mentor` subcommand appears in the README."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name in subparsers.choices:
        assert f"studio-mentor {name}" in readme, name


async def test_readme_lists_every_slash_command(shipped_index) -> None:  # type: ignore[no-untyped-def]
    """Each slash command the bot registers appears in the README, and every one has a description."""
    from discord import app_commands

    from bot.app import MentorBot
    from bot.config import Config
    from bot.knowledge.library import Library
    from bot.storage import Storage

    storage = Storage(":memory:")
    bot = MentorBot(config=Config(), storage=storage, library=Library(index=shipped_index))
    for name in EXTENSIONS:
        await bot.load_extension(name)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [c for c in bot.tree.walk_commands() if isinstance(c, app_commands.Command)]
    assert len(commands) >= 5
    for command in commands:
        assert f"`/{command.qualified_name}" in readme, command.qualified_name
        assert command.description and all(p.description for p in command.parameters), command.qualified_name
    await bot.close()
    storage.close()


def test_every_extension_is_a_module_with_setup() -> None:
    """Every extension the bot loads exists and exposes setup(bot)."""
    import importlib

    for name in EXTENSIONS:
        module = importlib.import_module(name)
        assert callable(getattr(module, "setup", None)), name
