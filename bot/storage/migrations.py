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
def m0010_learning_channels(db: Database) -> None:
    """Channel prompt schedules: one per server, as wall-clock time + IANA zone (slots computed from them)."""
    db.table("learning_channels").create(
        {
            "guild_id": int,
            "channel_id": int,
            "days": str,  # ISO weekdays, "1,3,5"
            "at": str,  # "HH:MM", local to tz
            "tz": str,  # IANA name
            "paused": int,  # 0 running, 1 paused
            "pause_reason": str,  # why (a moderator, or the bot could no longer post there)
            "set_by": int,  # the moderator who set it (not member data: kept when that member is forgotten)
            "active_since": str,  # set or resumed at: slots due before it are never caught up
            "updated_at": str,
        },
        pk="guild_id",
    )


@migrations()
def m0011_learning_subscriptions(db: Database) -> None:
    """Personal DM prompts: one subscription per member per server (the stage is per server)."""
    db.table("learning_subscriptions").create(
        {
            "guild_id": int,
            "user_id": int,
            "frequency": str,  # daily | weekly
            "days": str,  # ISO weekdays, "1,2,3,4,5,6,7" for daily, one day for weekly
            "at": str,
            "tz": str,
            "paused": int,
            "pause_reason": str,
            "active_since": str,  # subscribed or resumed at: earlier slots are never caught up
            "updated_at": str,
        },
        pk=("guild_id", "user_id"),
    )
    db.table("learning_subscriptions").create_index(["user_id"])


@migrations()
def m0012_deliveries(db: Database) -> None:
    """Every scheduled send, generic (prompts now, challenge steps later): pending -> sent/failed/skipped.

    UNIQUE (schedule, slot, recipient) is what makes a send happen at most once: planning the same slot
    twice (a restart, two wake-ups racing) inserts nothing the second time.
    """
    db.execute(
        """
        CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            schedule TEXT NOT NULL,
            slot TEXT NOT NULL,
            recipient INTEGER NOT NULL,
            guild_id INTEGER,
            user_id INTEGER,
            due_at TEXT NOT NULL,
            not_before TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            reason TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            payload TEXT,
            message_id INTEGER,
            claimed_at TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (schedule, slot, recipient)
        )
        """
    )
    db.execute("CREATE INDEX deliveries_ready ON deliveries (status, not_before)")
    db.execute("CREATE INDEX deliveries_member ON deliveries (guild_id, user_id)")
    db.execute("CREATE INDEX deliveries_updated ON deliveries (updated_at)")


@migrations()
def m0013_learning_prompt_log(db: Database) -> None:
    """Prompts picked per audience (a channel or a member): the rotation repeats none until the pool ends."""
    db.table("learning_prompt_log").create(
        {
            "id": int,
            "audience": str,  # "guild:<id>" for the channel, "guild:<id>:member:<id>" for a member
            "guild_id": int,
            "user_id": int,  # NULL for the channel's audience
            "prompt_id": str,
            "used_at": str,
        },
        pk="id",
    )
    db.table("learning_prompt_log").create_index(["audience", "id"])
    db.table("learning_prompt_log").create_index(["guild_id", "user_id"])


@migrations()
def m0014_learning_completions(db: Database) -> None:
    """ "Done" clicks: one per delivered prompt, for the weekly streak."""
    db.execute(
        """
        CREATE TABLE learning_completions (
            id INTEGER PRIMARY KEY,
            guild_id INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            delivery_id INTEGER NOT NULL,
            prompt_id TEXT,
            completed_at TEXT NOT NULL,
            UNIQUE (delivery_id, user_id)
        )
        """
    )
    db.execute("CREATE INDEX learning_completions_member ON learning_completions (guild_id, user_id)")


@migrations()
def m0015_challenges(db: Database) -> None:
    """Learning challenges run by moderators: one row each, with the times of its steps and its posts."""
    db.table("challenges").create(
        {
            "id": int,
            "guild_id": int,
            "channel_id": int,
            "role_id": int,  # pinged by the announcement; NULL: no ping
            "review_channel_id": int,  # where moderators-only files are re-posted
            "stages": str,  # JSON list of stage values; [] means every stage
            "visibility": str,  # public | moderators
            "voting": int,
            "title": str,
            "brief": str,
            "starts_at": str,
            "deadline": str,
            "voting_ends": str,
            "remind_before": int,  # seconds before the deadline; NULL: no reminder
            "status": str,  # scheduled | running | voting | closed | cancelled
            "with_event": int,  # keep a Discord scheduled event in step
            "event_id": int,
            "message_id": int,  # the announcement
            "thread_id": int,
            "created_by": int,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
    )
    db.table("challenges").create_index(["guild_id", "status"])
    db.table("challenges").create_index(["status"])  # the runner's scan of open challenges


@migrations()
def m0016_challenge_entries(db: Database) -> None:
    """Who joined which challenge, and their one submission each (the database refuses a second)."""
    db.execute(
        "CREATE TABLE challenge_participants ("
        " challenge_id INTEGER NOT NULL REFERENCES challenges(id) ON DELETE CASCADE,"
        " guild_id INTEGER NOT NULL, user_id INTEGER NOT NULL, joined_at TEXT NOT NULL,"
        " PRIMARY KEY (challenge_id, user_id))"
    )
    db.execute("CREATE INDEX idx_challenge_participants_member ON challenge_participants (guild_id, user_id)")
    db.execute(
        "CREATE TABLE challenge_submissions ("
        " id INTEGER PRIMARY KEY,"
        " challenge_id INTEGER NOT NULL REFERENCES challenges(id) ON DELETE CASCADE,"
        " guild_id INTEGER NOT NULL, user_id INTEGER NOT NULL,"
        " link TEXT, note TEXT, file_name TEXT,"
        " file_message TEXT,"  # jump link of the bot's re-post: never Discord's expiring attachment URL
        " vote_message_id INTEGER,"
        " submitted_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
        " UNIQUE (challenge_id, user_id))"
    )
    db.execute("CREATE INDEX idx_challenge_submissions_member ON challenge_submissions (guild_id, user_id)")


@migrations()
def m0017_challenge_votes(db: Database) -> None:
    """One vote per member per challenge (changeable): the primary key is (challenge, voter)."""
    db.execute(
        "CREATE TABLE challenge_votes ("
        " challenge_id INTEGER NOT NULL REFERENCES challenges(id) ON DELETE CASCADE,"
        " guild_id INTEGER NOT NULL, user_id INTEGER NOT NULL,"
        " submission_id INTEGER NOT NULL REFERENCES challenge_submissions(id) ON DELETE CASCADE,"
        " voted_at TEXT NOT NULL,"
        " PRIMARY KEY (challenge_id, user_id))"
    )
    db.execute("CREATE INDEX idx_challenge_votes_submission ON challenge_votes (submission_id)")
    db.execute("CREATE INDEX idx_challenge_votes_member ON challenge_votes (guild_id, user_id)")


@migrations()
def m0018_challenge_steps(db: Database) -> None:
    """Each lifecycle step and each reminder DM as a row: pending → sent / failed / skipped, never twice."""
    db.execute(
        "CREATE TABLE challenge_steps ("
        " challenge_id INTEGER NOT NULL REFERENCES challenges(id) ON DELETE CASCADE,"
        " guild_id INTEGER NOT NULL,"
        " step TEXT NOT NULL,"
        " user_id INTEGER NOT NULL DEFAULT 0,"  # the DM's recipient; 0 for a post to the server
        " state TEXT NOT NULL,"
        " message_id INTEGER, note TEXT, updated_at TEXT NOT NULL,"
        " PRIMARY KEY (challenge_id, step, user_id))"
    )


@migrations()
def m0019_guild_timezone(db: Database) -> None:
    """The server's IANA time zone, in which moderators type challenge times (NULL: UTC)."""
    db.execute("ALTER TABLE guild_settings ADD COLUMN timezone TEXT")


@migrations()
def m0020_known_guilds_welcomed(db: Database) -> None:
    """When the bot posted its welcome in a server, so a restart or a re-invite never posts it twice."""
    db.execute("ALTER TABLE known_guilds ADD COLUMN welcomed_at TEXT")


@migrations()
def m0021_drop_challenge_steps(db: Database) -> None:
    """Challenge steps and reminder DMs are deliveries now (one log, one scheduler): their own table goes."""
    db.execute("DROP TABLE IF EXISTS challenge_steps")
