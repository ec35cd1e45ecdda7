"""Property-based run of schemathesis over the whole REST API: no input gives a server error.

Generated from the app's own OpenAPI document, in-process (ASGI), as an
administrator (who may call every operation), so the cases reach the
handlers instead of stopping at 401/403.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from chorusflow.context import HubContext
from chorusflow.settings import Settings
from tests.conftest import CORPUS
from tests.web.conftest import World, build_world

# schemathesis' lazy fixture loader does not work with pytest 9, so the world under test is
# built when the module is collected, in its own temporary data home.
_HOME = Path(tempfile.mkdtemp(prefix="chorusflow-schemathesis-"))
_WORLD = build_world(HubContext.open(Settings(home=_HOME)), CORPUS)
schema = schemathesis.openapi.from_asgi("/openapi.json", _WORLD.app)


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_answers_5xx(case) -> None:  # type: ignore[no-untyped-def]
    response = case.call(headers={"Authorization": "Bearer " + _WORLD.tokens["admin"]})
    case.validate_response(response, checks=[not_a_server_error])


@pytest.fixture(scope="module", autouse=True)
def _cleanup() -> Iterator[None]:
    yield
    _WORLD.hub.close()
    shutil.rmtree(_HOME, ignore_errors=True)


def test_openapi_documents_every_api_route_and_errors(shared_world: World) -> None:
    spec = shared_world.app.openapi()
    paths = spec["paths"]
    assert all(p.startswith("/api/v1/") for p in paths)
    assert len(paths) == 29
    for operations in paths.values():
        for op in operations.values():
            assert {"401", "403"} <= set(op["responses"])
    secret_fields = spec["components"]["schemas"]["ProviderOut"]["properties"]
    assert "password" not in secret_fields and "client_secret" not in secret_fields
