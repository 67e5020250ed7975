"""Discord's limits (https://discord.com/developers/docs/resources/message) and the house colour."""

from __future__ import annotations

import discord

EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FIELDS_MAX = 25
EMBED_FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000
BUTTON_LABEL_MAX = 80
SELECT_OPTION_LABEL_MAX = 100
SELECT_OPTION_DESCRIPTION_MAX = 100
SELECT_OPTIONS_MAX = 25
MESSAGE_MAX = 2000
CHOICE_MAX = 100  # autocomplete and choice names and values
AUTOCOMPLETE_MAX = 25
CUSTOM_ID_MAX = 100

BRAND_COLOUR = discord.Colour(0x7C5CFF)


def clip(text: str, limit: int) -> str:
    """Cut text to Discord's limit, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
