"""A challenge end to end through the loopback Discord, with the bot's clock moved by hand."""

from __future__ import annotations

from datetime import timedelta

from bot.challenges import Status, Step
from tests.challenge_helpers import (
    T0,
    bot_posts,
    button_ids,
    command,
    create,
    fresh,
    recorded,
    runner,
    steps_of,
)
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
    await runner(m).run_due()
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
    entry = await m.double.submit_modal(
        form, f"sm:ch:form:entry:{challenge.id}", {"link": "https://c.example/x"}
    )
    assert "Submitted" in (await entry.response)["data"]["content"]

    m.clock.set(challenge.timeline.deadline - D)
    await runner(m).run_due()
    assert len(m.double.dms_received(bob.id)) == 1
    assert "haven't submitted" in m.double.dms_received(bob.id)[0]["content"]
    assert m.double.dms_received(s.alice.id) == [] and m.double.dms_received(cara.id) == []

    m.clock.set(challenge.timeline.deadline)
    await runner(m).run_due()
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
    await runner(m).run_due()
    assert "closed" in await vote(alice_post, vote_alice, s.owner.id)
    results = bot_posts(m, s.general.id)[-1]
    summary = embeds_of(results)[0]
    assert summary["title"] == "Results: Flip this sample"
    assert "**3** joined · **2** submitted · **4** vote(s)" in summary["description"]
    assert f"🥇 <@{s.alice.id}> with 3 vote(s)" in summary["description"]
    assert fresh(m, challenge).status is Status.CLOSED
    assert await runner(m).run_due() == 0
    assert len(bot_posts(m, s.general.id)) == 2  # the announcement and the results, nothing repeated
    assert steps_of(m, challenge) == set(Step) - {Step.CANCEL}


def message_posts(m: Mentor, channel_id: int) -> list:
    route = "/channels/{channel_id}/messages"
    return [
        r for r in m.double.requests
        if r.method == "POST" and r.route == route and r.path.endswith(f"/channels/{channel_id}/messages")
    ]  # fmt: skip


async def test_the_announcement_pings_the_configured_role_and_nothing_else(mentor: Mentor) -> None:
    """allowed_mentions names the role alone, even when the brief holds @everyone and member mentions."""
    m, s = mentor, mentor.studio
    m.clock.set(T0)
    other = m.double.add_role(s.guild.id, name="Beatmakers")
    brief = f"@everyone and <@{s.alice.id}> and <@&{other.id}>: flip it."
    challenge, _ = await create(m, {"brief": brief}, {"ping": s.mods.id})
    await runner(m).run_due()
    [post] = message_posts(m, s.general.id)
    assert post.json["allowed_mentions"] == {"parse": [], "roles": [s.mods.id]}
    assert post.json["content"] == f"<@&{s.mods.id}> a new challenge is open!"
    later = [r for r in m.double.requests if r.method == "POST" and "allowed_mentions" in (r.json or {})]
    assert all(r.json["allowed_mentions"] == {"parse": []} for r in later if r is not post)
    assert fresh(m, challenge).status is Status.RUNNING


async def test_without_a_role_the_announcement_pings_nobody(mentor: Mentor) -> None:
    """No role configured: no mention in the text and an empty allow-list."""
    m, s = mentor, mentor.studio
    m.clock.set(T0)
    await create(m)
    await runner(m).run_due()
    [post] = message_posts(m, s.general.id)
    assert post.json["allowed_mentions"] == {"parse": []} and not post.json.get("content")


async def test_deadline_edges_for_submissions(mentor: Mentor) -> None:
    """A submission a second before the deadline counts; at it and after it is refused, deadline shown."""
    m, s = mentor, mentor.studio
    m.clock.set(T0)
    challenge, _ = await create(m)
    await runner(m).run_due()
    deadline = challenge.timeline.deadline
    options = {"challenge": challenge.id, "link": "https://x.example/1"}
    m.clock.set(deadline - timedelta(seconds=1))
    _, ok = await command(m, s.alice.id, "challenge submit", options)
    assert ok["data"]["content"].startswith("Submitted")
    for moment in (deadline, deadline + timedelta(seconds=1)):
        m.clock.set(moment)
        _, refused = await command(m, s.mo.id, "challenge submit", options)
        text = refused["data"]["content"]
        assert "closed at the deadline" in text and f"<t:{int(deadline.timestamp())}:F>" in text
        assert refused["data"]["flags"] & EPHEMERAL
    assert m.storage.challenges.counts(s.guild.id, challenge.id) == (1, 1, 0)


async def test_resubmitting_replaces_the_entry(mentor: Mentor) -> None:
    """A second /challenge submit replaces the first; one row stays."""
    m, s = mentor, mentor.studio
    m.clock.set(T0)
    challenge, _ = await create(m)
    await runner(m).run_due()
    await command(
        m, s.alice.id, "challenge submit", {"challenge": challenge.id, "link": "https://a.example/1"}
    )
    _, again = await command(
        m,
        s.alice.id,
        "challenge submit",
        {"challenge": challenge.id, "link": "https://a.example/2", "note": "v2"},
    )
    assert again["data"]["content"].startswith("Replaced your entry")
    entry = m.storage.challenges.submission_of(s.guild.id, challenge.id, s.alice.id)
    assert entry is not None and entry.link == "https://a.example/2" and entry.note == "v2"
    _, bad = await command(
        m, s.alice.id, "challenge submit", {"challenge": challenge.id, "link": "not a link"}
    )
    assert "must start with http" in bad["data"]["content"]
    _, empty = await command(m, s.alice.id, "challenge submit", {"challenge": challenge.id, "note": "hi"})
    assert "a link, a file, or both" in empty["data"]["content"]


async def test_a_file_is_reposted_by_the_bot_and_its_message_link_kept(mentor: Mentor) -> None:
    """Public: the file goes to the challenge thread; the entry stores that message's link, not the CDN URL."""
    m, s = mentor, mentor.studio
    m.clock.set(T0)
    challenge, _ = await create(m)
    await runner(m).run_due()
    thread_id = fresh(m, challenge).thread_id
    assert thread_id is not None
    inter, _ = await command(
        m, s.alice.id, "challenge submit", {"challenge": challenge.id, "file": ("beat.wav", b"RIFF1234")}
    )
    done = await inter.wait_followup()
    assert "Submitted" in done["content"]
    [repost] = bot_posts(m, thread_id)
    assert m.double.attachment_bytes(repost["attachments"][0]) == b"RIFF1234"
    entry = m.storage.challenges.submission_of(s.guild.id, challenge.id, s.alice.id)
    assert entry is not None and entry.file_name == "beat.wav"
    assert entry.file_message == f"https://discord.com/channels/{s.guild.id}/{thread_id}/{repost['id']}"
    assert entry.link is None


async def test_moderators_only_files_go_to_the_review_channel(mentor: Mentor) -> None:
    """Moderators-only: the file is re-posted in the review channel and nothing appears in the thread."""
    m, s = mentor, mentor.studio
    m.clock.set(T0)
    review = m.double.add_channel(s.guild.id, name="review")
    challenge, _ = await create(m, options={"submissions": "moderators only", "review_channel": review.id})
    await runner(m).run_due()
    inter, _ = await command(
        m, s.alice.id, "challenge submit", {"challenge": challenge.id, "file": ("mix.wav", b"RIFF")}
    )
    assert "Only the moderators will see it" in (await inter.wait_followup())["content"]
    assert len(bot_posts(m, review.id)) == 1
    assert bot_posts(m, fresh(m, challenge).thread_id or 0) == []


async def test_closed_dms_are_skipped_once_and_noted(mentor: Mentor) -> None:
    """A member with DMs closed is recorded as skipped (50007) and never tried again."""
    m, s = mentor, mentor.studio
    m.clock.set(T0)
    challenge, _ = await create(m)
    await runner(m).run_due()
    for user in (s.alice.id, s.mo.id):
        await command(m, user, "challenge join", {"challenge": challenge.id})
    m.double.dm_closed(s.alice.id)
    m.clock.set(challenge.timeline.deadline - D)
    await runner(m).run_due()
    states = recorded(m, challenge, Step.REMIND)
    assert states[s.alice.id] == ("failed", "DMs closed") and states[s.mo.id] == ("sent", None)
    assert states[0] == ("skipped", "no channel post: 2 DM(s) planned")
    refused = m.double.invalid_request_count
    m.clock.advance(H)
    await runner(m).run_due()
    assert m.double.invalid_request_count == refused == 1
    assert len(m.double.dms_received(s.mo.id)) == 1
