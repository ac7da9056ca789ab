"""PDF text in reading order: bnptsearch's reader (pypdf) against pdfminer.six on two columns.

Usage (from the repository root; pdfminer.six is optional, ``pip install pdfminer.six``)::

    python -m benchmarks.pdf_reading_order [--repeat 200]

Writes a one-page, two-column PDF three ways, the same text each time: drawn column by
column (what word processors and LaTeX write), row by row across both columns (some layout
and OCR tools), and right column first (a sidebar drawn before the article). For each it
says whether both columns come out as unbroken sentences, and times the extraction of that
page; the time ratio is pdfminer.six over pypdf, measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from bnptsearch.corpus import read_file
from tests.pdf_fixtures import literal, pdf_document

LEFT = [
    "Kolom kiri membahas program",
    "deradikalisasi di lembaga",
    "pemasyarakatan dan hasilnya",
    "selama tahun anggaran lalu.",
]
RIGHT = [
    "Kolom kanan menjelaskan",
    "kerja sama internasional",
    "dengan negara mitra di",
    "kawasan Asia Tenggara.",
]
ORDERS = ("column by column", "row by row", "right column first")


def two_column_pdf(order: str) -> bytes:
    """One page: LEFT at x=72 and RIGHT at x=320, lines 14 pt apart, drawn in ``order``."""
    cells = [(side, row, x, text) for side, x, lines in (("L", 72, LEFT), ("R", 320, RIGHT)) for row, text in enumerate(lines)]
    if order == "row by row":
        cells.sort(key=lambda cell: (cell[1], cell[0]))
    elif order == "right column first":
        cells.sort(key=lambda cell: (cell[0] != "R", cell[1]))
    shown = (f"1 0 0 1 {x} {700 - 14 * row} Tm {literal(text)} Tj" for _, row, x, text in cells)
    stream = "\n".join(["BT /F1 10 Tf", *shown, "ET"])
    return pdf_document([stream])


def intact(text: str) -> bool:
    flat = " ".join(text.split())
    return " ".join(LEFT) in flat and " ".join(RIGHT) in flat


def timed(extract, path: Path, repeat: int) -> tuple[str, float]:
    started = time.perf_counter()
    for _ in range(repeat):
        text = extract(path)
    return text, (time.perf_counter() - started) / repeat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=200, help="extractions per PDF for the timing")
    args = parser.parse_args()
    try:
        from pdfminer.high_level import extract_text as pdfminer_text
    except ImportError:
        pdfminer_text = None
        print("pdfminer.six is not installed (pip install pdfminer.six): only bnptsearch's reader is measured")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'drawn':<20} {'pypdf intact':<13} {'pdfminer intact':<16} {'pypdf ms':>9} {'pdfminer ms':>12} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as folder:
        for order in ORDERS:
            path = Path(folder, order.replace(" ", "_") + ".pdf")
            path.write_bytes(two_column_pdf(order))
            ours, ours_seconds = timed(lambda p: read_file(p).articles[0].body, path, args.repeat)
            row = f"{order:<20} {intact(ours)!s:<13} "
            if pdfminer_text is None:
                print(row + f"{'-':<16} {ours_seconds * 1000:>9.2f}")
                continue
            theirs, their_seconds = timed(pdfminer_text, path, args.repeat)
            ratio = their_seconds / ours_seconds
            print(row + f"{intact(theirs)!s:<16} {ours_seconds * 1000:>9.2f} {their_seconds * 1000:>12.2f} {ratio:>6.2f}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
