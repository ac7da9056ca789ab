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
3. Query latency (p50/p95 of keyword queries, top 10 with highlights) of one long-lived
   ``Index`` (as the web app keeps one): idle; while another process makes ``--commits``
   small commits (each ``Index.add`` of one new article), the reader refreshing to each new
   commit as it queries, first with the writer at the CPU priority of ``bnptsearch add``
   (nice +10), then at that of a plain API caller; and after them, with the number of
   Whoosh segments before and after. Then, as the share that is not the commits' own
   doing, while another process at the API caller's priority only analyzes the same
   articles for as long as its commits took (busy on the other core, committing nothing).
   The ratios to idle are what counts (the goal: within 1.5x under writes); the machine's
   load average is printed with them, since other work on the machine moves all three.

Step 3 alone on an index built elsewhere (a copy: the writer adds ``2 × --commits``
articles to it), e.g. the 1M-passage one of :mod:`benchmarks.perf`, the queries taken from
the scale corpus it was built from::

    python -m benchmarks.updates --sentences … --index COPY --corpus CORPUS --commits 100
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import scale_corpus
from bnptsearch import Index
from bnptsearch.analysis import search_stopwords


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


def _timed_queries(index: Index, queries: list[str], while_running: subprocess.Popen) -> list[float]:
    """Latencies (ms) of ``queries``, cycled, for as long as ``while_running`` runs."""
    timings = []
    number = 0
    while while_running.poll() is None:
        started = time.perf_counter()
        index.search(queries[number % len(queries)])
        timings.append((time.perf_counter() - started) * 1000)
        number += 1
    return timings


# The writer of step 3: one Index.add (one commit) per file named on stdin, at the CPU
# priority of `bnptsearch add` (nice +WRITER_NICENESS) or, with "api", of a plain API caller.
_WRITER = """
import sys
from bnptsearch import Index
from bnptsearch.cli import _lower_priority
if sys.argv[2] == "cli":
    _lower_priority()
with Index.open(sys.argv[1], lock_timeout=60) as index:
    for line in sys.stdin:
        index.add([line.strip()])
"""


# The busy process of step 3: bnptsearch's analyzer over the writer's articles, round and
# round, for argv[1] seconds: the CPU and memory traffic of a writer without its commits.
_BUSY = """
import itertools, json, sys, time
from bnptsearch.analysis import analyze
texts = [json.loads(line)["text"] for line in sys.stdin]
deadline = time.monotonic() + float(sys.argv[1])
for text in itertools.cycle(texts):
    analyze(text)
    if time.monotonic() > deadline:
        break
"""


def _under_busy(index: Index, queries: list[str], files: list[Path], seconds: float) -> tuple[float, float]:
    """(p50, p95) of queries while another process analyzes ``files``' text for ``seconds``."""
    busy = subprocess.Popen([sys.executable, "-c", _BUSY, str(seconds)], stdin=subprocess.PIPE, text=True)
    busy.stdin.write("".join(file.read_text(encoding="utf-8") for file in files))
    busy.stdin.close()
    latency = _percentiles(_timed_queries(index, queries, busy))
    if busy.wait() != 0:
        raise SystemExit("the busy process failed")
    return latency


def _under_writes(index: Index, index_dir: Path, queries: list[str], files: list[Path], priority: str):
    """(p50, p95) of queries while another process adds ``files``, one commit each; and
    the seconds per commit."""
    started = time.perf_counter()
    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(index_dir), priority], stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    writer.stdin.write("".join(f"{file}\n" for file in files))
    writer.stdin.close()
    latency = _percentiles(_timed_queries(index, queries, writer))
    if writer.wait() != 0:
        raise SystemExit(f"the writer failed: {writer.stderr.read()}")
    return latency, (time.perf_counter() - started) / len(files)


def _load() -> str:
    return "load average " + " ".join(f"{value:.1f}" for value in os.getloadavg())


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
    queries: list[str] = []
    while len(queries) < count:
        query = rng.sample(words, rng.randint(2, 4))
        if not set(query) <= search_stopwords():  # a query of stopwords alone is an error
            queries.append(" ".join(query))
    return queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=Path, required=True)
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--commits", type=int, default=200)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument(
        "--latency-only", action="store_true", help="only step 3, on the index an earlier run left in --workdir"
    )
    parser.add_argument("--index", type=Path, help="only step 3, on this existing index (it gets the writer's articles)")
    parser.add_argument("--corpus", type=Path, help="with --index: the scale corpus it was built from (query words)")
    args = parser.parse_args()
    if args.index and not args.corpus:
        parser.error("--index needs --corpus")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bnpt-updates-"))
    corpus, index_dir, extra = workdir / "corpus", workdir / "index", workdir / "extra"
    if args.index:
        corpus, index_dir = args.corpus, args.index
    shutil.rmtree(extra, ignore_errors=True)
    extra.mkdir(parents=True)
    sentences = scale_corpus.load_sentences(args.sentences)
    if args.latency_only or args.index:
        index = Index.open(index_dir)
    else:
        index = _build_and_change(sentences, args.passages, corpus, index_dir)
    _latency_under_writes(index, index_dir, _queries(corpus, args.queries), sentences, extra, args.commits)


def _build_and_change(sentences: list[str], passages: int, corpus: Path, index_dir: Path) -> Index:
    """Steps 1 and 2: the scale index, and a handful of changes to it."""
    scale_corpus.write_corpus(sentences, passages, corpus, per_file=1000)
    # A small file that the handful of changes will delete.
    _article_file(corpus, sentences, 9999).rename(corpus / "small-to-delete.jsonl")
    started = time.perf_counter()
    index, report = Index.build(corpus, index_dir)
    print(f"built {report.articles} articles, {report.passages} passages in {time.perf_counter() - started:.1f} s")

    _article_file(corpus, sentences, 1)
    _article_file(corpus, sentences, 2)
    archives = sorted(corpus.glob("articles-*.jsonl"))
    _edit_lines(archives[-1], lambda lines: lines[:-1])  # an article removed
    _edit_lines(  # an article edited
        archives[len(archives) // 2],
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
    return index


def _latency_under_writes(
    index: Index, index_dir: Path, queries: list[str], sentences: list[str], extra: Path, commits: int
) -> None:
    """Step 3: query latency idle, while another process commits, and after."""
    files = [_article_file(extra, sentences, 100 + number) for number in range(2 * commits)]
    print(f"\nidle: {_load()}")
    idle = _latency(index, queries), _segments(index)
    rows = [("idle", idle[0], idle[1])]
    for priority, batch in (("cli", files[:commits]), ("api", files[commits:])):
        during, seconds = _under_writes(index, index_dir, queries, batch, priority)
        label = "`bnptsearch add` (nice +10)" if priority == "cli" else "an API caller (nice 0)"
        print(f"under writes by {label}: {_load()}; {seconds * 1000:.0f} ms a commit")
        rows.append((f"during {commits} commits by {label}", during, ""))
    after = _latency(index, queries), _segments(index)
    print(f"after: {_load()}")
    rows.append((f"after the {2 * commits} commits", after[0], after[1]))
    busy = _under_busy(index, queries, files[commits:], seconds * commits)
    print(f"beside a busy process (nice 0): {_load()}")
    rows.append((f"beside a process analyzing the same articles for {seconds * commits:.0f} s, no commits", busy, ""))
    print("\n| | keyword p50 ms | keyword p95 ms | p50 / idle | p95 / idle | segments |")
    print("|---|---|---|---|---|---|")
    for label, (p50, p95), segments in rows:
        print(f"| {label} | {p50:.1f} | {p95:.1f} | {p50 / idle[0][0]:.2f} | {p95 / idle[0][1]:.2f} | {segments} |")
    # The busy run reads the index as it is after the commits: "after" is its idle.
    print(f"\nbeside the busy process / after: p50 x{busy[0] / after[0][0]:.2f}, p95 x{busy[1] / after[0][1]:.2f}")
    index.close()


if __name__ == "__main__":
    main()
