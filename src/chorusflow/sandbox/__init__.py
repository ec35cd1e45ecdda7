"""A faithful local Chorus Pro (and PISTE gateway) for developing and testing clients.

A separate application from the hub: its own FastAPI app and SQLite
database, importing nothing of the hub but the pure core (invoice model,
format reading, EN 16931 validation). See docs/sandbox.md.
"""

from chorusflow.sandbox.app import create_app

__all__ = ["create_app"]
