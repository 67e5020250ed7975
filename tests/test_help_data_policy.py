"""The data policy (bot/data_policy.py) against the schema it describes and the README that shows it."""

from __future__ import annotations

from pathlib import Path

from bot import data_policy
from bot.config import PrivacySettings
from bot.storage import Storage

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"## {title}")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def schema_tables(tmp_path: Path) -> set[str]:
    storage = Storage(tmp_path / "schema.db")
    try:
        storage.migrate()
        return set(storage.core.db.table_names())
    finally:
        storage.close()


def test_the_policy_names_exactly_the_tables_of_the_migrated_schema(tmp_path: Path) -> None:
    """A new table without a policy row (or a row for a dropped table) fails here."""
    assert data_policy.tables() == schema_tables(tmp_path)


def test_the_readme_shows_exactly_the_policy_table() -> None:
    """README's "What the bot stores" is the policy's markdown_table(), so the two cannot drift."""
    section = readme_section("What the bot stores")
    assert data_policy.markdown_table() in section, (
        "README's table differs from bot/data_policy.py; replace it with:\n" + data_policy.markdown_table()
    )
    for table in data_policy.tables():
        assert f"`{table}`" in section


def test_member_tables_and_the_mydata_exit_agree(tmp_path: Path) -> None:
    """Every table an area exports and deletes for /mydata says so, and only those."""
    storage = Storage(tmp_path / "m.db")
    try:
        member_tables = {t for area in storage.areas for t in area.MEMBER_TABLES}
    finally:
        storage.close()
    said = {p.table for p in data_policy.POLICIES if p.member_deletes.startswith(data_policy.MYDATA_FORGET)}
    assert said == member_tables


def test_retention_is_shown_with_the_running_values_or_the_setting_names() -> None:
    """/about shows this bot's days; the README names the setting and its default."""
    questions = next(p for p in data_policy.POLICIES if p.table == "questions")
    assert data_policy.kept_for(questions) == "`question_log_days` (90 days)"
    assert data_policy.kept_for(questions, PrivacySettings(question_log_days=7)) == "7 days"
    settings = data_policy.POLICIES[0]
    assert "at once after" in data_policy.kept_for(settings, PrivacySettings(removed_server_days=0))


def test_the_removed_server_rule_reaches_every_table_with_a_server_id(tmp_path: Path) -> None:
    """Storage.forget_guild empties every table that has a guild_id column, as the policy promises."""
    storage = Storage(tmp_path / "g.db")
    guild = 4242
    try:
        storage.migrate()
        db = storage.core.db
        with_guild = [t for t in db.table_names() if "guild_id" in db.table(t).columns_dict]
        storage.core.execute("PRAGMA foreign_keys=OFF")  # one made-up row per table, in any order
        for table in with_guild:
            row: dict[str, object] = {}
            for column in db.table(table).columns:
                row[column.name] = (
                    guild if column.name == "guild_id" else (1 if column.type == "INTEGER" else "1")
                )
            db.table(table).insert(row)
        storage.core.execute("PRAGMA foreign_keys=ON")
        storage.forget_guild(guild)
        left = {
            t: db.execute(f"SELECT COUNT(*) FROM {t} WHERE guild_id = ?", [guild]).fetchone()[0]
            for t in with_guild
        }
        assert {t: n for t, n in left.items() if n} == {}
    finally:
        storage.close()
