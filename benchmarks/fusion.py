"""Fusion study: which way of combining bnptsearch's lexical ranking with e5 dense retrieval
ranks best, with its parameter chosen on one half of the dev questions and reported on the other.

For each collection (the retrieval benchmark's pools: collection passages + kumparan padding),
the candidates of a question are bnptsearch's lexical top ``--depth`` (through the API, best
passage per article, with its scores) and the dense top ``--depth`` (cosine of the question's
e5 vector with every passage of the pool, best passage per article). Fusion methods:

- ``minmax``: ``(1−w)·lex + w·cos``, each min-max normalised over the candidates (lexical over
  its own list; a candidate the lexical list lacks gets 0, its minimum);
- ``rrf``: reciprocal rank fusion ``(1−w)/(k+rank_lex) + w/(k+rank_dense)`` (a list that lacks
  the candidate adds nothing); ``w = 0.5`` is plain RRF;

(these two are the product's own :func:`bnptsearch.ranking.fuse`, so the study measures what
``RankingParams(fusion=..., fusion_weight=..., rrf_k=...)`` does)
- ``zscore``: ``(1−w)·z(lex) + w·z(cos)``, standardised over each list (a lexical absentee
  gets its list's minimum).

``w`` is the cosine's share, as ``RankingParams.fusion_weight`` in the product.

The dev questions of each collection are split into two seeded halves; for each method the
parameter with the best mean nDCG@10 over both collections on half A is reported on half B,
and the other way round; "held out" is the mean of the two reported halves (every question
scored by a parameter chosen without it). Vectors come from the embedding cache
(``benchmarks/embed_cache.py``; fill it first). From the repository root::

    nice -n 5 python -m benchmarks.fusion \\
        --tydi ../shared/eval/tydiqa-id --facqa ../shared/eval/facqa-news \\
        --padding ../shared/eval/kumparan-sentences/sentences.jsonl \\
        --lexical-runs /tmp/h16b-lexical --output /tmp/fusion.md
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bnptsearch.ranking import FUSIONS, RankingParams
from bnptsearch.ranking import fuse as product_fuse

from .embed_cache import PASSAGE, QUERY, CachedEmbedder, default_embedder, load_pools, pool_arguments, pool_passages
from .retrieval import (
    TIE_AWARE,
    Collection,
    Ranking,
    Run,
    bnptsearch_searcher,
    build_bnptsearch,
    evaluate,
    log,
    markdown_table,
    read_run,
    run_queries,
    write_run,
)

NDCG = "nDCG@10"
# method -> its grid of (k, weight) points; k is used by rrf only
WEIGHTS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
GRIDS: dict[str, list[tuple[float, float]]] = {
    "minmax": [(0.0, w) for w in WEIGHTS],
    "zscore": [(0.0, w) for w in WEIGHTS],
    "rrf": [(k, w) for k in (5.0, 20.0, 60.0) for w in (0.3, 0.4, 0.5, 0.6, 0.7)],
}


@dataclass(frozen=True)
class Candidates:
    """One question's two ranked lists (doc id, score), best first."""

    lexical: Ranking
    dense: Ranking
    cosine: dict[str, float]  # every candidate's cosine (the dense score of its best passage)


# --------------------------------------------------------------------------- fusion


def _zscore(values: dict[str, float]) -> dict[str, float]:
    if len(values) < 2:
        return dict.fromkeys(values, 0.0)
    mean, spread = statistics.fmean(values.values()), statistics.pstdev(values.values()) or 1.0
    return {key: (value - mean) / spread for key, value in values.items()}


def fuse(method: str, k: float, weight: float, candidates: Candidates) -> Ranking:
    """The fused ranking of one question's candidates, best first: "minmax" and "rrf" by the
    product's own :func:`bnptsearch.ranking.fuse`, "zscore" (not in the product) here.

    >>> c = Candidates([("a", 9.0), ("b", 3.0)], [("b", 0.9), ("c", 0.8)], {"a": 0.7, "b": 0.9, "c": 0.8})
    >>> [doc for doc, _ in fuse("minmax", 0, 0.7, c)]  # a: 0.3·1 + 0.7·0, b: 0.7·1, c: 0.7·0.5
    ['b', 'c', 'a']
    """
    if method in FUSIONS:
        params = RankingParams(fusion=method, fusion_weight=weight, rrf_k=int(k))
        return product_fuse(candidates.lexical, candidates.dense, candidates.cosine, params)
    lexical, cosine = _zscore(dict(candidates.lexical)), _zscore(candidates.cosine)
    floor = min(lexical.values(), default=0.0)
    scores = {doc: (1 - weight) * lexical.get(doc, floor) + weight * cosine[doc] for doc in lexical.keys() | cosine.keys()}
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


# --------------------------------------------------------------------------- runs


def lexical_run(collection: Collection, depth: int, folder: Path | None, workdir: Path) -> Run:
    """bnptsearch's top ``depth`` per question, read from ``folder`` when saved there before."""
    name = f"{collection.name}.pool{len(collection.pool)}.queries{len(collection.queries)}.depth{depth}.run"
    saved = folder / name if folder else None
    if saved and saved.is_file():
        log(f"[{collection.name}] lexical run read from {saved}")
        return read_run(str(saved), collection)
    log(f"[{collection.name}] indexing {len(collection.pool)} passages")
    index = build_bnptsearch(collection.pool, workdir / collection.name)
    run, seconds = run_queries(bnptsearch_searcher(index, limit=depth), collection.queries, collection.name)
    index.close()
    log(f"[{collection.name}] lexical: {len(run)} queries in {seconds:.0f} s")
    if saved:
        write_run(saved, run, collection)
    return run


def dense_candidates(
    collection: Collection, embedder: CachedEmbedder, lexical: Run, depth: int, workdir: Path
) -> dict[str, Candidates]:
    """Each question's lexical list, dense top ``depth`` and every candidate's cosine."""
    passages = pool_passages(collection.pool, workdir / f"{collection.name}-passages")
    doc_ids = np.array([doc for doc, _ in passages])
    matrix = embedder.embed_passages([text for _, text in passages])
    qids = list(collection.queries)
    queries = embedder.embed_queries([collection.queries[qid] for qid in qids])
    # Best passage per article, as the lexical side ranks (per_article=1).
    articles, article_of = np.unique(doc_ids, return_inverse=True)
    position = {doc: i for i, doc in enumerate(articles)}
    found: dict[str, Candidates] = {}
    for qid, vector in zip(qids, queries):
        cosines = matrix @ vector
        best = np.full(len(articles), -np.inf, dtype=np.float32)
        np.maximum.at(best, article_of, cosines)
        top = np.argsort(-best, kind="stable")[:depth]
        dense = [(str(articles[i]), float(best[i])) for i in top]
        cosine = {doc: float(best[position[doc]]) for doc, _ in lexical.get(qid, [])} | dict(dense)
        found[qid] = Candidates(lexical.get(qid, [])[:depth], dense, cosine)
    return found


# --------------------------------------------------------------------------- study


def halves(collection: Collection, seed: int) -> tuple[set[str], set[str]]:
    qids = list(collection.queries)
    random.Random(seed).shuffle(qids)
    return set(qids[: len(qids) // 2]), set(qids[len(qids) // 2 :])


def mean_over(per_query: dict[str, float], qids: set[str]) -> float:
    return statistics.fmean(per_query[qid] for qid in qids)


@dataclass(frozen=True)
class Scored:
    """Per-query nDCG@10 (plain and tie-aware) of one system on one collection."""

    ndcg: dict[str, float]
    tie_aware: dict[str, float]


def score(collection: Collection, run: Run) -> Scored:
    _, per_query = evaluate(collection, run)
    return Scored(per_query[NDCG], per_query[TIE_AWARE])


def study(
    collections: list[Collection], candidates: dict[str, dict[str, Candidates]], lexical: dict[str, Run], seed: int
) -> str:
    splits = {c.name: halves(c, seed) for c in collections}
    by_name = {c.name: c for c in collections}

    def system(make: Callable[[Candidates], Ranking]) -> dict[str, Scored]:
        return {
            name: score(by_name[name], {qid: make(found)[:100] for qid, found in per_q.items()})
            for name, per_q in candidates.items()
        }

    baselines = {
        "bnptsearch lexical alone": {name: score(by_name[name], run) for name, run in lexical.items()},
        "e5 dense alone (whole pool)": system(lambda found: found.dense),
    }
    grid_scores = {
        (method, k, w): system(lambda found, m=method, k=k, w=w: fuse(m, k, w, found))
        for method, grid in GRIDS.items()
        for k, w in grid
    }

    def half_mean(scored: dict[str, Scored], half: int, names: list[str]) -> float:
        return statistics.fmean(mean_over(scored[n].ndcg, splits[n][half]) for n in names)

    names = [c.name for c in collections]
    rows, chosen_lines = [], []
    for label, scored in baselines.items():
        rows.append(_row(label, "—", "—", scored, splits, names))
    for method, grid in GRIDS.items():
        picks = []
        for half in (0, 1):
            k, w = max(grid, key=lambda point: half_mean(grid_scores[(method, *point)], half, names))
            picks.append((k, w))
        label = f"{method} fusion (chosen on the other half)"
        rows.append(_cross_row(label, picks, [grid_scores[(method, *p)] for p in picks], splits, names))
        chosen_lines.append(f"- {method}: chosen on half A → {_point(method, picks[0])}; on half B → {_point(method, picks[1])}")
    header = ["system", "parameter (A→B)", "parameter (B→A)"]
    for n in names:
        header += [f"{n} {NDCG} held out", f"{n} A→B", f"{n} B→A", f"{n} {TIE_AWARE} held out"]
    grid_rows = [
        [method, _point(method, (k, w))]
        + [f"{statistics.fmean(scored[n].ndcg.values()):.4f}" for n in names]
        + [f"{statistics.fmean(statistics.fmean(scored[n].ndcg.values()) for n in names):.4f}"]
        for (method, k, w), scored in grid_scores.items()
    ]
    sizes = ", ".join(
        f"{c.name} {len(c.queries)} questions (halves {len(splits[c.name][0])}/{len(splits[c.name][1])})" for c in collections
    )
    return "\n\n".join(
        [
            f"## Fusion study ({sizes}; halves seeded {seed})",
            markdown_table(header, rows),
            "Chosen parameters (best mean nDCG@10 over both collections on one half):\n" + "\n".join(chosen_lines),
            "### Every grid point on all dev questions (for the shape of the curve, not for choosing)",
            markdown_table(["method", "parameter", *(f"{n} {NDCG}" for n in names), "mean"], grid_rows),
        ]
    )


def _point(method: str, point: tuple[float, float]) -> str:
    k, w = point
    return f"k={k:g}, w={w:g}" if method == "rrf" else f"w={w:g}"


def _row(label: str, a: str, b: str, scored: dict[str, Scored], splits, names: list[str]) -> list[str]:
    cells = [label, a, b]
    for n in names:
        first, second = splits[n]
        cells += [
            f"{statistics.fmean(scored[n].ndcg.values()):.4f}",
            f"{mean_over(scored[n].ndcg, second):.4f}",
            f"{mean_over(scored[n].ndcg, first):.4f}",
            f"{statistics.fmean(scored[n].tie_aware.values()):.4f}",
        ]
    return cells


def _cross_row(label: str, picks, chosen: list[dict[str, Scored]], splits, names: list[str]) -> list[str]:
    """Half B scored with the pick of half A and half A with the pick of half B."""
    method = label.split()[0]
    cells = [label, _point(method, picks[0]), _point(method, picks[1])]
    for n in names:
        first, second = splits[n]
        a_to_b, b_to_a = chosen[0][n], chosen[1][n]
        held = {**{q: a_to_b.ndcg[q] for q in second}, **{q: b_to_a.ndcg[q] for q in first}}
        held_ties = {**{q: a_to_b.tie_aware[q] for q in second}, **{q: b_to_a.tie_aware[q] for q in first}}
        cells += [
            f"{statistics.fmean(held.values()):.4f}",
            f"{mean_over(a_to_b.ndcg, second):.4f}",
            f"{mean_over(b_to_a.ndcg, first):.4f}",
            f"{statistics.fmean(held_ties.values()):.4f}",
        ]
    return cells


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    pool_arguments(parser)
    parser.add_argument("--depth", type=int, default=50, help="candidates taken from each list")
    parser.add_argument("--lexical-runs", type=Path, help="keep bnptsearch's runs here and reuse them")
    parser.add_argument("--embed-missing", action="store_true", help="embed texts missing from the cache (slow)")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    padding, _, collections = load_pools(args)
    candidates, lexical = {}, {}
    with tempfile.TemporaryDirectory(prefix="bnpt-fusion-") as scratch:
        workdir = Path(scratch)
        for collection in collections:
            lexical[collection.name] = lexical_run(collection, args.depth, args.lexical_runs, workdir)
        # Read after the lexical runs: the cache may have been filled meanwhile.
        embedder = CachedEmbedder(default_embedder(), args.cache)
        for collection in collections:
            if not args.embed_missing:
                _require_cached(collection, embedder, workdir)
            candidates[collection.name] = dense_candidates(collection, embedder, lexical[collection.name], args.depth, workdir)
    report = (
        f"# Fusion of bnptsearch lexical and {embedder.name} dense rankings\n\n"
        f"Candidates: lexical top {args.depth} ∪ dense top {args.depth} (whole pool, brute-force dot product). "
        f"Pools: collection passages + {len(padding)} kumparan padding sentences. "
        f"Load average at the end {os.getloadavg()[0]:.1f} (2 cores); {time.perf_counter() - started:.0f} s.\n\n"
        + study(collections, candidates, lexical, args.seed)
        + "\n"
    )
    print(report)
    if args.output:
        args.output.write_text(report, encoding="utf-8")


def _require_cached(collection: Collection, embedder: CachedEmbedder, workdir: Path) -> None:
    texts = [(PASSAGE, text) for _, text in pool_passages(collection.pool, workdir / f"{collection.name}-check")]
    texts += [(QUERY, query) for query in collection.queries.values()]
    missing = sum(not embedder.cached(kind, text) for kind, text in texts)
    if missing:
        raise SystemExit(
            f"{collection.name}: {missing} of {len(texts)} texts are not in the embedding cache {embedder.folder}; "
            "fill it (python -m benchmarks.embed_cache ...) or pass --embed-missing"
        )


if __name__ == "__main__":
    main()
