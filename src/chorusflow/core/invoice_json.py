"""The parsed invoice as JSON, for storage and for ``--json`` output.

Decimals become strings (JSON numbers would lose "100.10" vs "100.1" and
invite float arithmetic), dates ISO strings. Attachment bytes are not put in
the JSON: they are replaced by their sha256, under which the intake stores
them in the blob store, so a 10 MB attachment does not bloat every query.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
from datetime import date
from decimal import Decimal
from typing import Any

from chorusflow.core.invoice import Invoice

__all__ = ["invoice_to_dict", "to_jsonable"]


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def to_jsonable(value: Any) -> Any:
    """Recursively turn dataclasses, Decimals, dates and bytes into JSON types."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if hasattr(type(value), "__dataclass_fields__"):
        return {name: to_jsonable(getattr(value, name)) for name in _field_names(type(value))}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    return value


def invoice_to_dict(invoice: Invoice) -> dict[str, Any]:
    """JSON form of an invoice; attachment content replaced by its sha256 and size."""
    data = to_jsonable(invoice)
    for raw, att in zip(invoice.attachments, data["attachments"], strict=True):
        att.pop("content", None)
        if raw.content is not None:
            att["content_sha256"] = hashlib.sha256(raw.content).hexdigest()
            att["size"] = len(raw.content)
    data["kind"] = invoice.kind.value
    return data
