"""The Indonesian analyzer: one chain of Whoosh tokenizer and filters, used at index and
query time alike.

Chain: :class:`IndonesianTokenizer` (Unicode words, hyphenated reduplication folded)
→ lowercase → :class:`CompoundFilter` (spacing variants such as "kerja sama" joined)
→ Tala stopwords → :class:`IndonesianStemFilter` (Snowball plus repairs, see
:mod:`bnptsearch.stemming`).

The factories take their tables as parameters (as Whoosh's ``StemmingAnalyzer(stoplist,
stemfn)`` does), with the shipped data as defaults.

>>> analyze("Praktik-praktik kerja sama BNPT")
['praktik', 'kerjasama', 'bnpt']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from whoosh.analysis import CompositeAnalyzer, Filter, LowercaseFilter, StopFilter, Token, Tokenizer

from .data import lines
from .stemming import CLITICS, STEMMER_VERSION, reduplication_ending, stem

__all__ = [
    "ANALYZER_VERSION",
    "AnalyzedToken",
    "CompoundFilter",
    "CompoundTable",
    "IndonesianStemFilter",
    "IndonesianTokenizer",
    "analyze",
    "analyze_tokens",
    "compounds",
    "english_stopwords",
    "indonesian_analyzer",
    "join_compounds",
    "search_stopwords",
    "stopwords",
    "surface_analyzer",
    "surface_words",
    "term_spans",
]

# Bump when the chain changes in a way that alters indexed terms; the index records it and
# refuses to mix terms from two analyzer versions.
# 6: English function words are stopped too.
ANALYZER_VERSION = f"6+{STEMMER_VERSION}"

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


@cache
def stopwords() -> frozenset[str]:
    """The Tala stopword list shipped in ``bnptsearch/data/stopwords.txt``."""
    return frozenset(lines("stopwords.txt"))


@cache
def english_stopwords() -> frozenset[str]:
    """Lucene's English stopwords (``bnptsearch/data/stopwords-en.txt``), without the ones
    Indonesian news uses as acronyms ("AS" for Amerika Serikat).

    >>> "on" in english_stopwords(), "as" in english_stopwords()
    (True, False)
    """
    return frozenset(lines("stopwords-en.txt"))


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
    """The words the analyzer drops: the Tala list, English function words and question-word
    forms."""
    return stopwords() | english_stopwords() | _QUESTION_WORDS


class _ConfiguredAlike:
    """Equal when of the same class and configured alike (Whoosh compares analyzers, e.g. a
    stored schema with a new one), and hashable. Whoosh's own ``Filter.__eq__`` compares
    ``__dict__`` too, but it leaves filters unhashable and ``Tokenizer.__eq__`` ignores
    ``__dict__``: hence this one pair for the tokenizer, the filters and the table."""

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash(type(self))


# Endings the compound's second word may carry ("ibu kotanya"): the joined word keeps them
# for the stemmer to remove.
_COMPOUND_ENDINGS = ("nya", "lah", "kah", "pun", "ku", "mu")


class CompoundTable(_ConfiguredAlike):
    """Open compounds written both split and joined ("kerja sama"/"kerjasama"), and the one
    rule for joining them: two words that are a listed split form, the second optionally
    with an ending (``_COMPOUND_ENDINGS``).

    Both ways of applying the rule derive from here: :meth:`join` for a token stream
    (:class:`CompoundFilter`) and :meth:`join_in_text` for a raw query string, because the
    query parser hands the analyzer one word at a time and so never shows it the pair.

    >>> table = CompoundTable(["kerja sama"])
    >>> table.join("kerja", "samanya"), table.join_in_text("Kerja  Sama baru")
    ('kerjasamanya', 'KerjaSama baru')
    """

    def __init__(self, split_forms: Iterable[str]) -> None:
        self.joined = {tuple(form.split()): "".join(form.split()) for form in split_forms}
        self.firsts = frozenset(parts[0] for parts in self.joined)
        alternatives = sorted((r"\s+".join(map(re.escape, parts)) for parts in self.joined), key=len, reverse=True)
        endings = "|".join(_COMPOUND_ENDINGS)
        self.pattern = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?:" + endings + r")?(?!\w)", re.IGNORECASE)

    def __len__(self) -> int:
        return len(self.joined)

    def join(self, first: str, second: str) -> str | None:
        """The joined form of two lowercase words, or None if they are no compound."""
        joined = self.joined.get((first, second))
        if joined is not None:
            return joined
        for ending in _COMPOUND_ENDINGS:
            if second.endswith(ending) and (first, second[: -len(ending)]) in self.joined:
                return self.joined[(first, second[: -len(ending)])] + ending
        return None

    def join_in_text(self, text: str) -> str:
        """``text`` with every split compound written joined, case and the rest kept."""
        return self.pattern.sub(lambda m: "".join(m.group().split()), text)


@cache
def compounds() -> CompoundTable:
    """The open compounds shipped in ``bnptsearch/data/compounds.txt``."""
    return CompoundTable(lines("compounds.txt"))


def _split_word(word: str) -> list[tuple[str, int, int]]:
    """The index words of one tokenizer match that is not plain letters or digits (those
    are one word as they stand), with their spans inside ``word``.

    Full reduplication marks a plural or intensity, not a new word, so it folds to the base
    and keeps the whole span: "praktik-praktik" → praktik, "bersama-sama" → bersama; with
    an ending of the whole word ("menakut-nakuti", "sebesar-besarnya") it stays one word for
    the stemmer to read. A clitic after a hyphen ("BNPT-nya", "rahmat-Mu") is part of the word before it, which
    keeps the whole span too. Other hyphenated words are separate words ("Swiss-Bellin",
    "2020-2024", "ke-9").

    >>> _split_word("BNPT-nya"), _split_word("kasih-Ku")
    ([('BNPT', 0, 8)], [('kasih', 0, 8)])
    """
    parts = list(_HYPHENATED_PART.finditer(word))
    if len(parts) > 1 and parts[-1].group().lower() in CLITICS:
        parts.pop()
    if len(parts) == 2:
        first, second = (_APOSTROPHES.sub("", p.group()).lower() for p in parts)
        ending = reduplication_ending(first, second)
        if ending is not None:
            whole = parts[0].group() if not ending else word[: parts[1].end()]
            return [(_APOSTROPHES.sub("", whole), 0, len(word))]
    spans = [
        (_APOSTROPHES.sub("", piece.group()), part.start() + piece.start(), part.start() + piece.end())
        for part in parts
        for piece in _LETTERS_OR_DIGITS.finditer(part.group())
    ]
    if spans:
        spans[-1] = (spans[-1][0], spans[-1][1], len(word))  # the dropped clitic, if any
    return spans


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


class IndonesianTokenizer(_ConfiguredAlike, Tokenizer):
    """Unicode word tokenizer that folds reduplicated words into one token.

    The token's character span covers the whole reduplicated form, so highlights mark
    "praktik-praktik" (and "praktik – praktik") entirely.
    """

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


class CompoundFilter(_ConfiguredAlike, Filter):
    """Joins open compounds written with a space into their closed form.

    Indonesian writes many compounds both ways ("kerja sama"/"kerjasama", "wali
    kota"/"walikota", "Densus 88"/"Densus88"); joining them makes both spellings one term.
    It must run before stopword removal: "sama" alone is a Tala stopword.

    ``table`` defaults to the shipped :func:`compounds`, looked up when used. Only a table
    given is stored: the default filter pickles without state, as the schemas of existing
    indexes hold it.
    """

    table: CompoundTable | None = None

    def __init__(self, table: CompoundTable | None = None) -> None:
        if table is not None:
            self.table = table

    def __call__(self, tokens):
        table = compounds() if self.table is None else self.table
        pending = None  # a copy of a token that may start a compound
        for token in tokens:
            if pending is not None:
                joined = table.join(pending.text, token.text)
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
            if token.text in table.firsts:
                pending = token.copy()
                continue
            yield token
        if pending is not None:
            yield pending


class IndonesianStemFilter(_ConfiguredAlike, Filter):
    """Reduces each word to its root with ``stemfn``, by default :func:`bnptsearch.stemming.stem`.

    The analyzer pickles into the Whoosh schema, so ``stemfn`` must be a module-level
    function (pickled by reference; a bound ``Stemmer.stemWord`` cannot be pickled). Only
    a function given is stored: the default filter pickles without state, as the schemas
    of existing indexes hold it.
    """

    stemfn: Callable[[str], str] | None = None

    def __init__(self, stemfn: Callable[[str], str] | None = None) -> None:
        if stemfn is not None:
            self.stemfn = stemfn

    def __call__(self, tokens):
        stemfn = stem if self.stemfn is None else self.stemfn
        for token in tokens:
            if not token.stopped:
                token.text = stemfn(token.text)
            yield token


def indonesian_analyzer(
    stoplist: Iterable[str] | None = None,
    compounds: CompoundTable | None = None,
    stemfn: Callable[[str], str] | None = None,
) -> CompositeAnalyzer:
    """The analyzer chain used for passage text and titles; ``None`` means the shipped data
    (:func:`search_stopwords`, :func:`compounds`, :func:`bnptsearch.stemming.stem`).

    >>> [t.text for t in indonesian_analyzer()("Penangkapan teroris")]
    ['tangkap', 'teror']
    >>> [t.text for t in indonesian_analyzer(stoplist=(), stemfn=str.upper)("kerja sama di")]
    ['KERJASAMA', 'DI']
    """
    return (
        IndonesianTokenizer()
        | LowercaseFilter()
        | CompoundFilter(compounds)
        | StopFilter(stoplist=search_stopwords() if stoplist is None else stoplist, minsize=1)
        | IndonesianStemFilter(stemfn)
    )


def surface_analyzer(stoplist: Iterable[str] | None = None) -> CompositeAnalyzer:
    """The chain without stemming: the words as written, lowercased, stopwords dropped
    (``None``: :func:`search_stopwords`).

    >>> [t.text for t in surface_analyzer()("Penangkapan teroris")]
    ['penangkapan', 'teroris']
    """
    stops = search_stopwords() if stoplist is None else stoplist
    return IndonesianTokenizer() | LowercaseFilter() | StopFilter(stoplist=stops, minsize=1)


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
    return compounds().join_in_text(query)
