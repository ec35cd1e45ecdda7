"""Request and response models of the action, rule, lifecycle and receivables API routes.

Kept apart from :mod:`chorusflow.web.schemas` (tracking and providers) so
each file stays readable; the conventions are the same: inputs forbid
unknown fields, amounts are strings, ids are bounded.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ActionOut",
    "DocumentPanelOut",
    "HealthOut",
    "MoveIn",
    "NotificationOut",
    "ReadIn",
    "RerouteIn",
    "RuleOut",
    "RulePreviewOut",
    "SubmitOut",
]

DbId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SubmitOut(_Out):
    provider: str
    queued: bool
    report: dict[str, Any] | None


class ActionOut(_Out):
    action_id: int
    state: str = Field(description="done, failed (may be tried again) or needs_decision")
    attempts: int
    chorus_status: str | None
    error: str | None


class RerouteIn(_In):
    """What changes for an A_RECYCLER invoice; at least one of the three routing fields."""

    recipient_siret: str | None = Field(None, pattern=r"^\d{14}$")
    service_code: str | None = Field(None, min_length=1, max_length=100)
    engagement_number: str | None = Field(None, min_length=1, max_length=50)
    comment: str | None = Field(None, max_length=2000)
    decide: bool = Field(False, description="Run it again after it waited for a decision")


class DocumentPanelOut(_Out):
    lifecycle: dict[str, Any]
    supplier_actions: list[dict[str, Any]]
    submission: dict[str, Any] | None
    flow_error: dict[str, Any] | None
    rejected_guidance: dict[str, Any] | None
    actions: dict[str, bool]


class RuleOut(_Out):
    id: int | None
    kind: str
    field: str
    pattern: str
    value: dict[str, Any]
    position: int


class MoveIn(_In):
    direction: Literal["up", "down"]


class RulePreviewOut(_Out):
    document_id: int | None
    number: str | None
    file_name: str
    send: bool
    send_rule: int | None
    recipient_siret: str | None
    service_code: str | None
    bank_account_id: int | None
    attachments: list[str]
    applied_rules: list[int]


class HealthOut(_Out):
    provider: str
    token: str = Field(description="ok, refused, unreachable or unknown")
    token_error: str | None
    password_expires_at: str | None
    password: str = Field(description="ok, expiring (within 15 days), expired or unknown")
    days_left: int | None
    warnings: list[str]
    sync: dict[str, Any]


class NotificationOut(_Out):
    notification_id: int
    kind: str
    recipient: str
    flow_id: int | None
    document_id: int | None
    subject: str
    body: str
    created_at: str
    read: bool


class ReadIn(_In):
    notification_ids: list[DbId] = Field(min_length=1, max_length=500)
