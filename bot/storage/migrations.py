"""Numbered schema migrations (sqlite-utils Migrations), applied at every start-up.

Never edit a released migration: add a new numbered one. Each runs in its own transaction and is recorded in
`_sqlite_migrations`, so a half-applied upgrade cannot happen and re-running is a no-op.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("studio-mentor")


@migrations()
def m0001_guild_settings(db: Database) -> None:
    """Per-server settings changed with /mentor settings."""
    db.table("guild_settings").create(
        {
            "guild_id": int,
            "help_channel_ids": str,  # JSON list of channel ids; NULL means "use the config default"
            "moderator_role_id": int,
            "cooldown_seconds": int,
            "updated_at": str,
        },
        pk="guild_id",
    )


@migrations()
def m0002_questions(db: Database) -> None:
    """Every question asked, with what the bot did, for /kb gaps."""
    db.table("questions").create(
        {
            "id": int,
            "guild_id": int,
            "channel_id": int,
            "user_id": int,
            "question": str,
            "normalised": str,  # folded text, so "Do I need uni?" and "do i need uni" count together
            "source": str,  # slash | mention | channel
            "outcome": str,  # answered | suggested | declined
            "entry_id": str,
            "score": float,
            "created_at": str,
        },
        pk="id",
    )
    db.table("questions").create_index(["guild_id", "outcome"])


@migrations()
def m0003_feedback(db: Database) -> None:
    """Helpful / not helpful votes, one per member per answer per server."""
    db.table("feedback").create(
        {"guild_id": int, "user_id": int, "entry_id": str, "helpful": int, "created_at": str},
        pk=("guild_id", "user_id", "entry_id"),
    )


@migrations()
def m0004_questions_gaps_index(db: Database) -> None:
    """Cover /kb gaps' GROUP BY so it reads only the index, not every row of the server."""
    db.table("questions").create_index(["guild_id", "outcome", "normalised"])


@migrations()
def m0005a_known_guilds(db: Database) -> None:
    """Servers the bot is in or was removed from, for deleting a removed server's data after a while."""
    db.table("known_guilds").create(
        {"guild_id": int, "joined_at": str, "removed_at": str},  # removed_at NULL: the bot is there
        pk="guild_id",
    )
    db.table("known_guilds").create_index(["removed_at"])


@migrations()
def m0005b_overheard_questions_anonymised(db: Database) -> None:
    """Help-channel messages the bot did not answer were not addressed to it: keep only the folded text."""
    db.execute(
        "UPDATE questions SET user_id = NULL, channel_id = NULL, question = NULL "
        "WHERE source = 'channel' AND outcome != 'answered'"
    )


@migrations()
def m0005c_questions_by_age(db: Database) -> None:
    """Let the daily retention job find old questions and votes without reading every row."""
    db.table("questions").create_index(["created_at"])
    db.table("feedback").create_index(["created_at"])


@migrations()
def m0006_member_stages(db: Database) -> None:
    """Each member's current career stage per server, and whether others may see it (private by default)."""
    db.table("member_stages").create(
        {
            "guild_id": int,
            "user_id": int,
            "stage": str,  # NULL until the member sets one (a visibility choice can come first)
            "since": str,
            "visible": int,
            "updated_at": str,
        },
        pk=("guild_id", "user_id"),
        not_null={"visible"},
        defaults={"visible": 0},
    )
    db.table("member_stages").create_index(["guild_id", "stage"])


@migrations()
def m0007_stage_history(db: Database) -> None:
    """Append-only log of stage changes: from, to, when, and the member's optional note."""
    db.table("stage_history").create(
        {
            "id": int,
            "guild_id": int,
            "user_id": int,
            "from_stage": str,
            "to_stage": str,
            "note": str,
            "changed_at": str,
        },
        pk="id",
    )
    db.table("stage_history").create_index(["guild_id", "user_id", "id"])
    db.table("stage_history").create_index(["guild_id", "changed_at"])


@migrations()
def m0008_stage_checklist(db: Database) -> None:
    """Checklist milestones a member has ticked, per server (ids from knowledge/stages.toml)."""
    db.table("stage_checklist").create(
        {"guild_id": int, "user_id": int, "item_id": str, "stage": str, "done_at": str},
        pk=("guild_id", "user_id", "item_id"),
    )


@migrations()
def m0009_stage_roles(db: Database) -> None:
    """Per-server stage roles chosen by moderators: the role a member at that stage gets."""
    db.table("stage_roles").create(
        {"guild_id": int, "stage": str, "role_id": int, "updated_at": str},
        pk=("guild_id", "stage"),
    )


@migrations()
def m0020_known_guilds_welcomed(db: Database) -> None:
    """When the bot posted its welcome in a server, so a restart or a re-invite never posts it twice."""
    db.execute("ALTER TABLE known_guilds ADD COLUMN welcomed_at TEXT")
