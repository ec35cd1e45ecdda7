# ruff: noqa: E501  (the XML templates are data)
"""Invoices addressed to seeded structures: generated UBL / CII / Factur-X, and a rewritten CEN example.

Each is a complete EN 16931 invoice (one line, 20 % VAT) so the sandbox's
real validation passes; the SIRETs, number, service code (BT-10) and
commitment number (BT-13) are parameters so each rejection reason can be
produced on purpose.
"""

from __future__ import annotations

import io
from pathlib import Path

from lxml import etree

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"  # shared/ beside the repo

UBL = """<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>
  <cbc:ID>{number}</cbc:ID>
  <cbc:IssueDate>2024-03-01</cbc:IssueDate>
  <cbc:DueDate>2024-03-31</cbc:DueDate>
  <cbc:InvoiceTypeCode>{type_code}</cbc:InvoiceTypeCode>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  {buyer_reference}
  {order_reference}
  <cac:AccountingSupplierParty><cac:Party>
    <cac:PartyIdentification><cbc:ID schemeID="0009">{seller}</cbc:ID></cac:PartyIdentification>
    <cac:PostalAddress><cbc:StreetName>1 rue du Port</cbc:StreetName><cbc:CityName>Lyon</cbc:CityName>
      <cbc:PostalZone>69001</cbc:PostalZone><cac:Country><cbc:IdentificationCode>FR</cbc:IdentificationCode></cac:Country>
    </cac:PostalAddress>
    <cac:PartyTaxScheme><cbc:CompanyID>FR32123456789</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
    <cac:PartyLegalEntity><cbc:RegistrationName>ACME FOURNITURES SAS</cbc:RegistrationName>
      <cbc:CompanyID schemeID="0009">{seller}</cbc:CompanyID></cac:PartyLegalEntity>
  </cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party>
    <cac:PartyIdentification><cbc:ID schemeID="0009">{buyer}</cbc:ID></cac:PartyIdentification>
    <cac:PostalAddress><cbc:CityName>Saint-Amand</cbc:CityName><cbc:PostalZone>59230</cbc:PostalZone>
      <cac:Country><cbc:IdentificationCode>FR</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
    <cac:PartyLegalEntity><cbc:RegistrationName>COMMUNE</cbc:RegistrationName></cac:PartyLegalEntity>
  </cac:Party></cac:AccountingCustomerParty>
  <cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode>
    <cac:PayeeFinancialAccount><cbc:ID>FR7630006000011234567890189</cbc:ID></cac:PayeeFinancialAccount>
  </cac:PaymentMeans>
  <cac:TaxTotal><cbc:TaxAmount currencyID="EUR">20.00</cbc:TaxAmount>
    <cac:TaxSubtotal><cbc:TaxableAmount currencyID="EUR">100.00</cbc:TaxableAmount>
      <cbc:TaxAmount currencyID="EUR">20.00</cbc:TaxAmount>
      <cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>20</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory>
    </cac:TaxSubtotal></cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="EUR">100.00</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="EUR">120.00</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="EUR">{payable}</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
  <cac:InvoiceLine><cbc:ID>1</cbc:ID><cbc:InvoicedQuantity unitCode="C62">2</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
    <cac:Item><cbc:Name>Ramettes de papier</cbc:Name>
      <cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>20</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory>
    </cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="EUR">50.00</cbc:PriceAmount></cac:Price>
  </cac:InvoiceLine>
</Invoice>
"""

CII = """<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
 xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
 xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
  <rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter>
    <ram:ID>urn:cen.eu:en16931:2017</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument><ram:ID>{number}</ram:ID><ram:TypeCode>{type_code}</ram:TypeCode>
    <ram:IssueDateTime><udt:DateTimeString format="102">20240301</udt:DateTimeString></ram:IssueDateTime>
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:AssociatedDocumentLineDocument><ram:LineID>1</ram:LineID></ram:AssociatedDocumentLineDocument>
      <ram:SpecifiedTradeProduct><ram:Name>Ramettes de papier</ram:Name></ram:SpecifiedTradeProduct>
      <ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice><ram:ChargeAmount>50.00</ram:ChargeAmount></ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>
      <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="C62">2</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>
      <ram:SpecifiedLineTradeSettlement>
        <ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>S</ram:CategoryCode><ram:RateApplicablePercent>20</ram:RateApplicablePercent></ram:ApplicableTradeTax>
        <ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>100.00</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation>
      </ram:SpecifiedLineTradeSettlement>
    </ram:IncludedSupplyChainTradeLineItem>
    <ram:ApplicableHeaderTradeAgreement>
      {buyer_reference}
      <ram:SellerTradeParty><ram:GlobalID schemeID="0009">{seller}</ram:GlobalID><ram:Name>ACME FOURNITURES SAS</ram:Name>
        <ram:SpecifiedLegalOrganization><ram:ID schemeID="0009">{seller}</ram:ID></ram:SpecifiedLegalOrganization>
        <ram:PostalTradeAddress><ram:PostcodeCode>69001</ram:PostcodeCode><ram:CityName>Lyon</ram:CityName><ram:CountryID>FR</ram:CountryID></ram:PostalTradeAddress>
        <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">FR32123456789</ram:ID></ram:SpecifiedTaxRegistration>
      </ram:SellerTradeParty>
      <ram:BuyerTradeParty><ram:GlobalID schemeID="0009">{buyer}</ram:GlobalID><ram:Name>COMMUNE</ram:Name>
        <ram:PostalTradeAddress><ram:PostcodeCode>59230</ram:PostcodeCode><ram:CityName>Saint-Amand</ram:CityName><ram:CountryID>FR</ram:CountryID></ram:PostalTradeAddress>
      </ram:BuyerTradeParty>
      {order_reference}
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeDelivery/>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
      <ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>30</ram:TypeCode>
        <ram:PayeePartyCreditorFinancialAccount><ram:IBANID>FR7630006000011234567890189</ram:IBANID></ram:PayeePartyCreditorFinancialAccount>
      </ram:SpecifiedTradeSettlementPaymentMeans>
      <ram:ApplicableTradeTax><ram:CalculatedAmount>20.00</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode>
        <ram:BasisAmount>100.00</ram:BasisAmount><ram:CategoryCode>S</ram:CategoryCode><ram:RateApplicablePercent>20</ram:RateApplicablePercent></ram:ApplicableTradeTax>
      <ram:SpecifiedTradePaymentTerms><ram:DueDateDateTime><udt:DateTimeString format="102">20240331</udt:DateTimeString></ram:DueDateDateTime></ram:SpecifiedTradePaymentTerms>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:LineTotalAmount>100.00</ram:LineTotalAmount><ram:TaxBasisTotalAmount>100.00</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="EUR">20.00</ram:TaxTotalAmount><ram:GrandTotalAmount>120.00</ram:GrandTotalAmount>
        <ram:DuePayableAmount>{payable}</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
"""


def ubl(
    number: str,
    seller: str,
    buyer: str,
    service: str | None = None,
    ej: str | None = None,
    payable: str = "120.00",
    type_code: str = "380",
) -> bytes:
    return UBL.format(
        number=number,
        seller=seller,
        buyer=buyer,
        payable=payable,
        type_code=type_code,
        buyer_reference=f"<cbc:BuyerReference>{service}</cbc:BuyerReference>" if service else "",
        order_reference=f"<cac:OrderReference><cbc:ID>{ej}</cbc:ID></cac:OrderReference>" if ej else "",
    ).encode("utf-8")


def cii(
    number: str,
    seller: str,
    buyer: str,
    service: str | None = None,
    ej: str | None = None,
    payable: str = "120.00",
    type_code: str = "380",
) -> bytes:
    return CII.format(
        number=number,
        seller=seller,
        buyer=buyer,
        payable=payable,
        type_code=type_code,
        buyer_reference=f"<ram:BuyerReference>{service}</ram:BuyerReference>" if service else "",
        order_reference=(
            f"<ram:BuyerOrderReferencedDocument><ram:IssuerAssignedID>{ej}</ram:IssuerAssignedID>"
            "</ram:BuyerOrderReferencedDocument>"
        )
        if ej
        else "",
    ).encode("utf-8")


def facturx(number: str, seller: str, buyer: str, service: str | None = None, ej: str | None = None) -> bytes:
    """A Factur-X (EN 16931 profile) PDF carrying :func:`cii`."""
    from facturx import generate_from_binary

    from chorusflow.sandbox.pdf_text import text_pdf

    pdf = text_pdf(f"Facture {number}", ["Ramettes de papier : 100.00 EUR HT"])
    return generate_from_binary(
        pdf, cii(number, seller, buyer, service, ej), flavor="factur-x", level="en16931", check_xsd=False
    )


UBL_NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}


def cen_example(number: str, seller: str, buyer: str, service: str = "SERV-FIN", ej: str = "EJ-1") -> bytes:
    """CEN's official UBL example 5, with its party identifiers and references rewritten to French ones."""
    root = etree.parse(
        io.BytesIO((CORPUS / "cen/ubl-examples/ubl-tc434-example5.xml").read_bytes())
    ).getroot()
    root.find("cbc:ID", UBL_NS).text = number
    root.find("cbc:BuyerReference", UBL_NS).text = service
    root.find("cac:OrderReference/cbc:ID", UBL_NS).text = ej
    for party, siret in (("AccountingSupplierParty", seller), ("AccountingCustomerParty", buyer)):
        ident = root.find(f"cac:{party}/cac:Party/cac:PartyIdentification/cbc:ID", UBL_NS)
        ident.text = siret
        ident.set("schemeID", "0009")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
