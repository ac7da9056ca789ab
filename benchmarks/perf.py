"""Performance of bnptsearch against a plain Whoosh baseline, on generated corpora of any size.

For each ``--sizes`` value (target passages) a seeded scale corpus is generated
(:mod:`benchmarks.scale_corpus`) and indexed twice: by bnptsearch (``Index.build``) and by
the *baseline*, a plain Whoosh index of the same passages (``load_corpus`` +
``split_passages``) with ``StandardAnalyzer()`` and Whoosh defaults (a stored TEXT field and a
stored ID, ``ix.writer()``, ``commit()``, BM25F, ``QueryParser("text", group=OrGroup)``).
Measured, each as min / median / max over ``--repeat`` runs, with the ratio against the
baseline measured in the same run and the growth from the smallest to the largest size:

- index build: passages/s, wall and CPU seconds (both from the corpus folder to the committed
  index, in a child process), peak RSS of that child (``getrusage(RUSAGE_CHILDREN)`` in a
  wrapper process that runs only that child), index size on disk;
- warm query latency p50/p95/p99: bnptsearch ``Index.search(q, limit=10)`` (ranking, spans,
  rendered highlights) vs baseline ``searcher.search(q, limit=10)`` + ``hit.highlights("text")``,
  for keyword queries (2–4 content words of the corpus vocabulary, seeded) and for
  natural-language questions (TyDi QA dev questions, seeded sample);
- CLI cold start: wall of ``bnptsearch query "RAN PE Banten" --index IDX`` as a new process,
  on the seed corpus (``corpus/``) and on each size's index, vs ``python -c "pass"`` and
  ``python -c "import whoosh.index"``;
- incremental update: adding one article (a new JSONL file in the corpus folder, then
  ``Index.update`` and ``bnptsearch index``) and an update with nothing changed, vs the
  baseline adding the article's passages with ``writer()`` + ``commit()``.

Run from the repository root (bnptsearch installed, e.g. ``pip install -e .``)::

    python benchmarks/perf.py \\
        --sentences ../shared/eval/kumparan-sentences/sentences.jsonl \\
        --tydi-queries ../shared/eval/tydiqa-id/queries-dev.jsonl \\
        --sizes 10000 100000 --repeat 3 1 --output benchmarks/results/perf.md

Query side only, on an index already built (no build, no update; nothing is written to it)::

    python benchmarks/perf.py --reuse-index ../cache/perf/index-bnpt-1000000 \
        --reuse-baseline ../cache/perf/index-base-1000000 --queries ../cache/perf/queries.json \
        --references-corpus ../cache/perf/corpus-1000000 --workdir ../cache/refs --output q.md

measures, per system: the time to open the index, warm p50/p95/p99 of each query set (top
10 with highlights; ``--query-passes`` timed passes after a first, warm-up pass, whose
latencies are reported too), the query process's peak RSS and its RSS after all queries,
and the cold CLI query (``--cli-runs 0``: none, and nothing is written to the index).
bnptsearch's cache of decoded posting blocks is emptied before every pass, so a timed query
finds only what the queries before it in the same pass left, never its own blocks from the
pass before; the OS page cache stays warm. Its hit rate in each timed pass is reported. With
``--references-corpus`` (the corpus the index was built from), tantivy (``pip install
tantivy``; a row skipped with the reason when it is missing) and SQLite FTS5 (the standard
library's ``sqlite3``) index its passages in ``--workdir`` and answer the same queries,
as references measured in the same run.

``--repeat`` takes one count for every size or one per size. ``--workdir`` keeps the
generated corpora and indexes (default: a temporary folder, removed afterwards); a corpus
already there with the same parameters is reused. ``--profile DIR`` instead runs cProfile
on one bnptsearch build and one query pass at the largest size and writes ``.prof`` files
and top-function summaries to DIR; with ``--reuse-index`` and ``--queries``, on one query
pass (after a warm-up pass) over that index only.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import math
import os
import platform
import pstats
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale_corpus  # noqa: E402 - found through the path set just above

SEED_QUERY = "RAN PE Banten"
TARGETS_NOTE = "targets: 2-core machine, 100k passages"


# ============================================================================ children
# Each measurement runs in a fresh process: ``perf.py _rss CMD...`` runs CMD as its only
# child and reports that child's peak RSS and CPU; ``perf.py _child KIND ...`` does the work
# and prints one JSON object on its last stdout line.


def _rss_wrapper(cmd: list[str]) -> int:
    completed = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=False)
    if completed.returncode != 0:
        print(completed.stdout, end="")
        return completed.returncode
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    result["maxrss_mb"] = usage.ru_maxrss / 1024  # Linux: KiB
    result["child_cpu"] = usage.ru_utime + usage.ru_stime
    print(json.dumps(result))
    return 0


def _baseline_schema():
    from whoosh.analysis import StandardAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    return Schema(pid=ID(stored=True, unique=True), text=TEXT(analyzer=StandardAnalyzer(), stored=True))


def _baseline_documents(corpus: str):
    from bnptsearch import load_corpus
    from bnptsearch.passages import split_passages

    for article in load_corpus(corpus).articles:
        for passage in split_passages(article.body):
            yield {"pid": f"{article.doc_id}#{passage.number}", "text": passage.text}


class _FolderWatch:
    """The largest size ``folder`` reaches while the block runs (sampled every 0.25 s from a
    thread): an index plus the temporary files of building it (sorting runs, segments not
    yet merged, compound files being assembled)."""

    def __init__(self, folder: str):
        self.folder, self.peak, self._stop = folder, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _size(self) -> int:
        total = 0
        for root, _, files in os.walk(self.folder):
            for name in files:
                with contextlib.suppress(OSError):
                    total += os.lstat(os.path.join(root, name)).st_size
        return total

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            self.peak = max(self.peak, self._size())

    def __enter__(self) -> _FolderWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._size())


def _written() -> dict:
    """Bytes this process has written so far: ``wchar`` (passed to write(), temporary files
    deleted before they reach the disk included) and ``write_bytes`` (sent to the disk)."""
    try:
        fields = dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())
    except OSError:  # not Linux
        return {}
    return {"wchar": int(fields["wchar"]), "write_bytes": int(fields["write_bytes"])}


def _build_io(index: str, build) -> dict:
    """Runs ``build()`` (which writes ``index``), returning its wall and CPU seconds, the bytes
    written and the largest size of the ``index`` folder meanwhile. CPU and bytes include the
    build's worker processes (``--jobs``: ``RUSAGE_CHILDREN``, and ``/proc/self/io`` counts
    the children it has waited for); ``maxrss_parent_mb`` is this process's peak RSS and
    ``maxrss_worker_mb`` the largest worker's (the wrapper's ``maxrss_mb`` is the larger)."""
    before = _written()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall, cpu = time.perf_counter(), time.process_time()
    with _FolderWatch(index) as watch:
        result = build()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    after = _written()
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_cpu = workers.ru_utime + workers.ru_stime - children.ru_utime - children.ru_stime
    written = {key: after[key] - before[key] for key in after}
    return {"wall": wall, "cpu": cpu + worker_cpu, "worker_cpu": worker_cpu, "peak_folder_mb": watch.peak / 1e6,
            "maxrss_parent_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "maxrss_worker_mb": workers.ru_maxrss / 1024,
            **{f"{key}_gb": value / 1e9 for key, value in written.items()}, **result}


def _child_build_bnpt(corpus: str, index: str, jobs: str = "") -> dict:
    """``Index.build`` with ``jobs`` worker processes ("": the default)."""
    from bnptsearch import Index

    def build() -> dict:
        ix, report = Index.build(corpus, index, jobs=int(jobs) if jobs else None)
        segments = len(ix._ix._read_toc().segments)  # from the TOC: opening a searcher is not the build's
        ix.close()
        return {"passages": report.passages, "articles": report.articles, "segments": segments}

    return _build_io(index, build)


def _child_build_base(corpus: str, index: str) -> dict:
    from whoosh import index as whoosh_index

    def build() -> dict:
        ix = whoosh_index.create_in(index, _baseline_schema())
        writer = ix.writer()
        passages = 0
        for document in _baseline_documents(corpus):
            writer.add_document(**document)
            passages += 1
        writer.commit()
        ix.close()
        return {"passages": passages}

    os.makedirs(index, exist_ok=True)
    return _build_io(index, build)


def _time_queries(run_one, queries: list[str], repeat: int, cache: Any = None) -> dict:
    """A first pass, then ``repeat`` timed passes; latencies in milliseconds, the first
    pass's too (``cold``: the first queries of the process pay for what it opens).

    ``cache``: bnptsearch's decoded-block cache (``Index.block_cache``), emptied before
    every pass, so that a timed query finds only what the queries before it in that pass
    left (as a new query would), not its own blocks from the pass before; the OS page
    cache stays warm. Its hit rate in each timed pass is reported too.
    """

    def one_pass() -> tuple[list[float], list[float], int]:
        if cache is not None:
            cache.clear()
        latencies, cpu, errors = [], [], 0
        for query in queries:
            started, started_cpu = time.perf_counter(), time.process_time()
            # A query that fails still took its time; the latency counts either way.
            try:
                run_one(query)
            except Exception:  # noqa: BLE001 - counted, not fatal
                errors += 1
            latencies.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        return latencies, cpu, errors

    cold, cold_cpu, errors = one_pass()
    runs, cpu_runs, hit_rates = [], [], []
    for _ in range(repeat):
        latencies, cpu, _ = one_pass()
        runs.append(latencies)
        cpu_runs.append(cpu)
        if cache is not None:
            hit_rates.append(cache.stats().hit_rate)
    # CPU time too: on a shared machine (load well above the cores) wall times mostly
    # measure the wait for a core.
    return {"runs": runs, "cpu_runs": cpu_runs, "errors": errors, "cold": cold, "cold_cpu": cold_cpu, "hit_rates": hit_rates}


def _rss_now_mb() -> float:
    """This process's resident memory now (VmRSS), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _child_query_bnpt(index: str, queries_file: str, repeat: int) -> dict:
    from bnptsearch import Index

    sets = json.loads(Path(queries_file).read_text(encoding="utf-8"))
    started = time.perf_counter()
    ix = Index.open(index, read_only=True)  # a benchmark writes nothing, not even the acronym cache
    ix.searcher()  # opening means being ready to search: the segments' readers too
    opened = time.perf_counter() - started

    def run_one(query: str) -> int:
        hits = ix.search(query, limit=10).hits
        for hit in hits:
            hit.highlighted  # noqa: B018 - the rendered highlight is part of the answer
        return len(hits)

    # The cache of decoded blocks, where the code measured has one (main before it had not).
    cache = getattr(ix, "block_cache", None)
    out: dict = {name: _time_queries(run_one, queries, repeat, cache) for name, queries in sets.items()}
    out["open_s"], out["rss_after_mb"] = opened, _rss_now_mb()
    ix.close()
    return out


def _child_query_base(index: str, queries_file: str, repeat: int) -> dict:
    from whoosh import index as whoosh_index
    from whoosh.qparser import OrGroup, QueryParser

    sets = json.loads(Path(queries_file).read_text(encoding="utf-8"))
    started = time.perf_counter()
    ix = whoosh_index.open_dir(index)
    searcher = ix.searcher()
    opened = time.perf_counter() - started
    parser = QueryParser("text", ix.schema, group=OrGroup)

    def run_one(query: str) -> int:
        results = searcher.search(parser.parse(query), limit=10)
        for hit in results:
            hit.highlights("text")
        return len(results)

    out: dict = {name: _time_queries(run_one, queries, repeat) for name, queries in sets.items()}
    out["open_s"], out["rss_after_mb"] = opened, _rss_now_mb()
    searcher.close()
    ix.close()
    return out


# ---------------------------------------------------------------- references (optional)
# The same passages in two other engines, built and queried in the same run: tantivy (a
# Rust engine, ``pip install tantivy``) and SQLite FTS5 (in the standard library's sqlite3).
# Default analyzers, BM25, top 10 with a highlighted snippet, the query's words OR-ed.

_QUERY_WORD = re.compile(r"\w+")


def _reference_missing(system: str) -> str | None:
    """Why ``system`` cannot run here, or None."""
    if system == "tantivy":
        try:
            import tantivy  # noqa: F401
        except ImportError:
            return "tantivy is not installed (pip install tantivy)"
    if system == "fts5":
        import sqlite3

        try:
            sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE t USING fts5(x)")
        except sqlite3.Error as error:
            return f"this sqlite3 has no FTS5 ({error})"
    return None


def _child_build_tantivy(corpus: str, index: str) -> dict:
    import tantivy

    wall, cpu = time.perf_counter(), time.process_time()
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("pid", stored=True, tokenizer_name="raw")
    builder.add_text_field("text", stored=True)
    os.makedirs(index, exist_ok=True)
    ix = tantivy.Index(builder.build(), path=index)
    writer = ix.writer(heap_size=256_000_000, num_threads=2)
    passages = 0
    for document in _baseline_documents(corpus):
        writer.add_document(tantivy.Document(**document))
        passages += 1
    writer.commit()
    writer.wait_merging_threads()
    return {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "passages": passages}


def _child_build_fts5(corpus: str, index: str) -> dict:
    import sqlite3

    wall, cpu = time.perf_counter(), time.process_time()
    os.makedirs(index, exist_ok=True)
    db = sqlite3.connect(os.path.join(index, "passages.db"))
    db.execute("CREATE VIRTUAL TABLE passages USING fts5(pid UNINDEXED, text)")
    passages = 0
    with db:
        for document in _baseline_documents(corpus):
            db.execute("INSERT INTO passages VALUES (?, ?)", (document["pid"], document["text"]))
            passages += 1
    db.execute("INSERT INTO passages(passages) VALUES ('optimize')")
    db.commit()
    db.close()
    return {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "passages": passages}


def _child_query_tantivy(index: str, queries_file: str, repeat: int) -> dict:
    import tantivy

    sets = json.loads(Path(queries_file).read_text(encoding="utf-8"))
    started = time.perf_counter()
    ix = tantivy.Index.open(index)
    searcher = ix.searcher()
    opened = time.perf_counter() - started

    def run_one(query: str) -> int:
        parsed = ix.parse_query(" ".join(_QUERY_WORD.findall(query)) or "a", ["text"])
        snippets = tantivy.SnippetGenerator.create(searcher, parsed, ix.schema, "text")
        hits = searcher.search(parsed, 10).hits
        for _, address in hits:
            snippets.snippet_from_doc(searcher.doc(address)).to_html()
        return len(hits)

    out: dict = {name: _time_queries(run_one, queries, repeat) for name, queries in sets.items()}
    out["open_s"], out["rss_after_mb"] = opened, _rss_now_mb()
    return out


def _child_query_fts5(index: str, queries_file: str, repeat: int) -> dict:
    import sqlite3

    sets = json.loads(Path(queries_file).read_text(encoding="utf-8"))
    started = time.perf_counter()
    db = sqlite3.connect(f"file:{os.path.join(index, 'passages.db')}?mode=ro", uri=True)
    db.execute("SELECT count(*) FROM passages WHERE passages MATCH 'a'").fetchall()
    opened = time.perf_counter() - started
    sql = "SELECT pid, snippet(passages, 1, '[', ']', '…', 16) FROM passages WHERE passages MATCH ? ORDER BY rank LIMIT 10"

    def run_one(query: str) -> int:
        words = " OR ".join(f'"{word}"' for word in _QUERY_WORD.findall(query)) or '"a"'
        return len(db.execute(sql, (words,)).fetchall())

    out: dict = {name: _time_queries(run_one, queries, repeat) for name, queries in sets.items()}
    out["open_s"], out["rss_after_mb"] = opened, _rss_now_mb()
    db.close()
    return out


def _child_update_bnpt(index: str, corpus: str, article_file: str, outside_file: str) -> dict:
    """Times ``Index.update`` with nothing changed, then after ``article_file`` is written;
    then ``Index.add`` of ``outside_file`` (a file outside the corpus, indexed where it is)
    and ``Index.remove`` of its article, which leaves the index as the update left it."""
    from bnptsearch import Index

    ix = Index.open(index)
    started = time.perf_counter()
    report = ix.update(corpus)
    unchanged = time.perf_counter() - started
    assert not report.changed, report
    source = Path(article_file)
    target = Path(corpus) / source.name
    shutil.copyfile(source, target)
    started = time.perf_counter()
    report = ix.update(corpus)
    added = time.perf_counter() - started
    assert report.added == 1, report
    started = time.perf_counter()
    report = ix.add([outside_file])
    add_file = time.perf_counter() - started
    assert report.added == 1, report
    started = time.perf_counter()
    report = ix.remove([json.loads(Path(outside_file).read_text(encoding="utf-8"))["id"]])
    removed = time.perf_counter() - started
    assert report.deleted == 1, report
    ix.close()
    return {"unchanged": unchanged, "added": added, "add_file": add_file, "removed": removed}


def _child_update_base(index: str, article_file: str) -> dict:
    from whoosh import index as whoosh_index

    from bnptsearch import read_file
    from bnptsearch.passages import split_passages

    started = time.perf_counter()
    ix = whoosh_index.open_dir(index)
    writer = ix.writer()
    for article in read_file(article_file).articles:
        for passage in split_passages(article.body):
            writer.add_document(pid=f"{article.doc_id}#{passage.number}", text=passage.text)
    writer.commit()
    ix.close()
    return {"added": time.perf_counter() - started}


def _child_profile(kind: str, corpus: str, index: str, queries_file: str, out: str) -> dict:
    from bnptsearch import Index

    profiler = cProfile.Profile()
    if kind == "build":
        profiler.enable()
        # One process: cProfile sees only its own, and worker processes would hide the writing.
        Index.build(corpus, index, jobs=1)[0].close()
        profiler.disable()
    else:
        sets = json.loads(Path(queries_file).read_text(encoding="utf-8"))
        ix = Index.open(index, read_only=True)  # an index reused as it is: nothing written
        queries = [q for qs in sets.values() for q in qs]
        for query in queries:  # warm, as in the latency measurement
            ix.search(query, limit=10)
        if hasattr(ix, "block_cache"):  # as in the latency measurement: no query finds its own blocks
            ix.block_cache.clear()
        profiler.enable()
        for query in queries:
            for hit in ix.search(query, limit=10).hits:
                hit.highlighted  # noqa: B018
        profiler.disable()
        ix.close()
    profiler.dump_stats(out)
    return {"profile": out}


def _child_main(argv: list[str]) -> int:
    kind, args = argv[0], argv[1:]
    functions = {
        "build-bnpt": lambda: _child_build_bnpt(*args),
        "build-base": lambda: _child_build_base(*args),
        "query-bnpt": lambda: _child_query_bnpt(args[0], args[1], int(args[2])),
        "query-base": lambda: _child_query_base(args[0], args[1], int(args[2])),
        "build-tantivy": lambda: _child_build_tantivy(*args),
        "build-fts5": lambda: _child_build_fts5(*args),
        "query-tantivy": lambda: _child_query_tantivy(args[0], args[1], int(args[2])),
        "query-fts5": lambda: _child_query_fts5(args[0], args[1], int(args[2])),
        "update-bnpt": lambda: _child_update_bnpt(*args),
        "update-base": lambda: _child_update_base(*args),
        "profile": lambda: _child_profile(*args),
    }
    print(json.dumps(functions[kind]()))
    return 0


# ============================================================================ parent helpers


def _run_child(kind: str, *args: str) -> dict:
    cmd = [sys.executable, __file__, "_rss", sys.executable, __file__, "_child", kind, *map(str, args)]
    completed = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"child {kind} failed (exit {completed.returncode}):\n{completed.stdout}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _wall(cmd: list[str], runs: int, **kwargs) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, **kwargs)
        times.append(time.perf_counter() - started)
    return times


def _dir_size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _bnptsearch_cli() -> list[str]:
    script = Path(sys.executable).parent / "bnptsearch"
    if script.exists():
        return [str(script)]
    found = shutil.which("bnptsearch")
    if found:
        return [found]
    raise SystemExit("the bnptsearch command is not installed (pip install -e .)")


def machine() -> dict:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    try:
        from importlib.metadata import version

        whoosh_version = version("Whoosh-Reloaded")
    except Exception:  # noqa: BLE001
        import whoosh

        whoosh_version = ".".join(map(str, whoosh.versioninfo))
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        commit = ""
    if not commit:
        marker = ROOT / ".commit"  # a snapshot made with `git archive` (see the README)
        commit = marker.read_text().strip() if marker.is_file() else "?"
    import bnptsearch

    commit = f"{bnptsearch.__version__} ({commit})"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram": ram,
        "python": platform.python_version(),
        "os": platform.platform(),
        "whoosh": whoosh_version,
        "commit": commit or "?",
    }


# ============================================================================ queries

_CONTENT_WORD = re.compile(r"[^\W\d_]{3,}")


def keyword_queries(corpus: Path, count: int, seed: int) -> list[str]:
    """``count`` queries of 2–4 content words of the corpus, drawn with weight √frequency.

    Content words: alphabetic, 3+ letters, not a Tala stopword, in at least 5 articles.
    √frequency sits between uniform over the vocabulary (mostly rare words: cheap queries)
    and by token frequency (mostly very common words: the most expensive queries).
    """
    from bnptsearch import load_corpus
    from bnptsearch.analysis import stopwords

    stop = stopwords()
    document_frequency: Counter[str] = Counter()
    frequency: Counter[str] = Counter()
    for article in load_corpus(corpus).articles:
        words = [w.lower() for w in _CONTENT_WORD.findall(article.body)]
        words = [w for w in words if w not in stop]
        frequency.update(words)
        document_frequency.update(set(words))
    vocabulary = sorted(w for w, n in document_frequency.items() if n >= 5)
    weights = [frequency[w] ** 0.5 for w in vocabulary]
    rng = random.Random(seed)
    queries = []
    while len(queries) < count:
        words = rng.choices(vocabulary, weights, k=rng.randint(2, 4))
        if len(set(words)) == len(words):
            queries.append(" ".join(words))
    return queries


def question_queries(path: str, count: int, seed: int) -> list[str]:
    with open(path, encoding="utf-8") as file:
        questions = [" ".join(json.loads(line)["query"].split()) for line in file if line.strip()]
    return random.Random(seed).sample(questions, min(count, len(questions)))


# ============================================================================ benchmark


class Stat:
    """min / median / max of repeated measurements."""

    def __init__(self, values: list[float]):
        self.values = list(values)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def format(self, fmt: str) -> str:
        if len(self.values) == 1:
            return format(self.values[0], fmt)
        return f"{format(self.median, fmt)} ({format(min(self.values), fmt)}–{format(max(self.values), fmt)})"


def prepare_corpus(workdir: Path, sentences: list[str], sentences_path: str, size: int, seed: int) -> Path:
    corpus = workdir / f"corpus-{size}"
    params = {"sentences": str(Path(sentences_path).resolve()), "passages": size, "seed": seed, "v": 1}
    marker = corpus / ".params.json"
    if marker.is_file() and json.loads(marker.read_text()) == params:
        for extra in corpus.glob("zz-perf-*.jsonl"):
            extra.unlink()
        return corpus
    articles, passages, files = scale_corpus.write_corpus(sentences, size, corpus, seed=seed)
    for extra in corpus.glob("zz-perf-*.jsonl"):
        extra.unlink()
    marker.write_text(json.dumps(params))
    print(f"  generated {articles} articles (~{passages} passages) in {files} files", file=sys.stderr)
    return corpus


def new_article_file(workdir: Path, sentences: list[str], number: int) -> Path:
    article, _ = next(scale_corpus.generate(sentences, 1, seed=10_000 + number, start=9_000_000 + number))
    path = workdir / f"zz-perf-added-{number:04d}.jsonl"
    path.write_text(json.dumps(article, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def run_size(workdir: Path, corpus: Path, size: int, repeat: int, queries_file: Path, sentences: list[str],
             cli_runs: int, log) -> dict:
    out: dict = {"repeat": repeat}
    builds: dict[str, list[dict]] = {"bnpt": [], "base": []}
    sizes: dict[str, list[float]] = {"bnpt": [], "base": []}
    for run in range(repeat):
        for system in ("base", "bnpt"):
            index = workdir / f"index-{system}-{size}"
            shutil.rmtree(index, ignore_errors=True)
            result = _run_child(f"build-{system}", corpus, index)
            builds[system].append(result)
            sizes[system].append(_dir_size_mb(index))
            log(f"  build {system} #{run + 1}: {result['passages']} passages, {result['wall']:.1f} s wall, "
                f"{result['maxrss_mb']:.0f} MB peak RSS; load average {os.getloadavg()[0]:.2f}")
    out["passages"] = builds["bnpt"][-1]["passages"]
    out["articles"] = builds["bnpt"][-1]["articles"]
    for system in ("bnpt", "base"):
        b = builds[system]
        out[f"build_rate_{system}"] = Stat([r["passages"] / r["wall"] for r in b])
        out[f"build_wall_{system}"] = Stat([r["wall"] for r in b])
        out[f"build_cpu_{system}"] = Stat([r["cpu"] for r in b])
        out[f"build_rss_{system}"] = Stat([r["maxrss_mb"] for r in b])
        out[f"index_mb_{system}"] = Stat(sizes[system])

    for system in ("base", "bnpt"):
        result = _run_child(f"query-{system}", workdir / f"index-{system}-{size}", queries_file, repeat)
        result = {name: data for name, data in result.items() if isinstance(data, dict)}
        for name, data in result.items():
            for p in (50, 95, 99):
                out[f"q_{name}_p{p}_{system}"] = Stat([_percentile(r, p) for r in data["runs"]])
            out[f"q_{name}_errors_{system}"] = data["errors"]
        log(f"  queries {system}: " + ", ".join(
            f"{n} p50 {out[f'q_{n}_p50_{system}'].median:.1f} ms" for n in result))

    cli = _bnptsearch_cli()
    bnpt_index = workdir / f"index-bnpt-{size}"
    _wall([*cli, "query", SEED_QUERY, "--index", str(bnpt_index)], 1)  # writes the acronym cache
    out["cli_cold_bnpt"] = Stat(_wall([*cli, "query", SEED_QUERY, "--index", str(bnpt_index)], cli_runs))
    log(f"  CLI cold query: {out['cli_cold_bnpt'].median:.3f} s")

    updates: dict[str, list[float]] = {"unchanged": [], "added": [], "add_file": [], "removed": [],
                                       "cli_unchanged": [], "cli_added": [], "base": []}
    added_files = []
    for run in range(repeat):
        article = new_article_file(workdir, sentences, 3 * run)
        added_files.append(corpus / article.name)
        result = _run_child("update-bnpt", bnpt_index, corpus, article, new_article_file(workdir, sentences, 3 * run + 2))
        for key in ("unchanged", "added", "add_file", "removed"):
            updates[key].append(result[key])
        updates["base"].append(_run_child("update-base", workdir / f"index-base-{size}", article)["added"])
        updates["cli_unchanged"] += _wall([*cli, "index", "--corpus", str(corpus), "--index", str(bnpt_index)], 1)
        article = new_article_file(workdir, sentences, 3 * run + 1)
        shutil.copyfile(article, corpus / article.name)
        added_files.append(corpus / article.name)
        updates["cli_added"] += _wall([*cli, "index", "--corpus", str(corpus), "--index", str(bnpt_index)], 1)
    for path in added_files:
        path.unlink()
    _wall([*cli, "index", "--corpus", str(corpus), "--index", str(bnpt_index)], 1)  # back to the corpus
    for key, values in updates.items():
        out[f"update_{key}"] = Stat(values)
    log(f"  update: add one article {out['update_added'].median:.2f} s (API), "
        f"{out['update_cli_added'].median:.2f} s (CLI); nothing changed {out['update_unchanged'].median:.2f} s; "
        f"Index.add of one file {out['update_add_file'].median:.2f} s, Index.remove {out['update_removed'].median:.2f} s")
    return out


def run_build_side(workdir: Path, corpus: Path, size: int, repeat: int, sentences: list[str], log) -> dict:
    """The build side only (``--build-only``): a full build by bnptsearch and by the baseline
    (CPU, wall, peak RSS, bytes written, peak folder size, size on disk), then adding one
    article to each (wall and peak RSS of the process that opens the index and adds it)."""
    out: dict = {"repeat": repeat}
    for run in range(repeat):
        for system in ("base", "bnpt"):
            index = workdir / f"index-{system}-{size}"
            shutil.rmtree(index, ignore_errors=True)
            result = _run_child(f"build-{system}", corpus, index)
            result["index_mb"] = _dir_size_mb(index)
            result["temp_ratio"] = result["peak_folder_mb"] / result["index_mb"]
            for key in BUILD_KEYS:
                out.setdefault(f"{key}_{system}", []).append(result[key])
            out["passages"] = result["passages"]
            log(f"  build {system} #{run + 1}: " + ", ".join(f"{key} {result[key]:.2f}" for key in BUILD_KEYS)
                + f"; load average {os.getloadavg()[0]:.2f}")
        article = new_article_file(workdir, sentences, 3 * run)
        outside = new_article_file(workdir, sentences, 3 * run + 2)
        added = _run_child("update-bnpt", workdir / f"index-bnpt-{size}", corpus, article, outside)
        (corpus / article.name).unlink()
        base = _run_child("update-base", workdir / f"index-base-{size}", article)
        # The baseline's one add (a writer, one document, a commit) stands against both.
        for key, value in (("add_s_bnpt", added["added"]), ("add_rss_bnpt", added["maxrss_mb"]),
                           ("add_s_base", base["added"]), ("add_rss_base", base["maxrss_mb"]),
                           ("add_file_s_bnpt", added["add_file"]), ("add_file_s_base", base["added"])):
            out.setdefault(key, []).append(value)
        log(f"  add one article: {added['added']:.2f} s (Index.update), {added['add_file']:.2f} s (Index.add), "
            f"remove it {added['removed']:.2f} s; {added['maxrss_mb']:.0f} MB (baseline {base['added']:.2f} s)")
    _wall([*_bnptsearch_cli(), "index", "--corpus", str(corpus), "--index", str(workdir / f"index-bnpt-{size}")], 1)
    return {key: Stat(value) if isinstance(value, list) else value for key, value in out.items()}


# The build-side figures, as (key, label, format).
BUILD_KEYS = {
    "cpu": ("build: CPU s", ".0f"),
    "wall": ("build: wall s", ".0f"),
    "maxrss_mb": ("build: peak RSS MB", ".0f"),
    "wchar_gb": ("build: written GB (write calls)", ".2f"),
    "write_bytes_gb": ("build: written GB (to disk)", ".2f"),
    "peak_folder_mb": ("build: peak index folder MB", ".0f"),
    "index_mb": ("index size on disk MB", ".0f"),
    "temp_ratio": ("peak folder / index size", ".2f"),
}


def build_report(results: dict[int, dict], info: dict) -> str:
    """The ``--build-only`` table: each figure for bnptsearch and the baseline, their ratio,
    and the growth from the smallest size to the largest."""
    sizes = sorted(results)
    lines = ["# bnptsearch build performance", "",
             f"Load average (1/5/15 min) at start {'/'.join(f'{x:.2f}' for x in info['load_start'])}, "
             f"at end {'/'.join(f'{x:.2f}' for x in info['load_end'])}; {info['cores']} cores; "
             f"bnptsearch {info['commit']}. Baseline: plain Whoosh, StandardAnalyzer, one stored TEXT field.", ""]
    lines += ["| figure | system | " + " | ".join(f"{results[s]['passages']:,} passages" for s in sizes) + " | growth |",
              "|" + "---|" * (len(sizes) + 3)]
    rows = [(key, label, fmt) for key, (label, fmt) in BUILD_KEYS.items()]
    rows += [("add_s", "add one article (`Index.update`): wall s", ".2f"),
             ("add_file_s", "add one article (`Index.add`): wall s", ".2f"),
             ("add_rss", "add one article: peak RSS MB", ".0f")]
    for key, label, fmt in rows:
        for system, name in (("bnpt", "bnptsearch"), ("base", "baseline")):
            stats = [results[s][f"{key}_{system}"] for s in sizes]
            cells = " | ".join(x.format(fmt) for x in stats)
            lines.append(f"| {label} | {name} | {cells} | {_growth(stats[0], stats[-1])} |")
        ratios = [results[s][f"{key}_bnpt"].median / results[s][f"{key}_base"].median
                  if results[s][f"{key}_base"].median else math.nan for s in sizes]
        lines.append(f"| {label} | ratio | " + " | ".join(f"×{r:.2f}" for r in ratios) + " | |")
    return "\n".join(lines) + "\n"


# ============================================================================ report

ROWS = [
    # (key, label, format, higher is better, target (value, 'min'|'max') or None)
    ("build_rate", "build: passages/s", ".0f", True, None),
    ("build_wall", "build: wall s", ".1f", False, None),
    ("build_cpu", "build: CPU s", ".1f", False, None),
    ("build_rss", "build: peak RSS MB", ".0f", False, (1024, "max")),
    ("index_mb", "index size on disk MB", ".1f", False, None),
    ("q_keyword_p50", "keyword query p50 ms", ".1f", False, (10, "max")),
    ("q_keyword_p95", "keyword query p95 ms", ".1f", False, (50, "max")),
    ("q_keyword_p99", "keyword query p99 ms", ".1f", False, None),
    ("q_question_p50", "question p50 ms", ".1f", False, (30, "max")),
    ("q_question_p95", "question p95 ms", ".1f", False, None),
    ("q_question_p99", "question p99 ms", ".1f", False, None),
]


def _growth(first: Stat | None, last: Stat | None) -> str:
    if first is None or last is None or first.median == 0 or first is last:
        return "–"
    return f"×{last.median / first.median:.2f}"


def report(results: dict[int, dict], extras: dict, info: dict, args) -> str:
    sizes = sorted(results)
    largest = sizes[-1]
    lines = ["# bnptsearch performance", ""]
    lines.append(
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['ram']} RAM; Python {info['python']}; "
        f"Whoosh {info['whoosh']}; {info['os']}; bnptsearch {info['commit']}. "
        f"Load average (1/5/15 min) at start {'/'.join(f'{x:.2f}' for x in info['load_start'])}, "
        f"at end {'/'.join(f'{x:.2f}' for x in info['load_end'])}: other processes compete for the cores "
        "when it is well above 1, inflating wall times (CPU times less so)."
    )
    repeats = ", ".join(f"{results[s]['passages']:,} passages ×{results[s]['repeat']}" for s in sizes)
    articles = ", ".join(f"{results[s]['articles']:,} articles" for s in sizes)
    lines.append(
        f"Corpora: scale_corpus seed {args.seed} ({articles}); "
        f"repeats: {repeats}. Cells: median (min–max) over the repeats, a single value when run once. "
        f"Queries: {args.keyword_queries} keyword queries, {args.questions} TyDi questions; one warm-up pass, "
        "then one timed pass per repeat; percentiles per pass. "
        "Ratio = bnptsearch / baseline (medians); growth = largest / smallest size. "
        f"Baseline: plain Whoosh, StandardAnalyzer, defaults. Target column: {TARGETS_NOTE}, checked at the largest size."
    )
    lines.append("")
    header = "| figure | system | " + " | ".join(f"{results[s]['passages']:,} passages" for s in sizes)
    header += " | growth | target |"
    lines += [header, "|" + "---|" * (len(sizes) + 4)]

    def row(label: str, system: str, stats: list[Stat | None], fmt: str, target: str = "") -> None:
        cells = [s.format(fmt) if s is not None else "–" for s in stats]
        lines.append(f"| {label} | {system} | " + " | ".join(cells) + f" | {_growth(stats[0], stats[-1])} | {target} |")

    def ratio_row(label: str, key: str, higher_better: bool, target: str = "") -> None:
        cells = []
        for s in sizes:
            a, b = results[s].get(f"{key}_bnpt"), results[s].get(f"{key}_base")
            cells.append(f"×{a.median / b.median:.2f}" if a and b and b.median else "–")
        note = " (>1 better)" if higher_better else " (<1 better)"
        lines.append(f"| {label} | ratio{note} | " + " | ".join(cells) + f" | | {target} |")

    def verdict(value: float, target: tuple[float, str], unit: str) -> str:
        bound, kind = target
        ok = value <= bound if kind == "max" else value >= bound
        return f"{'≤' if kind == 'max' else '≥'} {bound:g} {unit}: {'met' if ok else 'MISSED'}"

    for key, label, fmt, higher, target in ROWS:
        unit = label.rsplit(" ", 1)[-1]
        target_text = verdict(results[largest][f"{key}_bnpt"].median, target, unit) if target else ""
        if key == "build_rate":
            ratio = results[largest]["build_rate_bnpt"].median / results[largest]["build_rate_base"].median
            target_text = f"≥ ×1.5 baseline: {'met' if ratio >= 1.5 else 'MISSED'}"
        row(label, "bnptsearch", [results[s][f"{key}_bnpt"] for s in sizes], fmt, target_text)
        row(label, "baseline", [results[s][f"{key}_base"] for s in sizes], fmt)
        ratio_row(label, key, higher)

    cli_target = verdict(extras["cli_seed"].median, (0.4, "max"), "s")
    row("CLI cold query wall s (seed corpus)", "bnptsearch", [extras["cli_seed"]] + [None] * (len(sizes) - 1), ".3f", cli_target)
    row("CLI cold query wall s (this size)", "bnptsearch", [results[s]["cli_cold_bnpt"] for s in sizes], ".3f")
    row("`python -c pass` wall s", "baseline", [extras["py_pass"]] + [None] * (len(sizes) - 1), ".3f")
    row("`python -c 'import whoosh.index'` wall s", "baseline", [extras["py_whoosh"]] + [None] * (len(sizes) - 1), ".3f")
    lines.append(
        "| CLI cold query (seed) | ratio vs `import whoosh.index` | "
        f"×{extras['cli_seed'].median / extras['py_whoosh'].median:.2f}"
        + " | –" * (len(sizes) - 1) + " | | |"
    )
    add_target = verdict(results[largest]["update_added"].median, (1.0, "max"), "s")
    row("update: add 1 article, `Index.update` s", "bnptsearch", [results[s]["update_added"] for s in sizes], ".2f", add_target)
    row("update: add 1 article, `bnptsearch index` s", "bnptsearch", [results[s]["update_cli_added"] for s in sizes], ".2f")
    add_file_target = verdict(results[largest]["update_add_file"].median, (1.0, "max"), "s")
    row("add 1 article file, `Index.add` s", "bnptsearch", [results[s]["update_add_file"] for s in sizes], ".2f", add_file_target)
    row("remove 1 article, `Index.remove` s", "bnptsearch", [results[s]["update_removed"] for s in sizes], ".2f")
    row("update: add 1 article (writer+commit) s", "baseline", [results[s]["update_base"] for s in sizes], ".3f")
    lines.append(
        "| update: add 1 article | ratio (<1 better) | "
        + " | ".join(f"×{results[s]['update_added'].median / results[s]['update_base'].median:.1f}" for s in sizes)
        + " | | |"
    )
    row("update: nothing changed, `Index.update` s", "bnptsearch", [results[s]["update_unchanged"] for s in sizes], ".2f")
    row("update: nothing changed, `bnptsearch index` s", "bnptsearch", [results[s]["update_cli_unchanged"] for s in sizes], ".2f")
    errors = {
        s: {k: v for k, v in results[s].items() if "_errors_" in k and v} for s in sizes
    }
    if any(errors.values()):
        lines += ["", f"Query errors (queries that raised): {errors}"]
    lines.append("")
    return "\n".join(lines)


# ============================================================================ main


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_rss":
        return _rss_wrapper(argv[1:])
    if argv and argv[0] == "_child":
        return _child_main(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", help="kumparan sentences JSONL (scale corpus material)")
    parser.add_argument("--tydi-queries", help="TyDi QA queries-dev.jsonl (questions)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000], help="target passages per corpus")
    parser.add_argument("--repeat", type=int, nargs="+", default=[3], help="runs per size: one value, or one per size")
    parser.add_argument("--keyword-queries", type=int, default=300)
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--cli-runs", type=int, default=10, help="cold CLI runs (median of these)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", help="folder for corpora and indexes (default: a temporary folder)")
    parser.add_argument("--output", help="also write the markdown table here")
    parser.add_argument("--profile", metavar="DIR", help="profile one build and one query pass at the largest size instead")
    parser.add_argument("--build-only", action="store_true",
                        help="measure the build side only: builds (CPU, wall, RSS, bytes written, peak folder, "
                        "size) and adding one article")
    reuse = parser.add_argument_group("query side only", "measure an index already built (see above)")
    reuse.add_argument("--reuse-index", type=Path, metavar="DIR", help="a bnptsearch index to measure queries on")
    reuse.add_argument("--reuse-baseline", type=Path, metavar="DIR", help="the plain Whoosh index of the same passages")
    reuse.add_argument("--queries", type=Path, metavar="FILE", help="the queries.json of an earlier run")
    reuse.add_argument("--references-corpus", type=Path, metavar="DIR", help="build tantivy and FTS5 references from it")
    reuse.add_argument("--query-passes", type=int, default=1, help="timed query passes after the warm-up pass")
    args = parser.parse_args(argv)
    if args.reuse_index is not None:
        if args.queries is None:
            parser.error("--reuse-index needs --queries (a queries.json)")
        if args.references_corpus is not None and args.workdir is None:
            parser.error("--references-corpus needs --workdir (where the references are built)")
        if args.profile:
            return profile_queries(args.reuse_index, args.queries, Path(args.profile))
        return queries_only(args)
    if args.sentences is None or args.tydi_queries is None:
        parser.error("--sentences and --tydi-queries are required")
    sizes = sorted(args.sizes)
    if len(args.repeat) not in (1, len(sizes)) or min(args.repeat) < 1:
        parser.error("--repeat takes one positive count, or one per size")
    repeats = dict(zip(sizes, args.repeat if len(args.repeat) == len(sizes) else args.repeat * len(sizes)))

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    temporary = args.workdir is None
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="bnptsearch-perf-")).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        sentences = scale_corpus.load_sentences(args.sentences)
        corpora = {}
        for size in sizes:
            log(f"corpus {size}")
            corpora[size] = prepare_corpus(workdir, sentences, args.sentences, size, args.seed)
        queries_file = workdir / "queries.json"
        queries_file.write_text(json.dumps({
            "keyword": keyword_queries(corpora[sizes[0]], args.keyword_queries, args.seed),
            "question": question_queries(args.tydi_queries, args.questions, args.seed),
        }, ensure_ascii=False))
        if args.profile:
            return profile(workdir, corpora[sizes[-1]], sizes[-1], queries_file, Path(args.profile), log)

        info = machine()
        info["load_start"] = os.getloadavg()
        if args.build_only:
            return _build_only(workdir, corpora, repeats, sentences, info, args, log)
        cli = _bnptsearch_cli()
        seed_index = workdir / "index-seed"
        shutil.rmtree(seed_index, ignore_errors=True)
        subprocess.run([*cli, "index", "--corpus", str(ROOT / "corpus"), "--index", str(seed_index)],
                       check=True, stdout=subprocess.DEVNULL)
        seed_cmd = [*cli, "query", SEED_QUERY, "--index", str(seed_index)]
        _wall(seed_cmd, 1)
        extras = {
            "cli_seed": Stat(_wall(seed_cmd, args.cli_runs)),
            "py_pass": Stat(_wall([sys.executable, "-c", "pass"], args.cli_runs)),
            "py_whoosh": Stat(_wall([sys.executable, "-c", "import whoosh.index"], args.cli_runs)),
        }
        log(f"CLI cold query (seed): {extras['cli_seed'].median:.3f} s")
        results = {}
        for size in sizes:
            log(f"size {size} (repeat {repeats[size]})")
            results[size] = run_size(workdir, corpora[size], size, repeats[size], queries_file, sentences,
                                     args.cli_runs, log)
        info["load_end"] = os.getloadavg()
        table = report(results, extras, info, args)
        print(table)
        if args.output:
            Path(args.output).parent.mkdir(parents=True, exist_ok=True)
            Path(args.output).write_text(table + "\n", encoding="utf-8")
            raw = {str(s): {k: (v.values if isinstance(v, Stat) else v) for k, v in r.items()} for s, r in results.items()}
            raw["extras"] = {k: v.values for k, v in extras.items()}
            raw["machine"] = info
            Path(args.output).with_suffix(".json").write_text(json.dumps(raw, indent=1) + "\n", encoding="utf-8")
        return 0
    finally:
        if temporary:
            shutil.rmtree(workdir, ignore_errors=True)


def _build_only(workdir: Path, corpora: dict, repeats: dict, sentences: list[str], info: dict, args, log) -> int:
    results = {}
    for size in sorted(corpora):
        log(f"size {size} (repeat {repeats[size]}), build side")
        results[size] = run_build_side(workdir, corpora[size], size, repeats[size], sentences, log)
    info["load_end"] = os.getloadavg()
    table = build_report(results, info)
    print(table)
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(table, encoding="utf-8")
    return 0


QUERY_SYSTEMS = ("bnpt", "base", "tantivy", "fts5")
SYSTEM_NAMES = {"bnpt": "bnptsearch", "base": "plain Whoosh", "tantivy": "tantivy", "fts5": "SQLite FTS5"}
# Issue 17's query-side targets at 1M passages.
QUERY_TARGETS = {"p50": 10, "p95": 50, "p99": 150, "rss": 1024, "open": 0.5, "cli": 1.0}


def queries_only(args) -> int:
    """Measures the query side on ``--reuse-index`` (and the references), prints the table."""
    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    load_start = os.getloadavg()
    indexes: dict[str, Path] = {"bnpt": args.reuse_index}
    if args.reuse_baseline is not None:
        indexes["base"] = args.reuse_baseline
    builds: dict[str, dict] = {}
    skipped: dict[str, str] = {}
    if args.references_corpus is not None:
        for system in ("tantivy", "fts5"):
            missing = _reference_missing(system)
            if missing:
                skipped[system] = missing
                log(f"{SYSTEM_NAMES[system]}: skipped, {missing}")
                continue
            index = Path(args.workdir) / f"index-{system}"
            if not index.exists():
                log(f"building {SYSTEM_NAMES[system]} from {args.references_corpus}")
                builds[system] = _run_child(f"build-{system}", args.references_corpus, index)
                builds[system]["size_mb"] = _dir_size_mb(index)
                log(f"  {builds[system]['passages']} passages, {builds[system]['wall']:.1f} s wall, "
                    f"{builds[system]['cpu']:.1f} CPU s, {builds[system]['size_mb']:.0f} MB")
            indexes[system] = index
    measured: dict[str, dict] = {}
    for system, index in indexes.items():
        measured[system] = _run_child(f"query-{system}", index, args.queries, args.query_passes)
        log(f"{SYSTEM_NAMES[system]}: open {measured[system]['open_s']:.3f} s, peak RSS "
            f"{measured[system]['maxrss_mb']:.0f} MB; load average {os.getloadavg()[0]:.2f}")
    # With --cli-runs 0 not even the warm-up run: a command-line query may write to the index
    # (its acronym cache), and an index measured as it is must stay as it is.
    cold = Stat([float("nan")])
    if args.cli_runs:
        command = [*_bnptsearch_cli(), "query", SEED_QUERY, "--index", str(args.reuse_index)]
        _wall(command, 1)
        cold = Stat(_wall(command, args.cli_runs))
    table = report_queries(measured, builds, skipped, cold, args, load_start, os.getloadavg())
    print(table)
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(table + "\n", encoding="utf-8")
    return 0


def report_queries(measured: dict, builds: dict, skipped: dict, cold: Stat, args, load_start, load_end) -> str:
    info = machine()
    systems = [s for s in QUERY_SYSTEMS if s in measured]
    sets = [name for name, data in measured["bnpt"].items() if isinstance(data, dict)]
    count = sum(len(measured["bnpt"][name]["runs"][0]) for name in sets) * (1 + args.query_passes)
    lines = ["# bnptsearch query performance", ""]
    lines.append(
        f"Index: `{args.reuse_index}`; queries: `{args.queries}` "
        + ", ".join(f"{len(measured['bnpt'][n]['runs'][0])} {n}" for n in sets)
        + f", a first pass (a warm-up, also reported) then {args.query_passes} timed; top 10 with highlights; "
        "bnptsearch's decoded-block cache emptied before each pass, so a timed query finds only the "
        "blocks the queries before it in its pass left. "
        f"Machine: {info['cpu']}, {info['cores']} cores; Python {info['python']}; Whoosh {info['whoosh']}; "
        f"bnptsearch {info['commit']}. Load average (1/5/15 min) at start "
        f"{'/'.join(f'{x:.2f}' for x in load_start)}, at end {'/'.join(f'{x:.2f}' for x in load_end)}."
    )
    lines += ["", "| figure | " + " | ".join(SYSTEM_NAMES[s] for s in systems) + " | target (bnptsearch) |",
              "|---|" + "---|" * (len(systems) + 1)]

    def verdict(value: float, bound: float, unit: str) -> str:
        return f"≤ {bound:g} {unit}: {'met' if value <= bound else 'MISSED'}"

    for name in sets:
        for p in (50, 95, 99):
            values = {s: statistics.median(_percentile(run, p) for run in measured[s][name]["runs"]) for s in systems}
            cells = [f"{values[s]:.2f}" + (f" (×{values[s] / values['bnpt']:.2f})" if s != "bnpt" else "") for s in systems]
            target = verdict(values["bnpt"], QUERY_TARGETS[f"p{p}"], "ms")
            lines.append(f"| {name} p{p} ms | " + " | ".join(cells) + f" | {target} |")
        for p in (50, 95, 99):
            cpu = {s: statistics.median(_percentile(run, p) for run in measured[s][name]["cpu_runs"]) for s in systems}
            lines.append(f"| {name} p{p} CPU ms | " + " | ".join(f"{cpu[s]:.2f}" for s in systems) + " | |")
        # The first pass of the process: every cache empty (bnptsearch's decoded blocks
        # too), the OS page cache as the runs before left it.
        for p in (50, 95, 99):
            first = {s: _percentile(measured[s][name]["cold"], p) for s in systems if "cold" in measured[s][name]}
            cells = [f"{first[s]:.2f}" if s in first else "–" for s in systems]
            lines.append(f"| {name} p{p} ms, first pass | " + " | ".join(cells) + " | |")
        rates = measured["bnpt"][name].get("hit_rates")
        if rates:
            lines.append(f"| {name} block cache hit rate (timed passes) | " + " / ".join(f"{r:.1%}" for r in rates)
                         + " |" + " – |" * (len(systems) - 1) + " |")
    bnpt = measured["bnpt"]
    rows = [
        ("open index s", "open_s", ".3f", verdict(bnpt["open_s"], QUERY_TARGETS["open"], "s")),
        (f"peak RSS MB ({count:,} queries)", "maxrss_mb", ".0f", verdict(bnpt["maxrss_mb"], QUERY_TARGETS["rss"], "MB")),
        ("RSS after the queries MB", "rss_after_mb", ".0f", ""),
    ]
    for label, key, fmt, target in rows:
        lines.append(f"| {label} | " + " | ".join(format(measured[s][key], fmt) for s in systems) + f" | {target} |")
    if not math.isnan(cold.median):
        lines.append(f"| CLI cold query s (`bnptsearch query \"{SEED_QUERY}\"`) | {cold.format('.3f')} |"
                     + " – |" * (len(systems) - 1) + f" {verdict(cold.median, QUERY_TARGETS['cli'], 's')} |")
    for system, build in builds.items():
        lines.append(f"\n{SYSTEM_NAMES[system]} build: {build['passages']:,} passages, {build['wall']:.1f} s wall, "
                     f"{build['cpu']:.1f} CPU s, peak RSS {build['maxrss_mb']:.0f} MB, {build['size_mb']:.0f} MB on disk.")
    for system, reason in skipped.items():
        lines.append(f"\n{SYSTEM_NAMES[system]}: not measured, {reason}.")
    lines.append("")
    return "\n".join(lines)


def _summary(path: Path, sort: str, limit: int = 25) -> str:
    buffer = io.StringIO()
    stats = pstats.Stats(str(path), stream=buffer)
    stats.strip_dirs().sort_stats(sort).print_stats(limit)
    return buffer.getvalue()


def _write_summary(out: Path, name: str) -> None:
    text = _summary(out / f"{name}.prof", "cumulative") + _summary(out / f"{name}.prof", "tottime")
    (out / f"{name}.txt").write_text(text, encoding="utf-8")


def profile_queries(index: Path, queries_file: Path, out: Path) -> int:
    """With ``--reuse-index``: cProfile of one query pass (after a warm-up pass) on that index."""
    out.mkdir(parents=True, exist_ok=True)
    _run_child("profile", "query", "", index, queries_file, out / "query.prof")
    _write_summary(out, "query")
    print(f"wrote {out / 'query'}.prof and .txt", file=sys.stderr)
    return 0


def profile(workdir: Path, corpus: Path, size: int, queries_file: Path, out: Path, log) -> int:
    out.mkdir(parents=True, exist_ok=True)
    index = workdir / f"index-profile-{size}"
    shutil.rmtree(index, ignore_errors=True)
    log(f"profiling build of {size}")
    _run_child("profile", "build", corpus, index, queries_file, out / "build.prof")
    log("profiling queries")
    _run_child("profile", "query", corpus, index, queries_file, out / "query.prof")
    for name in ("build", "query"):
        _write_summary(out, name)
        log(f"wrote {out / name}.prof and .txt")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
