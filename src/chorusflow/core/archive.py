"""Safe reading of ZIP batches, in memory.

Suppliers send monthly batches as ZIP files; a hostile or broken archive must
not exhaust memory or disk, and must not make us trust member names. Members
are never written to disk under their own names (the blob store keys them by
hash), yet a name that tries to escape (``../``, absolute, drive letter) is
still reported: it is a sign of a forged archive the supplier should know of.

Sizes declared in the ZIP directory can lie, so limits are enforced on the
bytes actually inflated, in chunks, and the whole archive is refused as a
bomb as soon as a limit is crossed.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["ArchiveError", "ArchiveLimits", "ArchiveMember", "is_zip", "iter_zip_members"]

_CHUNK = 1 << 16
_JUNK_PREFIXES = ("__MACOSX/",)
_JUNK_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    max_members: int = 2_000
    max_total_bytes: int = 512 * 1024 * 1024
    max_ratio: int = 100  # inflated / compressed, per member
    max_depth: int = 2  # ZIPs inside ZIPs


class ArchiveError(Exception):
    """The archive as a whole cannot be read; nothing of it is processed."""

    def __init__(self, code: str, message: str, resolution: str) -> None:
        super().__init__(message)
        self.code, self.message, self.resolution = code, message, resolution


@dataclass(frozen=True, slots=True)
class ArchiveMember:
    """One file of the archive, or the reason it was set aside."""

    name: str
    data: bytes | None
    error_code: str | None = None
    error_message: str | None = None
    error_resolution: str | None = None


def is_zip(data: bytes) -> bool:
    return data[:4] in (b"PK\x03\x04", b"PK\x05\x06")


def _unsafe_name(name: str) -> bool:
    if name.startswith(("/", "\\")) or "\\" in name or (len(name) > 1 and name[1] == ":"):
        return True
    parts = posixpath.normpath(name).split("/")
    return ".." in name.split("/") or parts[0] == ".."


class _Budget:
    def __init__(self, limits: ArchiveLimits) -> None:
        self.limits = limits
        self.total = 0
        self.members = 0

    def bomb(self, why: str) -> ArchiveError:
        return ArchiveError(
            "ZIP_BOMB",
            f"The archive was refused: {why}. It looks like a decompression bomb.",
            "Check where the archive comes from; send the invoices as separate files or in a "
            f"normal ZIP (at most {self.limits.max_members} files, "
            f"{self.limits.max_total_bytes // (1024 * 1024)} MB uncompressed).",
        )


def iter_zip_members(
    data: bytes, limits: ArchiveLimits | None = None, *, _depth: int = 0, _budget: _Budget | None = None
) -> Iterator[ArchiveMember]:
    """Yield the files of a ZIP (nested ZIPs flattened), enforcing ``limits``.

    Raises :class:`ArchiveError` for a damaged archive or a bomb; per-member
    problems (unsafe name, encryption) come back as members with an error.
    """
    limits = limits or ArchiveLimits()
    budget = _budget or _Budget(limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise ArchiveError(
            "ZIP_DAMAGED",
            f"The ZIP archive cannot be read ({exc}).",
            "Re-create the archive and import it again, or import the invoices one by one.",
        ) from exc
    with archive:
        for info in infos:
            name = info.filename
            if info.is_dir() or name.startswith(_JUNK_PREFIXES) or posixpath.basename(name) in _JUNK_NAMES:
                continue
            budget.members += 1
            if budget.members > limits.max_members:
                raise budget.bomb(f"it holds more than {limits.max_members} files")
            if _unsafe_name(name):
                yield ArchiveMember(
                    name,
                    None,
                    "ZIP_PATH_TRAVERSAL",
                    f"The archive member {name!r} has a path that points outside the archive.",
                    "This file was not extracted. Rename the file inside the archive (no '..', "
                    "no absolute path) and import it again.",
                )
                continue
            if info.flag_bits & 0x1:
                yield ArchiveMember(
                    name,
                    None,
                    "ZIP_ENCRYPTED",
                    f"The archive member {name!r} is password-protected.",
                    "Send the archive without a password.",
                )
                continue
            try:
                content = _inflate(archive, info, budget)
            except ArchiveError as exc:
                if exc.code == "ZIP_BOMB":
                    raise
                yield ArchiveMember(name, None, exc.code, exc.message, exc.resolution)
                continue
            if is_zip(content):
                if _depth + 1 >= limits.max_depth:
                    raise budget.bomb("archives are nested too deep")
                yield from iter_zip_members(content, limits, _depth=_depth + 1, _budget=budget)
                continue
            yield ArchiveMember(name, content)


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> bytes:
    limits = budget.limits
    compressed = max(info.compress_size, 1)
    out = bytearray()
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                out += chunk
                budget.total += len(chunk)
                if budget.total > limits.max_total_bytes:
                    raise budget.bomb(
                        f"its content exceeds {limits.max_total_bytes // (1024 * 1024)} MB uncompressed"
                    )
                if len(out) > _CHUNK and len(out) / compressed > limits.max_ratio:
                    raise budget.bomb(
                        f"{info.filename!r} expands more than {limits.max_ratio} times its compressed size"
                    )
    except ArchiveError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
        raise ArchiveError(
            "ZIP_DAMAGED",
            f"The archive member {info.filename!r} cannot be extracted ({exc}).",
            "Re-create the archive and import it again, or import the invoices one by one.",
        ) from exc
    return bytes(out)
