"""Articles and file names cannot drive the terminal: control characters are shown escaped.

A JSONL title holding ``ESC[2J`` cleared the screen when ``query`` or ``show`` printed it,
``ESC]0;…BEL`` set the window title, and a file name holding a newline could print a
line of its own that looked like a ``warning:``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bnptsearch import cli as cli_module
from bnptsearch.cli import cli
from bnptsearch.terminal import escape_controls

CLEAR = "\x1b[2J"
TITLE_SEQUENCE = "\x1b]0;pwned\x07"
ARTICLE = {
    "id": "esc\x1b[31mred",
    "title": f"Teroris {CLEAR}ditangkap{TITLE_SEQUENCE}",
    "source": "Sumber\x9b2J\nBaris",
    "date": "2023-01-05",
    # Cleaning drops C0 controls from a body, not C1 ones (U+009B is a one-character CSI).
    "text": f"Polisi menangkap teroris {CLEAR}di Jakarta.\n\nDensus 88 teroris\x9b31m bom rakitan.",
}
# What may reach a terminal raw: no ESC, BEL, DEL or C1 control.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.mark.parametrize(
    ("text", "one_line", "lines_kept"),
    [
        (CLEAR, "\\x1b[2J", "\\x1b[2J"),
        (TITLE_SEQUENCE, "\\x1b]0;pwned\\x07", "\\x1b]0;pwned\\x07"),
        ("a\nb\tc", "a\\nb\\tc", "a\nb\tc"),
        ("a\rb\r\n", "a\\rb\\r\\n", "a\\rb\r\n"),
        ("\x9b\x7f\x00", "\\x9b\\x7f\\x00", "\\x9b\\x7f\\x00"),
        ("polisi\udcff", "polisi\\udcff", "polisi\\udcff"),
        ("Teror – “bom” é ي", "Teror – “bom” é ي", "Teror – “bom” é ي"),
    ],
)
def test_escape_controls(text: str, one_line: str, lines_kept: str) -> None:
    assert escape_controls(text) == one_line
    assert escape_controls(text, keep_lines=True) == lines_kept


@pytest.fixture
def run(tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "berita.jsonl").write_text(json.dumps(ARTICLE) + "\n", encoding="utf-8")
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, [*args, "--index", str(tmp_path / "index"), *(["--corpus", str(corpus)] if args[0] in {"query", "index"} else [])])

    built = invoke("index")
    assert built.exit_code == 0, built.output
    return invoke


def _no_raw_controls(text: str) -> None:
    assert not RAW_CONTROL.search(text), repr(text)


def test_query_text_shows_controls_escaped(run) -> None:
    result = run("query", "teroris", "--explain", "--facets")
    assert result.exit_code == 0, result.output
    _no_raw_controls(result.stdout)
    _no_raw_controls(result.stderr)
    assert "Teroris \\x1b[2Jditangkap\\x1b]0;pwned\\x07" in result.stdout
    assert "Sumber\\x9b2J\\nBaris" in result.stdout
    for grouped in (run("query", "teroris", "--articles"), run("query", "teroris", "--doc", ARTICLE["id"])):
        assert grouped.exit_code == 0
        _no_raw_controls(grouped.stdout)


def test_show_text_shows_controls_escaped_and_keeps_the_body_lines(run) -> None:
    result = run("show", ARTICLE["id"])
    assert result.exit_code == 0, result.output
    _no_raw_controls(result.stdout)
    assert "id:     esc\\x1b[31mred" in result.stdout
    assert "\n\nDensus 88 teroris\\x9b31m bom rakitan." in result.stdout


def test_json_keeps_every_character_escaped_as_json(run) -> None:
    for args in (("query", "teroris", "--json"), ("show", ARTICLE["id"], "--json")):
        result = run(*args)
        assert result.exit_code == 0, result.output
        _no_raw_controls(result.stdout)
        payload = json.loads(result.stdout)
        record = payload["hits"][0] if "hits" in payload else payload
        assert (record["title"], record["source"], record["doc_id"]) == (ARTICLE["title"], ARTICLE["source"], ARTICLE["id"])
    lines = run("query", "teroris", "--format", "jsonl").stdout
    _no_raw_controls(lines)
    assert json.loads(lines.splitlines()[0])["title"] == ARTICLE["title"]


def test_data_formats_are_left_alone_in_a_pipe_and_escaped_on_a_terminal(run, monkeypatch) -> None:
    # In a pipe only Click's own stripping of colour codes (ESC [ … letter) applies.
    piped = run("query", "teroris", "--format", "csv")
    assert next(csv.DictReader(io.StringIO(piped.stdout)))["title"] == "Teroris ditangkap" + TITLE_SEQUENCE
    assert "teroris\x9b31m bom" in run("show", ARTICLE["id"], "--raw").stdout
    monkeypatch.setattr(cli_module, "_on_terminal", lambda: True)
    for args in (("query", "teroris", "--format", "csv"), ("query", "teroris", "--format", "trec"), ("show", ARTICLE["id"], "--raw")):
        result = run(*args)
        assert result.exit_code == 0, result.output
        _no_raw_controls(result.stdout.replace("\r\n", "\n"))


def test_a_file_name_cannot_fake_a_warning_line(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ok.txt").write_text("Judul\n\nPolisi menangkap teroris di Jakarta.\n", encoding="utf-8")
    (corpus / "x\nwarning: all files are fine\x1b[2J.txt").write_text("", encoding="utf-8")
    result = CliRunner().invoke(cli, ["index", "--corpus", str(corpus), "--index", str(tmp_path / "index")])
    assert result.exit_code == 0, result.output
    warnings = result.stderr.splitlines()
    assert len(warnings) == 1 and warnings[0].startswith("warning: ")
    assert "x\\nwarning: all files are fine\\x1b[2J.txt: empty file" in warnings[0]
    _no_raw_controls(result.stderr)


def test_an_error_naming_a_path_is_shown_escaped(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["show", "x", "--index", str(tmp_path / f"nope{CLEAR}")])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no index at ") and "nope\\x1b[2J" in result.stderr
    _no_raw_controls(result.stderr)
