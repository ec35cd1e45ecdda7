"""The page walker against in-memory servers that page honestly, cap silently, clamp or shift."""

from __future__ import annotations

import math

import pytest

from chorusflow.chorus.pagination import SUPPLIER_INVOICES, iter_items

KEY = SUPPLIER_INVOICES.request_key


def invoices(n: int, start: int = 1) -> list[dict]:
    return [{"identifiantFactureCPP": i, "numeroFacture": f"F{i}"} for i in range(start, start + n)]


class Pager:
    """A search endpoint over ``items``; ``cap`` limits the page size like a server would."""

    def __init__(self, items, *, cap=None, report_asked=False, clamp=False, with_pages=True, with_total=True):
        self.items = items
        self.cap = cap
        self.report_asked = report_asked
        self.clamp = clamp
        self.with_pages = with_pages
        self.with_total = with_total
        self.requests: list[dict] = []

    def __call__(self, body: dict) -> dict:
        self.requests.append(body)
        page, asked = body[KEY]["pageResultatDemandee"], body[KEY]["nbResultatsParPage"]
        size = min(asked, self.cap) if self.cap else asked
        said = asked if self.report_asked else size
        last = max(1, math.ceil(len(self.items) / size))
        if self.clamp:
            page = min(page, last)
        chunk = self.items[(page - 1) * size : page * size]
        info = {"pageCourante": page, "nbResultatsParPage": said}
        if self.with_pages:
            info["pages"] = max(1, math.ceil(len(self.items) / said))
        if self.with_total:
            info["total"] = len(self.items)
        return {"codeRetour": 0, "listeFactures": chunk, "parametresRetour": info}


def ids(found):
    return [f["identifiantFactureCPP"] for f in found]


def test_walks_every_page_and_stops_on_the_reported_count():
    pager = Pager(invoices(25))
    found = list(iter_items(pager, SUPPLIER_INVOICES, {"numeroFluxDepot": "CPP1"}, page_size=10))
    assert ids(found) == list(range(1, 26))
    assert len(pager.requests) == 3
    assert all(r["numeroFluxDepot"] == "CPP1" for r in pager.requests)


def test_follows_a_server_that_caps_the_page_size_and_says_so():
    pager = Pager(invoices(37), cap=10)
    found = list(iter_items(pager, SUPPLIER_INVOICES, {}, page_size=100))
    assert ids(found) == list(range(1, 38))
    assert [r[KEY]["nbResultatsParPage"] for r in pager.requests] == [100, 10, 10, 10]


def test_more_than_ten_invoices_when_the_server_caps_silently():
    # The OCA bug: the server answers 10 items, claims the asked size and a single page.
    pager = Pager(invoices(37), cap=10, report_asked=True)
    found = list(iter_items(pager, SUPPLIER_INVOICES, {}, page_size=100))
    assert ids(found) == list(range(1, 38))


def test_a_server_that_clamps_the_page_number_does_not_loop():
    pager = Pager(invoices(12), cap=5, report_asked=True, clamp=True, with_pages=False)
    found = list(iter_items(pager, SUPPLIER_INVOICES, {}, page_size=10))
    assert ids(found) == list(range(1, 13))
    assert len(pager.requests) <= 5


def test_results_shifting_between_pages_are_neither_lost_nor_repeated():
    items = invoices(20)
    pager = Pager(items)

    def fetch(body):
        answer = pager(body)
        if body[KEY]["pageResultatDemandee"] == 1:
            items.insert(0, {"identifiantFactureCPP": 999})  # a new deposit sorted first
        return answer

    found = ids(iter_items(fetch, SUPPLIER_INVOICES, {}, page_size=10))
    assert len(found) == len(set(found))
    assert set(range(1, 21)) <= set(found)


@pytest.mark.parametrize("with_pages,with_total", [(True, False), (False, True), (False, False)])
def test_works_with_partial_page_information(with_pages, with_total):
    pager = Pager(invoices(23), with_pages=with_pages, with_total=with_total)
    assert ids(iter_items(pager, SUPPLIER_INVOICES, {}, page_size=10)) == list(range(1, 24))


def test_empty_search_costs_one_request():
    pager = Pager([])
    assert list(iter_items(pager, SUPPLIER_INVOICES, {}, page_size=10)) == []
    assert len(pager.requests) == 1


def test_page_size_must_be_positive():
    with pytest.raises(ValueError, match="page_size"):
        list(iter_items(Pager([]), SUPPLIER_INVOICES, {}, page_size=0))
