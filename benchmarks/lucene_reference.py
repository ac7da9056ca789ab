"""Lucene's Indonesian BM25 (what Elasticsearch's ``indonesian`` analyzer and Pyserini use) on
the retrieval benchmark's pools, as TREC run files for ``retrieval.py --reference-run``.

The pools are built exactly as :mod:`benchmarks.retrieval` builds them (each collection's
passages plus every padding sentence); Anserini indexes them with ``-language id`` (Lucene's
IndonesianAnalyzer: standard tokenizer, lower case, Tala stopwords, Tala stemmer) and
searches every dev query with BM25 at Pyserini's defaults (k1=0.9, b=0.4), top 100.

It needs Java 11+ and Pyserini 0.22.1 (whose wheel carries the Anserini jar; newer ones need
Java 21), in an environment of its own, not bnptsearch's::

    python3 -m venv /tmp/lucene-venv
    /tmp/lucene-venv/bin/pip install pyserini==0.22.1 --no-deps
    /tmp/lucene-venv/bin/pip install pyjnius numpy tqdm pyyaml pandas requests
    /tmp/lucene-venv/bin/python benchmarks/lucene_reference.py \\
        --tydi ../shared/eval/tydiqa-id --facqa ../shared/eval/facqa-news \\
        --padding ../shared/eval/kumparan-sentences/sentences.jsonl --output /tmp/lucene
    python -m benchmarks.retrieval ... --reference-run tydiqa-id=/tmp/lucene/tydiqa-id.run \\
        --reference-run facqa-news=/tmp/lucene/facqa-news.run

(``--no-deps`` keeps torch and faiss out: only the Lucene side is used. ``pyserini.search``
imports faiss, so the searcher is Anserini's ``SimpleSearcher``, which Pyserini's
``LuceneSearcher`` wraps.) Takes about a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path

LIMIT = 100


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as file:
        return [json.loads(line) for line in file if line.strip()]


def write_pool(folder: Path, padding: list[dict], target: Path, seed: int) -> int:
    """The collection's passages plus the padding, as Anserini's JsonCollection."""
    target.mkdir(parents=True, exist_ok=True)
    records = [(p["pid"], p["text"]) for p in read_jsonl(folder / "passages.jsonl")]
    records += [(p["id"], p["text"]) for p in padding]
    # The order retrieval.py gives every system: ties then fall where they fall, not to
    # the collection's passages.
    random.Random(seed).shuffle(records)
    with (target / "pool.jsonl").open("w", encoding="utf-8") as file:
        for doc_id, text in records:
            file.write(json.dumps({"id": doc_id, "contents": text}, ensure_ascii=False) + "\n")
    return len(records)


def build_index(pool: Path, index: Path, log: Path) -> None:
    command = [
        sys.executable, "-m", "pyserini.index.lucene", "-collection", "JsonCollection",
        "-generator", "DefaultLuceneDocumentGenerator", "-input", str(pool), "-index", str(index),
        "-language", "id", "-threads", "2",
    ]  # fmt: skip
    with log.open("w") as output:
        subprocess.run(command, check=True, stdout=output, stderr=subprocess.STDOUT)


def search_all(index: Path, queries: list[dict], run: Path, k1: float, b: float) -> int:
    """Writes the run file; returns how many queries found nothing."""
    from pyserini.pyclass import autoclass  # starts the JVM

    searcher = autoclass("io.anserini.search.SimpleSearcher")(str(index))
    searcher.set_language("id")
    searcher.set_bm25(k1, b)
    empty = 0
    with run.open("w", encoding="utf-8") as file:
        for query in queries:
            hits = searcher.search(query["query"], LIMIT)
            empty += not hits
            for rank, hit in enumerate(hits, 1):
                file.write(f"{query['qid']} Q0 {hit.docid} {rank} {hit.score:.6f} lucene-id-bm25\n")
    searcher.close()
    return empty


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tydi", type=Path)
    parser.add_argument("--facqa", type=Path)
    parser.add_argument("--padding", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True, help="folder for pools, indexes and COLLECTION.run")
    parser.add_argument("--k1", type=float, default=0.9)
    parser.add_argument("--b", type=float, default=0.4)
    parser.add_argument("--seed", type=int, default=13, help="pool order; retrieval.py's --seed")
    args = parser.parse_args()
    padding = read_jsonl(args.padding)
    for name, folder in (("tydiqa-id", args.tydi), ("facqa-news", args.facqa)):
        if folder is None:
            continue
        work = args.output / name
        started = time.perf_counter()
        size = write_pool(folder, padding, work / "pool", args.seed)
        build_index(work / "pool", work / "index", work / "index.log")
        queries = read_jsonl(folder / "queries-dev.jsonl")
        run = args.output / f"{name}.run"
        empty = search_all(work / "index", queries, run, args.k1, args.b)
        print(
            f"{name}: {size} passages, {len(queries)} queries ({empty} found nothing) → {run} "
            f"in {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
