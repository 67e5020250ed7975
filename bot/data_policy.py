"""What the bot stores: every table, what it holds, why, how long, and how a member deletes their rows.

This is the single source for `/about` and for the README's "What the bot stores" table (a structural test
checks the README shows exactly `markdown_table()`, and that every table of the migrated schema is named
here), so what members are told cannot drift from what the database holds. Plain data, no Discord.

Retention texts may name the `[privacy]` settings as `{question_log_days}` / `{removed_server_days}`: the
README shows the setting's name and default, `/about` the value this bot actually runs with.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from bot.config import PrivacySettings

NO_MEMBER_DATA = "nothing to delete: no member ids"
MYDATA_FORGET = "`/mydata forget`"
UNTIL_REMOVED = "until changed, or {removed_server_days} after the bot is removed from the server"
MEMBER_KEEPS = "until the member deletes it, or {removed_server_days} after the bot is removed"


@dataclass(frozen=True, slots=True)
class TablePolicy:
    """One table (or one kind of row in it): what it holds, why, how long, and a member's way out."""

    table: str
    what: str
    why: str
    kept: str  # may name a [privacy] setting as {question_log_days} or {removed_server_days}
    member_deletes: str  # how a member deletes their own rows
    label: str = ""  # distinguishes a second row for the same table, e.g. "overheard"

    @property
    def name(self) -> str:
        """The table as the README and /about show it: `table`, or `table` (label)."""
        return f"`{self.table}`" + (f" ({self.label})" if self.label else "")


POLICIES: tuple[TablePolicy, ...] = (
    TablePolicy(
        "guild_settings",
        "a server's help channels, moderator role, answer cooldown, time zone",
        "`/mentor settings`, `/mentor setup`",
        UNTIL_REMOVED,
        NO_MEMBER_DATA,
    ),
    TablePolicy(
        "questions",
        "questions asked with `/ask`, a mention or in a DM: member id, channel id, text, what the bot did",
        "`/kb gaps`, a member's `/mydata`",
        "{question_log_days}",
        MYDATA_FORGET,
    ),
    TablePolicy(
        "questions",
        "a help-channel message the bot did **not** answer: only its folded text (lower-case, no accents), "
        "no member, no channel, no original wording",
        "`/kb gaps`",
        "{question_log_days}",
        "nothing to delete: not linked to anyone",
        label="overheard",
    ),
    TablePolicy(
        "feedback",
        "a member's helpful / not helpful vote on an answer",
        "vote counts, `/kb gaps`",
        "{question_log_days}",
        MYDATA_FORGET,
    ),
    TablePolicy(
        "known_guilds",
        "when the bot joined a server, when it was removed, when it posted its welcome",
        "the removed-server rule; one welcome per server",
        "until the server's data is deleted",
        NO_MEMBER_DATA,
    ),
    TablePolicy(
        "member_stages",
        "a member's career stage in a server, since when, and whether others may see it",
        "`/stage`, stage roles",
        MEMBER_KEEPS,
        MYDATA_FORGET,
    ),
    TablePolicy(
        "stage_history",
        "a member's stage changes, with the note they gave",
        "`/stage history`",
        MEMBER_KEEPS,
        MYDATA_FORGET,
    ),
    TablePolicy(
        "stage_checklist",
        "the stage milestones a member ticked",
        "`/stage next`",
        MEMBER_KEEPS,
        MYDATA_FORGET,
    ),
    TablePolicy(
        "stage_roles",
        "which role a server gives for each stage",
        "`/mentor settings`, `/mentor setup`",
        UNTIL_REMOVED,
        NO_MEMBER_DATA,
    ),
    TablePolicy(
        "learning_channels",
        "a server's prompt channel, weekdays, time and time zone, and the moderator who set it",
        "`/learning channel`, `/mentor setup`",
        UNTIL_REMOVED,
        NO_MEMBER_DATA,
    ),
    TablePolicy(
        "learning_subscriptions",
        "a member's DM prompt schedule: daily or weekly, time, time zone, paused or not",
        "`/learning subscribe`",
        "until the member unsubscribes or deletes it, or {removed_server_days} after the bot is removed",
        MYDATA_FORGET,
    ),
    TablePolicy(
        "learning_prompt_log",
        "which prompts a channel or a member already got",
        "prompts don't repeat until all were used",
        MEMBER_KEEPS,
        MYDATA_FORGET,
    ),
    TablePolicy(
        "learning_completions",
        "the prompts a member marked done",
        "the weekly streak in `/learning status`",
        MEMBER_KEEPS,
        MYDATA_FORGET,
    ),
    TablePolicy(
        "deliveries",
        "every scheduled send (recipient, when, sent / failed / skipped and why): learning prompts, "
        "challenge steps and challenge reminder or cancellation DMs",
        "each send happens once, even after a crash; `studio-mentor learning deliveries`",
        "finished sends {question_log_days}; a member's until they delete them, or {removed_server_days} "
        "after the bot is removed",
        MYDATA_FORGET,
    ),
    TablePolicy(
        "challenges",
        "a server's challenges: brief, times, channels, posts, and the moderator who created it",
        "`/challenge`",
        "until the server's data is deleted ({removed_server_days} after the bot is removed)",
        MYDATA_FORGET + " unlinks the creator",
    ),
    TablePolicy(
        "challenge_participants",
        "who joined which challenge, and when",
        "reminders, the summary",
        MEMBER_KEEPS,
        MYDATA_FORGET,
    ),
    TablePolicy(
        "challenge_submissions",
        "a member's entry: link, note, file name and the link to the bot's re-post of the file",
        "voting, the summary, `/challenge export`",
        MEMBER_KEEPS,
        MYDATA_FORGET,
    ),
    TablePolicy(
        "challenge_votes",
        "which entry a member voted for",
        "one vote per member, the results",
        MEMBER_KEEPS,
        MYDATA_FORGET,
    ),
    TablePolicy(
        "_sqlite_migrations",
        "which schema migrations ran",
        "upgrades",
        "always",
        NO_MEMBER_DATA,
    ),
)

_SETTINGS = tuple(f.name for f in fields(PrivacySettings))


def tables() -> frozenset[str]:
    """Every table the policy describes."""
    return frozenset(p.table for p in POLICIES)


def kept_for(policy: TablePolicy, privacy: PrivacySettings | None = None) -> str:
    """How long rows stay: with `privacy`, in this bot's days; without, the setting and its default."""
    values: dict[str, str] = {}
    defaults = PrivacySettings()
    for name in _SETTINGS:
        days = getattr(privacy if privacy is not None else defaults, name)
        if privacy is not None:
            values[name] = _days(days)
        else:
            values[name] = f"`{name}` ({_days(days)})"
    return policy.kept.format(**values)


def _days(n: int) -> str:
    return "at once" if n == 0 else f"{n} day" + ("" if n == 1 else "s")


def markdown_table() -> str:
    """The README's table: one row per policy, retention named by setting (the README shows exactly this)."""
    lines = ["| table | what | why | kept for | a member deletes theirs |", "|---|---|---|---|---|"]
    for p in POLICIES:
        lines.append(f"| {p.name} | {p.what} | {p.why} | {kept_for(p)} | {p.member_deletes} |")
    return "\n".join(lines)
