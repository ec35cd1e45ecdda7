"""What the pre-flight rules need to know of the Chorus Pro directory.

The rules see only these frozen facts and a :class:`Directory` protocol; the
hub feeds them from the Chorus client through a cache with an expiry, the
tests from a dictionary. When Chorus cannot be reached the directory raises
:class:`DirectoryUnavailable` and the rules that depend on it are reported as
"not verified" instead of failing the flow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["Directory", "DirectoryUnavailable", "ServiceFacts", "StructureFacts"]


class DirectoryUnavailable(Exception):
    """Chorus Pro (or the cache) could not answer; the check is not verified."""


@dataclass(frozen=True, slots=True)
class ServiceFacts:
    code: str
    active: bool = True
    engagement_required: bool = False  # consulter/service parametres.numeroEngagement
    name: str | None = None


@dataclass(frozen=True, slots=True)
class StructureFacts:
    """A public recipient (or a supplier) as ``structures/consulter`` describes it."""

    siret: str
    structure_id: int | None = None  # idStructureCPP
    name: str | None = None
    active: bool = True
    service_required: bool = False  # codeServiceDoitEtreRenseigne
    engagement_required: bool = False  # numeroEJDoitEtreRenseigne
    service_or_engagement: bool = False  # gestionNumeroEJOuCodeService
    payment_status_not_reported: bool = False  # statutMiseEnPaiementNestPasRemonte
    services: dict[str, ServiceFacts] = field(default_factory=dict)


class Directory(Protocol):
    def structure(self, siret: str) -> StructureFacts | None:
        """The structure with this SIRET, or ``None`` when Chorus does not know it.

        Raises :class:`DirectoryUnavailable` when the answer cannot be had.
        """
        ...
