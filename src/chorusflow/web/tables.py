"""Tables of the web area: local users, browser sessions and machine API tokens.

They sit on the hub's one metadata (listed in ``storage.all_tables``) so the
migration sync test covers them. Secrets are never stored in clear: passwords
as scrypt hashes, session ids and API tokens as their SHA-256 (a stolen
database does not give a working cookie or token).
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Integer, String, Table

from chorusflow.storage.schema import Tz, metadata

__all__ = ["api_tokens", "users", "web_sessions"]

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("login", String(100), nullable=False, unique=True),
    Column("password_hash", String(300), nullable=False),
    Column("role", String(20), nullable=False),
    Column("providers", JSON, nullable=False),  # provider names this user may file for
    Column("label", String(200)),  # per-user invoice filter: documents.intake_metadata["label"]
    Column("active", Boolean, nullable=False),
    Column("created_at", Tz, nullable=False),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", Tz, nullable=False),
    Column("expires_at", Tz, nullable=False, index=True),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("created_at", Tz, nullable=False),
    Column("last_used_at", Tz),
)
