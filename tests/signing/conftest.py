"""Keys are slow to make (RSA-3072: up to a second), so each kind is made once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from chorusflow.signing import Signer, load_signer
from tests.signing.pki import PASSWORD, Seal, ec_key, make_seal, rsa_key

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
FACTURX_PDF = CORPUS / "mustang" / "Facture_F20180027.pdf"


@pytest.fixture(scope="session")
def facturx_pdf() -> bytes:
    if not FACTURX_PDF.is_file():
        pytest.fail(f"The sample corpus is missing at {CORPUS}: the tests need ../shared/corpus.")
    return FACTURX_PDF.read_bytes()


@pytest.fixture(scope="session")
def rsa_seal() -> Seal:
    return make_seal(rsa_key(3072))


@pytest.fixture(scope="session")
def ec_seal() -> Seal:
    return make_seal(ec_key())


@pytest.fixture(scope="session", params=["rsa", "ec"])
def any_seal(request: pytest.FixtureRequest, rsa_seal: Seal, ec_seal: Seal) -> Seal:
    return rsa_seal if request.param == "rsa" else ec_seal


@pytest.fixture(scope="session")
def ec_signer(ec_seal: Seal) -> Signer:
    return load_signer(ec_seal.p12, PASSWORD)
