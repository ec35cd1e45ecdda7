"""The Chorus Pro pre-flight rules themselves.

Sources for each rule are in docs/validation.md (OCA ``l10n_fr_chorus_account``,
the Chorus community guides, the reference's directory flags). Every rule
returns :class:`~chorusflow.core.validation.Finding` objects with
``source="chorus"`` so they sit in the same report as the EN 16931 ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from chorusflow.core.invoice import DocumentKind, Invoice
from chorusflow.core.preflight.directory import Directory, DirectoryUnavailable, StructureFacts
from chorusflow.core.provider import siret_ok
from chorusflow.core.validation import Finding

__all__ = [
    "ACCEPTED_FACTURX_PROFILES",
    "ALLOWED_ATTACHMENT_EXTENSIONS",
    "PreflightInput",
    "iban_ok",
    "run_preflight",
]

MAX_NUMBER_LENGTH = 20
#: Letters, digits and ``- _ / +`` (Chorus annex, the client model and the sandbox agree).
NUMBER_CHARSET = re.compile(r"[A-Za-z0-9\-_/+]+")
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_TOTAL_BYTES = 120 * 1024 * 1024
MAX_ATTACHMENT_NAME = 50
ALLOWED_ATTACHMENT_EXTENSIONS = frozenset(
    {
        "bmp",
        "gif",
        "fax",
        "odt",
        "ppt",
        "tiff",
        "xls",
        "bz2",
        "gz",
        "jpeg",
        "p7s",
        "rtf",
        "txt",
        "xml",
        "csv",
        "gzip",
        "jpg",
        "pdf",
        "svg",
        "xhtml",
        "xlsx",
        "doc",
        "htm",
        "odp",
        "png",
        "tgz",
        "xlc",
        "zip",
        "docx",
        "html",
        "ods",
        "pps",
        "tif",
        "xlm",
        "pptx",
    }
)
#: Factur-X profiles that carry a full invoice; MINIMUM and BASIC WL do not.
ACCEPTED_FACTURX_PROFILES = frozenset({"BASIC", "EN 16931", "EXTENDED", "XRECHNUNG"})
ACCEPTED_FORMATS = frozenset({"facturx", "cii", "ubl_invoice", "ubl_credit_note", "pdf"})
CREDIT_TRANSFER_CODES = frozenset({"30", "31", "42", "58"})


@dataclass
class PreflightInput:
    """Everything the rules look at for one document."""

    invoice: Invoice | None
    format: str  # FileFormat value
    profile: str | None
    provider_siret: str | None
    file_size: int = 0  # the invoice file as received, embedded BG-24 documents included
    extra_attachments: list[tuple[str, int]] = field(default_factory=list)  # (name, size)
    already_submitted: Callable[[str], bool] | None = None


def iban_ok(iban: str) -> bool:
    """ISO 13616 mod-97 check."""
    compact = re.sub(r"\s+", "", iban).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def _fatal(rule: str, message: str, location: str | None = None) -> Finding:
    return Finding(rule=rule, severity="fatal", message=message, location=location, source="chorus")


def _warning(rule: str, message: str, location: str | None = None) -> Finding:
    return Finding(rule=rule, severity="warning", message=message, location=location, source="chorus")


def run_preflight(data: PreflightInput, directory: Directory | None) -> list[Finding]:
    """All Chorus Pro pre-flight findings for one document.

    ``directory=None`` or a directory that raises :class:`DirectoryUnavailable`
    turns the directory checks into one ``CPRO-NOT-VERIFIED`` warning.
    """
    findings = _syntax(data)
    invoice = data.invoice
    if invoice is None:
        return findings
    findings += _supplier(invoice, data.provider_siret)
    findings += _number(invoice, data.already_submitted)
    findings += _credit_note(invoice)
    findings += _payment(invoice)
    findings += _attachments(invoice, data)
    recipient = invoice.buyer.siret
    if not recipient:
        findings.append(
            _fatal("CPRO-RECIPIENT-SIRET-MISSING", "The buyer has no SIRET (scheme 0009).", "BT-46")
        )
        return findings
    if not siret_ok(recipient):
        findings.append(
            _fatal("CPRO-RECIPIENT-SIRET-INVALID", f"Buyer SIRET {recipient} is not a valid SIRET.", "BT-46")
        )
        return findings
    try:
        if directory is None:
            raise DirectoryUnavailable("no Chorus Pro connection configured")
        structure = directory.structure(recipient)
    except DirectoryUnavailable as exc:
        findings.append(
            _warning(
                "CPRO-NOT-VERIFIED",
                f"Recipient, service code and engagement checks not verified: {exc}",
                "BT-46",
            )
        )
        return findings
    findings += _recipient(invoice, recipient, structure)
    return findings


def _syntax(data: PreflightInput) -> list[Finding]:
    if data.format not in ACCEPTED_FORMATS:
        return [_fatal("CPRO-SYNTAX-NOT-ACCEPTED", f"Chorus Pro does not accept the format {data.format}.")]
    if data.format == "facturx" and (data.profile or "").upper() not in ACCEPTED_FACTURX_PROFILES:
        return [
            _fatal(
                "CPRO-PROFILE-NOT-ACCEPTED",
                f"Factur-X profile {data.profile or 'unknown'} is not a full invoice for Chorus Pro.",
                "BT-24",
            )
        ]
    return []


def _supplier(invoice: Invoice, provider_siret: str | None) -> list[Finding]:
    siret = invoice.seller.siret
    out = []
    if not siret_ok(siret):
        out.append(
            _fatal("CPRO-SUPPLIER-SIRET-INVALID", f"Seller SIRET {siret or '(none)'} is not valid.", "BT-29")
        )
    if provider_siret and siret != provider_siret:
        out.append(
            _fatal(
                "CPRO-SUPPLIER-SIRET-MISMATCH",
                f"Seller SIRET {siret or '(none)'} is not the provider's SIRET {provider_siret}.",
                "BT-29",
            )
        )
    return out


def _number(invoice: Invoice, already_submitted: Callable[[str], bool] | None) -> list[Finding]:
    number = invoice.number or ""
    out = []
    if len(number) > MAX_NUMBER_LENGTH:
        out.append(
            _fatal(
                "CPRO-INVOICE-NUMBER-TOO-LONG",
                f"Invoice number {number!r} has {len(number)} characters (max {MAX_NUMBER_LENGTH}).",
                "BT-1",
            )
        )
    if number and not NUMBER_CHARSET.fullmatch(number):
        out.append(
            _fatal(
                "CPRO-INVOICE-NUMBER-CHARSET", f"Invoice number {number!r} has forbidden characters.", "BT-1"
            )
        )
    if number and already_submitted is not None and already_submitted(number):
        out.append(
            _fatal(
                "CPRO-INVOICE-NUMBER-ALREADY-SUBMITTED",
                f"Invoice number {number!r} was already submitted by this supplier.",
                "BT-1",
            )
        )
    return out


def _credit_note(invoice: Invoice) -> list[Finding]:
    if invoice.kind is DocumentKind.CREDIT_NOTE and not invoice.preceding_invoices:
        return [
            _fatal("CPRO-CREDIT-NOTE-NO-REFERENCE", "The credit note names no invoice it corrects.", "BG-3")
        ]
    return []


def _payment(invoice: Invoice) -> list[Finding]:
    out = []
    for means in invoice.payment_means:
        account = means.account_id
        if means.type_code in CREDIT_TRANSFER_CODES and account and not iban_ok(account):
            out.append(_fatal("CPRO-IBAN-INVALID", f"Account {account} is not a valid IBAN.", "BT-84"))
    return out


def _attachments(invoice: Invoice, data: PreflightInput) -> list[Finding]:
    embedded = [(a.filename or a.id or "attachment", a.size) for a in invoice.attachments if a.content]
    items = embedded + data.extra_attachments
    out = []
    # Embedded documents travel inside the invoice file: count them apart only when its size is unknown.
    total = (data.file_size or sum(size for _, size in embedded)) + sum(
        size for _, size in data.extra_attachments
    )
    for name, size in items:
        if size > MAX_ATTACHMENT_BYTES:
            out.append(
                _fatal(
                    "CPRO-ATTACHMENT-TOO-LARGE", f"Attachment {name} is {size} bytes (max 10 MB).", "BG-24"
                )
            )
        if len(name) > MAX_ATTACHMENT_NAME:
            out.append(
                _fatal(
                    "CPRO-ATTACHMENT-NAME-TOO-LONG",
                    f"Attachment name {name!r} is over 50 characters.",
                    "BT-125",
                )
            )
        extension = name.rsplit(".", 1)[1].lower() if "." in name else ""
        if extension not in ALLOWED_ATTACHMENT_EXTENSIONS:
            out.append(
                _fatal(
                    "CPRO-ATTACHMENT-EXTENSION",
                    f"Attachment {name!r}: extension {extension or '(none)'} is not accepted.",
                    "BT-125",
                )
            )
    if total > MAX_TOTAL_BYTES:
        out.append(
            _fatal(
                "CPRO-ATTACHMENTS-TOTAL-TOO-LARGE",
                f"Invoice and attachments weigh {total} bytes (max 120 MB).",
                "BG-24",
            )
        )
    return out


def _recipient(invoice: Invoice, siret: str, structure: StructureFacts | None) -> list[Finding]:
    if structure is None:
        return [
            _fatal("CPRO-RECIPIENT-UNKNOWN", f"SIRET {siret} is not in the Chorus Pro directory.", "BT-46")
        ]
    if not structure.active:
        return [_fatal("CPRO-RECIPIENT-INACTIVE", f"Recipient {siret} is inactive in Chorus Pro.", "BT-46")]
    out = []
    code = (invoice.buyer_reference or "").strip()
    engagement = (invoice.order_reference or "").strip()
    service = None
    if code:
        service = structure.services.get(code)
        if service is None:
            out.append(
                _fatal("CPRO-SERVICE-UNKNOWN", f"Service code {code!r} is unknown for {siret}.", "BT-10")
            )
        elif not service.active:
            out.append(_fatal("CPRO-SERVICE-INACTIVE", f"Service {code!r} of {siret} is inactive.", "BT-10"))
    elif structure.service_required:
        out.append(
            _fatal("CPRO-SERVICE-CODE-REQUIRED", f"Recipient {siret} requires a service code.", "BT-10")
        )
    if not engagement and (structure.engagement_required or (service and service.engagement_required)):
        out.append(
            _fatal("CPRO-ENGAGEMENT-REQUIRED", f"Recipient {siret} requires an engagement number.", "BT-13")
        )
    if structure.service_or_engagement and not code and not engagement:
        out.append(
            _fatal(
                "CPRO-SERVICE-OR-ENGAGEMENT-REQUIRED",
                f"Recipient {siret} requires a service code or an engagement number.",
                "BT-10",
            )
        )
    return out
