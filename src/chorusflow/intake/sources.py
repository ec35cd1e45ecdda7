"""What an intake is made of: files given by path, directories, or uploaded bytes.

Paths are expanded lazily (a 10,000-file directory is walked, not loaded),
and each file's bytes are read only when its turn comes, so an intake's
memory is bounded by its largest file, not by its size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["IntakeItem", "TooLarge", "from_bytes", "from_paths"]

_IGNORED = {".DS_Store", "Thumbs.db", "desktop.ini"}


class TooLarge(Exception):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"{size} bytes > {limit}")
        self.size, self.limit = size, limit


@dataclass(frozen=True, slots=True)
class IntakeItem:
    """One file to import: its display name and a way to get its bytes."""

    name: str
    read: Callable[[], bytes]


def _reader(path: Path, max_bytes: int) -> Callable[[], bytes]:
    def read() -> bytes:
        size = path.stat().st_size
        if size > max_bytes:
            raise TooLarge(size, max_bytes)
        return path.read_bytes()

    return read


def _is_hidden(path: Path, root: Path) -> bool:
    rel = path.relative_to(root).parts
    return any(part.startswith(".") for part in rel) or path.name in _IGNORED


def count_files(paths: Iterable[Path]) -> int:
    """How many files an intake of ``paths`` will hold (for the progress bar)."""
    total = 0
    for path in paths:
        if path.is_dir():
            total += sum(1 for p in path.rglob("*") if p.is_file() and not _is_hidden(p, path))
        else:
            total += 1
    return total


def from_paths(paths: Iterable[Path], *, max_bytes: int) -> Iterator[IntakeItem]:
    """Files and directory trees, in a stable (sorted) order; hidden files skipped.

    Names inside a directory are kept relative to it, so two ``invoice.xml``
    in different sub-folders stay told apart in the flow's file list.
    """
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file() and not _is_hidden(p, path)):
                yield IntakeItem(child.relative_to(path).as_posix(), _reader(child, max_bytes))
        else:
            yield IntakeItem(path.name, _reader(path, max_bytes))


def from_bytes(items: Iterable[tuple[str, bytes]]) -> Iterator[IntakeItem]:
    """Uploaded files (web, API): already in memory."""
    for name, data in items:
        yield IntakeItem(name, lambda data=data: data)  # type: ignore[misc]
