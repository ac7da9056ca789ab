"""Running the app: :func:`serve` for ``bnptsearch serve``, :func:`running` for a server in a
thread (tests, screenshots, benchmarks), and :func:`access_warning`, the rule for who may
connect.

>>> access_warning("127.0.0.1", token=None, no_auth=False) is None
True
"""

from __future__ import annotations

import ipaddress
import os
import socket
import threading
import time
import webbrowser
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from ..errors import BnptSearchError, IndexNotFoundError
from .app import create_app

__all__ = ["access_warning", "running", "serve"]

# Server options for both ways of running: no access log (queries can be sensitive), a
# bounded number of connections, idle keep-alive connections closed soon.
_UVICORN: dict[str, Any] = {
    "log_level": "warning",
    "access_log": False,
    "server_header": False,
    "limit_concurrency": 64,
    "timeout_keep_alive": 5,
}


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def access_warning(host: str, *, token: str | None, no_auth: bool) -> str | None:
    """What to warn about when serving on ``host``; raises if serving there is unsafe.

    Bound beyond this machine the archive is readable from the network, so a token is
    required unless ``no_auth`` says the user means it (then the warning says so).

    >>> access_warning("0.0.0.0", token=None, no_auth=False)    # doctest: +ELLIPSIS
    Traceback (most recent call last):
    bnptsearch.errors.BnptSearchError: serving on 0.0.0.0 makes the archive readable from the network: ...
    >>> access_warning("0.0.0.0", token=None, no_auth=True)
    'warning: --no-auth on 0.0.0.0: anyone on the network can read the archive'
    """
    if token or _is_loopback(host):
        return None
    if not no_auth:
        raise BnptSearchError(
            f"serving on {host} makes the archive readable from the network: give a token with --token or "
            "$BNPTSEARCH_TOKEN (or --no-auth to serve it to anyone)"
        )
    return f"warning: --no-auth on {host}: anyone on the network can read the archive"


def serve(
    index: str | os.PathLike,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    lang: str = "id",
    token: str | None = None,
    open_browser: bool = False,
    announce: Any = print,
) -> None:
    """Serves the index until interrupted; ``announce`` prints the address.

    >>> serve("index", port=8000)                           # doctest: +SKIP
    """
    try:
        app = create_app(index, lang=lang, token=token or None)
    except IndexNotFoundError:
        raise IndexNotFoundError(
            f"no index at {index}: build it first with `bnptsearch index --index {index} --corpus DIR` (serve only reads)"
        ) from None
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    announce(f"Serving {index} at {url} (Ctrl+C to stop)")
    if open_browser:
        # After a moment, so the server is listening when the browser asks.
        threading.Timer(1.0, webbrowser.open, [url]).start()
    uvicorn.run(app, host=host, port=port, **_UVICORN)


@contextmanager
def running(app: Any, *, timeout: float = 10.0) -> Iterator[str]:
    """Runs ``app`` on 127.0.0.1 at a free port in a thread; yields its base URL and stops
    it on exit (waiting at most ``timeout`` seconds each way).

    >>> with running(create_app("index")) as url:           # doctest: +SKIP
    ...     urllib.request.urlopen(url).status
    200
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, **_UVICORN))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout)
        sock.close()
