"""A disk cache of text embeddings for the benchmarks, and a command that fills it.

Embedding is the slow part of every semantic measurement (multilingual-e5-small on 2 cores:
a few passages a second), so the benchmarks embed each text once and keep the vector:
:class:`CachedEmbedder` wraps any embedder (``name``, ``dim``, ``embed_queries``,
``embed_passages``, L2-normalised float32 rows) and looks each text up by
sha256(model name, kind, exact text) before asking the model.

The cache is a folder of append-only shards: ``NAME.npy`` (float32 rows) and ``NAME.jsonl``
(one ``{"key", "kind", "text"}`` per row, same order), each written to a temporary name and
renamed, the vectors first. A shard whose key file is missing, unreadable or of another row
count (a crash mid-write) is ignored, so an interrupted fill loses at most one shard. The
texts are kept so that a cache can be checked against a model (``--verify``).

Fill it with every passage the retrieval benchmark's pools give the indexer (both
collections and the kumparan padding, split into passages as ``bnptsearch`` splits them)
and every dev question, from the repository root::

    nice -n 5 python -m benchmarks.embed_cache \\
        --tydi ../shared/eval/tydiqa-id --facqa ../shared/eval/facqa-news \\
        --padding ../shared/eval/kumparan-sentences/sentences.jsonl    # ~40k texts, hours

It prints its rate and ETA and can be stopped and started again at any time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from bnptsearch.embedding import E5Embedder, Embedder

DEFAULT_CACHE = Path("/work/cache/e5")
QUERY, PASSAGE = "query", "passage"
SHARD_ROWS = 256  # rows per shard written by a fill: an interrupt loses at most this many


def cache_key(model: str, kind: str, text: str) -> str:
    """The cache key of one text.

    >>> cache_key("e5", "query", "banjir")[:12]
    '2db26320ca95'
    """
    return hashlib.sha256(json.dumps([model, kind, text], ensure_ascii=False).encode("utf-8")).hexdigest()


class CachedEmbedder:
    """``inner`` with a disk cache in front: each text is embedded once, ever.

    >>> embedder = CachedEmbedder(E5Embedder(), "/work/cache/e5")        # doctest: +SKIP
    >>> embedder.embed_passages(["Banjir melanda Jakarta."]).shape        # doctest: +SKIP
    (1, 384)
    """

    def __init__(self, inner: Embedder, cache_dir: str | os.PathLike = DEFAULT_CACHE) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.folder = Path(cache_dir)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.hits = 0
        self.misses = 0
        self._rows: dict[str, np.ndarray] = {}
        self._load()

    def __len__(self) -> int:
        return len(self._rows)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(QUERY, texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(PASSAGE, texts)

    def cached(self, kind: str, text: str) -> bool:
        return cache_key(self.name, kind, text) in self._rows

    def _embed(self, kind: str, texts: Sequence[str]) -> np.ndarray:
        keys = [cache_key(self.name, kind, text) for text in texts]
        missing = {key: text for key, text in zip(keys, texts) if key not in self._rows}
        self.hits += len(keys) - len(missing)
        self.misses += len(missing)
        if missing:
            embed = self.inner.embed_queries if kind == QUERY else self.inner.embed_passages
            vectors = np.asarray(embed(list(missing.values())), dtype=np.float32)
            self._append(kind, list(missing), list(missing.values()), vectors)
        out = np.empty((len(keys), self.dim), dtype=np.float32)
        for row, key in enumerate(keys):
            out[row] = self._rows[key]
        return out

    def _load(self) -> None:
        for keys_file in sorted(self.folder.glob("*.jsonl")):
            vectors_file = keys_file.with_suffix(".npy")
            try:
                keys = [json.loads(line)["key"] for line in keys_file.read_text(encoding="utf-8").splitlines()]
                vectors = np.load(vectors_file, mmap_mode="r")
            except (OSError, ValueError, KeyError) as error:
                print(f"embed cache: ignoring shard {keys_file.name}: {error}", file=sys.stderr)
                continue
            if vectors.shape != (len(keys), self.dim):
                print(f"embed cache: ignoring shard {keys_file.name}: {vectors.shape} rows", file=sys.stderr)
                continue
            self._rows.update(zip(keys, vectors))

    def _append(self, kind: str, keys: list[str], texts: list[str], vectors: np.ndarray) -> None:
        """One new shard; the vectors are renamed into place before the keys that name them."""
        stem = f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{len(os.listdir(self.folder))}"
        records = "".join(
            json.dumps({"key": key, "kind": kind, "text": text}, ensure_ascii=False) + "\n"
            for key, text in zip(keys, texts)
        )
        _write_atomic(self.folder / f"{stem}.npy", lambda file: np.save(file, vectors))
        _write_atomic(self.folder / f"{stem}.jsonl", lambda file: file.write(records.encode("utf-8")))
        self._rows.update(zip(keys, vectors))


def _write_atomic(path: Path, write) -> None:
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-", delete=False) as file:
        try:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        except BaseException:
            os.unlink(file.name)
            raise
    os.replace(file.name, path)


def default_embedder() -> Embedder:
    """The product's model (the ``semantic`` extra)."""
    return E5Embedder()


# --------------------------------------------------------------------------- filling


def pool_passages(pool: dict[str, str], folder: Path) -> list[tuple[str, str]]:
    """``(doc id, passage text)`` of every passage ``bnptsearch`` indexes for ``pool``: the
    corpus written as the retrieval benchmark writes it, read by bnptsearch's reader and split
    by its splitter."""
    from bnptsearch.corpus import stream_file
    from bnptsearch.passages import split_passages

    from .retrieval import write_pool_corpus

    path = write_pool_corpus(pool, folder)
    return [(article.doc_id, passage.text) for article in stream_file(path) for passage in split_passages(article.body)]


def fill(embedder: CachedEmbedder, kind: str, texts: Iterable[str], label: str) -> None:
    """Embeds every text of ``texts`` not yet cached, a shard at a time, with rate and ETA."""
    todo = list(dict.fromkeys(text for text in texts if not embedder.cached(kind, text)))
    print(f"{label}: {len(todo)} {kind} texts to embed", file=sys.stderr, flush=True)
    started, cpu_started, done = time.perf_counter(), time.process_time(), 0
    for first in range(0, len(todo), SHARD_ROWS):
        chunk = todo[first : first + SHARD_ROWS]
        embedder._embed(kind, chunk)
        done += len(chunk)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        rate = done / wall
        print(
            f"{label}: {done}/{len(todo)} {kind} texts, {rate:.1f}/s wall, {done / max(cpu, 1e-9):.2f}/CPU-s, "
            f"ETA {(len(todo) - done) / rate / 60:.0f} min, load {os.getloadavg()[0]:.1f}",
            file=sys.stderr,
            flush=True,
        )


def pool_arguments(parser: argparse.ArgumentParser) -> None:
    """The options that make the retrieval benchmark's pools and question sets (shared by the
    scripts that need their vectors)."""
    parser.add_argument("--tydi", type=Path)
    parser.add_argument("--facqa", type=Path)
    parser.add_argument("--padding", type=Path, required=True)
    parser.add_argument("--padding-size", type=int, help="a random (seeded) subset of N padding passages")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="embedding cache folder")
    parser.add_argument("--limit-queries", type=int, help="a random (seeded) subset of N questions per collection")
    parser.add_argument("--seed", type=int, default=13)


def load_pools(args: argparse.Namespace) -> tuple[dict[str, str], list[tuple[str, Path]], list]:
    """(padding, [(collection name, folder)], collections) as retrieval.py makes them."""
    from .retrieval import load_collection, load_padding

    padding = load_padding(args.padding, args.padding_size, args.seed)
    folders = [(name, folder) for name, folder in (("tydiqa-id", args.tydi), ("facqa-news", args.facqa)) if folder]
    collections = [load_collection(name, folder, padding, args.limit_queries, args.seed) for name, folder in folders]
    return padding, folders, collections


def main(argv: list[str] | None = None) -> None:
    from .retrieval import read_jsonl

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    pool_arguments(parser)
    parser.add_argument(
        "--order", nargs="+", default=["facqa-news", "padding", "tydiqa-id"], help="which passages to embed first"
    )
    args = parser.parse_args(argv)
    embedder = CachedEmbedder(default_embedder(), args.cache)
    print(f"embed cache {args.cache}: {len(embedder)} vectors of {embedder.name}", file=sys.stderr)
    padding, folders, collections = load_pools(args)
    # The questions first (cheap), then the passages in --order: FacQA's few short news
    # passages, then the padding both pools share, so the FacQA study can start before the
    # long TyDi (Wikipedia) passages are done.
    for collection in collections:
        fill(embedder, QUERY, collection.queries.values(), collection.name)
    with tempfile.TemporaryDirectory(prefix="bnpt-embed-") as scratch:
        own = {name: {r["pid"] for r in read_jsonl(folder / "passages.jsonl")} for name, folder in folders}
        parts = {
            collection.name: {pid: text for pid, text in collection.pool.items() if pid in own[collection.name]}
            for collection in collections
        }
        parts["padding"] = padding
        for name in sorted(parts, key=lambda name: args.order.index(name) if name in args.order else len(args.order)):
            passages = pool_passages(parts[name], Path(scratch) / name)
            fill(embedder, PASSAGE, (text for _, text in passages), name)
    print(f"embed cache {args.cache}: {len(embedder)} vectors", file=sys.stderr)


if __name__ == "__main__":
    main()
