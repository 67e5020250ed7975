"""Messages of every kind through the loopback Discord: DMs, threads, webhooks, other bots, the bot's own posts.

Each "stays silent" test sends a control message the bot *does* answer after the ones it must ignore, waits
for the control's reply, and only then asserts nothing else was posted (see `conftest.assert_ignored`).
"""

from __future__ import annotations

from typing import Any

from bot.cogs.answers import GREETING
from bot.ui import answers as cards
from bot.ui.answers import DECLINE_TEXT
from tests.conftest import (
    Mentor,
    assert_ignored,
    custom_ids,
    embeds_of,
    posts_to,
    reply_to,
    until,
    weak_question,
)

QUESTION = "how do i get an internship at a studio?"
STATEMENT = "my mixes sound muddy"  # the knowledge base answers it well, but it is not a question


def logged(m: Mentor, guild_id: int, user_id: int) -> list[tuple[str, str, str]]:
    """(question, source, outcome) of every question the member asked in one server (DMs are server 0)."""
    rows = m.storage.questions.export_member(guild_id, user_id)["questions"]
    return [(q["question"], q["source"], q["outcome"]) for q in rows]


def logged_row(m: Mentor, user_id: int) -> tuple[int, str | None, float]:
    """(channel, entry, score) of the member's latest logged question, read from the table itself."""
    m.storage.flush()
    row = m.storage.core.execute(
        "SELECT channel_id, entry_id, score FROM questions WHERE user_id = ? ORDER BY id DESC LIMIT 1",
        [user_id],
    ).fetchone()
    return int(row[0]), row[1], float(row[2])


async def logged_after_reply(
    m: Mentor, guild_id: int, user_id: int, count: int
) -> list[tuple[str, str, str]]:
    """The member's logged questions once ``count`` are in (the bot logs a question after its reply is sent)."""
    await until(lambda: len(logged(m, guild_id, user_id)) >= count)
    return logged(m, guild_id, user_id)


def use_help_channel(m: Mentor) -> None:
    m.storage.settings.update(m.studio.guild.id, help_channel_ids=(m.studio.help.id,))


async def new_thread(m: Mentor, parent_id: int, name: str) -> int:
    """A member starts a thread under ``parent_id``; returns its id once the bot's cache has it."""
    thread = m.double.add_thread(parent_id, name, m.studio.alice.id)
    await until(lambda: m.bot.get_channel(thread.id) is not None)
    return thread.id


# --- direct messages ---------------------------------------------------------------------------------


async def test_a_dm_is_answered_like_a_mention(mentor: Mentor) -> None:
    """In a DM every message is for the bot: statements too, with the answer card, logged as server 0."""
    alice = mentor.studio.alice
    msg = await mentor.double.send_dm(alice.id, STATEMENT)
    reply = await reply_to(mentor.double, msg)
    assert embeds_of(reply.json), reply.json
    assert reply.json["allowed_mentions"]["parse"] == []
    assert await logged_after_reply(mentor, 0, alice.id, 1) == [(STATEMENT, "mention", "answered")]
    assert logged(mentor, mentor.studio.guild.id, alice.id) == []
    best = mentor.bot.library.index.search(STATEMENT)
    assert logged_row(mentor, alice.id) == (int(msg["channel_id"]), best.best.entry.id, best.score)


async def test_an_off_topic_dm_gets_the_decline_not_silence(mentor: Mentor) -> None:
    """A DM the knowledge base cannot answer gets the polite decline (silence is for help channels only)."""
    msg = await mentor.double.send_dm(mentor.studio.alice.id, "how do i bake banana bread")
    reply = await reply_to(mentor.double, msg)
    assert reply.json["content"] == DECLINE_TEXT


async def test_a_weak_dm_gets_did_you_mean(mentor: Mentor) -> None:
    """A DM that is only a guess is offered "Did you mean" buttons, as a mention would be."""
    msg = await mentor.double.send_dm(mentor.studio.alice.id, weak_question(mentor))
    reply = await reply_to(mentor.double, msg)
    assert "Did you mean" in reply.json["content"]
    assert (await logged_after_reply(mentor, 0, mentor.studio.alice.id, 1))[0][1:] == ("mention", "suggested")


# --- threads -----------------------------------------------------------------------------------------


async def test_a_thread_under_a_help_channel_counts_as_the_help_channel(mentor: Mentor) -> None:
    """A question in a thread of a help channel is answered in the thread; chatter there is not."""
    use_help_channel(mentor)
    thread_id = await new_thread(mentor, mentor.studio.help.id, "mix notes")
    alice = mentor.studio.alice.id
    chatter = await mentor.double.send_message(thread_id, alice, STATEMENT)
    question = await mentor.double.send_message(thread_id, alice, QUESTION)
    reply = await assert_ignored(mentor.double, [chatter], question)
    assert reply.params["channel_id"] == str(thread_id) and embeds_of(reply.json)
    assert any(i.startswith("sm:vote:") for i in custom_ids(reply.json))  # the answer card keeps its buttons
    assert await logged_after_reply(mentor, mentor.studio.guild.id, alice, 1) == [
        (QUESTION, "channel", "answered")
    ]
    assert not posts_to(mentor.double, mentor.studio.help.id)  # nothing leaked into the parent
    assert logged_row(mentor, alice)[0] == thread_id  # logged where it was asked


async def test_a_thread_elsewhere_needs_a_mention(mentor: Mentor) -> None:
    """A thread under an ordinary channel is ordinary: a question there is answered only when mentioned."""
    use_help_channel(mentor)
    thread_id = await new_thread(mentor, mentor.studio.general.id, "off topic")
    alice = mentor.studio.alice.id
    unasked = await mentor.double.send_message(thread_id, alice, QUESTION)
    asked = await mentor.double.send_message(thread_id, alice, QUESTION, mention_bot=True)
    reply = await assert_ignored(mentor.double, [unasked], asked)
    assert embeds_of(reply.json)
    assert [
        source for _, source, _ in await logged_after_reply(mentor, mentor.studio.guild.id, alice, 1)
    ] == ["mention"]


# --- webhooks, other bots and the bot itself ---------------------------------------------------------


async def test_webhook_posts_are_never_answered(mentor: Mentor) -> None:
    """Webhooks (release feeds, cross-posts) are not members: never answered, even when they mention the bot."""
    use_help_channel(mentor)
    s, double = mentor.studio, mentor.double
    hooked = [
        await double.send_webhook_message(s.help.id, QUESTION),
        await double.send_webhook_message(s.general.id, f"<@{double.bot_user_id}> {QUESTION}"),
    ]
    control = await double.send_message(s.help.id, s.alice.id, QUESTION)
    await assert_ignored(double, hooked, control)


async def test_other_bots_are_never_answered(mentor: Mentor) -> None:
    """Another bot's questions and mentions get nothing back: two bots must never talk in a loop."""
    use_help_channel(mentor)
    s, double = mentor.studio, mentor.double
    other = double.add_member(s.guild.id, username="beatbot", bot=True)
    from_bot = [
        await double.send_message(s.help.id, other.id, QUESTION),
        await double.send_message(s.general.id, other.id, QUESTION, mention_bot=True),
    ]
    control = await double.send_message(s.help.id, s.alice.id, QUESTION)
    await assert_ignored(double, from_bot, control)
    assert logged(mentor, s.guild.id, other.id) == []


def weak_question_with_an_answerable_offer(m: Mentor) -> str:
    """A guess whose "Did you mean …?" text would itself be answered, if the bot read its own posts."""
    index = m.bot.library.index
    words = sorted({w for e in index.kb.entries for k in e.keywords for w in k.split()})
    for question in (f"{w} blorp flim" for w in words):
        result = index.search(question)
        offer_answered = (
            result.suggestions and index.search(cards.suggestions_text(result.suggestions)).answered
        )
        if offer_answered and not result.answered:
            return question
    raise AssertionError("no guess has an offer the knowledge base would answer")


async def test_the_bots_own_did_you_mean_in_a_help_channel_is_not_answered(mentor: Mentor) -> None:
    """The bot's "Did you mean …?" comes back into the help channel as a message with a question mark
    (and text the knowledge base answers); the bot must not answer itself."""
    use_help_channel(mentor)
    s, double = mentor.studio, mentor.double
    question = weak_question_with_an_answerable_offer(mentor)
    asked = await double.send_message(s.help.id, s.alice.id, question, mention_bot=True)
    offer = await reply_to(double, asked)
    assert "Did you mean" in offer.json["content"]
    echo: dict[str, Any] = double.message(int(offer.response["id"]))
    # The echo was dispatched to the bot before the double answered the reply request, so before this.
    control = await double.send_message(s.help.id, s.mo.id, QUESTION)
    await assert_ignored(double, [echo], control, since=double.requests.index(offer) + 1)


# --- what reads as a question ------------------------------------------------------------------------


async def test_a_statement_in_a_help_channel_is_not_answered(mentor: Mentor) -> None:
    """Only questions are answered in a help channel, even when the knowledge base could match the text."""
    use_help_channel(mentor)
    s, double = mentor.studio, mentor.double
    statements = [
        await double.send_message(s.help.id, s.alice.id, text)
        for text in (STATEMENT, "mixing tips", "internship at a recording studio")
    ]
    control = await double.send_message(s.help.id, s.alice.id, QUESTION)
    await assert_ignored(double, statements, control)
    assert await logged_after_reply(mentor, s.guild.id, s.alice.id, 1) == [(QUESTION, "channel", "answered")]


async def test_a_bare_mention_gets_the_greeting(mentor: Mentor) -> None:
    """Mentioning the bot with nothing else says hello and points at /topics; it logs no question."""
    s = mentor.studio
    msg = await mentor.double.send_message(s.general.id, s.alice.id, "", mention_bot=True)
    reply = await reply_to(mentor.double, msg)
    assert reply.json["content"] == GREETING
    assert logged(mentor, s.guild.id, s.alice.id) == []


async def test_a_mention_inside_a_help_channel_is_a_mention(mentor: Mentor) -> None:
    """Mentioning the bot in a help channel still gets a guess or a decline (not the help channel's silence)."""
    use_help_channel(mentor)
    s = mentor.studio
    msg = await mentor.double.send_message(
        s.help.id, s.alice.id, "how do i bake banana bread?", mention_bot=True
    )
    reply = await reply_to(mentor.double, msg)
    assert reply.json["content"] == DECLINE_TEXT
    assert await logged_after_reply(mentor, s.guild.id, s.alice.id, 1) == [
        ("how do i bake banana bread?", "mention", "declined")
    ]
