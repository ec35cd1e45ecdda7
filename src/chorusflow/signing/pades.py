"""Sealing an invoice PDF with the provider's certificate (PAdES baseline B-B).

Why B-B and nothing more: the hub works offline, and B-T / B-LT need a
timestamp authority and OCSP or CRL responses over the network. Why an
incremental update: the seal must leave every byte of the original file in
place, so the Factur-X attachment (``factur-x.xml`` under ``/AF``), the XMP
PDF/A-3 claim and any earlier signature stay exactly as they were, and an
earlier signature still validates after ours is added.

Bytes in, bytes out, no file or network access. pyHanko drives its signing
through ``asyncio.run``: call :func:`seal_pdf` from a worker or a thread, not
from inside a running event loop.
"""

from __future__ import annotations

import io
from datetime import datetime

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.general import SigningError as PyhankoSigningError
from pyhanko.sign.validation import read_certification_data

from chorusflow.signing.errors import PDF_PARSE_ERRORS, SigningError, damaged_pdf
from chorusflow.signing.keys import Signer, check_validity

__all__ = ["DIGEST_ALGORITHM", "seal_pdf"]

DIGEST_ALGORITHM = "sha256"


def seal_pdf(
    pdf: bytes,
    signer: Signer,
    *,
    reason: str = "Facture",
    location: str | None = None,
    name: str | None = None,
    at: datetime | None = None,
) -> bytes:
    """Return ``pdf`` with one more invisible PAdES B-B signature appended.

    ``at`` is only the moment the certificate's validity is checked against (the
    signing time written in the signature is the clock's). A PDF already signed
    keeps its signatures and gets an additional one. Raises
    :class:`SigningError` for an expired certificate, an encrypted, damaged or
    locked PDF.
    """
    check_validity(signer, at)
    writer = _open_for_update(pdf)
    _refuse_if_locked(writer)
    metadata = signers.PdfSignatureMetadata(
        field_name=_free_field_name(writer),
        md_algorithm=DIGEST_ALGORITHM,
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        name=name,
    )
    try:
        output = signers.sign_pdf(
            writer, metadata, signer=signer.engine, bytes_reserved=signer.bytes_reserved
        )
    except PyhankoSigningError as exc:
        raise _refused(exc) from None
    except PDF_PARSE_ERRORS as exc:
        raise damaged_pdf(exc) from None
    return output.getvalue()


def _open_for_update(pdf: bytes) -> IncrementalPdfFileWriter:
    if not isinstance(pdf, bytes | bytearray | memoryview) or b"%PDF-" not in bytes(pdf[:1024]):
        raise SigningError(
            "PDF_DAMAGED",
            "The document to seal is not a PDF (no %PDF- header).",
            "Seal only PDF or Factur-X documents; other formats are sent unsigned.",
        )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(bytes(pdf)), strict=True)
        encrypted = writer.prev.encrypted
        writer.root  # noqa: B018  (forces the catalog to parse now, not half-way through signing)
    except PDF_PARSE_ERRORS as exc:
        raise damaged_pdf(exc) from None
    if encrypted:
        raise SigningError(
            "PDF_ENCRYPTED",
            "The PDF is encrypted; an encrypted file cannot be sealed (and is not valid PDF/A).",
            "Ask the issuer for the invoice without password protection or restrictions.",
        )
    return writer


def _free_field_name(writer: IncrementalPdfFileWriter) -> str:
    """Name the new field after the existing ones, so a second seal never reuses a field."""
    try:
        taken = {name for name, *_ in fields.enumerate_sig_fields(writer.prev)}
    except PDF_PARSE_ERRORS as exc:
        raise damaged_pdf(exc) from None
    number = 1
    while f"Seal{number}" in taken:
        number += 1
    return f"Seal{number}"


def _refuse_if_locked(writer: IncrementalPdfFileWriter) -> None:
    """An author (certification) signature with "no changes" forbids any later revision."""
    try:
        certification = read_certification_data(writer.prev)
    except PDF_PARSE_ERRORS as exc:
        raise damaged_pdf(exc) from None
    if certification is not None and certification.permission == MDPPerm.NO_CHANGES:
        raise SigningError(
            "PDF_LOCKED",
            "The PDF carries a certification signature that forbids any change, including another signature.",
            "Send this document without our seal (turn the signature off for it), or ask the "
            "issuer for a copy without a certification signature.",
        )


def _refused(exc: PyhankoSigningError) -> SigningError:
    return SigningError(
        "SIGNING_FAILED",
        f"The signature could not be added: {exc}",
        "Report this with the document to your administrator; the original file is kept.",
    )
