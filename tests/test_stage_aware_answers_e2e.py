"""Answers use the asker's stage (issue 7) and name every article section they draw on (issue 10)."""

from __future__ import annotations

from tests.conftest import Mentor, custom_ids, embeds_of


async def ask(mentor: Mentor, user_id: int, question: str) -> dict:
    s = mentor.studio
    inter = await mentor.double.slash_command(
        s.guild.id, s.general.id, user_id, "ask", {"question": question}
    )
    return await inter.response


async def test_answer_card_suggests_the_next_read_for_the_askers_stage(mentor: Mentor) -> None:
    """An intern asking about internships is pointed at the entry that matters next at their stage."""
    s, kb = mentor.studio, mentor.bot.library.index.kb
    await (
        await mentor.double.slash_command(
            s.guild.id, s.general.id, s.alice.id, "stage set", {"stage": "intern"}
        )
    ).response
    body = await ask(mentor, s.alice.id, "how do i get an internship")
    embed = embeds_of(body)[0]
    expected = mentor.bot.library.index.next_for_stage("how-to-get-an-internship", "intern")
    assert expected is not None
    fields = {f["name"]: f["value"] for f in embed.get("fields", [])}
    assert fields["Next for your stage"] == expected.title
    ids = custom_ids(body)
    assert ids[0] == f"sm:show:{expected.id}"
    assert len(ids) == len(set(ids))  # the next read is not repeated among the related buttons
    # Another member with no stage gets the plain card; alice's stage is hers in this server only.
    plain = embeds_of(await ask(mentor, s.mo.id, "how do i get an internship"))[0]
    assert "Next for your stage" not in {f["name"] for f in plain.get("fields", [])}
    assert kb.by_id[expected.id]


async def test_answer_card_names_every_source_section(mentor: Mentor) -> None:
    """An answer that draws on several article sections lists them all in its footer, its own first."""
    kb = mentor.bot.library.index.kb
    entry = kb.by_id["degree-needed"]
    assert len(entry.sources) > 1
    body = await ask(mentor, mentor.studio.alice.id, "do i need a degree to be a producer")
    embed = embeds_of(body)[0]
    assert embed["title"] == entry.title
    footer = embed["footer"]["text"]
    titles = [kb.section_title(slug) for slug in entry.sources]
    assert footer.startswith("From the article sections")
    positions = [footer.index(f"“{t}”") for t in titles]
    assert positions == sorted(positions)
