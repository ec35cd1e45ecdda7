"""UBL 2.1 Invoice and CreditNote into the EN 16931 model.

One reader serves both documents: a credit note differs only in element names
(``CreditNoteTypeCode``, ``CreditNoteLine``, ``CreditedQuantity``) and in where the
due date sits (``PaymentMeans/PaymentDueDate``, since it has no ``cbc:DueDate``).
"""

from __future__ import annotations

from lxml import etree

from chorusflow.core.formats.values import TreeReader, decode_base64, split_tax_totals, to_iso_date
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

__all__ = ["UBL_CREDIT_NOTE_NS", "UBL_INVOICE_NS", "UBL_NS", "parse_ubl"]

UBL_INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
UBL_NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
_X = TreeReader(UBL_NS)
# DocumentTypeCode 130 on an AdditionalDocumentReference is BT-18 (invoiced object), not BG-24.
_INVOICED_OBJECT_TYPE = "130"


def _identifier(node: etree._Element | None) -> Identifier | None:
    if node is None or not (node.text or "").strip():
        return None
    return Identifier(node.text.strip(), (node.get("schemeID") or "").strip() or None)


def _address(node: etree._Element | None) -> Address | None:
    if node is None:
        return None
    return Address(
        line1=_X.text(node, "cbc:StreetName"),
        line2=_X.text(node, "cbc:AdditionalStreetName"),
        line3=_X.text(node, "cac:AddressLine/cbc:Line"),
        city=_X.text(node, "cbc:CityName"),
        postcode=_X.text(node, "cbc:PostalZone"),
        subdivision=_X.text(node, "cbc:CountrySubentity"),
        country=_X.text(node, "cac:Country/cbc:IdentificationCode"),
    )


def _party(node: etree._Element | None, *, name_from_party_name: bool = False) -> Party | None:
    """BG-4/BG-7 take the legal registration name; BG-10/BG-11 only have ``PartyName``."""
    if node is None:
        return None
    vat_id = tax_registration_id = None
    for scheme in _X.all(node, "cac:PartyTaxScheme"):
        company_id = _X.text(scheme, "cbc:CompanyID")
        if (_X.text(scheme, "cac:TaxScheme/cbc:ID") or "").upper() == "VAT":
            vat_id = vat_id or company_id
        else:
            tax_registration_id = tax_registration_id or company_id
    party_name = _X.text(node, "cac:PartyName/cbc:Name")
    legal_name = _X.text(node, "cac:PartyLegalEntity/cbc:RegistrationName")
    contact = _X.el(node, "cac:Contact")
    return Party(
        name=(party_name or legal_name) if name_from_party_name else legal_name,
        trading_name=None if name_from_party_name else party_name,
        identifiers=[
            ident
            for ident in map(_identifier, _X.all(node, "cac:PartyIdentification/cbc:ID"))
            if ident is not None
        ],
        legal_id=_identifier(_X.el(node, "cac:PartyLegalEntity/cbc:CompanyID")),
        vat_id=vat_id,
        tax_registration_id=tax_registration_id,
        electronic_address=_identifier(_X.el(node, "cbc:EndpointID")),
        address=_address(_X.el(node, "cac:PostalAddress")),
        contact_name=_X.text(contact, "cbc:Name"),
        contact_phone=_X.text(contact, "cbc:Telephone"),
        contact_email=_X.text(contact, "cbc:ElectronicMail"),
    )


def _allowance_charge(node: etree._Element) -> AllowanceCharge:
    return AllowanceCharge(
        is_charge=(_X.text(node, "cbc:ChargeIndicator") or "").lower() in ("true", "1"),
        amount=_X.dec(node, "cbc:Amount"),
        base_amount=_X.dec(node, "cbc:BaseAmount"),
        percentage=_X.dec(node, "cbc:MultiplierFactorNumeric"),
        vat_category=_X.text(node, "cac:TaxCategory/cbc:ID"),
        vat_rate=_X.dec(node, "cac:TaxCategory/cbc:Percent"),
        reason=_X.text(node, "cbc:AllowanceChargeReason"),
        reason_code=_X.text(node, "cbc:AllowanceChargeReasonCode"),
    )


def _line(node: etree._Element, quantity_tag: str) -> InvoiceLine:
    item = _X.el(node, "cac:Item")
    price = _X.el(node, "cac:Price")
    quantity = _X.el(node, quantity_tag)
    tax = _X.el(item, "cac:ClassifiedTaxCategory")
    notes = _X.texts(node, "cbc:Note")
    return InvoiceLine(
        id=_X.text(node, "cbc:ID"),
        note="\n".join(notes) or None,
        quantity=_X.dec(node, quantity_tag),
        unit_code=None if quantity is None else (quantity.get("unitCode") or None),
        net_amount=_X.dec(node, "cbc:LineExtensionAmount"),
        order_line_ref=_X.text(node, "cac:OrderLineReference/cbc:LineID"),
        net_price=_X.dec(price, "cbc:PriceAmount"),
        gross_price=_X.dec(price, "cac:AllowanceCharge/cbc:BaseAmount"),
        price_base_quantity=_X.dec(price, "cbc:BaseQuantity"),
        name=_X.text(item, "cbc:Name"),
        description=_X.text(item, "cbc:Description"),
        seller_item_id=_X.text(item, "cac:SellersItemIdentification/cbc:ID"),
        standard_item_id=_identifier(_X.el(item, "cac:StandardItemIdentification/cbc:ID")),
        vat_category=_X.text(tax, "cbc:ID"),
        vat_rate=_X.dec(tax, "cbc:Percent"),
        allowances_charges=[_allowance_charge(ac) for ac in _X.all(node, "cac:AllowanceCharge")],
    )


def _attachment(node: etree._Element) -> Attachment:
    binary = _X.el(node, "cac:Attachment/cbc:EmbeddedDocumentBinaryObject")
    return Attachment(
        id=_X.text(node, "cbc:ID"),
        description=_X.text(node, "cbc:DocumentDescription"),
        uri=_X.text(node, "cac:Attachment/cac:ExternalReference/cbc:URI"),
        filename=None if binary is None else (binary.get("filename") or None),
        mime_type=None if binary is None else (binary.get("mimeCode") or None),
        content=None if binary is None else decode_base64(binary.text),
    )


def _payment_means(node: etree._Element) -> PaymentMeans:
    code = _X.el(node, "cbc:PaymentMeansCode")
    account = _X.el(node, "cac:PayeeFinancialAccount")
    return PaymentMeans(
        type_code=_X.text(node, "cbc:PaymentMeansCode"),
        text=None if code is None else (code.get("name") or None),
        remittance_info=_X.text(node, "cbc:PaymentID"),
        account_id=_X.text(account, "cbc:ID"),
        account_name=_X.text(account, "cbc:Name"),
        bank_id=_X.text(account, "cac:FinancialInstitutionBranch/cbc:ID"),
        card_pan=_X.text(node, "cac:CardAccount/cbc:PrimaryAccountNumberID"),
        mandate_id=_X.text(node, "cac:PaymentMandate/cbc:ID"),
        debited_account=_X.text(node, "cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID"),
    )


def _totals(root: etree._Element, currency: str | None, vat_currency: str | None) -> Totals:
    summary = _X.el(root, "cac:LegalMonetaryTotal")
    tax_amounts = _X.all(root, "cac:TaxTotal/cbc:TaxAmount")
    vat, vat_acc = split_tax_totals(tax_amounts, currency, vat_currency)
    return Totals(
        line_total=_X.dec(summary, "cbc:LineExtensionAmount"),
        allowance_total=_X.dec(summary, "cbc:AllowanceTotalAmount"),
        charge_total=_X.dec(summary, "cbc:ChargeTotalAmount"),
        without_vat=_X.dec(summary, "cbc:TaxExclusiveAmount"),
        vat=None if vat is None else _X.dec(vat, "."),
        vat_accounting_currency=None if vat_acc is None else _X.dec(vat_acc, "."),
        with_vat=_X.dec(summary, "cbc:TaxInclusiveAmount"),
        prepaid=_X.dec(summary, "cbc:PrepaidAmount"),
        rounding=_X.dec(summary, "cbc:PayableRoundingAmount"),
        due=_X.dec(summary, "cbc:PayableAmount"),
    )


def _vat_breakdown(node: etree._Element) -> VatBreakdown:
    return VatBreakdown(
        category=_X.text(node, "cac:TaxCategory/cbc:ID"),
        rate=_X.dec(node, "cac:TaxCategory/cbc:Percent"),
        taxable_amount=_X.dec(node, "cbc:TaxableAmount"),
        tax_amount=_X.dec(node, "cbc:TaxAmount"),
        exemption_reason=_X.text(node, "cac:TaxCategory/cbc:TaxExemptionReason"),
        exemption_reason_code=_X.text(node, "cac:TaxCategory/cbc:TaxExemptionReasonCode"),
    )


def parse_ubl(root: etree._Element) -> Invoice:
    """The EN 16931 model of a UBL ``Invoice`` or ``CreditNote`` root element."""
    is_credit_note = etree.QName(root).localname == "CreditNote"
    prefix = "CreditNote" if is_credit_note else "Invoice"
    quantity_tag = "cbc:CreditedQuantity" if is_credit_note else "cbc:InvoicedQuantity"
    currency = _X.text(root, "cbc:DocumentCurrencyCode")
    vat_currency = _X.text(root, "cbc:TaxCurrencyCode")
    means = _X.all(root, "cac:PaymentMeans")
    due_date = to_iso_date(_X.text(root, "cbc:DueDate"))
    if due_date is None:
        due_date = next(
            (d for d in (to_iso_date(_X.text(m, "cbc:PaymentDueDate")) for m in means) if d), None
        )
    delivery = _X.el(root, "cac:Delivery")
    return Invoice(
        syntax="ubl",
        number=_X.text(root, "cbc:ID"),
        issue_date=to_iso_date(_X.text(root, "cbc:IssueDate")),
        type_code=_X.text(root, f"cbc:{prefix}TypeCode"),
        currency=currency,
        vat_currency=vat_currency,
        tax_point_date=to_iso_date(_X.text(root, "cbc:TaxPointDate")),
        due_date=due_date,
        buyer_reference=_X.text(root, "cbc:BuyerReference"),
        project_reference=_X.text(root, "cac:ProjectReference/cbc:ID"),
        contract_reference=_X.text(root, "cac:ContractDocumentReference/cbc:ID"),
        order_reference=_X.text(root, "cac:OrderReference/cbc:ID"),
        sales_order_reference=_X.text(root, "cac:OrderReference/cbc:SalesOrderID"),
        receiving_advice_reference=_X.text(root, "cac:ReceiptDocumentReference/cbc:ID"),
        despatch_advice_reference=_X.text(root, "cac:DespatchDocumentReference/cbc:ID"),
        accounting_reference=_X.text(root, "cbc:AccountingCost"),
        payment_terms="\n".join(_X.texts(root, "cac:PaymentTerms/cbc:Note")) or None,
        notes=_X.texts(root, "cbc:Note"),
        profile=_X.text(root, "cbc:CustomizationID"),
        business_process=_X.text(root, "cbc:ProfileID"),
        preceding_invoices=[
            PrecedingInvoice(number=number, issue_date=to_iso_date(_X.text(ref, "cbc:IssueDate")))
            for ref in _X.all(root, "cac:BillingReference/cac:InvoiceDocumentReference")
            if (number := _X.text(ref, "cbc:ID"))
        ],
        seller=_party(_X.el(root, "cac:AccountingSupplierParty/cac:Party")) or Party(),
        buyer=_party(_X.el(root, "cac:AccountingCustomerParty/cac:Party")) or Party(),
        payee=_party(_X.el(root, "cac:PayeeParty"), name_from_party_name=True),
        tax_representative=_party(_X.el(root, "cac:TaxRepresentativeParty"), name_from_party_name=True),
        delivery_date=to_iso_date(_X.text(delivery, "cbc:ActualDeliveryDate")),
        delivery_location_id=_identifier(_X.el(delivery, "cac:DeliveryLocation/cbc:ID")),
        payment_means=[_payment_means(node) for node in means],
        allowances_charges=[_allowance_charge(ac) for ac in _X.all(root, "cac:AllowanceCharge")],
        totals=_totals(root, currency, vat_currency),
        vat_breakdown=[_vat_breakdown(sub) for sub in _X.all(root, "cac:TaxTotal/cac:TaxSubtotal")],
        lines=[_line(node, quantity_tag) for node in _X.all(root, f"cac:{prefix}Line")],
        attachments=[
            _attachment(ref)
            for ref in _X.all(root, "cac:AdditionalDocumentReference")
            if _X.text(ref, "cbc:DocumentTypeCode") != _INVOICED_OBJECT_TYPE
        ],
    )
