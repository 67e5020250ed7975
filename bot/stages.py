"""Career stages from the article and the rules for moving between them (no Discord here)."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """A member's career stage, in the order the article's career path walks them."""

    LEARNING = "learning"
    INTERN = "intern"
    ASSISTANT_PRODUCER = "assistant-producer"
    PRODUCER = "producer"

    @property
    def label(self) -> str:
        """Return the human name shown to members."""
        return _LABELS[self]

    @property
    def rank(self) -> int:
        """Return the stage's position on the ladder, 0 for learning."""
        return list(Stage).index(self)

    def next(self) -> Stage | None:
        """Return the next rung of the ladder, or None at the top."""
        order = list(Stage)
        i = order.index(self)
        return order[i + 1] if i + 1 < len(order) else None


_LABELS = {
    Stage.LEARNING: "Learning",
    Stage.INTERN: "Intern",
    Stage.ASSISTANT_PRODUCER: "Assistant producer",
    Stage.PRODUCER: "Producer",
}

STAGE_VALUES: frozenset[str] = frozenset(s.value for s in Stage)
