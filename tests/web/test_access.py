"""Authorization: every route of the app x every role (and anonymous), generated from the route table.

A route added without an access rule fails ``test_every_route_declares_one_rule``;
a route whose rule is wrong fails the matrix. Denials are checked for what
they are: 401 (API) or a redirect to the login page (pages) for anonymous
callers, 403 for a role too low.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from chorusflow.web.accounts import Role
from chorusflow.web.route_table import RouteRule, route_rules
from tests.web.conftest import ROLES, World, login

CALLERS = ("anonymous", *ROLES)


def _path(rule: RouteRule, world: World) -> str:
    values = {
        "flow_id": world.flows["acme_pending"],
        "document_id": world.pending_document,
        "provider_id": 1,
        "user_id": world.spare_user_id,
        "rule_id": 999_999,  # no such rule: the handler answers 404 after the access check
        "dispute_id": 999_999,
    }
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), rule.path)


@pytest.fixture(scope="module")
def sessions(shared_world: World) -> Iterator[dict[str, tuple[TestClient, str]]]:
    """One logged-in browser (client + CSRF token) per role, and an anonymous one."""
    clients: dict[str, tuple[TestClient, str]] = {}
    for caller in CALLERS:
        client = TestClient(shared_world.app, base_url="http://127.0.0.1")
        client.__enter__()
        clients[caller] = (client, login(client, caller) if caller != "anonymous" else "")
    yield clients
    for client, _ in clients.values():
        client.__exit__(None, None, None)


def test_every_route_declares_one_rule(shared_world: World) -> None:
    rules = route_rules(shared_world.app)
    assert len(rules) >= 30
    unguarded = [f"{r.method} {r.path}" for r in rules if r.access is None]
    assert unguarded == [], "routes without exactly one Access rule (Depends(allow(...)) or PUBLIC)"


def _cases() -> list[tuple[str, str, str]]:
    # Built from a throwaway app so the parametrization itself follows the route table.
    from chorusflow.web.app import ROUTERS

    cases = []
    for router in ROUTERS:
        for route in router.router.routes:
            for method in sorted(route.methods - {"HEAD"}):  # type: ignore[attr-defined]
                for caller in CALLERS:
                    cases.append((method, route.path, caller))  # type: ignore[attr-defined]
    return cases


def _allowed(rule: RouteRule, caller: str) -> bool:
    assert rule.access is not None
    if rule.access.minimum is None:
        return True
    return caller != "anonymous" and Role(caller).at_least(rule.access.minimum)


@pytest.mark.parametrize(("method", "path", "caller"), _cases())
def test_route_by_role(
    method: str, path: str, caller: str, shared_world: World, sessions: dict[str, tuple[TestClient, str]]
) -> None:
    rule = next(r for r in route_rules(shared_world.app) if r.method == method and r.path == path)
    client, csrf = sessions[caller]
    url = _path(rule, shared_world)
    is_api = path.startswith("/api/")
    headers: dict[str, str] = {}
    if is_api and caller != "anonymous":
        headers["Authorization"] = "Bearer " + shared_world.tokens[caller]
    elif csrf:
        headers["X-CSRF-Token"] = csrf
    # Bodies that pass the access check but change nothing (invalid or empty input).
    kwargs: dict[str, object] = {}
    if method in ("POST", "PATCH"):
        kwargs = {"json": {}} if is_api else {"data": {"csrf_token": csrf}}
    if path in ("/logout", "/login"):  # never end the shared session: a wrong token, no header
        kwargs = {"data": {"csrf_token": "wrong"}}
        headers.pop("X-CSRF-Token", None)
    response = client.request(method, url, headers=headers, follow_redirects=False, **kwargs)
    location = response.headers.get("location", "")
    if _allowed(rule, caller):
        if path != "/logout":  # logout with a wrong token is refused (403) by design
            assert response.status_code not in (401, 403) or path == "/login", response.text[:300]
        assert not location.startswith("/login?next="), f"{caller} was sent to the login page"
        assert response.status_code < 500
    elif caller == "anonymous":
        if is_api:
            assert response.status_code == 401
            assert response.headers["www-authenticate"] == "Bearer"
        else:
            assert response.status_code == 303 and location.startswith("/login?next=")
    else:
        assert response.status_code == 403, response.text[:300]


def test_case_list_covers_the_route_table(shared_world: World) -> None:
    in_app = {(r.method, r.path) for r in route_rules(shared_world.app)}
    in_cases = {(m, p) for m, p, _ in _cases()}
    assert in_app == in_cases


def test_unsafe_request_without_csrf_token_is_refused(
    shared_world: World, sessions: dict[str, tuple[TestClient, str]]
) -> None:
    client, _ = sessions["admin"]
    flow = shared_world.flows["acme_bad"]
    response = client.post(
        f"/tracking/flows/{flow}/history", data={"in_history": "true"}, follow_redirects=False
    )
    assert response.status_code == 403
    assert "security token" in response.text
    response = client.post(
        f"/tracking/flows/{flow}/history",
        data={"in_history": "true", "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert response.status_code == 403


def test_bearer_token_needs_no_csrf_but_must_be_valid(shared_world: World) -> None:
    with TestClient(shared_world.app) as client:
        assert client.get("/api/v1/me", headers={"Authorization": "Bearer cf_nope"}).status_code == 401
        me = client.get("/api/v1/me", headers={"Authorization": "Bearer " + shared_world.tokens["tracking"]})
        assert me.json() == {"login": "tracking", "role": "tracking", "providers": ["acme"], "label": None}
