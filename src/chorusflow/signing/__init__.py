"""PAdES seal of outgoing PDFs with a provider's PKCS#12 (the optional Signature stage).

Pure like the core: bytes in, bytes out, no file or network access. Load a
provider's certificate once with :func:`load_signer`, seal each document with
:func:`seal_pdf`, and read back what a PDF carries with :func:`verify_pdf`.
"""

from chorusflow.signing.errors import DOCUMENT_CODES, ERROR_CODES, PROVIDER_CODES, SigningError
from chorusflow.signing.keys import Signer, check_validity, load_signer
from chorusflow.signing.pades import seal_pdf
from chorusflow.signing.verify import SignatureReport, verify_pdf

__all__ = [
    "DOCUMENT_CODES",
    "ERROR_CODES",
    "PROVIDER_CODES",
    "SignatureReport",
    "Signer",
    "SigningError",
    "check_validity",
    "load_signer",
    "seal_pdf",
    "verify_pdf",
]
