"""The Indonesian analyzer: one chain of Whoosh tokenizer and filters, used at index and
query time alike.

Chain: :class:`IndonesianTokenizer` (Unicode words, hyphenated reduplication folded)
→ lowercase → :class:`CompoundFilter` (spacing variants such as "kerja sama" joined)
→ Tala stopwords → :class:`IndonesianStemFilter` (Snowball plus repairs, see
:mod:`bnptsearch.stemming`).

>>> analyze("Praktik-praktik kerja sama BNPT")
['praktik', 'kerjasama', 'bnpt']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from whoosh.analysis import Filter, LowercaseFilter, StopFilter, Token, Tokenizer

from .stemming import STEMMER_VERSION, stem

__all__ = [
    "ANALYZER_VERSION",
    "AnalyzedToken",
    "CompoundFilter",
    "IndonesianStemFilter",
    "IndonesianTokenizer",
    "analyze",
    "analyze_tokens",
    "indonesian_analyzer",
    "join_compounds",
    "search_stopwords",
    "surface_analyzer",
    "surface_words",
    "term_spans",
]

# Bump when the chain changes in a way that alters indexed terms; the index records it and
# refuses to mix terms from two analyzer versions.
ANALYZER_VERSION = f"4+{STEMMER_VERSION}"

# A word is a run of letters/digits; hyphens and apostrophes inside a word keep it together
# so that reduplication ("praktik-praktik") and elisions ("Jum'at") can be seen whole.
_WORD = re.compile(r"\w+(?:[-\u2010\u2011'\u2019]\w+)*")
_HYPHENATED_PART = re.compile(r"[^-\u2010\u2011]+")
_APOSTROPHES = re.compile(r"['\u2019]")
# Letters and digits glued together are separate words, so "Densus88" and "Densus 88"
# (and "COVID-19"/"COVID19") index alike; an apostrophe stays inside a word ("Jum'at").
_LETTERS_OR_DIGITS = re.compile(r"\d+|[^\W\d]+(?:['\u2019][^\W\d]+)*")
# Scraped text often writes a reduplicated plural with a spaced dash: "praktik – praktik".
_SPACED_DASH = re.compile(r"\s*[-\u2013\u2014]\s*")


def _load_word_list(name: str) -> list[str]:
    text = resources.files("bnptsearch.data").joinpath(name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@cache
def stopwords() -> frozenset[str]:
    """The Tala stopword list shipped in ``bnptsearch/data/stopwords.txt``."""
    return frozenset(_load_word_list("stopwords.txt"))


# Question words with their particles and prepositions ("dimanakah", "darimana",
# "siapakah"): they say what kind of answer is wanted, not what it is about, and most of
# these forms are missing from the Tala list, so a question would rank on them.
_QUESTION_WORDS = frozenset(
    f"{before}{word}{after}"
    for word in ("apa", "mana", "siapa", "kapan", "berapa", "bagaimana", "mengapa", "kenapa")
    for before in ("", "di", "ke", "dari")
    for after in ("", "kah", "tah", "pun", "lah")
)


@cache
def search_stopwords() -> frozenset[str]:
    """The words the analyzer drops: the Tala list plus question-word forms."""
    return stopwords() | _QUESTION_WORDS


@cache
def compounds() -> dict[tuple[str, ...], str]:
    """Open compounds written both split and joined, as ``(parts...) -> joined``."""
    return {tuple(line.split()): "".join(line.split()) for line in _load_word_list("compounds.txt")}


def _split_word(word: str) -> list[tuple[str, int, int]]:
    """The index words of one tokenizer match that is not plain letters or digits (those
    are one word as they stand), with their spans inside ``word``.

    Full reduplication marks a plural or intensity, not a new word, so it folds to the base
    and keeps the whole span: "praktik-praktik" → praktik, "bersama-sama" → bersama. Other
    hyphenated words are separate words ("Swiss-Bellin", "2020-2024", "ke-9").
    """
    parts = list(_HYPHENATED_PART.finditer(word))
    if len(parts) == 2:
        first, second = (_APOSTROPHES.sub("", p.group()).lower() for p in parts)
        if first == second or (len(second) > 2 and first.endswith(second)):
            return [(_APOSTROPHES.sub("", parts[0].group()), 0, len(word))]
    return [
        (_APOSTROPHES.sub("", piece.group()), part.start() + piece.start(), part.start() + piece.end())
        for part in parts
        for piece in _LETTERS_OR_DIGITS.finditer(part.group())
    ]


# The same passage string is analyzed for several fields (stemmed text, unstemmed words) and
# an article's title for each of its passages: the last few results are kept, keyed by the
# string object itself (held here, so its id cannot be reused while cached).
_RECENT_SPANS: dict[int, tuple[str, list[tuple[str, int, int]]]] = {}
_RECENT_LIMIT = 8


def _word_spans(value: str) -> list[tuple[str, int, int]]:
    """(word, start, end) of each index word of ``value``, reduplication folded."""
    cached = _RECENT_SPANS.get(id(value))
    if cached is not None and cached[0] is value:
        return cached[1]
    spans: list[tuple[str, int, int]] = []
    previous = None  # the last word lowercased, to see "praktik – praktik"
    for match in _WORD.finditer(value):
        word = match.group()
        # Nearly every word is plain letters or digits: no splitting, one span.
        pieces = ((word, 0, len(word)),) if word.isalpha() or word.isdigit() else _split_word(word)
        offset = match.start()
        for text, start, end in pieces:
            start, end = start + offset, end + offset
            lowered = text.lower()
            if lowered == previous:
                gap = value[spans[-1][2] : start]
                if gap.strip() and _SPACED_DASH.fullmatch(gap):
                    spans[-1] = (spans[-1][0], spans[-1][1], end)
                    continue
            spans.append((text, start, end))
            previous = lowered
    if len(_RECENT_SPANS) >= _RECENT_LIMIT:
        _RECENT_SPANS.clear()
    _RECENT_SPANS[id(value)] = (value, spans)
    return spans


class IndonesianTokenizer(Tokenizer):
    """Unicode word tokenizer that folds reduplicated words into one token.

    The token's character span covers the whole reduplicated form, so highlights mark
    "praktik-praktik" (and "praktik – praktik") entirely.
    """

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IndonesianTokenizer)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar = start_char
                token.endchar = start_char + len(value)
            yield token
            return
        for pos, (text, startchar, endchar) in enumerate(_word_spans(value), start_pos):
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = text
            if positions:
                token.pos = pos
            if chars:
                token.startchar = start_char + startchar
                token.endchar = start_char + endchar
            yield token


class CompoundFilter(Filter):
    """Joins open compounds written with a space into their closed form.

    Indonesian writes many compounds both ways ("kerja sama"/"kerjasama", "wali
    kota"/"walikota", "Densus 88"/"Densus88"); joining them makes both spellings one term.
    It must run before stopword removal: "sama" alone is a Tala stopword.
    """

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CompoundFilter)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(self, tokens):
        table = compounds()
        firsts = {parts[0] for parts in table}
        pending = None  # a copy of a token that may start a compound
        for token in tokens:
            if pending is not None:
                joined = _joined(table, pending.text, token.text)
                if joined is not None:
                    token.text = joined
                    if hasattr(pending, "startchar"):
                        token.startchar = pending.startchar
                    if hasattr(pending, "pos"):
                        token.pos = pending.pos
                    pending = None
                    yield token
                    continue
                held = pending
                pending = None
                yield held
            if token.text in firsts:
                pending = token.copy()
                continue
            yield token
        if pending is not None:
            yield pending


# Endings the compound's second word may carry ("ibu kotanya"): the joined word keeps them
# for the stemmer to remove.
_COMPOUND_ENDINGS = ("nya", "lah", "kah", "pun", "ku", "mu")


def _joined(table: dict[tuple[str, ...], str], first: str, second: str) -> str | None:
    joined = table.get((first, second))
    if joined is not None:
        return joined
    for ending in _COMPOUND_ENDINGS:
        if second.endswith(ending) and (first, second[: -len(ending)]) in table:
            return table[(first, second[: -len(ending)])] + ending
    return None


class IndonesianStemFilter(Filter):
    """Reduces each word to its root with :func:`bnptsearch.stemming.stem`.

    The stemmer is a module-level function so the analyzer pickles into the Whoosh schema
    (a bound ``Stemmer.stemWord`` cannot be pickled).
    """

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IndonesianStemFilter)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(self, tokens):
        for token in tokens:
            if not token.stopped:
                token.text = stem(token.text)
            yield token


def indonesian_analyzer():
    """The analyzer chain used for passage text and titles.

    >>> [t.text for t in indonesian_analyzer()("Penangkapan teroris")]
    ['tangkap', 'teror']
    """
    return (
        IndonesianTokenizer()
        | LowercaseFilter()
        | CompoundFilter()
        | StopFilter(stoplist=search_stopwords(), minsize=1)
        | IndonesianStemFilter()
    )


def surface_analyzer():
    """The chain without stemming: the words as written, lowercased, stopwords dropped.

    >>> [t.text for t in surface_analyzer()("Penangkapan teroris")]
    ['penangkapan', 'teroris']
    """
    return IndonesianTokenizer() | LowercaseFilter() | StopFilter(stoplist=search_stopwords(), minsize=1)


def surface_words(text: str) -> list[str]:
    """What :func:`surface_analyzer` makes of ``text``, as a list: for indexing a field
    from several strings without joining them (each string's words are cached while the
    other fields analyze it).

    >>> surface_words("Penangkapan teroris di Tangerang")
    ['penangkapan', 'teroris', 'tangerang']
    """
    stops = search_stopwords()
    return [word for word in (span[0].lower() for span in _word_spans(text)) if word not in stops]


@dataclass(frozen=True)
class AnalyzedToken:
    """One surface word and what it becomes in the index (``term`` is None for a stopword)."""

    surface: str
    term: str | None
    start: int
    end: int


@cache
def _shared_analyzer():
    return indonesian_analyzer()


def term_spans(text: str) -> list[tuple[str, int, int]]:
    """Each word's analyzed term and character span, stopwords left out: what highlighting
    needs, without building an :class:`AnalyzedToken` per word (two thirds of its time).

    >>> term_spans("yang ditangkap")
    [('tangkap', 5, 14)]
    """
    return [(t.text, t.startchar, t.endchar) for t in _shared_analyzer()(text, chars=True)]


def analyze_tokens(text: str) -> list[AnalyzedToken]:
    """Every word of ``text`` with its character span and analyzed term.

    >>> analyze_tokens("yang ditangkap")[1]
    AnalyzedToken(surface='ditangkap', term='tangkap', start=5, end=14)
    """
    return [
        AnalyzedToken(
            surface=text[t.startchar : t.endchar],
            term=None if t.stopped else t.text,
            start=t.startchar,
            end=t.endchar,
        )
        for t in _shared_analyzer()(text, chars=True, removestops=False)
    ]


def analyze(text: str) -> list[str]:
    """The analyzed terms of ``text``, in order, as they are indexed and searched.

    >>> analyze("Penangkapan terduga teroris di Tangerang")
    ['tangkap', 'duga', 'teror', 'tangerang']
    """
    return [t.text for t in _shared_analyzer()(text)]


def join_compounds(query: str) -> str:
    """Rewrites split compounds in a raw query string to their joined form.

    The query parser analyzes each word on its own, so "kerja sama" would reach the
    analyzer as two words and never be joined by :class:`CompoundFilter`.

    >>> join_compounds("kerja  sama internasional")
    'kerjasama internasional'
    """
    return _compound_pattern().sub(lambda m: "".join(m.group().split()), query)


@cache
def _compound_pattern() -> re.Pattern[str]:
    alternatives = sorted((r"\s+".join(map(re.escape, parts)) for parts in compounds()), key=len, reverse=True)
    endings = "|".join(_COMPOUND_ENDINGS)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?:" + endings + r")?(?!\w)", re.IGNORECASE)
