"""Shared fixtures: the seed corpus and an index built from it once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bnptsearch import Index

SEED_CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory) -> Index:
    """An index of the five seed articles, shared read-only by the tests that search it."""
    index, _ = Index.build(SEED_CORPUS, tmp_path_factory.mktemp("seed") / "index")
    yield index
    index.close()


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A private, writable copy of the seed corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, target)
    return target


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path, monkeypatch) -> None:
    """Every test runs in its own folder, so a default ``corpus``/``index`` path can never
    touch the repository's own."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(autouse=True)
def _keep_test_priority(monkeypatch) -> None:
    """CliRunner runs the writing commands in the test process: they must not lower its CPU
    priority (bnptsearch.cli.WRITER_NICENESS) for the rest of the run."""
    monkeypatch.setattr("bnptsearch.cli.WRITER_NICENESS", 0)
