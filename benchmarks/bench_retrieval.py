"""Retrieval speed and memory: answer latency, index build time and index memory.

Runs the engine on the shipped knowledge base and on synthetic ones of 1,000 and 10,000 entries, and, in the
same run, a baseline: one rapidfuzz `process.extractOne` with `token_set_ratio` over every phrasing (plain
off-the-shelf fuzzy search). Reports medians of repeated runs and ratios to the baseline, since the machines
are noisy.

    python benchmarks/bench_retrieval.py            # full run (about a minute)
    python benchmarks/bench_retrieval.py --quick    # fewer repeats
    python benchmarks/bench_retrieval.py --no-baseline  # skip the baseline's full scans
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.knowledge import KnowledgeBase, SearchIndex, load_knowledge  # noqa: E402
from bot.knowledge.evaluation import read_labelled  # noqa: E402
from bot.knowledge.model import Entry  # noqa: E402

FILLER = (
    "sample loop chord melody vocal drum bass synth preset tempo genre label release gig venue tour contract "
    "manager budget session arrangement demo track album single master stem bus reverb delay compressor "
    "limiter monitor speaker headphone cable preamp interface console tape vinyl stream playlist audience "
    "fan brand video teacher course workshop seminar mentor feedback critique portfolio network contact"
).split()


def synthetic(kb: KnowledgeBase, size: int, seed: int = 7) -> KnowledgeBase:
    """Grow a knowledge base to `size` entries by recombining real phrasings with filler topic words.

    Every synthetic entry mixes words of a real entry with two filler words, so postings lists and the
    vocabulary grow the way a bigger curated base would, not as random noise that never matches.
    """
    rng = random.Random(seed)
    base = list(kb.entries)
    entries: list[Entry] = list(base)
    i = 0
    while len(entries) < size:
        src = base[i % len(base)]
        extra = rng.sample(FILLER, 2)
        suffix = f"{extra[0]} {extra[1]}"
        entries.append(
            replace(
                src,
                id=f"{src.id}-syn{i}",
                title=f"{src.title} ({suffix})",
                phrasings=tuple(f"{p} {rng.choice(extra)}" for p in src.phrasings),
                keywords=(*src.keywords, *extra),
                related=(),
            )
        )
        i += 1
    # type(kb), not KnowledgeBase: ab_latency.py grows bases for two engines' own model classes.
    return type(kb)(article=kb.article, sections=kb.sections, entries=tuple(entries))


def questions() -> list[str]:
    """Member questions to time: the held-out, dev and realistic sets (long, chatty messages included)."""
    out: list[str] = []
    for path in (
        ROOT / "tests" / "data" / "heldout-questions.tsv",
        ROOT / "tests" / "data" / "dev-questions.tsv",
        ROOT / "tests" / "data" / "realistic-tuning-questions.tsv",
        ROOT / "tests" / "data" / "realistic-blind-questions.tsv",  # timing only: nothing is tuned on it
    ):
        if path.is_file():
            out += [item.question for item in read_labelled(path)]
    return out or ["do i need a degree", "internship tips", "how do i mix vocals", "how do i grow tomatoes"]


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def time_queries(fn, qs: list[str], rounds: int) -> list[float]:  # type: ignore[no-untyped-def]
    """Per-query latencies in milliseconds over `rounds` passes (the first pass warms caches, not counted)."""
    for q in qs:
        fn(q)
    samples: list[float] = []
    for _ in range(rounds):
        for q in qs:
            t0 = time.perf_counter()
            fn(q)
            samples.append((time.perf_counter() - t0) * 1000)
    return samples


def build(kb: KnowledgeBase) -> tuple[SearchIndex, float, float]:
    """Build an index; return it, the build time (s) and the traced memory it holds (MiB)."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    t0 = time.perf_counter()
    index = SearchIndex(kb)
    seconds = time.perf_counter() - t0
    held = (tracemalloc.get_traced_memory()[0] - before) / 2**20
    tracemalloc.stop()
    return index, seconds, held


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", action="store_true", help="print machine-readable results")
    parser.add_argument(
        "--no-baseline", action="store_true", help="skip the full-scan baseline (minutes at 10,000 entries)"
    )
    args = parser.parse_args()
    rounds = 3 if args.quick else 10
    qs = questions()
    shipped = load_knowledge()
    results = []
    for label, kb in (
        ("shipped", shipped),
        ("1k", synthetic(shipped, 1_000)),
        ("10k", synthetic(shipped, 10_000)),
    ):
        index, _traced_build_s, mem = build(kb)
        # Build time without tracemalloc overhead, median of 3.
        build_times = []
        for _ in range(3):
            t0 = time.perf_counter()
            SearchIndex(kb)
            build_times.append(time.perf_counter() - t0)

        def cold(q: str, index: SearchIndex = index) -> object:
            index.clear_cache()  # time the full ranking, not the repeated-question cache
            return index.search(q)

        ours = time_queries(cold, qs, rounds if label != "10k" else max(2, rounds // 3))
        warm = time_queries(index.search, qs, 2)
        phrasings = [p for e in kb.entries for p in e.phrasings]
        base = (
            [float("nan")]
            if args.no_baseline
            else time_queries(
                lambda q, ph=phrasings: process.extractOne(
                    q, ph, scorer=fuzz.token_set_ratio, processor=str.lower
                ),
                qs,
                max(1, rounds // 3),
            )
        )
        row = {
            "kb": label,
            "entries": len(kb.entries),
            "phrasings": len(phrasings),
            "queries": len(ours),
            "p50_ms": round(statistics.median(ours), 3),
            "p99_ms": round(percentile(ours, 0.99), 3),
            "cached_p50_ms": round(statistics.median(warm), 4),
            "baseline_p50_ms": round(statistics.median(base), 3),
            "baseline_p99_ms": round(percentile(base, 0.99), 3),
            "p50_ratio_to_baseline": round(statistics.median(ours) / statistics.median(base), 2),
            "build_s": round(statistics.median(build_times), 3),
            "index_mib": round(mem, 1),
        }
        results.append(row)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(
        f"{len(qs)} distinct questions; latency per question in ms, cache cleared before each; "
        "baseline = extractOne(token_set_ratio)"
    )
    header = (
        "| kb | entries | p50 | p99 | repeated question p50 | baseline p50 | baseline p99 | p50 / baseline "
        "| build (s) | index MiB |"
    )
    print(header)
    print("|---" * 10 + "|")
    for r in results:
        print(
            f"| {r['kb']} | {r['entries']} | {r['p50_ms']} | {r['p99_ms']} | {r['cached_p50_ms']} | "
            f"{r['baseline_p50_ms']} | "
            f"{r['baseline_p99_ms']} | {r['p50_ratio_to_baseline']}x | {r['build_s']} | {r['index_mib']} |"
        )


if __name__ == "__main__":
    main()
