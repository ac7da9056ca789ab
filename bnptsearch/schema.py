"""The index's field names: the one place they are spelled.

Every other module names a field through these constants, so a renamed or added field is a
change here, not a search through string literals.
"""

from __future__ import annotations

__all__ = [
    "ACRONYMS",
    "ARTICLE_ID",
    "CONTENT_HASH",
    "DATE",
    "DATE_TEXT",
    "DOC_ID",
    "END",
    "FILE_HASH",
    "KIND",
    "NUMBER",
    "PATH",
    "PID",
    "PLACE",
    "SOURCE",
    "SOURCE_NAME",
    "START",
    "TEXT",
    "TITLE",
    "WORDS",
    "YEAR",
]

PID = "pid"
KIND = "kind"
DOC_ID = "doc_id"
TITLE = "title"
TEXT = "text"
WORDS = "words"
SOURCE = "source"
SOURCE_NAME = "source_name"
YEAR = "year"
DATE = "date"
DATE_TEXT = "date_text"
PLACE = "place"
START = "start"
END = "end"
NUMBER = "number"
ARTICLE_ID = "article_id"
CONTENT_HASH = "content_hash"
PATH = "path"
FILE_HASH = "file_hash"
ACRONYMS = "acronyms"
