"""Studio Mentor: a Discord bot that mentors a community of aspiring music producers."""

__version__ = "0.1.0"
