"""The content-addressed blob store keeps originals intact."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from chorusflow.storage.blobs import BlobStore


def test_put_is_content_addressed_idempotent_and_read_only(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    data = b"<Invoice/>"
    digest = store.put(data)
    assert digest == hashlib.sha256(data).hexdigest()
    assert store.put(data) == digest
    path = store.path(digest)
    assert path.parent.parent.name == digest[:2] and path.parent.name == digest[2:4]
    assert store.get(digest) == data and store.verify(digest)
    assert not os.access(path, os.W_OK) or os.geteuid() == 0  # root ignores modes
    assert oct(path.stat().st_mode & 0o777) == "0o444"
    assert not list(path.parent.glob(".incoming-*"))


def test_tampering_is_detected_and_bad_digests_refused(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    digest = store.put(b"original")
    path = store.path(digest)
    path.chmod(0o644)
    path.write_bytes(b"changed")
    assert not store.verify(digest)
    for bad in ("../../etc/passwd", "A" * 64, "abc"):
        with pytest.raises(ValueError):
            store.path(bad)
