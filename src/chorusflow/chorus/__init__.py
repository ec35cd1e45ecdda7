"""Client of the Chorus Pro API (through PISTE or the local sandbox).

Import from here: ``ChorusClient``, ``ChorusConfig``, the errors and the models.
"""

from chorusflow.chorus.auth import CertificateAuth, OAuthClient, TechnicalAccount
from chorusflow.chorus.client import AuthMode, ChorusClient, ChorusConfig
from chorusflow.chorus.environments import Endpoints, Environment, resolve_endpoints
from chorusflow.chorus.errors import (
    ChorusAuthError,
    ChorusConfigError,
    ChorusError,
    ChorusFunctionalError,
    ChorusPermanentError,
    ChorusTransientError,
)
from chorusflow.chorus.transport import RetryPolicy

__all__ = [
    "AuthMode",
    "CertificateAuth",
    "ChorusAuthError",
    "ChorusClient",
    "ChorusConfig",
    "ChorusConfigError",
    "ChorusError",
    "ChorusFunctionalError",
    "ChorusPermanentError",
    "ChorusTransientError",
    "Endpoints",
    "Environment",
    "OAuthClient",
    "RetryPolicy",
    "TechnicalAccount",
    "resolve_endpoints",
]
