"""Routers by area: ``api_*`` under ``/api/v1`` (JSON), ``pages_*`` for the browser (HTML)."""
