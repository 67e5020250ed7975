"""A challenge end to end through the loopback Discord, with the bot's clock moved by hand."""

from __future__ import annotations

from datetime import timedelta

from bot.challenges import Status, Step
from tests.challenge_helpers import T0, bot_posts, button_ids, command, create, fresh, runner
from tests.conftest import EPHEMERAL, Mentor, embeds_of

H, D = timedelta(hours=1), timedelta(days=1)


async def test_whole_lifecycle_from_create_to_results(mentor: Mentor) -> None:
    """create → announce → join → submit → reminder → close → vote → results, each step once."""
    m, s = mentor, mentor.studio
    m.clock.set(T0)
    bob = m.double.add_member(s.guild.id, username="bob")
    cara = m.double.add_member(s.guild.id, username="cara")
    challenge, _ = await create(
        m,
        {"start": "2030-03-05 18:00", "deadline": "2030-03-08 18:00", "voting_length": "48h"},
        {"ping": s.mods.id, "voting": True},
    )
    assert challenge.status is Status.SCHEDULED and challenge.voting
    assert await runner(m).run_due() == 0 and bot_posts(m, s.general.id) == []

    m.clock.set(challenge.timeline.starts_at)
    assert await runner(m).run_due() == 1
    [announcement] = bot_posts(m, s.general.id)
    assert announcement["content"].startswith(f"<@&{s.mods.id}>")
    assert embeds_of(announcement)[0]["title"] == "Flip this sample"
    join_id, submit_id = f"sm:ch:join:{challenge.id}", f"sm:ch:submit:{challenge.id}"
    assert button_ids(announcement) == [join_id, submit_id]
    challenge = fresh(m, challenge)
    assert challenge.status is Status.RUNNING and challenge.thread_id == int(announcement["id"])

    joined = await m.double.click(announcement, join_id, s.alice.id)
    assert "You're in" in (await joined.response)["data"]["content"]
    for member in (bob, cara):
        await command(m, member.id, "challenge join", {"challenge": challenge.id})
    _, sent = await command(
        m, s.alice.id, "challenge submit", {"challenge": challenge.id, "link": "https://sound.example/a"}
    )
    assert sent["data"]["content"].startswith("Submitted") and sent["data"]["flags"] & EPHEMERAL
    form = await m.double.click(announcement, submit_id, cara.id)
    await form.response
    entry = await m.double.submit_modal(form, f"sm:ch:form:entry:{challenge.id}", {"link": "https://c.example/x"})
    assert "Submitted" in (await entry.response)["data"]["content"]

    m.clock.set(challenge.timeline.deadline - D)
    assert await runner(m).run_due() == 1
    assert len(m.double.dms_received(bob.id)) == 1
    assert "haven't submitted" in m.double.dms_received(bob.id)[0]["content"]
    assert m.double.dms_received(s.alice.id) == [] and m.double.dms_received(cara.id) == []

    m.clock.set(challenge.timeline.deadline)
    assert await runner(m).run_due() == 1
    assert fresh(m, challenge).status is Status.VOTING
    thread_posts = bot_posts(m, challenge.thread_id or 0)
    votes = {p["embeds"][0]["description"].split("\n")[0]: p for p in thread_posts if p.get("embeds")}
    alice_post, cara_post = votes[f"by <@{s.alice.id}>"], votes[f"by <@{cara.id}>"]
    alice_entry = m.storage.challenges.submission_of(s.guild.id, challenge.id, s.alice.id)
    assert alice_entry is not None
    vote_alice = f"sm:ch:vote:{challenge.id}:{alice_entry.id}"
    assert button_ids(alice_post) == [vote_alice]
    [vote_cara] = button_ids(cara_post)

    async def vote(post: dict, custom_id: str, user_id: int) -> str:
        return str((await (await m.double.click(post, custom_id, user_id)).response)["data"]["content"])

    assert "can't vote for your own" in await vote(alice_post, vote_alice, s.alice.id)
    assert "is in" in await vote(alice_post, vote_alice, bob.id)
    assert "is in" in await vote(cara_post, vote_cara, s.mo.id)
    assert "moved" in await vote(alice_post, vote_alice, s.mo.id)
    assert "is in" in await vote(cara_post, vote_cara, s.alice.id)
    assert "is in" in await vote(alice_post, vote_alice, cara.id)
    assert m.storage.challenges.counts(s.guild.id, challenge.id) == (3, 2, 4)

    voting_ends = challenge.timeline.voting_ends
    assert voting_ends is not None
    m.clock.set(voting_ends - timedelta(seconds=1))
    assert await runner(m).run_due() == 0
    m.clock.set(voting_ends)
    assert await runner(m).run_due() == 1
    assert "closed" in await vote(alice_post, vote_alice, s.owner.id)
    results = bot_posts(m, s.general.id)[-1]
    summary = embeds_of(results)[0]
    assert summary["title"] == "Results: Flip this sample"
    assert "**3** joined · **2** submitted · **4** vote(s)" in summary["description"]
    assert f"🥇 <@{s.alice.id}> with 3 vote(s)" in summary["description"]
    assert fresh(m, challenge).status is Status.CLOSED
    assert await runner(m).run_due() == 0
    assert len(bot_posts(m, s.general.id)) == 2  # the announcement and the results, nothing repeated
    assert m.storage.challenges.steps_done(s.guild.id, challenge.id) == set(Step) - {Step.CANCEL}
