"""CII D16B (also the XML inside Factur-X / ZUGFeRD 2.x) into the EN 16931 model.

The paths follow the EN 16931-3-3 CII binding; profile-specific extras (EXTENDED
sub-lines, XRechnung extensions) are read where they use the same elements and
otherwise ignored, because the model only holds EN 16931 business terms.
"""

from __future__ import annotations

from lxml import etree

from chorusflow.core.formats.values import TreeReader, decode_base64, split_tax_totals, to_yyyymmdd_date
from chorusflow.core.invoice import (
    Address,
    AllowanceCharge,
    Attachment,
    Identifier,
    Invoice,
    InvoiceLine,
    Party,
    PaymentMeans,
    PrecedingInvoice,
    Totals,
    VatBreakdown,
)

__all__ = ["CII_NS", "parse_cii"]

CII_NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
}
_X = TreeReader(CII_NS)
# BG-24 is an AdditionalReferencedDocument with type code 916; 50 and 130 are BT-17/BT-18.
_ATTACHMENT_TYPE = "916"
_LINE_SUMMATION = "ram:SpecifiedTradeSettlementLineMonetarySummation"
_DELIVERY_DATE = "ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/udt:DateTimeString"


def _date(node: etree._Element | None, path: str):
    found = _X.el(node, path)
    return None if found is None else to_yyyymmdd_date(found.text, found.get("format"))


def _first(node: etree._Element | None, *paths: str) -> etree._Element | None:
    """The first of several alternative elements that is present."""
    for path in paths:
        found = _X.el(node, path)
        if found is not None:
            return found
    return None


def _address(node: etree._Element | None) -> Address | None:
    if node is None:
        return None
    return Address(
        line1=_X.text(node, "ram:LineOne"),
        line2=_X.text(node, "ram:LineTwo"),
        line3=_X.text(node, "ram:LineThree"),
        city=_X.text(node, "ram:CityName"),
        postcode=_X.text(node, "ram:PostcodeCode"),
        subdivision=_X.text(node, "ram:CountrySubDivisionName"),
        country=_X.text(node, "ram:CountryID"),
    )


def _identifier(node: etree._Element | None) -> Identifier | None:
    if node is None or not (node.text or "").strip():
        return None
    return Identifier(node.text.strip(), (node.get("schemeID") or "").strip() or None)


def _party(node: etree._Element | None) -> Party | None:
    if node is None:
        return None
    identifiers = [
        ident
        for ident in map(_identifier, _X.all(node, "ram:ID") + _X.all(node, "ram:GlobalID"))
        if ident is not None
    ]
    tax_ids = {
        (reg.get("schemeID") or "").strip(): (reg.text or "").strip()
        for reg in _X.all(node, "ram:SpecifiedTaxRegistration/ram:ID")
    }
    contact = _X.el(node, "ram:DefinedTradeContact")
    return Party(
        name=_X.text(node, "ram:Name"),
        trading_name=_X.text(node, "ram:SpecifiedLegalOrganization/ram:TradingBusinessName"),
        identifiers=identifiers,
        legal_id=_identifier(_X.el(node, "ram:SpecifiedLegalOrganization/ram:ID")),
        vat_id=tax_ids.get("VA") or None,
        tax_registration_id=tax_ids.get("FC") or None,
        electronic_address=_identifier(_X.el(node, "ram:URIUniversalCommunication/ram:URIID")),
        address=_address(_X.el(node, "ram:PostalTradeAddress")),
        contact_name=_X.text(contact, "ram:PersonName") or _X.text(contact, "ram:DepartmentName"),
        contact_phone=_X.text(contact, "ram:TelephoneUniversalCommunication/ram:CompleteNumber"),
        contact_email=_X.text(contact, "ram:EmailURIUniversalCommunication/ram:URIID"),
    )


def _allowance_charge(node: etree._Element) -> AllowanceCharge:
    indicator = (_X.text(node, "ram:ChargeIndicator/udt:Indicator") or "").lower()
    return AllowanceCharge(
        is_charge=indicator in ("true", "1"),
        amount=_X.dec(node, "ram:ActualAmount"),
        base_amount=_X.dec(node, "ram:BasisAmount"),
        percentage=_X.dec(node, "ram:CalculationPercent"),
        vat_category=_X.text(node, "ram:CategoryTradeTax/ram:CategoryCode"),
        vat_rate=_X.dec(node, "ram:CategoryTradeTax/ram:RateApplicablePercent"),
        reason=_X.text(node, "ram:Reason"),
        reason_code=_X.text(node, "ram:ReasonCode"),
    )


def _line(node: etree._Element) -> InvoiceLine:
    doc = _X.el(node, "ram:AssociatedDocumentLineDocument")
    product = _X.el(node, "ram:SpecifiedTradeProduct")
    agreement = _X.el(node, "ram:SpecifiedLineTradeAgreement")
    settlement = _X.el(node, "ram:SpecifiedLineTradeSettlement")
    quantity = _X.el(node, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity")
    net_price = _X.el(agreement, "ram:NetPriceProductTradePrice")
    notes = _X.texts(doc, "ram:IncludedNote/ram:Content")
    return InvoiceLine(
        id=_X.text(doc, "ram:LineID"),
        note="\n".join(notes) or None,
        quantity=_X.dec(node, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity"),
        unit_code=None if quantity is None else (quantity.get("unitCode") or None),
        net_amount=_X.dec(settlement, f"{_LINE_SUMMATION}/ram:LineTotalAmount"),
        order_line_ref=_X.text(agreement, "ram:BuyerOrderReferencedDocument/ram:LineID"),
        net_price=_X.dec(net_price, "ram:ChargeAmount"),
        gross_price=_X.dec(agreement, "ram:GrossPriceProductTradePrice/ram:ChargeAmount"),
        price_base_quantity=_X.dec(
            _first(
                agreement,
                "ram:NetPriceProductTradePrice/ram:BasisQuantity",
                "ram:GrossPriceProductTradePrice/ram:BasisQuantity",
            ),
            ".",
        ),
        name=_X.text(product, "ram:Name"),
        description=_X.text(product, "ram:Description"),
        seller_item_id=_X.text(product, "ram:SellerAssignedID"),
        standard_item_id=_identifier(_X.el(product, "ram:GlobalID")),
        vat_category=_X.text(settlement, "ram:ApplicableTradeTax/ram:CategoryCode"),
        vat_rate=_X.dec(settlement, "ram:ApplicableTradeTax/ram:RateApplicablePercent"),
        allowances_charges=[
            _allowance_charge(ac) for ac in _X.all(settlement, "ram:SpecifiedTradeAllowanceCharge")
        ],
    )


def _attachment(node: etree._Element) -> Attachment:
    binary = _X.el(node, "ram:AttachmentBinaryObject")
    return Attachment(
        id=_X.text(node, "ram:IssuerAssignedID"),
        description=_X.text(node, "ram:Name"),
        uri=_X.text(node, "ram:URIID"),
        filename=None if binary is None else (binary.get("filename") or None),
        mime_type=None if binary is None else (binary.get("mimeCode") or None),
        content=None if binary is None else decode_base64(binary.text),
    )


def _payment_means(settlement: etree._Element | None) -> list[PaymentMeans]:
    remittance = _X.text(settlement, "ram:PaymentReference")
    mandate = _X.text(settlement, "ram:SpecifiedTradePaymentTerms/ram:DirectDebitMandateID")
    means = []
    for node in _X.all(settlement, "ram:SpecifiedTradeSettlementPaymentMeans"):
        account = _X.el(node, "ram:PayeePartyCreditorFinancialAccount")
        means.append(
            PaymentMeans(
                type_code=_X.text(node, "ram:TypeCode"),
                text=_X.text(node, "ram:Information"),
                remittance_info=remittance,
                account_id=_X.text(account, "ram:IBANID") or _X.text(account, "ram:ProprietaryID"),
                account_name=_X.text(account, "ram:AccountName"),
                bank_id=_X.text(node, "ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID"),
                card_pan=_X.text(node, "ram:ApplicableTradeSettlementFinancialCard/ram:ID"),
                mandate_id=mandate,
                debited_account=_X.text(node, "ram:PayerPartyDebtorFinancialAccount/ram:IBANID"),
            )
        )
    return means


def _totals(settlement: etree._Element | None, currency: str | None, vat_currency: str | None) -> Totals:
    summary = _X.el(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    tax_totals = _X.all(summary, "ram:TaxTotalAmount")
    vat, vat_acc = split_tax_totals(tax_totals, currency, vat_currency)
    return Totals(
        line_total=_X.dec(summary, "ram:LineTotalAmount"),
        allowance_total=_X.dec(summary, "ram:AllowanceTotalAmount"),
        charge_total=_X.dec(summary, "ram:ChargeTotalAmount"),
        without_vat=_X.dec(summary, "ram:TaxBasisTotalAmount"),
        vat=None if vat is None else _X.dec(vat, "."),
        vat_accounting_currency=None if vat_acc is None else _X.dec(vat_acc, "."),
        with_vat=_X.dec(summary, "ram:GrandTotalAmount"),
        prepaid=_X.dec(summary, "ram:TotalPrepaidAmount"),
        rounding=_X.dec(summary, "ram:RoundingAmount"),
        due=_X.dec(summary, "ram:DuePayableAmount"),
    )


def _vat_breakdown(node: etree._Element) -> VatBreakdown:
    return VatBreakdown(
        category=_X.text(node, "ram:CategoryCode"),
        rate=_X.dec(node, "ram:RateApplicablePercent"),
        taxable_amount=_X.dec(node, "ram:BasisAmount"),
        tax_amount=_X.dec(node, "ram:CalculatedAmount"),
        exemption_reason=_X.text(node, "ram:ExemptionReason"),
        exemption_reason_code=_X.text(node, "ram:ExemptionReasonCode"),
    )


def parse_cii(root: etree._Element) -> Invoice:
    """The EN 16931 model of a ``rsm:CrossIndustryInvoice`` root element."""
    context = _X.el(root, "rsm:ExchangedDocumentContext")
    document = _X.el(root, "rsm:ExchangedDocument")
    transaction = _X.el(root, "rsm:SupplyChainTradeTransaction")
    agreement = _X.el(transaction, "ram:ApplicableHeaderTradeAgreement")
    delivery = _X.el(transaction, "ram:ApplicableHeaderTradeDelivery")
    settlement = _X.el(transaction, "ram:ApplicableHeaderTradeSettlement")
    currency = _X.text(settlement, "ram:InvoiceCurrencyCode")
    vat_currency = _X.text(settlement, "ram:TaxCurrencyCode")
    terms = _X.all(settlement, "ram:SpecifiedTradePaymentTerms")
    due_dates = [d for d in (_date(t, "ram:DueDateDateTime/udt:DateTimeString") for t in terms) if d]
    taxes = _X.all(settlement, "ram:ApplicableTradeTax")
    tax_point = next((d for d in (_date(t, "ram:TaxPointDate/udt:DateString") for t in taxes) if d), None)
    return Invoice(
        syntax="cii",
        number=_X.text(document, "ram:ID"),
        issue_date=_date(document, "ram:IssueDateTime/udt:DateTimeString"),
        type_code=_X.text(document, "ram:TypeCode"),
        currency=currency,
        vat_currency=vat_currency,
        tax_point_date=tax_point,
        due_date=due_dates[0] if due_dates else None,
        buyer_reference=_X.text(agreement, "ram:BuyerReference"),
        project_reference=_X.text(agreement, "ram:SpecifiedProcuringProject/ram:ID"),
        contract_reference=_X.text(agreement, "ram:ContractReferencedDocument/ram:IssuerAssignedID"),
        order_reference=_X.text(agreement, "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"),
        sales_order_reference=_X.text(agreement, "ram:SellerOrderReferencedDocument/ram:IssuerAssignedID"),
        receiving_advice_reference=_X.text(
            delivery, "ram:ReceivingAdviceReferencedDocument/ram:IssuerAssignedID"
        ),
        despatch_advice_reference=_X.text(
            delivery, "ram:DespatchAdviceReferencedDocument/ram:IssuerAssignedID"
        ),
        accounting_reference=_X.text(settlement, "ram:ReceivableSpecifiedTradeAccountingAccount/ram:ID"),
        payment_terms="\n".join(t for node in terms for t in _X.texts(node, "ram:Description")) or None,
        notes=_X.texts(document, "ram:IncludedNote/ram:Content"),
        profile=_X.text(context, "ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"),
        business_process=_X.text(context, "ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID"),
        preceding_invoices=[
            PrecedingInvoice(
                number=number,
                issue_date=_date(ref, "ram:FormattedIssueDateTime/qdt:DateTimeString"),
            )
            for ref in _X.all(settlement, "ram:InvoiceReferencedDocument")
            if (number := _X.text(ref, "ram:IssuerAssignedID"))
        ],
        seller=_party(_X.el(agreement, "ram:SellerTradeParty")) or Party(),
        buyer=_party(_X.el(agreement, "ram:BuyerTradeParty")) or Party(),
        payee=_party(_X.el(settlement, "ram:PayeeTradeParty")),
        tax_representative=_party(_X.el(agreement, "ram:SellerTaxRepresentativeTradeParty")),
        delivery_date=_date(delivery, _DELIVERY_DATE),
        delivery_location_id=_identifier(
            _first(delivery, "ram:ShipToTradeParty/ram:GlobalID", "ram:ShipToTradeParty/ram:ID")
        ),
        payment_means=_payment_means(settlement),
        allowances_charges=[
            _allowance_charge(ac) for ac in _X.all(settlement, "ram:SpecifiedTradeAllowanceCharge")
        ],
        totals=_totals(settlement, currency, vat_currency),
        vat_breakdown=[_vat_breakdown(tax) for tax in taxes],
        lines=[_line(node) for node in _X.all(transaction, "ram:IncludedSupplyChainTradeLineItem")],
        attachments=[
            _attachment(ref)
            for ref in _X.all(agreement, "ram:AdditionalReferencedDocument")
            if _X.text(ref, "ram:TypeCode") == _ATTACHMENT_TYPE
            or _X.el(ref, "ram:AttachmentBinaryObject") is not None
        ],
    )
