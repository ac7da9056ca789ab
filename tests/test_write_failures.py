"""Writes that fail: a full disk, a read-only folder, a broken lock file, Ctrl-C. Each ends
in one line (exit 1, or 130 for Ctrl-C), removes what the failed write produced, and leaves
the last committed index searchable; an interrupted update keeps the batches it committed."""

from __future__ import annotations

import errno
import gc
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from whoosh.filedb.structfile import StructFile
from whoosh.util.filelock import FcntlLock

from bnptsearch import Index, IndexWriteError, load_corpus
from bnptsearch import index as index_module
from bnptsearch import update as update_module
from bnptsearch.cli import cli, main
from bnptsearch.store import _WHOOSH_FILE

from .conftest import SEED_CORPUS


def _archive(folder: Path, articles: int) -> Path:
    """A JSONL file of ``articles`` articles made from the seed articles' paragraphs."""
    paragraphs = [p for a in load_corpus(SEED_CORPUS).articles for p in a.body.split("\n\n") if len(p) > 80]
    path = folder / "arsip.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for number in range(articles):
            picked = [paragraphs[(number * 7 + k * 3) % len(paragraphs)] for k in range(6)]
            text = "\n\n".join(picked) + f"\n\nArsip nomor {number}."
            out.write(json.dumps({"id": f"arsip-{number:04d}", "title": f"Arsip {number}", "text": text}) + "\n")
    return path


def _uncommitted(index_dir: Path) -> set[str]:
    """Files in ``index_dir`` that the live index's latest commit does not use."""
    with Index.open(index_dir) as index:
        live = index._indexname
        segments = {segment.segment_id() for segment in index._ix._segments()}
        generation = index._ix.latest_generation()
    left = set()
    for file in index_dir.iterdir():
        match = _WHOOSH_FILE.match(file.name)
        if file.name in {"bnptsearch.json", "bnptsearch_WRITELOCK", f"{live}_WRITELOCK", "acronyms.json", "filestats.json", "segmentfiles.json"}:
            continue
        if file.name == f"_{live}_{generation}.toc":
            continue
        # main's checksum manifests: the live generation's and its predecessor's are kept (store._record_generation).
        if file.name in {f"_{live}_{generation}.sums", f"_{live}_{generation - 1}.sums"}:
            continue
        if match and match.group(1) == live and file.name.split(".")[0] in segments:
            continue
        left.add(file.name)
    return left


def _fill_disk_after(monkeypatch, budget: int) -> None:
    """Every index file write fails with ENOSPC once ``budget`` bytes have been written."""
    written = [0]
    original = StructFile.write

    def write(self, data, *args):
        written[0] += len(data)
        if written[0] > budget:
            raise OSError(errno.ENOSPC, "No space left on device")
        return original(self, data, *args)

    monkeypatch.setattr(StructFile, "write", write)


@pytest.fixture
def built(corpus_copy: Path, tmp_path: Path) -> tuple[Path, Path]:
    """(corpus, index): the seed index, and 60 new articles in the corpus not yet indexed."""
    index_dir = tmp_path / "index"
    Index.build(corpus_copy, index_dir)[0].close()
    _archive(corpus_copy, 60)
    return corpus_copy, index_dir


def _one_line(result) -> str:
    assert result.exit_code == 1, result.output
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("Error: ")
    return result.stderr


def _still_the_seed_index(index_dir: Path) -> None:
    with Index.open(index_dir) as index:
        assert index.info().articles == 5
        assert index.search("RAN PE Banten").hits[0].doc_id == "004_712c4dcd13143a1e"


@pytest.mark.parametrize(
    "args",
    [["index"], ["index", "--rebuild"], ["add", "--no-copy", "ARCHIVE"]],
    ids=["update", "rebuild", "add"],
)
def test_a_full_disk_is_one_line_and_leaves_no_files(built, monkeypatch, args: list[str]) -> None:
    corpus, index_dir = built
    before = sorted(f.name for f in index_dir.iterdir())
    args = [str(corpus / "arsip.jsonl") if a == "ARCHIVE" else a for a in args]
    _fill_disk_after(monkeypatch, 20_000)
    result = CliRunner().invoke(cli, [*args, "--index", str(index_dir), *(["--corpus", str(corpus)] if args[0] == "index" else [])])
    assert _one_line(result) == f"Error: no space left on device while writing {index_dir}\n"
    monkeypatch.undo()
    assert sorted(f.name for f in index_dir.iterdir()) == before, "the failed write's files are removed"
    _still_the_seed_index(index_dir)
    with Index.open(index_dir) as index:
        assert index.update(corpus).articles == 65  # and the next write works


def test_a_full_disk_while_sorting_runs_are_merged_is_one_line(built, monkeypatch) -> None:
    # A sorting limit so small that the postings spill into runs: the disk fills while they
    # are read back into the segment, and the failed write removes the temporary folder
    # under the run readers (each once tried to remove its run again: a traceback each).
    from whoosh.codec.base import FieldWriter

    corpus, index_dir = built
    before = sorted(f.name for f in index_dir.iterdir())
    monkeypatch.setattr(index_module, "_WRITER_OPTIONS", index_module._WRITER_OPTIONS | {"limitmb": 0.003})
    add_postings = FieldWriter.add_postings

    def full_after_500(self, schema, lengths, items):
        def postings():
            for number, item in enumerate(items):
                if number == 500:
                    raise OSError(errno.ENOSPC, "No space left on device")
                yield item

        return add_postings(self, schema, lengths, postings())

    monkeypatch.setattr(FieldWriter, "add_postings", full_after_500)
    result = CliRunner().invoke(cli, ["index", "--jobs", "1", "--index", str(index_dir), "--corpus", str(corpus)])
    assert _one_line(result) == f"Error: no space left on device while writing {index_dir}\n"
    del result  # it holds the traceback, which holds the run readers: freed here, no error (filterwarnings)
    gc.collect()
    monkeypatch.undo()
    assert sorted(f.name for f in index_dir.iterdir()) == before, "the failed write's files are removed"
    _still_the_seed_index(index_dir)


def test_a_full_disk_in_the_api_is_an_index_write_error(built, monkeypatch) -> None:
    corpus, index_dir = built
    with Index.open(index_dir) as index:
        _fill_disk_after(monkeypatch, 1000)
        with pytest.raises(IndexWriteError, match="no space left on device"):
            index.update(corpus)
        monkeypatch.undo()
        assert index.info().articles == 5
        assert index.update(corpus).added == 60  # the writer's lock was released
    assert not _uncommitted(index_dir)


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root (the ENOSPC injection tests run instead)")
def test_a_really_full_disk(corpus_copy: Path, tmp_path: Path) -> None:
    mount = tmp_path / "small"
    mount.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True, text=True, check=False)
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        index_dir = mount / "index"
        Index.build(corpus_copy, index_dir)[0].close()
        used = sum(f.stat().st_size for f in index_dir.iterdir())
        _archive(corpus_copy, 400)  # its index needs more than the 1 MB there is
        command = [sys.executable, "-m", "bnptsearch", "index", "--corpus", str(corpus_copy), "--index", str(index_dir)]
        for _ in range(2):  # and again: the first failure must not have kept the disk full
            failed = subprocess.run(command, capture_output=True, text=True, check=False)
            assert failed.returncode == 1
            assert failed.stderr == f"Error: no space left on device while writing {index_dir}\n"
            assert sum(f.stat().st_size for f in index_dir.iterdir()) <= used + 4096
        _still_the_seed_index(index_dir)
        (corpus_copy / "arsip.jsonl").unlink()
        removed = subprocess.run(
            [sys.executable, "-m", "bnptsearch", "remove", "002_c1e97dfba439882a", "--index", str(index_dir)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert removed.returncode == 0, removed.stderr
        assert not _uncommitted(index_dir)
    finally:
        subprocess.run(["umount", "--lazy", str(mount)], check=False)  # even if something still holds a file there


def _deny(monkeypatch) -> None:
    """Opening the write lock fails as in a read-only index folder (root cannot be denied)."""

    def acquire(self, blocking=False):
        raise PermissionError(errno.EACCES, "Permission denied", self.filename)

    monkeypatch.setattr(FcntlLock, "acquire", acquire)


@pytest.mark.parametrize(
    "args",
    [["index"], ["index", "--rebuild"], ["index", "--optimize"], ["add", "FILE"], ["remove", "002_c1e97dfba439882a"]],
    ids=["update", "rebuild", "optimize", "add", "remove"],
)
def test_a_read_only_index_is_one_line(built, monkeypatch, args: list[str]) -> None:
    corpus, index_dir = built
    args = [str(SEED_CORPUS / "000_d9719fe4b4a867df.txt") if a == "FILE" else a for a in args]
    _deny(monkeypatch)
    extra = ["--corpus", str(corpus)] if args[0] in {"index", "add"} else []
    result = CliRunner().invoke(cli, [*args, "--index", str(index_dir), *extra])
    assert _one_line(result) == f"Error: permission denied: cannot write {index_dir / 'bnptsearch_WRITELOCK'}\n"
    monkeypatch.undo()
    _still_the_seed_index(index_dir)


def test_query_that_would_build_in_a_read_only_place_is_one_line(corpus_copy: Path, tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "readonly" / "index"

    def mkdir(self, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "mkdir", mkdir)
    result = CliRunner().invoke(cli, ["query", "RAN PE", "--index", str(target), "--corpus", str(corpus_copy), "--build"])
    assert result.stderr.endswith(f"Error: permission denied: cannot write {target}\n")
    assert result.exit_code == 1 and "Traceback" not in result.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root is never denied by file modes (the injected PermissionError tests run instead)")
def test_read_only_folders_by_file_mode(built, tmp_path: Path) -> None:
    corpus, index_dir = built
    readonly = tmp_path / "ro"
    readonly.mkdir()
    for folder in (index_dir, readonly, corpus):
        folder.chmod(0o555)
    (index_dir / "bnptsearch_WRITELOCK").chmod(0o444)
    try:
        runner = CliRunner()
        for args in (
            ["index", "--index", str(index_dir), "--corpus", str(corpus)],
            ["index", "--rebuild", "--index", str(index_dir), "--corpus", str(corpus)],
            ["remove", "002_c1e97dfba439882a", "--index", str(index_dir)],
            ["query", "RAN PE", "--index", str(readonly / "new"), "--corpus", str(corpus)],
        ):
            result = runner.invoke(cli, args)
            assert result.exit_code == 1 and "permission denied" in result.stderr.splitlines()[-1], (args, result.output)
    finally:
        for folder in (index_dir, readonly, corpus):
            folder.chmod(0o755)
    _still_the_seed_index(index_dir)


def test_a_lock_file_that_is_a_directory_is_one_line(built) -> None:
    corpus, index_dir = built
    (index_dir / "bnptsearch_WRITELOCK").unlink()
    (index_dir / "bnptsearch_WRITELOCK").mkdir()
    result = CliRunner().invoke(cli, ["index", "--index", str(index_dir), "--corpus", str(corpus)])
    assert _one_line(result) == (
        f"Error: {index_dir / 'bnptsearch_WRITELOCK'} is a directory, not bnptsearch's lock file; remove it (rmdir) and try again\n"
    )
    _still_the_seed_index(index_dir)


def test_ctrl_c_in_the_command_prints_interrupted(built, monkeypatch, capsys) -> None:
    corpus, index_dir = built

    def interrupt(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C in the middle of the update
        time.sleep(1)
        pytest.fail("SIGINT did not stop the command")

    monkeypatch.setattr(index_module, "_plan_files", interrupt)
    monkeypatch.setattr(sys, "argv", ["bnptsearch", "index", "--index", str(index_dir), "--corpus", str(corpus)])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 130
    assert capsys.readouterr().err == "Interrupted.\n"


def test_an_os_error_no_command_handled_is_one_line(monkeypatch, capsys, tmp_path: Path) -> None:
    def unreadable(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", "corpus/rahasia.txt")

    monkeypatch.setattr(index_module.Index, "exists", unreadable)
    monkeypatch.setattr(sys, "argv", ["bnptsearch", "index"])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 1
    assert capsys.readouterr().err == "Error: permission denied: corpus/rahasia.txt\n"


def _stop_at(monkeypatch, article: int) -> None:
    """Presses Ctrl-C once ``article`` articles are written (before that one is committed).

    main's streaming update reports no "indexing" progress (the number of articles is not
    known before the end), so the writes themselves are counted."""
    written = [0]
    original = update_module._write

    def write(writer, additions):
        additions = list(additions)
        written[0] += len(additions)
        passages = original(writer, additions)
        if written[0] - len(additions) < article <= written[0]:  # once: a re-run goes on
            raise KeyboardInterrupt
        return passages

    monkeypatch.setattr(update_module, "_write", write)


def test_an_interrupted_update_keeps_its_committed_batches(built, monkeypatch) -> None:
    corpus, index_dir = built
    monkeypatch.setattr(index_module, "_BATCH_SECONDS", 0.0)  # commit after every article...
    monkeypatch.setattr(index_module, "_BATCH_GROWTH", 0.0)
    monkeypatch.setattr(update_module, "_SPLIT_FILE_ARTICLES", 10)  # ...even inside the archive file
    with Index.open(index_dir) as index:
        _stop_at(monkeypatch, 4)
        with pytest.raises(KeyboardInterrupt):
            index.update(corpus)
        # Articles 1-3 were committed; the 4th was being written, and is undone.
        assert index.info().articles == 5 + 3
        monkeypatch.setattr(index_module, "_BATCH_SECONDS", 10.0)
        resumed = index.update(corpus)
    assert (resumed.added, resumed.unchanged, resumed.articles) == (57, 8, 65)
    assert not _uncommitted(index_dir)

    def unexpected(*args, **kwargs):
        raise AssertionError("a file indexed whole is not read again")

    monkeypatch.setattr(update_module, "stream_file", unexpected)  # main streams files (was read_file)
    with Index.open(index_dir) as index:
        assert index.update(corpus).unchanged == 65


def test_an_interrupted_first_build_resumes(corpus_copy: Path, tmp_path: Path, monkeypatch) -> None:
    _archive(corpus_copy, 30)
    index_dir = tmp_path / "index"
    monkeypatch.setattr(index_module, "_BATCH_SECONDS", 0.0)
    monkeypatch.setattr(index_module, "_BATCH_GROWTH", 0.0)
    monkeypatch.setattr(update_module, "_SPLIT_FILE_ARTICLES", 10)
    _stop_at(monkeypatch, 10)
    with pytest.raises(KeyboardInterrupt):
        Index.build(corpus_copy, index_dir)
    with Index.open(index_dir) as index:
        assert index.info().articles == 9
        assert index.update(corpus_copy).added == 35 - 9


def test_an_interrupted_rebuild_keeps_the_old_index_whole(built, monkeypatch) -> None:
    corpus, index_dir = built
    monkeypatch.setattr(index_module, "_BATCH_SECONDS", 0.0)  # a rebuild ignores it: one transaction
    _stop_at(monkeypatch, 30)
    with pytest.raises(KeyboardInterrupt):
        Index.build(corpus, index_dir)
    _still_the_seed_index(index_dir)
    assert not _uncommitted(index_dir)


def _command(*args: str) -> list[str]:
    # The installed `bnptsearch` script's entry point, which also covers start-up.
    return [sys.executable, "-c", "import sys; from bnptsearch_main import main; sys.argv[0] = 'bnptsearch'; main()", *args]


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.15, 0.4, 1.0, 2.0])
def test_sigint_at_any_moment_prints_interrupted(corpus_copy: Path, tmp_path: Path, delay: float) -> None:
    index_dir = tmp_path / "index"
    Index.build(corpus_copy, index_dir)[0].close()
    _archive(corpus_copy, 1200)  # more than 2 s of work even on an idle machine
    process = subprocess.Popen(
        _command("index", "--corpus", str(corpus_copy), "--index", str(index_dir)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    if process.returncode == 0:
        pytest.fail(f"the update finished within {delay} s; make the archive bigger")
    assert (process.returncode, err) == (130, "Interrupted.\n"), err
    with Index.open(index_dir) as index:
        assert index.search("RAN PE Banten").hits
        assert 5 <= index.info().articles <= 1205  # the batches committed before Ctrl-C
    assert not _uncommitted(index_dir)
    shutil.rmtree(index_dir)


@pytest.mark.parametrize("command", ["index", "add", "remove", "query"])
def test_writing_commands_yield_the_cpu_to_searches(built, monkeypatch, command: str) -> None:
    corpus, index_dir = built
    monkeypatch.setattr("bnptsearch.cli.WRITER_NICENESS", 10)
    calls = []
    monkeypatch.setattr(os, "nice", lambda inc: calls.append(inc) or sum(calls))
    args = {
        "index": ["index", "--corpus", str(corpus)],
        "add": ["add", "--no-copy", str(corpus / "arsip.jsonl")],
        "remove": ["remove", "002_c1e97dfba439882a"],
        "query": ["query", "RAN PE"],
    }[command]
    result = CliRunner().invoke(cli, [*args, "--index", str(index_dir)])
    assert result.exit_code == 0, result.output
    assert calls == ([] if command == "query" else [0, 10])


@pytest.mark.parametrize(("started", "raised_by"), [(0, 10), (5, 5), (10, None), (15, None)])
def test_a_writer_started_at_a_niceness_is_lowered_to_at_least_writer_niceness(
    built, monkeypatch, started: int, raised_by: int | None
) -> None:
    """``nice -n 5 bnptsearch index`` runs at 10, not 15: the niceness is a floor, not a step."""
    corpus, index_dir = built
    monkeypatch.setattr("bnptsearch.cli.WRITER_NICENESS", 10)
    niceness = [started]
    increments = []

    def nice(increment: int) -> int:
        increments.append(increment)
        niceness[0] += increment
        return niceness[0]

    monkeypatch.setattr(os, "nice", nice)
    result = CliRunner().invoke(cli, ["remove", "002_c1e97dfba439882a", "--index", str(index_dir)])
    assert result.exit_code == 0, result.output
    assert niceness[0] == max(started, 10)
    assert increments == [0] + ([raised_by] if raised_by else [])


def test_a_commit_that_fails_at_its_toc_leaves_no_manifest(built, monkeypatch) -> None:
    """The checksum manifest is written just before the TOC is renamed into place: if that
    rename fails, the manifest of the generation that never was is removed too, and the
    committed generations' manifests stay (the index still opens and checks clean)."""
    from whoosh.filedb.filestore import FileStorage

    corpus, index_dir = built

    def rename_file(self, source, target, safe=False):
        raise OSError(errno.ENOSPC, "No space left on device")

    with Index.open(index_dir) as index:
        monkeypatch.setattr(FileStorage, "rename_file", rename_file)
        with pytest.raises(IndexWriteError, match="no space left on device"):
            index.update(corpus)
        monkeypatch.undo()
    assert not _uncommitted(index_dir)
    assert Index.check(index_dir).ok
    _still_the_seed_index(index_dir)
    with Index.open(index_dir) as index:
        assert index.update(corpus).added == 60
    assert Index.check(index_dir).ok


def test_an_interrupted_update_keeps_the_files_to_read_again(built, monkeypatch) -> None:
    """A file marked to be read again (one of its articles was removed) keeps its mark across
    the batches an interrupted update committed, so the re-run still brings the article back."""
    from bnptsearch.store import _stale_files

    corpus, index_dir = built
    (corpus / "arsip.jsonl").rename(corpus / "000_arsip.jsonl")  # read before the stale file
    with Index.open(index_dir) as index:
        assert index.remove(["004_712c4dcd13143a1e"]).deleted == 1
    stale = _stale_files(index_dir)
    assert len(stale) == 1
    monkeypatch.setattr(index_module, "_BATCH_SECONDS", 0.0)
    monkeypatch.setattr(index_module, "_BATCH_GROWTH", 0.0)
    monkeypatch.setattr(update_module, "_SPLIT_FILE_ARTICLES", 10)
    with Index.open(index_dir) as index:
        _stop_at(monkeypatch, 4)
        with pytest.raises(KeyboardInterrupt):
            index.update(corpus)
        assert index.info().articles == 4 + 3  # three batches committed
        assert _stale_files(index_dir) == stale
        resumed = index.update(corpus)
    assert resumed.articles == 65
    assert _stale_files(index_dir) == set()
    with Index.open(index_dir) as index:
        assert index.search("RAN PE Banten").hits[0].doc_id == "004_712c4dcd13143a1e"  # back


@pytest.mark.parametrize("budget", [60_000, 150_000, 250_000])
def test_a_disk_that_fills_while_a_new_segment_is_closed_is_one_line(corpus_copy: Path, tmp_path: Path, monkeypatch, budget: int) -> None:
    # Filled at these points, the write fails while the segment's term table is written, after
    # other files of the segment were closed; closing those again must not raise over the error.
    index_dir = tmp_path / "index"
    _fill_disk_after(monkeypatch, budget)
    result = CliRunner().invoke(cli, ["index", "--corpus", str(corpus_copy), "--index", str(index_dir)])
    assert _one_line(result) == f"Error: no space left on device while writing {index_dir}\n"
    monkeypatch.undo()
    assert not _uncommitted(index_dir)
    with Index.open(index_dir) as index:
        assert index.update(corpus_copy).articles == 5  # and the next write works
