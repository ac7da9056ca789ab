"""Acronyms and their long forms: mined from the articles themselves, plus a small glossary.

Indonesian news defines its acronyms inline, in both directions:
"Badan Nasional Penanggulangan Terorisme (BNPT)", "Detasemen Khusus (Densus) 88",
"UNODC (United Nations Office on Drugs and Crime)". :func:`mine_acronyms` finds such
definitions; :class:`AcronymTable` turns them into query-time expansion rules, so a search
for either form finds passages that use only the other.

>>> [(a.short, a.long) for a in mine_acronyms("Aparatur Sipil Negara (ASN) di Banten")]
[('ASN', 'Aparatur Sipil Negara')]
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from .analysis import analyze, analyze_tokens
from .data import rows

__all__ = ["Acronym", "AcronymTable", "ExpansionRule", "glossary", "mine_acronyms", "written_form"]

_PARENTHESIS = re.compile(r"\(([^()\n]{1,100})\)")
# An acronym as written: "BNPT", "RAN PE", "BNPT RI", "IIJ", or a syllabic one ("Densus",
# "Kepgub", "Pemprov") that takes syllables rather than initials from its words.
_INITIALISM = re.compile(r"[A-Z][A-Z0-9]*[A-Z](?: [A-Z]{1,4})?")
_SYLLABIC = re.compile(r"[A-Z][a-z]{3,9}")
_WORD = re.compile(r"[\w][\w-]*")
# A definition's long form never crosses these: "... lalu. Dalam (X)" is no definition.
_CLAUSE_BREAK = re.compile(r"[.;:!?\"“”()\[\]]")
# Words that an acronym usually skips ("Coordination Unit for Threat Analysis" → CUTA).
_FUNCTION_WORDS = frozenset(
    "dan atau yang di ke dari untuk pada dalam serta dengan bagi oleh "
    "for of on and the in to at by".split()
)
_MAX_LONG_WORDS = 20
# A long form is recognised in a query from this many leading words on ("Rencana Aksi
# Nasional" finds RAN PE), so users need not type a twelve-word name in full.
_LONG_FORM_TRIGGER_TERMS = 3


@dataclass(frozen=True)
class Acronym:
    """An acronym and one long form, both as written."""

    short: str
    long: str


@dataclass(frozen=True)
class ExpansionRule:
    """When a query holds ``trigger`` (analyzed terms, in order), also search ``alternative``."""

    trigger: tuple[str, ...]
    alternative: tuple[str, ...]
    description: str
    # For a long form: its words as written (lowercased, spaces removed), which the query
    # must use too. Stems alone would let "Menteri Perindustrian" (the minister) trigger
    # "Kementerian Perindustrian" (the ministry), since both stem to "menteri industri".
    surface: tuple[str, ...] = ()


def _is_content(word: str) -> bool:
    return word.lower() not in _FUNCTION_WORDS


def _initials_span(letters: str, words: list[str]) -> list[str] | None:
    """The words whose initials spell ``letters`` in order, starting at ``words[0]``.

    Function words and content words that the acronym skips may sit in between
    ("Penanggulangan" in RAN PE); unused words at the end are cut off.
    """
    if not words or not _is_content(words[0]) or words[0][0].lower() != letters[0]:
        return None
    wanted = 1
    last_used = 0
    for position, word in enumerate(words[1:], 1):
        if wanted == len(letters):
            break
        if _is_content(word) and word[0].lower() == letters[wanted]:
            wanted += 1
            last_used = position
    if wanted < len(letters):
        return None
    span = words[: last_used + 1]
    return span if sum(map(_is_content, span)) <= 2 * len(letters) else None


def _syllables_span(letters: str, words: list[str]) -> list[str] | None:
    """``words`` if every content word gives the acronym at least one letter, in order, the
    first word its initial ("Detasemen Khusus" → Densus, "Keputusan Gubernur" → Kepgub)."""
    if not words or not _is_content(words[0]) or words[0][0].lower() != letters[0]:
        return None
    content = [w.lower() for w in words if _is_content(w)]

    @cache
    def fits(letter: int, word: int, char: int, used: bool) -> bool:
        if letter == len(letters):
            return word == len(content) - 1 and used
        if word == len(content):
            return False
        text = content[word]
        for position in range(char, len(text)):
            if text[position] == letters[letter] and fits(letter + 1, word, position + 1, True):
                return True
        return used and word + 1 < len(content) and fits(letter, word + 1, 0, False)

    return words if fits(1, 0, 1, True) else None


def _long_form(short: str, words: list[str], *, anchored: bool) -> list[str] | None:
    """The long form of ``short`` among ``words``: the shortest tail of ``words`` that spells
    it (a definition that precedes the acronym), or all of ``words`` when ``anchored``
    (a definition in parentheses after the acronym)."""
    letters = "".join(c for c in short.lower() if c.isalpha())
    if len(letters) < 2:
        return None
    spell = _syllables_span if _SYLLABIC.fullmatch(short) else _initials_span
    if anchored:
        return spell(letters, words)
    for size in range(1, min(len(words), _MAX_LONG_WORDS) + 1):
        span = spell(letters, words[-size:])
        if span is not None:
            return span
    return None


def _words_before(text: str, end: int) -> list[str]:
    start = max(0, end - 300)
    clause = _CLAUSE_BREAK.split(text[start:end])[-1]
    return _WORD.findall(clause)


def mine_acronyms(text: str) -> list[Acronym]:
    """Acronym definitions found in ``text``, in order of appearance, without repeats.

    >>> [(a.short, a.long) for a in mine_acronyms("Tim Detasemen Khusus (Densus) 88 Antiteror")]
    [('Densus', 'Detasemen Khusus')]
    """
    found: dict[Acronym, None] = {}
    for match in _PARENTHESIS.finditer(text):
        inner = match.group(1).strip()
        if _INITIALISM.fullmatch(inner) or _SYLLABIC.fullmatch(inner):
            long_words = _long_form(inner, _words_before(text, match.start()), anchored=False)
            if long_words:
                found[Acronym(inner, " ".join(long_words))] = None
            continue
        before = _words_before(text, match.start())
        if before and _INITIALISM.fullmatch(before[-1]):
            long_words = _long_form(before[-1], _WORD.findall(inner), anchored=True)
            if long_words:
                found[Acronym(before[-1], " ".join(long_words))] = None
    return list(found)


@cache
def glossary() -> tuple[Acronym, ...]:
    """The curated acronyms in ``bnptsearch/data/glossary.tsv``."""
    return tuple(Acronym(short, long) for short, long, *_ in rows("glossary.tsv"))


def written_form(word: str) -> str:
    """How a long form's word is compared with the query's: lowercased, spaces removed (a
    compound counts as one word whichever way it is written).

    >>> written_form("Kerja Sama")
    'kerjasama'
    """
    return "".join(word.lower().split())


@lru_cache(maxsize=1 << 16)
def _rules_of(acronym: Acronym) -> tuple[ExpansionRule, ...]:
    """The expansion rules of one acronym: short form → long form, and the long form's first
    words → short form (none if either form analyzes to too little).

    Cached: a long-lived Index makes a new table after each commit of another process, and
    analyzing every long form again was 30 ms of a query at 20k passages.

    >>> [rule.description for rule in _rules_of(Acronym("ASN", "Aparatur Sipil Negara"))]
    ['ASN → Aparatur Sipil Negara', 'Aparatur Sipil Negara → ASN']
    """
    # One analysis of the long form gives both its terms and their written words.
    long_words = [(t.term, t.surface) for t in analyze_tokens(acronym.long) if t.term is not None]
    short, long = tuple(analyze(acronym.short)), tuple(term for term, _ in long_words)
    if not short or len(long) < 2 or short == long:
        return ()
    trigger = long[:_LONG_FORM_TRIGGER_TERMS]
    written = tuple(written_form(surface) for _, surface in long_words[:_LONG_FORM_TRIGGER_TERMS])
    return (
        ExpansionRule(short, long, f"{acronym.short} → {acronym.long}"),
        ExpansionRule(trigger, short, f"{acronym.long} → {acronym.short}", written),
    )


class AcronymTable:
    """Expansion rules in both directions for a set of acronyms.

    >>> table = AcronymTable([Acronym("ASN", "Aparatur Sipil Negara")])
    >>> [r.alternative for r in table.rules_starting_with("asn")]
    [('aparatur', 'sipil', 'negara')]
    """

    def __init__(self, acronyms: Iterable[Acronym]):
        self.acronyms = tuple(dict.fromkeys(acronyms))
        rules: dict[tuple[tuple[str, ...], tuple[str, ...]], ExpansionRule] = {}
        for acronym in self.acronyms:
            for rule in _rules_of(acronym):
                rules.setdefault((rule.trigger, rule.alternative), rule)
        self._by_first: dict[str, list[ExpansionRule]] = {}
        for rule in rules.values():
            self._by_first.setdefault(rule.trigger[0], []).append(rule)
        for candidates in self._by_first.values():
            candidates.sort(key=lambda r: len(r.trigger), reverse=True)

    def rules_starting_with(self, term: str) -> list[ExpansionRule]:
        """Rules whose trigger starts with ``term``, longest trigger first."""
        return self._by_first.get(term, [])

    def __len__(self) -> int:
        return len(self.acronyms)
