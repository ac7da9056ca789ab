"""Incremental updates on a large archive, and query latency after many small commits.

Usage (from the repository root, bnptsearch installed)::

    python -m benchmarks.updates --sentences ../shared/eval/kumparan-sentences/sentences.jsonl \\
        --passages 100000 [--commits 200] [--workdir DIR]

1. Builds an index of a scale corpus (:mod:`benchmarks.scale_corpus`, JSONL files of 1,000
   articles) of about ``--passages`` passages.
2. A handful of changes, the way a week of work looks: two new files of one article each,
   one article edited and one removed inside 1,000-article files, one small file deleted;
   then ``Index.update``, timed, with the counts it reports; then one more new file through
   ``bnptsearch index`` in a new process.
3. Query latency (p50/p95 of keyword queries, top 10 with highlights) before and after
   ``--commits`` small commits, each ``Index.add`` of one new article, with the number of
   Whoosh segments before and after: Whoosh's merge policy must keep many small commits
   from slowing queries down.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import scale_corpus
from bnptsearch import Index


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def _latency(index: Index, queries: list[str]) -> tuple[float, float]:
    for query in queries[:20]:  # warm caches
        index.search(query)
    timings = []
    for query in queries:
        started = time.perf_counter()
        index.search(query)
        timings.append((time.perf_counter() - started) * 1000)
    return _percentiles(timings)


def _segments(index: Index) -> int:
    return len(index.searcher().whoosh.reader().leaf_readers())


def _article_file(folder: Path, sentences: list[str], number: int) -> Path:
    article, _ = next(scale_corpus.generate(sentences, 1, seed=50_000 + number, start=8_000_000 + number))
    path = folder / f"new-{number:04d}.jsonl"
    path.write_text(json.dumps(article, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _edit_lines(path: Path, change) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(change(lines)) + "\n", encoding="utf-8")


def _queries(corpus: Path, count: int) -> list[str]:
    words = []
    for line in (corpus / "articles-0000.jsonl").read_text(encoding="utf-8").splitlines()[:200]:
        words.extend(w.lower() for w in json.loads(line)["text"].split() if w.isalpha() and len(w) > 4)
    rng = random.Random(7)
    return [" ".join(rng.sample(words, rng.randint(2, 4))) for _ in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=Path, required=True)
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--commits", type=int, default=200)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bnpt-updates-"))
    corpus, index_dir, extra = workdir / "corpus", workdir / "index", workdir / "extra"
    extra.mkdir(parents=True, exist_ok=True)
    sentences = scale_corpus.load_sentences(args.sentences)
    scale_corpus.write_corpus(sentences, args.passages, corpus, per_file=1000)
    # A small file that the handful of changes will delete.
    _article_file(corpus, sentences, 9999).rename(corpus / "small-to-delete.jsonl")
    started = time.perf_counter()
    index, report = Index.build(corpus, index_dir)
    print(f"built {report.articles} articles, {report.passages} passages in {time.perf_counter() - started:.1f} s")

    _article_file(corpus, sentences, 1)
    _article_file(corpus, sentences, 2)
    _edit_lines(corpus / "articles-0003.jsonl", lambda lines: lines[:-1])  # an article removed
    _edit_lines(  # an article edited
        corpus / "articles-0005.jsonl",
        lambda lines: [lines[0].replace('"text": "', '"text": "Pembaruan: ', 1), *lines[1:]],
    )
    (corpus / "small-to-delete.jsonl").unlink()
    started = time.perf_counter()
    report = index.update(corpus)
    api_seconds = time.perf_counter() - started
    print(
        f"handful of changes, Index.update: {api_seconds:.2f} s — {report.added} added, {report.updated} updated, "
        f"{report.deleted} deleted, {report.unchanged} unchanged"
    )
    _article_file(corpus, sentences, 3)
    started = time.perf_counter()
    cli = subprocess.run(
        [sys.executable, "-m", "bnptsearch", "index", "--corpus", str(corpus), "--index", str(index_dir)],
        capture_output=True,
        text=True,
        check=True,
    )
    print(f"one more file, `bnptsearch index` (new process): {time.perf_counter() - started:.2f} s — {cli.stdout.strip()}")

    queries = _queries(corpus, args.queries)
    before = _latency(index, queries), _segments(index)
    started = time.perf_counter()
    for number in range(args.commits):
        index.add([_article_file(extra, sentences, 100 + number)])
    commit_seconds = (time.perf_counter() - started) / args.commits
    after = _latency(index, queries), _segments(index)
    print(f"\n{args.commits} small commits, {commit_seconds * 1000:.0f} ms each on average\n")
    print("| | keyword p50 ms | keyword p95 ms | segments |")
    print("|---|---|---|---|")
    print(f"| before | {before[0][0]:.1f} | {before[0][1]:.1f} | {before[1]} |")
    print(f"| after {args.commits} commits | {after[0][0]:.1f} | {after[0][1]:.1f} | {after[1]} |")
    print(f"| ratio after/before | {after[0][0] / before[0][0]:.2f} | {after[0][1] / before[0][1]:.2f} | |")
    index.close()


if __name__ == "__main__":
    main()
