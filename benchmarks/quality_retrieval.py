"""Answer quality on every labelled question set, without a stage and as a member at each stage.

Prints issue 10's three figures per set: on-topic hit@1 (answered from an accepted section), on-topic answered
or offered (the right section answered or among the "did you mean"s), and traps answered with confidence.
The same figures as `studio-mentor kb eval FILE`, for all sets and stages in one table.

    python benchmarks/quality_retrieval.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.knowledge import SearchIndex, load_knowledge  # noqa: E402
from bot.knowledge.evaluation import evaluate, read_labelled  # noqa: E402
from bot.stages import Stage  # noqa: E402

SETS = (
    ("realistic blind", "realistic-blind-questions.tsv"),
    ("realistic check", "realistic-check-questions.tsv"),
    ("realistic check 2", "realistic-check-2.tsv"),
    ("realistic check 3", "realistic-check-3.tsv"),
    ("realistic check 4", "realistic-check-4.tsv"),
    ("realistic check 5", "realistic-check-5.tsv"),
    ("blind", "blind-questions.tsv"),
    ("held-out", "heldout-questions.tsv"),
    ("dev", "dev-questions.tsv"),
    ("realistic tuning", "realistic-tuning-questions.tsv"),
    ("realistic tuning 2", "realistic-tuning-2.tsv"),
    ("realistic tuning 3", "realistic-tuning-3.tsv"),
    ("realistic tuning 4", "realistic-tuning-4.tsv"),
    ("realistic tuning 5", "realistic-tuning-5.tsv"),
    ("realistic tuning 6", "realistic-tuning-6.tsv"),
    ("realistic tuning 7", "realistic-tuning-7.tsv"),
    ("realistic tuning 8", "realistic-tuning-8.tsv"),
    ("realistic tuning 9", "realistic-tuning-9.tsv"),
    ("tuning traps", "realistic-traps-tuning.tsv"),
)


def main() -> None:
    index = SearchIndex(load_knowledge())
    print("| set | stage | questions | hit@1 | answered or offered | traps answered |")
    print("|---|---|---|---|---|---|")
    for label, name in SETS:
        items = read_labelled(ROOT / "tests" / "data" / name)
        for stage in (None, *(s.value for s in Stage)):
            r = evaluate(index, items, stage=stage)
            print(
                f"| {label} | {stage or '-'} | {r.on_topic} + {r.off_topic} | {r.hit_rate:.1%} | "
                f"{r.reach_rate:.1%} | {r.trap_answer_rate:.1%} |"
            )


if __name__ == "__main__":
    main()
