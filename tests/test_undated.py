"""Articles without a date are not silently dropped by --since/--until."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bnptsearch import Index
from bnptsearch.cli import cli

RECORDS = [
    {"id": "dated-2022", "text": "Densus menangkap teroris di Poso.", "date": "2022-05-01", "source": "A"},
    {"id": "dated-2019", "text": "Densus menangkap teroris di Solo.", "date": "2019-05-01", "source": "A"},
    {"id": "undated-a", "text": "Polisi memburu teroris di Bima.", "source": "A"},
    {"id": "undated-b", "text": "Warga melaporkan teroris di Sigi.", "source": "B"},
    {"id": "undated-other", "text": "Banjir melanda kota Sigi.", "source": "A"},
]


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "news.jsonl").write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    index, report = Index.build(corpus, tmp_path / "index")
    index.close()
    assert report.warnings == ()
    return tmp_path / "index"


def _ids(results) -> set[str]:
    return {hit.doc_id for hit in results.hits}


def test_undated_articles_left_out_are_counted(index_dir: Path) -> None:
    with Index.open(index_dir) as index:
        results = index.search("teroris", since="2020")
        assert _ids(results) == {"dated-2022"}
        assert results.undated == 2
        # Other filters still apply to the count: one undated match is from source A.
        assert index.search("teroris", since="2020", sources=["A"]).undated == 1
        assert index.search("teroris", until="2018").undated == 2
        # Without date bounds nothing is left out for lack of a date.
        assert index.search("teroris").undated is None
        assert _ids(index.search("teroris")) == {"dated-2022", "dated-2019", "undated-a", "undated-b"}


def test_include_undated_keeps_them(index_dir: Path) -> None:
    with Index.open(index_dir) as index:
        results = index.search("teroris", since="2020", include_undated=True, count=True)
        assert _ids(results) == {"dated-2022", "undated-a", "undated-b"}
        assert results.total == 3 and results.undated is None
        # A source filter still narrows the undated ones.
        assert _ids(index.search("teroris", since="2020", include_undated=True, sources=["B"])) == {"undated-b"}


def test_the_cli_says_how_many_undated_articles_were_left_out(index_dir: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["query", "teroris", "--since", "2020", "--index", str(index_dir)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "2 undated articles match too; --include-undated shows them"
    data = json.loads(runner.invoke(cli, ["query", "teroris", "--since", "2020", "--json", "--index", str(index_dir)]).output)
    assert data["undated"] == 2 and [hit["doc_id"] for hit in data["hits"]] == ["dated-2022"]
    result = runner.invoke(cli, ["query", "teroris", "--since", "2020", "--include-undated", "--index", str(index_dir)])
    assert "undated-a" in result.output and "undated-b" in result.output
    assert "--include-undated shows" not in result.output
    # Nothing dated matches, but an undated article does: the user is told so.
    result = runner.invoke(cli, ["query", "Bima", "--since", "2020", "--index", str(index_dir)])
    assert result.output == "No passages match 'Bima'.\n1 undated article matches too; --include-undated shows it\n"
