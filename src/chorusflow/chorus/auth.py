"""Who we are to PISTE and Chorus Pro: OAuth client, technical account, client certificate.

Two identities travel on every PISTE call: the PISTE application (an OAuth
bearer token from client credentials) and the Chorus Pro technical account
(the ``cpro-account`` header). The token is cached and shared by all worker
threads of a provider, because PISTE issues one per request otherwise and a
batch of ten thousand deposits would spend as many round trips on tokens.

Secrets are ``SecretStr`` so that a repr, a log line or a traceback never
shows them; only the header builders below unwrap them.
"""

from __future__ import annotations

import base64
import os
import secrets
import ssl
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pydantic import SecretStr

from chorusflow.chorus.errors import ChorusConfigError

__all__ = [
    "AccessToken",
    "CertificateAuth",
    "OAuthClient",
    "TechnicalAccount",
    "TokenCache",
]

#: Renew a token this many seconds before PISTE says it expires.
DEFAULT_SAFETY_MARGIN_S = 60.0


def _secret(value: str | SecretStr) -> SecretStr:
    return value if isinstance(value, SecretStr) else SecretStr(value)


@dataclass(frozen=True, slots=True)
class OAuthClient:
    """A PISTE application's client credentials."""

    client_id: str
    client_secret: SecretStr

    def __init__(self, client_id: str, client_secret: str | SecretStr) -> None:
        if not client_id:
            raise ChorusConfigError("OAuth client id is empty: copy it from the PISTE application page")
        object.__setattr__(self, "client_id", client_id)
        object.__setattr__(self, "client_secret", _secret(client_secret))

    def token_form(self, scope: str = "openid") -> dict[str, str]:
        """Form body of the client-credentials grant (credentials in the body, not HTTP Basic)."""
        return {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret.get_secret_value(),
            "scope": scope,
        }


@dataclass(frozen=True, slots=True)
class TechnicalAccount:
    """The Chorus Pro technical account ("compte technique") of the supplier structure."""

    login: str
    password: SecretStr

    def __init__(self, login: str, password: str | SecretStr) -> None:
        if not login:
            raise ChorusConfigError("technical account login is empty: it looks like TECH_...@cpro.fr")
        object.__setattr__(self, "login", login)
        object.__setattr__(self, "password", _secret(password))

    def _pair(self) -> bytes:
        return f"{self.login}:{self.password.get_secret_value()}".encode()

    def cpro_account_header(self) -> str:
        """``cpro-account`` value: standard base64 of ``login:password`` (UTF-8, padded, one line)."""
        return base64.b64encode(self._pair()).decode("ascii")

    def basic_auth_header(self) -> str:
        """HTTP Basic value used by the certificate mode instead of ``cpro-account``."""
        return "Basic " + self.cpro_account_header()


@dataclass(frozen=True, slots=True)
class AccessToken:
    """A bearer token and the monotonic time after which we stop using it."""

    value: SecretStr = field(repr=False)
    expires_at: float

    def bearer(self) -> str:
        return "Bearer " + self.value.get_secret_value()


class TokenCache:
    """One OAuth token shared by threads, renewed before expiry and on demand after a 401.

    ``fetch`` performs the token request and returns ``(access_token, expires_in)``;
    it is called with the lock held so that twenty threads finding the cache
    empty cause one token request, not twenty.
    """

    def __init__(
        self,
        fetch: Callable[[], tuple[str, float]],
        *,
        safety_margin: float = DEFAULT_SAFETY_MARGIN_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._margin = safety_margin
        self._clock = clock
        self._lock = threading.Lock()
        self._token: AccessToken | None = None
        self.fetch_count = 0

    def __repr__(self) -> str:
        state = "empty" if self._token is None else "cached"
        return f"TokenCache({state}, safety_margin={self._margin})"

    def get(self) -> AccessToken:
        """A token valid for at least the safety margin, fetching one if needed."""
        with self._lock:
            token = self._token
            if token is not None and self._clock() < token.expires_at:
                return token
            return self._renew()

    def renew(self, stale: AccessToken | None) -> AccessToken:
        """Replace ``stale`` after a 401; if another thread already did, reuse its token."""
        with self._lock:
            if (
                self._token is not None
                and self._token is not stale
                and self._clock() < self._token.expires_at
            ):
                return self._token
            return self._renew()

    def clear(self) -> None:
        with self._lock:
            self._token = None

    def _renew(self) -> AccessToken:
        raw, expires_in = self._fetch()
        self.fetch_count += 1
        # A short-lived token (tests, some gateways) must not be treated as
        # already expired: never keep less than half of its life.
        margin = min(self._margin, max(expires_in, 0.0) / 2)
        self._token = AccessToken(SecretStr(raw), self._clock() + max(expires_in, 0.0) - margin)
        return self._token


class CertificateAuth:
    """Client TLS identity from a PKCS#12 file, for the certificate connection mode.

    ``ssl`` can only load a key from a file, so the key is written to a private
    temporary file, encrypted with a one-time passphrase, and removed at once:
    the clear key never touches the disk.
    """

    def __init__(self, pkcs12_data: bytes, password: str | SecretStr | None) -> None:
        self._data = pkcs12_data
        self._password = None if password is None else _secret(password)

    @classmethod
    def from_file(cls, path: str | Path, password: str | SecretStr | None) -> CertificateAuth:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise ChorusConfigError(f"cannot read the PKCS#12 file {path}: {exc.strerror}") from None
        return cls(data, password)

    def __repr__(self) -> str:
        return f"CertificateAuth(<{len(self._data)} bytes>, password=**********)"

    def _load(self) -> tuple[object, object, list]:
        pw = None if self._password is None else self._password.get_secret_value().encode()
        try:
            key, cert, extra = pkcs12.load_key_and_certificates(self._data, pw)
        except ValueError:
            raise ChorusConfigError(
                "the PKCS#12 file could not be opened: check its password, or that it is a .p12/.pfx file"
            ) from None
        if key is None or cert is None:
            raise ChorusConfigError("the PKCS#12 file must hold both a private key and its certificate")
        return key, cert, list(extra or [])

    def subject(self) -> str:
        """The certificate's subject, to show which identity a provider uses."""
        _, cert, _ = self._load()
        return cert.subject.rfc4514_string()  # type: ignore[attr-defined]

    def ssl_context(self, verify: bool | str = True) -> ssl.SSLContext:
        """An SSL context presenting this certificate; ``verify`` may be a CA bundle path."""
        key, cert, extra = self._load()
        ctx = ssl.create_default_context(cafile=verify if isinstance(verify, str) else None)
        if verify is False:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        passphrase = secrets.token_bytes(32)
        pem = key.private_bytes(  # type: ignore[attr-defined]
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(passphrase),
        )
        for c in [cert, *extra]:
            pem += c.public_bytes(serialization.Encoding.PEM)  # type: ignore[attr-defined]
        fd, name = tempfile.mkstemp(suffix=".pem")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(pem)
            ctx.load_cert_chain(name, password=passphrase)
        finally:
            os.unlink(name)
        return ctx
