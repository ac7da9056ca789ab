"""A small deterministic embedder for tests: hashed bag of stems, so most tests need no model."""

from __future__ import annotations

import time
import zlib
from collections.abc import Mapping, Sequence

import numpy as np

from bnptsearch import analyze


class HashEmbedder:
    """Each stem of a text (after ``synonyms``, stem → stem) adds ±1 to one of ``dim``
    hashed coordinates; rows L2-normalised. ``delay`` seconds per call imitate a slow model."""

    dim = 64

    def __init__(self, synonyms: Mapping[str, str] | None = None, delay: float = 0.0, name: str = "hash-bag-of-stems-64"):
        self.synonyms = dict(synonyms or {})
        self.delay = delay
        self.name = name
        self.calls: list[int] = []  # how many texts each call embedded

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(len(texts))
        if self.delay:
            time.sleep(self.delay)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for stem in analyze(text):
                code = zlib.crc32(self.synonyms.get(stem, stem).encode("utf-8"))
                out[row, code % self.dim] += 1.0 if code >> 31 else -1.0
            if not out[row].any():
                out[row, 0] = 1.0
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)
