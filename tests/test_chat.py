"""The channel rules without Discord: mention stripping, what reads as a question, and cooldowns on a fake clock."""

from __future__ import annotations

import pytest

from bot.chat import Cooldown, looks_like_question, strip_mentions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<@123> how do i mix", "how do i mix"),
        ("<@!123> nickname mention", "nickname mention"),
        ("ask <@&456> the mods", "ask the mods"),
        ("see <#789> first", "see first"),
        ("@everyone look", "look"),
        ("@here now", "now"),
        ("mid<@1>dle", "mid dle"),
        ("  spread \n over\tlines  ", "spread over lines"),
        ("<@> <@abc> <:beat:123> stay", "<@> <@abc> <:beat:123> stay"),  # not mentions: kept as typed
        ("", ""),
        ("<@1><@&2><#3>@everyone@here", ""),
    ],
)
def test_strip_mentions(text: str, expected: str) -> None:
    """User, nickname, role and channel mentions and @everyone/@here go; everything else stays, spaces tidied."""
    assert strip_mentions(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a question mark anywhere makes a question, even far past the opening words
        ("mixing?", True),
        ("i have been producing for years and wonder whether labels still care?", True),
        ("So... any tips?", True),
        # an opening question word and at least one more word
        ("how do i get an internship", True),
        ("How come", True),
        ("What's a DAW", True),
        ("tips for mixing vocals", True),
        ("can anyone help", True),
        ("need advice on gear", True),
        # not questions
        ("how", False),  # an opener alone
        ("lol", False),
        ("lol nice", False),
        ("my mixes sound muddy", False),
        ("mixing tips", False),  # the opener must come first
        ("so basically how do i mix", False),
        ("", False),
        ("   ", False),
        ("?", False),  # no words at all
        ("?!?", False),
        # only the opening 40 characters are read for the opener and its second word
        ("how" + " " * 37 + "now", False),
        ("how" + " " * 36 + "now", True),
    ],
)
def test_looks_like_question(text: str, expected: bool) -> None:
    """What a help channel answers without a mention."""
    assert looks_like_question(text) is expected


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self, start: float = 500.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


ALICE, MO = (1, 10), (1, 20)  # (server, member)


def test_cooldown_counts_down_on_the_injected_clock() -> None:
    """A key may act at once, then waits exactly its seconds; other keys are untouched."""
    clock = FakeClock()
    cooldown = Cooldown(clock=clock)
    assert cooldown.remaining(ALICE) == 0
    cooldown.start(ALICE, 30)
    assert cooldown.remaining(ALICE) == 30
    assert cooldown.remaining(MO) == 0
    assert cooldown.remaining((2, 10)) == 0  # the same member in another server
    clock.now += 12.5
    assert cooldown.remaining(ALICE) == 17.5
    clock.now += 17.5
    assert cooldown.remaining(ALICE) == 0
    clock.now += 100
    assert cooldown.remaining(ALICE) == 0  # never negative


def test_cooldown_notices_once_per_window() -> None:
    """The slow-down notice is given once per cooldown window, and again in the next window."""
    clock = FakeClock()
    cooldown = Cooldown(clock=clock)
    cooldown.start(ALICE, 10)
    assert [cooldown.should_notice(ALICE) for _ in range(3)] == [True, False, False]
    assert cooldown.should_notice(MO)
    clock.now += 10
    cooldown.start(ALICE, 10)
    assert cooldown.should_notice(ALICE)


def test_a_zero_cooldown_never_holds_back() -> None:
    """Cooldown 0 (the default) means every question is answered, whatever the clock's starting point."""
    cooldown = Cooldown(clock=FakeClock(start=0.0))
    assert cooldown.remaining(ALICE) == 0
    cooldown.start(ALICE, 0)
    assert cooldown.remaining(ALICE) == 0


def test_cooldown_memory_stays_bounded() -> None:
    """Past max_keys, expired keys (and their notices) are forgotten; running ones keep their state.

    Reads the private maps on purpose: the bound is the behaviour under test, invisible from outside.
    """
    clock = FakeClock()
    cooldown = Cooldown(clock=clock, max_keys=3)
    cooldown.start((1, 1), 5)
    cooldown.should_notice((1, 1))
    cooldown.start((1, 2), 100)
    cooldown.should_notice((1, 2))
    cooldown.start((1, 4), 100)  # running, not told yet
    clock.now += 5  # (1, 1) ends exactly now
    cooldown.start((1, 3), 100)
    assert set(cooldown._until) == {(1, 2), (1, 3), (1, 4)}
    assert cooldown._noticed == {(1, 2)}
    assert cooldown.remaining((1, 2)) == 95 and not cooldown.should_notice((1, 2))
    assert cooldown.should_notice((1, 4))  # still owed its one notice
    cooldown.start((1, 5), 100)  # nothing expired: the map may exceed the bound rather than drop a live key
    assert cooldown.remaining((1, 2)) == 95 and cooldown.remaining((1, 3)) == 100


def test_cooldown_defaults_to_the_monotonic_clock() -> None:
    """Without an injected clock it runs on real monotonic time."""
    cooldown = Cooldown()
    cooldown.start(ALICE, 60)
    assert 59 < cooldown.remaining(ALICE) <= 60
