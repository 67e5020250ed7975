"""Cold-search latency of two engines in one process, question by question: a fair ratio on a busy machine.

Loads the engine of another checkout (`--base`, e.g. a pristine `git archive main`) and this checkout's,
builds both indexes over the same knowledge folder, then times each question on both, alternating which goes
first, with the result and word caches cleared before every search (as bench_retrieval.py does). Both see
the same load at the same moment, so the ratio holds even when the absolute figures do not.

    git archive main | tar -x -C /tmp/base
    python benchmarks/ab_latency.py --base /tmp/base                      # shipped base, 5 rounds
    python benchmarks/ab_latency.py --base /tmp/base --synthetic 10000 --rounds 2
    python benchmarks/ab_latency.py --base /tmp/base --more-phrasings 0.5   # as if each entry had 50% more
"""

from __future__ import annotations

import argparse
import importlib
import os
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SETS = (
    "heldout-questions.tsv",
    "dev-questions.tsv",
    "realistic-tuning-questions.tsv",
    "realistic-blind-questions.tsv",
)


def load_engine(tree: Path) -> ModuleType:
    """Import bot.knowledge from a checkout, then hide it from sys.modules so another can be imported."""
    sys.path.insert(0, str(tree))
    try:
        knowledge = importlib.import_module("bot.knowledge")
    finally:
        sys.path.remove(str(tree))
        for name in [n for n in sys.modules if n == "bot" or n.startswith("bot.")]:
            del sys.modules[name]
    return knowledge


def more_phrasings(kb: Any, share: float, seed: int = 5) -> Any:
    """Give every entry `share` more phrasings: existing ones with a word dropped and "please" added.

    Content keeps growing by new ways of asking; this prices that growth before it is written.
    """
    rng = random.Random(seed)
    entries = []
    for entry in kb.entries:
        extra = []
        for phrasing in rng.sample(entry.phrasings, k=int(len(entry.phrasings) * share)):
            words = phrasing.split()
            if len(words) > 3:
                del words[rng.randrange(len(words))]
            extra.append(" ".join([*words, "please"]))
        entries.append(replace(entry, phrasings=(*entry.phrasings, *extra)))
    return type(kb)(article=kb.article, sections=kb.sections, entries=tuple(entries))


def percentile(samples: list[float], q: float) -> float:
    """Return the q-quantile (nearest rank below), as bench_retrieval.py reports it."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--base", type=Path, required=True, help="the other checkout (its engine is 'base')")
    parser.add_argument("--kb", type=Path, default=ROOT / "knowledge", help="knowledge folder for both")
    parser.add_argument("--synthetic", type=int, default=0, help="grow the base to this many entries")
    parser.add_argument("--rounds", type=int, default=5, help="passes over the questions")
    parser.add_argument(
        "--more-phrasings",
        type=float,
        default=0.0,
        help="share of phrasings added to every entry (0.5: 50%%)",
    )
    args = parser.parse_args()
    engines = {"base": load_engine(args.base.resolve()), "this": load_engine(ROOT)}
    sys.path.insert(0, str(ROOT))
    from bot.knowledge.evaluation import read_labelled

    sys.path.insert(0, str(HERE))
    from bench_retrieval import synthetic

    questions = [item.question for name in SETS for item in read_labelled(ROOT / "tests" / "data" / name)]
    indexes: dict[str, Any] = {}
    build_s: dict[str, float] = {}
    for name, knowledge in engines.items():
        kb = knowledge.load_knowledge(args.kb)
        if args.synthetic:
            kb = synthetic(kb, args.synthetic)  # duck-typed: both engines' KnowledgeBase take the same fields
        if args.more_phrasings:
            kb = more_phrasings(kb, args.more_phrasings)
        t0 = time.perf_counter()
        indexes[name] = knowledge.SearchIndex(kb)
        build_s[name] = time.perf_counter() - t0
    for index in indexes.values():
        for q in questions:  # warm the typo and stem caches, as a running bot has them
            index.search(q)
    samples: dict[str, list[float]] = {name: [] for name in indexes}
    order = list(indexes)
    for _ in range(args.rounds):
        for q in questions:
            for name in order:
                index = indexes[name]
                index.clear_cache()
                t0 = time.perf_counter()
                index.search(q)
                samples[name].append((time.perf_counter() - t0) * 1000)
            order.reverse()
    load = os.getloadavg()
    size = f"{args.synthetic} synthetic entries" if args.synthetic else "shipped base"
    if args.more_phrasings:
        size += f", {args.more_phrasings:.0%} more phrasings per entry"
    print(f"{len(questions)} questions x {args.rounds} rounds, {size}, load average {load[0]:.2f} (1 min)")
    print("| engine | p50 ms | p99 ms | index build s |")
    print("|---|---|---|---|")
    for name, ms in samples.items():
        print(f"| {name} | {statistics.median(ms):.3f} | {percentile(ms, 0.99):.3f} | {build_s[name]:.2f} |")
    base, this = samples["base"], samples["this"]
    per_question = statistics.median(t / b for t, b in zip(this, base, strict=True))
    # Each question's fastest round is its cost with the least interference: the steadiest figure.
    fastest = {
        name: [min(ms[k :: len(questions)]) for k in range(len(questions))] for name, ms in samples.items()
    }
    print(
        f"this / base: p50 {statistics.median(this) / statistics.median(base):.2f}x, "
        f"p99 {percentile(this, 0.99) / percentile(base, 0.99):.2f}x, "
        f"per-question median of ratios {per_question:.2f}x; each question's fastest round: "
        f"p50 {statistics.median(fastest['this']) / statistics.median(fastest['base']):.2f}x, "
        f"p99 {percentile(fastest['this'], 0.99) / percentile(fastest['base'], 0.99):.2f}x "
        f"({statistics.median(fastest['this']):.3f} / {percentile(fastest['this'], 0.99):.3f} ms against "
        f"{statistics.median(fastest['base']):.3f} / {percentile(fastest['base'], 0.99):.3f} ms)"
    )


if __name__ == "__main__":
    main()
