"""Request and response models of the REST API (``/api/v1``).

Responses mirror :mod:`chorusflow.tracking.views` (the CLI's ``--json``)
field for field; amounts are strings with a pattern (exact decimals, and a
schema a generator cannot fill with ``""``); inputs forbid unknown fields.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from chorusflow.core.provider import AuthMode, Environment, UploadMode
from chorusflow.web.search import AMOUNT_PATTERN

__all__ = [
    "DecisionIn",
    "DecisionOut",
    "DocumentDetail",
    "DocumentOut",
    "ErrorOut",
    "FlowDetail",
    "FlowList",
    "FlowSummary",
    "HistoryIn",
    "IntakeOut",
    "MeOut",
    "ProviderIn",
    "ProviderOut",
    "ProviderPatch",
    "TabsOut",
]

Amount = Annotated[str, Field(pattern=AMOUNT_PATTERN)]
DbId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ErrorOut(_Out):
    detail: str


class InvoiceInterval(_Out):
    first_date: str | None
    last_date: str | None
    first_number: str | None
    last_number: str | None


class FlowErrorOut(_Out):
    stage: str
    type: str
    message: str
    resolution: str
    at: str | None


class FlowSummary(_Out):
    flow_id: int
    stage: str
    state: str
    imported_at: str
    submitter: str
    source: str
    provider: str | None
    file_count: int
    document_count: int
    invoice_interval: InvoiceInterval
    validator_name: str | None
    stage_ended_at: dict[str, str]
    error: FlowErrorOut | None
    to_check: bool
    in_history: bool


class FileErrorOut(_Out):
    type: str
    message: str | None
    resolution: str | None


class FileOut(_Out):
    file_id: int | None
    name: str
    size: int
    sha256: str | None
    media_type: str
    format: str
    profile: str | None
    parent: str | None
    duplicate_of_flow_id: int | None
    error: FileErrorOut | None


class DocumentOut(_Out):
    document_id: int
    file_id: int | None
    number: str | None
    issue_date: str | None
    type: str
    type_code: str | None
    customer_code: str | None
    recipient_name: str | None
    recipient_siret: str | None
    service_code: str | None
    engagement_number: str | None
    supplier_siret: str | None
    total_without_vat: Amount | None
    total_vat: Amount | None
    total_with_vat: Amount | None
    currency: str | None
    distribution_channel: str
    distribution_status: str | None
    chorus_status: str | None
    status_updated_at: str | None
    comment: str | None
    needs_data: bool


class EventOut(_Out):
    entity: str
    flow_id: int | None
    document_id: int | None
    attribute: str
    from_: str | None = Field(alias="from")
    to: str
    actor: str
    at: str | None
    comment: str | None

    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True)


class FlowDetail(FlowSummary):
    files: list[FileOut]
    documents: list[DocumentOut]
    events: list[EventOut]


class DocumentDetail(DocumentOut):
    flow_id: int
    invoice: dict[str, object] | None
    validation: dict[str, object] | None
    intake_metadata: dict[str, object] | None
    events: list[EventOut]


class FlowList(_Out):
    tab: str
    total: int
    limit: int
    offset: int
    to_check_count: int
    flows: list[FlowSummary]


class TabsOut(_Out):
    active: int
    to_check: int
    history: int
    stages: dict[str, int]
    states: dict[str, int]


class MeOut(_Out):
    login: str
    role: str
    providers: list[str]
    label: str | None


class IntakeOut(_Out):
    flow_id: int
    files: int
    documents: int
    errors: int
    duplicates: int
    flow: FlowSummary


class HistoryIn(_In):
    in_history: bool


class DecisionIn(_In):
    action: Literal["approve", "reject"]
    document_ids: list[DbId] = Field(min_length=1, max_length=500)
    comment: str | None = Field(None, max_length=2000)


class DecisionOut(_Out):
    decided: list[int]
    status: str


ShortText = Annotated[str, Field(min_length=1, max_length=200)]
Url = Annotated[str, Field(min_length=1, max_length=500, pattern=r"^https?://\S+$")]
Siret = Annotated[str, Field(pattern=r"^\d{14}$")]
Secret = Annotated[str, Field(min_length=1, max_length=1000)]
Time = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
Names = Annotated[list[ShortText], Field(max_length=100)]


class ProviderSettings(_In):
    environment: Environment | None = None
    api_url: Url | None = None
    token_url: Url | None = None
    auth_mode: AuthMode | None = None
    client_id: ShortText | None = None
    auto_submit: bool | None = None
    send_attachments: bool | None = None
    require_approval: bool | None = None
    sign_pdf: bool | None = None
    batch_deposits: bool | None = None
    upload_mode: UploadMode | None = None
    sync_interval_minutes: int | None = Field(None, ge=1, le=1440)
    nightly_sync_time: Time | None = None
    notify_users: Names | None = None
    notify_groups: Names | None = None
    allowed_users: Names | None = None
    allowed_groups: Names | None = None


class ProviderIn(ProviderSettings):
    """A new provider; secrets are write-only (never returned)."""

    name: ShortText
    siret: Siret
    login: ShortText
    password: Secret
    client_secret: Secret | None = None


class ProviderPatch(ProviderSettings):
    """Changes to a provider; a secret left out keeps its stored value."""

    name: ShortText | None = None
    siret: Siret | None = None
    login: ShortText | None = None
    password: Secret | None = None
    client_secret: Secret | None = None


class SecretsSet(_Out):
    password: bool
    client_secret: bool
    pkcs12: bool
    pkcs12_password: bool


class ProviderOut(_Out):
    id: int
    name: str
    siret: str
    environment: str
    api_url: str | None
    token_url: str | None
    auth_mode: str
    client_id: str | None
    login: str
    secrets: SecretsSet
    auto_submit: bool
    send_attachments: bool
    require_approval: bool
    sign_pdf: bool
    batch_deposits: bool
    upload_mode: str
    sync_interval_minutes: int
    nightly_sync_time: str
    notify_users: list[str]
    notify_groups: list[str]
    allowed_users: list[str]
    allowed_groups: list[str]
