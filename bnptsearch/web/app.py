"""The ASGI app of ``bnptsearch serve``: search pages and a JSON API over an :class:`Index`.

As thin as the CLI: each route reads its query parameters into a
:class:`~bnptsearch.query.SearchRequest` (or an article id), calls the API, and renders the
answer with a Jinja2 template (autoescaped) or :mod:`bnptsearch.formats` (the CLI's JSON and
CSV shapes). Nothing here searches, ranks or highlights.

>>> app = create_app("index")                              # doctest: +SKIP
>>> TestClient(app).get("/api/search", params={"q": "RAN PE"}).json()["hits"][0]["doc_id"]  # doctest: +SKIP
'004_712c4dcd13143a1e'
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import queue
import threading
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..blockcache import BlockCache
from ..errors import ArticleNotFoundError, BnptSearchError, QueryError
from ..formats import format_output
from ..highlight import render_html
from ..index import Index
from ..query import SORTS, SearchRequest
from ..results import NONE_LABEL
from .strings import LANGUAGES, STRINGS

__all__ = ["MAX_LIMIT", "MAX_OFFSET", "SECURITY_HEADERS", "TOKEN_COOKIE", "create_app", "safe_url"]

HERE = Path(__file__).resolve().parent
# A page of more hits is a dump, not a search: export in pages instead.
MAX_LIMIT = 100
# Every page up to the one asked for is ranked: deep offsets cost in proportion.
MAX_OFFSET = 2000
DEFAULT_LIMIT = 10
MAX_SOURCES = 50
TOKEN_COOKIE = "bnptsearch_token"
# Pages load nothing from elsewhere and run no script: a stored article cannot inject one.
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


def safe_url(value: object) -> str | None:
    """``value`` if it is an http(s) URL, else None: only those are rendered as links.

    >>> safe_url("https://kumparan.com/x"), safe_url("javascript:alert(1)"), safe_url(None)
    ('https://kumparan.com/x', None, None)
    """
    if not isinstance(value, str):
        return None
    url = value.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


class _Indexes:
    """A pool of read-only :class:`Index` objects, one per request at a time: an Index is
    not thread-safe, and each refreshes itself when another process commits.

    Bounded: requests run in a thread pool of dozens, but searching is CPU-bound Python
    (one core at a time), so more indexes would only multiply their caches, each rebuilt
    after every commit (collection statistics, publication days: about a second at 100k).
    """

    def __init__(self, path: Path, size: int = 2) -> None:
        self.path = path
        self.size = size
        self._free: queue.LifoQueue[Index] = queue.LifoQueue()  # the warmest first
        self._opened: list[Index] = []
        self._lock = threading.Lock()
        # One cache of decoded posting blocks for all of them (it is thread-safe).
        self._blocks = BlockCache()
        # Opened once now, so a missing or outdated index stops start-up with its message.
        self._free.put(self._open())

    def _open(self) -> Index:
        index = Index.open(self.path, read_only=True, block_cache=self._blocks)
        with self._lock:
            self._opened.append(index)
        return index

    @contextmanager
    def using(self) -> Iterator[Index]:
        """An index for this request alone, given back afterwards."""
        try:
            index = self._free.get_nowait()
        except queue.Empty:
            with self._lock:
                room = len(self._opened) < self.size
            index = self._open() if room else self._free.get(timeout=60)
        try:
            yield index
        finally:
            self._free.put(index)

    def close(self) -> None:
        with self._lock:
            for index in self._opened:
                index.close()
            self._opened.clear()


def _whole_number(params: Mapping[str, str], name: str, default: int, most: int) -> int:
    text = params.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise QueryError(f"{name} must be a whole number, not {text!r}") from None
    if value > most:
        raise QueryError(f"{name} is at most {most}, not {value}")
    return value


def _search_request(request: Request, *, facets: bool) -> SearchRequest:
    """The search a page or API call asks for, from its query parameters."""
    params = request.query_params
    sources = tuple(s for s in params.getlist("source") if s.strip())
    if len(sources) > MAX_SOURCES:
        raise QueryError(f"at most {MAX_SOURCES} sources at once, not {len(sources)}")
    return SearchRequest(
        params.get("q", ""),
        limit=_whole_number(params, "limit", DEFAULT_LIMIT, MAX_LIMIT),
        offset=_whole_number(params, "offset", 0, MAX_OFFSET),
        sources=sources,
        since=params.get("since") or None,
        until=params.get("until") or None,
        sort=params.get("sort") or SORTS[0],
        # exact=1: the words as typed ("search instead for"), not the correction of one
        # that matches nothing.
        fuzzy=False if params.get("exact", "") not in ("", "0") else None,
        count=True,
        facets=facets,
        mode=params.get("mode") or None,
    )


@dataclass(frozen=True)
class _Bar:
    """One bar of the timeline chart: a month (``2022-03``) or, over long spans, a year."""

    period: str
    count: int
    x: int
    height: int


BAR_WIDTH = 14
CHART_HEIGHT = 60
# More months than this are drawn as years: a chart of decades in months is a smear.
MAX_MONTH_BARS = 120


def _timeline(months: Mapping[str, int]) -> list[_Bar]:
    """A bar per month from the first to the last dated match, empty months included, so
    the chart's gaps are gaps in time (per year over long spans); undated articles have no
    bar.

    >>> [(bar.period, bar.count) for bar in _timeline({"2022-11": 2, "2023-01": 1, "(none)": 4})]
    [('2022-11', 2), ('2022-12', 0), ('2023-01', 1)]
    >>> [bar.period for bar in _timeline({"1990-01": 1, "2023-05": 1})][:2]
    ['1990', '1991']
    """
    dated = sorted(month for month in months if month[:1].isdigit())
    if not dated:
        return []
    first, last = (int(dated[0][:4]), int(dated[0][5:7])), (int(dated[-1][:4]), int(dated[-1][5:7]))
    counts: dict[str, int] = {month: months[month] for month in dated}
    if (last[0] - first[0]) * 12 + last[1] - first[1] >= MAX_MONTH_BARS:
        periods = [str(year) for year in range(first[0], last[0] + 1)]
        counts = {year: sum(n for month, n in counts.items() if month.startswith(year)) for year in periods}
    else:
        steps = range((last[0] - first[0]) * 12 + last[1] - first[1] + 1)
        periods = [f"{first[0] + (first[1] - 1 + step) // 12:04d}-{(first[1] - 1 + step) % 12 + 1:02d}" for step in steps]
    tallest = max(counts.values())
    return [
        _Bar(period, counts.get(period, 0), number * BAR_WIDTH, round(CHART_HEIGHT * counts.get(period, 0) / tallest))
        for number, period in enumerate(periods)
    ]


def _paragraphs(body: str, spans: tuple[tuple[int, int], ...], hit_start: int | None) -> list[tuple[Markup, bool]]:
    """The body's paragraphs as escaped HTML with the spans in ``<mark>``, each with whether
    it holds the passage that starts at ``hit_start`` (the page opens there)."""
    out = []
    position = 0
    anchored = False
    for text in body.split("\n\n"):
        end = position + len(text)
        inside = [(max(s, position) - position, min(e, end) - position) for s, e in spans if s < end and e > position]
        here = hit_start is not None and not anchored and hit_start < end + 2
        anchored = anchored or here
        out.append((Markup(render_html(text, inside)), here))
        position = end + 2
    return out


def create_app(index_path: str | os.PathLike = "index", *, lang: str = "id", token: str | None = None) -> Starlette:
    """The app serving the index at ``index_path`` (opened read-only: nothing is written).

    ``lang`` is the UI language when a page does not ask (``?lang=en``); with ``token``
    every request must carry it (bearer header, basic-auth password, or ``?token=`` once,
    which sets a cookie). Raises :class:`~bnptsearch.errors.IndexNotFoundError` at once if
    there is no index.

    >>> app = create_app("index", lang="en")              # doctest: +SKIP
    """
    if lang not in LANGUAGES:
        raise BnptSearchError(f"lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    indexes = _Indexes(Path(index_path))
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True))
    env.filters["safe_url"] = safe_url
    env.globals["render_hit"] = lambda hit: Markup(render_html(hit.passage, hit.spans))
    env.globals["none_label"] = NONE_LABEL  # the facet key of articles without a source

    def page_lang(request: Request) -> str:
        asked = request.query_params.get("lang", "")
        return asked if asked in LANGUAGES else lang

    def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        ui = page_lang(request)
        params = request.query_params

        def link(path: str | None = None, **changes: Any) -> str:
            """This page's URL (or ``path``'s) with ``changes`` to its query parameters;
            None or "" removes one. Every state of a page is in its URL."""
            items = [(k, v) for k, v in params.multi_items() if k not in changes and k != "token"]
            for key, value in changes.items():
                values = value if isinstance(value, (list, tuple)) else [value]
                items += [(key, str(v)) for v in values if v not in (None, "")]
            query = urlencode(items)
            return (path or request.url.path) + (f"?{query}" if query else "")

        body = env.get_template(template).render(
            t=STRINGS[ui], lang=ui, other_lang=next(x for x in LANGUAGES if x != ui), link=link, params=params, **context
        )
        return HTMLResponse(body, status_code=status)

    def search_page(request: Request) -> Response:
        if not request.query_params.get("q", "").strip():
            with indexes.using() as index:
                articles, passages = index.counts()
            return render(request, "search.html", results=None, articles=articles, passages=passages)
        with indexes.using() as index:
            results = index.search(_search_request(request, facets=True))
        return render(
            request,
            "search.html",
            results=results,
            groups=results.by_article() if request.query_params.get("group") else None,
            timeline=_timeline((results.facets or {}).get("month", {})),
            bar_width=BAR_WIDTH,
            chart_height=CHART_HEIGHT,
            sorts=SORTS,
        )

    def article_page(request: Request) -> Response:
        query = request.query_params.get("q", "")
        with indexes.using() as index:
            article = index.article(request.path_params["doc_id"])
            spans = index.highlight(article.body, query) if query.strip() else ()
        start = request.query_params.get("start", "")
        paragraphs = _paragraphs(article.body, spans, int(start) if start.isdigit() else None)
        return render(request, "article.html", article=article, paragraphs=paragraphs)

    def export_csv(request: Request) -> Response:
        with indexes.using() as index:
            results = index.search(_search_request(request, facets=False))
        return Response(
            format_output("query", "csv", results),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="bnptsearch.csv"'},
        )

    def api_search(request: Request) -> Response:
        request_facets = request.query_params.get("facets", "") not in ("", "0")
        with indexes.using() as index:
            results = index.search(_search_request(request, facets=request_facets))
        return _json_response(format_output("query", "json", results))

    def api_article(request: Request) -> Response:
        with indexes.using() as index:
            article = index.article(request.path_params["doc_id"])
        return _json_response(format_output("show", "json", article))

    def api_info(request: Request) -> Response:
        with indexes.using() as index:
            details = index.info()
        return _json_response(format_output("info", "json", details))

    def error_response(request: Request, status: int, message: str) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message, "status": status}, status_code=status)
        return render(request, "error.html", status=status, message=message, status_code=status)

    async def on_error(request: Request, error: Exception) -> Response:
        if isinstance(error, HTTPException):
            return error_response(request, error.status_code, str(error.detail))
        if not isinstance(error, BnptSearchError):
            # A bug: its details go to the server's log (uvicorn prints the traceback), not to the client.
            return error_response(request, 500, "internal error; the server's log has the details")
        status = 400 if isinstance(error, QueryError) else 404 if isinstance(error, ArticleNotFoundError) else 500
        return error_response(request, status, str(error))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        indexes.close()

    middleware = [Middleware(_SecurityHeaders)]
    if token:
        middleware.append(Middleware(_TokenAuth, token=token))
    return Starlette(
        routes=[
            Route("/", search_page),
            Route("/articles/{doc_id}", article_page),
            Route("/export.csv", export_csv),
            Route("/api/search", api_search),
            Route("/api/articles/{doc_id}", api_article),
            Route("/api/info", api_info),
            # Browsers ask for it unprompted; an empty answer beats a 404 in every log.
            Route("/favicon.ico", lambda request: Response(status_code=204)),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        middleware=middleware,
        exception_handlers={HTTPException: on_error, BnptSearchError: on_error, Exception: on_error},
        lifespan=lifespan,
    )


def _json_response(text: str) -> Response:
    return Response(text, media_type="application/json")


class _SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *((k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items())]
            await send(message)

        await self.app(scope, receive, send_with_headers if scope["type"] == "http" else send)


class _TokenAuth:
    """Lets a request through only if it carries the shared secret: as a bearer token, as
    the password of HTTP basic auth (what a browser prompts for), in the cookie, or as
    ``?token=`` (answered with a redirect that drops it from the URL and sets the cookie, so
    a link can be shared once). Compared in constant time."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token.encode()

    def _matches(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), self.token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if self._matches(request.query_params.get("token")):
            kept = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "token"])
            response: Response = RedirectResponse(request.url.path + (f"?{kept}" if kept else ""), status_code=303)
            response.set_cookie(TOKEN_COOKIE, self.token.decode(), httponly=True, samesite="strict")
        elif self._matches(request.cookies.get(TOKEN_COOKIE)) or self._matches(_header_secret(request)):
            await self.app(scope, receive, send)
            return
        else:
            response = Response(
                "Unauthorized: this archive needs its token (bearer header, basic-auth password or ?token=).\n",
                status_code=401,
                headers={"www-authenticate": 'Basic realm="bnptsearch"'},
            )
        await response(scope, receive, send)


def _header_secret(request: Request) -> str | None:
    """The bearer token or basic-auth password of the Authorization header, if any."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")[2]
        except (binascii.Error, UnicodeDecodeError):
            return None
    return None
