"""Hostile and broken files: each gets its code, nothing crashes, nothing is fetched.

Every hostile file is generated here, in memory or under ``tmp_path``. The XXE tests
prove their payload works (a permissive lxml parser does read the secret) before
checking that ours never does.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import socket
import struct
import threading
import time
import zlib
from pathlib import Path

import pikepdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from chorusflow.core.formats import FormatError, detect, parse_xml, read_document
from chorusflow.core.formats.xmlsafe import hardened_parser

UBL_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CBC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
FACTURX_FILE = "zugferd-corpus/v2-correct/FNFE-factur-x-examples__Facture_FR_BASICWL.pdf"
SMALL_CII = "mustang/valid_Avoir_FR_type380_minimum_factur-x.xml"
SECRET = "TOP-SECRET-MARKER-7f3a9c"


def _code(data: bytes, filename: str = "", **kwargs: int) -> str:
    with pytest.raises(FormatError) as caught:
        read_document(data, filename, **kwargs)
    error = caught.value
    assert error.message and error.resolution, "every error says what happened and what to do"
    return error.code


def _ubl_with_doctype(doctype: str, value: str) -> bytes:
    return (
        f'<?xml version="1.0"?>\n{doctype}\n'
        f'<Invoice xmlns="{UBL_NS}" xmlns:cbc="{CBC_NS}"><cbc:ID>{value}</cbc:ID></Invoice>'
    ).encode()


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


@pytest.fixture
def listener() -> socket.socket:
    """A real local TCP server: any connection attempt from the parser would land here."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.3)
    yield server
    server.close()


def _assert_no_connection(server: socket.socket) -> None:
    with pytest.raises(TimeoutError):
        server.accept()


def test_xxe_file_entity_is_refused_and_never_read(secret_file: Path) -> None:
    data = _ubl_with_doctype(f'<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file://{secret_file}">]>', "&xxe;")
    permissive = etree.XMLParser(resolve_entities=True, load_dtd=True, no_network=True)
    assert SECRET in etree.tostring(etree.fromstring(data, permissive)).decode(), "payload must work"
    with pytest.raises(FormatError) as caught:
        detect(data, "x.xml")
    error = caught.value
    assert error.code == "XML_FORBIDDEN_DTD"
    assert SECRET not in f"{error} {error.message} {error.resolution}"
    # Second wall: even without our DOCTYPE check, the hardened parser does not expand it.
    assert SECRET not in etree.tostring(etree.fromstring(data, hardened_parser())).decode()


def test_xxe_on_a_fifo_never_opens_it(tmp_path: Path) -> None:
    """Opening a FIFO for reading blocks until a writer comes: a parser that tried would hang."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    data = _ubl_with_doctype(f'<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file://{fifo}">]>', "&xxe;")
    outcome: list[str] = []
    worker = threading.Thread(target=lambda: outcome.append(_code(data)), daemon=True)
    worker.start()
    worker.join(5)
    if worker.is_alive():  # unblock the reader before failing
        os.close(os.open(fifo, os.O_WRONLY))
        pytest.fail("the parser opened the external entity file")
    assert outcome == ["XML_FORBIDDEN_DTD"]


def test_external_dtd_and_parameter_entities_never_reach_the_network(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    payloads = [
        _ubl_with_doctype(f'<!DOCTYPE Invoice SYSTEM "http://127.0.0.1:{port}/x.dtd">', "1"),
        _ubl_with_doctype(
            f'<!DOCTYPE Invoice [<!ENTITY % remote SYSTEM "http://127.0.0.1:{port}/e.dtd"> %remote;]>', "1"
        ),
        _ubl_with_doctype(f'<!DOCTYPE Invoice [<!ENTITY net SYSTEM "http://127.0.0.1:{port}/n">]>', "&net;"),
    ]
    for data in payloads:
        assert _code(data) == "XML_FORBIDDEN_DTD"
        with contextlib.suppress(etree.XMLSyntaxError):
            etree.fromstring(data, hardened_parser())  # second wall: no fetch either
    _assert_no_connection(listener)


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE Invoice SYSTEM "file://{path}">',
        '<!DOCTYPE Invoice [<!ENTITY % p SYSTEM "file://{path}"> %p;]>',
        '<!DOCTYPE Invoice [<!ENTITY e SYSTEM "file://{path}">]>',
    ],
    ids=["external-dtd", "parameter-entity", "general-entity"],
)
def test_hardened_parser_alone_never_opens_files(tmp_path: Path, doctype: str) -> None:
    """The second wall, checked without the DOCTYPE pre-check (a FIFO open would block)."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    data = _ubl_with_doctype(doctype.format(path=fifo), "&e;" if "ENTITY e" in doctype else "1")

    def parse() -> None:
        with contextlib.suppress(etree.XMLSyntaxError):
            etree.fromstring(data, hardened_parser())

    worker = threading.Thread(target=parse, daemon=True)
    worker.start()
    worker.join(5)
    if worker.is_alive():
        os.close(os.open(fifo, os.O_WRONLY))
        pytest.fail("the hardened parser opened an external file")


def test_harmless_internal_doctype_is_still_refused() -> None:
    assert _code(_ubl_with_doctype('<!DOCTYPE Invoice [<!ENTITY co "ACME">]>', "&co;")) == "XML_FORBIDDEN_DTD"


def test_billion_laughs_is_refused_quickly() -> None:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    ]
    data = _ubl_with_doctype(f"<!DOCTYPE Invoice [{''.join(entities)}]>", "&lol9;")
    started = time.perf_counter()
    assert _code(data) == "XML_ENTITY_BOMB"
    assert time.perf_counter() - started < 1.0


def test_quadratic_blowup_is_refused_quickly() -> None:
    data = _ubl_with_doctype(f'<!DOCTYPE Invoice [<!ENTITY a "{"x" * 50_000}">]>', "&a;" * 20_000)
    started = time.perf_counter()
    assert _code(data) == "XML_ENTITY_BOMB"
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    "data",
    [
        b"<Invoice><cbc:ID>1</Invoice>",
        b"<?xml version='1.0'?><Invoice xmlns='" + UBL_NS.encode() + b"'><a></b></Invoice>",
        b"<a x='1' x='2'/>",
        b"<a>&undefined;</a>",
        b"<a>" * 5000 + b"</a>" * 5000,  # beyond libxml2's depth limit: refused, no recursion error
        b"<a>\x00</a>",
        b"<?xml version='1.0'?>",
    ],
)
def test_malformed_xml(data: bytes) -> None:
    assert _code(data) == "XML_MALFORMED"


def test_invalid_utf8_and_encoding_mismatches(corpus_dir: Path) -> None:
    good = (corpus_dir / SMALL_CII).read_bytes()
    assert _code(good.replace(b"</rsm:CrossIndustryInvoice>", b"\xff\xfe</rsm:CrossIndustryInvoice>")) == (
        "XML_INVALID_ENCODING"
    )
    assert _code(b'<?xml version="1.0" encoding="UTF-16"?><a/>') == "XML_INVALID_ENCODING"
    assert _code(b"\xff\xfe" + '<?xml version="1.0" encoding="UTF-8"?><a/>'.encode("utf-16-le")) == (
        "XML_INVALID_ENCODING"
    )
    assert _code(b'<?xml version="1.0" encoding="x-no-such"?><a/>') == "XML_INVALID_ENCODING"
    assert _code(b'<?xml version="1.0" encoding="UTF-8-W/O-BOM"?><a/>') == "XML_INVALID_ENCODING"
    assert _code(b'<?xml version="1.0" encoding="UTF-7"?><a/>') == "XML_INVALID_ENCODING"


@pytest.mark.parametrize(
    "root",
    [
        '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-1"/>',
        "<Invoice/>",
        '<CreditNote xmlns="urn:example"/>',
        "<rsm:CrossIndustryInvoice xmlns:rsm='urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:99'/>",
    ],
)
def test_wrong_namespace(root: str) -> None:
    assert _code(root.encode()) == "XML_WRONG_NAMESPACE"


@pytest.mark.parametrize("data", [b"", b" \n\t ", b"\x00\x00"])
def test_empty_file(data: bytes) -> None:
    assert _code(data, "facture.xml") == "EMPTY_FILE"


def test_truncated_pdf(corpus_dir: Path) -> None:
    data = (corpus_dir / FACTURX_FILE).read_bytes()
    assert _code(data[: len(data) // 2], "facture.pdf") == "PDF_DAMAGED"
    assert _code(b"%PDF-1.7\nnot really a pdf\n%%EOF\n") == "PDF_DAMAGED"


@pytest.mark.parametrize("user_password", ["", "secret"])
def test_encrypted_pdf(corpus_dir: Path, user_password: str) -> None:
    with pikepdf.open(corpus_dir / FACTURX_FILE) as pdf:
        out = io.BytesIO()
        pdf.save(out, encryption=pikepdf.Encryption(owner="owner-pw", user=user_password, R=6))
    assert _code(out.getvalue(), "facture.pdf") == "PDF_ENCRYPTED"


def _png() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    "image",
    [_png(), b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", b"GIF89a\x01\x00\x01\x00", b"II*\x00\x08\x00\x00\x00"],
    ids=["png", "jpeg", "gif", "tiff"],
)
def test_image_renamed_pdf(image: bytes) -> None:
    assert _code(image, "facture.pdf") == "IMAGE_NOT_PDF"


def test_fatturapa_and_zugferd1(corpus_dir: Path) -> None:
    assert (
        _code((corpus_dir / "zugferd-corpus/other/IT01234567890_FPA01.xml").read_bytes())
        == "UNSUPPORTED_FORMAT"
    )
    zugferd1 = corpus_dir / "zugferd-corpus/v1/correct__Intarsys__ZUGFeRD_1p0_BASIC_Einfach.pdf"
    assert _code(zugferd1.read_bytes()) == "ZUGFERD1_NOT_SUPPORTED"


def test_random_bytes_and_unknown_xml() -> None:
    assert _code(random.Random(0).randbytes(4096), "facture.pdf") == "UNSUPPORTED_FORMAT"
    assert (
        _code(b"<Order xmlns='urn:oasis:names:specification:ubl:schema:xsd:Order-2'/>")
        == "UNSUPPORTED_FORMAT"
    )


def test_oversized_xml() -> None:
    assert _code(b"<a>" + b" " * 2000 + b"</a>", max_bytes=1000) == "FILE_TOO_LARGE"
    over_default = b"<a>" + b" " * (50 * 1024 * 1024) + b"</a>"
    assert _code(over_default) == "FILE_TOO_LARGE"
    with pytest.raises(FormatError) as caught:
        parse_xml(b"<a/>" + b" " * 100, max_bytes=50)
    assert caught.value.code == "FILE_TOO_LARGE"


def test_single_huge_element_is_too_large_not_malformed() -> None:
    data = f'<Invoice xmlns="{UBL_NS}"><x>{"A" * 11_000_000}</x></Invoice>'.encode()
    assert _code(data) == "FILE_TOO_LARGE"


_PREFIXES = st.sampled_from(
    [
        b"",
        b"%PDF-1.7\n",
        b"<?xml version='1.0' encoding='UTF-8'?>",
        f"<Invoice xmlns='{UBL_NS}'>".encode(),
        b"<rsm:CrossIndustryInvoice"
        b" xmlns:rsm='urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100'>",
        b"<!DOCTYPE a [<!ENTITY ",
        b"\xef\xbb\xbf<",
        b"\xff\xfe<\x00",
        b"PK\x03\x04",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=_PREFIXES,
    body=st.binary(max_size=2048),
    suffix=st.sampled_from([b"", b"\n%%EOF\n", b"</Invoice>"]),
)
def test_arbitrary_bytes_only_raise_format_error(prefix: bytes, body: bytes, suffix: bytes) -> None:
    data = prefix + body + suffix
    for call in (lambda: detect(data, "x.pdf"), lambda: read_document(data)):
        with contextlib.suppress(FormatError):
            call()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_corrupted_real_files_only_raise_format_error(corpus_dir: Path, data: st.DataObject) -> None:
    source = (corpus_dir / data.draw(st.sampled_from([FACTURX_FILE, SMALL_CII]))).read_bytes()
    mutated = bytearray(source)
    for _ in range(data.draw(st.integers(1, 20))):
        position = data.draw(st.integers(0, len(mutated) - 1))
        mutated[position] = data.draw(st.integers(0, 255))
    with contextlib.suppress(FormatError):
        read_document(bytes(mutated))
