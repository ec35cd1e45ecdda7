"""Stages, states and statuses of flows and documents (seed 000), as enums.

The values are what the database stores and what ``--json`` prints, so they
never change once released. Chorus statuses are stored as the API's own codes
so a value read from Chorus Pro needs no translation to be kept.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "ChorusStatus",
    "DistributionStatus",
    "ErrorType",
    "FlowState",
    "Stage",
]


class Stage(StrEnum):
    """The five pipeline stages a flow goes through, in order."""

    IMPORT = "import"
    PREPARATION = "preparation"
    VALIDATION = "validation"
    SIGNATURE = "signature"
    DISTRIBUTION = "distribution"

    @property
    def order(self) -> int:
        return list(Stage).index(self)


class FlowState(StrEnum):
    """Where a flow stands within its current stage."""

    RUNNING = "running"
    WAITING = "waiting"  # human approval, or the next automatic submission
    IN_ERROR = "in_error"
    DONE = "done"


class DistributionStatus(StrEnum):
    """The seven generic statuses of a document (seed 000)."""

    PENDING_VALIDATION = "pending_validation"
    ACCEPTED_IN_VALIDATION = "accepted_in_validation"
    SIGNING = "signing"
    IN_DISTRIBUTION = "in_distribution"
    DISTRIBUTED = "distributed"
    REJECTED_IN_VALIDATION = "rejected_in_validation"
    IN_ERROR = "in_error"


class ChorusStatus(StrEnum):
    """The twelve Chorus Pro statuses of seed 000, as the API spells them.

    "Rejected by Chorus Pro" is a rejection at integration of the deposit,
    which the API reports with the flow state ``IN_REJETE`` rather than an
    invoice status, so that code stands for it.
    """

    DEPOSITED = "DEPOSEE"
    MADE_AVAILABLE = "MISE_A_DISPOSITION"
    COMPLETED = "COMPLETEE"
    TAKEN_INTO_ACCOUNT = "PRISE_EN_COMPTE_DESTINATAIRE"
    PAYMENT_ORDERED = "MANDATEE"
    SENT_TO_ACCOUNTANT = "MISE_A_DISPOSITION_COMPTABLE"
    ACCOUNTED = "COMPTABILISEE"
    PAYMENT_ISSUED = "MISE_EN_PAIEMENT"
    REJECTED_BY_CHORUS = "IN_REJETE"
    SUSPENDED = "SUSPENDUE"
    TO_RECYCLE = "A_RECYCLER"
    REJECTED = "REJETEE"

    @property
    def label(self) -> str:
        return _CHORUS_LABELS[self]


_CHORUS_LABELS = {
    ChorusStatus.DEPOSITED: "Deposited",
    ChorusStatus.MADE_AVAILABLE: "Transferred to the recipient",
    ChorusStatus.COMPLETED: "Completed",
    ChorusStatus.TAKEN_INTO_ACCOUNT: "Taken into account",
    ChorusStatus.PAYMENT_ORDERED: "Mandated / DP validated",
    ChorusStatus.SENT_TO_ACCOUNTANT: "Transferred to the accountant",
    ChorusStatus.ACCOUNTED: "Accounted",
    ChorusStatus.PAYMENT_ISSUED: "Put in payment",
    ChorusStatus.REJECTED_BY_CHORUS: "Rejected by Chorus Pro",
    ChorusStatus.SUSPENDED: "Suspended",
    ChorusStatus.TO_RECYCLE: "To recycle",
    ChorusStatus.REJECTED: "Rejected",
}


class ErrorType(StrEnum):
    """Error type codes shown on a flow or file in error (seed 000 "type of error")."""

    UNSUPPORTED_FORMAT = "UNSUPPORTED_FORMAT"
    DUPLICATE_FILE = "DUPLICATE_FILE"
    EMPTY_FILE = "EMPTY_FILE"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    XML_MALFORMED = "XML_MALFORMED"
    XML_FORBIDDEN_DTD = "XML_FORBIDDEN_DTD"
    XML_ENTITY_BOMB = "XML_ENTITY_BOMB"
    XML_WRONG_NAMESPACE = "XML_WRONG_NAMESPACE"
    XML_INVALID_ENCODING = "XML_INVALID_ENCODING"
    PDF_ENCRYPTED = "PDF_ENCRYPTED"
    PDF_DAMAGED = "PDF_DAMAGED"
    IMAGE_NOT_PDF = "IMAGE_NOT_PDF"
    ZUGFERD1_NOT_SUPPORTED = "ZUGFERD1_NOT_SUPPORTED"
    ZIP_BOMB = "ZIP_BOMB"
    ZIP_PATH_TRAVERSAL = "ZIP_PATH_TRAVERSAL"
    ZIP_DAMAGED = "ZIP_DAMAGED"
    ZIP_ENCRYPTED = "ZIP_ENCRYPTED"
    NO_DOCUMENT = "NO_DOCUMENT"
    METADATA_INVALID = "METADATA_INVALID"
    NO_PROVIDER = "NO_PROVIDER"
    DISTRIBUTION_FAILED = "DISTRIBUTION_FAILED"
    INTERNAL = "INTERNAL"
