"""Chorus Pro pre-flight rules (``CPRO-*``): what Chorus would reject, caught before submission.

No official schematron exists for these (see docs/validation.md); each rule
has a stable id, and the message catalogue explains it in French and English.
"""

from chorusflow.core.preflight.directory import (
    Directory,
    DirectoryUnavailable,
    ServiceFacts,
    StructureFacts,
)
from chorusflow.core.preflight.rules import PreflightInput, run_preflight

__all__ = [
    "Directory",
    "DirectoryUnavailable",
    "PreflightInput",
    "ServiceFacts",
    "StructureFacts",
    "run_preflight",
]
