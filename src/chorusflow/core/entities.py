"""Flows, files, documents and events: the tracked entities of seed 000.

They are plain dataclasses so the core stays free of I/O; the storage layer
maps them onto tables imperatively (``chorusflow.storage.mapping``). Status
attributes are private (``_state``, ``_distribution_status`` ...) and read
through properties: the only writer is :func:`chorusflow.core.transitions.transition`,
which checks the allowed-transitions table and returns the event row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from chorusflow.core.statuses import ChorusStatus, DistributionStatus, FlowState, Stage

__all__ = ["Document", "Event", "Flow", "FlowError", "StoredFile"]


@dataclass(slots=True)
class FlowError:
    """What went wrong, where, and what to do about it (seed 000 error details)."""

    stage: Stage
    type: str
    message: str
    resolution: str
    at: datetime | None = None


@dataclass(eq=False)
class StoredFile:
    """One file of an intake; the bytes live in the blob store under ``sha256``."""

    name: str
    size: int
    sha256: str
    media_type: str
    format: str  # FileFormat value
    id: int | None = None
    flow_id: int | None = None
    profile: str | None = None
    error_type: str | None = None
    error_message: str | None = None
    error_resolution: str | None = None
    duplicate_of_flow_id: int | None = None
    parent_name: str | None = None  # the ZIP it came out of

    @property
    def in_error(self) -> bool:
        return self.error_type is not None and self.duplicate_of_flow_id is None


@dataclass(eq=False)
class Document:
    """One invoice or credit note found in a file."""

    number: str | None = None
    issue_date: date | None = None
    type: str = "invoice"  # DocumentKind value
    type_code: str | None = None
    customer_code: str | None = None
    recipient_name: str | None = None
    recipient_siret: str | None = None
    service_code: str | None = None
    engagement_number: str | None = None
    supplier_siret: str | None = None
    total_without_vat: Decimal | None = None
    total_vat: Decimal | None = None
    total_with_vat: Decimal | None = None
    currency: str | None = None
    distribution_channel: str = "chorus_pro"
    comment: str | None = None
    invoice: dict[str, Any] | None = None  # the parsed EN 16931 invoice, JSON form
    needs_data: bool = False  # a plain PDF: its data must come from metadata or OCR
    intake_metadata: dict[str, Any] | None = None  # given at intake: wins over the invoice's data
    validation: dict[str, Any] | None = None  # the last validation report
    deposit_sha256: str | None = None  # what to deposit when not the original: enriched XML, sealed PDF
    id: int | None = None
    flow_id: int | None = None
    file_id: int | None = None
    status_updated_at: datetime | None = None
    events: list[Event] = field(default_factory=list)
    _distribution_status: str | None = None
    _chorus_status: str | None = None

    @property
    def distribution_status(self) -> DistributionStatus | None:
        return DistributionStatus(self._distribution_status) if self._distribution_status else None

    @property
    def chorus_status(self) -> ChorusStatus | None:
        return ChorusStatus(self._chorus_status) if self._chorus_status else None


@dataclass(eq=False)
class Flow:
    """One intake: a set of files going through the stages together."""

    submitter: str
    imported_at: datetime
    source: str = "cli"  # cli, upload, api, hot_folder
    provider: str | None = None
    validator_name: str | None = None
    first_invoice_date: date | None = None
    last_invoice_date: date | None = None
    first_invoice_number: str | None = None
    last_invoice_number: str | None = None
    stage_ended_at: dict[str, str] = field(default_factory=dict)  # Stage value -> ISO time
    error_stage: str | None = None
    error_type: str | None = None
    error_message: str | None = None
    error_resolution: str | None = None
    error_at: datetime | None = None
    in_history: bool = False
    id: int | None = None
    files: list[StoredFile] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    _stage: str = Stage.IMPORT.value
    _state: str = FlowState.RUNNING.value

    @property
    def stage(self) -> Stage:
        return Stage(self._stage)

    @property
    def state(self) -> FlowState:
        return FlowState(self._state)

    @property
    def file_count(self) -> int:
        return len(self.files)

    @property
    def document_count(self) -> int:
        return len(self.documents)

    @property
    def error(self) -> FlowError | None:
        if self.error_type is None:
            return None
        return FlowError(
            stage=Stage(self.error_stage or self._stage),
            type=self.error_type,
            message=self.error_message or "",
            resolution=self.error_resolution or "",
            at=self.error_at,
        )

    @property
    def to_check(self) -> bool:
        """Needs a person: in error, a file in error, or a document rejected in validation.

        Seed 000 puts flows "in error during processing" and flows with a
        document rejected in validation under To check; a file of a batch
        that could not be read is such an error even when the other files of
        the flow went on. A duplicate is only flagged: it is not an error.
        """
        if self.state is FlowState.IN_ERROR:
            return True
        if any(f.in_error for f in self.files):
            return True
        return any(d.distribution_status is DistributionStatus.REJECTED_IN_VALIDATION for d in self.documents)


@dataclass(eq=False)
class Event:
    """An append-only history row: one status change of a flow or a document."""

    entity: str  # "flow" | "document"
    attribute: str  # "stage_state", "distribution_status", "chorus_status", "history"
    from_value: str | None
    to_value: str
    actor: str
    at: datetime
    comment: str | None = None
    flow_id: int | None = None  # set for flow events
    document_id: int | None = None  # set for document events
    id: int | None = None
