"""Rules for answering in channels: what reads as a question, and per-member cooldowns (no Discord here)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from bot.knowledge.text import words

_MENTION_RE = re.compile(r"<(@[!&]?|#)\d+>|@(everyone|here)")
# Words that open a question even without a question mark ("how do i get an internship").
_QUESTION_OPENERS = frozenset(
    "how what whats why when where which who whom whose is are am do does did can could should would will "
    "shall any anyone anybody tips advice help need recommend".split()
)
MIN_QUESTION_WORDS = 2  # "mixing?" is a question; a lone "lol" is not
QUESTION_PREFIX_CHARS = 40  # enough for the opening words ("so basically, how do i ...")


def strip_mentions(text: str) -> str:
    """Remove user, role, channel and @everyone/@here mentions from a message's text."""
    return " ".join(_MENTION_RE.sub(" ", text).split())


def looks_like_question(text: str) -> bool:
    """Return True when a message in a help channel reads as a question worth answering.

    Runs on every message in a help channel, so it looks only at the opening words, not the whole text.
    """
    tokens = words(text[:QUESTION_PREFIX_CHARS])
    if not tokens:
        return False
    if "?" in text:
        return True
    return tokens[0] in _QUESTION_OPENERS and len(tokens) >= MIN_QUESTION_WORDS


class Cooldown:
    """Per-key cooldown with one gentle notice per window; the clock is injected so tests need no sleeps."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_keys: int = 10_000) -> None:
        self._clock = clock
        self._until: dict[tuple[int, int], float] = {}
        self._noticed: set[tuple[int, int]] = set()
        self._max_keys = max_keys

    def remaining(self, key: tuple[int, int]) -> float:
        """Return the seconds left on key's cooldown, 0 when it may act."""
        return max(0.0, self._until.get(key, 0.0) - self._clock())

    def start(self, key: tuple[int, int], seconds: float) -> None:
        """Start key's cooldown now."""
        if len(self._until) >= self._max_keys:  # forget expired keys so memory stays bounded
            now = self._clock()
            self._until = {k: v for k, v in self._until.items() if v > now}
            self._noticed &= set(self._until)
        self._until[key] = self._clock() + seconds
        self._noticed.discard(key)

    def should_notice(self, key: tuple[int, int]) -> bool:
        """Return True once per cooldown window: the first time a member is told to slow down."""
        if key in self._noticed:
            return False
        self._noticed.add(key)
        return True
