"""Every example in README.md runs as written, on a copy of the seed corpus.

The Python block is executed, and a ``print(x)  # value`` line whose comment is a Python
literal must print that value. Shell blocks run command by command: ``bnptsearch …`` through
Click's runner (exit 0 expected), anything else only if :data:`NOT_RUN` names a reason.
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bnptsearch.cli import cli

from .conftest import SEED_CORPUS

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
# Commands the README shows that this test does not run, and why.
NOT_RUN = {
    "pip": "installs packages (network); the test runs in the installed environment",
    "python -m pytest": "the test suite itself",
    "python -m benchmarks.retrieval": "needs the evaluation sets in ../shared/eval and takes minutes",
    "python -m benchmarks.keyword_queries": "needs the evaluation sets in ../shared/eval",
    "python benchmarks/perf.py": "needs ../shared/eval and takes minutes",
    "python benchmarks/parallel_build.py": "builds a large index once per --jobs value: minutes",
    "python -m benchmarks.add_one": "needs a large index built in place, a checkout of other code and ../shared/eval",
    "python -m benchmarks.hybrid_latency": "needs an index with vectors, the 'semantic' extra and ../shared/eval",
    "python -m benchmarks.embed_cache": "embeds the evaluation pools (../shared/eval) with the real model: CPU-hours",
    "bnptsearch serve": "runs until stopped; tests/test_web.py and tests/test_browser.py serve the same app",
}
# The examples of semantic search (README, "Semantic search") use this index folder: they need
# the 'semantic' extra and run the real model (tens of seconds on a loaded machine), so
# test_semantic_examples_run (slow, semantic) runs them, not test_shell_examples_run.
SEMANTIC_EXAMPLES = "--index index-semantic"
# Files a reader is assumed to have besides the corpus: the article `bnptsearch add` adds.
READER_FILES = {"berita.txt": "Berita baru tentang BNPT\n\nBNPT dan Densus 88 bekerja sama di Banten.\n"}
# An export in the corpus folder with its own column names, for the --fields example.
CORPUS_FILES = {
    "ekspor.csv": "link,judul,isi,tanggal,media\n"
    "e1,Patroli siber BNPT,Jakarta – Tim patroli siber BNPT menurunkan konten radikal.,2024-02-20,Warta\n"
}


def blocks(language: str) -> list[str]:
    return [body for lang, body in BLOCK.findall(README.read_text(encoding="utf-8")) if lang == language]


def shell_commands() -> list[str]:
    commands = []
    for block in blocks("sh"):
        for line in block.replace("\\\n", " ").splitlines():
            commands += [part.strip() for part in line.split("&&") if part.strip()]
    return commands


@pytest.fixture
def reader_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(SEED_CORPUS, tmp_path / "corpus")
    for name, text in READER_FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    for name, text in CORPUS_FILES.items():
        (tmp_path / "corpus" / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_shell_examples_run(reader_folder: Path) -> None:
    commands = shell_commands()
    assert any(command.startswith("bnptsearch query") for command in commands)
    runner = CliRunner()
    for command in commands:
        words = shlex.split(command, comments=True)
        reason = next((why for prefix, why in NOT_RUN.items() if command.startswith(prefix)), None)
        if SEMANTIC_EXAMPLES in command:
            reason = "needs the 'semantic' extra and runs the model: test_semantic_examples_run (slow) runs it"
        if words[0] != "bnptsearch" or reason is not None:
            assert reason is not None, f"README command {command!r} is neither run nor listed in NOT_RUN"
            print(f"not run: {command!r}: {reason}")
            continue
        result = runner.invoke(cli, words[1:])
        assert result.exit_code == 0, f"{command!r} exited {result.exit_code}: {result.output}"


@pytest.mark.slow
@pytest.mark.semantic
def test_semantic_examples_run(reader_folder: Path) -> None:
    commands = [command for command in shell_commands() if SEMANTIC_EXAMPLES in command]
    assert any("--semantic" in command for command in commands)
    runner = CliRunner()
    for command in commands:
        result = runner.invoke(cli, shlex.split(command, comments=True)[1:])
        assert result.exit_code == 0, f"{command!r} exited {result.exit_code}: {result.output}"


def test_python_example_runs_and_prints_what_it_says(reader_folder: Path) -> None:
    (source,) = blocks("python")
    checked = 0
    lines = []
    for line in source.splitlines():
        match = re.fullmatch(r"print\((.*)\)\s+#\s*(.+)", line.strip())
        try:
            expected = ast.literal_eval(match[2]) if match else None
        except (ValueError, SyntaxError):
            expected = None  # the comment is prose, not a value
        if match and expected is not None:
            line = f"assert ({match[1]}) == {expected!r}, {match[1]!r}"
            checked += 1
        lines.append(line)
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile("\n".join(lines), str(README), "exec"), {})  # noqa: S102 - the README's own code
    assert checked, "the README's analyze() example should state its output"
