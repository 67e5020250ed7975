"""Score the retrieval engine on labelled member questions (`studio-mentor kb eval`).

Three figures, as issue 10 defines them:
- hit@1: on-topic questions answered from an accepted section (an answer drawing on several sections counts
  when any of its sources is accepted: the card cites them all);
- reached: on-topic questions answered from an accepted section, or offered one among the "did you mean"s
  (a weak match's guesses, or the close calls an answer card offers beside the answer);
- traps answered: off-topic questions answered with confidence (a "did you mean" is not an answer).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.knowledge.search import SearchIndex

OFF_TOPIC = "none"


@dataclass(frozen=True, slots=True)
class Labelled:
    """One labelled question: the sections a moderator would accept, or none for off-topic."""

    question: str
    accepted: frozenset[str]  # empty: the question must be declined

    @property
    def on_topic(self) -> bool:
        """Return True when some section answers this question."""
        return bool(self.accepted)


def read_labelled(path: Path) -> list[Labelled]:
    """Read a question<TAB>slugs file; '#' lines are comments; 'none' marks off-topic questions."""
    items: list[Labelled] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        question, sep, labels = line.rpartition("\t")
        if not sep or not question.strip():
            raise ValueError(f"line {number}: expected question<TAB>slugs")
        slugs = {s.strip() for s in labels.split(",") if s.strip()}
        items.append(Labelled(question, frozenset() if slugs == {OFF_TOPIC} else frozenset(slugs)))
    return items


@dataclass
class Report:
    """Evaluation figures and the questions the engine got wrong."""

    on_topic: int = 0
    on_topic_hits: int = 0
    off_topic: int = 0
    off_topic_declined: int = 0
    on_topic_reached: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def reach_rate(self) -> float:
        """Return the share of on-topic questions answered right or offered a right "did you mean"."""
        return self.on_topic_reached / self.on_topic if self.on_topic else 0.0

    @property
    def trap_answer_rate(self) -> float:
        """Return the share of off-topic questions answered with confidence."""
        return 1.0 - self.decline_rate if self.off_topic else 0.0

    @property
    def hit_rate(self) -> float:
        """Return the share of on-topic questions answered from an accepted section."""
        return self.on_topic_hits / self.on_topic if self.on_topic else 0.0

    @property
    def decline_rate(self) -> float:
        """Return the share of off-topic questions declined."""
        return self.off_topic_declined / self.off_topic if self.off_topic else 0.0

    @property
    def accuracy(self) -> float:
        """Return the share of all questions handled right."""
        total = self.on_topic + self.off_topic
        return (self.on_topic_hits + self.off_topic_declined) / total if total else 0.0

    def render(self, verbose: bool = True) -> str:
        """Format the report for a terminal: misses first, figures last (so `tail` shows them)."""
        lines = ["Misses:", *self.misses] if verbose and self.misses else []
        lines += [
            f"questions: {self.on_topic + self.off_topic} "
            f"({self.on_topic} on-topic, {self.off_topic} off-topic)",
            f"on-topic hit@1: {self.hit_rate:.1%} ({self.on_topic_hits}/{self.on_topic})",
            f"on-topic answered or offered: {self.reach_rate:.1%} ({self.on_topic_reached}/{self.on_topic})",
            f"off-topic declined: {self.decline_rate:.1%} ({self.off_topic_declined}/{self.off_topic})",
            f"traps answered with confidence: {self.trap_answer_rate:.1%} "
            f"({self.off_topic - self.off_topic_declined}/{self.off_topic})",
            f"overall accuracy: {self.accuracy:.1%}",
        ]
        return "\n".join(lines) + "\n"


def evaluate(index: SearchIndex, items: list[Labelled], stage: str | None = None) -> Report:
    """Run every question through the engine (as a member at `stage`, if given) and count the outcomes."""
    report = Report()
    for item in items:
        result = index.search(item.question, stage=stage)
        got = result.best.entry if result.answered and result.best else None
        if item.on_topic:
            report.on_topic += 1
            if got and not item.accepted.isdisjoint(got.sources):
                report.on_topic_hits += 1
                report.on_topic_reached += 1
                continue
            if any(not item.accepted.isdisjoint(e.sources) for e in result.offers):
                report.on_topic_reached += 1
            what = f"{got.id} ({got.section})" if got else "declined"
            near = f", best {result.best.entry.id} {result.score:.2f}" if result.best and not got else ""
            report.misses.append(
                f"  MISS on-topic  {item.question!r}: got {what} score {result.score:.2f}{near}, "
                f"wanted {','.join(sorted(item.accepted))}"
            )
        else:
            report.off_topic += 1
            if got is None:
                report.off_topic_declined += 1
            else:
                report.misses.append(
                    f"  MISS off-topic {item.question!r}: answered {got.id} ({got.section}) "
                    f"score {result.score:.2f}"
                )
    return report
