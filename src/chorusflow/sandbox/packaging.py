"""Unpack a deposited flow: one file, or a ``.zip`` / ``.tar.gz`` batch of several.

Chorus Pro takes batches as zip or tar.gz archives of XML or Factur-X files
(OCA sends several invoices as one tar.gz). Limits follow the platform: 10 MB
per file and 30 MB per compressed archive, enforced at deposit time with HTTP
413; inflated sizes are counted on the bytes actually read so a forged
archive cannot exhaust memory.
"""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
from dataclasses import dataclass

__all__ = ["MAX_ARCHIVE_BYTES", "MAX_FILE_BYTES", "PackageError", "TooLarge", "unpack"]

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ARCHIVE_BYTES = 30 * 1024 * 1024
MAX_MEMBERS = 500
_JUNK = ("__MACOSX/", ".DS_Store", "Thumbs.db")


class PackageError(Exception):
    """The archive cannot be read at all."""


class TooLarge(Exception):
    """A size limit is exceeded; answered with HTTP 413."""


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    data: bytes


def is_archive(name: str, data: bytes) -> bool:
    return (
        data[:4] == b"PK\x03\x04"
        or data[:2] == b"\x1f\x8b"
        or name.lower().endswith((".zip", ".tar.gz", ".tgz", ".tar"))
    )


def check_size(name: str, data: bytes) -> None:
    limit = MAX_ARCHIVE_BYTES if is_archive(name, data) else MAX_FILE_BYTES
    if len(data) > limit:
        raise TooLarge(f"{name} is {len(data)} bytes; the limit is {limit} bytes")


def unpack(name: str, data: bytes) -> list[Member]:
    """The invoice files of a flow, in archive order, junk entries left out."""
    if data[:4] == b"PK\x03\x04":
        return _unzip(data)
    if data[:2] == b"\x1f\x8b" or name.lower().endswith((".tar", ".tgz", ".tar.gz")):
        return _untar(data)
    return [Member(name=name, data=data)]


def _read_limited(stream: io.BufferedIOBase, name: str) -> bytes:
    data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise TooLarge(f"{name} inflates to more than {MAX_FILE_BYTES} bytes")
    return data


def _keep(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return bool(base) and not base.startswith(".") and not any(j in name for j in _JUNK)


def _unzip(data: bytes) -> list[Member]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise PackageError(f"the zip archive cannot be read: {exc}") from exc
    infos = [i for i in archive.infolist() if not i.is_dir() and _keep(i.filename)]
    if len(infos) > MAX_MEMBERS:
        raise PackageError(f"the archive holds {len(infos)} files; at most {MAX_MEMBERS} are accepted")
    members = []
    for info in infos:
        try:
            with archive.open(info) as stream:
                members.append(Member(info.filename.rsplit("/", 1)[-1], _read_limited(stream, info.filename)))
        except (zipfile.BadZipFile, RuntimeError, OSError) as exc:
            raise PackageError(f"{info.filename} cannot be extracted: {exc}") from exc
    return members


def _untar(data: bytes) -> list[Member]:
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
            return _tar_members(archive)
    except (tarfile.TarError, gzip.BadGzipFile, EOFError, OSError) as exc:
        raise PackageError(f"the tar.gz archive cannot be read: {exc}") from exc


def _tar_members(archive: tarfile.TarFile) -> list[Member]:
    members = []
    for info in archive:
        if not info.isfile() or not _keep(info.name):
            continue
        if len(members) >= MAX_MEMBERS:
            raise PackageError(f"the archive holds more than {MAX_MEMBERS} files")
        stream = archive.extractfile(info)
        if stream is not None:
            members.append(Member(info.name.rsplit("/", 1)[-1], _read_limited(stream, info.name)))
    return members
