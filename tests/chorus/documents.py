"""Small documents the sandbox accepts: a UBL invoice, a one-page PDF, a JSON submission."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pikepdf

from chorusflow.chorus.models.factures import (
    InvoiceRecipient,
    InvoiceReferences,
    InvoiceSupplier,
    InvoiceTotals,
    LineItem,
    SubmitInvoiceRequest,
    VatLine,
)


def ubl_invoice(
    number: str, supplier_siret: str, recipient_siret: str, *, service_code: str | None = None
) -> bytes:
    buyer_ref = f"<cbc:BuyerReference>{service_code}</cbc:BuyerReference>" if service_code else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>
  <cbc:ID>{number}</cbc:ID>
  <cbc:IssueDate>2026-01-05</cbc:IssueDate>
  <cbc:DueDate>2026-02-05</cbc:DueDate>
  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  {buyer_ref}
  <cac:AccountingSupplierParty><cac:Party>
    <cac:PartyIdentification><cbc:ID schemeID="0009">{supplier_siret}</cbc:ID></cac:PartyIdentification>
    <cac:PostalAddress><cbc:CityName>Paris</cbc:CityName><cbc:PostalZone>75001</cbc:PostalZone>
      <cac:Country><cbc:IdentificationCode>FR</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
    <cac:PartyTaxScheme><cbc:CompanyID>FR32123456789</cbc:CompanyID>
      <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
    <cac:PartyLegalEntity><cbc:RegistrationName>ACME FOURNITURES SAS</cbc:RegistrationName>
      <cbc:CompanyID schemeID="0009">{supplier_siret}</cbc:CompanyID></cac:PartyLegalEntity>
  </cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party>
    <cac:PartyIdentification><cbc:ID schemeID="0009">{recipient_siret}</cbc:ID></cac:PartyIdentification>
    <cac:PostalAddress><cbc:CityName>Saint-Amand</cbc:CityName>
      <cac:Country><cbc:IdentificationCode>FR</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
    <cac:PartyLegalEntity><cbc:RegistrationName>COMMUNE</cbc:RegistrationName>
      <cbc:CompanyID schemeID="0009">{recipient_siret}</cbc:CompanyID></cac:PartyLegalEntity>
  </cac:Party></cac:AccountingCustomerParty>
  <cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode>
    <cac:PayeeFinancialAccount><cbc:ID>FR7630006000011234567890189</cbc:ID></cac:PayeeFinancialAccount>
  </cac:PaymentMeans>
  <cac:TaxTotal><cbc:TaxAmount currencyID="EUR">20.00</cbc:TaxAmount>
    <cac:TaxSubtotal><cbc:TaxableAmount currencyID="EUR">100.00</cbc:TaxableAmount>
      <cbc:TaxAmount currencyID="EUR">20.00</cbc:TaxAmount>
      <cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>20</cbc:Percent>
        <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory></cac:TaxSubtotal>
  </cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="EUR">100.00</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="EUR">120.00</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="EUR">120.00</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
  <cac:InvoiceLine><cbc:ID>1</cbc:ID>
    <cbc:InvoicedQuantity unitCode="C62">2</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
    <cac:Item><cbc:Name>Widget</cbc:Name>
      <cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>20</cbc:Percent>
        <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory></cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="EUR">50.00</cbc:PriceAmount></cac:Price>
  </cac:InvoiceLine>
</Invoice>
""".encode()


def one_page_pdf(text: str = "Invoice") -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.docinfo["/Title"] = text
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def json_invoice(
    number: str | None,
    recipient_siret: str,
    supplier_id: int,
    *,
    mode: str = "SAISIE_API",
    service_code: str | None = None,
) -> SubmitInvoiceRequest:
    return SubmitInvoiceRequest(
        modeDepot=mode,  # type: ignore[arg-type]
        numeroFactureSaisi=number,
        dateFacture=date(2026, 1, 5),
        destinataire=InvoiceRecipient(codeDestinataire=recipient_siret, codeServiceExecutant=service_code),
        fournisseur=InvoiceSupplier(idFournisseur=supplier_id),
        references=InvoiceReferences(typeTva="TVA_SUR_DEBIT", modePaiement="VIREMENT"),
        lignePoste=[
            LineItem(
                lignePosteNumero=1,
                lignePosteDenomination="Widget",
                lignePosteQuantite=Decimal(2),
                lignePosteUnite="lot",
                lignePosteMontantUnitaireHT=Decimal("50.00"),
                lignePosteTauxTvaManuel=Decimal(20),
            )
        ],
        ligneTva=[
            VatLine(
                ligneTvaTauxManuel=Decimal(20),
                ligneTvaMontantBaseHtParTaux=Decimal("100.00"),
                ligneTvaMontantTvaParTaux=Decimal("20.00"),
            )
        ],
        montantTotal=InvoiceTotals(
            montantHtTotal=Decimal("100.00"),
            montantTVA=Decimal("20.00"),
            montantTtcTotal=Decimal("120.00"),
            montantAPayer=Decimal("120.00"),
        ),
    )
