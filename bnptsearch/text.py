"""Sentences in Indonesian news text: where one ends, and which full stops do not end one.

The cutting of over-long paragraphs into passages (:mod:`bnptsearch.passages`) uses these
rules, and so does anything else that needs sentences, so none can disagree about what a
sentence is.

>>> text = "Kata Komjen. Pol. Dr. Boy hari ini. Lalu pergi."
>>> [text[:end] for end, _ in sentence_breaks(text)]
['Kata Komjen. Pol. Dr. Boy hari ini.']
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["ABBREVIATIONS", "CLOSING_QUOTES", "OPENING_QUOTES", "is_abbreviation", "sentence_breaks"]

# What may close a sentence after its stop, and open the next one before its capital.
CLOSING_QUOTES = "”\"’')]"
OPENING_QUOTES = "“\"‘'(["
_CLOSING, _OPENING = re.escape(CLOSING_QUOTES), re.escape(OPENING_QUOTES)

# A sentence ends with a stop (maybe closed by a quote or bracket) before whitespace and a
# capital or digit, which may itself be behind an opening quote: "... lalu.” Dalam ...".
_BREAK = re.compile(rf"[.!?…]+[{_CLOSING}]*(\s+)(?=[{_OPENING}]?[A-Z0-9])")

# Titles, ranks and abbreviations whose full stop does not end the sentence ("Komjen. Pol.
# Dr. Boy", "Kab. Bogor", "dkk. Menurut"), lower case: they are matched case-blind.
ABBREVIATIONS = frozenset(
    {
        # academic and religious titles, and the degree parts after a dot ("S.Sos", "M.Si")
        "dr", "drs", "dra", "prof", "ir", "h", "hj", "kh", "sh", "se", "mm", "mh", "msi", "ssos",
        "sos", "si", "hum", "pd",
        # police and military ranks
        "pol", "komjen", "irjen", "brigjen", "kombes", "akbp", "kompol", "ipda", "iptu", "aiptu",
        "bripka", "brigpol", "jend", "letjen", "mayjen", "laksda", "marsda", "kol", "letkol",
        # forms of address
        "sdr", "sdri", "bpk", "tn", "ny", "st", "mr", "mrs", "ms", "yth",
        # addresses, regions, numbering
        "no", "nomor", "jl", "kec", "kab", "kel", "prov",
        # "and others", "that is", "versus"
        "dkk", "dll", "dsb", "tsb", "vs",
    }
)  # fmt: skip
# The word before a stop; no abbreviation is longer, so a window this wide is enough and
# keeps the look-behind cheap on a paragraph of any length.
_WORD_WINDOW = 16


def is_abbreviation(word: str) -> bool:
    """Whether a full stop right after ``word`` (the text before it) leaves the sentence going on.

    Only the part after the word's last dot counts ("S.Sos" → "Sos"), so a number such as
    "Rp1.000" still ends a sentence. A single letter is an initial ("B. J. Habibie"), but not
    the end of "VVT-i".

    >>> [is_abbreviation(w) for w in ("kata (Dr", "S.Sos", "B", "dkk", "1.000", "VVT-i", "")]
    [True, True, True, True, False, False, False]
    """
    words = word.split()
    if not words:
        return False
    last = words[-1].rsplit(".", 1)[-1].lstrip(OPENING_QUOTES)
    return (len(last) == 1 and last.isalpha()) or last.casefold() in ABBREVIATIONS


def sentence_breaks(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
    """The sentence boundaries in ``text[start:end]``: (end of a sentence, start of the next).

    A sentence's end is after its stop and closing quote; the next starts after the
    whitespace between them. The end of the range is not a break.

    >>> text = "“Siap.” Kata Kapolri. Kab. Bogor aman. 2 orang."
    >>> [(text[:a], text[b:]) for a, b in sentence_breaks(text)][0]
    ('“Siap.”', 'Kata Kapolri. Kab. Bogor aman. 2 orang.')
    >>> len(list(sentence_breaks(text)))
    3
    """
    end = len(text) if end is None else end
    for match in _BREAK.finditer(text, start, end):
        stop = match.start()
        if text[stop] == "." and is_abbreviation(text[max(start, stop - _WORD_WINDOW) : stop]):
            continue
        yield match.start(1), match.end()
