"""Compile the official stylesheets once for the whole test session."""

from __future__ import annotations

import pytest

from chorusflow.core.validation import PROFILES, warm_up

from .corpus import require_corpus


@pytest.fixture(scope="session")
def validators() -> None:
    """Every stylesheet compiled up front, so no test pays (or times) compilation."""
    require_corpus()
    warm_up(profiles=PROFILES)
