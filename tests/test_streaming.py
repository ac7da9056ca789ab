"""Large files in flat memory: ids seen are kept on disk past a limit, and a new file is
hashed as it is parsed (benchmarks/streaming.py measures the RSS)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bnptsearch import Index, idmap, load_corpus
from bnptsearch import update as update_module
from bnptsearch.cli import cli

STORY = "Densus 88 menangkap terduga teroris nomor {n} di Poso. Polisi menyita barang bukti dari rumahnya."


def _corpus(folder: Path) -> Path:
    folder.mkdir()
    records = [{"id": f"r{n}", "text": STORY.format(n=n)} for n in range(12)]
    records.insert(5, {"id": "r2", "text": "Salinan kedua dengan isi lain sama sekali."})  # a duplicate inside the file
    records.append({"id": "x", "title": "Dari arsip", "text": STORY.format(n="x")})
    (folder / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    (folder / "b.jsonl").write_text(json.dumps({"id": "r7", "text": "Versi lain."}) + "\n", encoding="utf-8")
    (folder / "x.txt").write_text("Jakarta – " + STORY.format(n="teks"), encoding="utf-8")  # loses x to a.jsonl
    return folder


def _contents(index: Index) -> dict[str, tuple]:
    return {a.doc_id: (a.title, a.source, a.date, a.passages) for a in index.articles()}


def _indexed(corpus: Path, index_dir: Path) -> tuple[list[str], dict[str, tuple], list[str]]:
    index, report = Index.build(corpus, index_dir)
    with index:
        contents = _contents(index)
        (corpus / "b.jsonl").unlink()
        updated = index.update(corpus)
        assert _contents(index)["r7"] == contents["r7"]
    (corpus / "b.jsonl").write_text(json.dumps({"id": "r7", "text": "Versi lain."}) + "\n", encoding="utf-8")
    return list(report.warnings), contents, list(updated.warnings)


def test_ids_kept_on_disk_give_the_same_warnings_and_index(tmp_path: Path, monkeypatch) -> None:
    corpus = _corpus(tmp_path / "corpus")
    in_memory = _indexed(corpus, tmp_path / "i1")
    assert sum("duplicate doc_id" in w for w in in_memory[0]) == 3  # r2 in a.jsonl, r7 in b.jsonl, x in x.txt
    monkeypatch.setattr(idmap, "IN_MEMORY", 2)
    assert _indexed(corpus, tmp_path / "i2") == in_memory
    assert [w.message for w in load_corpus(corpus).warnings] == [
        "duplicate doc_id 'r2' (already read from {}:3); skipped".format(corpus / "a.jsonl"),
        "duplicate doc_id 'r7' (already read from {}:9); skipped".format(corpus / "a.jsonl"),
        "duplicate doc_id 'x' (already read from {}:14); skipped".format(corpus / "a.jsonl"),
    ]


def test_the_map_moves_to_disk_past_its_limit() -> None:
    seen = idmap.IdLocations(in_memory=3)
    for n in range(10):
        seen[f"r{n}"] = (f"/arsip/{n % 2}.jsonl", n)
    assert seen._db is not None and not seen._memory  # on disk, not in a dict
    assert (seen.get("r1"), seen.get("r8"), seen.get("r10"), len(seen), "r9" in seen) == (
        ("/arsip/1.jsonl", 1), ("/arsip/0.jsonl", 8), None, 10, True
    )  # fmt: skip
    seen.close()


def test_a_new_file_is_hashed_as_it_is_parsed(tmp_path: Path, monkeypatch) -> None:
    corpus = _corpus(tmp_path / "corpus")
    # Files that lose their only ids to a.jsonl are read again by every update (they may
    # win them later): not the case tested here.
    (corpus / "b.jsonl").unlink()
    (corpus / "x.txt").rename(corpus / "y.txt")
    # A JSON export is read whole too (as a table of records): hashed as it is read.
    (corpus / "ekspor.json").write_text(json.dumps([{"id": "j1", "text": STORY.format(n=99)}]), encoding="utf-8")

    def second_read(file: Path) -> str:
        raise AssertionError(f"{file} read a second time to be hashed")

    monkeypatch.setattr(update_module, "_hash", second_read)
    index, report = Index.build(corpus, tmp_path / "index")
    monkeypatch.undo()
    with index:
        assert report.articles == 15

        def parsed(*args, **kwargs):
            raise AssertionError("an unchanged file is parsed again")

        # The hashes taken while parsing are the files' hashes: nothing is read again.
        monkeypatch.setattr(update_module, "stream_file", parsed)
        assert index.update(corpus).unchanged == 15


@pytest.mark.parametrize("name", ["ekspor.csv", "ekspor.json"])
def test_a_file_its_reader_did_not_hash_is_hashed_after(tmp_path: Path, name: str, monkeypatch) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    # A CSV export is streamed as a table, not hashed as it is read; a JSON one either way.
    if name.endswith(".csv"):
        (corpus / name).write_text("id,text\n1,Densus 88 menangkap terduga teroris di Poso.\n", encoding="utf-8")
    else:
        (corpus / name).write_text(json.dumps([{"id": "1", "text": STORY.format(n=1)}]), encoding="utf-8")
    index, _ = Index.build(corpus, tmp_path / "index")

    def parsed(*args, **kwargs):
        raise AssertionError("an unchanged file is parsed again")

    monkeypatch.setattr(update_module, "stream_file", parsed)
    with index:
        assert index.update(corpus).unchanged == 1


# Run in a new process: what one process holds of an index of 400,000 articles, in MiB.
_INDEXED_RSS = """
import resource
from bnptsearch.idmap import IndexedArticles
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
rows = ((f"{i:08d}_{i * 7919 % 1000003:x}", f"{i:064x}", "/c/arsip.jsonl", "", "/c/arsip.jsonl") for i in range(400_000))
indexed = IndexedArticles(rows)
assert indexed.files["/c/arsip.jsonl"].origin == "/c/arsip.jsonl" and len(indexed) == 400_000
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)
"""


@pytest.mark.slow
def test_what_the_index_holds_is_not_held_in_memory() -> None:
    # As a dict of dataclasses (before) this took about 110 MiB; the table's page cache is 16 MB.
    done = subprocess.run([sys.executable, "-c", _INDEXED_RSS], capture_output=True, text=True, check=True, timeout=300)
    assert float(done.stdout) < 60


class _FullDisk:
    """An SQLite connection whose temporary file cannot grow."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def execute(self, sql: str, *args):
        if sql.startswith("INSERT"):
            raise sqlite3.OperationalError("database or disk is full")
        return self.db.execute(sql, *args)

    def executemany(self, sql: str, rows):
        return self.execute(sql, rows)

    def close(self) -> None:
        self.db.close()


def test_a_full_temporary_folder_is_one_line_and_keeps_the_index(tmp_path: Path, monkeypatch) -> None:
    corpus = _corpus(tmp_path / "corpus")
    index_dir = tmp_path / "index"
    Index.build(corpus, index_dir)[0].close()
    # Three new ids: more than IN_MEMORY (2) ids read, so the ids move to the scratch file
    # (the ids of a.jsonl, unchanged, are not listed one by one).
    new = [{"id": f"baru{n}", "text": STORY.format(n=f"baru{n}")} for n in range(3)]
    (corpus / "c.jsonl").write_text("".join(json.dumps(record) + "\n" for record in new), encoding="utf-8")
    scratch = idmap._scratch
    monkeypatch.setattr(idmap, "_scratch", lambda create: _FullDisk(scratch(create)))
    monkeypatch.setattr(idmap, "IN_MEMORY", 2)
    result = CliRunner().invoke(cli, ["index", "--corpus", str(corpus), "--index", str(index_dir)])
    assert result.exit_code == 1 and result.output.startswith("Error: cannot write the temporary file"), result.output
    assert len(result.output.strip().splitlines()) == 1
    monkeypatch.undo()
    with Index.open(index_dir) as index:
        assert not {"baru0", "baru1", "baru2"} & {a.doc_id for a in index.articles()} and len(index.articles()) == 13
