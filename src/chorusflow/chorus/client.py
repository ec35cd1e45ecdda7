"""``ChorusClient``: one provider's connection to Chorus Pro, shared by the hub's worker threads.

The facade only wires the pieces together: endpoints from the environment,
the identity (OAuth or certificate), one transport with its token cache and
retry policy, and the three API families. Build it once per provider and
share it; ``sleep``, ``clock`` and ``rng`` are injectable so tests of the
retry logic run in milliseconds.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Self

import httpx
from pydantic import SecretStr

from chorusflow.chorus.auth import CertificateAuth, OAuthClient, TechnicalAccount
from chorusflow.chorus.environments import Endpoints, Environment, resolve_endpoints
from chorusflow.chorus.errors import ChorusConfigError
from chorusflow.chorus.factures import FacturesApi
from chorusflow.chorus.structures import StructuresApi
from chorusflow.chorus.transport import RetryPolicy, Transport
from chorusflow.chorus.transverses import TransversesApi

__all__ = ["AuthMode", "ChorusClient", "ChorusConfig"]


class AuthMode(StrEnum):
    OAUTH = "oauth"
    CERTIFICATE = "certificate"


@dataclass(frozen=True)
class ChorusConfig:
    """Everything needed to talk to Chorus Pro for one provider; secrets stay ``SecretStr``."""

    endpoints: Endpoints
    account: TechnicalAccount
    oauth: OAuthClient | None = None
    certificate: CertificateAuth | None = None
    timeout_s: float = 60.0
    connect_timeout_s: float = 10.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    token_safety_margin_s: float = 60.0
    verify: bool | str = True

    @property
    def auth_mode(self) -> AuthMode:
        return AuthMode.OAUTH if self.endpoints.token_url else AuthMode.CERTIFICATE

    @classmethod
    def create(
        cls,
        *,
        login: str,
        password: str | SecretStr,
        environment: Environment | str = Environment.SANDBOX,
        auth_mode: AuthMode | str = AuthMode.OAUTH,
        api_url: str | None = None,
        token_url: str | None = None,
        client_id: str | None = None,
        client_secret: str | SecretStr | None = None,
        pkcs12: bytes | str | Path | None = None,
        pkcs12_password: str | SecretStr | None = None,
        **options: object,
    ) -> ChorusConfig:
        """Build and check a configuration; each missing piece is named in the error."""
        mode = AuthMode(auth_mode)
        certificate = None
        oauth = None
        if mode is AuthMode.CERTIFICATE:
            if pkcs12 is None:
                raise ChorusConfigError("certificate mode needs a PKCS#12 file (.p12/.pfx) and its password")
            certificate = (
                CertificateAuth(pkcs12, pkcs12_password)
                if isinstance(pkcs12, bytes)
                else CertificateAuth.from_file(pkcs12, pkcs12_password)
            )
            certificate.subject()  # fail now, not at the first call, on a wrong password
        else:
            if not client_id or not client_secret:
                raise ChorusConfigError(
                    "OAuth mode needs the PISTE application's client id and client secret"
                )
            oauth = OAuthClient(client_id, client_secret)
        endpoints = resolve_endpoints(
            environment, api_url=api_url, token_url=token_url, certificate=mode is AuthMode.CERTIFICATE
        )
        if mode is AuthMode.OAUTH and endpoints.token_url is None:
            raise ChorusConfigError("OAuth mode needs a token URL")
        return cls(
            endpoints=endpoints,
            account=TechnicalAccount(login, password),
            oauth=oauth,
            certificate=certificate,
            **options,  # type: ignore[arg-type]
        )


class ChorusClient:
    """The Chorus Pro operations the hub uses, grouped as ``factures``, ``structures``, ``transverses``."""

    def __init__(
        self,
        config: ChorusConfig,
        *,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self.transport = Transport(
            config.endpoints,
            config.account,
            oauth=config.oauth,
            certificate=config.certificate,
            http=http,
            timeout=httpx.Timeout(config.timeout_s, connect=config.connect_timeout_s),
            verify=config.verify,
            retry=config.retry,
            token_safety_margin=config.token_safety_margin_s,
            sleep=sleep,
            clock=clock,
            rng=rng,
        )
        self.factures = FacturesApi(self.transport)
        self.structures = StructuresApi(self.transport)
        self.transverses = TransversesApi(self.transport)

    def __repr__(self) -> str:
        ep = self.config.endpoints
        return (
            f"ChorusClient({ep.environment.value}, {ep.api_base_url!r}, login={self.config.account.login!r})"
        )

    @property
    def calls(self) -> Counter[str]:
        """Requests sent per operation (token requests under ``oauth/token``), retries included."""
        return self.transport.calls

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
