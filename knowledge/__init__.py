"""Studio Mentor's bundled knowledge base (TOML content, not code).

This file only exists so the folder installs as ``bot.bundled_knowledge`` beside the package, which lets
the bot find its knowledge base wherever it is installed. See README.md here for the authoring guide.
"""
