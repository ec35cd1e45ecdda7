"""Checking the signatures a PDF carries, for the tests and the document view.

What matters for an invoice is narrower than a full PAdES validation report:
is the signed content unchanged (intact), is the signature mathematically right
(valid), does it cover the whole file or was something appended afterwards, who
signed, and does the certificate chain to a root the caller trusts. Trust roots
are passed in explicitly: the operating system's TLS store says nothing about
seal certificates, and reading it would be file access. Revocation is not
fetched (offline); a B-B signature carries none.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from chorusflow.signing.errors import PDF_PARSE_ERRORS, SigningError, damaged_pdf

__all__ = ["SignatureReport", "verify_pdf"]

#: A seal certificate carries digitalSignature, nonRepudiation, or both.
_SEAL_KEY_USAGE = KeyUsageConstraints(
    key_usage=frozenset({"digital_signature", "non_repudiation"}), match_all_key_usages=False
)


@dataclass(frozen=True, slots=True)
class SignatureReport:
    """One signature of a PDF as the document view shows it."""

    field_name: str
    #: The signed bytes hash to the digest in the signature.
    intact: bool
    #: The signature over that digest verifies with the signer's public key.
    valid: bool
    #: The signer's certificate chains to one of the trust roots given.
    trusted: bool
    #: pyHanko's coverage level: ENTIRE_FILE, ENTIRE_REVISION (something was
    #: appended later), CONTIGUOUS_BLOCK_FROM_START or UNCLEAR.
    coverage: str
    #: What was changed after this signature (NONE, FORM_FILLING, ANNOTATIONS, OTHER).
    modification_level: str | None
    signer_subject: str
    signing_time: datetime | None
    digest_algorithm: str | None
    subfilter: str | None
    reason: str | None
    location: str | None
    #: Why the signature could not be evaluated at all, when that happens.
    problem: str | None = None

    @property
    def covers_entire_file(self) -> bool:
        return self.coverage == SignatureCoverageLevel.ENTIRE_FILE.name

    @property
    def sound(self) -> bool:
        """Intact, valid, and nothing but more signatures or form filling came after it."""
        return (
            self.intact
            and self.valid
            and self.problem is None
            and (self.covers_entire_file or self.modification_level in ("NONE", "FORM_FILLING"))
        )


def verify_pdf(pdf: bytes, *, trust_roots: Sequence[bytes] = ()) -> list[SignatureReport]:
    """Report every signature of ``pdf`` in file order; an unsigned PDF gives ``[]``.

    ``trust_roots`` are DER certificates; without them ``trusted`` is always False.
    Raises :class:`SigningError` (PDF_DAMAGED, PDF_ENCRYPTED) when the file cannot be read.
    """
    try:
        reader = PdfFileReader(io.BytesIO(bytes(pdf)), strict=True)
        if reader.encrypted:
            raise SigningError(
                "PDF_ENCRYPTED",
                "The PDF is encrypted; its signatures cannot be checked without the password.",
                "Ask the issuer for the invoice without password protection.",
            )
        embedded = list(reader.embedded_regular_signatures)
    except PDF_PARSE_ERRORS as exc:
        raise damaged_pdf(exc) from None
    roots = [asn1_x509.Certificate.load(der) for der in trust_roots]
    return [_report(sig, roots) for sig in embedded]


def _report(sig: EmbeddedPdfSignature, roots: list[asn1_x509.Certificate]) -> SignatureReport:
    sig_dict = sig.sig_object
    common = {
        "field_name": str(sig.field_name),
        "subfilter": _text(sig_dict.get("/SubFilter")),
        "reason": _text(sig_dict.get("/Reason")),
        "location": _text(sig_dict.get("/Location")),
    }
    try:
        context = ValidationContext(
            trust_roots=roots, allow_fetching=False, other_certs=sig.other_embedded_certs
        )
        status = validate_pdf_signature(sig, context, key_usage_settings=_SEAL_KEY_USAGE)
    except (*PDF_PARSE_ERRORS, AssertionError) as exc:
        # pyHanko's path builder asserts on a trust root whose name matches the
        # signer's issuer but whose key type differs: one odd signature must not
        # hide the others from the document view.
        return SignatureReport(
            intact=False,
            valid=False,
            trusted=False,
            coverage=SignatureCoverageLevel.UNCLEAR.name,
            modification_level=None,
            signer_subject=_subject(sig),
            signing_time=None,
            digest_algorithm=None,
            problem=f"{type(exc).__name__}: {exc}",
            **common,
        )
    return SignatureReport(
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        coverage=status.coverage.name if status.coverage is not None else SignatureCoverageLevel.UNCLEAR.name,
        modification_level=status.modification_level.name if status.modification_level is not None else None,
        signer_subject=_rfc4514(status.signing_cert),
        signing_time=status.signer_reported_dt,
        digest_algorithm=status.md_algorithm,
        **common,
    )


def _subject(sig: EmbeddedPdfSignature) -> str:
    try:
        return _rfc4514(sig.signer_cert)
    except PDF_PARSE_ERRORS:
        return ""


def _rfc4514(cert: asn1_x509.Certificate) -> str:
    # Same spelling as Signer.subject, so the view can compare the two.
    return x509.load_der_x509_certificate(cert.dump()).subject.rfc4514_string()


def _text(value: object) -> str | None:
    return None if value is None else str(value).lstrip("/")
