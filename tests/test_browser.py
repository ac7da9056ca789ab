"""``bnptsearch serve`` in a real browser: Debian's chromium driven by Playwright, against the
app served on 127.0.0.1 in a thread.

Deselected, with a message, where /usr/bin/chromium or Playwright is absent (conftest.py).
With ``BNPTSEARCH_SCREENSHOTS=DIR`` the run saves the README's screenshots there:
``BNPTSEARCH_SCREENSHOTS=docs python -m pytest -m browser``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bnptsearch.web import create_app, running

from .conftest import CHROMIUM

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Chromium as root needs --no-sandbox; the rest keep a machine without network quiet.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def site(web_index_path: Path) -> Iterator[str]:
    with running(create_app(web_index_path)) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=30_000)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    context.close()
    # A CSP violation (an inline script or style) or a missing file shows up here.
    assert problems == []


def _screenshot(page, name: str) -> None:
    folder = os.environ.get("BNPTSEARCH_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name))


def _dates(page) -> set[str]:
    return {m for text in page.locator(".hit .meta").all_inner_texts() for m in re.findall(r"\d{4}-\d{2}-\d{2}", text)}


def test_search_filter_by_facet_and_timeline_then_read_an_article(page, site: str) -> None:
    page.goto(site)
    page.fill("input[name=q]", "terorisme")
    page.press("input[name=q]", "Enter")
    page.wait_for_url(re.compile(r"q=terorisme"))
    assert page.locator(".hit").count() == 10
    assert page.locator(".hit mark").count() > 5
    assert "Bagian 1–10 dari" in page.inner_text(".summary")

    # a source facet: only that source's articles remain
    page.click("a.facet:text-is('CNNBanten.id')")
    page.wait_for_url(re.compile(r"source=CNNBanten.id"))
    metas = page.locator(".hit .meta").all_inner_texts()
    assert metas and all(meta.startswith("CNNBanten.id") for meta in metas)
    page.click("a.facet-clear")
    page.wait_for_url(re.compile(r"^(?!.*source=)"))

    # a timeline bar: the date range narrows to its month, and the inputs show it
    page.click('a.bar[data-period="2022-07"]')
    page.wait_for_url(re.compile(r"since=2022-07&until=2022-07"))
    assert page.input_value("input[name=since]") == "2022-07" and page.input_value("input[name=until]") == "2022-07"
    assert _dates(page) == {"2022-07-26"}

    # sort by date through the form
    page.fill("input[name=since]", "")
    page.fill("input[name=until]", "")
    page.select_option("select[name=sort]", "oldest")
    page.click("button.secondary")
    page.wait_for_url(re.compile(r"sort=oldest"))
    dates = [m for text in page.locator(".hit .meta").all_inner_texts() for m in re.findall(r"\d{4}-\d{2}-\d{2}", text)]
    assert dates == sorted(dates) and dates[0] == "2022-03-23"


def test_did_you_mean_next_page_and_article(page, site: str) -> None:
    page.goto(site)
    page.fill("input[name=q]", "terorisne")
    page.press("input[name=q]", "Enter")
    assert page.locator(".suggestion strong").inner_text() == "terorisme"  # searched in its place
    page.click("#as-typed")
    page.wait_for_url(re.compile(r"exact=1"))
    assert page.inner_text(".empty") == "Tidak ada bagian yang cocok dengan pencarian ini."
    page.click("#did-you-mean")
    page.wait_for_url(re.compile(r"q=terorisme"))
    assert page.input_value("input[name=q]") == "terorisme"
    first_page = page.locator(".hit h3").all_inner_texts()
    _screenshot(page, "search.png")

    page.click("a[rel=next]")
    page.wait_for_url(re.compile(r"offset=10"))
    assert page.inner_text(".summary").startswith("Bagian 11–")
    assert page.locator(".hit h3").all_inner_texts() != first_page

    title = page.locator(".hit h3").first.inner_text()
    page.locator(".hit a.title").first.click()
    page.wait_for_url(re.compile(r"/articles/.+#hit$"))
    assert page.inner_text("h1") == title
    assert page.locator("article mark").count() >= 1
    hit = page.locator("#hit")
    assert hit.is_visible() and hit.locator("mark").count() >= 1
    assert hit.bounding_box()["y"] < 900  # opened at the hit's passage
    page.click("a.back")
    page.wait_for_url(re.compile(r"^[^#]*/\?(exact=1&)?q=terorisme"))  # the search it came from


def test_article_page_screenshot_and_english(page, site: str) -> None:
    page.goto(f"{site}/?q=RAN+PE+Banten&lang=en")
    assert "Also searched: RAN PE" in page.inner_text(".expansions")
    page.locator(".hit a.title").first.click()
    page.wait_for_url(re.compile(r"/articles/004_712c4dcd13143a1e"))
    assert page.inner_text("dl.meta").startswith("Source")
    assert "RAN PE" in page.locator("#hit mark").all_inner_texts()
    _screenshot(page, "article.png")


def test_hostile_article_shows_as_text_and_unsafe_links_are_not_links(page, site: str) -> None:
    page.goto(f"{site}/?q=zebrakuda")
    assert "<script>alert('judul')</script> Zebrakuda" in page.locator(".hit h3").all_inner_texts()
    page.goto(f"{site}/articles/evil_script?q=zebrakuda")
    assert page.locator("script, img").count() == 0
    assert page.inner_text(".unsafe-url") == "javascript:alert(document.cookie)"
    assert page.locator("a[href^=javascript], a[href*='javascript:' i]").count() == 0


def test_fits_a_phone_screen(browser, site: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 800}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{site}/?q=terorisme")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
