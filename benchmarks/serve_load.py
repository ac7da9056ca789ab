"""Load on ``bnptsearch serve``: concurrent clients for a fixed time, then the same while a
writer adds articles to the index.

The server is the real command (``python -m bnptsearch serve``) in its own process, bound to
127.0.0.1 on a free port; the clients are threads of this process with keep-alive
connections, each looping over a mix of requests: the search page (70 %), the JSON API
(20 %) and an article page with the query highlighted (10 %). Three phases, each bounded
in time:

1. ``baseline``: one client, the reference for the ratios;
2. ``clients``: ``--clients`` clients (8);
3. ``clients+writer``: the same while another process adds one article every
   ``--write-every`` seconds through :meth:`bnptsearch.Index.add` (each a commit the
   server's searchers must pick up).

Each phase prints requests/s, p50/p95 latency, errors (anything but HTTP 200, or a failed
connection: must be 0), and ratios against the baseline; the load average is printed at the
start and end, because the machine is shared. The writer adds articles to the index given:
use a scratch copy. Run from the repository root::

    python benchmarks/scale_corpus.py --sentences ../shared/eval/kumparan-sentences/sentences.jsonl \\
        --passages 100000 --out /tmp/scale/corpus --seed 1
    bnptsearch index --corpus /tmp/scale/corpus --index /tmp/scale/index
    python -m benchmarks.serve_load --index /tmp/scale/index --seconds 30
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

# Make ``bnptsearch`` importable when run as a script from a checkout.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bnptsearch import Index  # noqa: E402

# Everyday news queries: words, names, phrases and a question.
QUERIES = (
    "pemerintah",
    "presiden jokowi",
    "harga minyak goreng",
    "banjir jakarta",
    "korupsi pejabat daerah",
    "vaksin covid-19",
    "pemilu",
    "timnas indonesia",
    "polisi menangkap pelaku",
    "Siapa yang menjadi menteri kesehatan?",
    "gempa bumi",
    "ekonomi tumbuh",
)


@dataclass
class Tally:
    """What the clients of one phase saw."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if error:
                self.errors.append(error)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(index: Path, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "bnptsearch", "serve", "--index", str(index), "--port", str(port)],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/api/info")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not answer within 120 s")


def article_ids(port: int) -> list[str]:
    """Some article ids to open, from the API."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    ids = []
    for query in QUERIES[:4]:
        connection.request("GET", "/api/search?" + urlencode({"q": query, "limit": 5}))
        ids += [hit["doc_id"] for hit in json.loads(connection.getresponse().read())["hits"]]
    return ids


def client(port: int, until: float, tally: Tally, ids: list[str], seed: int) -> None:
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while time.monotonic() < until:
        query = rng.choice(QUERIES)
        roll = rng.random()
        if roll < 0.7:
            path = "/?" + urlencode({"q": query, "offset": rng.choice((0, 0, 0, 10))})
        elif roll < 0.9:
            path = "/api/search?" + urlencode({"q": query})
        else:
            path = f"/articles/{quote(rng.choice(ids))}?" + urlencode({"q": query})
        started = time.perf_counter()
        error = None
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                error = f"HTTP {response.status} for {path}"
        except (OSError, http.client.HTTPException) as problem:
            error = f"{type(problem).__name__} for {path}: {problem}"
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        tally.add(time.perf_counter() - started, error)


def writer(index: str, every: float, stop: Any, added: Any) -> None:
    """Adds one new article every ``every`` seconds until ``stop``."""
    folder = Path(tempfile.mkdtemp(prefix="serve-load-"))
    with Index.open(index) as target:
        number = 0
        while not stop.wait(every):
            number += 1
            file = folder / f"writer-{os.getpid()}-{number}.jsonl"
            record = {
                "id": f"writer-{os.getpid()}-{number}",
                "title": f"Artikel baru nomor {number} tentang pemerintah",
                "text": f"Pemerintah daerah mengumumkan kebijakan baru nomor {number}. " * 20,
                "source": "Penulis",
                "date": "2024-05-01",
            }
            file.write_text(json.dumps(record) + "\n", encoding="utf-8")
            target.add([file])
            added.value += 1


def phase(name: str, port: int, clients: int, seconds: float, ids: list[str]) -> dict:
    tally = Tally()
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=client, args=(port, until, tally, ids, seed)) for seed in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    elapsed = time.perf_counter() - started
    latencies = sorted(tally.latencies)
    return {
        "phase": name,
        "clients": clients,
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
        "errors": tally.errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True, help="index to serve (the writer adds to it)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each multi-client phase")
    parser.add_argument("--baseline-seconds", type=float, default=10.0)
    parser.add_argument("--write-every", type=float, default=1.0, help="seconds between the writer's articles (commits)")
    args = parser.parse_args()

    with Index.open(args.index) as index:
        articles, passages = index.counts()
    print(f"index {args.index}: {articles:,} articles, {passages:,} passages; {os.cpu_count()} CPUs")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    port = free_port()
    server = start_server(args.index, port)
    try:
        ids = article_ids(port)
        phase("warm-up", port, args.clients, 3, ids)
        results = [phase("baseline", port, 1, args.baseline_seconds, ids)]
        results.append(phase("clients", port, args.clients, args.seconds, ids))
        stop = multiprocessing.Event()
        added = multiprocessing.Value("i", 0)
        process = multiprocessing.Process(target=writer, args=(str(args.index), args.write_every, stop, added))
        process.start()
        try:
            results.append(phase("clients+writer", port, args.clients, args.seconds, ids))
        finally:
            stop.set()
            process.join(60)
        # The articles the writer added are searchable through the running server.
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/api/search?" + urlencode({"q": "kebijakan baru nomor", "source": "Penulis", "limit": 100}))
        hits = json.loads(connection.getresponse().read())["hits"]
        found = len({hit["doc_id"] for hit in hits if hit["doc_id"].startswith(f"writer-{process.pid}-")})
    finally:
        server.terminate()
        server.wait(30)

    base = results[0]
    print(f"\n{'phase':<16}{'clients':>8}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}"
          f"{'req/s ×':>9}{'p50 ×':>7}{'p95 ×':>7}")
    for row in results:
        print(
            f"{row['phase']:<16}{row['clients']:>8}{row['requests']:>10}{row['rps']:>9.1f}{row['p50_ms']:>9.1f}"
            f"{row['p95_ms']:>9.1f}{len(row['errors']):>8}{row['rps'] / base['rps']:>9.2f}"
            f"{row['p50_ms'] / base['p50_ms']:>7.2f}{row['p95_ms'] / base['p95_ms']:>7.2f}"
        )
    print(f"\nwriter: {added.value} articles added during the last phase; {found} of them found through the server after it")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    errors = [error for row in results for error in row["errors"]]
    for error in errors[:10]:
        print(f"error: {error}")
    if errors:
        raise SystemExit(f"{len(errors)} requests failed")


if __name__ == "__main__":
    main()
