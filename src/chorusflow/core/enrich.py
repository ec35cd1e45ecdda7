"""Enrichment of an invoice XML with the routing data Chorus Pro needs.

ERP exports often name the public buyer ("Mairie de Valmont") without its
SIRET, or carry the service as a label; the provider's mappings and the
intake metadata supply the missing values. Chorus Pro reads them from the
XML itself, so they are written into a *copy* of the XML (the original stays
in the blob store untouched): buyer SIRET as BT-46 with scheme 0009, service
code as BT-10, engagement number as BT-13.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from chorusflow.core.formats.xmlsafe import parse_xml_safely

__all__ = ["Routing", "enrich_xml"]

CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"


@dataclass(frozen=True, slots=True)
class Routing:
    buyer_siret: str | None = None
    service_code: str | None = None
    engagement_number: str | None = None

    def __bool__(self) -> bool:
        return any((self.buyer_siret, self.service_code, self.engagement_number))


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _insert_after(parent: etree._Element, new: etree._Element, after: tuple[str, ...]) -> None:
    """Insert ``new`` after the last existing child among ``after`` (schema order), else first."""
    position = 0
    for i, child in enumerate(parent):
        if etree.QName(child).localname in after:
            position = i + 1
    parent.insert(position, new)


# UBL Invoice/CreditNote header order up to OrderReference (UBL 2.1 schema).
_UBL_BEFORE_BUYER_REF = tuple(
    [
        "UBLExtensions",
        "UBLVersionID",
        "CustomizationID",
        "ProfileID",
        "ProfileExecutionID",
        "ID",
        "CopyIndicator",
        "UUID",
        "IssueDate",
        "IssueTime",
        "DueDate",
        "InvoiceTypeCode",
        "CreditNoteTypeCode",
        "Note",
        "TaxPointDate",
        "DocumentCurrencyCode",
        "TaxCurrencyCode",
        "PricingCurrencyCode",
        "PaymentCurrencyCode",
        "PaymentAlternativeCurrencyCode",
        "AccountingCostCode",
        "AccountingCost",
        "LineCountNumeric",
    ]
)
_UBL_BEFORE_PARTY_ID = tuple(
    [
        "MarkCareIndicator",
        "MarkAttentionIndicator",
        "WebsiteURI",
        "LogoReferenceID",
        "EndpointID",
        "IndustryClassificationCode",
        "PartyIdentification",
    ]
)
_UBL_BEFORE_ORDER_REF = (*_UBL_BEFORE_BUYER_REF, "BuyerReference", "InvoicePeriod")


def _enrich_ubl(root: etree._Element, routing: Routing) -> None:
    if routing.service_code:
        ref = root.find(_q(CBC, "BuyerReference"))
        if ref is None:
            ref = etree.Element(_q(CBC, "BuyerReference"))
            _insert_after(root, ref, _UBL_BEFORE_BUYER_REF)
        ref.text = routing.service_code
    if routing.engagement_number:
        order = root.find(_q(CAC, "OrderReference"))
        if order is None:
            order = etree.Element(_q(CAC, "OrderReference"))
            _insert_after(root, order, _UBL_BEFORE_ORDER_REF)
        ident = order.find(_q(CBC, "ID"))
        if ident is None:
            ident = etree.SubElement(order, _q(CBC, "ID"))
            order.insert(0, ident)
        ident.text = routing.engagement_number
    if routing.buyer_siret:
        party = root.find(f"{_q(CAC, 'AccountingCustomerParty')}/{_q(CAC, 'Party')}")
        if party is None:
            raise ValueError("the UBL invoice has no AccountingCustomerParty/Party to put the buyer SIRET in")
        for existing in party.findall(_q(CAC, "PartyIdentification")):
            ident = existing.find(_q(CBC, "ID"))
            if ident is not None and ident.get("schemeID") == "0009":
                ident.text = routing.buyer_siret
                return
        block = etree.Element(_q(CAC, "PartyIdentification"))
        ident = etree.SubElement(block, _q(CBC, "ID"), schemeID="0009")
        ident.text = routing.buyer_siret
        _insert_after(party, block, _UBL_BEFORE_PARTY_ID)


def _enrich_cii(root: etree._Element, routing: Routing) -> None:
    agreement = root.find(
        f"{_q(RSM, 'SupplyChainTradeTransaction')}/{_q(RAM, 'ApplicableHeaderTradeAgreement')}"
    )
    if agreement is None:
        raise ValueError("the CII invoice has no ApplicableHeaderTradeAgreement")
    if routing.service_code:
        ref = agreement.find(_q(RAM, "BuyerReference"))
        if ref is None:
            ref = etree.Element(_q(RAM, "BuyerReference"))
            agreement.insert(0, ref)
        ref.text = routing.service_code
    if routing.buyer_siret:
        buyer = agreement.find(_q(RAM, "BuyerTradeParty"))
        if buyer is None:
            raise ValueError("the CII invoice has no BuyerTradeParty to put the buyer SIRET in")
        for gid in buyer.findall(_q(RAM, "GlobalID")):
            if gid.get("schemeID") == "0009":
                gid.text = routing.buyer_siret
                break
        else:
            gid = etree.Element(_q(RAM, "GlobalID"), schemeID="0009")
            gid.text = routing.buyer_siret
            _insert_after(buyer, gid, ("ID", "GlobalID"))
    if routing.engagement_number:
        order = agreement.find(_q(RAM, "BuyerOrderReferencedDocument"))
        if order is None:
            order = etree.Element(_q(RAM, "BuyerOrderReferencedDocument"))
            _insert_after(
                agreement,
                order,
                ("BuyerReference", "SellerTradeParty", "BuyerTradeParty", "SellerTaxRepresentativeTradeParty",
                 "ApplicableTradeDeliveryTerms", "SellerOrderReferencedDocument"),
            )  # fmt: skip
        ident = order.find(_q(RAM, "IssuerAssignedID"))
        if ident is None:
            ident = etree.SubElement(order, _q(RAM, "IssuerAssignedID"))
        ident.text = routing.engagement_number


def enrich_xml(xml: bytes, routing: Routing) -> bytes:
    """A copy of ``xml`` (UBL or CII) carrying the routing values given."""
    root = parse_xml_safely(xml)
    if etree.QName(root).namespace == RSM:
        _enrich_cii(root, routing)
    else:
        _enrich_ubl(root, routing)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
