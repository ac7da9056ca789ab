"""The command line, through Click's CliRunner: output formats and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bnptsearch.cli import cli


@pytest.fixture
def run(corpus_copy: Path, tmp_path: Path):
    """Runs bnptsearch with --index/--corpus pointing at private copies."""
    runner = CliRunner()
    index = tmp_path / "index"

    def invoke(*args: str, with_corpus: bool = True):
        extra = ["--index", str(index)]
        if with_corpus and args[0] in {"query", "index", "add"}:
            extra += ["--corpus", str(corpus_copy)]
        return runner.invoke(cli, [*args, *extra])

    return invoke


def test_first_query_builds_the_index(run) -> None:
    result = run("query", "RAN PE Banten")
    assert result.exit_code == 0, result.output
    assert "building it from" in result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Passages 1–")
    assert lines[2].startswith("1. Pemprov Banten")
    assert "**RAN PE**" in result.stdout
    again = run("query", "RAN PE Banten")
    assert "building" not in again.stderr
    assert again.stdout == result.stdout


def test_query_json(run) -> None:
    result = run("query", "Strong Cities Network", "--json", "-n", "2")
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["query"] == "Strong Cities Network"
    assert len(payload["hits"]) <= 2
    hit = payload["hits"][0]
    assert set(hit) == {"rank", "doc_id", "title", "source", "date", "url", "page", "score", "passage", "highlighted", "spans", "author"}
    assert hit["doc_id"] == "001_b906f770b361ad8d"
    for start, end in hit["spans"]:
        # "SCN" is marked too: the article defines it, so the query is expanded to it.
        assert hit["passage"][start:end].lower() in {"strong cities network", "strong", "cities", "network", "scn"}
    assert payload["expansions"] == ["Strong Cities Network → SCN"]


def test_zero_hits_is_success(run) -> None:
    result = run("query", "Nikita Mirzani")
    assert result.exit_code == 0
    assert "No passages match" in result.stdout


@pytest.mark.parametrize(
    ("query", "exit_code", "says"),
    [
        ("", 1, "Error: empty query"),  # refused, with a one-line reason
        ('"unbalanced', 0, "No passages match"),  # read as the word "unbalanced"
        ("(((", 0, "No passages match"),  # nothing searchable left
        ("AND", 1, "Error: every word of 'AND' is a stopword"),  # the operator alone is a word, an English stopword
    ],
)
def test_bad_queries_exit_cleanly(run, query: str, exit_code: int, says: str) -> None:
    run("index")
    result = run("query", query)
    assert result.exit_code == exit_code
    assert "Traceback" not in result.output
    if exit_code == 1:
        assert result.stderr.startswith(says) and result.stderr.count("\n") == 1
    else:
        assert says in result.stdout


def test_usage_errors_exit_2(run) -> None:
    # No query and no filter: nothing to search or list (an error of the query, exit 1).
    empty = run("query")
    assert empty.exit_code == 1 and "empty query" in empty.output
    assert run("query", "x", "-n", "0").exit_code == 2
    assert run("frobnicate").exit_code == 2


def test_missing_index_without_corpus_exits_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["info", "--index", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no index at")


def test_index_is_incremental(run, corpus_copy: Path) -> None:
    first = run("index")
    assert first.exit_code == 0
    assert "5 added" in first.stdout
    (corpus_copy / "002_c1e97dfba439882a.txt").unlink()
    second = run("index")
    assert "0 added, 0 updated, 1 deleted, 4 unchanged" in second.stdout
    rebuilt = run("index", "--rebuild")
    assert "4 added" in rebuilt.stdout and "4 articles" in rebuilt.stdout


def test_batch_trec_and_jsonl(run, tmp_path: Path) -> None:
    run("index")
    queries = tmp_path / "q.tsv"
    queries.write_text("q1\tRAN PE Banten\nq2\tBali Work Plan\n\nq3\t   \n", encoding="utf-8")
    result = run("batch", str(queries), "-n", "3")
    assert result.exit_code == 0
    lines = [line.split() for line in result.stdout.splitlines()]
    assert lines[0] == ["q1", "Q0", "004_712c4dcd13143a1e", "1", lines[0][4], "bnptsearch"]
    q1_docs = [line[2] for line in lines if line[0] == "q1"]
    assert len(q1_docs) == len(set(q1_docs))  # one line per article
    assert next(line for line in lines if line[0] == "q2")[2] == "002_c1e97dfba439882a"
    assert "query q3" in result.stderr
    jsonl = run("batch", str(queries), "--format", "jsonl", "-n", "2")
    objects = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert [o["qid"] for o in objects] == ["q1", "q2"]
    assert objects[0]["hits"][0]["doc_id"] == "004_712c4dcd13143a1e"


def test_batch_rejects_malformed_lines(run, tmp_path: Path) -> None:
    run("index")
    queries = tmp_path / "q.tsv"
    queries.write_text("no tab here\n", encoding="utf-8")
    result = run("batch", str(queries))
    assert result.exit_code == 1
    assert "q.tsv:1" in result.stderr


def test_analyze(run) -> None:
    result = CliRunner().invoke(cli, ["analyze", "Penangkapan yang praktik-praktik"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[1].split() == ["yang", "→", "(stopword)"]
    assert lines[2].split()[0] == "praktik-praktik"
    payload = json.loads(CliRunner().invoke(cli, ["analyze", "kerja sama", "--json"]).stdout)
    assert payload["terms"] == ["kerjasama"]


def test_info(run) -> None:
    run("index")
    result = run("info")
    assert result.exit_code == 0
    assert "articles:  5" in result.stdout
    payload = json.loads(run("info", "--json").stdout)
    assert payload["articles"] == 5


def test_add_remove_show(run, corpus_copy: Path, tmp_path: Path) -> None:
    run("index")
    new = tmp_path / "berita baru é.txt"
    new.write_text(
        "Jakarta – Densus 88 menangkap dua terduga teroris di Bekasi pada 5 Juni 2023. "
        "Penangkapan dilakukan setelah penyelidikan panjang terhadap jaringan tersebut.\n",
        encoding="utf-8",
    )
    added = run("add", str(new))
    assert added.exit_code == 0 and "1 added" in added.stdout
    assert (corpus_copy / new.name).exists()
    shown = run("show", "berita baru é")
    assert shown.exit_code == 0 and "date:   2023-06-05" in shown.stdout and "Bekasi" in shown.stdout
    raw = run("show", "004_712c4dcd13143a1e", "--raw")
    assert "Tinggalkan Balasan" in raw.stdout  # the original, boilerplate and all
    clean = run("show", "004_712c4dcd13143a1e")
    assert "Tinggalkan Balasan" not in clean.stdout
    removed = run("remove", "berita baru é", "nope")
    assert removed.exit_code == 1 and "1 deleted" in removed.stdout and "nope" in removed.stderr
    assert run("show", "nope").exit_code == 1


def test_add_no_copy(run, corpus_copy: Path, tmp_path: Path) -> None:
    run("index")
    outside = tmp_path / "luar.jsonl"
    outside.write_text(json.dumps({"id": "luar-1", "title": "Luar", "text": "Kerja sama BNPT dengan Australia diperkuat."}) + "\n", encoding="utf-8")
    assert "1 added" in run("add", str(outside), "--no-copy").stdout
    assert not (corpus_copy / "luar.jsonl").exists()
    assert "0 deleted" in run("index").stdout


def test_strict_turns_warnings_into_failure(run, corpus_copy: Path) -> None:
    (corpus_copy / "kosong.txt").write_text("", encoding="utf-8")
    lenient = run("index")
    assert lenient.exit_code == 0 and "kosong.txt" in lenient.stderr and "1 warnings" in lenient.stdout
    strict = run("index", "--rebuild", "--strict")
    assert strict.exit_code == 1 and strict.stderr.strip().endswith("Error: 1 warnings (--strict)")


def test_bad_files_for_add(run, tmp_path: Path) -> None:
    run("index")
    odd = tmp_path / "catatan.xlsx"
    odd.write_bytes(b"PK\x03\x04")
    result = run("add", str(odd))
    assert result.exit_code == 1 and "unsupported file type '.xlsx'" in result.stderr
    broken = tmp_path / "rusak.pdf"
    broken.write_bytes(b"%PDF-1.4")
    result = run("add", str(broken))
    assert result.exit_code == 0 and "rusak.pdf: cannot read PDF" in result.stderr
    missing = run("add", str(tmp_path / "missing.txt"))
    assert missing.exit_code == 1 and missing.stderr.strip() == f"Error: {tmp_path / 'missing.txt'}: no such file"


def test_progress_bar_draws_stages_on_stderr(capsys) -> None:
    from bnptsearch.cli import _ProgressBar

    bar = _ProgressBar()
    bar("reading", 1, 2)
    bar("reading", 2, 2)
    bar("indexing", 3, 3)
    err = capsys.readouterr().err
    assert "\rreading 1/2 files" in err and "reading 2/2 files" in err and "indexing 3/3 articles" in err
    assert err.count("\n") == 2  # a finished stage ends its line


def test_no_progress_bar_when_stderr_is_not_a_terminal(run) -> None:
    result = run("index")
    assert "\r" not in result.stderr


def test_index_optimize_merges_segments(run, corpus_copy: Path, tmp_path: Path) -> None:
    from bnptsearch import Index

    run("index")
    for number in range(3):
        extra = tmp_path / f"extra-{number}.jsonl"
        extra.write_text(json.dumps({"id": f"x{number}", "text": f"Berita tambahan nomor {number} tentang BNPT."}) + "\n", encoding="utf-8")
        run("add", str(extra))
    with Index.open(tmp_path / "index") as index:
        assert len(index.searcher().whoosh.reader().leaf_readers()) > 1
    result = run("index", "--optimize")
    assert result.exit_code == 0 and "merged into 1" in result.stdout
    with Index.open(tmp_path / "index") as index:
        assert len(index.searcher().whoosh.reader().leaf_readers()) == 1
        assert index.info().articles == 8
        assert index.search("Berita tambahan nomor 2").hits[0].doc_id == "x2"
