"""Query latency of hybrid and semantic search against word search, on one index.

Runs the same questions (FacQA dev questions by default) through one open ``Index`` in each
mode, interleaved so that load changes hit every mode alike, and prints p50/p95 per mode and
its ratio to lexical (the baseline, measured in the same run), plus the cost of the steps
hybrid adds: loading the model, embedding a query, reading the vectors and their row map,
and the dense top 50 (every row scored). The index must have vectors (``bnptsearch index --semantic``);
passages not embedded yet are counted and said.

Run from the repository root (needs the ``semantic`` extra)::

    python -m benchmarks.hybrid_latency --index /tmp/scale-10k-index \\
        --queries ../shared/eval/facqa-news/queries-dev.jsonl -n 200
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bnptsearch import E5Embedder, Index, SearchRequest  # noqa: E402
from bnptsearch.vectors import Vectors  # noqa: E402

MODES = ("lexical", "hybrid", "semantic")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--queries", type=Path, default=Path("../shared/eval/facqa-news/queries-dev.jsonl"))
    parser.add_argument("-n", "--count", type=int, default=200, help="questions (a seeded random sample)")
    args = parser.parse_args(argv)
    load_start = os.getloadavg()
    queries = [json.loads(line)["query"] for line in args.queries.read_text(encoding="utf-8").splitlines() if line.strip()]
    queries = random.Random(1).sample(queries, min(args.count, len(queries)))

    started = time.perf_counter()
    embedder = E5Embedder()
    model_load = time.perf_counter() - started
    started = time.perf_counter()
    vectors = Vectors.load(args.index)
    vectors_load = time.perf_counter() - started
    if vectors is None:
        sys.exit(f"no vectors in {args.index}: run `bnptsearch index --semantic --index {args.index}`")
    with Index.open(args.index, embedder=embedder, read_only=True) as index:
        reader = index.searcher().whoosh.reader()
        started = time.perf_counter()
        vectors.rows_for(reader)
        row_map = time.perf_counter() - started
        missing, passages = vectors.coverage(reader)
        embed = []
        dot = []
        every_row = vectors.rows_for(reader)
        every_row = every_row[every_row >= 0]
        for query in queries[:50]:
            started = time.process_time()
            vector = embedder.embed_queries([query])[0]
            embed.append(time.process_time() - started)
            started = time.process_time()
            vectors.nearest(vector, every_row, 50)
            dot.append(time.process_time() - started)
        for mode in MODES:  # warm up: caches, first numpy import
            index.search(SearchRequest(queries[0], mode=mode))
        times: dict[str, list[float]] = {mode: [] for mode in MODES}
        cpu: dict[str, list[float]] = {mode: [] for mode in MODES}
        for query in queries:
            for mode in MODES:
                started, cpu_started = time.perf_counter(), time.process_time()
                index.search(SearchRequest(query, mode=mode, count=False))
                times[mode].append(time.perf_counter() - started)
                cpu[mode].append(time.process_time() - cpu_started)
    load_end = os.getloadavg()

    embedded = passages - missing
    print(f"index {args.index}: {passages:,} passages, {embedded:,} with vectors ({vectors.model}); {len(queries)} queries")
    print(f"load average {load_start[0]:.2f} at start, {load_end[0]:.2f} at end (2-core machine shared with other work)")
    print(f"model load {_ms(model_load)} (once per process); vectors and keys read {_ms(vectors_load)}; row map {_ms(row_map)}")
    print(f"CPU: query embedding p50 {_ms(statistics.median(embed))}; dense top 50 of all, p50 {_ms(statistics.median(dot))}")
    # CPU time (all threads of this process) is what a busy machine inflates least.
    baseline, cpu_baseline = statistics.median(times["lexical"]), statistics.median(cpu["lexical"])
    print("| mode | p50 | p95 | p50 ÷ lexical | CPU p50 | CPU p95 | CPU p50 ÷ lexical |")
    print("|---|---|---|---|---|---|---|")
    for mode in MODES:
        p50, cpu_p50 = statistics.median(times[mode]), statistics.median(cpu[mode])
        print(
            f"| {mode} | {_ms(p50)} | {_ms(_percentile(times[mode], 0.95))} | {p50 / baseline:.2f} "
            f"| {_ms(cpu_p50)} | {_ms(_percentile(cpu[mode], 0.95))} | {cpu_p50 / cpu_baseline:.2f} |"
        )


if __name__ == "__main__":
    main()
