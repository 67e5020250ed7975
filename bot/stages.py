"""Career stages from the article, in ladder order (no Discord here)."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """A member's career stage, in the order the article's career path walks them."""

    EXPLORING = "exploring"
    LEARNING = "learning"
    INTERN = "intern"
    ASSISTANT_PRODUCER = "assistant-producer"
    PRODUCER = "producer"


STAGE_VALUES: frozenset[str] = frozenset(s.value for s in Stage)
