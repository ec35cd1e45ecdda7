"""How every status Chorus Pro may report maps onto the hub's vocabulary.

Chorus Pro speaks some forty invoice status codes; the tracking screens show
the twelve of seed 000 (:class:`ChorusStatus`), the generic distribution
statuses, and — for the 2026 reform — the lifecycle codes 200 to 213. Keeping
the three mappings here, as data, lets ``docs/statuses.md`` and the tests read
the same table the sync uses, so the documentation cannot drift from the code.

A code that maps to ``None`` is recorded in the timeline but moves nothing
(drafts, OCR interpretation); an unknown code is treated the same way, since
Chorus adds codes over time and a sync must not fail on one.
"""

from __future__ import annotations

from dataclasses import dataclass

from chorusflow.core.statuses import ChorusStatus, DistributionStatus

__all__ = [
    "DISPUTE_STATUSES",
    "REFORM_CODES",
    "REMOTE_STATUSES",
    "RemoteStatus",
    "is_final",
    "map_remote",
    "reform_code",
]

C = ChorusStatus


@dataclass(frozen=True, slots=True)
class RemoteStatus:
    """One Chorus Pro code: what the hub shows for it and what the reform calls it."""

    code: str
    chorus: ChorusStatus | None  # one of the twelve, or None: shown in the timeline only
    reform: int | None  # French reform lifecycle code 200..213
    meaning: str


#: Reform lifecycle codes (XP Z12-012 / external specifications of the 2026 reform).
REFORM_CODES: dict[int, str] = {
    200: "Deposited (Déposée)",
    201: "Issued by the platform (Émise par la plateforme)",
    202: "Received by the platform (Reçue par la plateforme)",
    203: "Made available (Mise à disposition)",
    204: "Taken over (Prise en charge)",
    205: "Approved (Approuvée)",
    206: "Partially approved (Approuvée partiellement)",
    207: "Disputed (En litige)",
    208: "Suspended (Suspendue)",
    209: "Completed (Complétée)",
    210: "Refused (Refusée)",
    211: "Payment transmitted (Paiement transmis)",
    212: "Collected (Encaissée)",
    213: "Rejected (Rejetée)",
}

_ROWS: list[RemoteStatus] = [
    RemoteStatus("BROUILLON", None, None, "draft being keyed on the portal"),
    RemoteStatus("INTERPRETEE_OCR", None, None, "PDF read by OCR, waiting for soumettre"),
    RemoteStatus("DEPOSEE", C.DEPOSITED, 200, "accepted by Chorus Pro, deposit certificate issued"),
    RemoteStatus("EN_COURS_ACHEMINEMENT", C.DEPOSITED, 201, "being routed to the recipient"),
    RemoteStatus("MISE_A_DISPOSITION", C.MADE_AVAILABLE, 203, "available to the recipient"),
    RemoteStatus("PRISE_EN_COMPTE_DESTINATAIRE", C.TAKEN_INTO_ACCOUNT, 204, "taken into account"),
    RemoteStatus("SERVICE_FAIT", C.TAKEN_INTO_ACCOUNT, 205, "service certified by the recipient"),
    RemoteStatus("MANDATEE", C.PAYMENT_ORDERED, 205, "payment mandate issued"),
    RemoteStatus("MISE_A_DISPOSITION_COMPTABLE", C.SENT_TO_ACCOUNTANT, 205, "sent to the accountant"),
    RemoteStatus("COMPTABILISEE", C.ACCOUNTED, 205, "accounted by the public accountant"),
    RemoteStatus("MISE_EN_PAIEMENT", C.PAYMENT_ISSUED, 211, "payment issued"),
    RemoteStatus("A_RECYCLER", C.TO_RECYCLE, 207, "wrong recipient, service or commitment: re-route"),
    RemoteStatus("SUSPENDUE", C.SUSPENDED, 208, "a supporting document is missing"),
    RemoteStatus("A_COMPLETER", C.SUSPENDED, 208, "waiting for the supplier to complete it"),
    RemoteStatus("COMPLETEE", C.COMPLETED, 209, "the supplier answered a suspension"),
    RemoteStatus("REJETEE", C.REJECTED, 210, "refused by the recipient: credit note and new invoice"),
    RemoteStatus("IN_REJETE", C.REJECTED_BY_CHORUS, 213, "rejected at integration of the deposit"),
    RemoteStatus("SUPPRIMEE", C.REJECTED, 210, "deleted"),
    RemoteStatus("ABANDONNEE", C.REJECTED, 210, "abandoned"),
    # Validation circuit (frames with a validator): the invoice has not reached its recipient yet.
    RemoteStatus("A_VALIDER_1", C.DEPOSITED, 201, "waiting for the first validator"),
    RemoteStatus("VALIDEE_1", C.DEPOSITED, 201, "approved by the first validator"),
    RemoteStatus("A_VALIDER_2", C.DEPOSITED, 201, "waiting for the second validator"),
    RemoteStatus("VALIDEE_2", C.DEPOSITED, 201, "approved by the second validator"),
    RemoteStatus("ABSENCE_VALIDATION_1_HORS_DELAI", C.DEPOSITED, 201, "first validator did not answer"),
    RemoteStatus("ABSENCE_VALIDATION_2_HORS_DELAI", C.DEPOSITED, 201, "second validator did not answer"),
    RemoteStatus("REFUSEE_1", C.REJECTED, 210, "refused by the first validator"),
    RemoteStatus("REFUSEE_2", C.REJECTED, 210, "refused by the second validator"),
    RemoteStatus("ERREUR_FOURNISSEUR_SUR_VALIDEUR", C.TO_RECYCLE, 207, "supplier named the wrong validator"),
    RemoteStatus(
        "ERREUR_COTRAITANT_SUR_VALIDEUR", C.TO_RECYCLE, 207, "co-contractor named the wrong validator"
    ),
]

REMOTE_STATUSES: dict[str, RemoteStatus] = {row.code: row for row in _ROWS}

#: Chorus statuses that open a dispute in receivables (seed 004).
DISPUTE_STATUSES = frozenset({C.TO_RECYCLE, C.SUSPENDED, C.REJECTED})

#: Statuses after which Chorus Pro never reports anything new.
_TRULY_FINAL = frozenset({"MISE_EN_PAIEMENT", "REJETEE", "IN_REJETE", "SUPPRIMEE", "ABANDONNEE"})

#: Generic distribution status a document has once Chorus reported ``status``.
GENERIC_FOR: dict[ChorusStatus, DistributionStatus] = {
    **{s: DistributionStatus.DISTRIBUTED for s in ChorusStatus},
    C.REJECTED_BY_CHORUS: DistributionStatus.IN_ERROR,
}


def map_remote(code: str | None) -> ChorusStatus | None:
    """The seed-000 status for a Chorus code; None for drafts and codes the hub does not know."""
    row = REMOTE_STATUSES.get(code or "")
    return row.chorus if row else None


def reform_code(code: str | None) -> int | None:
    row = REMOTE_STATUSES.get(code or "")
    return row.reform if row else None


def is_final(code: str | None, *, payment_not_reported: bool | None = False) -> bool:
    """True when polling this invoice can stop.

    MANDATEE is *not* final in general: the recipient still has the
    accountant's steps and MISE_EN_PAIEMENT to report. It is final only when
    the recipient's structure declares ``statutMiseEnPaiementNestPasRemonte``,
    because then nothing after it will ever come.
    """
    if code in _TRULY_FINAL:
        return True
    return bool(payment_not_reported) and code in {
        "MANDATEE",
        "COMPTABILISEE",
        "MISE_A_DISPOSITION_COMPTABLE",
    }
