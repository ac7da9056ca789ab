"""Fetching a web page into the corpus folder: ``bnptsearch add https://…``.

The page is saved as HTML under a name derived from its URL (the same URL always gets the
same file, so fetching it again updates the article), with the URL recorded in the page the
way browsers do when saving (``<!-- saved from url=… -->``); the HTML reader then indexes it
like any saved page, with that URL as the article's.

>>> page_file_name("https://www.kompas.com/read/2024/08/15/densus-88?page=2")
'www.kompas.com_densus-88_3ff347c837.html'
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import __version__
from .corpus_copy import write_into
from .errors import CorpusError
from .readers.base import MAX_ARTICLE_BYTES
from .readers.html import saved_from_comment

__all__ = ["FETCH_TIMEOUT", "fetch_page", "is_url", "page_file_name"]

# Seconds to wait for the server to answer (and between bytes of its answer).
FETCH_TIMEOUT = 20.0
_CHUNK = 64 * 1024
_PAGE_TYPES = ("text/html", "application/xhtml+xml")
# A file name keeps letters, digits, dots and hyphens of the URL's host and last path step.
_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")


def is_url(text: str) -> bool:
    """Whether ``text`` is a web address rather than a file path.

    >>> is_url("https://bnpt.go.id/berita"), is_url("berita.txt")
    (True, False)
    """
    return re.match(r"(?i)https?://", text) is not None


def page_file_name(url: str) -> str:
    """A stable, safe file name for the page at ``url``: host, last path step, URL hash."""
    parts = urlsplit(url)
    step = next((s for s in reversed(parts.path.split("/")) if s), "index")
    step = _UNSAFE.sub("-", os.path.splitext(step)[0]).strip("-.")[:60] or "page"
    host = _UNSAFE.sub("-", parts.hostname or "page").strip("-.")
    digest = hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{host}_{step}_{digest}.html"


def fetch_page(
    url: str, folder: str | os.PathLike, *, timeout: float = FETCH_TIMEOUT, max_bytes: int = MAX_ARTICLE_BYTES
) -> Path:
    """Downloads the web page at ``url`` into ``folder`` and returns the file's path.

    Raises CorpusError (``cannot fetch URL: …``) when offline, on an HTTP error, a timeout,
    an answer that is not a web page, or one larger than ``max_bytes``.
    """
    if not is_url(url):
        raise CorpusError(f"cannot fetch URL: {url}: only http:// and https:// addresses")
    # Imported here: urllib.request (with the email package) is 40 ms of every command's start.
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": f"bnptsearch/{__version__}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            content_type = response.headers.get_content_type()
            if content_type not in _PAGE_TYPES:
                raise CorpusError(f"cannot fetch URL: {url}: not a web page ({content_type})")
            data = _read_capped(response, max_bytes, url)
    except urllib.error.HTTPError as error:
        error.close()  # it holds the server's answer open
        raise CorpusError(f"cannot fetch URL: {url}: HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        raise CorpusError(f"cannot fetch URL: {url}: {error.reason}") from None
    except (TimeoutError, OSError, ValueError) as error:
        raise CorpusError(f"cannot fetch URL: {url}: {error or type(error).__name__}") from None
    # The URL goes first, as a browser's "saved from" comment, so the reader knows it.
    # Written as ``add`` copies a file into the corpus (atomic, never through a symlink);
    # the same URL replaces its own file.
    page = saved_from_comment(url).encode("ascii", "backslashreplace") + b"\n" + data
    return write_into(page, folder, page_file_name(url), replace=True)


def _read_capped(response: Any, max_bytes: int, url: str) -> bytes:
    """The answer's body, refusing one larger than ``max_bytes`` without reading it all."""
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise CorpusError(f"cannot fetch URL: {url}: larger than {max_bytes // 2**20} MB")
        chunks.append(chunk)
    return b"".join(chunks)
