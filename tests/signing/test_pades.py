"""Sealing real Factur-X PDFs: the seal validates and the invoice inside is untouched."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import facturx
import pikepdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import MDPPerm

from chorusflow.signing import Signer, SigningError, load_signer, seal_pdf, verify_pdf
from tests.signing.conftest import CORPUS
from tests.signing.pki import PASSWORD, Seal

FX_DIR = CORPUS / "zugferd-corpus" / "xml-rechnung-fx"


def _facturx_xml(pdf: bytes) -> bytes:
    filename, xml = facturx.get_xml_from_pdf(pdf, check_xsd=False)
    assert filename == "factur-x.xml" or filename.endswith(".xml")
    return xml


def _code(pdf: bytes, signer: Signer) -> str:
    with pytest.raises(SigningError) as caught:
        seal_pdf(pdf, signer)
    assert caught.value.resolution
    assert not caught.value.provider_at_fault
    return caught.value.code


def test_sealed_facturx_validates_and_keeps_its_invoice(facturx_pdf: bytes, any_seal: Seal) -> None:
    signer = load_signer(any_seal.p12, PASSWORD)
    sealed = seal_pdf(facturx_pdf, signer, location="Paris", name="ACME SAS")

    # Incremental update: every original byte is still there, in place.
    assert sealed.startswith(facturx_pdf)
    [report] = verify_pdf(sealed, trust_roots=[any_seal.cert_der])
    assert (report.intact, report.valid, report.trusted) == (True, True, True)
    assert report.coverage == "ENTIRE_FILE"
    assert report.covers_entire_file and report.sound
    assert report.signer_subject == signer.subject
    assert report.subfilter == "ETSI.CAdES.detached"
    assert report.digest_algorithm == "sha256"
    assert (report.reason, report.location) == ("Facture", "Paris")

    assert _facturx_xml(sealed) == _facturx_xml(facturx_pdf)
    with pikepdf.open(io.BytesIO(sealed)) as pdf:
        [attached] = pdf.Root.AF
        assert str(attached.UF) == "factur-x.xml"
        assert str(attached.AFRelationship) == "/Data"
        xmp = pdf.open_metadata()
        assert (xmp.get("pdfaid:part"), xmp.get("pdfaid:conformance")) == ("3", "B")
        [field] = pdf.Root.AcroForm.Fields
        assert str(field.T) == "Seal1"
        assert int(field.F) & 4  # print flag, which PDF/A requires on every annotation


def test_without_trust_roots_the_seal_is_valid_but_not_trusted(facturx_pdf: bytes, ec_signer: Signer) -> None:
    [report] = verify_pdf(seal_pdf(facturx_pdf, ec_signer))
    assert report.intact and report.valid and report.sound
    assert not report.trusted


def test_pyhanko_estimate_path_gives_the_same_result(facturx_pdf: bytes, ec_signer: Signer) -> None:
    sealed = seal_pdf(facturx_pdf, replace(ec_signer, bytes_reserved=None))
    [report] = verify_pdf(sealed)
    assert report.sound and report.covers_entire_file


def test_second_seal_is_added_and_both_stay_valid(facturx_pdf: bytes, rsa_seal: Seal, ec_seal: Seal) -> None:
    once = seal_pdf(facturx_pdf, load_signer(rsa_seal.p12, PASSWORD))
    twice = seal_pdf(once, load_signer(ec_seal.p12, PASSWORD), reason="Facture, second sceau")
    assert twice.startswith(once)

    first, second = verify_pdf(twice, trust_roots=[rsa_seal.cert_der, ec_seal.cert_der])
    assert (first.field_name, second.field_name) == ("Seal1", "Seal2")
    # The first seal now covers its own revision; what came after is only a new signature field.
    assert first.coverage == "ENTIRE_REVISION"
    assert first.modification_level == "FORM_FILLING"
    assert first.sound and first.trusted
    assert second.coverage == "ENTIRE_FILE" and second.sound and second.trusted
    assert second.reason == "Facture, second sceau"
    assert _facturx_xml(twice) == _facturx_xml(facturx_pdf)


def test_certificate_expired_since_loading_is_refused_at_sealing(
    facturx_pdf: bytes, ec_signer: Signer
) -> None:
    later = ec_signer.not_valid_after + timedelta(minutes=1)
    with pytest.raises(SigningError) as caught:
        seal_pdf(facturx_pdf, ec_signer, at=later)
    assert caught.value.code == "CERTIFICATE_EXPIRED"
    assert caught.value.provider_at_fault


def test_encrypted_pdf_is_refused(facturx_pdf: bytes, ec_signer: Signer) -> None:
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(facturx_pdf)) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(owner="owner", user="", R=6))
    assert _code(out.getvalue(), ec_signer) == "PDF_ENCRYPTED"


@pytest.mark.parametrize(
    "damage",
    [
        lambda pdf: b"",
        lambda pdf: b"<html>not a pdf</html>",
        lambda pdf: pdf[: int(len(pdf) * 0.7)],
        lambda pdf: pdf[:1024],
        lambda pdf: pdf.replace(b"startxref", b"startxxxx"),
    ],
    ids=["empty", "html", "truncated-70%", "header-only", "no-startxref"],
)
def test_damaged_pdf_is_refused(facturx_pdf: bytes, ec_signer: Signer, damage: object) -> None:
    assert _code(damage(facturx_pdf), ec_signer) == "PDF_DAMAGED"  # type: ignore[operator]


def test_corpus_pdf_with_broken_xref_is_refused(ec_signer: Signer) -> None:
    broken = (CORPUS / "mustang" / "invalidXMP-ParseError.pdf").read_bytes()
    assert _code(broken, ec_signer) == "PDF_DAMAGED"


def test_pdf_certified_with_no_changes_is_refused(facturx_pdf: bytes, ec_signer: Signer) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(facturx_pdf))
    metadata = signers.PdfSignatureMetadata(
        field_name="Author", certify=True, docmdp_permissions=MDPPerm.NO_CHANGES
    )
    certified = signers.sign_pdf(writer, metadata, signer=ec_signer.engine).getvalue()
    assert _code(certified, ec_signer) == "PDF_LOCKED"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_bytes_give_a_seal_or_a_signing_error(
    facturx_pdf: bytes, ec_signer: Signer, data: st.DataObject
) -> None:
    pdf = bytearray(facturx_pdf)
    for _ in range(data.draw(st.integers(1, 8))):
        pdf[data.draw(st.integers(0, len(pdf) - 1))] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(len(pdf) // 2, len(pdf)))
    try:
        sealed = seal_pdf(bytes(pdf[:cut]), ec_signer)
    except SigningError as error:
        assert error.code in {"PDF_DAMAGED", "PDF_ENCRYPTED", "SIGNING_FAILED"}
    else:
        assert sealed.startswith(bytes(pdf[:cut]))


def _fx_pdfs() -> list[Path]:
    return sorted(FX_DIR.glob("*.pdf"))


def test_every_xrechnung_facturx_sample_seals_and_validates(ec_signer: Signer) -> None:
    pdfs = _fx_pdfs()
    assert len(pdfs) >= 20, f"expected the xml-rechnung-fx samples in {FX_DIR}"
    for path in pdfs:
        original = path.read_bytes()
        sealed = seal_pdf(original, ec_signer)
        [report] = verify_pdf(sealed)
        assert report.sound and report.covers_entire_file, path.name
        assert _facturx_xml(sealed) == _facturx_xml(original), path.name
