"""Splitting an article body into passages: the unit that is indexed, ranked and shown.

Paragraphs are the natural unit; short ones are merged with their neighbours and long ones
are cut at sentence boundaries, aiming at :data:`MIN_WORDS`–:data:`MAX_WORDS` words.
Each passage keeps its character offsets in the body, so ``body[start:end] == text``.

>>> [p.text for p in split_passages("Satu dua.\\n\\nTiga empat.", min_words=1)]
['Satu dua.', 'Tiga empat.']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .text import sentence_breaks

__all__ = ["MAX_WORDS", "MIN_WORDS", "PassageSpan", "split_passages"]

MIN_WORDS = 40
MAX_WORDS = 120

_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*")
_WORD = re.compile(r"\S+")
@dataclass(frozen=True)
class PassageSpan:
    """A passage of an article body: its text and its ``[start, end)`` offsets in the body."""

    number: int
    start: int
    end: int
    text: str


def _word_count(text: str) -> int:
    return len(_WORD.findall(text))


def _sentences(body: str, start: int, end: int) -> list[tuple[int, int]]:
    """The sentence spans of ``body[start:end]``, without the whitespace between them."""
    spans = []
    cursor = start
    for sentence_end, next_start in sentence_breaks(body, start, end):
        spans.append((cursor, sentence_end))
        cursor = next_start
    spans.append((cursor, end))
    return [(s, e) for s, e in spans if body[s:e].strip()]


def _units(body: str, max_words: int) -> list[tuple[int, int]]:
    """Paragraph spans, with paragraphs longer than ``max_words`` cut into sentences."""
    units = []
    for paragraph in _PARAGRAPH.finditer(body):
        start, end = paragraph.span()
        if _word_count(paragraph.group()) > max_words:
            units.extend(_sentences(body, start, end))
        else:
            units.append((start, end))
    return units


def split_passages(body: str, *, min_words: int = MIN_WORDS, max_words: int = MAX_WORDS) -> list[PassageSpan]:
    """Cut ``body`` into passages of roughly ``min_words``–``max_words`` words.

    Units (paragraphs, or sentences of over-long paragraphs) are packed greedily: a passage
    grows while it is shorter than ``min_words`` and adding the next unit keeps it within
    ``max_words``. A single sentence longer than ``max_words`` stays whole rather than being
    cut mid-sentence.
    """
    passages: list[PassageSpan] = []
    current: tuple[int, int] | None = None
    current_words = 0
    for start, end in _units(body, max_words):
        words = _word_count(body[start:end])
        if current is not None and current_words < min_words and current_words + words <= max_words:
            current = (current[0], end)
            current_words += words
            continue
        if current is not None:
            passages.append(PassageSpan(len(passages), current[0], current[1], body[current[0] : current[1]]))
        current, current_words = (start, end), words
    if current is not None:
        # A short tail is merged back into the previous passage when it fits, so articles
        # do not end in a fragment that ranks on too little text.
        if passages and current_words < min_words // 2:
            last = passages[-1]
            if _word_count(last.text) + current_words <= max_words:
                passages[-1] = PassageSpan(last.number, last.start, current[1], body[last.start : current[1]])
                return passages
        passages.append(PassageSpan(len(passages), current[0], current[1], body[current[0] : current[1]]))
    return passages
