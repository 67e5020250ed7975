"""Moderators running a challenge: extend, end, cancel, the submissions pages, export, the server event, list."""

from __future__ import annotations

import csv
import io
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
from tests.conftest import Mentor, embeds_of

D = timedelta(days=1)


async def test_extend_moves_the_deadline_and_voting_with_it(mentor: Mentor) -> None:
    """A later deadline moves voting by the same amount; an earlier one is refused."""
    m, s = mentor, mentor.studio
    m.clock.set(T0)
    challenge, _ = await create(m, {"deadline": "2030-03-08 12:00", "voting_length": "1d"}, {"voting": True})
    _, body = await command(
        m, s.mo.id, "challenge extend", {"challenge": challenge.id, "deadline": "2030-03-10 12:00"}
    )
    assert "now closes" in body["data"]["content"]
    t = fresh(m, challenge).timeline
    assert t.deadline - challenge.timeline.deadline == 2 * D and t.voting_ends == t.deadline + D
    _, refused = await command(
        m, s.mo.id, "challenge extend", {"challenge": challenge.id, "deadline": "2030-03-09"}
    )
    assert "must be later than the current one" in refused["data"]["content"]


async def test_cancel_tells_participants_and_stops_every_step(mentor: Mentor) -> None:
    """Cancelling posts once in the thread, DMs each participant once, and nothing is announced later."""
    m, s = mentor, mentor.studio
    m.clock.set(T0)
    challenge, _ = await create(m)
    await runner(m).run_due()
    for user in (s.alice.id, s.mo.id):
        await command(m, user, "challenge join", {"challenge": challenge.id})
    inter, _ = await command(m, s.mo.id, "challenge cancel", {"challenge": challenge.id})
    assert "2 participant(s) told" in (await inter.wait_followup())["content"]
    assert fresh(m, challenge).status is Status.CANCELLED
    assert ["was cancelled" in d["content"] for d in m.double.dms_received(s.alice.id)] == [True]
    thread = bot_posts(m, fresh(m, challenge).thread_id or 0)
    assert ["cancelled" in p["content"] for p in thread] == [True]
    [announcement] = bot_posts(m, s.general.id)
    assert embeds_of(announcement)[0]["fields"][0]["value"] == "Cancelled"
    assert all(c.get("disabled") for row in announcement["components"] for c in row["components"])
    m.clock.set(challenge.timeline.deadline + D)
    await runner(m).run_due()
    assert len(bot_posts(m, s.general.id)) == 1 and len(m.double.dms_received(s.alice.id)) == 1
    _, again = await command(m, s.mo.id, "challenge cancel", {"challenge": challenge.id})
    assert "already cancelled" in again["data"]["content"]


async def test_end_closes_now_with_the_summary(mentor: Mentor) -> None:
    """/challenge end during submissions: no vote posts, the summary says it ended early."""
    m, s = mentor, mentor.studio
    m.clock.set(T0)
    challenge, _ = await create(m, options={"voting": True})
    await runner(m).run_due()
    await command(m, s.alice.id, "challenge submit", {"challenge": challenge.id, "link": "https://a.example"})
    inter, _ = await command(m, s.mo.id, "challenge end", {"challenge": challenge.id})
    assert "closed" in (await inter.wait_followup())["content"]
    summary = embeds_of(bot_posts(m, s.general.id)[-1])[0]
    assert "Ended early" in summary["description"] and "**1** submitted" in summary["description"]
    assert [p for p in bot_posts(m, fresh(m, challenge).thread_id or 0) if p.get("components")] == []
    assert Step.RESULTS in steps_of(m, challenge)


async def test_submissions_pages_for_moderators_only(mentor: Mentor) -> None:
    """Twelve entries make three pages; Next moves on; a member clicking a page button is refused."""
    m, s = mentor, mentor.studio
    m.clock.set(T0)
    challenge, _ = await create(m)
    await runner(m).run_due()
    for i in range(12):
        member = m.double.add_member(s.guild.id, username=f"p{i}")
        await command(
            m, member.id, "challenge submit", {"challenge": challenge.id, "link": f"https://p.example/{i}"}
        )
    inter, body = await command(m, s.mo.id, "challenge submissions", {"challenge": challenge.id})
    page = embeds_of(body)[0]
    assert page["description"] == "12 submission(s) · page 1 of 3" and len(page["fields"]) == 5
    message = inter.message
    assert message is not None
    _previous, following = button_ids(message)
    moved = await m.double.click(message, following, s.mo.id)
    assert embeds_of(await moved.response)[0]["description"] == "12 submission(s) · page 2 of 3"
    refused = await m.double.click(
        m.double.message(int(message["id"])), button_ids(m.double.message(int(message["id"])))[1], s.alice.id
    )
    assert "Only moderators" in (await refused.response)["data"]["content"]


async def test_export_is_a_csv_of_participants_submissions_and_votes(mentor: Mentor) -> None:
    """One row per participant with their entry and vote."""
    m, s = mentor, mentor.studio
    m.clock.set(T0)
    challenge, _ = await create(m)
    await runner(m).run_due()
    await command(m, s.mo.id, "challenge join", {"challenge": challenge.id})
    await command(
        m,
        s.alice.id,
        "challenge submit",
        {"challenge": challenge.id, "link": "https://a.example", "note": "hi"},
    )
    _, body = await command(m, s.mo.id, "challenge export", {"challenge": challenge.id})
    [attachment] = body["data"]["attachments"]
    assert attachment["filename"] == f"challenge-{challenge.id}.csv"
    message = m.double.message(int(body["data"].get("id", 0))) if body["data"].get("id") else None
    del message
    upload = next(r for r in reversed(m.double.requests) if r.files)
    rows = list(csv.DictReader(io.StringIO(upload.files[0][2].decode())))
    by_user = {int(r["user_id"]): r for r in rows}
    assert set(by_user) == {s.mo.id, s.alice.id}
    assert by_user[s.alice.id]["link"] == "https://a.example" and by_user[s.alice.id]["note"] == "hi"
    assert by_user[s.mo.id]["submitted_at"] == ""


async def test_a_server_event_spans_the_challenge_and_follows_it(mentor: Mentor) -> None:
    """event:true creates a scheduled event; extend moves its end; cancel cancels it."""
    m, s = mentor, mentor.studio
    m.clock.set(T0)
    m.double.give_bot_role(s.guild.id, permissions=1 << 33)  # Manage Events
    challenge, _ = await create(
        m, {"start": "2030-03-05 18:00", "deadline": "2030-03-08 18:00"}, {"event": True}
    )
    events = "/guilds/{guild_id}/scheduled-events"
    await m.double.wait_for_request(lambda r: r.method == "POST" and r.route == events, since=0)
    [event] = m.double.scheduled_events(s.guild.id)
    assert event["name"] == "Flip this sample" and event["entity_type"] == 3
    assert event["scheduled_end_time"].startswith("2030-03-08T18:00")
    await command(m, s.mo.id, "challenge extend", {"challenge": challenge.id, "deadline": "2030-03-09 18:00"})
    await m.double.wait_for_request(lambda r: r.method == "PATCH" and r.route == events + "/{event_id}")
    [event] = m.double.scheduled_events(s.guild.id)
    assert event["scheduled_end_time"].startswith("2030-03-09T18:00")
    inter, _ = await command(m, s.mo.id, "challenge cancel", {"challenge": challenge.id})
    await inter.wait_followup()
    assert [e["status"] for e in m.double.scheduled_events(s.guild.id)] in ([4], [])


async def test_list_shows_open_challenges_for_your_stage_first(mentor: Mentor) -> None:
    """/challenge list: open and upcoming, Discord timestamps, joined marks, the member's stage first."""
    m, s = mentor, mentor.studio
    m.clock.set(T0)
    first, _ = await create(m, {"title": "Mix it", "deadline": "in 5 days"}, {"stages": "learning"})
    second, _ = await create(m, {"title": "Master it", "start": "2030-03-06 10:00"}, {"stages": "producer"})
    await command(m, s.alice.id, "challenge join", {"challenge": first.id})
    _, body = await command(m, s.alice.id, "challenge list")
    text = embeds_of(body)[0]["description"]
    assert f"**#{first.id} Mix it** ✅ joined" in text and f"**#{second.id} Master it**\n" in text
    assert "<t:" in text and "for Producer" in text
    assert text.index(f"#{second.id} ") < text.index(f"#{first.id} ")  # no stage: soonest deadline first
    m.storage.stages.set_stage(s.guild.id, s.alice.id, "learning")
    _, mine = await command(m, s.alice.id, "challenge list")
    mine_text = embeds_of(mine)[0]["description"]
    assert mine_text.index(f"#{first.id} ") < mine_text.index(f"#{second.id} ")  # her stage's first
    _, left = await command(m, s.alice.id, "challenge leave", {"challenge": first.id})
    assert "You left" in left["data"]["content"]


async def test_joins_submissions_and_votes_are_in_mydata_show_and_forget(mentor: Mentor) -> None:
    """/mydata show counts a member's challenge rows; /mydata forget deletes them (and the votes on them)."""
    m, s = mentor, mentor.studio
    m.clock.set(T0)
    challenge, _ = await create(m, options={"voting": True})
    await runner(m).run_due()
    await command(m, s.alice.id, "challenge submit", {"challenge": challenge.id, "link": "https://a.example"})
    await command(m, s.mo.id, "challenge submit", {"challenge": challenge.id, "link": "https://m.example"})
    m.clock.set(challenge.timeline.deadline)
    await runner(m).run_due()
    mo_entry = m.storage.challenges.submission_of(s.guild.id, challenge.id, s.mo.id)
    assert mo_entry is not None
    m.storage.challenges.vote(s.guild.id, challenge.id, s.alice.id, mo_entry.id)
    _, shown = await command(m, s.alice.id, "mydata show")
    summary = embeds_of(shown)[0]["description"]
    for line in ("**Challenge joins:** 1", "**Challenge submissions:** 1", "**Challenge votes:** 1"):
        assert line in summary, summary
    inter, _ = await command(m, s.alice.id, "mydata forget")
    message = inter.message
    assert message is not None
    confirm = next(c for c in button_ids(message) if c.startswith("sm:mydata:forget"))
    done = await m.double.click(message, confirm, s.alice.id)
    await done.response
    assert m.storage.challenges.submission_of(s.guild.id, challenge.id, s.alice.id) is None
    assert m.storage.challenges.counts(s.guild.id, challenge.id) == (1, 1, 0)


async def test_results_refused_by_a_5xx_are_posted_once_at_the_retry(mentor: Mentor) -> None:
    """The close already marked the challenge closed when its post hit a 503: the retry still posts it."""
    m, s = mentor, mentor.studio
    m.clock.set(T0)
    challenge, _ = await create(m)
    await runner(m).run_due()
    m.clock.set(challenge.timeline.deadline)
    m.double.fail_next("POST", "/channels/{channel_id}/messages", status=503)
    await runner(m).run_due()
    assert fresh(m, challenge).status is Status.CLOSED and len(bot_posts(m, s.general.id)) == 1
    m.clock.advance(timedelta(minutes=1))
    await runner(m).run_due()
    posts = bot_posts(m, s.general.id)
    assert len(posts) == 2 and posts[1]["embeds"][0]["title"].startswith("Results")
    assert recorded(m, challenge, Step.CLOSE)[0][0] == "sent"


async def test_extending_moves_a_reminder_waiting_for_a_retry(mentor: Mentor) -> None:
    """A reminder DM refused by a 503 waits a minute; an extension meanwhile moves it to the new reminder time."""
    m, s = mentor, mentor.studio
    m.clock.set(T0)
    challenge, _ = await create(m, {"deadline": "2030-03-08 12:00"})
    await runner(m).run_due()
    await command(m, s.alice.id, "challenge join", {"challenge": challenge.id})
    remind_at = challenge.timeline.remind_at
    assert remind_at is not None
    m.clock.set(remind_at)
    m.double.fail_next("POST", "/channels/{channel_id}/messages", status=503)
    await runner(m).run_due()
    assert m.double.dms_received(s.alice.id) == []
    await command(m, s.mo.id, "challenge extend", {"challenge": challenge.id, "deadline": "2030-03-10 12:00"})
    m.clock.advance(timedelta(minutes=2))
    await runner(m).run_due()
    assert m.double.dms_received(s.alice.id) == []  # not sent at the old time
    m.clock.set(remind_at + 2 * D)
    await runner(m).run_due()
    assert (
        len(m.double.dms_received(s.alice.id)) == 1
        and "closes" in m.double.dms_received(s.alice.id)[0]["content"]
    )
