"""A tiny text-only PDF writer for integration reports and rendered invoices.

The platform answers ``fichierCR`` and PDF downloads with real PDF files; a
client may store or open them, so the sandbox produces valid (if plain) PDFs
without pulling a PDF library into the sandbox.
"""

from __future__ import annotations

__all__ = ["text_pdf"]


def _escape(line: str) -> str:
    data = line.encode("cp1252", errors="replace").decode("latin-1")
    return data.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def text_pdf(title: str, lines: list[str]) -> bytes:
    """One A4 page (more lines are cut) with a title and lines of Helvetica text."""
    rows = [f"BT /F1 14 Tf 50 800 Td ({_escape(title)}) Tj ET"]
    y = 770
    for line in lines[:60]:
        rows.append(f"BT /F1 9 Tf 50 {y} Td ({_escape(line[:110])}) Tj ET")
        y -= 12
    content = "\n".join(rows).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
