"""The one exception every format problem becomes.

Intake, the API and the CLI all show the same three things to a person (a stable
code to branch on, a sentence saying what is wrong, a sentence saying what to do),
so they are carried together instead of being rebuilt from exception types.
"""

from __future__ import annotations

__all__ = ["ERROR_CODES", "FormatError"]

#: Every code :class:`FormatError` may carry. Callers store and branch on these.
ERROR_CODES = frozenset(
    {
        "EMPTY_FILE",
        "FILE_TOO_LARGE",
        "XML_MALFORMED",
        "XML_FORBIDDEN_DTD",
        "XML_ENTITY_BOMB",
        "XML_WRONG_NAMESPACE",
        "XML_INVALID_ENCODING",
        "PDF_ENCRYPTED",
        "PDF_DAMAGED",
        "IMAGE_NOT_PDF",
        "ZUGFERD1_NOT_SUPPORTED",
        "UNSUPPORTED_FORMAT",
    }
)


class FormatError(Exception):
    """A file we cannot read as an invoice, with what to do about it."""

    code: str
    message: str
    resolution: str

    def __init__(self, code: str, message: str, resolution: str) -> None:
        if code not in ERROR_CODES:
            raise ValueError(f"unknown FormatError code {code!r}")
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.resolution = resolution

    def __reduce__(self) -> tuple[type[FormatError], tuple[str, str, str]]:
        # Task queues pickle exceptions; the default reduce would pass only args[0].
        return (type(self), (self.code, self.message, self.resolution))
