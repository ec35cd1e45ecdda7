"""Real invoices for the pre-flight tests: generated UBL / CII / Factur-X, variants, parsed.

Every helper starts from the sandbox generators (complete EN 16931 invoices)
and changes one thing, so each test shows one rule firing on a document the
hub really parses.
"""

from __future__ import annotations

import base64

from chorusflow.core.formats import read_document
from chorusflow.core.invoice import Invoice
from chorusflow.core.provider import luhn_ok
from chorusflow.sandbox.seed import make_siret
from tests.sandbox.invoices import cii, ubl

#: The provider's (and the seed's supplier's) SIRET.
SUPPLIER = make_siret(50)
#: Another valid SIRET: a supplier the provider is not.
OTHER_SUPPLIER = make_siret(51)
#: The IBAN the generators put in BT-84 (valid).
GOOD_IBAN = "FR7630006000011234567890189"
#: Factur-X guideline ids (BT-24) per profile, as the factur-x library writes them.
GUIDELINES = {
    "minimum": "urn:factur-x.eu:1p0:minimum",
    "basicwl": "urn:factur-x.eu:1p0:basicwl",
    "basic": "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic",
    "en16931": "urn:cen.eu:en16931:2017",
    "extended": "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended",
}
_SUPPLIER_PARTY = b"<cac:AccountingSupplierParty>"


def recipient(combo: int) -> str:
    """The SIRET of the seeded public body whose flag bits are ``combo`` (see seed.builtin_seed)."""
    return make_siret(combo + 1)


def parse(data: bytes, filename: str = "invoice.xml") -> Invoice:
    _, invoice = read_document(data, filename)
    assert invoice is not None
    return invoice


def invoice(
    number: str = "F2024-001",
    seller: str = SUPPLIER,
    buyer: str | None = None,
    service: str | None = None,
    ej: str | None = None,
    type_code: str = "380",
) -> Invoice:
    """A parsed UBL invoice (buyer defaults to the seeded body without requirements)."""
    return parse(ubl(number, seller, buyer or recipient(0), service, ej, type_code=type_code))


def _before_supplier(xml: bytes, fragment: str) -> bytes:
    assert _SUPPLIER_PARTY in xml
    return xml.replace(_SUPPLIER_PARTY, fragment.encode("utf-8") + _SUPPLIER_PARTY, 1)


def with_billing_reference(xml: bytes, number: str) -> bytes:
    """BG-3: the invoice this document corrects."""
    return _before_supplier(
        xml,
        "<cac:BillingReference><cac:InvoiceDocumentReference>"
        f"<cbc:ID>{number}</cbc:ID><cbc:IssueDate>2024-02-01</cbc:IssueDate>"
        "</cac:InvoiceDocumentReference></cac:BillingReference>",
    )


def with_attachments(xml: bytes, files: list[tuple[str, bytes]]) -> bytes:
    """BG-24 documents embedded in a UBL invoice (BT-125 with its filename)."""
    refs = "".join(
        f"<cac:AdditionalDocumentReference><cbc:ID>PJ-{i}</cbc:ID>"
        f'<cac:Attachment><cbc:EmbeddedDocumentBinaryObject mimeCode="application/pdf" filename="{name}">'
        f"{base64.b64encode(content).decode('ascii')}</cbc:EmbeddedDocumentBinaryObject></cac:Attachment>"
        "</cac:AdditionalDocumentReference>"
        for i, (name, content) in enumerate(files, start=1)
    )
    return _before_supplier(xml, refs)


def with_iban(xml: bytes, iban: str) -> bytes:
    assert GOOD_IBAN.encode() in xml
    return xml.replace(GOOD_IBAN.encode(), iban.encode())


def cii_with_profile(level: str, number: str = "FX-001", buyer: str | None = None) -> bytes:
    """The CII generator's invoice declaring another Factur-X profile in BT-24."""
    xml = cii(number, SUPPLIER, buyer or recipient(0))
    return xml.replace(
        b"<ram:ID>urn:cen.eu:en16931:2017</ram:ID>", f"<ram:ID>{GUIDELINES[level]}</ram:ID>".encode(), 1
    )


def facturx_with_profile(level: str, number: str = "FX-001") -> bytes:
    """A Factur-X PDF whose embedded CII and XMP declare ``level``."""
    from facturx import generate_from_binary

    from chorusflow.sandbox.pdf_text import text_pdf

    pdf = text_pdf(f"Facture {number}", ["Ramettes de papier : 100.00 EUR HT"])
    return generate_from_binary(
        pdf, cii_with_profile(level, number), flavor="factur-x", level=level, check_xsd=False
    )


def la_poste_siret(valid: bool) -> str:
    """A SIRET of La Poste (SIREN 356000000) that only the digit-sum rule judges rightly.

    ``valid=True``: digit sum a multiple of 5 but *not* Luhn-valid (accepted only
    through the exception); ``valid=False``: Luhn-valid but digit sum not a
    multiple of 5 (refused although Luhn would pass it).
    """
    for suffix in range(10000, 100000):
        siret = f"356000000{suffix:05d}"
        by_sum = sum(map(int, siret)) % 5 == 0
        if by_sum is valid and luhn_ok(siret) is not valid:
            return siret
    raise AssertionError("unreachable")
