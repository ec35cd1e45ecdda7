"""Local users, password hashes, browser sessions and API tokens.

Passwords are hashed with scrypt (standard library, memory-hard) in a
self-describing string so the parameters can be raised later without
breaking existing hashes. Session ids and API tokens are random 256-bit
values handed out once; only their SHA-256 is stored, so looking one up is
an indexed equality and a database leak does not leak a usable credential.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection

from chorusflow.web.tables import api_tokens, users, web_sessions

__all__ = [
    "SESSION_LIFETIME",
    "AccountError",
    "Role",
    "User",
    "create_api_token",
    "create_session",
    "create_user",
    "delete_session",
    "get_user",
    "hash_password",
    "list_users",
    "resolve_api_token",
    "resolve_session",
    "update_user",
    "user_count",
    "verify_password",
]

SESSION_LIFETIME = timedelta(hours=12)
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
MIN_PASSWORD = 8


class Role(StrEnum):
    """Roles of seeds 000/001, each including the ones before it.

    ``tracking`` reads the tracking module; ``chorus_user`` also files
    (upload, approve/reject); ``chorus_admin`` also configures providers;
    ``admin`` also manages users and sees every provider's flows.
    """

    TRACKING = "tracking"
    CHORUS_USER = "chorus_user"
    CHORUS_ADMIN = "chorus_admin"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


class AccountError(ValueError):
    """A user or token request that cannot be honoured; the message says what to change."""


@dataclass(frozen=True)
class User:
    id: int
    login: str
    role: Role
    providers: tuple[str, ...] = ()
    label: str | None = None
    active: bool = True
    created_at: datetime | None = field(default=None, compare=False)

    @property
    def sees_all_providers(self) -> bool:
        return self.role is Role.ADMIN


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    b64 = base64.b64encode
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _user(row: Any) -> User:
    return User(
        id=row.id,
        login=row.login,
        role=Role(row.role),
        providers=tuple(row.providers or ()),
        label=row.label,
        active=row.active,
        created_at=row.created_at,
    )


def _check_login(login: str) -> None:
    if not login or len(login) > 100 or not all(c.isalnum() or c in "._@-" for c in login):
        raise AccountError(f"Login {login!r} is not valid: use 1-100 letters, digits, '.', '_', '-' or '@'.")


def create_user(
    conn: Connection,
    login: str,
    password: str,
    role: Role | str,
    *,
    providers: list[str] | tuple[str, ...] = (),
    label: str | None = None,
) -> User:
    _check_login(login)
    try:
        role = Role(role)
    except ValueError:
        raise AccountError(
            f"Unknown role {role!r}; choose one of: {', '.join(r.value for r in Role)}."
        ) from None
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"The password must have at least {MIN_PASSWORD} characters.")
    if get_user(conn, login) is not None:
        raise AccountError(f"A user {login!r} already exists.")
    conn.execute(
        insert(users).values(
            login=login,
            password_hash=hash_password(password),
            role=role.value,
            providers=list(dict.fromkeys(providers)),
            label=label or None,
            active=True,
            created_at=datetime.now(UTC),
        )
    )
    user = get_user(conn, login)
    assert user is not None
    return user


def update_user(
    conn: Connection,
    user_id: int,
    *,
    role: Role | None = None,
    providers: list[str] | None = None,
    label: str | None = None,
    active: bool | None = None,
    password: str | None = None,
) -> None:
    values: dict[str, Any] = {}
    if role is not None:
        values["role"] = Role(role).value
    if providers is not None:
        values["providers"] = list(dict.fromkeys(providers))
    if label is not None:
        values["label"] = label or None
    if active is not None:
        values["active"] = active
    if password:
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"The password must have at least {MIN_PASSWORD} characters.")
        values["password_hash"] = hash_password(password)
    if values:
        conn.execute(update(users).where(users.c.id == user_id).values(**values))
    if active is False or password:
        conn.execute(delete(web_sessions).where(web_sessions.c.user_id == user_id))


def get_user(conn: Connection, login: str | None = None, *, user_id: int | None = None) -> User | None:
    clause = users.c.login == login if user_id is None else users.c.id == user_id
    row = conn.execute(select(users).where(clause)).first()
    return _user(row) if row else None


def list_users(conn: Connection) -> list[User]:
    return [_user(r) for r in conn.execute(select(users).order_by(users.c.login))]


def user_count(conn: Connection) -> int:
    return conn.scalar(select(func.count()).select_from(users)) or 0


def authenticate(conn: Connection, login: str, password: str) -> User | None:
    """The active user with this login and password, or None (same cost either way)."""
    row = conn.execute(select(users).where(users.c.login == login)).first()
    stored = row.password_hash if row else hash_password("timing-equaliser")
    ok = verify_password(password, stored)
    if row is None or not ok or not row.active:
        return None
    return _user(row)


@dataclass(frozen=True)
class SessionInfo:
    user: User
    csrf_token: str


def create_session(conn: Connection, user: User) -> tuple[str, str]:
    """A new session for ``user``: (cookie value, CSRF token). Expired sessions are purged."""
    now = datetime.now(UTC)
    conn.execute(delete(web_sessions).where(web_sessions.c.expires_at < now))
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    conn.execute(
        insert(web_sessions).values(
            token_hash=_digest(token),
            user_id=user.id,
            csrf_token=csrf,
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    return token, csrf


def resolve_session(conn: Connection, token: str) -> SessionInfo | None:
    row = conn.execute(
        select(users, web_sessions.c.csrf_token)
        .join(web_sessions, web_sessions.c.user_id == users.c.id)
        .where(web_sessions.c.token_hash == _digest(token), web_sessions.c.expires_at > datetime.now(UTC))
    ).first()
    if row is None or not row.active:
        return None
    return SessionInfo(_user(row), row.csrf_token)


def delete_session(conn: Connection, token: str) -> None:
    conn.execute(delete(web_sessions).where(web_sessions.c.token_hash == _digest(token)))


def create_api_token(conn: Connection, user: User, name: str = "api") -> str:
    """A new machine token for ``user``; shown once, stored hashed."""
    token = "cf_" + secrets.token_urlsafe(32)
    conn.execute(
        insert(api_tokens).values(
            token_hash=_digest(token), user_id=user.id, name=name[:100], created_at=datetime.now(UTC)
        )
    )
    return token


def resolve_api_token(conn: Connection, token: str) -> User | None:
    row = conn.execute(
        select(users, api_tokens.c.id.label("token_id"))
        .join(api_tokens, api_tokens.c.user_id == users.c.id)
        .where(api_tokens.c.token_hash == _digest(token))
    ).first()
    if row is None or not row.active:
        return None
    conn.execute(
        update(api_tokens).where(api_tokens.c.id == row.token_id).values(last_used_at=datetime.now(UTC))
    )
    return _user(row)
