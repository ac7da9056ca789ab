"""``similar`` (more like this) speed: numpy scoring against Whoosh's matchers, in one run.

A like-this query is an article's 25 most distinctive terms, the article itself left out
(``a ANDNOT doc_id:x``). It used to be scored by Whoosh's matchers, one posting at a time;
it now takes the numpy path of plain word queries (``bnptsearch.vectorized``), which leaves
the article's own passages out by zeroing their scores. The baseline is the old path, forced
in the same process with ``RankingParams(vectorized_from=...)`` above the index size, so
both are timed on the same index, cache and load; the rankings are compared too.

Run from the repository root on any built index (seeded choice of articles)::

    python -m benchmarks.similar_speed --index /tmp/scale-20k --articles 40
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from pathlib import Path

from bnptsearch import Index, RankingParams

WHOOSH_ONLY = RankingParams(vectorized_from=2**62)


def timed(index: Index, doc_id: str, ranking: RankingParams, count: bool) -> tuple[float, list[str]]:
    """Milliseconds for ``index.similar(doc_id)`` and the ids it returned."""
    started = time.perf_counter()
    results = index.similar(doc_id, limit=10, ranking=ranking, count=count)
    return (time.perf_counter() - started) * 1000, [hit.doc_id for hit in results.hits]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--articles", type=int, default=40, help="how many articles (seeded random choice)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    with Index.open(args.index, read_only=True) as index:
        articles, passages = index.counts()
        doc_ids = [a.doc_id for a in index.articles()]
        chosen = random.Random(args.seed).sample(doc_ids, min(args.articles, len(doc_ids)))
        index.similar(chosen[0])  # warm: numpy's import, column and length caches
        print(f"{args.index}: {articles} articles, {passages} passages; {len(chosen)} articles' similar, limit 10")
        for count in (False, True):
            times: dict[str, list[float]] = {"whoosh": [], "numpy": []}
            differ = 0
            for doc_id in chosen:
                # Alternated, so drifting load hits both alike.
                old_ms, old_ids = timed(index, doc_id, WHOOSH_ONLY, count)
                new_ms, new_ids = timed(index, doc_id, RankingParams(), count)
                times["whoosh"].append(old_ms)
                times["numpy"].append(new_ms)
                differ += old_ids != new_ids
            old, new = statistics.median(times["whoosh"]), statistics.median(times["numpy"])
            old_p90, new_p90 = (statistics.quantiles(times[path], n=10)[-1] for path in ("whoosh", "numpy"))
            print(
                f"count={count!s:5}  median ms: whoosh {old:7.1f}  numpy {new:7.1f}  ratio {old / new:5.1f}×"
                f"  (p90 {old_p90:.1f} / {new_p90:.1f}); rankings differ for {differ} of {len(chosen)}"
            )
    print(f"load average {load:.2f} at start, {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
