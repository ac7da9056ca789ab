"""Scraped news pages made clean: site chrome removed, headline, dateline and date found.

A scrape of an Indonesian (WordPress-style) news site carries the article plus site chrome:
breadcrumbs, the headline printed twice, "BACA JUGA:" links to other stories, an author box,
"Check Also" teasers, a comment form. Everything that is not the article is removed here,
because whatever survives becomes searchable: a query for a celebrity named only in a
"BACA JUGA" link must not find a counter-terrorism article.

Which lines are chrome is data (:data:`FOOTER_LINES`, :data:`NOISE_LINES`, :data:`SOURCE_LINES`,
:data:`END_MARKS`), with rows per site (WordPress sites, detik, Republika); reading files is
:mod:`bnptsearch.corpus`'s business, this module only sees text.

>>> page = clean("Home / Hukum / Polisi Tangkap Dua Orang\\n\\nJAKARTA, KOMPAS.com – Polisi menangkap"
...              "\\ndua orang, Rabu (23/3/2022).\\n\\nBACA JUGA: Berita lain\\n\\nTinggalkan Balasan")
>>> (page.title, page.place, page.source, page.date)
('Polisi Tangkap Dua Orang', 'JAKARTA', 'KOMPAS.com', '2022-03-23')
>>> page.body
'JAKARTA, KOMPAS.com – Polisi menangkap dua orang, Rabu (23/3/2022).'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .dates import date_line, first_date
from .text import CLOSING_QUOTES, OPENING_QUOTES

__all__ = ["END_MARKS", "FOOTER_LINES", "NOISE_LINES", "SOURCE_LINES", "CleanText", "clean", "plain_paragraphs"]

# Headlines are short; a longer first line is a paragraph that merely lacks a full stop.
_MAX_HEADLINE_CHARS = 250
_MAX_HEADLINE_WORDS = 30

# Invisible characters scrapes carry (zero-width spaces, BOM, soft hyphens) would split
# words in the index; other control characters are noise. Odd line separators become "\n".
_TRANSLATE = {
    **dict.fromkeys(range(0x20), None),
    **dict.fromkeys(map(ord, "\x7f\u200b\u200c\u200d\u2060\ufeff\u00ad"), None),
    **dict.fromkeys(map(ord, "\n\x0b\x0c\x85\u2028\u2029"), "\n"),
    ord("\t"): " ",
}
# Runs of spaces and odd spaces (NBSP, tab): a lone " " is left alone, which keeps this
# pass cheap on big files.
_HSPACE = re.compile(r"[^\S\n]{2,}|[^\S\n ]")

# A line ending like this ends a sentence (or a list item / lead-in), so a line break after
# it is a real paragraph break rather than a hard wrap.
_LINE_ENDS_SENTENCE = re.compile(rf"[.!?…:;][{re.escape(CLOSING_QUOTES)}]*$")
# "sel-" + "sel" across a wrap: reduplicated words keep their hyphen and lose the break.
_LINE_ENDS_HYPHENATED = re.compile(r"\w-$")

# Scraped-page chrome, as tables of regular expressions that each match a whole line. A
# site with chrome of its own adds rows here; the code below never names a site.

# Site footer: everything from one of these lines on is site chrome (author box, teasers of
# other stories, related links, comment form), never article text.
FOOTER_LINES: tuple[str, ...] = (
    r"(?i:check also|tinggalkan (?:balasan|komentar)|leave a (?:reply|comment))\s*:?",
    r"(?i:(?:berita|artikel|postingan|tulisan) (?:terkait|lainnya)|baca berita lainnya)\s*:?",
    r"(?i:related (?:posts?|articles?|news)|you (?:may|might) also like)\s*:?",
    r"(?i:post navigation|navigasi (?:pos|tulisan)|komentar|comments?)\s*:?",
    # The WordPress author box: "About admin", "About Redaksi" (case-sensitive on purpose,
    # so an English sentence starting "about" is not taken for it).
    r"About [^\s.!?]+(?: [^\s.!?]+)?",
    # detik: 'Baca artikel detikjatim, "<headline>" selengkapnya https://www.detik.com/...'.
    r"(?i:baca artikel detik\w*)\b.*\bselengkapnya\b.*",
)
# Single chrome lines that can sit anywhere in the text; dropped on their own.
NOISE_LINES: tuple[str, ...] = (
    # Links to other stories, often in the middle of the article: "BACA JUGA:Wagub ...".
    r"(?i:(?:baca|simak|lihat)\s+(?:juga|pula))\s*(?:[:：|»>-]|–|—|$).*",
    r"BACA JUGA\b.*",
    r"(?i:error\s*:\s*content is protected\b).*",
    # The comment form.
    r"(?i:alamat email anda tidak akan dipublikasikan|your email address will not be published).*",
    r"(?i:ruas yang wajib ditandai|required fields are marked).*",
    # Ads, share buttons, lazy-loading placeholders.
    r"(?i:advertisements?|iklan|scroll to continue with content|share this|bagikan(?: ini)?)\s*:?",
    r"(?i:suka ini|like this|loading\.*|memuat\.*)\s*:?",
    r"(?i:tags?|topik)\s*:.*",
    # detik: the app advert and embedded-video placeholders ("[Gambas:Video 20detik]").
    r"(?i:download apps detikcom sekarang)\b.*",
    r"\[Gambas:[^\]]*\]",
    # Republika: reporter and editor ("Rep: Rizky Suryarandika/ Red: Ani Nursalikah"), the
    # wire credit ("Sumber : Antara"), photo credits ("Foto: ANTARA FOTO/Basri Marzuki").
    r"(?:Re[dp]|RE[DP])\s*:\s*[^\s:].{0,80}",
    # At most four words and no full stop: "Sumber: dana dari APBN." is a sentence.
    r"(?i:sumber)\s*:\s*\w+(?:[.&-]\w+)*(?:[ ,/]+\w+(?:[.&-]\w+)*){0,3}",
    r"(?i:foto)\s*:\s*\S.{0,100}",
)
# Chrome lines that name the publisher, used as the article's source when its dateline
# names none: the named group ``source``. Dropped like noise lines.
SOURCE_LINES: tuple[str, ...] = (
    # detik's byline: "Tim detikJatim - detikNews", "Deny Prastyo Utomo - detikJatim".
    r"\S.{0,60}? - (?P<source>detik(?:[A-Z]\w*|com))",
)
# Chrome at the very end of the article, on the last line of text or a line of its own.
END_MARKS: tuple[str, ...] = (
    # detik's editor initials: "... telepon genggam. (abc/dpe)".
    r"\((?:[a-z]{2,5}/)+[a-z]{2,5}\)",
)


def _any_line(rules: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for a table of rules: a line is matched once, whatever the table's size."""
    return re.compile("|".join(f"(?:{rule})" for rule in rules))


_FOOTER_LINE = _any_line(FOOTER_LINES)
_NOISE_LINE = _any_line(NOISE_LINES)
# Compiled one by one: each row has its own group named "source".
_SOURCE_LINES = tuple(re.compile(rule) for rule in SOURCE_LINES)
_END_MARK = re.compile(rf"\s*(?:{'|'.join(f'(?:{rule})' for rule in END_MARKS)})$")

# Breadcrumb trail over the headline: "Home / Hukrim / <title>", "Beranda » Nasional".
_BREADCRUMB_SEPARATOR = re.compile(r"\s+[/»›>|]\s+|\s*(?:»|›)\s*")
_BREADCRUMB_START = re.compile(r"(?i:home|beranda|index|halaman utama)\b")
# Author lines above the article: "Penulis: Redaksi", "Editor: Budi".
_BYLINE = re.compile(r"(?i:oleh|penulis|editor|reporter|redaktur|author|by|ditulis oleh)\s*:\s*\S.{0,60}")
_NAV_MAX_WORDS = 2
_BREADCRUMB_STEP_MAX_WORDS = 4
# Longer than any header line (breadcrumb, label, byline, date): the article has begun.
_HEADER_MAX_CHARS = 400
_PUNCTUATION = re.compile(r"[.!?,;:…]")

# The dateline opening a lede: "JAKARTA, DISWAY.ID – ", "Surabaya – ", "CNNBanten.id – ",
# "Jakarta (ANTARA) - ". The dash must have spaces round it and the story must go on with a
# capital, which tells "Surabaya – Perwakilan" from "praktik – praktik".
_DATELINE = re.compile(rf"(?P<head>[^\s–—―][^–—―\n]{{0,59}}?)\s+(?:--?|[–—―])\s+(?=[{re.escape(OPENING_QUOTES)}]?[A-Z0-9])")
_DATELINE_PAREN = re.compile(r"(?P<place>[^()]+?)\s*\((?P<source>[^()]+)\)")
_DOMAIN = re.compile(r"(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,6}")
_DATELINE_MAX_WORDS = 4


@dataclass(frozen=True)
class CleanText:
    """What is left of a page: ``body`` paragraphs are separated by a blank line."""

    title: str
    body: str
    place: str | None
    source: str | None
    date: str | None


def clean(raw: str, title: str | None = None) -> CleanText | None:
    """Cleans one scraped page and finds its title, dateline (place, source) and date.

    ``title`` is the title a record gives ("" when it has none; the text's own printings of
    it are dropped); None means the page's headline must be found in the text, falling back
    on the breadcrumb trail's last step, else "" (no title is made from the lede). Returns
    None when nothing but site chrome is left.

    >>> clean("Judul Rekaman\\n\\nSurabaya – Isi berita.", "Judul Rekaman").body
    'Surabaya – Isi berita.'
    >>> clean("Tinggalkan Balasan") is None
    True
    """
    lines, line_source = _clean_lines(raw)
    paragraphs, header_dates, crumb_title = _strip_header(_without_end_marks(_paragraphs(lines)))
    if not paragraphs:
        return None
    if title is None:
        headline, paragraphs = _take_headline(paragraphs, crumb_title)
    else:
        headline = title
        paragraphs = _drop_leading_repeats(paragraphs, title) if title else paragraphs
    if headline:
        # A publication date or byline printed under the headline is header too.
        paragraphs, dates_below, _ = _strip_header(paragraphs)
        header_dates += dates_below
    if not paragraphs:
        return None
    place, source, _ = _dateline(paragraphs[0])
    source = source or line_source
    if not headline and title is None:
        # A page without a headline may still name itself in its breadcrumb trail. Its lede's
        # first sentence is no title: indexed as one, it would count twice and rank as if
        # it were the headline.
        headline = crumb_title
    body = "\n\n".join(paragraphs)
    date = first_date(header_dates) or first_date([headline, body])
    return CleanText(headline, body, place, source, date)


def plain_paragraphs(raw: str) -> list[str]:
    """The paragraphs of a document that has no site chrome (a PDF page, a Word file):
    normalized like a page, hard wraps joined, but no line dropped as chrome.

    >>> plain_paragraphs("Komentar\\nPolisi telah\\nmenangkap dua orang.")
    ['Komentar', 'Polisi telah menangkap dua orang.']
    """
    return _paragraphs(_normalized_lines(raw))


def _normalized_lines(raw: str) -> list[str]:
    """NFC, one kind of line break, no invisible characters, single spaces; lines stripped."""
    text = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\r", "\n").translate(_TRANSLATE)
    return [line.strip() for line in _HSPACE.sub(" ", text).split("\n")]


def _clean_lines(raw: str) -> tuple[list[str], str | None]:
    """Normalized, stripped lines, cut at the site footer, without chrome lines; and the
    publisher named by a chrome line (see :data:`SOURCE_LINES`), if any."""
    lines = []
    source = None
    for line in _normalized_lines(raw):
        if _FOOTER_LINE.fullmatch(line):
            break
        # Dropped outright (not left as a blank line): a "BACA JUGA" line wedged into the
        # middle of a sentence must not split that sentence into two paragraphs.
        if _NOISE_LINE.fullmatch(line):
            continue
        named = next((m for m in (rule.fullmatch(line) for rule in _SOURCE_LINES) if m), None)
        if named:
            source = source or named["source"]
            continue
        lines.append(line)
    return lines, source


def _without_end_marks(paragraphs: list[str]) -> list[str]:
    """The paragraphs without the chrome that ends an article (:data:`END_MARKS`)."""
    while paragraphs:
        last = _END_MARK.sub("", paragraphs[-1])
        if last == paragraphs[-1]:
            break
        paragraphs = paragraphs[:-1] + ([last] if last else [])
    return paragraphs


def _strip_header(paragraphs: list[str]) -> tuple[list[str], list[str], str]:
    """Drops breadcrumbs, navigation labels and bylines above the article.

    Returns the remaining paragraphs, the date-only lines dropped from the header (they date the
    article) and the title ending a breadcrumb trail ("" if none).
    """
    dates: list[str] = []
    crumb_title = ""
    for i, line in enumerate(paragraphs):
        if len(line) > _HEADER_MAX_CHARS:
            break  # header items are short: this is the article
        if _is_breadcrumb(line, last=i == len(paragraphs) - 1):
            tail = _BREADCRUMB_SEPARATOR.split(line)[-1]
            # The trail ends in the headline when it is long enough to be one.
            if len(tail.split()) >= 3:
                crumb_title = tail
            continue
        if len(line.split()) <= _NAV_MAX_WORDS and not _PUNCTUATION.search(line):
            continue  # "Informasi", "Detail Berita", "NASIONAL": section labels
        if _BYLINE.fullmatch(line):
            continue
        if date_line(line):
            dates.append(line)  # "Senin, 7 Maret 2023 | 10:00 WIB"
            continue
        break
    else:
        return [], dates, crumb_title
    return paragraphs[i:], dates, crumb_title


def _is_breadcrumb(line: str, *, last: bool) -> bool:
    """ "Home / Hukrim / <title>", "Nasional » Hukum » <title>": short steps, then the page.

    A trail that does not start at "Home" counts only when text follows it: a record that is
    a single line such as "skor akhir (OSA / MAR / FER) ..." is content, not navigation.
    """
    crumbs = _BREADCRUMB_SEPARATOR.split(line)
    steps = crumbs[:-1]
    if not steps or not all(0 < len(step.split()) <= _BREADCRUMB_STEP_MAX_WORDS for step in steps):
        return False
    return bool(_BREADCRUMB_START.match(line)) or (len(crumbs) >= 3 and not last)


def _paragraphs(lines: list[str]) -> list[str]:
    """Joins hard-wrapped lines; every other line break is a paragraph break.

    >>> _paragraphs(["Polisi telah", "melakukan penangkapan.", "", "Kedua.", "Ketiga,", "Lalu."])
    ['Polisi telah melakukan penangkapan.', 'Kedua.', 'Ketiga, Lalu.']
    """
    paragraphs: list[list[str]] = []  # pieces, joined once at the end: no quadratic "+="
    previous_blank = True
    for line in lines:
        if not line:
            previous_blank = True
            continue
        if not previous_blank and paragraphs:
            pieces = paragraphs[-1]
            last = pieces[-1]
            # A line that stops mid-sentence, continued in lowercase (or after a comma) on
            # the next, is one sentence the scraper wrapped at a fixed width.
            continues = line[0].islower() or last.endswith(",")
            if continues and not _LINE_ENDS_SENTENCE.search(last):
                pieces.append("" if _LINE_ENDS_HYPHENATED.search(last) else " ")
                pieces.append(line)
                continue
        paragraphs.append([line])
        previous_blank = False
    return ["".join(pieces) for pieces in paragraphs]


def _title_key(text: str) -> str:
    """What makes two printings of a headline the same: case and trailing stops ignored."""
    return text.casefold().rstrip(" .!?:;,…")


def _drop_leading_repeats(paragraphs: list[str], title: str) -> list[str]:
    """Removes the title's printings at the top of the body."""
    key = _title_key(title)
    start = 0
    while start < len(paragraphs) and _title_key(paragraphs[start]) == key:
        start += 1
    return paragraphs[start:]


def _take_headline(paragraphs: list[str], crumb_title: str) -> tuple[str, list[str]]:
    """Splits off a headline opening the text: ("", paragraphs) when there is none.

    A first line is the headline when it is printed again right below (the page title then
    the article title), when the breadcrumb trail ends with it, or when it reads like one:
    short, no dateline, no closing full stop, and the article goes on after it.
    """
    first = paragraphs[0]
    rest = _drop_leading_repeats(paragraphs[1:], first)
    repeated = len(rest) < len(paragraphs) - 1
    named_by_crumbs = bool(crumb_title) and _title_key(crumb_title) == _title_key(first)
    if repeated or named_by_crumbs or (rest and _is_headline(first)):
        return first.rstrip(" ."), rest
    return "", paragraphs


def _is_headline(line: str) -> bool:
    return (
        len(line) <= _MAX_HEADLINE_CHARS
        and len(line.split()) <= _MAX_HEADLINE_WORDS
        and (line[0].isupper() or line[0].isdigit())
        and line[-1] not in ".,;:…"
        and _dateline(line)[2] == line
    )


def _dateline(lede: str) -> tuple[str | None, str | None, str]:
    """(place, source, the lede after the dateline) of a lede; the lede itself if it has none.

    >>> _dateline("JAKARTA, DISWAY.ID – Salah satu upaya.")
    ('JAKARTA', 'DISWAY.ID', 'Salah satu upaya.')
    >>> _dateline("CNNBanten.id – Pemerintah Provinsi.")
    (None, 'CNNBanten.id', 'Pemerintah Provinsi.')
    """
    match = _DATELINE.match(lede)
    if not match:
        return None, None, lede
    head = match["head"]
    source = None
    paren = _DATELINE_PAREN.fullmatch(head)
    if paren:
        head, source = paren["place"], paren["source"].strip()
    parts = [part.strip() for part in head.split(",")]
    if len(parts) > 2 or (source and len(parts) > 1) or not all(map(_is_name, parts)):
        return None, None, lede
    if len(parts) == 2:
        # "JAKARTA, KOMPAS.com" and "REPUBLIKA.CO.ID, POSO": the web domain is the publisher.
        place, source = parts[::-1] if _DOMAIN.fullmatch(parts[0]) and not _DOMAIN.fullmatch(parts[1]) else parts
    elif _DOMAIN.fullmatch(parts[0]) and not source:
        place, source = None, parts[0]
    else:
        place = parts[0]
    if place and not place[0].isupper():
        return None, None, lede
    return place, source, lede[match.end() :]


def _is_name(part: str) -> bool:
    """A place or publisher: a few capitalized words, or a web domain ("detik.com")."""
    words = part.split()
    return bool(words) and (
        (len(words) == 1 and _DOMAIN.fullmatch(part) is not None)
        or (len(words) <= _DATELINE_MAX_WORDS and all(w[0].isupper() or w[0].isdigit() for w in words))
    )
