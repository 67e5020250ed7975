"""Cold-search latency of whichever engine is importable, for comparing two commits on a noisy machine.

Times SearchIndex.search on the held-out, dev and realistic question sets (773 questions), the result cache
cleared before each question, two passes after a warm-up pass. Run it alternately against two checkouts so
both see the same load:

    python benchmarks/compare_latency.py                                        # this checkout
    (cd OLD && PYTHONPATH=OLD python NEW/benchmarks/compare_latency.py --kb OLD/knowledge --label old)
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from bot.knowledge import SearchIndex, load_knowledge
from bot.knowledge.evaluation import read_labelled

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
SETS = (
    "heldout-questions.tsv",
    "dev-questions.tsv",
    "realistic-tuning-questions.tsv",
    "realistic-blind-questions.tsv",
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kb", type=Path, default=None, help="knowledge folder (default: the bundled one)")
    parser.add_argument("--label", default="this checkout")
    args = parser.parse_args()
    index = SearchIndex(load_knowledge(args.kb))
    questions = [item.question for name in SETS for item in read_labelled(DATA / name)]
    for q in questions:
        index.search(q)
    samples: list[float] = []
    for q in questions * 2:
        index.clear_cache()
        t0 = time.perf_counter()
        index.search(q)
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    p99 = samples[min(len(samples) - 1, int(0.99 * len(samples)))]
    p50 = statistics.median(samples)
    print(f"{args.label}: {len(questions)} questions, p50 {p50:.3f} ms, p99 {p99:.3f} ms")


if __name__ == "__main__":
    main()
