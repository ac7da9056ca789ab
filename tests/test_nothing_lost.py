"""Nothing already in the archive is lost: name and id collisions on `add`, the copy into
the corpus folder, rebuilds that keep articles from elsewhere, `remove` then `index`, bad
records that must not stop a run, and large files hashed in constant memory."""

from __future__ import annotations

import errno
import json
import os
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

from bnptsearch import CorpusError, Index
from bnptsearch.cli import cli
from bnptsearch.corpus_copy import copy_into

STORY_1 = "Jakarta – Densus 88 menangkap terduga teroris di Bekasi pada Senin (5/6/2023). Polisi menyita bahan peledak.\n"
STORY_2 = "Surabaya – BNPT dan Pemprov Jawa Timur menandatangani nota kesepahaman pencegahan radikalisme di sekolah.\n"
STORY_3 = "Medan – Warga Deli Serdang mengikuti sosialisasi kontra radikalisasi bersama tokoh agama setempat.\n"


def _cli(*args: str, corpus: Path, index: Path):
    corpus_option = ["--corpus", str(corpus)] if args[0] in {"add", "index"} else []
    return CliRunner().invoke(cli, [*args, "--index", str(index), *corpus_option])


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _jsonl(records: list[dict]) -> str:
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)


def _contents(index: Index) -> dict[str, tuple]:
    """Every indexed article: its title, body, source and date, and its passages' text."""
    passages: dict[str, list[tuple]] = {}
    for fields in index.searcher().whoosh.documents(kind="passage"):
        passages.setdefault(fields["doc_id"], []).append((fields["number"], fields["title"], fields["text"]))
    found = {}
    for doc_id in _article_ids(index):
        article = index.article(doc_id)
        found[doc_id] = (article.title, article.body, article.source, article.date, sorted(passages.get(doc_id, [])))
    return found


def _article_ids(index: Index) -> list[str]:
    return sorted(fields["article_id"] for fields in index.searcher().whoosh.documents(kind="article"))


def _search_ids(index: Index, query: str) -> set[str]:
    return {hit.doc_id for hit in index.search(query, limit=50).hits}


# --------------------------------------------------------------------------- add: names


def test_add_of_another_article_with_a_taken_name_gets_a_free_name(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    first = _write(tmp_path / "dl1" / "berita.txt", STORY_1)
    second = _write(tmp_path / "dl2" / "berita.txt", STORY_2)
    assert "1 added" in _cli("add", str(first), corpus=corpus, index=index).stdout
    result = _cli("add", str(second), corpus=corpus, index=index)
    assert result.exit_code == 0 and "1 added, 0 updated" in result.stdout
    assert f"note: {second}: {corpus / 'berita.txt'} already holds another article (added from {first.resolve()})" in result.stderr
    assert f"added as {corpus / 'berita-2.txt'}" in result.stderr
    assert (corpus / "berita.txt").read_text(encoding="utf-8") == STORY_1
    assert (corpus / "berita-2.txt").read_text(encoding="utf-8") == STORY_2
    with Index.open(index) as opened:
        assert _search_ids(opened, "Bekasi") == {"berita"}
        assert _search_ids(opened, "nota kesepahaman Surabaya") == {"berita-2"}
        # A later `index` of the corpus keeps both.
        assert opened.update(corpus).articles == 2

    # The same source again, changed: its own copy is replaced, nothing renamed.
    _write(first, STORY_3)
    again = _cli("add", str(first), corpus=corpus, index=index)
    assert "0 added, 1 updated" in again.stdout and "note:" not in again.stderr
    assert (corpus / "berita.txt").read_text(encoding="utf-8") == STORY_3
    # The same bytes from a third place: nothing to copy, nothing to index again.
    same = _write(tmp_path / "dl3" / "berita.txt", STORY_3)
    assert "0 added, 0 updated, 0 deleted, 1 unchanged" in _cli("add", str(same), corpus=corpus, index=index).stdout
    assert sorted(p.name for p in corpus.iterdir()) == ["berita-2.txt", "berita.txt"]

    # --replace replaces whatever holds the name.
    forced = _write(tmp_path / "dl4" / "berita.txt", STORY_1)
    replaced = _cli("add", str(forced), "--replace", corpus=corpus, index=index)
    assert "0 added, 1 updated" in replaced.stdout
    assert (corpus / "berita.txt").read_text(encoding="utf-8") == STORY_1


def test_add_of_a_txt_whose_id_a_jsonl_record_has_gets_a_free_name(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    _write(corpus / "arsip.jsonl", _jsonl([{"id": "berita", "title": "Rekaman", "text": STORY_2}]))
    _cli("index", corpus=corpus, index=index)
    result = _cli("add", str(_write(tmp_path / "dl" / "berita.txt", STORY_1)), corpus=corpus, index=index)
    assert "1 added, 0 updated" in result.stdout
    assert "article id 'berita' is already taken" in result.stderr and "berita-2.txt" in result.stderr
    with Index.open(index) as opened:
        assert _article_ids(opened) == ["berita", "berita-2"]
        assert opened.article("berita").title == "Rekaman"


# --------------------------------------------------------------------------- the copy itself


def test_the_copy_never_writes_through_a_symlink(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    victim = _write(tmp_path / "elsewhere" / "victim.txt", STORY_3)
    corpus.mkdir()
    (corpus / "victim.txt").symlink_to(Path("..") / "elsewhere" / "victim.txt")
    source = _write(tmp_path / "dl" / "victim.txt", STORY_1)
    assert _cli("add", str(source), corpus=corpus, index=index).exit_code == 0
    assert victim.read_text(encoding="utf-8") == STORY_3
    assert (corpus / "victim-2.txt").read_text(encoding="utf-8") == STORY_1
    # Even told to replace the name, the link itself is replaced, not the file it points to.
    assert _cli("add", str(source), "--replace", corpus=corpus, index=index).exit_code == 0
    assert victim.read_text(encoding="utf-8") == STORY_3
    assert not (corpus / "victim.txt").is_symlink()
    assert (corpus / "victim.txt").read_text(encoding="utf-8") == STORY_1
    # The API refuses a name that is taken, and a name that is not a plain file name.
    with pytest.raises(CorpusError, match="already exists"):
        copy_into(source, corpus, "victim-2.txt")
    with pytest.raises(CorpusError, match="not a plain file name"):
        copy_into(source, corpus, "../escape.txt")
    assert not (tmp_path / "escape.txt").exists()


@pytest.mark.parametrize(("code", "says"), [(errno.ENOSPC, "no space left on device"), (errno.EACCES, "permission denied")])
def test_a_failed_copy_leaves_nothing_behind(tmp_path: Path, monkeypatch, code: int, says: str) -> None:
    from bnptsearch import corpus_copy

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    _write(corpus / "lama.txt", STORY_2)
    _cli("index", corpus=corpus, index=index)

    def disk_full(source, target, length=0) -> None:
        target.write(source.read(10))  # part of it written, then the disk fills up
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(corpus_copy.shutil, "copyfileobj", disk_full)
    result = _cli("add", str(_write(tmp_path / "dl" / "baru.txt", STORY_1)), corpus=corpus, index=index)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {says} while writing {corpus / 'baru.txt'}"
    assert sorted(os.listdir(corpus)) == ["lama.txt"]  # no truncated copy, no temporary file
    with Index.open(index) as opened:
        assert _article_ids(opened) == ["lama"]


# --------------------------------------------------------------------------- one rule for ids


def test_txt_and_jsonl_with_one_id_index_alike_incrementally_and_rebuilt(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    _write(corpus / "a.jsonl", _jsonl([{"id": "x", "title": "Dari arsip", "text": STORY_2}, {"id": "y", "text": STORY_3}]))
    single = _write(tmp_path / "x.txt", STORY_1)

    # The .txt first, then the archive comes in; and the other way round; and via `add`.
    index, _ = Index.build(corpus, tmp_path / "i1")
    with index:
        report = index.add([single], copy_to=None)  # indexed where it is (as --no-copy)
        assert any("duplicate doc_id 'x'" in w for w in report.warnings)
        incremental = _contents(index)
        # And the same files dropped into the corpus folder, indexed incrementally.
    (tmp_path / "c2").mkdir()
    _write(tmp_path / "c2" / "x.txt", STORY_1)
    index2, _ = Index.build(tmp_path / "c2", tmp_path / "i2")
    with index2:
        _write(tmp_path / "c2" / "a.jsonl", (corpus / "a.jsonl").read_text(encoding="utf-8"))
        update = index2.update(tmp_path / "c2")
        assert any("duplicate doc_id 'x'" in w for w in update.warnings)
        incremental_in_folder = _contents(index2)
        again = index2.update(tmp_path / "c2")
        assert not again.changed and any("duplicate doc_id 'x'" in w for w in again.warnings)

    rebuilt, report = Index.build(tmp_path / "c2", tmp_path / "i3")
    with rebuilt:
        assert any("duplicate doc_id 'x'" in w for w in report.warnings)
        assert _contents(rebuilt) == incremental_in_folder == incremental
        # One rule: the first file in path order keeps the id (a.jsonl before x.txt).
        assert rebuilt.article("x").title == "Dari arsip"

    # Once the archive is gone, the .txt gets its id back, in the update as in a rebuild.
    (tmp_path / "c2" / "a.jsonl").unlink()
    with Index.open(tmp_path / "i2") as index2:
        index2.update(tmp_path / "c2")
        after = _contents(index2)
    rebuilt, _ = Index.build(tmp_path / "c2", tmp_path / "i4")
    with rebuilt:
        assert _contents(rebuilt) == after
        assert "Bekasi" in after["x"][1]


# --------------------------------------------------------------------------- rebuild


def test_rebuild_keeps_articles_from_other_folders_and_no_copy(tmp_path: Path) -> None:
    corpus, other, index = tmp_path / "corpus", tmp_path / "lain", tmp_path / "index"
    _write(corpus / "a.txt", STORY_1)
    _write(other / "b.txt", STORY_2)
    outside = _write(tmp_path / "luar.jsonl", _jsonl([{"id": "luar-1", "title": "Luar", "text": STORY_3}]))
    _cli("index", corpus=corpus, index=index)
    _cli("index", corpus=other, index=index)
    assert "1 added" in _cli("add", str(outside), "--no-copy", corpus=corpus, index=index).stdout
    with Index.open(index) as opened:
        before = _contents(opened)
    assert sorted(before) == ["a", "b", "luar-1"]

    rebuilt = _cli("index", "--rebuild", corpus=corpus, index=index)
    assert rebuilt.exit_code == 0 and "3 articles" in rebuilt.stdout and "warning" not in rebuilt.stderr
    with Index.open(index) as opened:
        assert _contents(opened) == before

    outside.unlink()
    gone = _cli("index", "--rebuild", corpus=corpus, index=index)
    assert f"warning: {outside.resolve()}: no longer exists; its 1 indexed articles are not in the rebuilt index" in gone.stderr
    assert "2 articles" in gone.stdout


def test_rebuild_keeps_where_a_copy_was_added_from(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    first = _write(tmp_path / "dl1" / "berita.txt", STORY_1)
    _cli("add", str(first), corpus=corpus, index=index)
    _cli("index", "--rebuild", corpus=corpus, index=index)
    # Still known as added from dl1: adding from there again replaces the copy.
    _write(first, STORY_3)
    again = _cli("add", str(first), corpus=corpus, index=index)
    assert "1 updated" in again.stdout and "note:" not in again.stderr


# --------------------------------------------------------------------------- remove


def test_a_removed_article_comes_back_with_the_next_index_as_with_a_rebuild(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    records = [{"id": f"j{i}", "title": f"Berita {i}", "text": text} for i, text in enumerate((STORY_1, STORY_2, STORY_3))]
    _write(corpus / "arsip.jsonl", _jsonl(records))
    _write(corpus / "satu.txt", STORY_1)
    _cli("index", corpus=corpus, index=index)
    removed = _cli("remove", "j1", "satu", corpus=corpus, index=index)
    assert "2 deleted" in removed.stdout
    with Index.open(index) as opened:
        assert _article_ids(opened) == ["j0", "j2"]
    # README: "The files stay in the corpus: delete them too, or the next index adds them back."
    updated = _cli("index", corpus=corpus, index=index)
    assert "2 added, 0 updated, 0 deleted, 2 unchanged" in updated.stdout
    assert "0 added, 0 updated, 0 deleted, 4 unchanged" in _cli("index", corpus=corpus, index=index).stdout
    with Index.open(index) as opened:
        incremental = _contents(opened)
    _cli("index", "--rebuild", corpus=corpus, index=index)
    with Index.open(index) as opened:
        assert _contents(opened) == incremental
        assert sorted(incremental) == ["j0", "j1", "j2", "satu"]


# --------------------------------------------------------------------------- bad records


BAD_RECORDS = [
    '{"id": null, "text": "Isi tanpa id."}',
    '{"id": "t-null", "text": null}',
    "[" * 100_000,
    '{"id": "\\ud800", "text": "Id dengan surrogate tunggal."}',
    '{"id": "judul-rusak", "title": "Judul \\udfff", "text": "Teks biasa."}',
]


@pytest.mark.parametrize("how", ["build", "update", "add"])
def test_one_bad_record_never_stops_a_run(tmp_path: Path, how: str) -> None:
    corpus = tmp_path / "corpus"
    lines = [json.dumps({"id": "baik-1", "text": STORY_1}), *BAD_RECORDS, json.dumps({"id": "baik-2", "text": STORY_2})]
    archive = tmp_path / "bad.jsonl"
    archive.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _write(corpus / "lain.txt", STORY_3)
    if how == "build":
        (corpus / "bad.jsonl").write_bytes(archive.read_bytes())
        index, report = Index.build(corpus, tmp_path / "index")
        name = corpus / "bad.jsonl"
    else:
        index, _ = Index.build(corpus, tmp_path / "index")
        if how == "update":
            (corpus / "bad.jsonl").write_bytes(archive.read_bytes())
            report = index.update(corpus)
            name = corpus / "bad.jsonl"
        else:
            report = index.add([archive])
            name = archive
    with index:
        assert _article_ids(index) == ["baik-1", "baik-2", "lain"]
        warnings = [w for w in report.warnings if w.startswith(f"{name}:")]
        assert [w.split(":")[1] for w in warnings] == ["2", "3", "4", "5", "6"], warnings
        assert "nested too deeply" in warnings[2] and "lone surrogate" in warnings[3]


def test_a_file_name_that_is_not_utf8_is_a_warning(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    _write(corpus / "baik.txt", STORY_1)
    odd = os.fsdecode(os.fsencode(corpus) + b"/\xff\xfe.txt")
    Path(odd).write_text(STORY_2, encoding="utf-8")
    index, report = Index.build(corpus, tmp_path / "index")
    with index:
        assert _article_ids(index) == ["baik"]
        assert any("is not valid Unicode" in w for w in report.warnings)


# --------------------------------------------------------------------------- large files


def test_an_unchanged_large_file_is_hashed_in_constant_memory(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    archive = corpus / "besar.jsonl"
    _write(archive, json.dumps({"id": "kecil", "text": STORY_1}) + "\n")
    with archive.open("a", encoding="utf-8") as file:
        # Lines too broken to index (each is skipped at once), making a 24 MB file.
        for _ in range(3):
            file.write('{"broken ' + "x" * (8 * 2**20) + "\n")
    index, _ = Index.build(corpus, tmp_path / "index")
    with index:
        tracemalloc.start()
        report = index.update(corpus)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert report.unchanged == 1 and not report.changed
    assert peak < 8 * 2**20, f"peak {peak / 2**20:.1f} MB for a {archive.stat().st_size / 2**20:.0f} MB file"


def test_a_large_file_is_planned_one_article_at_a_time(tmp_path: Path) -> None:
    from bnptsearch.idmap import IndexedArticles
    from bnptsearch.update import _Changes, _plan_files

    archive = tmp_path / "besar.jsonl"
    archive.write_text(_jsonl([{"id": f"r{n}", "text": f"Berita nomor {n}. {STORY_2}"} for n in range(50)]), encoding="utf-8")
    changes = _Changes()
    plan = _plan_files([archive], IndexedArticles(), changes)
    # The writer gets the first article before the rest of the file is parsed: the file's
    # articles are never all held in memory (benchmarks/streaming.py measures the RSS).
    assert next(plan).article.doc_id == "r0" and changes.added == 1
    assert sum(1 for _ in plan) == 49 and changes.added == 50 and len(changes.seen) == 50


def test_an_index_of_an_older_format_is_read_for_its_sources(tmp_path: Path) -> None:
    """A rebuild reads the index it replaces whatever its version: format 3 had no origins."""
    from whoosh import index as whoosh_index
    from whoosh.fields import ID, Schema

    from bnptsearch.update import _indexed_articles

    columns = ("article_id", "content_hash", "path", "file_hash")
    old = whoosh_index.create_in(str(tmp_path), Schema(kind=ID(stored=True), **{name: ID(stored=True, sortable=True) for name in columns}))
    with old.writer() as writer:
        writer.add_document(kind="article", article_id="luar", content_hash="c", path="/arsip/luar.txt", file_hash="f")
    with old.searcher() as searcher:
        known = _indexed_articles(searcher)["luar"]
    assert (known.path, known.origin, known.file_hash) == ("/arsip/luar.txt", "/arsip/luar.txt", "f")


def test_add_fields_follow_a_renamed_copy_into_the_rebuild(tmp_path: Path) -> None:
    # main's `add --fields` meets h5b's collision naming: the mapping is kept for the name
    # the copy got, so a rebuild reads both exports with their columns.
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    for folder, (doc_id, story) in (("dl1", ("e1", STORY_1)), ("dl2", ("e2", STORY_2))):
        _write(tmp_path / folder / "ekspor.csv", f'link,isi\n{doc_id},"{story.strip()}"\n')
        result = _cli("add", str(tmp_path / folder / "ekspor.csv"), "--fields", "id=link,text=isi", corpus=corpus, index=index)
        assert result.exit_code == 0, result.output
    assert sorted(p.name for p in corpus.iterdir()) == [".bnptsearch-fields.json", "ekspor-2.csv", "ekspor.csv"]
    assert _cli("index", "--rebuild", corpus=corpus, index=index).exit_code == 0
    with Index.open(index) as opened:
        assert _article_ids(opened) == ["e1", "e2"]
