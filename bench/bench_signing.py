"""Benchmark: PAdES B-B seal per PDF, against reading and writing the same PDF with pypdf.

Run from the repository root:  .venv/bin/python bench/bench_signing.py [--passes N] [--count N]

For each key (RSA-3072, EC P-256, made here with ``cryptography``) four ways of
sealing run over the same ~30 Factur-X PDFs of the corpus, interleaved pass by
pass with the pass-through so machine noise hits them alike:

* pass-through = pypdf ``PdfReader`` + ``PdfWriter(clone_from=...)`` + write,
  the least any stage that touches a PDF pays;
* stock        = ``seal_pdf`` driven by pyHanko's own ``SimpleSigner`` loaded
  with ``load_pkcs12_data`` (re-parses the private key on every raw signature),
  with pyHanko's size estimate (``bytes_reserved=None``, a dry-run signature
  per document) or with ``bytes_reserved`` given;
* ours         = ``seal_pdf`` with the signer from ``load_signer`` (parsed key
  kept), with or without ``bytes_reserved``.

Each figure is the median over passes of the mean time per PDF.
"""

from __future__ import annotations

import argparse
import io
import logging
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from importlib.metadata import version
from pathlib import Path

import facturx
from pyhanko.sign.signers import SimpleSigner
from pypdf import PdfReader, PdfWriter

from chorusflow.signing import Signer, load_signer, seal_pdf, verify_pdf

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
sys.path.insert(0, str(REPO))

from tests.signing.pki import PASSWORD, ec_key, make_seal, rsa_key  # noqa: E402

SOURCES = ("zugferd-corpus/xml-rechnung-fx", "zugferd-corpus/v2-correct", "mustang")


def load_pdfs(count: int) -> list[tuple[str, bytes]]:
    """The first ``count`` corpus PDFs that carry a Factur-X / ZUGFeRD 2 XML."""
    if not CORPUS.is_dir():
        sys.exit(f"corpus missing at {CORPUS}: the benchmark needs shared/corpus beside the repository")
    pdfs: list[tuple[str, bytes]] = []
    for source in SOURCES:
        for path in sorted((CORPUS / source).glob("*.pdf")):
            data = path.read_bytes()
            try:
                _, xml = facturx.get_xml_from_pdf(data, check_xsd=False)
            except Exception:  # a sample the extractor rejects is simply not used
                continue
            if xml:
                pdfs.append((f"{source}/{path.name}", data))
            if len(pdfs) == count:
                return pdfs
    return pdfs


def pass_through(pdf: bytes) -> bytes:
    out = io.BytesIO()
    PdfWriter(clone_from=PdfReader(io.BytesIO(pdf))).write(out)
    return out.getvalue()


def timed_pass(run: Callable[[bytes], object], pdfs: list[tuple[str, bytes]]) -> float:
    start = time.perf_counter()
    for _, pdf in pdfs:
        run(pdf)
    return (time.perf_counter() - start) / len(pdfs)


def variants(signer: Signer, p12: bytes) -> dict[str, Signer]:
    stock = replace(signer, engine=SimpleSigner.load_pkcs12_data(p12, [], PASSWORD))
    return {
        "stock pyHanko signer, size estimated per PDF": replace(stock, bytes_reserved=None),
        "stock pyHanko signer, bytes_reserved": stock,
        "load_signer, size estimated per PDF": replace(signer, bytes_reserved=None),
        "load_signer, bytes_reserved (default)": signer,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--count", type=int, default=30)
    args = parser.parse_args()
    # pyHanko logs a traceback for every untrusted (here: self-signed) certificate it validates.
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)

    pdfs = load_pdfs(args.count)
    total_mb = sum(len(pdf) for _, pdf in pdfs) / 1e6
    keys = {"RSA-3072": make_seal(rsa_key(3072)), "EC P-256": make_seal(ec_key())}
    load_ms: dict[str, float] = {}
    signers: dict[str, dict[str, Signer]] = {}
    for label, seal in keys.items():
        start = time.perf_counter()
        signer = load_signer(seal.p12, PASSWORD)
        load_ms[label] = (time.perf_counter() - start) * 1000
        signers[label] = variants(signer, seal.p12)

    # Warm-up: imports, first-call caches; also proves every variant's output validates.
    pass_through(pdfs[0][1])
    for group in signers.values():
        for signer in group.values():
            [report] = verify_pdf(seal_pdf(pdfs[0][1], signer))
            assert report.sound and report.covers_entire_file

    baseline: list[float] = []
    timings: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.passes):
        baseline.append(timed_pass(pass_through, pdfs))
        for label, group in signers.items():
            for name, signer in group.items():
                timings.setdefault((label, name), []).append(
                    timed_pass(lambda pdf, s=signer: seal_pdf(pdf, s), pdfs)
                )
    ec_default = signers["EC P-256"]["load_signer, bytes_reserved (default)"]
    verify_s = timed_pass(verify_pdf, [(name, seal_pdf(pdf, ec_default)) for name, pdf in pdfs])

    base_ms = statistics.median(baseline) * 1000
    print(
        f"{len(pdfs)} Factur-X PDFs ({total_mb:.1f} MB), {args.passes} timed passes (median of per-pass "
        f"mean), Python {platform.python_version()}, pyhanko {version('pyhanko')}, "
        f"cryptography {version('cryptography')}, pypdf {version('pypdf')}\n"
    )
    print("| key | signer | ms / PDF | ratio to pass-through |")
    print("|---|---|---|---|")
    print(f"| — | pypdf read + write (pass-through) | {base_ms:.1f} | 1.00 |")
    for (label, name), values in timings.items():
        ms = statistics.median(values) * 1000
        print(f"| {label} | {name} | {ms:.1f} | {ms / base_ms:.2f} |")
    print()
    for label, ms in load_ms.items():
        print(f"load_signer {label}: {ms:.0f} ms (once per provider)")
    print(f"verify_pdf (EC P-256 seal): {verify_s * 1000:.1f} ms / PDF")


if __name__ == "__main__":
    main()
