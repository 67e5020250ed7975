"""Typed access to the bot's services from components, and a base class whose failures reach the member."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import discord

from bot.app import MentorBot
from bot.ui.replies import report_failure


def mentor_of(interaction: discord.Interaction) -> MentorBot:
    """Return the MentorBot handling this interaction, typed, so mypy checks every service used."""
    client = interaction.client
    if not isinstance(client, MentorBot):  # only a wrongly wired test could get here
        raise TypeError(f"interaction handled by {type(client).__name__}, not MentorBot")
    return client


ItemT = TypeVar("ItemT", bound=discord.ui.Item[Any])


class MentorItem(discord.ui.DynamicItem[ItemT], Generic[ItemT], template=r"(?!)"):
    """A persistent component whose failures are answered: discord.py only logs a failing callback.

    Subclasses pass their own `template` and implement `run`; `callback` wraps it so the member always
    gets a reply. This base's template matches nothing, and it is never registered.
    """

    async def run(self, interaction: discord.Interaction, bot: MentorBot) -> None:
        """Handle the click or selection."""
        raise NotImplementedError

    async def callback(self, interaction: discord.Interaction) -> None:
        """Run the item, answering the member if it fails."""
        try:
            await self.run(interaction, mentor_of(interaction))
        except Exception as error:
            await report_failure(interaction, error, f"component {self.custom_id}")
