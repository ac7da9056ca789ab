"""Retrieval quality of bnptsearch against plain Whoosh baselines, on Indonesian QA collections.

Each collection's passages are padded with ~33k non-relevant news sentences (kumparan) and
indexed by every system; the dev queries are run against that one pool and scored with
``ir-measures`` (nDCG@10, MRR@10 = RR@10, Recall@100) and a tie-aware nDCG@10. The evaluation data is third-party:
it is read by path and never copied into this repository (see /work/shared/eval/README.md).

Run from the repository root (``pip install -e '.[bench]'`` or ``pip install 'ir-measures>=0.3.7,<0.5'``)::

    python -m benchmarks.retrieval \\
        --tydi ../shared/eval/tydiqa-id --facqa ../shared/eval/facqa-news \\
        --padding ../shared/eval/kumparan-sentences/sentences.jsonl \\
        --failures 20 --output /tmp/retrieval.md

Quick run: add ``--limit-queries 300``; ``--via-cli`` also runs ``bnptsearch batch`` and adds
its row (it must rank exactly like the API). Tune the ranking parameters
(``bnptsearch.ranking.RankingParams``, passed to each search) on one built index per
collection (no rebuild: scoring is applied at search time)::

    python -m benchmarks.retrieval --tydi ../shared/eval/tydiqa-id --facqa ../shared/eval/facqa-news \\
        --padding ../shared/eval/kumparan-sentences/sentences.jsonl --sweep --sweep-queries 300
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import ir_measures
import numpy as np
import Stemmer
from ir_measures import RR, R, nDCG
from whoosh import index as whoosh_index
from whoosh.analysis import (
    LowercaseFilter,
    RegexTokenizer,
    StandardAnalyzer,
    StemFilter,
    StopFilter,
)
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import OrGroup, QueryParser, WildcardPlugin

import bnptsearch
from bnptsearch.analysis import analyze, stopwords
from bnptsearch.errors import QueryError
from bnptsearch.ranking import DEFAULT_RANKING, RankingParams

from .embed_cache import DEFAULT_CACHE

LIMIT = 100
MEASURES = (nDCG @ 10, RR @ 10, R @ 100)
SYSTEMS = ("bnptsearch", "whoosh-snowball", "whoosh-standard")
# With --semantic, bnptsearch's index is also searched in these modes (SearchRequest.mode);
# "semantic" is dense retrieval alone: the cosine of query and passage vectors, whole pool.
SEMANTIC_MODES = ("hybrid", "semantic")
SEMANTIC_SYSTEMS = tuple(f"bnptsearch {mode}" for mode in SEMANTIC_MODES)
# Fields of bnptsearch.ranking.RankingParams, the axes of --sweep.
SWEEP_PARAMETERS = (
    "bm25_b",
    "bm25_k1",
    "title_boost",
    "exact_boost",
    "idf_power",
    "proximity_weight",
    "proximity_window",
)
REFERENCE = """\
Reference, from the issue (measured elsewhere on the held-out halves; context only):
Lucene Indonesian BM25 (Pyserini) nDCG@10 ≈ 0.78 TyDi, ≈ 0.80 FacQA;
plain Whoosh+Snowball ≈ 0.53 / 0.72; tantivy without stemming ≈ 0.66 / 0.76."""

Ranking = list[tuple[str, float]]  # (doc id, score), best first
Run = dict[str, Ranking]  # qid -> ranking
# nDCG@10 averaged over every order of each group of tied scores (McSherry & Najork, ECIR
# 2008). A system breaks ties by something outside its ranking model (bnptsearch by indexing
# order, Anserini by doc id string), and these pools hold many tied near-duplicates: FacQA
# repeats passages that differ only in spacing ("1,05" / "1, 05"), kumparan repeats sentences.
# Anserini's id order hands every tie between a "facqa-p…" and a "kumparan-s…" passage to
# the collection's passage, which the plain nDCG@10 counts as ranking skill.
TIE_AWARE = "nDCG@10 tie-aware"


@dataclass(frozen=True)
class Collection:
    """Queries with their judgments, and the pool they are searched in."""

    name: str
    pool: dict[str, str]  # pid -> text: the collection's passages plus the padding
    queries: dict[str, str]  # qid -> query
    qrels: list[ir_measures.Qrel]


@dataclass(frozen=True)
class Measured:
    """One system on one collection: mean scores over all judged queries, and timings."""

    collection: str
    system: str
    scores: dict[str, float]  # str(measure) -> mean
    per_query: dict[str, dict[str, float]]  # str(measure) -> qid -> value
    run: Run
    queries: int
    build_seconds: float | None
    query_seconds: float


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- data


def read_jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as file:
        for line in file:
            if line.strip():
                yield json.loads(line)


def subset(qids: list[str], size: int | None, seed: int) -> list[str]:
    """``size`` qids drawn at random (seeded), in their original order; all when ``size`` is None."""
    if size is None or size >= len(qids):
        return qids
    chosen = set(random.Random(seed).sample(qids, size))
    return [qid for qid in qids if qid in chosen]


def load_padding(path: Path, size: int | None = None, seed: int = 13) -> dict[str, str]:
    """The padding passages (``{"id", "text"}`` lines), or a seeded random ``size`` of them
    (``--padding-size``: a smaller pool where embedding all of it costs too much)."""
    padding = {record["id"]: record["text"] for record in read_jsonl(path)}
    return {pid: padding[pid] for pid in subset(list(padding), size, seed)}


def load_collection(name: str, folder: Path, padding: dict[str, str], size: int | None, seed: int) -> Collection:
    passages = {record["pid"]: record["text"] for record in read_jsonl(folder / "passages.jsonl")}
    clashes = passages.keys() & padding.keys()
    if clashes:
        raise SystemExit(f"{name}: padding ids clash with passage ids, e.g. {min(clashes)!r}")
    queries = {record["qid"]: record["query"] for record in read_jsonl(folder / "queries-dev.jsonl")}
    qids = subset(list(queries), size, seed)
    wanted = set(qids)
    qrels = [qrel for qrel in ir_measures.read_trec_qrels(str(folder / "qrels-dev.tsv")) if qrel.query_id in wanted]
    judged = {qrel.query_id for qrel in qrels}
    # Shuffled (seeded): systems break score ties by indexing order, and with the
    # collection's passages first every tie would go to them (on FacQA, whose padding holds
    # many near-duplicate sentences, breaking ties the other way cost 0.007 nDCG@10).
    pool = list({**passages, **padding}.items())
    random.Random(seed).shuffle(pool)
    return Collection(
        name=name,
        pool=dict(pool),
        queries={qid: queries[qid] for qid in qids if qid in judged},
        qrels=qrels,
    )


# --------------------------------------------------------------------------- systems

Searcher = Callable[[str], Ranking]


def write_pool_corpus(pool: dict[str, str], workdir: Path) -> Path:
    """The pool as a JSONL corpus file ``workdir/corpus/pool.jsonl``, one untitled article per passage."""
    corpus = workdir / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    with (corpus / "pool.jsonl").open("w", encoding="utf-8") as file:
        for pid, text in pool.items():
            file.write(json.dumps({"id": pid, "title": "", "text": text}, ensure_ascii=False) + "\n")
    return corpus / "pool.jsonl"


def build_bnptsearch(pool: dict[str, str], workdir: Path, embed_cache: Path | None = None) -> bnptsearch.Index:
    """The product path: a JSONL corpus folder, then ``bnptsearch.Index.build``; with
    ``embed_cache``, with passage vectors (``semantic=True``) from the e5 model behind the
    benchmarks' embedding cache (:mod:`benchmarks.embed_cache`), which also embeds the queries."""
    corpus = write_pool_corpus(pool, workdir).parent
    if embed_cache is None:
        index, report = bnptsearch.Index.build(corpus, workdir / "index")
    else:
        from bnptsearch.embedding import E5Embedder

        from .embed_cache import CachedEmbedder

        embedder = CachedEmbedder(E5Embedder(), embed_cache)
        index, report = bnptsearch.Index.build(corpus, workdir / "index", semantic=True, embedder=embedder)
        log(f"  bnptsearch: {report.embedded} passages given vectors ({embedder.misses} not in the cache, embedded now)")
    for warning in report.warnings[:5]:
        log(f"  warning: {warning}")
    if report.articles != len(pool):
        log(f"  note: {len(pool) - report.articles} of {len(pool)} pool passages were not indexed")
    log(f"  bnptsearch: {report.articles} articles, {report.passages} passages")
    return index


def bnptsearch_searcher(
    index: bnptsearch.Index, limit: int = LIMIT, ranking: RankingParams = DEFAULT_RANKING, mode: str | None = None
) -> Searcher:
    """Best passage per article (``per_article=1``), as ``bnptsearch batch --format trec`` ranks;
    ``mode`` as ``SearchRequest.mode`` (None: the index's default)."""

    options = {"mode": mode} if mode else {}

    def search(query: str) -> Ranking:
        try:
            hits = index.search(query, limit=limit, per_article=1, ranking=ranking, **options).hits
            return [(hit.doc_id, hit.score) for hit in hits]
        except QueryError as error:
            log(f"  query error: {error}")
            return []

    return search


def snowball_stem(word: str) -> str:
    """PyStemmer's Snowball ``indonesian``; a module-level function so the schema pickles."""
    return _snowball().stemWord(word)


@cache
def _snowball() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("indonesian")


def whoosh_analyzer(system: str):
    if system == "whoosh-standard":
        return StandardAnalyzer()
    return RegexTokenizer() | LowercaseFilter() | StopFilter(stoplist=stopwords()) | StemFilter(stemfn=snowball_stem)


def build_whoosh(system: str, pool: dict[str, str], workdir: Path) -> Searcher:
    """A plain Whoosh index of the pool: one document per passage, default BM25F, OR queries."""
    workdir.mkdir(parents=True, exist_ok=True)
    schema = Schema(pid=ID(stored=True), text=TEXT(analyzer=whoosh_analyzer(system)))
    ix = whoosh_index.create_in(str(workdir), schema)
    writer = ix.writer(limitmb=256)
    for pid, text in pool.items():
        writer.add_document(pid=pid, text=text)
    writer.commit()
    searcher = ix.searcher()
    parser = QueryParser("text", schema, group=OrGroup)
    parser.remove_plugin_class(WildcardPlugin)

    def search(query: str) -> Ranking:
        return [(hit["pid"], hit.score) for hit in searcher.search(parser.parse(query), limit=LIMIT)]

    return search


def run_queries(search: Searcher, queries: dict[str, str], label: str) -> tuple[Run, float]:
    run: Run = {}
    started = time.perf_counter()
    for number, (qid, query) in enumerate(queries.items(), 1):
        run[qid] = search(query)
        if number % 500 == 0:
            log(f"  {label}: {number}/{len(queries)} queries, {time.perf_counter() - started:.0f} s")
    return run, time.perf_counter() - started


def run_cli(index: bnptsearch.Index, queries: dict[str, str], workdir: Path, mode: str | None = None) -> tuple[Run, float]:
    """``bnptsearch batch QUERIES.tsv --index DIR -n 100 --format trec [--mode MODE]``, run lines parsed."""
    tsv = workdir / "queries.tsv"
    tsv.write_text("".join(f"{qid}\t{' '.join(query.split())}\n" for qid, query in queries.items()), encoding="utf-8")
    command = cli_command() + ["batch", str(tsv), "--index", str(index.path), "-n", str(LIMIT), "--format", "trec"]
    command += ["--mode", mode] if mode else []
    log(f"[{workdir.parent.name}] $ {' '.join(command)}")
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=cli_environment(), check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"`bnptsearch batch` failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}")
    output = done.stdout
    run: Run = {qid: [] for qid in queries}
    for line in output.splitlines():
        qid, _, doc_id, _rank, score, _tag = line.split()
        run[qid].append((doc_id, float(score)))  # lines come best first
    return run, seconds


def cli_command() -> list[str]:
    """The installed ``bnptsearch`` script, or the same entry point run by this interpreter."""
    script = shutil.which("bnptsearch")
    if script:
        return [script]
    return [sys.executable, "-c", "import sys; from bnptsearch.cli import main; sys.exit(main())"]


def cli_environment() -> dict[str, str]:
    """This process's environment, with the imported bnptsearch importable by the child."""
    root = str(Path(bnptsearch.__file__).resolve().parent.parent)
    paths = [root, os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}


# --------------------------------------------------------------------------- measuring


def evaluate(collection: Collection, run: Run) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Means over every judged query (a query with no results scores 0, not "skipped").

    ir-measures gets ``1/rank`` as the score, so it ranks exactly as the system did (trec_eval
    would break ties of the printed scores by doc id); the tie-aware nDCG@10 uses the scores.
    """
    scored = [
        ir_measures.ScoredDoc(qid, doc_id, 1.0 / rank)
        for qid, ranking in run.items()
        for rank, (doc_id, _score) in enumerate(ranking, 1)
    ]
    per_query = {str(m): dict.fromkeys(collection.queries, 0.0) for m in MEASURES}
    for metric in ir_measures.iter_calc(MEASURES, collection.qrels, scored):
        per_query[str(metric.measure)][metric.query_id] = metric.value
    gains: dict[str, dict[str, int]] = {}
    for qrel in collection.qrels:
        if qrel.relevance > 0:
            gains.setdefault(qrel.query_id, {})[qrel.doc_id] = qrel.relevance
    per_query[TIE_AWARE] = {qid: tie_aware_ndcg(run.get(qid, []), gains.get(qid, {})) for qid in collection.queries}
    means = {name: statistics.fmean(values.values()) for name, values in per_query.items()}
    return means, per_query


def tie_aware_ndcg(ranking: Ranking, gains: dict[str, int], depth: int = 10) -> float:
    """nDCG@depth expected over all orders of equal-scored documents (linear gains, as
    ir-measures' nDCG): each position a tied group spans gets the group's mean gain.

    >>> tie_aware_ndcg([("a", 2.0), ("rel", 1.0), ("b", 1.0)], {"rel": 1})  # rank 2 or 3
    0.5654648767857288
    """
    ideal = sorted(gains.values(), reverse=True)[:depth]
    ideal_dcg = sum(gain / math.log2(position + 2) for position, gain in enumerate(ideal))
    if not ideal_dcg:
        return 0.0
    expected, position = 0.0, 0
    for _score, group in itertools.groupby(ranking, key=lambda pair: pair[1]):
        members = [doc_id for doc_id, _ in group]
        mean_gain = sum(gains.get(doc_id, 0) for doc_id in members) / len(members)
        end = min(position + len(members), depth)
        expected += mean_gain * sum(1 / math.log2(p + 2) for p in range(position, end))
        position += len(members)
        if position >= depth:
            break
    return expected / ideal_dcg


def measure(
    collection: Collection, system: str, run: Run, build_seconds: float | None, query_seconds: float
) -> Measured:
    means, per_query = evaluate(collection, run)
    queries = len(collection.queries)
    result = Measured(collection.name, system, means, per_query, run, queries, build_seconds, query_seconds)
    log(f"[{collection.name}] {system}: " + ", ".join(f"{name} {value:.4f}" for name, value in means.items()))
    return result


def timed(function: Callable, *args):
    started = time.perf_counter()
    value = function(*args)
    return value, time.perf_counter() - started


def benchmark_collection(
    collection: Collection, systems: list[str], workdir: Path, via_cli: bool, embed_cache: Path | None = None
) -> list[Measured]:
    """Every system on one collection, all on the same pool; with ``embed_cache``, bnptsearch's
    index has passage vectors and is also searched in the hybrid and semantic modes."""
    results = []
    for system in systems:
        label = f"[{collection.name}] {system}"
        log(f"{label}: indexing {len(collection.pool)} passages")
        folder = workdir / collection.name / system
        if system == "bnptsearch":
            index, build_seconds = timed(build_bnptsearch, collection.pool, folder, embed_cache)
            # An index with vectors searches in hybrid mode unless told otherwise.
            search = bnptsearch_searcher(index, mode="lexical" if embed_cache else None)
        else:
            search, build_seconds = timed(build_whoosh, system, collection.pool, folder)
        log(f"{label}: built in {build_seconds:.1f} s; running {len(collection.queries)} queries")
        run, query_seconds = run_queries(search, collection.queries, label)
        results.append(measure(collection, system, run, build_seconds, query_seconds))
        if system == "bnptsearch":
            for mode in SEMANTIC_MODES if embed_cache else ():
                run, query_seconds = run_queries(bnptsearch_searcher(index, mode=mode), collection.queries, f"{label} {mode}")
                results.append(measure(collection, f"bnptsearch {mode}", run, None, query_seconds))
            if via_cli:
                cli_run, cli_seconds = run_cli(index, collection.queries, folder, "lexical" if embed_cache else None)
                differing = sum(_ids(cli_run[qid]) != _ids(run[qid]) for qid in run)
                log(f"{label}: CLI rankings differ from the API's for {differing} of {len(run)} queries")
                results.append(measure(collection, "bnptsearch (CLI batch)", cli_run, None, cli_seconds))
            index.close()
    return results


def write_run(path: Path, run: Run, collection: Collection) -> None:
    """``run`` as TREC lines in query order, scores with every digit (``repr``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as file:
        for qid in collection.queries:
            for rank, (doc_id, score) in enumerate(run.get(qid, []), 1):
                file.write(f"{qid} Q0 {doc_id} {rank} {score!r} run\n")


def _ids(ranking: Ranking) -> list[str]:
    return [doc_id for doc_id, _ in ranking]


def read_run(path: str, collection: Collection) -> Run:
    """A TREC run file's rankings (``qid Q0 doc rank score tag``) for the collection's queries.

    Scores are read to 4 decimals: Anserini rounds its scores to 4 decimals, orders each tie
    by doc id and lowers each tied score by 1e-6 per place (ScoreTiesAdjusterReranker), so
    rounding again restores the ties for the tie-aware measure.
    """
    ranked: dict[str, list[tuple[int, str, float]]] = {qid: [] for qid in collection.queries}
    with open(path, encoding="utf-8") as file:
        for line in file:
            qid, _, doc_id, rank, score, *_ = line.split()
            if qid in ranked:
                ranked[qid].append((int(rank), doc_id, round(float(score), 4)))
    return {qid: [(doc_id, score) for _, doc_id, score in sorted(rows)][:LIMIT] for qid, rows in ranked.items()}


def paired_comparison(ours: Measured, reference: Measured, path: str) -> str:
    """bnptsearch against a reference run, query by query (nDCG@10, then tie-aware)."""
    lines = []
    for name in (str(nDCG @ 10), TIE_AWARE):
        mine, theirs = ours.per_query[name], reference.per_query[name]
        better = sum(mine[qid] > theirs[qid] for qid in mine)
        worse = sum(mine[qid] < theirs[qid] for qid in mine)
        difference = ours.scores[name] - reference.scores[name]
        lines.append(
            f"{ours.collection}: bnptsearch − reference run ({path}) = {difference:+.4f} {name}; "
            f"better on {better}, worse on {worse}, equal on {len(mine) - better - worse} of {len(mine)} queries."
        )
    return "\n".join(lines)


def paired_difference(ours: Measured, baseline: Measured, seed: int = 13, resamples: int = 10_000) -> str:
    """``ours`` − ``baseline`` on the same questions, nDCG@10 and tie-aware: the mean difference
    with a 95 % paired bootstrap interval, and a two-sided sign test on the questions where
    they differ (is the difference beyond noise?)."""
    lines = []
    for name in (str(nDCG @ 10), TIE_AWARE):
        qids = list(ours.per_query[name])
        differences = np.array([ours.per_query[name][q] - baseline.per_query[name][q] for q in qids])
        draws = np.random.default_rng(seed).integers(0, len(qids), size=(resamples, len(qids)))
        low, high = np.percentile(differences[draws].mean(axis=1), [2.5, 97.5])
        better, worse = int((differences > 0).sum()), int((differences < 0).sum())
        lines.append(
            f"{ours.collection}: {ours.system} − {baseline.system} = {differences.mean():+.4f} {name} "
            f"(95 % bootstrap CI {low:+.4f} … {high:+.4f}); better on {better}, worse on {worse} of {len(qids)} "
            f"questions (sign test p = {sign_test(better, worse):.3g})."
        )
    return "\n".join(lines)


def sign_test(better: int, worse: int) -> float:
    """Two-sided exact sign test: the chance of a split at least this uneven if either side
    were equally likely to win each question (ties left out).

    >>> round(sign_test(15, 5), 4), sign_test(3, 3)
    (0.0414, 1.0)
    """
    count = better + worse
    if not count:
        return 1.0
    tail = sum(math.comb(count, k) for k in range(min(better, worse) + 1)) / 2**count
    return min(1.0, 2 * tail)


def near_duplicates_report(collection: Collection, measured: list[Measured]) -> str:
    """How much the pool's near-duplicates of relevant passages cost each system.

    A near-duplicate has the same letters and digits as the relevant passage, with other
    spacing or punctuation (FacQA: "1,05" / "1, 05", "Medan-Jakarta" / "Medan - Jakarta").
    The judgments name one of them; a system that ranks another copy first is told it
    missed. Here the first copy of the relevant passage in a ranking counts as finding it
    (tie-aware nDCG@10, other copies removed), for a comparison without that lottery.
    """

    def letters(text: str) -> str:
        return re.sub(r"[\W_]+", "", text.lower())

    copies: dict[str, set[str]] = {}
    for pid, text in collection.pool.items():
        copies.setdefault(letters(text), set()).add(pid)
    relevant = {qrel.query_id: qrel.doc_id for qrel in collection.qrels if qrel.relevance > 0}
    twins = {qid: copies[letters(collection.pool[pid])] - {pid} for qid, pid in relevant.items()}
    affected = sum(1 for found in twins.values() if found)
    if not affected:
        return f"{collection.name}: no relevant passage has a near-duplicate in the pool."

    def first_copy_counts(ranking: Ranking, qid: str) -> Ranking:
        pid, kept, seen = relevant[qid], [], False
        for doc_id, score in ranking:
            if doc_id == pid or doc_id in twins[qid]:
                if seen:
                    continue
                seen, doc_id = True, pid
            kept.append((doc_id, score))
        return kept

    scores = [
        statistics.fmean(
            tie_aware_ndcg(first_copy_counts(m.run.get(qid, []), qid), {relevant[qid]: 1}) if qid in relevant else 0.0
            for qid in collection.queries
        )
        for m in measured
    ]
    listed = ", ".join(f"{m.system} {score:.4f}" for m, score in zip(measured, scores))
    return (
        f"{collection.name}: for {affected} of {len(relevant)} questions the relevant passage has a near-duplicate in the pool; "
        f"counting a copy as the passage, {TIE_AWARE}: {listed} (difference {scores[0] - scores[-1]:+.4f})."
    )


# --------------------------------------------------------------------------- reports


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def results_table(results: list[Measured]) -> str:
    header = ["collection", "system", "nDCG@10", "MRR@10", "R@100", TIE_AWARE, "queries", "build s", "query s", "ms/query"]
    rows = [
        [
            r.collection,
            r.system,
            *(f"{r.scores[str(m)]:.4f}" for m in MEASURES),
            f"{r.scores[TIE_AWARE]:.4f}",
            str(r.queries),
            "—" if r.build_seconds is None else f"{r.build_seconds:.1f}",
            "—" if r.system.startswith("reference run") else f"{r.query_seconds:.1f}",
            "—" if r.system.startswith("reference run") else f"{1000 * r.query_seconds / max(r.queries, 1):.1f}",
        ]
        for r in results
    ]
    return markdown_table(header, rows)


def failures_report(collection: Collection, measured: Measured, count: int, seed: int) -> str:
    """``count`` random queries whose relevant passage the system did not put in its top 10."""
    relevant = {qrel.query_id: qrel.doc_id for qrel in collection.qrels if qrel.relevance > 0}
    per_query = measured.per_query[str(nDCG @ 10)]
    failed = [qid for qid, value in per_query.items() if value == 0.0]
    lines = [f"### {measured.system} failures on {collection.name}: {len(failed)} of {len(per_query)} miss the top 10"]
    for qid in subset(failed, count, seed):
        ranking = _ids(measured.run[qid])
        gold = relevant[qid]
        rank = ranking.index(gold) + 1 if gold in ranking else f">{LIMIT}"
        lines += [
            (
                f"- `{qid}` {collection.queries[qid]!r} → terms {analyze(collection.queries[qid])}, "
                f"relevant at rank {rank}"
            ),
            f"  - relevant {gold}: {collection.pool[gold][:160]!r}",
            f"  - top hit {ranking[0] if ranking else '—'}: {collection.pool[ranking[0]][:160] if ranking else ''!r}",
        ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- sweep


def sweep_grid(args: argparse.Namespace) -> list[dict[str, object]]:
    axes = [
        args.sweep_b,
        args.sweep_k1,
        args.sweep_title_boost,
        args.sweep_exact_boost,
        args.sweep_idf_power,
        args.sweep_proximity_weight,
        args.sweep_proximity_window,
    ]
    return [dict(zip(SWEEP_PARAMETERS, combination)) for combination in itertools.product(*axes)]


def sweep_collection(collection: Collection, grid: list[dict[str, object]], workdir: Path) -> list[dict[str, float]]:
    """The mean scores of each grid point, on one index; only the top 10 is fetched."""
    log(f"[{collection.name}] bnptsearch: indexing {len(collection.pool)} passages for the sweep")
    index = build_bnptsearch(collection.pool, workdir / collection.name / "bnptsearch")
    scores = []
    for number, point in enumerate(grid, 1):
        search = bnptsearch_searcher(index, limit=10, ranking=RankingParams(**point))
        run, seconds = run_queries(search, collection.queries, f"[{collection.name}] sweep")
        means, _ = evaluate(collection, run)
        scores.append(means)
        log(f"[{collection.name}] {number}/{len(grid)} {point}: nDCG@10 {means[str(nDCG @ 10)]:.4f} ({seconds:.0f} s)")
    index.close()
    return scores


def sweep(collections: list[Collection], grid: list[dict[str, object]], workdir: Path, jobs: int) -> str:
    """nDCG@10 / MRR@10 of every grid point on every collection, best mean nDCG@10 first."""
    current = {name: getattr(DEFAULT_RANKING, name) for name in SWEEP_PARAMETERS}
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        count = len(collections)
        by_collection = list(pool.map(sweep_collection, collections, [grid] * count, [workdir] * count))
    rows = []
    for number, point in enumerate(tuple(p.values()) for p in grid):
        ndcg = [scores[number][str(nDCG @ 10)] for scores in by_collection]
        mrr = [scores[number][str(RR @ 10)] for scores in by_collection]
        marker = " (current)" if dict(zip(SWEEP_PARAMETERS, point)) == current else ""
        rows.append((statistics.fmean(ndcg), [f"{v}" for v in point], ndcg, mrr, marker))
    rows.sort(key=lambda row: row[0], reverse=True)
    names = [c.name for c in collections]
    header = [*SWEEP_PARAMETERS, *(f"nDCG@10 {n}" for n in names), *(f"MRR@10 {n}" for n in names), "mean nDCG@10"]
    table = [
        [*point, *(f"{v:.4f}" for v in ndcg), *(f"{v:.4f}" for v in mrr), f"{mean:.4f}{marker}"]
        for mean, point, ndcg, mrr, marker in rows
    ]
    sizes = ", ".join(f"{c.name} {len(c.queries)} queries" for c in collections)
    return f"## Ranking-parameter sweep ({sizes})\n\n" + markdown_table(header, table)


# --------------------------------------------------------------------------- command line


def parse_list(convert: Callable[[str], object]) -> Callable[[str], list]:
    def parse(text: str) -> list:
        return [convert(item) for item in text.split(",")]

    return parse


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tydi", type=Path, help="TyDi QA folder (passages.jsonl, queries-dev.jsonl, qrels-dev.tsv)")
    parser.add_argument("--facqa", type=Path, help="FacQA folder (same files)")
    parser.add_argument("--padding", type=Path, required=True, help="JSONL of non-relevant passages ({id, text})")
    parser.add_argument("--padding-size", type=int, help="a random (seeded) subset of N padding passages")
    parser.add_argument("--systems", nargs="+", choices=SYSTEMS, default=list(SYSTEMS))
    parser.add_argument("--via-cli", action="store_true", help="also run the queries through `bnptsearch batch`")
    parser.add_argument(
        "--semantic",
        action="store_true",
        help="give bnptsearch's index passage vectors (the semantic extra) and add its hybrid and semantic rows",
    )
    parser.add_argument(
        "--embed-cache",
        type=Path,
        default=DEFAULT_CACHE,
        help="embedding cache of --semantic (fill it first: python -m benchmarks.embed_cache)",
    )
    parser.add_argument("--limit-queries", type=int, help="a random (seeded) subset of N queries per collection")
    parser.add_argument("--failures", type=int, default=0, help="list N bnptsearch queries that miss the top 10")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--workdir", type=Path, help="where indexes are built (default: a temporary folder)")
    parser.add_argument("--jobs", type=int, default=2, help="collections measured in parallel processes")
    parser.add_argument("--output", type=Path, help="also write the markdown report here")
    parser.add_argument(
        "--runs",
        type=Path,
        metavar="DIR",
        help="also write each system's run as DIR/COLLECTION.SYSTEM.run (TREC lines, full score precision): "
        "two runs of different code compare with `diff -r`",
    )
    parser.add_argument(
        "--reference-run",
        action="append",
        default=[],
        metavar="COLLECTION=RUN",
        help="a TREC run file of another system on the same pool, e.g. tydiqa-id=/tmp/lucene/tydi.run "
        "(made by benchmarks/lucene_reference.py); scored beside the systems, with bnptsearch's difference",
    )
    sweep_group = parser.add_argument_group("sweep", "grid over bnptsearch.ranking.RankingParams")
    sweep_group.add_argument("--sweep", action="store_true", help="run the sweep instead of the system comparison")
    sweep_group.add_argument("--sweep-queries", type=int, help="a random (seeded) subset of N queries per collection")
    sweep_group.add_argument("--sweep-b", type=parse_list(float), default=[0.1, 0.2, 0.3, 0.5, 0.75])
    sweep_group.add_argument("--sweep-k1", type=parse_list(float), default=[0.4, 0.6, 0.9, 1.2])
    sweep_group.add_argument(
        "--sweep-title-boost",
        type=parse_list(float),
        default=[DEFAULT_RANKING.title_boost],
        help="e.g. 0.1,2 (0 itself divides by zero in Whoosh's block-quality skipping)",
    )
    sweep_group.add_argument("--sweep-exact-boost", type=parse_list(float), default=[DEFAULT_RANKING.exact_boost])
    sweep_group.add_argument("--sweep-idf-power", type=parse_list(float), default=[DEFAULT_RANKING.idf_power])
    sweep_group.add_argument(
        "--sweep-proximity-weight", type=parse_list(float), default=[DEFAULT_RANKING.proximity_weight]
    )
    sweep_group.add_argument("--sweep-proximity-window", type=parse_list(int), default=[DEFAULT_RANKING.proximity_window])
    args = parser.parse_args(argv)
    if not (args.tydi or args.facqa):
        parser.error("give --tydi and/or --facqa")
    for reference in args.reference_run:
        name, _, path = reference.partition("=")
        if name not in ("tydiqa-id", "facqa-news") or not Path(path).is_file():
            parser.error(f"--reference-run {reference!r}: expected tydiqa-id=FILE or facqa-news=FILE (an existing file)")
    return args


def report_header(collections: list[Collection], padding: int, jobs: int) -> str:
    sizes = "; ".join(f"{c.name}: {len(c.queries)} queries, pool {len(c.pool)} passages" for c in collections)
    return (
        f"# Retrieval benchmark (bnptsearch {bnptsearch.__version__})\n\n"
        f"Pools = collection passages + {padding} padding sentences. {sizes}.\n"
        f"Ranking: {DEFAULT_RANKING}. "
        f"Collections measured in {jobs} parallel process(es), one core each at most."
    )


def compare(collections: list[Collection], args: argparse.Namespace, workdir: Path) -> str:
    results: list[Measured] = []
    failures = []
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        count = len(collections)
        systems, workdirs, via_cli = [args.systems] * count, [workdir] * count, [args.via_cli] * count
        caches = [args.embed_cache if args.semantic else None] * count
        measured_by_collection = list(pool.map(benchmark_collection, collections, systems, workdirs, via_cli, caches))
    references = dict(reference.partition("=")[::2] for reference in args.reference_run)
    comparisons = []
    for collection, measured in zip(collections, measured_by_collection):
        results += measured
        if args.runs:
            for m in measured:
                write_run(args.runs / f"{collection.name}.{m.system.replace(' ', '_')}.run", m.run, collection)
        if collection.name in references:
            run = read_run(references[collection.name], collection)
            reference = measure(collection, f"reference run ({Path(references[collection.name]).name})", run, None, 0.0)
            results.append(reference)
            ours = next(m for m in measured if m.system == "bnptsearch")
            comparisons.append(paired_comparison(ours, reference, references[collection.name]))
            comparisons.append(near_duplicates_report(collection, [ours, reference]))
            comparisons += [paired_difference(m, reference) for m in measured if m.system in SEMANTIC_SYSTEMS]
        lexical = next((m for m in measured if m.system == "bnptsearch"), None)
        if lexical is not None:
            comparisons += [paired_difference(m, lexical) for m in measured if m.system in SEMANTIC_SYSTEMS]
        failures += [
            failures_report(collection, m, args.failures, args.seed)
            for m in measured
            if args.failures and m.system == "bnptsearch"
        ]
    return "\n\n".join(["## Systems", results_table(results), *comparisons, REFERENCE, *failures])


def main(argv: list[str] | None = None) -> None:
    args = arguments(argv)
    padding = load_padding(args.padding, args.padding_size, args.seed)
    size = args.sweep_queries if args.sweep else args.limit_queries
    folders = [("tydiqa-id", args.tydi), ("facqa-news", args.facqa)]
    collections = [load_collection(name, folder, padding, size, args.seed) for name, folder in folders if folder]
    with tempfile.TemporaryDirectory(prefix="bnpt-retrieval-") as scratch:
        workdir = args.workdir or Path(scratch)
        if args.sweep:
            body = sweep(collections, sweep_grid(args), workdir, args.jobs)
        else:
            body = compare(collections, args, workdir)
    report = report_header(collections, len(padding), args.jobs) + "\n\n" + body + "\n"
    print(report)
    if args.output:
        args.output.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
