"""Writing an index in worker processes (``jobs``): the same index as one process writes,
and failures that keep the last committed generation."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import bnptsearch.index as index_module
import bnptsearch.parallel as parallel
import bnptsearch.update as update
from bnptsearch import BnptSearchError, Index, load_corpus
from bnptsearch.cli import cli

from .conftest import SEED_CORPUS
from .test_write_failures import _uncommitted

QUERIES = ["RAN PE Banten", "terorisme", "Densus 88 menangkap", "Arsip nomor 7", "deradikalisasi narapidana", "BNPT"]


def _archive(folder: Path, files: int = 4, articles: int = 30, start: int = 0, edit: str = "") -> None:
    """JSONL files of articles made from the seed articles' paragraphs (many passages each)."""
    paragraphs = [p for a in load_corpus(SEED_CORPUS).articles for p in a.body.split("\n\n") if len(p) > 80]
    for file in range(files):
        with (folder / f"arsip-{start + file}.jsonl").open("w", encoding="utf-8") as out:
            for k in range(articles):
                number = (start + file) * 1000 + k
                picked = [paragraphs[(number * 7 + j * 3) % len(paragraphs)] for j in range(4)]
                text = "\n\n".join(picked) + f"\n\nArsip nomor {number}.{edit}"
                out.write(json.dumps({"id": f"arsip-{number}", "title": f"Arsip {number}", "text": text}) + "\n")


@pytest.fixture
def parallel_now(monkeypatch) -> list[int]:
    """Workers start at once, get a few articles per message (both get work) and commit
    at every file's end (several batches); returns the worker counts started."""
    started: list[int] = []
    original = parallel.SegmentWorkers.__init__

    def counted(self, folder, indexname, jobs, options):
        started.append(jobs)
        original(self, folder, indexname, jobs, options)

    monkeypatch.setattr(update, "_PARALLEL_AFTER_SECONDS", 0.0)
    monkeypatch.setattr(parallel, "_CHUNK_ARTICLES", 3)
    monkeypatch.setattr(index_module, "_BATCH_SECONDS", 0.0)
    monkeypatch.setattr(parallel.SegmentWorkers, "__init__", counted)
    return started


def _documents(index: Index) -> list[tuple]:
    """Every document's stored fields, in a stable order (document numbers may differ)."""
    reader = index.searcher().whoosh.reader()
    return sorted(tuple(sorted((k, repr(v)) for k, v in fields.items())) for fields in reader.all_stored_fields())


def _same_results(one: Index, other: Index) -> None:
    """Same hits with the same scores, rank by rank; ids may differ only among equal scores
    (and, for the lowest score, which of the tied passages made the cut-off)."""
    for query in QUERIES:
        first, second = one.search(query, limit=50), other.search(query, limit=50)
        assert [round(h.score, 9) for h in first.hits] == [round(h.score, 9) for h in second.hits], query
        groups: dict[float, set] = {}
        for hit in first.hits:
            groups.setdefault(round(hit.score, 9), set()).add((hit.doc_id, hit.start, hit.end))
        for hit in second.hits:
            groups[round(hit.score, 9)].discard((hit.doc_id, hit.start, hit.end))
        if first.hits:
            del groups[round(first.hits[-1].score, 9)]
        assert not any(groups.values()), query


@pytest.mark.slow
def test_jobs_two_write_the_same_index_as_one(parallel_now, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)
    _archive(corpus)
    one, _ = Index.build(corpus, tmp_path / "one", jobs=1)
    assert parallel_now == []
    two, report = Index.build(corpus, tmp_path / "two", jobs=2)
    assert parallel_now == [2]
    with one, two:
        assert report.passages == one.counts()[1] == two.counts()[1]
        assert two.counts() == one.counts()
        assert _documents(two) == _documents(one)
        _same_results(one, two)
    # A rebuild (written beside the old index, one batch) with workers, too.
    rebuilt, _ = Index.build(corpus, tmp_path / "one", jobs=2)
    with rebuilt, Index.open(tmp_path / "two") as two:
        assert parallel_now == [2, 2]
        assert _documents(rebuilt) == _documents(two)
        _same_results(rebuilt, two)
    assert not _uncommitted(tmp_path / "one")


@pytest.mark.slow
def test_an_update_with_jobs_replaces_and_deletes_as_one_process(parallel_now, tmp_path: Path) -> None:
    indexes = {}
    for jobs in (1, 2):
        corpus = tmp_path / f"corpus{jobs}"
        shutil.copytree(SEED_CORPUS, corpus)
        _archive(corpus, files=2)
        index, _ = Index.build(corpus, tmp_path / f"index{jobs}", jobs=1)
        # Changed articles (replaced), a file gone (deleted), new files (added).
        _archive(corpus, files=1, articles=10, start=0, edit=" Diperbarui.")
        (corpus / "arsip-1.jsonl").unlink()
        _archive(corpus, files=2, start=5)
        report = index.update(corpus, jobs=jobs)
        assert (report.added, report.updated, report.deleted) == (60, 10, 50)
        indexes[jobs] = index
    assert parallel_now == [2]
    with indexes[1] as one, indexes[2] as two:
        # Paths differ (two corpus folders): compare what does not name them.
        assert [d for d in _documents(one) if "corpus1" not in repr(d)] == [
            d for d in _documents(two) if "corpus2" not in repr(d)
        ]
        assert one.counts() == two.counts()
        _same_results(one, two)


def test_a_small_update_starts_no_workers(corpus_copy: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(parallel.SegmentWorkers, "__init__", lambda *args: pytest.fail("workers started"))
    index, report = Index.build(corpus_copy, tmp_path / "index", jobs=2)
    with index:
        assert report.added == 5


def test_jobs_below_one_is_an_error(corpus_copy: Path, tmp_path: Path) -> None:
    with pytest.raises(BnptSearchError, match="jobs must be at least 1"):
        Index.build(corpus_copy, tmp_path / "index", jobs=0)
    result = CliRunner().invoke(cli, ["index", "--corpus", str(corpus_copy), "--index", str(tmp_path / "index"), "--jobs", "0"])
    assert result.exit_code == 2 and "--jobs" in result.output


@pytest.fixture
def built(corpus_copy: Path, tmp_path: Path) -> tuple[Path, Path]:
    index_dir = tmp_path / "index"
    Index.build(corpus_copy, index_dir, jobs=1)[0].close()
    _archive(corpus_copy)
    return corpus_copy, index_dir


def _still_complete_after_a_rerun(corpus: Path, index_dir: Path) -> None:
    assert not _uncommitted(index_dir)
    with Index.open(index_dir) as index:
        assert 5 <= index.info().articles < 125
        assert index.search("RAN PE Banten").hits
        assert index.update(corpus, jobs=1).articles == 125
        assert index.search("Arsip nomor 3007").hits


@pytest.mark.slow
def test_a_failing_worker_is_one_error_line(parallel_now, built, monkeypatch) -> None:
    corpus, index_dir = built

    def failing(path, indexname, jobs):
        # A real error inside the worker processes: a writer option Whoosh cannot use.
        return lambda: parallel.SegmentWorkers(str(path), indexname, 2, {"codec": "no such codec"})

    monkeypatch.setattr(index_module, "_workers", failing)
    result = CliRunner().invoke(cli, ["index", "--corpus", str(corpus), "--index", str(index_dir), "--jobs", "2"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: index writer process ") and "failed: AttributeError" in result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    monkeypatch.undo()
    _still_complete_after_a_rerun(corpus, index_dir)


@pytest.mark.slow
def test_a_killed_worker_is_an_error_not_a_loss(parallel_now, built, monkeypatch) -> None:
    corpus, index_dir = built
    original = parallel.SegmentWorkers.send
    sent = []

    def send_then_kill(self, addition):
        sent.append(addition)
        if len(sent) == 40:
            os.kill(self._processes[0].pid, signal.SIGKILL)
        original(self, addition)

    monkeypatch.setattr(parallel.SegmentWorkers, "send", send_then_kill)
    with Index.open(index_dir) as index, pytest.raises(BnptSearchError, match=r"index writer process 0 stopped \(exit code -9\)"):
        index.update(corpus, jobs=2)
    _still_complete_after_a_rerun(corpus, index_dir)


@pytest.mark.slow
def test_articles_lost_on_the_way_are_an_error(parallel_now, built, monkeypatch) -> None:
    corpus, index_dir = built
    original = parallel.SegmentWorkers.send

    def send_one_less(self, addition):
        if addition.article.doc_id == "arsip-17":
            self._sent += 1  # counted as sent, never sent: as if lost on the way
            return
        original(self, addition)

    monkeypatch.setattr(parallel.SegmentWorkers, "send", send_one_less)
    with Index.open(index_dir) as index, pytest.raises(BnptSearchError, match=r"received \d+ of \d+ articles"):
        index.update(corpus, jobs=2)
    monkeypatch.undo()
    _still_complete_after_a_rerun(corpus, index_dir)


_UNGUARDED_SCRIPT = """
import sys
sys.path.insert(0, {repo!r})
import bnptsearch.update
from bnptsearch import Index

bnptsearch.update._PARALLEL_AFTER_SECONDS = 0.0
# No `if __name__ == "__main__":` guard: the workers must not run this again.
index, report = Index.build(sys.argv[1], sys.argv[2], jobs=2)
print(report.added, index.counts()[0])
"""


@pytest.mark.slow
def test_a_script_without_a_main_guard_builds_once(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)
    _archive(corpus, files=2)
    script = tmp_path / "build.py"
    script.write_text(_UNGUARDED_SCRIPT.format(repo=str(Path(__file__).resolve().parent.parent)), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script), str(corpus), str(tmp_path / "index")], capture_output=True, text=True, timeout=120
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "65 65\n", "")


@pytest.mark.slow
def test_progress_with_workers_reads_every_file_then_commits(parallel_now, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)
    _archive(corpus)
    events: list[tuple[str, int, int]] = []
    Index.build(corpus, tmp_path / "index", jobs=2, progress=lambda *event: events.append(event))[0].close()
    assert parallel_now == [2]
    reading = [done for stage, done, _ in events if stage == "reading"]
    assert reading == sorted(reading) and reading[-1] == 9  # the seed's 5 files and 4 archives
    commits = [event for event in events if event[0] == "committing"]
    assert len(commits) >= 4 and commits == [("committing", n % 2, 1) for n in range(len(commits))]
    assert events[-1] == ("committing", 1, 1)  # the last commit (the workers' last segments) is reported
