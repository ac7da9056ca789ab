"""Tiny valid PDFs with a text layer, written by hand (no PDF library needed to make them).

Used by the reader tests and by ``benchmarks/pdf_reading_order.py``.

>>> pdf_document([text_lines(["Halo"])]).startswith(b"%PDF-1.4")
True
"""

from __future__ import annotations


def literal(text: str) -> str:
    """A PDF string literal."""
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def text_lines(lines: list[str]) -> str:
    """A page's content stream: ``lines`` one under another from the top left."""
    return "\n".join(["BT /F1 11 Tf 14 TL 72 740 Td", *(f"{literal(line)} Tj T*" for line in lines), "ET"])


def pdf_document(streams: list[str], info: dict[str, str] | None = None) -> bytes:
    """A PDF of one page per content stream (Helvetica as /F1, Latin-1 text), with an
    optional document info dict (``{"Title": …, "CreationDate": "D:2024…"}``)."""
    font = 3 + 2 * len(streams)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(streams)))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {len(streams)} >>".encode()]
    for i, stream in enumerate(streams):
        data = stream.encode("latin-1")
        resources = f"/Resources << /Font << /F1 {font} 0 R >> >>"
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] {resources} /Contents {4 + 2 * i} 0 R >>".encode())
        objects.append(b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    trailer = ""
    if info:
        objects.append(("<< " + " ".join(f"/{key} {literal(value)}" for key, value in info.items()) + " >>").encode("latin-1"))
        trailer = f" /Info {len(objects)} 0 R"
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R{trailer} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
