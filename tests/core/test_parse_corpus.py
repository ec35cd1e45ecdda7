"""Every full corpus document parses, and its key terms match an independent XPath read.

The parser uses ElementPath lookups in cii.py / ubl.py; this test reads the same terms
with plain XPath 1.0 written separately here, so a wrong path in either place shows.
A few files also have literal values checked by hand against the XML text.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import facturx
import pytest
from lxml import etree

from chorusflow.core.formats import FileFormat, FormatError, detect, parse_xml, read_document
from chorusflow.core.invoice import DocumentKind, Invoice

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
_HEAD_CII = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction"
_AGREEMENT = f"{_HEAD_CII}/ram:ApplicableHeaderTradeAgreement"
_SETTLEMENT = f"{_HEAD_CII}/ram:ApplicableHeaderTradeSettlement"
_SUM = f"{_SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
CII_XPATH = {
    "number": "string(/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:ID)",
    "issue_date": "string(/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:IssueDateTime"
    "/udt:DateTimeString)",
    "currency": f"string({_SETTLEMENT}/ram:InvoiceCurrencyCode)",
    "seller_name": f"string({_AGREEMENT}/ram:SellerTradeParty/ram:Name)",
    "buyer_name": f"string({_AGREEMENT}/ram:BuyerTradeParty/ram:Name)",
    "buyer_reference": f"string({_AGREEMENT}/ram:BuyerReference)",
    "order_reference": f"string({_AGREEMENT}/ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID)",
    "without_vat": f"string({_SUM}/ram:TaxBasisTotalAmount)",
    "vat": f"string({_SUM}/ram:TaxTotalAmount[not(@currencyID) or "
    f"@currencyID = {_SETTLEMENT}/ram:InvoiceCurrencyCode])",
    "with_vat": f"string({_SUM}/ram:GrandTotalAmount)",
    "due": f"string({_SUM}/ram:DuePayableAmount)",
    "line_count": f"count({_HEAD_CII}/ram:IncludedSupplyChainTradeLineItem)",
    "vat_count": f"count({_SETTLEMENT}/ram:ApplicableTradeTax)",
}
UBL_XPATH = {
    "number": "string(/*/cbc:ID)",
    "issue_date": "string(/*/cbc:IssueDate)",
    "currency": "string(/*/cbc:DocumentCurrencyCode)",
    "seller_name": "string(/*/cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity"
    "/cbc:RegistrationName)",
    "buyer_name": "string(/*/cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity"
    "/cbc:RegistrationName)",
    "buyer_reference": "string(/*/cbc:BuyerReference)",
    "order_reference": "string(/*/cac:OrderReference/cbc:ID)",
    "without_vat": "string(/*/cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount)",
    "vat": "string(/*/cac:TaxTotal/cbc:TaxAmount[@currencyID = /*/cbc:DocumentCurrencyCode])",
    "with_vat": "string(/*/cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount)",
    "due": "string(/*/cac:LegalMonetaryTotal/cbc:PayableAmount)",
    "line_count": "count(/*/cac:InvoiceLine | /*/cac:CreditNoteLine)",
    "vat_count": "count(/*/cac:TaxTotal/cac:TaxSubtotal)",
}
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)\Z")


def _model_terms(invoice: Invoice) -> dict[str, object]:
    return {
        "number": invoice.number,
        "issue_date": invoice.issue_date,
        "currency": invoice.currency,
        "seller_name": invoice.seller.name,
        "buyer_name": invoice.buyer.name,
        "buyer_reference": invoice.buyer_reference,
        "order_reference": invoice.order_reference,
        "without_vat": invoice.totals.without_vat,
        "vat": invoice.totals.vat,
        "with_vat": invoice.totals.with_vat,
        "due": invoice.totals.due,
        "line_count": len(invoice.lines),
        "vat_count": len(invoice.vat_breakdown),
    }


def _expected(term: str, raw: object, syntax: str) -> object:
    """The model value the raw XPath result should become."""
    if term.endswith("_count"):
        return int(raw)
    text = str(raw).strip()
    if not text:
        return None
    if term == "issue_date":
        digits = text.replace("-", "") if syntax == "ubl" else text
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    if term in ("without_vat", "vat", "with_vat", "due"):
        return Decimal(text) if _DECIMAL.match(text) else None
    return text


def _independent_check(xml: bytes, invoice: Invoice) -> None:
    tree = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    table = CII_XPATH if invoice.syntax == "cii" else UBL_XPATH
    model = _model_terms(invoice)
    for term, xpath in table.items():
        expected = _expected(term, tree.xpath(xpath, namespaces=NS), invoice.syntax)
        actual = model[term]
        assert actual == expected, f"{term}: parsed {actual!r}, XPath says {expected!r}"
        if isinstance(expected, Decimal):
            assert str(actual) == str(expected), f"{term} not kept as written: {actual} vs {expected}"


def test_full_document_parses_and_matches_xpath(parsable_row: dict[str, str], corpus_dir: Path) -> None:
    data = (corpus_dir / parsable_row["file"]).read_bytes()
    detected, invoice = read_document(data, parsable_row["file"])
    assert detected.format.value == parsable_row["expected_format"]
    assert invoice is not None and detected.xml is not None
    if detected.format is FileFormat.FACTURX:
        assert detected.media_type == "application/pdf"
        assert detected.profile in {"MINIMUM", "BASIC WL", "BASIC", "EN 16931", "EXTENDED", "XRECHNUNG"}
    else:
        assert detected.xml == data and detected.media_type == "application/xml"
        assert detected.profile == detected.guideline_id
    assert invoice.profile == detected.guideline_id
    assert invoice.number, "every full document carries BT-1"
    _independent_check(detected.xml, invoice)


def test_facturx_xml_is_what_the_facturx_library_extracts(
    parsable_row: dict[str, str], corpus_dir: Path
) -> None:
    if parsable_row["syntax"] != "PDF+CII-D16B":
        return  # only single-XML Factur-X PDFs have one right answer to compare with
    data = (corpus_dir / parsable_row["file"]).read_bytes()
    _, reference_xml = facturx.get_xml_from_pdf(data, check_xsd=False)
    assert detect(data).xml == reference_xml


def test_fragments_are_detected_and_parsed_leniently(fragment_row: dict[str, str], corpus_dir: Path) -> None:
    """Unit-test fragments are partial documents: parsing must not fail on what is absent."""
    data = (corpus_dir / fragment_row["file"]).read_bytes()
    detected, invoice = read_document(data)
    expected = {"CII-D16B": "cii", "UBL-Invoice": "ubl_invoice", "UBL-CreditNote": "ubl_credit_note"}
    assert detected.format.value == expected[fragment_row["syntax"]]
    assert invoice is not None
    _independent_check(data, invoice)


def test_refused_documents_give_their_code(refused_row: dict[str, str], corpus_dir: Path) -> None:
    expected = {
        "FatturaPA": "UNSUPPORTED_FORMAT",
        "other:myinvoice": "UNSUPPORTED_FORMAT",
        "PDF+ZUGFeRD1-CII": "ZUGFERD1_NOT_SUPPORTED",
        # Labelled "no embedded XML" by the corpus tool, but it embeds a factur-x.xml whose
        # declaration names the encoding "UTF-8-W/O-BOM": a broken Factur-X, not a plain PDF.
        "PDF (no embedded XML found)": "XML_INVALID_ENCODING",
    }[refused_row["syntax"]]
    data = (corpus_dir / refused_row["file"]).read_bytes()
    with pytest.raises(FormatError) as caught:
        read_document(data, refused_row["file"])
    assert caught.value.code == expected
    assert caught.value.message and caught.value.resolution


def test_hand_checked_cen_cii_example5(corpus_dir: Path) -> None:
    invoice = parse_xml((corpus_dir / "cen/cii-examples/CII_example5.xml").read_bytes())
    assert (invoice.number, invoice.issue_date, invoice.type_code) == ("TOSL110", date(2013, 4, 10), "380")
    assert (invoice.currency, invoice.vat_currency) == ("DKK", "EUR")
    assert invoice.buyer_reference == "qwerty"
    assert invoice.order_reference == "PO4711"
    assert invoice.contract_reference == "2013-05"
    assert invoice.sales_order_reference == "123"
    assert invoice.project_reference == "Project345"
    assert invoice.accounting_reference == "67543"
    assert invoice.due_date == date(2013, 5, 10)
    assert invoice.delivery_date == date(2013, 4, 15)
    assert invoice.payment_terms == "50% prepaid, 50% within one month"
    assert invoice.seller.name == "SellerCompany"
    assert invoice.seller.identifiers[0].value == "5790000436101"
    assert invoice.seller.identifiers[0].scheme == "0088"
    assert (invoice.seller.vat_id, invoice.seller.tax_registration_id) == ("NL16356706", "NL16356706")
    assert invoice.seller.electronic_address is not None
    assert invoice.seller.electronic_address.value == "info@selco.nl"
    assert invoice.seller.electronic_address.scheme == "EM"
    assert invoice.buyer.name == "Buyercompany ltd" and invoice.buyer.vat_id == "DK16356607"
    assert invoice.payee is not None and invoice.payee.name == "Dagobert Duck"
    assert invoice.tax_representative is not None and invoice.tax_representative.name == "Dick Panama"
    assert [m.account_id for m in invoice.payment_means] == ["DK1212341234123412", "A"]
    assert invoice.payment_means[0].type_code == "58"
    assert invoice.payment_means[0].text == "Half prepaid"
    assert invoice.payment_means[0].mandate_id == "123456"
    assert invoice.iban == "DK1212341234123412"
    totals = invoice.totals
    assert totals.line_total == Decimal("4000.00") and str(totals.line_total) == "4000.00"
    assert (totals.charge_total, totals.allowance_total) == (Decimal("150"), Decimal("150"))
    assert (totals.without_vat, totals.vat, totals.vat_accounting_currency) == (
        Decimal("4000"),
        Decimal("675.00"),
        Decimal("628.62"),
    )
    assert (totals.with_vat, totals.prepaid, totals.due) == (
        Decimal("4675"),
        Decimal("2337.5"),
        Decimal("2337.5"),
    )
    assert [(v.rate, v.taxable_amount, v.tax_amount) for v in invoice.vat_breakdown] == [
        (Decimal("25"), Decimal("1500"), Decimal("375")),
        (Decimal("12"), Decimal("2500"), Decimal("300")),
    ]
    assert [(ac.is_charge, ac.amount, ac.reason_code) for ac in invoice.allowances_charges] == [
        (False, Decimal("150"), "95"),
        (True, Decimal("150"), "ABL"),
    ]
    assert [p.number for p in invoice.preceding_invoices] == ["TOSL109"]
    assert invoice.preceding_invoices[0].issue_date == date(2013, 3, 10)
    first = invoice.lines[0]
    assert (first.id, first.quantity, first.unit_code, first.name) == (
        "1",
        Decimal("1000"),
        "C62",
        "Printing paper",
    )
    assert first.standard_item_id is not None and first.standard_item_id.scheme == "0088"
    assert (first.vat_category, first.vat_rate) == ("S", Decimal("25"))
    assert [line.name for line in invoice.lines] == ["Printing paper", "Parker Pen", "American Cookies"]
    [attachment] = invoice.attachments
    assert (attachment.id, attachment.description) == ("sales slip", "your sales slip")
    assert (attachment.filename, attachment.mime_type) == ("EHF.pdf", "application/pdf")
    assert attachment.content is not None and attachment.content.startswith(b"JVBERi0xLjUN")


def test_hand_checked_cen_ubl_example5(corpus_dir: Path) -> None:
    invoice = parse_xml((corpus_dir / "cen/ubl-examples/ubl-tc434-example5.xml").read_bytes())
    assert (invoice.syntax, invoice.number, invoice.issue_date) == ("ubl", "TOSL110", date(2013, 4, 10))
    assert (invoice.due_date, invoice.type_code, invoice.kind) == (
        date(2013, 5, 10),
        "380",
        DocumentKind.INVOICE,
    )
    assert (invoice.currency, invoice.vat_currency) == ("DKK", "EUR")
    assert (invoice.buyer_reference, invoice.order_reference) == ("qwerty", "PO4711")
    assert (invoice.contract_reference, invoice.project_reference) == ("2013-05", "Project345")
    assert invoice.seller.name == "SellerCompany" and invoice.seller.trading_name == "SelCo"
    assert invoice.seller.vat_id == "NL16356706" and invoice.seller.tax_registration_id == "NL16356706"
    assert invoice.seller.identifiers[0].value == "5790000436101"
    assert invoice.seller.identifiers[0].scheme == "0088"
    assert invoice.seller.contact_name == "Anthon Larsen"
    assert invoice.buyer.name == "Buyercompany ltd" and invoice.buyer.trading_name == "Buyco"
    assert invoice.payee is not None and invoice.payee.name == "Dagobert Duck"
    assert invoice.tax_representative is not None and invoice.tax_representative.name == "Dick Panama"
    assert invoice.payment_means[0].type_code == "49"
    assert invoice.payment_means[0].mandate_id == "123456"
    assert invoice.payment_means[0].debited_account == "DK1212341234123412"
    totals = invoice.totals
    assert (totals.vat, totals.vat_accounting_currency) == (Decimal("675.00"), Decimal("628.62"))
    assert (totals.without_vat, totals.with_vat) == (Decimal("4000.00"), Decimal("4675.00"))
    assert (totals.prepaid, totals.due) == (Decimal("2337.50"), Decimal("2337.50"))
    assert [(v.taxable_amount, v.tax_amount) for v in invoice.vat_breakdown] == [
        (Decimal("1500.00"), Decimal("375.00")),
        (Decimal("2500.00"), Decimal("300.00")),
    ]
    assert [p.number for p in invoice.preceding_invoices] == ["TOSL109"]
    assert invoice.lines[0].name == "Printing paper"
    assert invoice.lines[0].net_amount == Decimal("1000.00")
    # Without DocumentTypeCode 130, OBJ999 is a BG-24 reference (BT-122/123) with no content.
    referenced, attachment = invoice.attachments
    assert (referenced.id, referenced.description, referenced.content) == ("OBJ999", "ATS", None)
    assert (attachment.id, attachment.filename, attachment.mime_type) == (
        "sales slip",
        "EHF.pdf",
        "application/pdf",
    )
    assert attachment.content == b"Testing Base64 encoding"


def test_hand_checked_ubl_credit_note(corpus_dir: Path) -> None:
    data = (corpus_dir / "cen/ubl-examples/ubl-tc434-creditnote1.xml").read_bytes()
    detected, invoice = read_document(data)
    assert detected.format is FileFormat.UBL_CREDIT_NOTE
    assert invoice is not None and invoice.kind is DocumentKind.CREDIT_NOTE
    assert invoice.type_code == "381"
    assert invoice.lines and all(line.quantity is not None for line in invoice.lines)


def test_hand_checked_french_facturx(corpus_dir: Path) -> None:
    pdf = corpus_dir / "zugferd-corpus/v2-correct/FNFE-factur-x-examples__Facture_FR_BASICWL.pdf"
    detected, invoice = read_document(pdf.read_bytes(), pdf.name)
    assert (detected.format, detected.profile) == (FileFormat.FACTURX, "BASIC WL")
    assert detected.guideline_id == "urn:factur-x.eu:1p0:basicwl"
    assert invoice is not None
    assert (invoice.number, invoice.issue_date, invoice.due_date) == (
        "FA-2017-0010",
        date(2017, 11, 13),
        date(2017, 12, 13),
    )
    assert (invoice.order_reference, invoice.contract_reference) == ("PO445", "MSPE2017")
    assert invoice.seller.name == "Au bon moulin" and invoice.seller.vat_id == "FR11999999998"
    assert invoice.seller.legal_id is not None
    assert (invoice.seller.legal_id.value, invoice.seller.legal_id.scheme) == ("99999999800010", "0002")
    assert invoice.seller.address is not None and invoice.seller.address.city == "Malaucène"
    assert invoice.buyer.name == "Ma jolie boutique"
    assert invoice.iban == "FR2012421242124212421242124"
    assert invoice.payment_means[0].remittance_info == "FA-2017-0010"
    assert (invoice.totals.with_vat, invoice.totals.prepaid, invoice.totals.due) == (
        Decimal("671.15"),
        Decimal("201.00"),
        Decimal("470.15"),
    )
    assert invoice.lines == []  # BASIC WL has no lines


def test_vat_accounting_currency_total_in_a_fragment(corpus_dir: Path) -> None:
    invoice = parse_xml((corpus_dir / "cen/unit-cii/BR-CO-15-2__t01__success.xml").read_bytes())
    assert (invoice.totals.vat, invoice.totals.vat_accounting_currency) == (
        Decimal("675.00"),
        Decimal("628.62"),
    )
