"""One HTTP exchange with Chorus Pro, turned into a JSON dict or one of four typed errors.

Everything that is the same for all operations lives here: headers, the
OAuth token and its renewal after a 401, the ``codeRetour`` envelope, retries
with capped exponential backoff and full jitter (``Retry-After`` wins when it
is longer), and the rule that keeps exactly-once possible: a write whose
request may have reached Chorus Pro (read timeout, lost response, 500) is not
blindly sent again; it fails with ``maybe_processed=True`` so the caller can
ask Chorus first.

The HTTP client is synchronous on purpose: the hub calls it from worker
threads, and one ``httpx.Client`` (thread-safe, pooled) serves them all.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from chorusflow.chorus.auth import AccessToken, CertificateAuth, OAuthClient, TechnicalAccount, TokenCache
from chorusflow.chorus.environments import Endpoints
from chorusflow.chorus.errors import (
    ChorusAuthError,
    ChorusConfigError,
    ChorusFunctionalError,
    ChorusPermanentError,
    ChorusTransientError,
)
from chorusflow.chorus.models.common import to_json_value

__all__ = ["JSON_CONTENT_TYPE", "RetryPolicy", "Transport"]

log = logging.getLogger("chorusflow.chorus")

JSON_CONTENT_TYPE = "application/json;charset=utf-8"
#: Failures that prove the request never reached the server, so resending cannot duplicate it.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
#: Statuses by which a server says it refused the request before doing anything.
_REFUSED_BEFORE_PROCESSING = frozenset({429, 503})
_EXCERPT = 300


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounds on retrying transient failures: attempts, delays and total time, all in seconds."""

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_total: float = 120.0
    #: Resend writes after an ambiguous failure. Off by default: it can deposit twice.
    retry_ambiguous_writes: bool = False

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Full jitter: uniform in [0, min(max_delay, base * 2**(attempt-1))]."""
        return rng.uniform(0.0, min(self.max_delay, self.base_delay * (2 ** (attempt - 1))))


def parse_retry_after(
    value: str | None, now: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now()).total_seconds())


class Transport:
    """Sends Chorus Pro operations for one provider; safe to share between threads."""

    def __init__(
        self,
        endpoints: Endpoints,
        account: TechnicalAccount,
        *,
        oauth: OAuthClient | None = None,
        certificate: CertificateAuth | None = None,
        http: httpx.Client | None = None,
        timeout: httpx.Timeout | float = httpx.Timeout(60.0, connect=10.0),
        verify: bool | str = True,
        retry: RetryPolicy | None = None,
        token_safety_margin: float = 60.0,
        scope: str = "openid",
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        if endpoints.token_url and oauth is None:
            raise ChorusConfigError("this environment uses OAuth: give the PISTE client id and secret")
        self.endpoints = endpoints
        self._account = account
        self._oauth = oauth if endpoints.token_url else None
        self._scope = scope
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._owns_http = http is None
        if http is None:
            tls: bool | str | object = certificate.ssl_context(verify) if certificate else verify
            http = httpx.Client(timeout=timeout, verify=tls)  # type: ignore[arg-type]
        self._http = http
        self._tokens = (
            TokenCache(self._fetch_token, safety_margin=token_safety_margin, clock=clock)
            if self._oauth
            else None
        )
        self._stats_lock = threading.Lock()
        self.calls: Counter[str] = Counter()

    def __repr__(self) -> str:
        return f"Transport({self.endpoints.api_base_url!r}, login={self._account.login!r})"

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    @property
    def token_fetches(self) -> int:
        return self._tokens.fetch_count if self._tokens else 0

    # -- secrets ---------------------------------------------------------------------------------

    def ensure_token(self) -> None:
        """Get a token now (``provider test`` checks the PISTE step on its own)."""
        if self._tokens is not None:
            self._tokens.get()

    def _secret_values(self, token: AccessToken | None) -> list[str]:
        values = [self._account.password.get_secret_value(), self._account.cpro_account_header()]
        if self._oauth:
            values.append(self._oauth.client_secret.get_secret_value())
        if token is not None:
            values.append(token.value.get_secret_value())
        return [v for v in values if v]

    def _redact(self, text: str, token: AccessToken | None = None) -> str:
        for value in self._secret_values(token):
            text = text.replace(value, "***")
        return text

    def _count(self, key: str) -> None:
        with self._stats_lock:
            self.calls[key] += 1

    # -- OAuth -----------------------------------------------------------------------------------

    def _fetch_token(self) -> tuple[str, float]:
        assert self._oauth is not None and self.endpoints.token_url is not None
        op = "oauth/token"
        self._count(op)
        try:
            resp = self._http.post(self.endpoints.token_url, data=self._oauth.token_form(self._scope))
        except httpx.HTTPError as exc:
            raise ChorusTransientError(f"token request failed: {type(exc).__name__}", operation=op) from None
        if resp.status_code == 429 or resp.status_code >= 500:
            raise ChorusTransientError(
                f"token endpoint answered HTTP {resp.status_code}",
                operation=op,
                status=resp.status_code,
                retry_after=parse_retry_after(resp.headers.get("Retry-After")),
            )
        try:
            data = resp.json()
        except ValueError:
            data = None
        if resp.status_code != 200 or not isinstance(data, dict) or not data.get("access_token"):
            detail = None
            if isinstance(data, dict) and data.get("error"):
                detail = f"{data.get('error')}: {data.get('error_description', '')}".strip(": ")
            raise ChorusAuthError(
                f"PISTE refused the OAuth client {self._oauth.client_id!r} (HTTP {resp.status_code}"
                f"{', ' + self._redact(detail) if detail else ''}): check the client id and secret "
                "of the PISTE application and the token URL",
                operation=op,
                status=resp.status_code,
                detail=self._redact(detail) if detail else None,
            )
        try:
            expires_in = float(data.get("expires_in", 3600))
        except (TypeError, ValueError):
            expires_in = 3600.0
        return str(data["access_token"]), expires_in

    # -- calls -----------------------------------------------------------------------------------

    def _headers(self, token: AccessToken | None) -> dict[str, str]:
        headers = {"Accept": JSON_CONTENT_TYPE, "Content-Type": JSON_CONTENT_TYPE}
        if token is not None:
            headers["Authorization"] = token.bearer()
            headers["cpro-account"] = self._account.cpro_account_header()
        elif self._tokens is None:
            headers["Authorization"] = self._account.basic_auth_header()
        return headers

    def call(
        self,
        family: str,
        operation: str,
        body: dict | None = None,
        *,
        method: str = "POST",
        idempotent: bool = True,
    ) -> dict:
        """Send one operation and return its JSON object, retrying transient failures.

        ``idempotent=False`` marks writes (deposits, submissions, attachments):
        those are retried only when the request provably did not reach Chorus Pro.
        """
        op = f"{family}/{operation}"
        url = self.endpoints.url(family, operation)
        payload = (
            None
            if method == "GET"
            else json.dumps(body or {}, ensure_ascii=False, default=to_json_value).encode("utf-8")
        )
        start = self._clock()
        attempt = 0
        renewed = False
        while True:
            attempt += 1
            token: AccessToken | None = None
            try:
                token = self._tokens.get() if self._tokens else None
                self._count(op)
                t0 = self._clock()
                resp = self._http.request(method, url, content=payload, headers=self._headers(token))
            except ChorusTransientError as exc:
                failure = exc
            except httpx.HTTPError as exc:
                sent = not isinstance(exc, _NOT_SENT)
                failure = ChorusTransientError(
                    f"{op} failed: {type(exc).__name__}"
                    + (" (the request may have been processed)" if sent else ""),
                    operation=op,
                    maybe_processed=sent,
                )
            else:
                status = resp.status_code
                log.debug(
                    "chorus %s -> HTTP %s in %.3fs (attempt %d)", op, status, self._clock() - t0, attempt
                )
                if status == 401 and self._tokens is not None and not renewed:
                    renewed = True
                    attempt -= 1
                    self._tokens.renew(token)
                    continue
                if status in (401, 403):
                    raise self._auth_error(op, resp, token)
                if status in _REFUSED_BEFORE_PROCESSING or status >= 500:
                    failure = self._server_failure(op, resp, token)
                else:
                    return self._decode(op, resp, token)
            self._retry_or_raise(failure, attempt, start, idempotent)

    def _retry_or_raise(
        self, failure: ChorusTransientError, attempt: int, start: float, idempotent: bool
    ) -> None:
        failure.attempts = attempt
        policy = self.retry
        if failure.maybe_processed and not idempotent and not policy.retry_ambiguous_writes:
            raise failure
        delay = policy.backoff(attempt, self._rng)
        if failure.retry_after is not None:
            delay = max(delay, failure.retry_after)
        elapsed = self._clock() - start
        if attempt >= policy.max_attempts or elapsed + delay > policy.max_total:
            failure.args = (f"{failure.message} [gave up after {attempt} attempt(s), {elapsed:.1f}s]",)
            raise failure
        log.warning(
            "chorus %s transient failure (%s), attempt %d/%d, retrying in %.2fs",
            failure.operation,
            failure.message,
            attempt,
            policy.max_attempts,
            delay,
        )
        self._sleep(delay)

    def _server_failure(
        self, op: str, resp: httpx.Response, token: AccessToken | None
    ) -> ChorusTransientError:
        status = resp.status_code
        envelope = ""
        try:
            data = resp.json()
        except ValueError:
            data = None
        if isinstance(data, dict) and "codeRetour" in data:
            envelope = f" codeRetour={data.get('codeRetour')} libelle={data.get('libelle')!r}"
        return ChorusTransientError(
            self._redact(f"{op} answered HTTP {status}{envelope}", token),
            operation=op,
            status=status,
            retry_after=parse_retry_after(resp.headers.get("Retry-After")),
            maybe_processed=status not in _REFUSED_BEFORE_PROCESSING,
        )

    def _auth_error(self, op: str, resp: httpx.Response, token: AccessToken | None) -> ChorusAuthError:
        detail = resp.headers.get("WWW-Authenticate") or resp.text[:_EXCERPT] or None
        if resp.status_code == 401:
            hint = "check the technical account login and password (they expire) and the PISTE application"
        else:
            hint = "the PISTE application or the technical account lacks the rights for this API"
        detail = self._redact(detail, token) if detail else None
        return ChorusAuthError(
            f"{op} refused with HTTP {resp.status_code}{' (' + detail + ')' if detail else ''}: {hint}",
            operation=op,
            status=resp.status_code,
            detail=detail,
        )

    def _decode(self, op: str, resp: httpx.Response, token: AccessToken | None) -> dict:
        status = resp.status_code
        try:
            data = resp.json()
        except ValueError:
            data = None
        if status == 404:
            # "API non trouvée": the URL is wrong, whatever envelope came with it.
            raise ChorusPermanentError(
                f"{op} does not exist at {self.endpoints.api_base_url} (HTTP 404: "
                f"{self._redact(resp.text[:_EXCERPT], token)!r}): check the API URL of the provider",
                operation=op,
                status=status,
            )
        if isinstance(data, dict) and "codeRetour" in data:
            try:
                code = int(data["codeRetour"])
            except (TypeError, ValueError):
                code = -1
            if code != 0:
                raise ChorusFunctionalError(
                    operation=op,
                    code_retour=code,
                    libelle=None if data.get("libelle") is None else str(data.get("libelle")),
                    http_status=status,
                    body=data,
                )
        if 200 <= status < 300:
            if isinstance(data, dict):
                return data
            raise ChorusPermanentError(
                f"{op} answered HTTP {status} with a body that is not a JSON object: "
                f"{self._redact(resp.text[:_EXCERPT], token)!r}",
                operation=op,
                status=status,
            )
        raise ChorusPermanentError(
            f"{op} answered HTTP {status}: {self._redact(resp.text[:_EXCERPT], token)!r}",
            operation=op,
            status=status,
        )
