"""What semantic search costs: embedding time, vector storage, hybrid query latency, memory.

Three measurements, each in a child process of its own (its peak RSS is its own):

1. ``embed``: a scale corpus (``--small``, 10k passages) is indexed by words
   (``Index.build``), then given vectors (``Index.update(semantic=True)``, the real e5 model):
   passages embedded per CPU-second and per wall second, the embedding's wall and CPU time,
   and the vector files' size. Sizes beyond the one run (100k: a real run is about 2 hours of
   both cores) are extrapolated from its CPU rate (wall = CPU / 2 on an idle 2-core machine)
   and the report says so.
2. ``build``: the 100k scale corpus (``--large``) indexed by words (or a words-only index of
   it built before copied, ``--large-words``), then given vectors by ``Index.update(semantic=True)``
   from a deterministic fake embedder of the real model's name and dimension (hash-seeded
   random unit vectors; scoring time does not depend on the values): wall time of writing the
   vectors and their storage at 100k.
3. ``query``: warm latency p50/p95/p99 at 100k of ``Index.search(q, limit=10)`` with rendered
   highlights in each mode (lexical is the baseline, measured in the same run), for 2–4-word
   keyword queries of the corpus and TyDi dev questions. The query embedding is the real
   model's (the fake is used for passages only); its own time is reported too.

Targets (issue 16, 2 cores): hybrid p50 ≤ 50 ms, p95 ≤ 150 ms at 100k passages. Run from the
repository root, with the ``semantic`` extra installed::

    python benchmarks/scale_corpus.py --sentences ../shared/eval/kumparan-sentences/sentences.jsonl \\
        --passages 10000 --out /tmp/h16b-10k
    python benchmarks/scale_corpus.py --sentences ../shared/eval/kumparan-sentences/sentences.jsonl \\
        --passages 100000 --out /tmp/h16b-100k
    nice -n 5 python -m benchmarks.semantic_cost --small /tmp/h16b-10k --large /tmp/h16b-100k \\
        --tydi-queries ../shared/eval/tydiqa-id/queries-dev.jsonl --workdir /tmp/h16b-cost \\
        --output /tmp/semantic_cost.md
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .perf import _dir_size_mb, _percentile, _time_queries, keyword_queries, machine, question_queries

MODES = ("lexical", "hybrid", "semantic")
TARGETS = {"p50": 50.0, "p95": 150.0}  # hybrid at 100k, ms


class FakePassageVectors:
    """The real model for queries, deterministic random unit vectors for passages (same name
    and dimension, so the index records the real model and is searched with it).

    >>> fake = FakePassageVectors(type("M", (), {"name": "m", "dim": 4})())
    >>> bool(np.allclose(np.linalg.norm(fake.embed_passages(["a", "b"]), axis=1), 1))
    True
    """

    def __init__(self, inner) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        rows = np.empty((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")
            vector = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            rows[row] = vector / np.linalg.norm(vector)
        return rows


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # every thread of this process (OpenMP too)
    return usage.ru_utime + usage.ru_stime


def _vector_mb(index: Path) -> float:
    return sum(f.stat().st_size for f in index.glob("vectors*") if f.is_file()) / 1e6


# --------------------------------------------------------------------------- children


def child_embed(corpus: str, index: str) -> dict:
    from bnptsearch import Index
    from bnptsearch.embedding import E5Embedder

    started = time.perf_counter()
    ix, report = Index.build(corpus, index)
    words_wall = time.perf_counter() - started
    embedder = E5Embedder()  # loaded before the clock starts, as a long-running indexer has it
    cpu, started = _cpu(), time.perf_counter()
    embedded = ix.update(corpus, semantic=True, embedder=embedder).embedded
    wall, cpu = time.perf_counter() - started, _cpu() - cpu
    ix.close()
    return {
        "passages": report.passages,
        "embedded": embedded,
        "words_wall": words_wall,
        "wall": wall,
        "cpu": cpu,
        "vector_mb": _vector_mb(Path(index)),
        "index_mb": _dir_size_mb(Path(index)),
    }


def child_build(corpus: str, index: str, words_index: str = "") -> dict:
    """The words index (copied from ``words_index`` if given, else built), then its vectors."""
    from bnptsearch import Index
    from bnptsearch.embedding import E5Embedder

    started = time.perf_counter()
    if words_index:
        shutil.copytree(words_index, index)
        ix = Index.open(index)
    else:
        ix, _ = Index.build(corpus, index)
    words_wall, started = time.perf_counter() - started, time.perf_counter()
    report = ix.update(corpus, semantic=True, embedder=FakePassageVectors(E5Embedder()))
    wall = time.perf_counter() - started
    ix.close()
    return {
        "passages": report.passages,
        "embedded": report.embedded,
        "words_wall": words_wall,
        "copied": bool(words_index),
        "wall": wall,
        "vector_mb": _vector_mb(Path(index)),
        "index_mb": _dir_size_mb(Path(index)),
    }


def child_query(index: str, queries_file: str, repeat: str) -> dict:
    from bnptsearch import Index
    from bnptsearch.embedding import E5Embedder

    sets = json.loads(Path(queries_file).read_text(encoding="utf-8"))
    embedder = E5Embedder()
    ix = Index.open(index, embedder=embedder)
    out: dict[str, dict] = {}
    for mode in MODES:

        def run_one(query: str, mode: str = mode) -> int:
            hits = ix.search(query, limit=10, mode=mode).hits
            for hit in hits:
                hit.highlighted  # noqa: B018 - the rendered highlight is part of the answer
            return len(hits)

        out[mode] = {name: _time_queries(run_one, queries, int(repeat)) for name, queries in sets.items()}
    out["query embedding"] = {
        name: _time_queries(lambda q: embedder.embed_queries([q]), queries, int(repeat)) for name, queries in sets.items()
    }
    batched = {}
    for name, queries in sets.items():  # as `bnptsearch batch` embeds them: one call
        started, cpu = time.perf_counter(), _cpu()
        embedder.embed_queries(queries)
        wall, cpu = time.perf_counter() - started, _cpu() - cpu
        batched[name] = {"wall_ms": 1000 * wall / len(queries), "cpu_ms": 1000 * cpu / len(queries)}
    out["batched embedding"] = batched
    ix.close()
    return out


CHILDREN = {"embed": child_embed, "build": child_build, "query": child_query}


def run_child(kind: str, *args: str, source: Path | None = None) -> dict:
    """``kind`` in a fresh process (of the code at ``source``, a checkout of bnptsearch,
    if given: the baseline); its result with its peak RSS (MB)."""
    command = [sys.executable, "-m", "benchmarks.semantic_cost", "_child", kind, *args]
    env = {**os.environ, "PYTHONPATH": str(source.resolve())} if source else None
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False, cwd=source, env=env)
    if done.returncode != 0:
        raise SystemExit(f"child {kind} failed (exit {done.returncode}):\n{done.stdout[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- report


def log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message} (load {os.getloadavg()[0]:.1f})", file=sys.stderr, flush=True)


def _latency_rows(query: dict, baseline: dict | None = None) -> list[str]:
    """A row per mode and query set: wall p50/p95/p99, CPU p50/p95 (every thread of the
    process), p50 against lexical, and against the baseline code's (same run) if any."""
    rows = []
    lexical = {}
    for mode in (*MODES, "query embedding"):
        for name, measured in query[mode].items():
            p50, p95, p99, cpu50, cpu95 = _percentiles(measured)
            if mode == "lexical":
                lexical[name] = p50
            ratio = f"×{p50 / lexical[name]:.2f}" if name in lexical and mode != "lexical" else "1"
            if baseline is not None and mode in baseline and name in baseline[mode]:
                before = _percentiles(baseline[mode][name])
                ratio += f"; vs baseline: wall p50 ×{p50 / before[0]:.2f}, CPU p50 ×{cpu50 / before[3]:.2f}"
            verdict = ""
            if mode == "hybrid":
                ok = p50 <= TARGETS["p50"] and p95 <= TARGETS["p95"]
                verdict = f"p50 ≤ {TARGETS['p50']:.0f}, p95 ≤ {TARGETS['p95']:.0f}: {'met' if ok else 'MISSED'}"
            errors = measured["errors"]
            cells = [mode, f"{name} ({len(measured['runs'][0])})", f"{p50:.1f}", f"{p95:.1f}", f"{p99:.1f}"]
            cells += [f"{cpu50:.1f}", f"{cpu95:.1f}", ratio]
            rows.append("| " + " | ".join([*cells, str(errors), verdict]) + " |")
    return rows


def _percentiles(measured: dict) -> tuple[float, float, float, float, float]:
    """Wall p50, p95, p99 and CPU p50, p95 (ms) of one measured set."""
    values = [v for run in measured["runs"] for v in run]
    cpu = [v for run in measured.get("cpu_runs", measured["runs"]) for v in run]
    p50, p95, p99 = (_percentile(values, p) for p in (50, 95, 99))
    return p50, p95, p99, _percentile(cpu, 50), _percentile(cpu, 95)


def report(embed: dict | None, build: dict | None, query: dict | None, info: dict, baseline: dict | None = None) -> str:
    lines = [
        "# Semantic search cost (issue 16)",
        "",
        f"Machine: {info['machine']['cpu']}, {info['machine']['cores']} cores, {info['machine']['ram']}; "
        f"bnptsearch {info['machine']['commit']}. Load average at start {info['load_start']:.2f}, "
        f"at end {info['load_end']:.2f} (the machine is shared: wall times under load are longer than on an idle one).",
        "",
    ]
    if embed:
        rate_cpu, rate_wall = embed["embedded"] / embed["cpu"], embed["embedded"] / embed["wall"]
        lines += [
            f"## Embedding ({embed['embedded']} passages of a scale corpus, real model)",
            "",
            "| measure | value |",
            "|---|---|",
            f"| passages embedded | {embed['embedded']} (of {embed['passages']} indexed) |",
            f"| passages per CPU-second | {rate_cpu:.2f} |",
            f"| passages per wall second | {rate_wall:.2f} |",
            f"| embedding wall / CPU | {embed['wall']:.0f} s / {embed['cpu']:.0f} s "
            f"(word index alone: {embed['words_wall']:.0f} s) |",
            f"| vector storage | {embed['vector_mb']:.1f} MB (index total {embed['index_mb']:.1f} MB) |",
            f"| peak RSS (build + embed process) | {embed['maxrss_mb']:.0f} MB |",
            *(
                f"| {size // 1000}k, extrapolated (CPU ∝ passages; wall = CPU / 2 cores, idle machine) | "
                f"{size / rate_cpu / 60:.0f} CPU-min, ≈ {size / rate_cpu / 2 / 60:.0f} min wall |"
                for size in (10_000, 100_000)
                if size > 1.05 * embed["embedded"]
            ),
            "",
        ]
    if build:
        lines += [
            f"## 100k index with vectors ({build['passages']} passages; fake passage vectors, real query model)",
            "",
            f"Words index: {'copied from one built before' if build['copied'] else 'built'} "
            f"({build['words_wall']:.0f} s); vectors added by `Index.update(semantic=True)` with the fake "
            f"embedder: {build['wall']:.0f} s wall; {build['embedded']} rows; "
            f"vector storage {build['vector_mb']:.1f} MB (index total {build['index_mb']:.0f} MB); "
            f"peak RSS {build['maxrss_mb']:.0f} MB.",
            "",
        ]
    if query:
        lines += [
            "## Query latency at 100k passages, warm, ms (`Index.search(q, limit=10)` + highlights)",
            "",
            "Passage vectors are a deterministic fake (dot product and fusion time do not depend on "
            "their values); the query embedding is the real model. Ratio: p50 against lexical, same run.",
            "",
            "| mode | queries | p50 | p95 | p99 | CPU p50 | CPU p95 | p50 vs lexical | errors | target (hybrid) |",
            "|---|---|---|---|---|---|---|---|---|---|",
            *_latency_rows(query, baseline),
            "",
            f"Peak RSS of the query process (model + index + vectors): {query['maxrss_mb']:.0f} MB.",
            "",
            "Query embedding, all of a set in one call (`bnptsearch batch`), per query: "
            + "; ".join(
                f"{name} {cost['wall_ms']:.1f} ms wall, {cost['cpu_ms']:.1f} ms CPU"
                for name, cost in query.get("batched embedding", {}).items()
            ),
            "",
        ]
    if query and baseline:
        lines += [
            f"### Baseline: the code at {info['baseline']}, measured just before in the same run",
            "",
            "| mode | queries | p50 | p95 | p99 | CPU p50 | CPU p95 | p50 vs lexical | errors | target (hybrid) |",
            "|---|---|---|---|---|---|---|---|---|---|",
            *_latency_rows(baseline),
            "",
            f"Peak RSS of the baseline's query process: {baseline['maxrss_mb']:.0f} MB.",
            "",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_child":
        result = CHILDREN[argv[1]](*argv[2:])
        result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
        print(json.dumps(result))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--small", type=Path, help="scale corpus to embed for real (10k passages; fewer are extrapolated, and say so)"
    )
    parser.add_argument("--large", type=Path, help="scale corpus for the 100k index (fake passage vectors)")
    parser.add_argument(
        "--large-words", type=Path, help="an index of --large without vectors, built before: copied instead of built again"
    )
    parser.add_argument("--tydi-queries", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=200, help="of each kind")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, required=True, help="indexes go here (kept; an existing 100k index is reused)")
    parser.add_argument("--output", type=Path)
    parser.add_argument(
        "--baseline", type=Path, help="a checkout of other bnptsearch code (`git archive main`): its query latency too, same run"
    )
    args = parser.parse_args(argv)
    info = {"machine": machine(), "load_start": os.getloadavg()[0]}
    args.workdir.mkdir(parents=True, exist_ok=True)
    embed = build = query = baseline = None
    if args.small:
        log(f"embed: indexing and embedding {args.small}")
        embed = run_child("embed", str(args.small), str(args.workdir / "small-index"))
        log(f"embed: {embed}")
    if args.large:
        large, measured = args.workdir / "large-index", args.workdir / "large-build.json"
        if (large / "vectors.json").is_file() and measured.is_file():
            build = json.loads(measured.read_text(encoding="utf-8"))
            log(f"build: reusing {large} (measured before: {build})")
        else:
            log(f"build: indexing {args.large} with fake passage vectors")
            build = run_child("build", str(args.large), str(large), str(args.large_words or ""))
            measured.write_text(json.dumps(build), encoding="utf-8")
            log(f"build: {build}")
        queries = {
            "keyword": keyword_queries(args.large, args.queries, args.seed),
            "question": question_queries(str(args.tydi_queries), args.queries, args.seed),
        }
        queries_file = args.workdir / "queries.json"
        queries_file.write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
        if args.baseline:
            info["baseline"] = str(args.baseline)
            log(f"query: timing every mode with the baseline at {args.baseline}")
            files = (str(large.resolve()), str(queries_file.resolve()))
            baseline = run_child("query", *files, str(args.repeat), source=args.baseline)
        log("query: timing every mode")
        query = run_child("query", str(large), str(queries_file), str(args.repeat))
    info["load_end"] = os.getloadavg()[0]
    text = report(embed, build, query, info, baseline)
    print(text)
    if args.output:
        args.output.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
