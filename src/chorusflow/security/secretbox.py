"""Encryption of secrets at rest (Fernet: AES-128-CBC + HMAC-SHA256).

Provider passwords, OAuth client secrets, PKCS#12 files and their passwords
are stored encrypted; the key comes from ``CHORUSFLOW_SECRET_KEY`` or from a
key file created at first run in the data home with mode 0600, so a copied
database alone discloses nothing. :class:`Secret` wraps a decrypted value so
that it cannot end up in a log line, a traceback or an API answer by accident.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

__all__ = ["Secret", "SecretBox", "SecretKeyError", "load_or_create_key"]

PREFIX = "enc:v1:"


class SecretKeyError(Exception):
    """The key is missing, malformed, or is not the one the secrets were encrypted with."""


class Secret:
    """A secret value that never shows itself in ``str``/``repr``/f-strings."""

    __slots__ = ("_value",)

    def __init__(self, value: str | bytes) -> None:
        self._value = value

    def reveal(self) -> str | bytes:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("secret", self._value))

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("secrets are not pickled")


def load_or_create_key(home: Path, configured: str | None = None) -> bytes:
    """The key from settings, else ``<home>/secret.key`` (created 0600 if absent)."""
    if configured:
        key = configured.encode()
    else:
        path = home / "secret.key"
        if not path.exists():
            home.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(Fernet.generate_key())
        key = path.read_bytes().strip()
    try:
        Fernet(key)
    except (ValueError, TypeError) as exc:
        raise SecretKeyError(
            "The secret key is not a valid Fernet key (32 url-safe base64 bytes). "
            "Generate one with `python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`."
        ) from exc
    return key


class SecretBox:
    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    def __repr__(self) -> str:
        return "SecretBox(***)"

    def seal(self, value: str | bytes) -> str:
        raw = value.encode() if isinstance(value, str) else value
        return PREFIX + self._fernet.encrypt(raw).decode("ascii")

    def open_bytes(self, token: str) -> Secret:
        if not token.startswith(PREFIX):
            raise SecretKeyError("value is not an encrypted secret")
        try:
            return Secret(self._fernet.decrypt(token[len(PREFIX) :].encode("ascii")))
        except InvalidToken as exc:
            raise SecretKeyError(
                "A stored secret cannot be decrypted with the current key: the key file "
                "or CHORUSFLOW_SECRET_KEY changed. Restore the previous key, or enter the "
                "provider's secrets again."
            ) from exc

    def open(self, token: str) -> Secret:
        raw = self.open_bytes(token).reveal()
        assert isinstance(raw, bytes)
        return Secret(raw.decode())
