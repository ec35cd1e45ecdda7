"""The EN 16931 semantic model, shared by every syntax we read.

UBL and CII are two spellings of the same business terms (BT-n, BG-n); the
hub, the validation rules and the sandbox all reason on this one model so
that a rule written once applies to both syntaxes. Amounts are ``Decimal``
(never float: VAT arithmetic must round exactly as the XML says) and are left
``None`` when the document does not carry them, so "missing" and "zero" stay
distinct for the validation rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

__all__ = [
    "SIRET_SCHEME",
    "Address",
    "AllowanceCharge",
    "Attachment",
    "DocumentKind",
    "Identifier",
    "Invoice",
    "InvoiceLine",
    "Party",
    "PaymentMeans",
    "PrecedingInvoice",
    "Totals",
    "VatBreakdown",
]

#: ISO 6523 ICD scheme of a French SIRET (BT-29/BT-46 ``schemeID``).
SIRET_SCHEME = "0009"

#: UNTDID 1001 codes that denote a credit note (BT-3).
CREDIT_NOTE_TYPE_CODES = frozenset({"381", "396", "81", "83", "532", "261", "262", "308"})


class DocumentKind(StrEnum):
    """Invoice or credit note, derived from the type code (BT-3)."""

    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


@dataclass(slots=True)
class Identifier:
    """An identifier with its scheme (ISO 6523 ICD or the syntax's own)."""

    value: str
    scheme: str | None = None


@dataclass(slots=True)
class Address:
    """BG-5 / BG-8 / BG-15: postal address."""

    line1: str | None = None
    line2: str | None = None
    line3: str | None = None
    city: str | None = None
    postcode: str | None = None
    subdivision: str | None = None
    country: str | None = None


@dataclass(slots=True)
class Party:
    """BG-4 seller / BG-7 buyer / BG-10 payee / BG-11 seller tax representative."""

    name: str | None = None
    trading_name: str | None = None
    identifiers: list[Identifier] = field(default_factory=list)  # BT-29 / BT-46
    legal_id: Identifier | None = None  # BT-30 / BT-47
    vat_id: str | None = None  # BT-31 / BT-48
    tax_registration_id: str | None = None  # BT-32
    electronic_address: Identifier | None = None  # BT-34 / BT-49
    address: Address | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None

    @property
    def siret(self) -> str | None:
        """The SIRET among the identifiers (scheme 0009), or the legal id if it is one.

        Chorus Pro routes on the SIRET; suppliers put it in either place, so
        both are looked at, identifiers first (that is where Chorus reads it).
        """
        for ident in self.identifiers:
            if ident.scheme == SIRET_SCHEME:
                return ident.value
        if self.legal_id and self.legal_id.scheme == SIRET_SCHEME:
            return self.legal_id.value
        for ident in self.identifiers:
            if ident.scheme is None and len(ident.value) == 14 and ident.value.isdigit():
                return ident.value
        return None


@dataclass(slots=True)
class PaymentMeans:
    """BG-16: how the buyer pays; the IBAN (BT-84) matters to Chorus Pro."""

    type_code: str | None = None  # BT-81
    text: str | None = None  # BT-82
    remittance_info: str | None = None  # BT-83
    account_id: str | None = None  # BT-84 (IBAN for credit transfer)
    account_name: str | None = None  # BT-85
    bank_id: str | None = None  # BT-86 (BIC)
    card_pan: str | None = None  # BT-87
    mandate_id: str | None = None  # BT-89
    debited_account: str | None = None  # BT-91


@dataclass(slots=True)
class AllowanceCharge:
    """BG-20/BG-21 (document level) and BG-27/BG-28 (line level)."""

    is_charge: bool
    amount: Decimal | None = None
    base_amount: Decimal | None = None
    percentage: Decimal | None = None
    vat_category: str | None = None
    vat_rate: Decimal | None = None
    reason: str | None = None
    reason_code: str | None = None


@dataclass(slots=True)
class VatBreakdown:
    """BG-23: one VAT category and rate with its base and amount."""

    category: str | None = None  # BT-118
    rate: Decimal | None = None  # BT-119
    taxable_amount: Decimal | None = None  # BT-116
    tax_amount: Decimal | None = None  # BT-117
    exemption_reason: str | None = None  # BT-120
    exemption_reason_code: str | None = None  # BT-121


@dataclass(slots=True)
class InvoiceLine:
    """BG-25: one invoice line."""

    id: str | None = None  # BT-126
    note: str | None = None  # BT-127
    quantity: Decimal | None = None  # BT-129
    unit_code: str | None = None  # BT-130
    net_amount: Decimal | None = None  # BT-131
    order_line_ref: str | None = None  # BT-132
    net_price: Decimal | None = None  # BT-146
    gross_price: Decimal | None = None  # BT-148
    price_base_quantity: Decimal | None = None  # BT-149
    name: str | None = None  # BT-153
    description: str | None = None  # BT-154
    seller_item_id: str | None = None  # BT-155
    standard_item_id: Identifier | None = None  # BT-157
    vat_category: str | None = None  # BT-151
    vat_rate: Decimal | None = None  # BT-152
    allowances_charges: list[AllowanceCharge] = field(default_factory=list)


@dataclass(slots=True)
class Totals:
    """BG-22: document totals."""

    line_total: Decimal | None = None  # BT-106
    allowance_total: Decimal | None = None  # BT-107
    charge_total: Decimal | None = None  # BT-108
    without_vat: Decimal | None = None  # BT-109
    vat: Decimal | None = None  # BT-110
    vat_accounting_currency: Decimal | None = None  # BT-111
    with_vat: Decimal | None = None  # BT-112
    prepaid: Decimal | None = None  # BT-113
    rounding: Decimal | None = None  # BT-114
    due: Decimal | None = None  # BT-115


@dataclass(slots=True)
class PrecedingInvoice:
    """BG-3: the invoice a credit note or corrective invoice refers to."""

    number: str
    issue_date: date | None = None


@dataclass(slots=True)
class Attachment:
    """BG-24: an additional supporting document, embedded or referenced."""

    id: str | None = None  # BT-122
    description: str | None = None  # BT-123
    uri: str | None = None  # BT-124
    filename: str | None = None  # BT-125 filename attribute
    mime_type: str | None = None  # BT-125 mimeCode attribute
    content: bytes | None = field(default=None, repr=False)  # BT-125 decoded

    @property
    def size(self) -> int:
        return len(self.content) if self.content is not None else 0


@dataclass(slots=True)
class Invoice:
    """BG-0: one invoice or credit note, whatever its syntax.

    ``syntax`` and ``profile`` record where the data came from (``cii``/``ubl``
    and the BT-24 specification identifier) because validation and the Chorus
    deposit route depend on them.
    """

    syntax: str  # "cii" or "ubl"
    number: str | None = None  # BT-1
    issue_date: date | None = None  # BT-2
    type_code: str | None = None  # BT-3
    currency: str | None = None  # BT-5
    vat_currency: str | None = None  # BT-6
    tax_point_date: date | None = None  # BT-7
    due_date: date | None = None  # BT-9
    buyer_reference: str | None = None  # BT-10 (Chorus Pro service code)
    project_reference: str | None = None  # BT-11
    contract_reference: str | None = None  # BT-12
    order_reference: str | None = None  # BT-13 (Chorus Pro engagement number)
    sales_order_reference: str | None = None  # BT-14
    receiving_advice_reference: str | None = None  # BT-15
    despatch_advice_reference: str | None = None  # BT-16
    accounting_reference: str | None = None  # BT-19
    payment_terms: str | None = None  # BT-20
    notes: list[str] = field(default_factory=list)  # BG-1
    profile: str | None = None  # BT-24
    business_process: str | None = None  # BT-23
    preceding_invoices: list[PrecedingInvoice] = field(default_factory=list)
    seller: Party = field(default_factory=Party)
    buyer: Party = field(default_factory=Party)
    payee: Party | None = None
    tax_representative: Party | None = None
    delivery_date: date | None = None  # BT-72
    delivery_location_id: Identifier | None = None  # BT-71
    payment_means: list[PaymentMeans] = field(default_factory=list)
    allowances_charges: list[AllowanceCharge] = field(default_factory=list)
    totals: Totals = field(default_factory=Totals)
    vat_breakdown: list[VatBreakdown] = field(default_factory=list)
    lines: list[InvoiceLine] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def kind(self) -> DocumentKind:
        if self.type_code in CREDIT_NOTE_TYPE_CODES:
            return DocumentKind.CREDIT_NOTE
        return DocumentKind.INVOICE

    @property
    def iban(self) -> str | None:
        for means in self.payment_means:
            if means.account_id:
                return means.account_id
        return None
