"""Find the question inside a chatty message: what is asked, as opposed to the backstory around it.

Members rarely ask bare questions: "ok so long story short i quit my job last year ... should i be looking at
studios instead". The words of the backstory still hint at the topic, but the asked clause says what is
wanted, so the engine weighs the backstory less (search.BACKSTORY_WEIGHT) when the asked part says enough.
"""

from __future__ import annotations

import re

from bot.knowledge.text import URL_RE, clean, words

_SENTENCE_RE = re.compile(r"[^.!?;:\n]+[.!?;:\n]*")
_CLAUSE_SPLIT_RE = re.compile(r",|\s[-–—]\s|\(|\)|\bbut\b")
# Words that open a question in chat ("r u", "wat", "hw" arrive here already expanded by text.words).
QUESTION_OPENERS: frozenset[str] = frozenset(
    """
    how what which who whom whose why where when is are am was were do does did should shall can could would
    will have has any anyone anybody
    """.split()
)
# Filler that may come before the opener: "ok so how do i...", "but honestly is it worth it".
_FILLER: frozenset[str] = frozenset(
    "ok okay so and but anyway anyways also well like um uh hey hi yo guys bro lol honestly basically then "
    "just quick real random serious genuine dumb stupid question".split()
)


def _opens_question(text: str) -> bool:
    """Return True when a clause's first real word (after filler) opens a question."""
    for word in words(text):
        if word in QUESTION_OPENERS:
            return True
        if word not in _FILLER:
            return False
    return False


def asked_part(message: str) -> str | None:
    """Return the part of a message that asks something, or None when there is no backstory to set apart.

    A sentence asks when it ends with "?" or opens like a question; inside a longer sentence the question
    starts at the first comma clause that opens like one ("i quit my job, should i...").
    """
    text = URL_RE.sub(" ", clean(message))
    sentences = [m.group(0) for m in _SENTENCE_RE.finditer(text) if m.group(0).strip()]
    asked: list[str] = []
    told = False
    for sentence in sentences:
        clauses = [c for c in _CLAUSE_SPLIT_RE.split(sentence) if c and c.strip()]
        start = next((i for i, c in enumerate(clauses) if _opens_question(c)), None)
        if start is None:
            if "?" in sentence and len(clauses) == 1:
                asked.append(sentence)
            else:
                told = True
            continue
        if start:
            told = True
        asked.append(" ".join(clauses[start:]))
    if not asked or not told:
        return None
    return " ".join(asked)
