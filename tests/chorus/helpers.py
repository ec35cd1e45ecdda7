"""Shared builders for the Chorus client tests: secrets to hunt for, a fake clock, a client factory."""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass, field

from chorusflow.chorus import ChorusClient, ChorusConfig, RetryPolicy

CLIENT_SECRET = "s3cr3t-CLIENT-value-42"
PASSWORD = "Pa55word-TECH-value-77"
LOGIN = "TECH_1@cpro.fr"
CPRO_ACCOUNT = base64.b64encode(f"{LOGIN}:{PASSWORD}".encode()).decode()


@dataclass
class FakeClock:
    """Real monotonic time plus whatever the client 'slept', so retry tests never wait."""

    offset: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    def now(self) -> float:
        return time.monotonic() + self.offset

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.offset += seconds


def make_client(
    api_url: str,
    token_url: str,
    *,
    retry: RetryPolicy | None = None,
    clock: FakeClock | None = None,
    client_id: str = "cid-1",
    client_secret: str = CLIENT_SECRET,
    login: str = LOGIN,
    password: str = PASSWORD,
    **options: object,
) -> tuple[ChorusClient, FakeClock]:
    clock = clock or FakeClock()
    config = ChorusConfig.create(
        environment="sandbox",
        api_url=api_url,
        token_url=token_url,
        client_id=client_id,
        client_secret=client_secret,
        login=login,
        password=password,
        retry=retry or RetryPolicy(max_attempts=4, base_delay=0.5, max_delay=8, max_total=60),
        **options,
    )
    return ChorusClient(config, sleep=clock.sleep, clock=clock.now), clock
