"""/mydata end to end: a member sees everything the bot holds about them in a server, and forgets it all
behind a confirm button that only they can press and that expires."""

from __future__ import annotations

import json
import sqlite3

from tests.conftest import EPHEMERAL, Mentor, custom_ids, embeds_of
from tests.test_stages_e2e import run


async def give_alice_data(m: Mentor, guild_id: int | None = None) -> None:
    """A stage with a note, a ticked milestone, a question asked and a vote on its answer."""
    s = m.studio
    await run(m, s.alice.id, "stage set", {"stage": "exploring"})
    await run(m, s.alice.id, "stage set", {"stage": "learning", "note": "first course"})
    m.storage.stages.toggle_item(s.guild.id, s.alice.id, "finish-a-track", "learning")
    inter, _ = await run(m, s.alice.id, "ask", {"question": "do i need a degree to be a producer"})
    vote = next(c for c in custom_ids(inter.message) if c.startswith("sm:vote:") and c.endswith(":1"))
    await (await m.double.click(inter.message, vote, s.alice.id)).response


def member_rows(path: str, guild_id: int, user_id: int) -> dict[str, int]:
    """Rows per table that carry this member's user id in this server, read through a separate connection."""
    out = {}
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            columns = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
            if {"user_id", "guild_id"} <= columns:
                out[table] = conn.execute(
                    f"SELECT COUNT(*) FROM {table} WHERE guild_id = ? AND user_id = ?", [guild_id, user_id]
                ).fetchone()[0]
    return out


async def test_show_with_no_data_says_so(mentor: Mentor) -> None:
    """A member the bot knows nothing about is told so, privately."""
    _, body = await run(mentor, mentor.studio.alice.id, "mydata show")
    assert body["data"]["flags"] & EPHEMERAL
    assert embeds_of(body)[0]["description"].startswith("Nothing")


async def test_show_lists_everything_and_includes_the_full_export(mentor: Mentor) -> None:
    """The summary counts every kind of data; the full export comes along as JSON (inline when short)."""
    s = mentor.studio
    await give_alice_data(mentor)
    _, body = await run(mentor, s.alice.id, "mydata show")
    assert body["data"]["flags"] & EPHEMERAL
    summary = embeds_of(body)[0]["description"]
    for line in (
        "**Career stage:** Learning (private)",
        "**Stage changes:** 2",
        "**Checklist milestones ticked:** 1",
        "**Questions you asked:** 1",
        "**Helpful / not helpful votes:** 1",
    ):
        assert line in summary
    content = body["data"]["content"]
    assert content.startswith("```json\n")
    document = json.loads(content.removeprefix("```json\n").removesuffix("\n```"))
    assert document["user_id"] == str(s.alice.id)
    assert document["stage_history"][1]["note"] == "first course"
    assert document["questions"][0]["question"] == "do i need a degree to be a producer"


async def test_a_long_export_comes_as_a_json_file(mentor: Mentor) -> None:
    """When the export is long it is attached as a .json file holding every record."""
    s = mentor.studio
    for i in range(30):
        await run(mentor, s.alice.id, "ask", {"question": f"how do i bake banana bread number {i}"})
    inter, body = await run(mentor, s.alice.id, "mydata show")
    assert body["data"]["flags"] & EPHEMERAL and body["data"].get("content") is None
    assert [a["filename"] for a in body["data"]["attachments"]] == ["studio-mentor-my-data.json"]
    stored = inter.message
    assert stored is not None
    document = json.loads(mentor.double.attachment_bytes(stored["attachments"][0]))
    assert len(document["questions"]) == 30


async def test_forget_needs_the_requesters_confirmation_then_leaves_no_row(mentor: Mentor) -> None:
    """Only the requester can confirm; then every member row in this server goes, and the reply says what."""
    s = mentor.studio
    await give_alice_data(mentor)
    await run(mentor, s.mo.id, "stage set", {"stage": "producer"})  # someone else's data stays
    mentor.storage.stages.set_stage(999, s.alice.id, "intern")  # and so does hers in another server
    inter, body = await run(mentor, s.alice.id, "mydata forget")
    assert body["data"]["flags"] & EPHEMERAL and "can't be undone" in body["data"]["content"]
    assert "**Stage changes:** 2" in body["data"]["content"]
    confirm = next(c for c in custom_ids(body) if c.startswith("sm:mydata:forget:"))
    stranger = await mentor.double.click(inter.message, confirm, s.mo.id)
    assert "Only the member who asked" in (await stranger.response)["data"]["content"]
    assert mentor.storage.stages.current(s.guild.id, s.alice.id) == "learning"
    click = await mentor.double.click(inter.message, confirm, s.alice.id)
    done = await click.response
    assert done["type"] == 7 and done["data"]["components"] == []
    text = done["data"]["content"]
    assert text.startswith("Deleted:")
    assert "- Stage changes: 2" in text and "- Questions you asked: 1" in text and "- Career stage: 1" in text
    mentor.storage.flush()
    rows = member_rows(str(mentor.storage.path), s.guild.id, s.alice.id)
    assert {"member_stages", "stage_history", "stage_checklist", "questions", "feedback"} <= set(rows)
    assert all(n == 0 for n in rows.values()), rows
    assert mentor.storage.stages.current(s.guild.id, s.alice.id) is None
    assert mentor.storage.stages.current(s.guild.id, s.mo.id) == "producer"
    assert mentor.storage.stages.current(999, s.alice.id) == "intern"


async def test_an_expired_confirmation_deletes_nothing(mentor: Mentor) -> None:
    """A confirm button pressed after five minutes asks the member to start again."""
    s = mentor.studio
    await give_alice_data(mentor)
    inter, body = await run(mentor, s.alice.id, "mydata forget")
    mentor.clock.advance(301)
    confirm = next(c for c in custom_ids(body) if c.startswith("sm:mydata:forget:"))
    click = await mentor.double.click(inter.message, confirm, s.alice.id)
    assert "expired" in (await click.response)["data"]["content"]
    assert mentor.storage.stages.current(s.guild.id, s.alice.id) == "learning"


async def test_cancel_keeps_the_data(mentor: Mentor) -> None:
    """ "Keep it" closes the confirmation and deletes nothing."""
    s = mentor.studio
    await give_alice_data(mentor)
    inter, _ = await run(mentor, s.alice.id, "mydata forget")
    click = await mentor.double.click(inter.message, f"sm:mydata:cancel:{s.alice.id}", s.alice.id)
    assert (await click.response)["data"]["content"] == "Nothing was deleted."
    assert mentor.storage.stages.current(s.guild.id, s.alice.id) == "learning"
