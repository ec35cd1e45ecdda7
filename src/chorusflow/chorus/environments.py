"""Where a provider's calls go: the local sandbox, PISTE qualification or PISTE production.

The PISTE hosts are fixed facts of the platform, so a provider only names its
environment; the sandbox (our emulator, or any look-alike) needs explicit
URLs. Certificate mode predates PISTE: it lives on other hosts with another
path layout, hence the ``path_style`` carried with the URLs.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from chorusflow.chorus.errors import ChorusConfigError

__all__ = [
    "LEGACY_HOSTS",
    "PISTE_HOSTS",
    "Endpoints",
    "Environment",
    "PathStyle",
    "resolve_endpoints",
]


class Environment(StrEnum):
    SANDBOX = "sandbox"
    QUALIFICATION = "qualification"
    PRODUCTION = "production"


class PathStyle(StrEnum):
    """How an operation path becomes a URL path."""

    #: ``/cpro/<family>/v1/<operation>`` (PISTE gateway, OAuth).
    PISTE = "piste"
    #: ``/<family>/<operation>`` under ``/service[-qualif]`` (certificate mode, before 2020).
    LEGACY = "legacy"


#: (API base, OAuth token URL) per PISTE environment.
PISTE_HOSTS: dict[Environment, tuple[str, str]] = {
    Environment.QUALIFICATION: (
        "https://sandbox-api.piste.gouv.fr",
        "https://sandbox-oauth.piste.gouv.fr/api/oauth/token",
    ),
    Environment.PRODUCTION: (
        "https://api.piste.gouv.fr",
        "https://oauth.piste.gouv.fr/api/oauth/token",
    ),
}

#: API base per environment for the certificate (client TLS) mode.
LEGACY_HOSTS: dict[Environment, str] = {
    Environment.QUALIFICATION: "https://chorus-pro.gouv.fr:5443/service-qualif",
    Environment.PRODUCTION: "https://chorus-pro.gouv.fr:5443/service",
}


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Resolved URLs of one environment; ``token_url`` is None in certificate mode."""

    environment: Environment
    api_base_url: str
    token_url: str | None
    path_style: PathStyle = PathStyle.PISTE

    def url(self, family: str, operation: str) -> str:
        """Absolute URL of ``operation`` (e.g. ``deposer/flux``) in API ``family`` (e.g. ``factures``)."""
        base = self.api_base_url.rstrip("/")
        if self.path_style is PathStyle.PISTE:
            return f"{base}/cpro/{family}/v1/{operation}"
        return f"{base}/{family}/{operation}"


def _check_url(name: str, value: str | None) -> str:
    if not value:
        raise ChorusConfigError(f"{name} is required for the sandbox environment: give the full URL")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ChorusConfigError(f"{name} {value!r} is not an http(s) URL: give e.g. http://127.0.0.1:8080")
    return value.rstrip("/")


def resolve_endpoints(
    environment: Environment | str,
    *,
    api_url: str | None = None,
    token_url: str | None = None,
    certificate: bool = False,
) -> Endpoints:
    """URLs for ``environment``; explicit URLs are required for the sandbox and override the others.

    ``certificate=True`` selects the pre-PISTE layout (client TLS, no OAuth) on
    qualification and production; on the sandbox it keeps the PISTE layout,
    since emulators only implement that one.
    """
    try:
        env = Environment(environment)
    except ValueError:
        choices = ", ".join(e.value for e in Environment)
        raise ChorusConfigError(
            f"unknown Chorus Pro environment {environment!r}: use one of {choices}"
        ) from None
    if env is Environment.SANDBOX:
        api = _check_url("api_url", api_url)
        # Certificate mode has no OAuth step, so no token URL even if one was given.
        token = None if certificate else _check_url("token_url", token_url)
        return Endpoints(env, api, token, PathStyle.PISTE)
    if certificate:
        api = _check_url("api_url", api_url) if api_url else LEGACY_HOSTS[env]
        return Endpoints(env, api, None, PathStyle.LEGACY)
    default_api, default_token = PISTE_HOSTS[env]
    api = _check_url("api_url", api_url) if api_url else default_api
    token = _check_url("token_url", token_url) if token_url else default_token
    return Endpoints(env, api, token, PathStyle.PISTE)
