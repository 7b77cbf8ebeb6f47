#!/usr/bin/env python
"""Deduplication quality and speed: Ventanilla's matching engine against Splink 5.

Generates a labelled synthetic Mexican population (see ``_dedup_data.py``),
runs ``dedupe_batch`` and a Splink 5 / DuckDB model on the same records in the
same run, and prints pairs found, precision, recall, F1 and seconds for each,
at each method's own decision threshold (ours: ``DEFAULT_THRESHOLD``; Splink:
match probability 0.5) and at the threshold that would have been best in
hindsight.

    .venv/bin/python bench/registry/dedup_quality.py --size 20000 --seed 1
    .venv/bin/python bench/registry/dedup_quality.py --smoke
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(_HERE.parents[1] / "src"))
sys.path.insert(0, str(_HERE))

from _dedup_data import generate  # noqa: E402

from ventanilla.registry.matching import DEFAULT_THRESHOLD, MatchRecord, dedupe_batch  # noqa: E402

Pair = tuple[str, str]
_FLOOR = 0.01  # both methods report pairs down to this score, for the hindsight column
_SPLINK_THRESHOLD = 0.5


def prf(found: set[Pair], truth: set[Pair]) -> tuple[float, float, float]:
    tp = len(found & truth)
    precision = tp / len(found) if found else 1.0
    recall = tp / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def at(scored: dict[Pair, float], threshold: float) -> set[Pair]:
    return {p for p, s in scored.items() if s >= threshold}


def best(scored: dict[Pair, float], truth: set[Pair]) -> tuple[float, float]:
    """(best F1, its threshold) over the scores seen."""
    grid = sorted({round(s, 3) for s in scored.values()} | {_FLOOR})
    top = (0.0, _FLOOR)
    for t in grid:
        f1 = prf(at(scored, t), truth)[2]
        if f1 > top[0]:
            top = (f1, t)
    return top


def run_ours(records: list[MatchRecord], floor: float) -> tuple[dict[Pair, float], float]:
    start = time.perf_counter()
    pairs = dedupe_batch(records, threshold=floor)
    elapsed = time.perf_counter() - start
    return {(min(a, b), max(a, b)): s for a, b, s in pairs}, elapsed


def recall_by_corruption(
    scored: dict[Pair, float], threshold: float, truth: set[Pair], corruptions: dict[str, list[str]]
) -> dict[str, tuple[int, int]]:
    found = at(scored, threshold)
    stats: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    for pair in truth:
        dup = next((x for x in pair if x in corruptions), None)
        if dup is None:
            continue
        for kind in corruptions[dup] or ["none"]:
            stats[kind][1] += 1
            stats[kind][0] += pair in found
    return {k: (v[0], v[1]) for k, v in sorted(stats.items())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--smoke", action="store_true", help="size 2000, quick")
    parser.add_argument("--no-splink", action="store_true")
    parser.add_argument(
        "--splink-threads", type=int, default=None, help="DuckDB threads (default: DuckDB's)"
    )
    parser.add_argument("--by-error", action="store_true", help="recall per kind of error")
    args = parser.parse_args()
    size = 2000 if args.smoke else args.size

    t0 = time.perf_counter()
    data = generate(size, args.seed)
    print(
        f"population: {len(data.records)} records, {len(data.truth)} true duplicate pairs, "
        f"seed {args.seed} (generated in {time.perf_counter() - t0:.1f}s)"
    )

    ours, ours_s = run_ours(data.records, _FLOOR)
    results = [("ventanilla", ours, DEFAULT_THRESHOLD, ours_s)]
    if not args.no_splink:
        from _dedup_splink import run_splink

        splink_pairs, splink_s = run_splink(data.records, args.seed, args.splink_threads, _FLOOR)
        results.append(("splink", splink_pairs, _SPLINK_THRESHOLD, splink_s))

    header = (
        f"{'method':<11} {'thresh':>6} {'pairs':>7} {'precision':>9} {'recall':>7} {'F1':>7}"
        f" {'seconds':>8} | {'best F1':>7} {'at':>6}"
    )
    print(header)
    print("-" * len(header))
    f1s: dict[str, float] = {}
    secs: dict[str, float] = {}
    for name, scored, threshold, seconds in results:
        found = at(scored, threshold)
        p, r, f1 = prf(found, data.truth)
        bf1, bt = best(scored, data.truth)
        f1s[name], secs[name] = f1, seconds
        print(
            f"{name:<11} {threshold:>6.2f} {len(found):>7} {p:>9.4f} {r:>7.4f} {f1:>7.4f}"
            f" {seconds:>8.2f} | {bf1:>7.4f} {bt:>6.3f}"
        )
    if "splink" in f1s:
        f1_ratio = f1s["ventanilla"] / f1s["splink"] if f1s["splink"] else float("inf")
        time_ratio = secs["ventanilla"] / secs["splink"] if secs["splink"] else float("inf")
        print(f"ratio ours/splink: F1 {f1_ratio:.3f}, time {time_ratio:.3f}")
    if args.by_error:
        for name, scored, threshold, _ in results:
            print(f"recall by error kind ({name}):")
            stats = recall_by_corruption(scored, threshold, data.truth, data.corruptions)
            for kind, (hit, total) in stats.items():
                print(f"  {kind:<18} {hit:>6}/{total:<6} {hit / total:.3f}")


if __name__ == "__main__":
    main()
