"""The four ways a Chorus Pro call can fail, each calling for a different reaction.

The hub must decide, for every failure, whether to fix the configuration
(authentication), fix the document (functional), try again later (transient)
or give up and tell a human (permanent). Keeping those four apart in the type
is what lets the submission stage retry the right things and only those.

Every error carries a stable short ``code`` for the UI and logs, and never the
client secret, the technical password or the access token: messages are built
from status codes, operation names and already-redacted server text.
"""

from __future__ import annotations

__all__ = [
    "ChorusAuthError",
    "ChorusConfigError",
    "ChorusError",
    "ChorusFunctionalError",
    "ChorusPermanentError",
    "ChorusTransientError",
]


class ChorusError(Exception):
    """Base of every error raised by the Chorus Pro client."""

    code: str = "chorus_error"

    def __init__(self, message: str, *, operation: str | None = None) -> None:
        super().__init__(message)
        self.operation = operation

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class ChorusConfigError(ChorusError, ValueError):
    """The client was given settings it cannot work with (bad URL, unreadable PKCS#12...)."""

    code = "chorus_config"


class ChorusAuthError(ChorusError):
    """PISTE or Chorus Pro refused who we are: OAuth client, technical account or rights.

    Raised for token endpoint refusals, for a 401 that persists after one token
    renewal, and for every 403. ``detail`` holds the server's explanation (the
    OAuth ``error_description`` or the ``WWW-Authenticate`` header), which is
    the only useful clue when a technical password has expired.
    """

    code = "chorus_auth"

    def __init__(
        self,
        message: str,
        *,
        operation: str | None = None,
        status: int | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message, operation=operation)
        self.status = status
        self.detail = detail


class ChorusFunctionalError(ChorusError):
    """Chorus Pro answered with ``codeRetour != 0``: the request was understood and refused.

    Raised whatever the HTTP status (sources disagree on 200 versus 400), so
    callers react to the business code, e.g. 20002 on ``completer`` means the
    invoice is not suspended. Retrying the same request will not help.
    """

    code = "chorus_functional"

    def __init__(
        self,
        *,
        operation: str,
        code_retour: int,
        libelle: str | None,
        http_status: int,
        body: dict | None = None,
    ) -> None:
        super().__init__(
            f"Chorus Pro refused {operation}: codeRetour={code_retour} libelle={libelle!r} "
            f"(HTTP {http_status})",
            operation=operation,
        )
        self.code_retour = code_retour
        self.libelle = libelle
        self.http_status = http_status
        self.body = body or {}


class ChorusTransientError(ChorusError):
    """The call failed for a reason that may go away: timeout, connection, 5xx, 429.

    Raised after the retry budget is spent, or at once when retrying could
    duplicate a write. ``maybe_processed`` is True when the request may have
    reached Chorus Pro (a read timeout or a 5xx on a deposit): the caller must
    then ask Chorus whether the invoice arrived before sending it again.
    """

    code = "chorus_transient"

    def __init__(
        self,
        message: str,
        *,
        operation: str | None = None,
        attempts: int = 1,
        status: int | None = None,
        retry_after: float | None = None,
        maybe_processed: bool = False,
    ) -> None:
        super().__init__(message, operation=operation)
        self.attempts = attempts
        self.status = status
        self.retry_after = retry_after
        self.maybe_processed = maybe_processed


class ChorusPermanentError(ChorusError):
    """A failure that retrying cannot fix: another 4xx, or a body that is not the expected JSON."""

    code = "chorus_permanent"

    def __init__(
        self,
        message: str,
        *,
        operation: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message, operation=operation)
        self.status = status
