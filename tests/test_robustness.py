"""Crashes and concurrency with real processes: SIGKILL mid-write, two writers, readers."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from bnptsearch import Index, load_corpus

from .conftest import SEED_CORPUS

pytestmark = pytest.mark.slow


def _big_archive(folder: Path, articles: int = 400) -> None:
    """A JSONL archive made from the seed articles' paragraphs, big enough to index slowly."""
    paragraphs = [p for a in load_corpus(SEED_CORPUS).articles for p in a.body.split("\n\n") if len(p) > 80]
    with (folder / "arsip.jsonl").open("w", encoding="utf-8") as out:
        for number in range(articles):
            picked = [paragraphs[(number * 7 + k * 3) % len(paragraphs)] for k in range(6)]
            text = "\n\n".join(picked) + f"\n\nArsip nomor {number}."
            out.write(json.dumps({"id": f"arsip-{number:04d}", "title": f"Arsip {number}", "text": text}) + "\n")


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "bnptsearch", *args]


def _start(*args: str) -> subprocess.Popen:
    return subprocess.Popen(_cli(*args), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.communicate()


@pytest.fixture
def archive(corpus_copy: Path, tmp_path: Path) -> tuple[Path, Path]:
    index_dir = tmp_path / "index"
    Index.build(corpus_copy, index_dir)[0].close()
    _big_archive(corpus_copy)
    return corpus_copy, index_dir


@pytest.mark.parametrize("kill_after", [0.3, 0.8, 1.5, 2.5])
@pytest.mark.parametrize("rebuild", [False, True])
def test_sigkill_leaves_the_last_committed_state(archive, kill_after: float, rebuild: bool) -> None:
    corpus, index_dir = archive
    args = ["index", "--corpus", str(corpus), "--index", str(index_dir)] + (["--rebuild"] if rebuild else [])
    process = _start(*args)
    time.sleep(kill_after)
    _kill(process)
    with Index.open(index_dir) as index:
        articles = index.info().articles
        # A committed state: before, after, or (an update commits every ~10 s) between batches.
        assert articles in (5, 405) or (not rebuild and 5 < articles < 405), articles
        assert index.search("RAN PE Banten").hits[0].doc_id == "004_712c4dcd13143a1e"
        report = index.update(corpus)
        assert report.articles == 405
        assert report.added == 405 - articles
        assert index.search("Arsip nomor 399").hits


def test_two_writers_and_a_reader(archive) -> None:
    corpus, index_dir = archive
    first = _start("index", "--rebuild", "--corpus", str(corpus), "--index", str(index_dir))
    time.sleep(0.5)  # let it take the lock
    second = subprocess.run(
        _cli("index", "--corpus", str(corpus), "--index", str(index_dir), "--wait", "0.2"),
        capture_output=True,
        text=True,
        check=False,
    )
    with Index.open(index_dir) as reader:
        during = reader.info().articles
        assert reader.search("RAN PE Banten").hits
        _, errors = first.communicate(timeout=120)
        assert first.returncode == 0, errors
        assert reader.info().articles == 405
        assert reader.search("Arsip nomor 7").hits  # the long-lived reader sees the rebuild
    assert during == 5
    assert second.returncode == 1
    assert second.stderr.strip().startswith("Error: index at") and "another process" in second.stderr
    assert second.stderr.count("\n") == 1
    third = subprocess.run(_cli("index", "--corpus", str(corpus), "--index", str(index_dir)), capture_output=True, text=True, check=False)
    assert third.returncode == 0 and "405 unchanged" in third.stdout


def test_a_killed_writer_leaves_no_stale_lock(archive) -> None:
    corpus, index_dir = archive
    process = _start("index", "--corpus", str(corpus), "--index", str(index_dir))
    time.sleep(0.5)
    _kill(process)
    done = subprocess.run(
        _cli("index", "--corpus", str(corpus), "--index", str(index_dir), "--wait", "0"), capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


_EMBEDDING_WRITER = """
import sys
sys.path.insert(0, {repo!r})
import bnptsearch.index, bnptsearch.vectors
from bnptsearch import Index
from tests.fake_embedder import HashEmbedder

bnptsearch.index._BATCH_SECONDS = 0.0  # commit after every batch: many commits to be killed in
bnptsearch.vectors._EMBED_BATCH = 16
with Index.open(sys.argv[1], embedder=HashEmbedder(delay=0.02)) as index:
    index.update(sys.argv[2], semantic=True)
"""


@pytest.fixture(scope="module")
def indexed_archive(tmp_path_factory) -> tuple[Path, Path]:
    """The seed corpus and the archive, indexed (by words only), kept as the original."""
    folder = tmp_path_factory.mktemp("archive")
    shutil.copytree(SEED_CORPUS, folder / "corpus")
    _big_archive(folder / "corpus")
    Index.build(folder / "corpus", folder / "index")[0].close()
    return folder / "corpus", folder / "index"


@pytest.mark.parametrize("kill_after", [1.5, 2.5, 3.5, 4.5])
def test_sigkill_while_embedding_leaves_consistent_vectors(indexed_archive, tmp_path: Path, kill_after: float) -> None:
    """Vector chunks and their manifest: killed at any moment, the committed vectors are
    intact (check), every row is its passage's, and the next run embeds only the rest."""
    from bnptsearch.vectors import Vectors

    from .fake_embedder import HashEmbedder

    corpus = indexed_archive[0]
    index_dir = Path(shutil.copytree(indexed_archive[1], tmp_path / "index"))
    script = tmp_path / "embed.py"
    script.write_text(_EMBEDDING_WRITER.format(repo=str(Path(__file__).resolve().parent.parent)), encoding="utf-8")
    process = subprocess.Popen([sys.executable, str(script), str(index_dir), str(corpus)], stderr=subprocess.PIPE, text=True)
    time.sleep(kill_after)
    _kill(process)
    assert Index.check(index_dir).ok
    embedder = HashEmbedder()
    vectors = Vectors.load(index_dir)
    with Index.open(index_dir, embedder=embedder) as index:
        if vectors is not None:  # killed after the setting was recorded
            searcher = index.searcher().whoosh
            rows = vectors.rows_for(searcher.reader())
            stored = np.concatenate(vectors.chunks).astype(np.float32) if vectors.chunks else np.zeros((0, 64), np.float32)
            for docnum in np.flatnonzero(rows >= 0)[:: max(1, len(rows) // 50)]:
                text = searcher.stored_fields(int(docnum))["text"]
                assert np.allclose(stored[rows[docnum]], embedder.embed_passages([text])[0], atol=2e-3)
            before = int(np.count_nonzero(rows >= 0))
        else:
            before = 0
        report = index.update(corpus, semantic=True)
        assert report.articles == 405 and not report.changed
        assert report.embedded == index.counts()[1] - before  # only the passages without a vector
        assert not index.search("Arsip nomor 399").notes
        assert Index.check(index_dir).ok


_PARALLEL_WRITER = """
import sys
sys.path.insert(0, {repo!r})
import bnptsearch.index, bnptsearch.parallel, bnptsearch.update
from bnptsearch import Index

bnptsearch.update._PARALLEL_AFTER_SECONDS = 0.0  # workers at once
bnptsearch.index._BATCH_SECONDS = 0.0  # many commits to be killed in
bnptsearch.parallel._CHUNK_ARTICLES = 2  # both workers get articles
start = bnptsearch.parallel.SegmentWorkers.__init__


def recorded(self, *args):
    start(self, *args)
    with open(sys.argv[3], "a") as out:
        out.write("".join(f"{{process.pid}}\\n" for process in self._processes))


bnptsearch.parallel.SegmentWorkers.__init__ = recorded
with Index.open(sys.argv[1]) as index:
    index.update(sys.argv[2], jobs=2)
"""


def _running(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie waiting to be reaped does not)."""
    try:
        return " Z " not in Path(f"/proc/{pid}/stat").read_text().split(")", 1)[1][:3] + " "
    except FileNotFoundError:
        return False


def _workers_exit(pids_file: Path, seconds: float = 10.0) -> None:
    pids = [int(line) for line in pids_file.read_text().split()] if pids_file.exists() else []
    deadline = time.monotonic() + seconds
    while any(_running(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_running(pid) for pid in pids), pids


@pytest.mark.parametrize("kill_after", [0.2, 0.8, 2.0])
def test_sigkill_of_a_parallel_update_leaves_the_last_committed_state(archive, tmp_path: Path, kill_after: float) -> None:
    """The parent killed while its workers write: the last commit stays, the workers exit by
    themselves, and the next update removes their files and completes the index."""
    from .test_write_failures import _uncommitted

    corpus, index_dir = archive
    _big_archive(corpus, 1500)  # more than 2 s of work after the workers start, even on an idle machine
    script, pids = tmp_path / "parallel.py", tmp_path / "pids"
    script.write_text(_PARALLEL_WRITER.format(repo=str(Path(__file__).resolve().parent.parent)), encoding="utf-8")
    process = subprocess.Popen([sys.executable, str(script), str(index_dir), str(corpus), str(pids)], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not pids.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(kill_after)  # after the workers started
    _kill(process)
    if process.returncode == 0:
        pytest.fail(f"the update finished within {kill_after} s; make the archive bigger")
    _workers_exit(pids)
    assert Index.check(index_dir).ok
    with Index.open(index_dir) as index:
        articles = index.info().articles
        assert 5 <= articles < 1505
        assert index.search("RAN PE Banten").hits[0].doc_id == "004_712c4dcd13143a1e"
        report = index.update(corpus)
        assert report.articles == 1505 and report.added == 1505 - articles
        assert index.search("Arsip nomor 1499").hits
    assert not _uncommitted(index_dir)


def _spawned_children(pid: int) -> list[int]:
    """The worker processes ``pid`` started (multiprocessing's spawn; not its resource tracker)."""
    children = []
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except FileNotFoundError:
            continue
        if b"spawn_main" in command:
            children.append(int(child))
    return children


def test_ctrl_c_of_a_parallel_update_stops_its_workers(corpus_copy: Path, tmp_path: Path) -> None:
    """Ctrl-C in a terminal reaches the whole process group: the workers ignore it, the
    parent stops them, prints one line, and keeps the last committed batch."""
    from .test_write_failures import _uncommitted

    index_dir = tmp_path / "index"
    Index.build(corpus_copy, index_dir)[0].close()
    _big_archive(corpus_copy, 4000)
    process = subprocess.Popen(
        _cli("index", "--corpus", str(corpus_copy), "--index", str(index_dir), "--jobs", "2"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while len(_spawned_children(process.pid)) < 2 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = _spawned_children(process.pid)
    assert len(workers) == 2, "the workers did not start"
    time.sleep(0.5)
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert (process.returncode, err) == (130, "Interrupted.\n"), err
    deadline = time.monotonic() + 10
    while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_running(pid) for pid in workers)
    assert not _uncommitted(index_dir)
    with Index.open(index_dir) as index:
        assert 5 <= index.info().articles < 4005
        assert index.search("RAN PE Banten").hits
