"""The dense top-k of hybrid and semantic search: ``Vectors.nearest`` against the
straightforward computation (every float16 row widened to float32, one BLAS product,
``argpartition``), on real e5 vectors, at 100k and 1M rows.

Rows are real multilingual-e5 passage vectors from the embedding cache
(``benchmarks/embed_cache.py``: 37k passages of the evaluation pools), repeated with a little
noise (then normalised) up to the size asked, so that their cosines crowd as real ones do;
queries are the cache's real query vectors. For each query both ways must give the same top
k (ties within 1e-6). Prints CPU p50/p95 per query of each, their ratio (the baseline is
measured in the same run), the memory each holds besides the rows, and the load average.

Run from the repository root (needs the ``semantic`` extra)::

    python -m benchmarks.dense_topk --cache /work/cache/e5 --rows 100000 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import numpy as np

from bnptsearch.vectors import Vectors


def load_cache(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """(passage vectors, query vectors) of an embedding cache, float32."""
    passages, queries = [], []
    for shard in sorted(folder.glob("*.npy")):
        rows = np.load(shard)
        kinds = [json.loads(line)["kind"] for line in shard.with_suffix(".jsonl").read_text(encoding="utf-8").splitlines()]
        mask = np.array([kind == "passage" for kind in kinds[: len(rows)]])
        passages.append(rows[mask])
        queries.append(rows[~mask])
    return np.concatenate(passages), np.concatenate(queries)


def stand_in(passages: np.ndarray, rows: int, seed: int) -> np.ndarray:
    """``rows`` float16 unit rows: the real ones, repeated with noise past their number."""
    rng = np.random.default_rng(seed)
    out = np.empty((rows, passages.shape[1]), dtype=np.float16)
    for start in range(0, rows, len(passages)):
        block = passages[: rows - start].astype(np.float32)
        if start:  # a copy: moved by noise of a tenth of a typical coordinate
            block = block + rng.standard_normal(block.shape, dtype=np.float32) * (0.1 / np.sqrt(block.shape[1]))
        out[start : start + len(block)] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def straightforward(widened: np.ndarray, query: np.ndarray, depth: int) -> tuple[np.ndarray, np.ndarray]:
    cosines = widened @ query
    best = np.argpartition(-cosines, depth - 1)[:depth]
    order = np.lexsort((best, -cosines[best]))
    return best[order], cosines[best[order]]


def _cpu_ms(function, *args) -> tuple[float, object]:
    started = time.process_time()
    result = function(*args)
    return 1000 * (time.process_time() - started), result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, required=True, help="an embedding cache folder (benchmarks/embed_cache.py)")
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000])
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--depth", type=int, default=50, help="k: the fusion depth of hybrid search")
    args = parser.parse_args(argv)
    print(f"load average at start {os.getloadavg()[0]:.2f}")
    passages, queries = load_cache(args.cache)
    queries = queries[: args.queries]
    print(f"{len(passages)} real passage vectors, {len(queries)} real queries; top {args.depth}")
    print("| rows | straightforward CPU p50 / p95 | Vectors.nearest CPU p50 / p95 | ratio (p50) | float32 copy | same top k |")
    print("|---|---|---|---|---|---|")
    for rows in args.rows:
        matrix = stand_in(passages, rows, seed=rows)
        vectors = Vectors("stand-in", matrix.shape[1], [matrix], {}, [], 0)
        everything = np.arange(rows)
        widen_ms, widened = _cpu_ms(np.asarray, matrix, np.float32)
        before, after, same = [], [], 0
        for query in queries:
            spent, (expected, expected_cosines) = _cpu_ms(straightforward, widened, query, args.depth)
            before.append(spent)
            spent, (found, cosines) = _cpu_ms(vectors.nearest, query, everything, args.depth)
            after.append(spent)
            # Ties within float32 rounding may be ordered either way: compare the cosines.
            same += bool(np.allclose(cosines, expected_cosines, rtol=0, atol=1e-6))
        cells = [f"{rows:,}"]
        cells += [f"{statistics.median(spent):.1f} / {np.percentile(spent, 95):.1f} ms" for spent in (before, after)]
        cells += [f"×{statistics.median(after) / statistics.median(before):.2f}"]
        cells += [f"{widened.nbytes / 1e6:.0f} MB (made in {widen_ms:.0f} ms CPU)", f"{same}/{len(queries)}"]
        print("| " + " | ".join(cells) + " |")
        del widened, matrix, vectors
    print(f"load average at end {os.getloadavg()[0]:.2f} (a 2-core machine shared with other work: CPU times are robust)")


if __name__ == "__main__":
    main()
