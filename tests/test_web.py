"""``bnptsearch serve``: every route and error of the web app and JSON API, over HTTP with
Starlette's test client (and once through a real server on 127.0.0.1)."""

from __future__ import annotations

import base64
import json
import re
import sys
import threading
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from bnptsearch import Index
from bnptsearch.cli import cli
from bnptsearch.errors import BnptSearchError
from bnptsearch.web import access_warning, create_app, running
from bnptsearch.web.app import MAX_LIMIT, SECURITY_HEADERS, TOKEN_COOKIE

from .conftest import SEED_CORPUS


@pytest.fixture(scope="module")
def client(web_index_path: Path) -> TestClient:
    with TestClient(create_app(web_index_path)) as test_client:
        yield test_client


def hit_titles(page: str) -> list[str]:
    return re.findall(r'<a class="title" href="[^"]*">([^<]*)</a>', page)


def test_home_page_has_a_search_box_viewport_and_counts(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert '<meta name="viewport"' in response.text
    assert 'name="q"' in response.text
    assert "8 artikel" in response.text  # five seed articles and three hostile ones
    for header, value in SECURITY_HEADERS.items():
        assert response.headers[header] == value
    assert "<script" not in response.text  # works without JavaScript, and CSP allows none


def test_search_page_shows_hits_with_marks_facets_timeline_and_exports(client: TestClient) -> None:
    page = client.get("/", params={"q": "terorisme"}).text
    assert len(hit_titles(page)) == 10
    assert "<mark>terorisme</mark>" in page or "<mark>Terorisme</mark>" in page
    assert "2022-03-23" in page and "CNNBanten.id" in page
    # source facet with counts, each a link that filters
    assert re.search(r'<a class="facet" href="/\?q=terorisme&amp;source=CNNBanten.id">CNNBanten.id</a> <span class="count">1</span>', page)
    # a timeline bar per month from the first to the last match, linking to that month
    months = re.findall(r'data-period="([\d-]+)"', page)
    assert months[0] == "2022-03" and months[-1] == "2023-03" and len(months) == 13
    assert 'href="/?q=terorisme&amp;since=2022-07&amp;until=2022-07"' in page
    assert 'href="/export.csv?q=terorisme"' in page and 'href="/api/search?q=terorisme"' in page
    assert 'rel="next" href="/?q=terorisme&amp;offset=10"' in page
    assert "Bagian 1–10 dari" in page


def test_following_a_facet_keeps_only_that_source(client: TestClient) -> None:
    page = client.get("/", params={"q": "terorisme", "source": "CNNBanten.id"}).text
    metas = re.findall(r'<p class="meta">([^<]*)', page)
    assert hit_titles(page) and all(meta.startswith("CNNBanten.id") for meta in metas[1 : len(hit_titles(page)) + 1])
    assert 'class="facet-clear" href="/?q=terorisme"' in page


def test_timeline_bar_narrows_to_its_month(client: TestClient) -> None:
    page = client.get("/", params={"q": "terorisme", "since": "2022-07", "until": "2022-07"}).text
    assert set(re.findall(r"\d{4}-\d{2}-\d{2}", page)) == {"2022-07-26"}
    assert 'value="2022-07"' in page  # the date inputs show the range


def test_did_you_mean_and_also_searched_are_links_and_notes(client: TestClient) -> None:
    page = client.get("/", params={"q": "terorisne"}).text
    assert "Menampilkan hasil untuk: <strong>terorisme</strong>" in page
    assert 'id="as-typed" href="/?q=terorisne&amp;exact=1">terorisne</a>' in page
    page = client.get("/", params={"q": "terorisne", "exact": "1"}).text
    assert 'id="did-you-mean" href="/?exact=1&amp;q=terorisme">terorisme</a>' in page
    page = client.get("/", params={"q": "RAN PE"}).text
    assert "Juga dicari: RAN PE → Rencana Aksi Nasional" in page


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_sort_by_date(client: TestClient, sort: str) -> None:
    page = client.get("/", params={"q": "terorisme", "sort": sort, "limit": 50}).text
    dates = re.findall(r'<p class="meta">[^<]*?(\d{4}-\d{2}-\d{2})', page)
    assert len(set(dates)) == 3
    assert dates == sorted(dates, reverse=sort == "newest")
    assert f'<option value="{sort}" selected>' in page


def test_grouping_per_article_and_pagination(client: TestClient) -> None:
    grouped = client.get("/", params={"q": "terorisme", "group": "1"}).text
    titles = hit_titles(grouped)
    assert len(titles) == len(set(titles)) < 10  # one heading per article
    assert "3 bagian" in grouped
    first = hit_titles(client.get("/", params={"q": "terorisme"}).text)
    second = client.get("/", params={"q": "terorisme", "offset": 10}).text
    assert "Bagian 11–" in second and 'rel="prev" href="/?q=terorisme"' in second
    assert hit_titles(second) and hit_titles(second) != first


def test_english_by_parameter_or_app_default(client: TestClient, web_index_path: Path) -> None:
    page = client.get("/", params={"q": "terorisme", "lang": "en"}).text
    assert '<html lang="en">' in page and "Passages 1–10 of" in page and "Articles over time" in page
    assert 'href="/?q=terorisme&amp;lang=en&amp;offset=10"' in page  # the language stays in links
    with TestClient(create_app(web_index_path, lang="en")) as english:
        assert "Search" in english.get("/").text


def test_article_page_highlights_the_query_and_anchors_the_passage(client: TestClient) -> None:
    page = client.get("/", params={"q": "RAN PE Banten"}).text
    link = re.search(r'<a class="title" href="(/articles/[^"]+)">', page)[1].replace("&amp;", "&")
    assert link.startswith("/articles/004_712c4dcd13143a1e?q=RAN+PE+Banten&start=") and link.endswith("#hit")
    article = client.get(link.split("#")[0]).text
    assert "<h1>Pemprov Banten dan Masyarakat Sipil" in article
    assert "<mark>RAN PE</mark>" in article and article.count("<mark>") > 5
    hit_paragraph = re.search(r'<p id="hit" class="hit-passage">(.*?)</p>', article, re.DOTALL)[1]
    assert "<mark>" in hit_paragraph
    assert "CNNBanten.id" in article
    plain = client.get("/articles/004_712c4dcd13143a1e").text
    assert "<mark>" not in plain and 'id="hit"' not in plain


def test_unknown_article_and_route_are_404_pages(client: TestClient) -> None:
    response = client.get("/articles/tidak_ada")
    assert response.status_code == 404 and "tidak_ada" in response.text and "<html" in response.text
    assert client.get("/tidak/ada").status_code == 404
    assert client.get("/api/tidak-ada").json() == {"error": "Not Found", "status": 404}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": ""}, "empty query"),
        ({"q": "bnpt", "since": "23/3/2022"}, "since must be a date"),
        ({"q": "bnpt", "since": "2023", "until": "2022"}, "is after until"),
        ({"q": "bnpt", "limit": str(MAX_LIMIT + 1)}, f"limit is at most {MAX_LIMIT}"),
        ({"q": "bnpt", "limit": "sepuluh"}, "limit must be a whole number"),
        ({"q": "bnpt", "limit": "0"}, "limit must be at least 1"),
        ({"q": "bnpt", "offset": "-1"}, "offset cannot be negative"),
        ({"q": "bnpt", "offset": "1000000"}, "offset is at most"),
        ({"q": "bnpt", "sort": "random"}, "sort must be one of"),
        ({"q": "x" * 1001}, "nothing to search for"),  # pasted text: a like-this query of its known words
        ({"q": "kind:article"}, "is not a field to search"),
        ({"q": "bnpt", "source": [f"s{n}" for n in range(51)]}, "at most 50 sources"),
    ],
)
def test_bad_requests_are_400_json_and_pages(client: TestClient, params: dict, message: str) -> None:
    response = client.get("/api/search", params=params)
    assert response.status_code == 400
    assert message in response.json()["error"] and "Traceback" not in response.text
    if params["q"]:  # an empty box on the page is the home page, not an error
        page = client.get("/", params=params)
        assert page.status_code == 400 and message.split()[0] in page.text and "Traceback" not in page.text


def test_api_search_is_the_cli_json(client: TestClient, web_index_path: Path) -> None:
    response = client.get("/api/search", params={"q": "RAN PE", "since": "2022", "limit": 5})
    assert response.headers["content-type"] == "application/json"
    result = CliRunner().invoke(cli, ["query", "RAN PE", "--since", "2022", "-n", "5", "--json", "--index", str(web_index_path)])
    assert result.exit_code == 0
    assert response.json() == json.loads(result.stdout)
    assert response.json()["hits"][0]["doc_id"] == "004_712c4dcd13143a1e"
    with_facets = client.get("/api/search", params={"q": "terorisme", "facets": "1"}).json()
    assert with_facets["facets"]["month"]["2022-07"] == 1


def test_api_source_filter_offset_and_sort(client: TestClient) -> None:
    data = client.get("/api/search", params={"q": "zebrakuda", "source": "Contoh.id", "sort": "oldest"}).json()
    assert [hit["doc_id"] for hit in data["hits"]] == ["evil_url", "safe_url"]
    data = client.get("/api/search", params={"q": "zebrakuda", "sort": "newest", "offset": 1, "limit": 1}).json()
    assert [hit["doc_id"] for hit in data["hits"]] == ["evil_url"] and data["offset"] == 1


def test_api_article_and_info_are_the_cli_json(client: TestClient, web_index_path: Path) -> None:
    article = client.get("/api/articles/004_712c4dcd13143a1e")
    shown = CliRunner().invoke(cli, ["show", "004_712c4dcd13143a1e", "--json", "--index", str(web_index_path)])
    assert article.json() == json.loads(shown.stdout)
    assert client.get("/api/articles/tidak_ada").status_code == 404
    assert "tidak_ada" in client.get("/api/articles/tidak_ada").json()["error"]
    info = client.get("/api/info").json()
    assert info["articles"] == 8 and info["passages"] > 30


def test_csv_export_is_the_cli_csv(client: TestClient, web_index_path: Path) -> None:
    response = client.get("/export.csv", params={"q": "RAN PE"})
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    result = CliRunner().invoke(cli, ["query", "RAN PE", "--format", "csv", "--index", str(web_index_path)])
    # the same rows; CliRunner reads \r\n (RFC 4180 line ends) back as \n
    assert response.text.replace("\r\n", "\n") == result.stdout


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def injected(page: str) -> list[str]:
    """What a browser would run or load from hostile input on ``page``: script, img or b
    elements, event-handler attributes, non-http(s) links. Escaped text is no element."""
    parser = _Tags()
    parser.feed(page)
    found = []
    for tag, attrs in parser.tags:
        if tag in ("script", "img", "b"):
            found.append(tag)
        for name, value in attrs:
            if name.startswith("on") or (name == "href" and re.match(r"\s*[a-z]+:", value or "", re.IGNORECASE)
                                         and not re.match(r"https?://", value or "")):
                found.append(f"{tag} {name}={value}")
    return found


def test_article_markup_and_scripts_are_shown_as_text(client: TestClient) -> None:
    page = client.get("/", params={"q": "zebrakuda"}).text
    assert len(hit_titles(page)) == 3 and not injected(page)
    assert "&lt;script&gt;alert(&#39;judul&#39;)&lt;/script&gt; Zebrakuda" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;b&gt;Sumber&lt;/b&gt;&#34;&#39;" in page
    for doc_id in ("evil_script", "evil_url"):
        article = client.get(f"/articles/{doc_id}", params={"q": "zebrakuda <script>"}).text
        assert not injected(article), doc_id
        assert '<span class="unsafe-url">' in article  # shown, not linked
    safe = client.get("/articles/safe_url").text
    assert 'href="https://contoh.id/berita?a=1&amp;b=&#34;&gt;&lt;script&gt;alert(3)&lt;/script&gt;"' in safe
    assert not injected(safe)


def test_queries_are_escaped_in_pages_and_links(client: TestClient) -> None:
    query = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    page = client.get("/", params={"q": query})
    assert not injected(page.text)
    assert "&#34;&gt;&lt;script&gt;" in page.text
    error = client.get("/", params={"q": query, "since": "<script>"})
    assert error.status_code == 400 and not injected(error.text)


def test_security_headers_on_errors_static_and_api(client: TestClient) -> None:
    for path in ("/static/style.css", "/api/info", "/api/articles/nope", "/nope"):
        response = client.get(path)
        assert response.headers["content-security-policy"] == SECURITY_HEADERS["content-security-policy"], path
    assert "script-src" not in SECURITY_HEADERS["content-security-policy"]  # default-src 'none' forbids scripts
    assert client.get("/favicon.ico").status_code == 204


def test_token_is_required_when_set(web_index_path: Path) -> None:
    with TestClient(create_app(web_index_path, token="rahasia-123")) as guarded:
        refused = guarded.get("/api/info")
        assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Basic")
        assert guarded.get("/api/info", headers={"Authorization": "Bearer salah"}).status_code == 401
        assert guarded.get("/api/info", headers={"Authorization": "Bearer rahasia-123"}).status_code == 200
        basic = base64.b64encode(b"siapa:rahasia-123").decode()
        assert guarded.get("/", headers={"Authorization": f"Basic {basic}"}).status_code == 200
        assert guarded.get("/", headers={"Authorization": "Basic !!!"}).status_code == 401
        assert guarded.get("/", params={"q": "bnpt", "token": "salah"}).status_code == 401
        # ?token= once: redirected to the same page without it, with the cookie set
        once = guarded.get("/", params={"q": "bnpt", "token": "rahasia-123"}, follow_redirects=False)
        assert once.status_code == 303 and once.headers["location"] == "/?q=bnpt"
        assert TOKEN_COOKIE in once.cookies and "httponly" in once.headers["set-cookie"].lower()
        assert guarded.get("/?q=bnpt").status_code == 200  # the client kept the cookie


def test_access_rule_for_hosts() -> None:
    assert access_warning("127.0.0.1", token=None, no_auth=False) is None
    assert access_warning("localhost", token=None, no_auth=False) is None
    assert access_warning("::1", token=None, no_auth=False) is None
    assert access_warning("0.0.0.0", token="t", no_auth=False) is None
    with pytest.raises(BnptSearchError, match="--token"):
        access_warning("192.168.1.5", token=None, no_auth=False)
    assert "anyone on the network" in access_warning("0.0.0.0", token=None, no_auth=True)


def test_serve_command_refuses_unsafe_or_missing_setups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["serve", "--index", str(tmp_path / "nothing")])
    assert result.exit_code == 1
    assert "no index at" in result.output and "bnptsearch index --index" in result.output
    assert not (tmp_path / "nothing").exists()  # serve does not create one
    result = runner.invoke(cli, ["serve", "--host", "0.0.0.0"], env={"BNPTSEARCH_TOKEN": ""})
    assert result.exit_code == 1 and "--token" in result.output
    monkeypatch.setitem(sys.modules, "bnptsearch.web", None)  # as if the extra were not installed
    result = runner.invoke(cli, ["serve"])
    assert result.exit_code == 1
    assert "Error: serve needs the serve extra: pip install 'bnptsearch[serve]'" in result.output


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


def test_app_never_writes_the_index(tmp_path: Path) -> None:
    index, _ = Index.build(SEED_CORPUS, tmp_path / "index")
    index.close()
    before = _snapshot(tmp_path / "index")
    with TestClient(create_app(tmp_path / "index")) as fresh:
        for params in ({"q": "RAN PE"}, {"q": "terorisme", "sort": "newest", "group": "1"}):
            assert fresh.get("/", params=params).status_code == 200
            assert fresh.get("/api/search", params=params).status_code == 200
        assert fresh.get("/articles/004_712c4dcd13143a1e", params={"q": "RAN PE"}).status_code == 200
        assert fresh.get("/api/info").status_code == 200
    assert _snapshot(tmp_path / "index") == before


def test_an_article_added_by_another_writer_is_found_without_restart(tmp_path: Path, corpus_copy: Path) -> None:
    Index.build(corpus_copy, tmp_path / "index")[0].close()
    with TestClient(create_app(tmp_path / "index")) as live:
        assert live.get("/api/search", params={"q": "Kuskuskelabu"}).json()["hits"] == []
        new = tmp_path / "baru.txt"
        new.write_text("Kuskuskelabu ditemukan\n\nBNPT menemukan kuskuskelabu di Banten.\n", encoding="utf-8")
        with Index.open(tmp_path / "index") as writer:
            assert writer.add([new]).added == 1
        hits = live.get("/api/search", params={"q": "Kuskuskelabu"}).json()["hits"]
        assert [hit["doc_id"] for hit in hits] == ["baru"]
        assert "/articles/baru?" in live.get("/", params={"q": "Kuskuskelabu"}).text


def test_a_real_server_on_localhost_answers(web_index_path: Path) -> None:
    with running(create_app(web_index_path)) as url:
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(f"{url}/api/search?q=BNPT&limit=1", timeout=10) as response:
            assert response.status == 200
            assert json.loads(response.read())["hits"][0]["doc_id"]


def test_the_index_pool_is_bounded_and_reused(web_index_path: Path) -> None:
    from bnptsearch.web.app import _Indexes

    pool = _Indexes(web_index_path, size=2)
    got: list[object] = []

    def third_request() -> None:
        with pool.using() as index:
            got.append(index)

    try:
        with pool.using() as first, pool.using() as second:
            assert first is not second  # one request at a time per Index
            assert first.block_cache is second.block_cache  # one cache of decoded blocks for all
            waiting = threading.Thread(target=third_request)
            waiting.start()
            waiting.join(0.5)
            assert got == []  # the third request waits: no third Index is opened
        waiting.join(10)
        assert got and got[0] in (first, second) and len(pool._opened) == 2
    finally:
        pool.close()


def test_cli_sort_orders_by_date(web_index_path: Path) -> None:
    result = CliRunner().invoke(cli, ["query", "terorisme", "--sort", "oldest", "--json", "--index", str(web_index_path)])
    dates = [hit["date"] for hit in json.loads(result.stdout)["hits"] if hit["date"]]
    assert dates and dates == sorted(dates)


def test_serve_command_runs_uvicorn_on_the_options_and_opens_the_browser(
    web_index_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bnptsearch.web.server as server

    served: dict = {}
    opened: list[str] = []
    monkeypatch.setattr(server.uvicorn, "run", lambda app, **options: served.update(options, app=app))
    monkeypatch.setattr(server.webbrowser, "open", opened.append)
    result = CliRunner().invoke(
        cli, ["serve", "--index", str(web_index_path), "--port", "8123", "--lang", "en", "--open"], env={"BNPTSEARCH_TOKEN": ""}
    )
    assert result.exit_code == 0, result.output
    assert served["host"] == "127.0.0.1" and served["port"] == 8123 and served["access_log"] is False
    assert "Serving" in result.output and "http://127.0.0.1:8123/" in result.output
    with TestClient(served["app"]) as english:
        assert "Search" in english.get("/").text
    for _ in range(50):  # the browser is opened a moment later, once the server listens
        if opened:
            break
        threading.Event().wait(0.1)
    assert opened == ["http://127.0.0.1:8123/"]
    warned = CliRunner().invoke(cli, ["serve", "--index", str(web_index_path), "--host", "0.0.0.0", "--no-auth"])
    assert warned.exit_code == 0 and "anyone on the network can read the archive" in warned.output


def test_an_unexpected_failure_is_a_500_without_traceback(web_index_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self, *args, **kwargs):
        raise RuntimeError("secret detail /srv/archive")

    monkeypatch.setattr(Index, "search", broken)
    with TestClient(create_app(web_index_path), raise_server_exceptions=False) as failing:
        api = failing.get("/api/search", params={"q": "bnpt"})
        assert api.status_code == 500 and api.json()["error"].startswith("internal error")
        page = failing.get("/", params={"q": "bnpt"})
        assert page.status_code == 500 and "internal error" in page.text
        assert "secret detail" not in api.text + page.text and "Traceback" not in api.text + page.text


def test_hits_link_only_their_http_urls(client: TestClient) -> None:
    page = client.get("/", params={"q": "zebrakuda"}).text
    links = re.findall(r'<a class="url" href="([^"]*)"', page)
    assert links == ["https://contoh.id/berita?a=1&amp;b=&#34;&gt;&lt;script&gt;alert(3)&lt;/script&gt;"]
    grouped = client.get("/", params={"q": "zebrakuda", "group": "1"}).text
    assert re.findall(r'<a class="url" href="([^"]*)"', grouped) == links and not injected(grouped)
