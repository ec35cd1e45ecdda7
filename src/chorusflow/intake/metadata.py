"""Metadata given at intake: sidecar JSON or CSV beside the files, or the API.

Metadata wins over what was read from the document (seed 001 "metadata
association"): an ERP knows the customer code, the engagement number or the
bank account better than the PDF does. Known keys overwrite the document's
tracking fields; every key is kept in ``Document.intake_metadata`` for the
provider's rules (``metadata.<key>``) and the per-user label filter.

* ``<file>.meta.json`` (or ``<file>.json`` beside a PDF): one object for that file;
* ``metadata.csv``: one row per file (column ``file``) or per invoice (column ``number``).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from chorusflow.core.entities import Document

__all__ = ["MetadataError", "apply_metadata", "is_sidecar", "read_sidecar", "sidecar_target"]

DATE_KEYS = ("issue_date",)
AMOUNT_KEYS = ("total_without_vat", "total_vat", "total_with_vat")
TEXT_KEYS = (
    "number",
    "customer_code",
    "recipient_name",
    "recipient_siret",
    "service_code",
    "engagement_number",
    "supplier_siret",
    "currency",
    "type",
)


class MetadataError(ValueError):
    """A sidecar that cannot be read; the message says which and how to fix it."""


def is_sidecar(name: str) -> bool:
    lower = name.lower()
    return lower.endswith(".meta.json") or lower.rsplit("/", 1)[-1] == "metadata.csv"


def sidecar_target(name: str) -> str | None:
    """The file a ``.meta.json`` sidecar describes (None for a CSV, which names its files)."""
    if name.lower().endswith(".meta.json"):
        return name[: -len(".meta.json")]
    return None


def read_sidecar(name: str, data: bytes) -> dict[str, dict[str, Any]]:
    """Metadata keyed by file name, or by ``#<number>`` for CSV rows naming an invoice."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MetadataError(f"{name} is not UTF-8 text; save it as UTF-8.") from exc
    target = sidecar_target(name)
    if target is not None:
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise MetadataError(f"{name} is not valid JSON ({exc.msg} line {exc.lineno}).") from exc
        if not isinstance(value, dict):
            raise MetadataError(f"{name} must hold one JSON object of key/value pairs.")
        return {target: value}
    rows = list(csv.DictReader(io.StringIO(text), dialect=csv.Sniffer().sniff(text[:2048], ";,\t")))
    out: dict[str, dict[str, Any]] = {}
    for i, row in enumerate(rows, start=2):
        clean = {k.strip(): v.strip() for k, v in row.items() if k and v not in (None, "")}
        key = clean.pop("file", None)
        if key is None and "number" in clean:
            key = "#" + clean["number"]
        if key is None:
            raise MetadataError(f"{name} line {i}: give a 'file' or a 'number' column to say which invoice.")
        out[key] = clean
    return out


def apply_metadata(document: Document, metadata: dict[str, Any]) -> list[str]:
    """Overwrite the document's fields with the metadata's; returns problems (bad values)."""
    problems = []
    for key in TEXT_KEYS:
        if metadata.get(key) not in (None, ""):
            setattr(document, key, str(metadata[key]).strip())
    for key in DATE_KEYS:
        if metadata.get(key):
            try:
                setattr(document, key, date.fromisoformat(str(metadata[key])))
            except ValueError:
                problems.append(f"{key}={metadata[key]!r} is not a date (use YYYY-MM-DD)")
    for key in AMOUNT_KEYS:
        if metadata.get(key) not in (None, ""):
            try:
                setattr(document, key, Decimal(str(metadata[key]).replace(",", ".")))
            except InvalidOperation:
                problems.append(f"{key}={metadata[key]!r} is not an amount")
    document.intake_metadata = {**(document.intake_metadata or {}), **metadata}
    return problems
