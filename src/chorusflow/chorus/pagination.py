"""Walking every page of a Chorus Pro search without losing or repeating a result.

Other connectors read the first page only, and lost every invoice after the
tenth of a flow. The walker here follows the page count the server reports,
and does not trust it blindly either:

* if the first page holds fewer items than asked while ``total`` says there are
  more, the server capped the page size silently; the walk goes on with the
  server's size, so page numbers mean the same thing on both sides;
* if the reported pages are exhausted but fewer than ``total`` distinct items
  came back, it keeps asking until a page comes back empty;
* items are deduplicated by their id, since results that shift while we read
  (a new deposit sorted first) would otherwise appear twice.

Each operation names its pagination block differently; ``PageSpec`` records
the wire names for the operations the hub pages through.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

__all__ = [
    "EXECUTING_SERVICES",
    "RECIPIENTS",
    "STRUCTURES",
    "STRUCTURE_SERVICES",
    "SUPPLIER_INVOICES",
    "PageSpec",
    "iter_items",
]

log = logging.getLogger("chorusflow.chorus")

#: Stop after this many pages whatever the server says, so a lying server cannot loop us forever.
MAX_PAGES = 100_000


@dataclass(frozen=True, slots=True)
class PageSpec:
    """Wire names of one paginated search."""

    operation: str
    #: Key of the ``{pageResultatDemandee, nbResultatsParPage, ...}`` block in the request.
    request_key: str
    #: Key of the result list in the answer.
    list_key: str
    #: Key that identifies an item, for deduplication (None: no deduplication).
    item_key: str | None
    #: Key of the ``{pageCourante, pages, nbResultatsParPage, total}`` block; None when at the top level.
    info_key: str | None = "parametresRetour"


SUPPLIER_INVOICES = PageSpec(
    "factures/rechercher/fournisseur",
    "rechercheFactureParFournisseur",
    "listeFactures",
    "identifiantFactureCPP",
)
STRUCTURES = PageSpec("structures/rechercher", "parametres", "listeStructures", "idStructureCPP")
STRUCTURE_SERVICES = PageSpec(
    "structures/rechercher/services", "parametresRechercherServicesStructure", "listeServices", "idService"
)
RECIPIENTS = PageSpec(
    "transverses/rechercher/destinataire", "parametresRecherche", "listeDestinataires", "idStructureCPP"
)
EXECUTING_SERVICES = PageSpec(
    "transverses/rechercher/serviceexecutant", "parametresRecherche", "listeServices", "idServicesCPP"
)


def _int(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def iter_items(
    fetch: Callable[[dict[str, Any]], dict[str, Any]],
    spec: PageSpec,
    request: dict[str, Any],
    *,
    page_size: int = 100,
    sort_column: str | None = None,
    sort_direction: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield every item of a search, page after page, as raw dicts.

    ``fetch`` sends one request body and returns the decoded answer; ``request``
    holds the filters (its own pagination block, if any, is replaced).
    """
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    size = page_size
    page = 1
    seen: set[Any] = set()
    distinct = 0
    while page <= MAX_PAGES:
        block: dict[str, Any] = {"pageResultatDemandee": page, "nbResultatsParPage": size}
        if sort_direction:
            block["triSens"] = sort_direction
        if sort_column:
            block["triColonne"] = sort_column
        data = fetch({**request, spec.request_key: block})
        items = data.get(spec.list_key) or []
        info = (data.get(spec.info_key) or {}) if spec.info_key else data
        pages, total, server_size = (
            _int(info.get("pages")),
            _int(info.get("total")),
            _int(info.get("nbResultatsParPage")),
        )

        if page == 1 and items:
            capped = size
            if server_size and server_size < capped:
                capped = server_size
            if len(items) < capped and total is not None and len(items) < total:
                capped = len(items)
            if capped < size:
                log.info("%s: server pages by %d, not %d; following its size", spec.operation, capped, size)
                size = capped

        fresh = 0
        for item in items:
            key = item.get(spec.item_key) if spec.item_key else None
            if key is not None:
                if key in seen:
                    continue
                seen.add(key)
            fresh += 1
            yield item
        distinct += fresh

        if not items:
            return
        if total is None and pages is None:
            if len(items) < size or (page > 1 and fresh == 0):
                return
        else:
            expected = max(pages or 0, math.ceil(total / size) if total is not None else 0)
            # Past the reported count we only go on while pages bring new items (a server that
            # clamps the page number would otherwise repeat its last page forever).
            if page >= expected and (total is None or distinct >= total or fresh == 0):
                return
        page += 1
    log.warning("%s: stopped after %d pages", spec.operation, MAX_PAGES)
