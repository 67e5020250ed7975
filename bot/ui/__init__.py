"""What the bot shows: embeds and components, one module per feature, on top of `limits` and `base`.

This package's __init__ imports nothing, so `bot.app` can use `bot.ui.replies` while `bot.ui.base`
uses `bot.app`.
"""
