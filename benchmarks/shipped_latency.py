"""Cold-search latency of one checkout's engine over its own knowledge base: p50 and p99, nothing else.

bench_retrieval.py also builds 1,000- and 10,000-entry bases (five minutes); this times only the shipped one,
so two checkouts — engine and knowledge together, as each shipped — can be run in turns within a minute, and
the machine's drift shows in both. Each question is timed with the result and word caches cleared first, over
the same 773 questions as bench_retrieval.py (questions and timing are this checkout's, so both sides match).

    git archive f6aeb71 | tar -x -C /tmp/base
    for i in 1 2 3; do
        python benchmarks/shipped_latency.py /tmp/base; python benchmarks/shipped_latency.py .
    done
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("checkout", type=Path, help="whose engine and knowledge folder are timed")
    parser.add_argument("--rounds", type=int, default=10, help="passes over the questions")
    args = parser.parse_args()
    root = args.checkout.resolve()
    sys.path.insert(0, str(root))
    # Its engine first: bench_retrieval puts this checkout on the path, but finds `bot` already imported.
    import bot.knowledge
    from bot.knowledge import SearchIndex, load_knowledge

    sys.path.insert(1, str(HERE))
    import bench_retrieval as bench  # this checkout's questions and timing loop

    assert Path(bot.knowledge.__file__).is_relative_to(root), "the checkout's own engine is timed"
    index = SearchIndex(load_knowledge(root / "knowledge"))

    def cold(question: str) -> object:
        index.clear_cache()
        return index.search(question)

    samples = bench.time_queries(cold, bench.questions(), args.rounds)
    p50, p99 = bench.percentile(samples, 0.5), bench.percentile(samples, 0.99)
    print(f"{root}: p50 {p50:.3f} ms, p99 {p99:.3f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
