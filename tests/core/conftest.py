"""The public sample corpus, split the way the format tests need it.

The corpus lives next to the repository (``/work/shared/corpus``). A missing corpus
is a broken checkout, so collection fails with the path instead of skipping.
``expected.csv`` says what each file is; the rows are grouped here once and handed
to tests through ``pytest_generate_tests`` so each file is its own test case. Each
row gains ``expected_format``: the FileFormat value a full document should be
detected as, empty when an error is due. Test modules do not import this file (two
``conftest`` modules exist); they use the fixtures.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

CORPUS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"

# PDFs carrying both a ZUGFeRD 1.0 XML and a Factur-X ``factur-x.xml``: the corpus
# labels them by the ZUGFeRD 1.0 file, but the Factur-X one is what readers use.
MIXED_ZUGFERD_PDFS = frozenset(
    {
        "zugferd-corpus/v2-fail/MustangRE-20171118_506_ZUGFeRD1and2.pdf",
        "mustang/invalidXMP.pdf",
        "mustang/invalidXMP-ParseError.pdf",
        "mustang/validV2PDF.pdf",
    }
)
SYNTAX_TO_FORMAT = {
    "CII-D16B": "cii",
    "UBL-Invoice": "ubl_invoice",
    "UBL-CreditNote": "ubl_credit_note",
    "PDF+CII-D16B": "facturx",
}


def _load_rows() -> list[dict[str, str]]:
    expected = CORPUS_DIR / "expected.csv"
    if not expected.is_file():
        raise FileNotFoundError(
            f"The sample corpus is missing: {expected} not found. The format tests need "
            "/work/shared/corpus next to the repository."
        )
    with expected.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if len(rows) < 390:
        raise AssertionError(f"expected.csv lists only {len(rows)} files; the corpus is incomplete")
    return rows


CORPUS_ROWS = _load_rows()


def is_fragment(row: dict[str, str]) -> bool:
    return row["file"].startswith("cen/unit-")


def expected_format(row: dict[str, str]) -> str | None:
    """The FileFormat value a full document should be detected as (None: an error is due)."""
    if row["file"] in MIXED_ZUGFERD_PDFS:
        return "facturx"
    return SYNTAX_TO_FORMAT.get(row["syntax"])


for _row in CORPUS_ROWS:
    _row["expected_format"] = expected_format(_row) or ""
PARSABLE = [r for r in CORPUS_ROWS if not is_fragment(r) and expected_format(r) is not None]
FRAGMENTS = [r for r in CORPUS_ROWS if is_fragment(r)]
REFUSED = [r for r in CORPUS_ROWS if not is_fragment(r) and expected_format(r) is None]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    for name, rows in (("parsable_row", PARSABLE), ("fragment_row", FRAGMENTS), ("refused_row", REFUSED)):
        if name in metafunc.fixturenames:
            metafunc.parametrize(name, rows, ids=[r["file"] for r in rows])


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS_DIR
