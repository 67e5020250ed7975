"""The one error path every command, button, select and modal shares: tell the member, log the cause."""

from __future__ import annotations

import logging

import discord

log = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong on my side. The moderators can find it in the logs."


async def send_ephemeral(interaction: discord.Interaction, message: str) -> None:
    """Send an ephemeral message whether or not the interaction was already answered."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True)
        else:
            await interaction.response.send_message(message, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not tell the member about an error", exc_info=True)


class UserError(Exception):
    """A problem the member can fix (bad input, not allowed): its text is shown to them as it is."""


async def report_failure(interaction: discord.Interaction, error: BaseException, what: str) -> None:
    """Answer a failed interaction: the reason for a UserError, an apology (and a log line) for a bug."""
    if isinstance(error, UserError):
        await send_ephemeral(interaction, str(error))
        return
    log.error("%s failed", what, exc_info=error)
    await send_ephemeral(interaction, SORRY)
