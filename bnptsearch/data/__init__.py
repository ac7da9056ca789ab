"""The data files shipped with bnptsearch, read one way: ``#`` lines and blank lines are
comments, every other line is an entry.

>>> "yang" in lines("stopwords.txt")
True
>>> rows("glossary.tsv")[0]
('BNPT', 'Badan Nasional Penanggulangan Terorisme')
"""

from __future__ import annotations

from importlib import resources

__all__ = ["lines", "rows"]


def lines(name: str) -> list[str]:
    """The entries of ``bnptsearch/data/<name>``, stripped, comments and blank lines left out."""
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def rows(name: str) -> list[tuple[str, ...]]:
    """The entries of a tab-separated data file, each split into its stripped fields."""
    return [tuple(map(str.strip, line.split("\t"))) for line in lines(name)]
