"""Builders of malformed and hostile files, made in the test run (no binary fixtures)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pikepdf

CII_NS = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"


def encrypted_pdf() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    buf = io.BytesIO()
    pdf.save(buf, encryption=pikepdf.Encryption(owner="o", user="u"))
    return buf.getvalue()


def truncated_pdf(corpus: Path) -> bytes:
    data = (corpus / "mustang" / "Facture_F20180027.pdf").read_bytes()
    return data[: len(data) // 3]


def png_named_pdf() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


def xxe(secret_file: Path) -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret_file}">]>'
        f'<rsm:CrossIndustryInvoice xmlns:rsm="{CII_NS}">&x;</rsm:CrossIndustryInvoice>'
    ).encode()


def billion_laughs() -> bytes:
    ents = '<!ENTITY a0 "lol">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    return f'<?xml version="1.0"?><!DOCTYPE r [{ents}]><r>&a9;</r>'.encode()


def zip_of(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def zip_bomb() -> bytes:
    return zip_of({"huge.xml": b"<" + b"a" * (150 * 1024 * 1024) + b">"})


def bad_files(corpus: Path, secret: Path) -> dict[str, tuple[bytes, str]]:
    """File name -> (content, the error code the intake must give it)."""
    return {
        "malformed.xml": (b"<rsm:CrossIndustryInvoice xmlns:rsm='x'><unclosed>", "XML_MALFORMED"),
        "xxe.xml": (xxe(secret), "XML_FORBIDDEN_DTD"),
        "laughs.xml": (billion_laughs(), "XML_ENTITY_BOMB"),
        "bomb.zip": (zip_bomb(), "ZIP_BOMB"),
        "encrypted.pdf": (encrypted_pdf(), "PDF_ENCRYPTED"),
        "truncated.pdf": (truncated_pdf(corpus), "PDF_DAMAGED"),
        "empty.xml": (b"", "EMPTY_FILE"),
        "photo.pdf": (png_named_pdf(), "IMAGE_NOT_PDF"),
        "wrongns.xml": (
            b'<Invoice xmlns="urn:example:not-ubl"><ID>1</ID></Invoice>',
            "XML_WRONG_NAMESPACE",
        ),
        "latin1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><rsm:CrossIndustryInvoice xmlns:rsm="{CII_NS}">'.encode()
            + b"caf\xe9</rsm:CrossIndustryInvoice>",
            "XML_INVALID_ENCODING",
        ),
        "notes.docx": (b"PK-not-really\x00\x01binary", "UNSUPPORTED_FORMAT"),
        "fattura.xml": (
            (corpus / "zugferd-corpus" / "other").glob("*.xml").__next__().read_bytes(),
            "UNSUPPORTED_FORMAT",
        ),
    }
