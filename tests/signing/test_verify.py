"""Reading back signatures: unsigned files, tampering after the seal, unreadable files."""

from __future__ import annotations

import pytest

from chorusflow.signing import Signer, SigningError, seal_pdf, verify_pdf
from tests.signing.pki import Seal, ec_key, make_seal


def test_unsigned_pdf_has_no_signatures(facturx_pdf: bytes) -> None:
    assert verify_pdf(facturx_pdf) == []


def test_bytes_changed_inside_the_signed_range_break_integrity(facturx_pdf: bytes, ec_signer: Signer) -> None:
    sealed = bytearray(seal_pdf(facturx_pdf, ec_signer))
    # Change one character of the document's original text: same length, so offsets hold.
    position = sealed.index(b"/Producer")
    sealed[position + 1 : position + 9] = b"Xroducer"
    [report] = verify_pdf(bytes(sealed))
    assert not report.intact
    assert not report.sound


def test_bytes_appended_after_the_seal_lower_its_coverage(facturx_pdf: bytes, ec_signer: Signer) -> None:
    sealed = seal_pdf(facturx_pdf, ec_signer)
    appended = sealed + b"\n% appended later\n"
    [report] = verify_pdf(appended)
    assert report.intact and report.valid
    assert not report.covers_entire_file


def test_trust_is_only_what_the_caller_passes(facturx_pdf: bytes, ec_signer: Signer) -> None:
    other_root = make_seal(ec_key(), common_name="Another Authority")
    sealed = seal_pdf(facturx_pdf, ec_signer)
    [report] = verify_pdf(sealed, trust_roots=[other_root.cert_der])
    assert report.valid and not report.trusted


def test_root_with_the_signers_name_but_another_key_type_is_a_problem_not_a_crash(
    facturx_pdf: bytes, ec_signer: Signer, rsa_seal: Seal
) -> None:
    # Both test certificates carry the same name, so the RSA one poses as the EC seal's issuer.
    sealed = seal_pdf(facturx_pdf, ec_signer)
    [report] = verify_pdf(sealed, trust_roots=[rsa_seal.cert_der])
    assert report.problem is not None
    assert not report.trusted and not report.sound
    assert report.signer_subject == ec_signer.subject


def test_unreadable_file_is_a_damaged_pdf() -> None:
    with pytest.raises(SigningError) as caught:
        verify_pdf(b"%PDF-1.7\ngarbage")
    assert caught.value.code == "PDF_DAMAGED"
