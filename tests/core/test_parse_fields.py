"""Chorus Pro fields and lenient values, on small French documents written here.

The public corpus has no SIRET (scheme 0009), no Chorus service code and no
engagement number, so these documents carry them in every place suppliers use.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from chorusflow.core.formats import parse_xml
from chorusflow.core.invoice import DocumentKind

CII = """<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
 xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
 xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
 <rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter>
  <ram:ID>urn:cen.eu:en16931:2017</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>
 </rsm:ExchangedDocumentContext>
 <rsm:ExchangedDocument><ram:ID>F-2025-001</ram:ID><ram:TypeCode>380</ram:TypeCode>
  <ram:IssueDateTime><udt:DateTimeString format="102">{issue}</udt:DateTimeString></ram:IssueDateTime>
 </rsm:ExchangedDocument>
 <rsm:SupplyChainTradeTransaction>
  <ram:IncludedSupplyChainTradeLineItem>
   <ram:AssociatedDocumentLineDocument><ram:LineID>1</ram:LineID></ram:AssociatedDocumentLineDocument>
   <ram:SpecifiedTradeProduct><ram:Name>Maintenance</ram:Name></ram:SpecifiedTradeProduct>
   <ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice>
    <ram:ChargeAmount>100.00</ram:ChargeAmount><ram:BasisQuantity unitCode="C62">1</ram:BasisQuantity>
   </ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>
   <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="HUR">2.5</ram:BilledQuantity>
    </ram:SpecifiedLineTradeDelivery>
   <ram:SpecifiedLineTradeSettlement>
    <ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>S</ram:CategoryCode>
     <ram:RateApplicablePercent>20.00</ram:RateApplicablePercent></ram:ApplicableTradeTax>
    <ram:SpecifiedTradeAllowanceCharge><ram:ChargeIndicator><udt:Indicator>false</udt:Indicator>
     </ram:ChargeIndicator>
     <ram:ActualAmount>10.00</ram:ActualAmount><ram:Reason>Remise</ram:Reason>
      </ram:SpecifiedTradeAllowanceCharge>
    <ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>240.00</ram:LineTotalAmount>
    </ram:SpecifiedTradeSettlementLineMonetarySummation>
   </ram:SpecifiedLineTradeSettlement>
  </ram:IncludedSupplyChainTradeLineItem>
  <ram:ApplicableHeaderTradeAgreement>
   <ram:BuyerReference>SERVICE-42</ram:BuyerReference>
   <ram:SellerTradeParty>
    <ram:GlobalID schemeID="0009">12345678900011</ram:GlobalID>
    <ram:Name>Dupont SARL</ram:Name>
    <ram:SpecifiedLegalOrganization><ram:ID schemeID="0002">123456789</ram:ID>
     </ram:SpecifiedLegalOrganization>
    <ram:PostalTradeAddress><ram:PostcodeCode>75001</ram:PostcodeCode><ram:CityName>Paris</ram:CityName>
     <ram:CountryID>FR</ram:CountryID></ram:PostalTradeAddress>
    <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">FR12123456789</ram:ID>
     </ram:SpecifiedTaxRegistration>
   </ram:SellerTradeParty>
   <ram:BuyerTradeParty>
    <ram:Name>Mairie de Test</ram:Name>
    <ram:SpecifiedLegalOrganization><ram:ID schemeID="0009">21750001600019</ram:ID>
     </ram:SpecifiedLegalOrganization>
   </ram:BuyerTradeParty>
   <ram:BuyerOrderReferencedDocument><ram:IssuerAssignedID>EJ-2025-77</ram:IssuerAssignedID>
    </ram:BuyerOrderReferencedDocument>
  </ram:ApplicableHeaderTradeAgreement>
  <ram:ApplicableHeaderTradeDelivery/>
  <ram:ApplicableHeaderTradeSettlement>
   <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
   <ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>30</ram:TypeCode>
    <ram:PayeePartyCreditorFinancialAccount><ram:IBANID>FR7630006000011234567890189</ram:IBANID>
     <ram:AccountName>Dupont</ram:AccountName></ram:PayeePartyCreditorFinancialAccount>
    <ram:PayeeSpecifiedCreditorFinancialInstitution><ram:BICID>AGRIFRPP</ram:BICID>
     </ram:PayeeSpecifiedCreditorFinancialInstitution>
   </ram:SpecifiedTradeSettlementPaymentMeans>
   <ram:ApplicableTradeTax><ram:CalculatedAmount>48.00</ram:CalculatedAmount>
    <ram:TypeCode>VAT</ram:TypeCode>
    <ram:BasisAmount>240.00</ram:BasisAmount><ram:CategoryCode>S</ram:CategoryCode>
    <ram:RateApplicablePercent>20.00</ram:RateApplicablePercent></ram:ApplicableTradeTax>
   <ram:SpecifiedTradePaymentTerms><ram:Description>30 jours</ram:Description>
    </ram:SpecifiedTradePaymentTerms>
   <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    <ram:LineTotalAmount>240.00</ram:LineTotalAmount>
     <ram:TaxBasisTotalAmount>240.00</ram:TaxBasisTotalAmount>
    <ram:TaxTotalAmount currencyID="EUR">48.00</ram:TaxTotalAmount>
     <ram:GrandTotalAmount>{grand}</ram:GrandTotalAmount>
    <ram:DuePayableAmount>288.00</ram:DuePayableAmount>
   </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
  </ram:ApplicableHeaderTradeSettlement>
 </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>"""

UBL_CREDIT_NOTE = """<?xml version="1.0" encoding="UTF-8"?>
<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
 <cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>
 <cbc:ID>AV-2025-003</cbc:ID><cbc:IssueDate>2025-03-01</cbc:IssueDate>
 <cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>
 <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode><cbc:BuyerReference>SERVICE-42</cbc:BuyerReference>
 <cac:OrderReference><cbc:ID>EJ-2025-77</cbc:ID></cac:OrderReference>
 <cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>F-2025-001</cbc:ID>
  <cbc:IssueDate>2025-02-01</cbc:IssueDate></cac:InvoiceDocumentReference></cac:BillingReference>
 <cac:AccountingSupplierParty><cac:Party>
  <cbc:EndpointID schemeID="0009">12345678900011</cbc:EndpointID>
  <cac:PartyIdentification><cbc:ID schemeID="0009">12345678900011</cbc:ID></cac:PartyIdentification>
  <cac:PartyTaxScheme><cbc:CompanyID>FR12123456789</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID>
   </cac:TaxScheme></cac:PartyTaxScheme>
  <cac:PartyLegalEntity><cbc:RegistrationName>Dupont SARL</cbc:RegistrationName></cac:PartyLegalEntity>
 </cac:Party></cac:AccountingSupplierParty>
 <cac:AccountingCustomerParty><cac:Party>
  <cac:PartyLegalEntity><cbc:RegistrationName>Mairie de Test</cbc:RegistrationName>
   <cbc:CompanyID schemeID="0009">21750001600019</cbc:CompanyID></cac:PartyLegalEntity>
 </cac:Party></cac:AccountingCustomerParty>
 <cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode>
  <cbc:PaymentDueDate>2025-03-31</cbc:PaymentDueDate>
  <cac:PayeeFinancialAccount><cbc:ID>FR7630006000011234567890189</cbc:ID></cac:PayeeFinancialAccount>
   </cac:PaymentMeans>
 <cac:TaxTotal><cbc:TaxAmount currencyID="EUR">20.00</cbc:TaxAmount>
  <cac:TaxSubtotal><cbc:TaxableAmount currencyID="EUR">100.00</cbc:TaxableAmount>
   <cbc:TaxAmount currencyID="EUR">20.00</cbc:TaxAmount>
   <cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>20</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID>
    </cac:TaxScheme></cac:TaxCategory>
  </cac:TaxSubtotal></cac:TaxTotal>
 <cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
  <cbc:TaxExclusiveAmount currencyID="EUR">100.00</cbc:TaxExclusiveAmount>
  <cbc:TaxInclusiveAmount currencyID="EUR">120.00</cbc:TaxInclusiveAmount>
  <cbc:PayableAmount currencyID="EUR">120.00</cbc:PayableAmount></cac:LegalMonetaryTotal>
 <cac:CreditNoteLine><cbc:ID>1</cbc:ID><cbc:CreditedQuantity unitCode="C62">1</cbc:CreditedQuantity>
  <cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
  <cac:Item><cbc:Name>Avoir maintenance</cbc:Name>
   <cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>20</cbc:Percent><cac:TaxScheme>
    <cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory>
  </cac:Item><cac:Price><cbc:PriceAmount currencyID="EUR">100.00</cbc:PriceAmount></cac:Price>
 </cac:CreditNoteLine>
</CreditNote>"""


def test_cii_chorus_fields_and_siret_in_both_places() -> None:
    invoice = parse_xml(CII.format(issue="20250201", grand="288.00").encode())
    assert invoice.buyer_reference == "SERVICE-42"  # Chorus service code
    assert invoice.order_reference == "EJ-2025-77"  # Chorus engagement number
    assert invoice.seller.siret == "12345678900011"  # from GlobalID schemeID 0009
    assert invoice.buyer.siret == "21750001600019"  # from SpecifiedLegalOrganization schemeID 0009
    assert invoice.seller.legal_id is not None and invoice.seller.legal_id.scheme == "0002"
    assert invoice.seller.vat_id == "FR12123456789"
    means = invoice.payment_means[0]
    assert (means.type_code, means.account_id, means.account_name, means.bank_id) == (
        "30",
        "FR7630006000011234567890189",
        "Dupont",
        "AGRIFRPP",
    )
    assert invoice.payment_terms == "30 jours"
    line = invoice.lines[0]
    assert (line.quantity, line.unit_code, line.net_price, line.price_base_quantity) == (
        Decimal("2.5"),
        "HUR",
        Decimal("100.00"),
        Decimal("1"),
    )
    assert [(ac.is_charge, ac.amount, ac.reason) for ac in line.allowances_charges] == [
        (False, Decimal("10.00"), "Remise")
    ]
    assert str(line.vat_rate) == "20.00"


def test_ubl_credit_note_fields_and_siret() -> None:
    invoice = parse_xml(UBL_CREDIT_NOTE.encode())
    assert invoice.kind is DocumentKind.CREDIT_NOTE and invoice.type_code == "381"
    assert invoice.due_date == date(2025, 3, 31)  # from PaymentMeans/PaymentDueDate
    assert (invoice.buyer_reference, invoice.order_reference) == ("SERVICE-42", "EJ-2025-77")
    assert invoice.seller.siret == "12345678900011"  # PartyIdentification schemeID 0009
    assert invoice.seller.electronic_address is not None
    assert invoice.seller.electronic_address.scheme == "0009"
    assert invoice.buyer.siret == "21750001600019"  # PartyLegalEntity/CompanyID schemeID 0009
    assert invoice.preceding_invoices[0].number == "F-2025-001"
    assert invoice.preceding_invoices[0].issue_date == date(2025, 2, 1)
    assert invoice.lines[0].quantity == Decimal("1") and invoice.lines[0].name == "Avoir maintenance"
    assert invoice.iban == "FR7630006000011234567890189"


def test_bad_values_become_none_and_parsing_goes_on() -> None:
    """The validation rules report bad values with their rule id; the parser must not stop."""
    invoice = parse_xml(CII.format(issue="20250231", grand="288,00").encode())
    assert invoice.issue_date is None  # 31 February
    assert invoice.totals.with_vat is None  # comma decimal
    assert invoice.totals.due == Decimal("288.00")
    invoice = parse_xml(CII.format(issue="2025-02-01", grand="NaN").encode())
    assert invoice.issue_date is None and invoice.totals.with_vat is None
