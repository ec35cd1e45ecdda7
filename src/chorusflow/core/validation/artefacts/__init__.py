"""Vendored official validation artefacts (package data; see README.md)."""
