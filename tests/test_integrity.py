"""The index folder as untrusted input: whose folder it is, and whether its files are intact."""

from __future__ import annotations

import gc
import json
import os
import re
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from benchmarks import damage as matrix
from bnptsearch import Index, IndexDamagedError, IndexWriteError, UntrustedIndexError
from bnptsearch import store as store_module
from bnptsearch.cli import cli
from bnptsearch.search import Searcher
from bnptsearch.store import SAFE_INDEX_ENV

from .conftest import SEED_CORPUS


def _cli(arguments: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, arguments)
    return result.exit_code, result.stdout, result.stderr


def _manifests(index_dir: Path) -> set[str]:
    return {file.name for file in index_dir.glob("*.sums")}


def _live_manifest(index_dir: Path) -> Path:
    return next(index_dir.glob("*.toc")).with_suffix(".sums")


def _is_segment_file(name: str) -> bool:
    """A segment's file (``<index>_<segment>.<part>``, or one compound ``.seg``), not a TOC,
    a manifest (both start with ``_``), the folder's metadata or a lock."""
    return not name.startswith("_") and "." in name and not name.endswith(".json")


# -- the damaged-file matrix --------------------------------------------------------------


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> tuple[Path, str]:
    """An undamaged two-segment index, and the matrix query's output on it."""
    index_dir = matrix.build(tmp_path_factory.mktemp("pristine"))
    return index_dir, matrix.expected_output(index_dir, _cli)


# (case, damaged in place in a freshly built index: its files still match their recorded
# stamps, so only the damage tells them apart; otherwise in a copy, which is faster)
FAST_CASES = [
    (matrix.Case("segment-2", "flip"), True),
    (matrix.Case("segment-1", "flip", 1 / 32), True),
    (matrix.Case("toc", "truncate"), False),
    (matrix.Case("manifest", "delete"), False),
    (matrix.Case("metadata", "flip"), False),
    (matrix.Case("metadata", "delete"), False),
    (matrix.Case("acronyms", "edit"), False),
]


@pytest.mark.parametrize(("case", "fresh"), FAST_CASES, ids=lambda value: getattr(value, "label", ""))
def test_damaged_files_are_detected(case: matrix.Case, fresh: bool, pristine: tuple[Path, str], tmp_path: Path) -> None:
    prepare = matrix.build if fresh else matrix.copier(pristine[0])
    outcome = matrix.run_case(case, prepare(tmp_path / "case"), _cli, pristine[1])
    assert outcome.detected, outcome


@pytest.mark.slow
def test_the_whole_damage_matrix_is_detected(pristine: tuple[Path, str], tmp_path: Path) -> None:
    outcomes = list(matrix.run_matrix(tmp_path, _cli, matrix.cases(), matrix.copier(pristine[0])))
    assert len(outcomes) == 55
    assert [outcome for outcome in outcomes if not outcome.detected] == []


def test_check_reports_each_damaged_file(tmp_path: Path) -> None:
    index_dir = matrix.build(tmp_path)
    report = Index.check(index_dir)
    assert report.ok and report.damaged == ()
    files = matrix.role_files(index_dir)
    assert {files[role].name for role in ("metadata", "toc", "manifest", "segment-1", "segment-2")} <= set(report.checked)
    matrix.damage(files["segment-1"], matrix.Case("segment-1", "flip"))
    matrix.damage(files["segment-2"], matrix.Case("segment-2", "delete"))
    damaged = {file.name: file.problem for file in Index.check(index_dir).damaged}
    assert damaged == {files["segment-1"].name: "does not match its checksum", files["segment-2"].name: "missing"}
    code, out, err = _cli(["check", "--index", str(index_dir)])
    assert code == 1
    assert f"damaged: {files['segment-2'].name}: missing" in out
    assert err.startswith("Error: index damaged: ") and "--rebuild" in err


def test_a_flip_with_its_modification_time_restored_is_still_detected(tmp_path: Path) -> None:
    index_dir = matrix.build(tmp_path)
    segment = matrix.role_files(index_dir)["segment-2"]
    before = segment.stat()
    matrix.damage(segment, matrix.Case("segment-2", "flip", 1 / 32))
    os.utime(segment, ns=(before.st_atime_ns, before.st_mtime_ns))
    with pytest.raises(IndexDamagedError, match=re.escape(segment.name)):
        Index.open(index_dir)


# Whoosh leaves the damaged segment's file object unclosed when it fails to open it.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_read_error_the_cheap_check_missed_names_the_damaged_file(tmp_path: Path, monkeypatch) -> None:
    # Bit rot that no size or stamp shows: the read fails, and the full check names the file.
    index_dir = matrix.build(tmp_path)
    monkeypatch.setattr("bnptsearch.index._verify_generation", lambda *args, **kwargs: True)
    monkeypatch.setattr(store_module, "_verify_generation", lambda *args, **kwargs: True)
    segment = matrix.role_files(index_dir)["segment-2"]
    matrix.damage(segment, matrix.Case("segment-2", "truncate"))
    with Index.open(index_dir) as index, pytest.raises(IndexDamagedError, match=re.escape(segment.name)):
        index.search("RAN PE Banten")
    gc.collect()  # that file object, while its warning is ignored


def test_an_error_on_an_intact_index_is_not_called_damage(tmp_path: Path, monkeypatch) -> None:
    index_dir = matrix.build(tmp_path)

    def broken(*args, **kwargs):
        raise zlib.error("a bug, not damage")

    monkeypatch.setattr(Searcher, "search", broken)
    with Index.open(index_dir) as index, pytest.raises(zlib.error, match="a bug"):
        index.search("RAN PE Banten")


def test_a_damaged_index_is_never_rebuilt_silently_and_rebuild_cures_it(tmp_path: Path, corpus_copy: Path) -> None:
    index_dir = tmp_path / "index"
    Index.build(corpus_copy, index_dir)[0].close()
    (index_dir / "bnptsearch.json").unlink()
    assert Index.exists(index_dir)
    code, _, err = _cli(["query", "BNPT", "--index", str(index_dir), "--corpus", str(corpus_copy)])
    assert (code, err) == (1, "Error: index damaged: bnptsearch.json; run `bnptsearch check` / `bnptsearch index --rebuild`\n")
    code, _, err = _cli(["index", "--index", str(index_dir), "--corpus", str(corpus_copy)])
    assert code == 1 and "--rebuild" in err
    code, out, _ = _cli(["index", "--rebuild", "--index", str(index_dir), "--corpus", str(corpus_copy)])
    assert code == 0 and "5 articles" in out
    assert Index.check(index_dir).ok


def test_a_damaged_acronym_cache_is_rebuilt(tmp_path: Path) -> None:
    index_dir = matrix.build(tmp_path)
    cache = index_dir / "acronyms.json"
    matrix.damage(cache, matrix.Case("acronyms", "edit"))
    report = Index.check(index_dir)
    assert report.ok and report.notes and not cache.exists()
    with Index.open(index_dir) as index:
        assert "Rencana Aksi Nasional" in str(index.search("RAN PE").expansions)
    assert cache.exists()


# -- every commit records its generation ----------------------------------------------------


def test_every_commit_path_records_a_manifest(corpus_copy: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    with Index.open(index_dir, create=True) as index:  # an empty index, generation 0
        assert _live_manifest(index_dir).exists() and Index.check(index_dir).ok
        index.add([corpus_copy / "000_d9719fe4b4a867df.txt"])
        steps = [
            lambda: index.update(corpus_copy),
            lambda: index.remove(["002_c1e97dfba439882a"]),
            lambda: index.add([corpus_copy / "002_c1e97dfba439882a.txt"]),
            index.optimize,
        ]
        for step in steps:
            step()
            report = Index.check(index_dir)
            assert report.ok, report
            assert _live_manifest(index_dir).name in report.checked
            assert len(_manifests(index_dir)) <= 2  # the live one and the one before
        assert index.info().articles == 5
    Index.build(corpus_copy, index_dir)[0].close()
    assert Index.check(index_dir).ok


def test_the_manifest_is_written_before_the_generation_is_visible(corpus_copy: Path, tmp_path: Path, monkeypatch) -> None:
    # A reader that sees generation N must find N's manifest: it is written before the TOC.
    index_dir = tmp_path / "index"
    Index.build(corpus_copy, index_dir)[0].close()
    record = store_module._record_generation
    seen = []

    def recording(path: Path, indexname: str, generation: int, files: dict[str, str]) -> None:
        seen.append((generation, (path / f"_{indexname}_{generation}.toc").exists()))
        record(path, indexname, generation, files)

    monkeypatch.setattr("bnptsearch.index._record_generation", recording)
    with Index.open(index_dir) as index:
        index.remove(["002_c1e97dfba439882a"])
    assert seen == [(2, False)]


def test_a_reader_follows_commits_of_another_writer(corpus_copy: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    Index.build(corpus_copy, index_dir)[0].close()
    with Index.open(index_dir) as reader, Index.open(index_dir) as writer:
        for doc_id in ("002_c1e97dfba439882a", "003_219fc8fa0a90b567"):
            assert reader.search("BNPT").hits
            writer.remove([doc_id])
            assert doc_id not in {hit.doc_id for hit in reader.search("BNPT", limit=50).hits}


# -- an index folder is code: refuse one that someone else could have written ---------------


@pytest.fixture
def index_dir(corpus_copy: Path, tmp_path: Path) -> Path:
    path = tmp_path / "index"
    Index.build(corpus_copy, path)[0].close()
    return path


def test_an_index_folder_writable_by_others_is_refused_before_anything_is_unpickled(index_dir: Path, monkeypatch) -> None:
    def unpickle(*args, **kwargs):
        raise AssertionError("the TOC was read")

    monkeypatch.setattr("whoosh.index.TOC.read", unpickle)
    index_dir.chmod(0o777)
    with pytest.raises(UntrustedIndexError) as refused:
        Index.open(index_dir)
    assert str(refused.value) == (
        f"index at {index_dir} is writable by others; an index folder can run code when opened "
        f"— if you trust it, set {SAFE_INDEX_ENV}={index_dir}"
    )


def test_a_file_writable_by_others_is_refused(index_dir: Path) -> None:
    toc = next(index_dir.glob("*.toc"))
    toc.chmod(0o666)
    code, _, err = _cli(["query", "BNPT", "--index", str(index_dir)])
    assert code == 1
    assert err == (
        f"Error: index at {index_dir} is writable by others ({toc.name}); an index folder can run code "
        f"when opened — if you trust it, set {SAFE_INDEX_ENV}={index_dir}\n"
    )


def test_an_index_folder_owned_by_another_user_is_refused(index_dir: Path, monkeypatch) -> None:
    monkeypatch.setattr(store_module.os, "geteuid", lambda: os.stat(index_dir).st_uid + 1)
    with pytest.raises(UntrustedIndexError, match=f"is owned by uid {os.stat(index_dir).st_uid};"):
        Index.open(index_dir)
    with pytest.raises(UntrustedIndexError):
        Index.build(SEED_CORPUS, index_dir)


def test_group_writable_is_refused_unless_it_is_the_users_private_group(index_dir: Path, monkeypatch) -> None:
    index_dir.chmod(0o775)
    monkeypatch.setattr(store_module, "_private_group", lambda gid: False)
    with pytest.raises(UntrustedIndexError, match="is writable by group"):
        Index.open(index_dir)
    monkeypatch.setattr(store_module, "_private_group", lambda gid: True)
    Index.open(index_dir).close()


def test_a_trusted_index_folder_opens(index_dir: Path, monkeypatch) -> None:
    index_dir.chmod(0o777)
    monkeypatch.setenv(SAFE_INDEX_ENV, f"/elsewhere{os.pathsep}{index_dir}/")
    with Index.open(index_dir) as index:
        assert index.search("BNPT").hits
    monkeypatch.setenv(SAFE_INDEX_ENV, "/elsewhere")
    with pytest.raises(UntrustedIndexError):
        Index.open(index_dir)


def test_check_reads_bytes_only_so_it_runs_on_an_untrusted_folder(index_dir: Path) -> None:
    index_dir.chmod(0o777)
    report = Index.check(index_dir)
    assert report.ok
    assert report.notes == (
        f"index at {index_dir} is writable by others; an index folder can run code when opened "
        f"— if you trust it, set {SAFE_INDEX_ENV}={index_dir}",
    )


def test_add_to_a_new_empty_index(tmp_path: Path) -> None:
    code, out, err = _cli(["add", str(SEED_CORPUS / "000_d9719fe4b4a867df.txt"), "--no-copy", "--index", str(tmp_path / "new")])
    assert (code, err) == (0, "")
    assert "1 articles" in out


def test_metadata_that_cannot_be_read_is_not_called_damage(index_dir: Path, monkeypatch) -> None:
    read_text = Path.read_text

    def refuse(self: Path, *args, **kwargs) -> str:
        if self.name == "bnptsearch.json":
            raise PermissionError(13, "Permission denied")
        return read_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", refuse)
    code, _, err = _cli(["query", "BNPT", "--index", str(index_dir)])
    assert (code, err) == (1, f"Error: cannot read {index_dir / 'bnptsearch.json'}: Permission denied\n")


WRITER = """
import sys
from pathlib import Path
from bnptsearch import Index
folder, index_dir = Path(sys.argv[1]), Path(sys.argv[2])
with Index.open(index_dir) as index:
    for number in range(int(sys.argv[3])):
        article = folder / f"baru-{number:03d}.txt"
        article.write_text(f"Berita baru {number}\\n\\nBNPT dan Densus 88 bekerja sama, kabar nomor {number}.\\n")
        index.add([article])
"""


@pytest.mark.slow
def test_readers_verify_each_generation_while_a_writer_commits(index_dir: Path, tmp_path: Path) -> None:
    # Each commit writes its manifest before its TOC, and deletes files of the generation
    # before: a reader must never take that for damage.
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), str(index_dir), "40"], stderr=subprocess.PIPE, text=True)
    queries = 0
    # A failing reader must not leave the writer running into the next test.
    with writer, Index.open(index_dir) as long_lived:
        try:
            while writer.poll() is None:
                assert long_lived.search("BNPT").hits
                with Index.open(index_dir) as fresh:  # as each CLI run opens it
                    assert fresh.counts()[0] >= 5 and fresh.search("kabar nomor").hits
                queries += 1
        finally:
            if writer.poll() is None:
                writer.kill()
        _, errors = writer.communicate(timeout=60)
        assert writer.returncode == 0, errors
        assert long_lived.counts()[0] == 45
    assert queries > 10
    assert Index.check(index_dir).ok


def test_a_commit_checksums_only_the_files_it_wrote(index_dir: Path, corpus_copy: Path, monkeypatch) -> None:
    crc_of_file = store_module._crc_of_file
    read: list[str] = []

    def counting(file: Path) -> int:
        read.append(file.name)
        return crc_of_file(file)

    monkeypatch.setattr(store_module, "_crc_of_file", counting)
    with Index.open(index_dir) as index:
        index.remove(["002_c1e97dfba439882a"])  # deletions live in the TOC: no new segment
        index.add([corpus_copy / "000_d9719fe4b4a867df.txt"])  # unchanged: nothing written
    assert read and [name for name in read if _is_segment_file(name)] == []  # only TOCs were read
    assert Index.check(index_dir).ok


def test_a_copied_index_is_read_whole_once_not_at_every_open(index_dir: Path, tmp_path: Path, monkeypatch) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(index_dir, copy)  # new inodes and change times: no file's stamp as recorded
    crc_of_file = store_module._crc_of_file
    read: list[str] = []

    def counting(file: Path) -> int:
        read.append(file.name)
        return crc_of_file(file)

    def segments_read() -> list[str]:
        found = sorted(name for name in read if _is_segment_file(name))
        read.clear()
        return found

    monkeypatch.setattr(store_module, "_crc_of_file", counting)
    segments = sorted(file.name for file in copy.iterdir() if _is_segment_file(file.name))
    assert len(segments) > 1  # separate files: .pst, .trm, columns
    manifest = _live_manifest(copy)
    recorded = manifest.read_bytes()
    for _ in range(2):  # read-only: nothing is written, so every open reads the copy whole
        with Index.open(copy, read_only=True) as index:
            assert index.search("BNPT").hits
        assert segments_read() == segments and manifest.read_bytes() == recorded
    with Index.open(copy) as index:
        assert index.search("BNPT").hits
    assert segments_read() == segments  # once: the searcher does not check them again
    for read_only in (False, True):
        with Index.open(copy, read_only=read_only) as index:
            assert index.search("BNPT").hits
        assert segments_read() == []
    # A file changed since is read again: a flip with its modification time restored too.
    segment = copy / segments[0]
    before = segment.stat()
    matrix.damage(segment, matrix.Case("segment-1", "flip", 1 / 32))
    os.utime(segment, ns=(before.st_atime_ns, before.st_mtime_ns))
    with pytest.raises(IndexDamagedError, match=re.escape(segment.name)):
        Index.open(copy)


def test_a_commit_whose_manifest_cannot_be_written_does_not_happen(index_dir: Path, monkeypatch) -> None:
    def no_space(*args) -> None:
        raise OSError(28, "No space left on device")

    files = {file.name for file in index_dir.iterdir()}
    with Index.open(index_dir) as index:
        monkeypatch.setattr("bnptsearch.index._record_generation", no_space)
        # h6c: a write failing with ENOSPC is an IndexWriteError (one line), no longer a bare OSError.
        with pytest.raises(IndexWriteError, match="no space left on device"):
            index.remove(["002_c1e97dfba439882a"])
        assert not [name for name in {file.name for file in index_dir.iterdir()} - files if ".toc" in name]
        assert index.counts() == (5, 32)  # still the last committed generation
        monkeypatch.undo()
        assert index.remove(["002_c1e97dfba439882a"]).deleted == 1
    assert Index.check(index_dir).ok


def test_a_crafted_manifest_cannot_make_check_read_outside_the_folder(index_dir: Path) -> None:
    manifest = _live_manifest(index_dir)
    segment = next(index_dir.glob("passages*.pst"))
    segment.unlink()
    segment.symlink_to("/dev/zero")  # an endless "segment" of the recorded name
    entries = {"/dev/zero": {"size": 0, "crc32": 0, "stamp": None}}
    entries |= json.loads(manifest.read_text())["files"]
    manifest.write_text(json.dumps({"files": entries, "crc32": store_module._checksum(entries)}))
    damaged = {file.name: file.problem for file in Index.check(index_dir).damaged}
    assert damaged == {"/dev/zero": "not an index file", segment.name: "not an index file"}


def test_the_damage_error_keeps_its_files_across_processes() -> None:
    import pickle

    error = pickle.loads(pickle.dumps(IndexDamagedError(("a.seg", "_b_1.toc"))))
    assert error.files == ("a.seg", "_b_1.toc")
    assert str(error) == "index damaged: a.seg, _b_1.toc; run `bnptsearch check` / `bnptsearch index --rebuild`"
