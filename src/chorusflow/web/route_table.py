"""The app's routes with their access rule, flattened (for the authorization test and the docs).

FastAPI keeps included routers as nested objects; this walks them so a test
can list every (method, path) and the :class:`~chorusflow.web.auth.Access`
it declares, and fail on one that declares none.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from chorusflow.web.auth import Access

__all__ = ["RouteRule", "route_rules"]


@dataclass(frozen=True)
class RouteRule:
    method: str
    path: str
    access: Access | None  # None: the route declares no rule (a bug the test reports)
    in_schema: bool


def _accesses(dependant: Dependant) -> Iterator[Access]:
    for dep in dependant.dependencies:
        if isinstance(dep.call, Access):
            yield dep.call
        yield from _accesses(dep)


def _api_routes(app: FastAPI) -> Iterator[tuple[str, APIRoute]]:
    for route in app.routes:
        if isinstance(route, APIRoute):
            yield route.path, route
        elif hasattr(route, "effective_route_contexts"):
            for ctx in route.effective_route_contexts():
                if isinstance(ctx.original_route, APIRoute):
                    yield ctx.path, ctx.original_route


def route_rules(app: FastAPI) -> list[RouteRule]:
    """Every (method, path) of the app's own API routes (docs and static excluded)."""
    rules = []
    for path, route in _api_routes(app):
        if path in (app.openapi_url, app.docs_url, app.redoc_url, "/docs/oauth2-redirect"):
            continue
        found = list(dict.fromkeys(_accesses(route.dependant)))
        access = found[0] if len(found) == 1 else None
        for method in sorted(route.methods - {"HEAD"}):
            rules.append(RouteRule(method, path, access, route.include_in_schema))
    return rules
