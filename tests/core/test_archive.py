"""ZIP batches: members read safely, bombs and forged names refused."""

from __future__ import annotations

import io
import zipfile

import pytest

from chorusflow.core.archive import ArchiveError, ArchiveLimits, iter_zip_members


def make_zip(members: dict[str, bytes], *, compress: bool = True) -> bytes:
    buf = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_members_are_returned_and_junk_skipped() -> None:
    data = make_zip(
        {"a.xml": b"<a/>", "sub/b.pdf": b"%PDF-1.4", "__MACOSX/._a.xml": b"x", "sub/.DS_Store": b"x"}
    )
    members = list(iter_zip_members(data))
    assert [(m.name, m.data) for m in members] == [("a.xml", b"<a/>"), ("sub/b.pdf", b"%PDF-1.4")]


def test_path_traversal_member_is_set_aside_others_kept() -> None:
    data = make_zip(
        {"../../etc/evil.xml": b"<x/>", "/abs.xml": b"<y/>", "ok.xml": b"<z/>", "c:\\w.xml": b"1"}
    )
    members = {m.name: m for m in iter_zip_members(data)}
    assert members["ok.xml"].data == b"<z/>"
    for bad in ("../../etc/evil.xml", "/abs.xml", "c:\\w.xml"):
        assert members[bad].data is None
        assert members[bad].error_code == "ZIP_PATH_TRAVERSAL"
        assert "Rename" in (members[bad].error_resolution or "")


def test_high_ratio_member_is_a_bomb() -> None:
    data = make_zip({"bomb.xml": b"0" * (20 * 1024 * 1024)})
    assert len(data) < 100_000
    with pytest.raises(ArchiveError) as exc:
        list(iter_zip_members(data, ArchiveLimits(max_ratio=100)))
    assert exc.value.code == "ZIP_BOMB"


def test_total_size_cap_counts_inflated_bytes_not_declared_ones() -> None:
    data = make_zip({f"f{i}.bin": bytes(range(256)) * 400 for i in range(10)}, compress=False)
    with pytest.raises(ArchiveError) as exc:
        list(iter_zip_members(data, ArchiveLimits(max_total_bytes=500_000)))
    assert exc.value.code == "ZIP_BOMB" and "uncompressed" in exc.value.message


def test_member_count_cap() -> None:
    data = make_zip({f"{i}.xml": b"<a/>" for i in range(30)})
    with pytest.raises(ArchiveError):
        list(iter_zip_members(data, ArchiveLimits(max_members=20)))


def test_nested_zip_is_flattened_within_depth() -> None:
    inner = make_zip({"inner.xml": b"<i/>"})
    outer = make_zip({"batch/inner.zip": inner, "top.xml": b"<t/>"})
    assert sorted(m.name for m in iter_zip_members(outer)) == ["inner.xml", "top.xml"]
    deep = make_zip({"l2.zip": make_zip({"l3.zip": make_zip({"x.xml": b"<x/>"})})})
    with pytest.raises(ArchiveError):
        list(iter_zip_members(deep, ArchiveLimits(max_depth=2)))


def test_encrypted_member_is_reported() -> None:
    data = bytearray(make_zip({"secret.xml": b"<s/>", "plain.xml": b"<p/>"}))
    # set the "encrypted" flag of the first member in its local and central headers
    data[6] |= 0x1
    central = data.index(b"PK\x01\x02")
    data[central + 8] |= 0x1
    members = {m.name: m for m in iter_zip_members(bytes(data))}
    assert members["secret.xml"].error_code == "ZIP_ENCRYPTED"
    assert members["plain.xml"].data == b"<p/>"


def test_damaged_archive_and_damaged_member() -> None:
    with pytest.raises(ArchiveError) as exc:
        list(iter_zip_members(b"PK\x03\x04garbage"))
    assert exc.value.code == "ZIP_DAMAGED"
    data = bytearray(make_zip({"a.xml": b"<a>" + b"x" * 5000 + b"</a>", "b.xml": b"<b/>"}, compress=False))
    data[100:110] = b"\xff" * 10  # corrupt a.xml's content: CRC mismatch
    members = {m.name: m for m in iter_zip_members(bytes(data))}
    assert members["a.xml"].error_code == "ZIP_DAMAGED"
    assert members["b.xml"].data == b"<b/>"
