"""Read typed values out of an invoice tree, leniently.

A parser that raised on the first odd amount would hide every other problem of the
document: the validation rules (XSD, schematron, Chorus checks) are where a bad value
is reported, with its rule id. So a value that is not a proper ``xsd:decimal`` or
date comes back as ``None`` here, exactly like a missing one, and parsing goes on.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import date
from decimal import Decimal

from lxml import etree

__all__ = [
    "TreeReader",
    "decode_base64",
    "split_tax_totals",
    "to_decimal",
    "to_iso_date",
    "to_yyyymmdd_date",
]

_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)\Z")
_YYYYMMDD = re.compile(r"(\d{4})(\d{2})(\d{2})\Z")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2})?\Z")


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def to_decimal(value: str | None) -> Decimal | None:
    """An ``xsd:decimal`` as written (``Decimal("100.00")`` keeps its two places)."""
    value = _clean(value)
    if value is None or not _DECIMAL.match(value):
        return None
    return Decimal(value)


def _make_date(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def to_yyyymmdd_date(value: str | None, fmt: str | None = "102") -> date | None:
    """A CII date: only format 102 (CCYYMMDD) names a day; 610/616 name months/weeks."""
    value = _clean(value)
    if value is None or fmt not in (None, "102"):
        return None
    match = _YYYYMMDD.match(value)
    return _make_date(*match.groups()) if match else None


def to_iso_date(value: str | None) -> date | None:
    """A UBL ``xsd:date`` (an optional time-zone suffix is allowed and ignored)."""
    value = _clean(value)
    if value is None:
        return None
    match = _ISO_DATE.match(value)
    return _make_date(*match.groups()) if match else None


def split_tax_totals(
    amounts: list[etree._Element], currency: str | None, vat_currency: str | None
) -> tuple[etree._Element | None, etree._Element | None]:
    """BT-110 (invoice currency) and BT-111 (VAT accounting currency, BT-6) among tax totals.

    Both syntaxes repeat the tax total once per currency when BT-6 differs from BT-5.
    """
    vat = next((t for t in amounts if t.get("currencyID") in (None, currency)), None)
    vat_acc = None
    if vat_currency and vat_currency != currency:
        vat_acc = next((t for t in amounts if t.get("currencyID") == vat_currency), None)
    return vat, vat_acc


def decode_base64(value: str | None) -> bytes | None:
    """Attachment content; ``None`` when it is not valid base64 (validation reports it)."""
    if value is None:
        return None
    compact = "".join(value.split())
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return None


class TreeReader:
    """Namespace-bound ElementPath lookups (compiled paths are cached by lxml)."""

    __slots__ = ("ns",)

    def __init__(self, ns: dict[str, str]) -> None:
        self.ns = ns

    def el(self, node: etree._Element | None, path: str) -> etree._Element | None:
        return None if node is None else node.find(path, self.ns)

    def all(self, node: etree._Element | None, path: str) -> list[etree._Element]:
        return [] if node is None else node.findall(path, self.ns)

    def text(self, node: etree._Element | None, path: str) -> str | None:
        found = self.el(node, path)
        return None if found is None else _clean(found.text)

    def texts(self, node: etree._Element | None, path: str) -> list[str]:
        return [value for value in (_clean(found.text) for found in self.all(node, path)) if value]

    def attr(self, node: etree._Element | None, path: str, name: str) -> str | None:
        found = self.el(node, path)
        return None if found is None else _clean(found.get(name))

    def dec(self, node: etree._Element | None, path: str) -> Decimal | None:
        return to_decimal(self.text(node, path))
