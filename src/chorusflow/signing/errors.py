"""The one exception the signature stage raises, with what a person should do.

A seal fails for reasons an administrator must fix (a wrong PKCS#12 password, a
certificate past its end date) or for reasons tied to one document (an encrypted
or damaged PDF). The stage stores the code, shows the message and the resolution,
and only the code decides whether the provider or the document is at fault.
"""

from __future__ import annotations

from pyhanko.pdf_utils.misc import PdfError

__all__ = [
    "DOCUMENT_CODES",
    "ERROR_CODES",
    "PDF_PARSE_ERRORS",
    "PROVIDER_CODES",
    "SigningError",
    "damaged_pdf",
]

#: What pyHanko's reader raises on malformed files: its own PdfError, and the
#: plain errors that slip out of lazily parsed objects.
PDF_PARSE_ERRORS = (PdfError, ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError)

#: Codes that mean the provider's signing configuration must be fixed; every
#: document of that provider will fail the same way until then.
PROVIDER_CODES = frozenset(
    {
        "PKCS12_INVALID",
        "PKCS12_WRONG_PASSWORD",
        "PKCS12_NO_PRIVATE_KEY",
        "PKCS12_NO_CERTIFICATE",
        "CERTIFICATE_EXPIRED",
        "CERTIFICATE_NOT_YET_VALID",
        "CERTIFICATE_NOT_FOR_SIGNING",
        "KEY_NOT_SUPPORTED",
    }
)

#: Codes that mean this one PDF cannot be sealed; other documents may still be.
DOCUMENT_CODES = frozenset(
    {
        "PDF_ENCRYPTED",
        "PDF_DAMAGED",
        "PDF_LOCKED",
        "SIGNING_FAILED",
    }
)

ERROR_CODES = PROVIDER_CODES | DOCUMENT_CODES


class SigningError(Exception):
    """A PDF that cannot be sealed, or a seal that cannot be made, and what to do."""

    code: str
    message: str
    resolution: str

    def __init__(self, code: str, message: str, resolution: str) -> None:
        if code not in ERROR_CODES:
            raise ValueError(f"unknown SigningError code {code!r}")
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.resolution = resolution

    @property
    def provider_at_fault(self) -> bool:
        """True when the provider's certificate settings, not the document, must change."""
        return self.code in PROVIDER_CODES

    def __reduce__(self) -> tuple[type[SigningError], tuple[str, str, str]]:
        # Task queues pickle exceptions; the default reduce would pass only args[0].
        return (type(self), (self.code, self.message, self.resolution))


def damaged_pdf(exc: BaseException) -> SigningError:
    """The error for a file the PDF parser gave up on, naming what it tripped over."""
    return SigningError(
        "PDF_DAMAGED",
        f"The PDF structure is damaged and cannot be updated safely ({type(exc).__name__}: {exc}).",
        "Ask the issuer for a new copy of the invoice, or send it unsigned by turning the "
        "signature off for this document.",
    )
