"""Benchmark: our validate_xml against the bare official stylesheet run.

Run from the repository root:  .venv/bin/python bench/bench_validation.py [--passes N]

Both sides run in this one process on the same documents, interleaved pass by
pass so machine noise hits them alike:

* ours  = validate_xml: lxml parse + XML Schema + Saxon parse + CEN Schematron
          (+ the Factur-X profile Schematron for Factur-X) + SVRL parsing +
          Finding objects;
* bare  = what any caller of the official artefacts must at least do: Saxon
          parse + the same compiled stylesheet(s), SVRL left as a string.

Cold start runs a fresh interpreter: import, compile, validate one document.
"""

from __future__ import annotations

import argparse
import csv
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import facturx
from lxml import etree

from chorusflow.core.preflight import ServiceFacts, StructureFacts
from chorusflow.core.validation import PROFILES, validate_xml, warm_up
from chorusflow.core.validation.en16931 import CEN_STYLESHEETS
from chorusflow.core.validation.facturx_profile import FACTURX_STYLESHEETS
from chorusflow.core.validation.xslt_engine import compiled, parse_for_saxon
from chorusflow.pipeline.checks import check_bytes

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"

Doc = tuple[str, bytes, str, str | None]  # name, xml, syntax, profile


def load_corpus() -> tuple[list[Doc], list[Doc]]:
    """Every XML the official anchors judged, and every Factur-X XML inside a corpus PDF."""
    if not (CORPUS / "anchor_observed.csv").is_file():
        sys.exit(f"corpus missing at {CORPUS}: the benchmark needs shared/corpus beside the repository")
    xml_docs: list[Doc] = []
    pdf_docs: list[Doc] = []
    with (CORPUS / "anchor_observed.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["anchor"] in ("CEN-UBL-1.3.16", "CEN-CII-1.3.16"):
                syntax = "ubl" if "UBL" in row["anchor"] else "cii"
                xml_docs.append((row["file"], (CORPUS / row["file"]).read_bytes(), syntax, None))
            elif row["anchor"] == "CEN-CII-1.3.16 on embedded XML":
                _name, xml = facturx.get_xml_from_pdf((CORPUS / row["file"]).read_bytes(), check_xsd=False)
                level = facturx.get_level(etree.fromstring(xml))
                pdf_docs.append((row["file"], xml, "cii", level if level in PROFILES else None))
    return xml_docs, pdf_docs


def ours(doc: Doc) -> None:
    validate_xml(doc[1], doc[2], profile=doc[3])


def bare(doc: Doc) -> None:
    text = doc[1].decode("utf-8-sig")
    node = parse_for_saxon(text)
    compiled(CEN_STYLESHEETS[doc[2]]).transform_to_string(xdm_node=node)
    if doc[3] is not None:
        compiled(FACTURX_STYLESHEETS[doc[3]]).transform_to_string(xdm_node=node)


class _Directory:
    """An in-memory directory: the stage's Chorus checks run, with no network in the timing."""

    def structure(self, siret: str) -> StructureFacts:
        return StructureFacts(siret=siret, services={"SERV-FIN": ServiceFacts("SERV-FIN")})


def stage(doc: Doc) -> None:
    """What the Validation stage does per document: detect, parse, EN 16931, CPRO rules, catalogue."""
    check_bytes(doc[1], doc[0], provider_siret=None, directory=_Directory())


def timed_pass(run: Callable[[Doc], None], docs: list[Doc]) -> float:
    start = time.perf_counter()
    for doc in docs:
        run(doc)
    return time.perf_counter() - start


def throughput(docs: list[Doc], passes: int, *, whole_stage: bool = False) -> dict[str, float]:
    for doc in docs[:10]:  # warm-up: first transforms after compiling are slow
        ours(doc)
        bare(doc)
    ours_s, bare_s = [], []
    for index in range(passes):  # alternate who goes first, so drift favours neither
        if index % 2:
            bare_s.append(timed_pass(bare, docs))
        ours_s.append(timed_pass(ours, docs))
        if not index % 2:
            bare_s.append(timed_pass(bare, docs))
    ours_rate = len(docs) / statistics.median(ours_s)
    bare_rate = len(docs) / statistics.median(bare_s)
    result = {"n": len(docs), "ours": ours_rate, "bare": bare_rate, "ratio": ours_rate / bare_rate}
    if whole_stage:
        stage_s = [timed_pass(stage, docs) for _ in range(passes)]
        result["stage"] = len(docs) / statistics.median(stage_s)
        result["stage_ratio"] = result["stage"] / bare_rate
    return result


# VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork+exec, so a child
# would report this (large, warm) benchmark process's peak instead of its own.
_COLD = """
import re, sys, time
start = time.perf_counter()
from chorusflow.core.validation import validate_xml
report = validate_xml(open(sys.argv[1], "rb").read(), sys.argv[2])
elapsed = time.perf_counter() - start
status = open("/proc/self/status").read()
print(elapsed, re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1), len(report.findings))
"""


def cold_start(file: str, syntax: str, runs: int = 3) -> tuple[float, float, float]:
    """Median wall time inside the child, its whole wall time, and its peak RSS (MiB)."""
    inner, outer, rss = [], [], []
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", _COLD, str(CORPUS / file), syntax],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        outer.append(time.perf_counter() - start)
        inner.append(float(out[0]))
        rss.append(int(out[1]) / 1024)
    return statistics.median(inner), statistics.median(outer), max(rss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=5, help="timed passes over the corpus (default 5)")
    args = parser.parse_args()

    xml_docs, pdf_docs = load_corpus()
    start = time.perf_counter()
    warm_up(profiles=PROFILES)
    compile_s = time.perf_counter() - start
    plain = throughput(xml_docs, args.passes, whole_stage=True)
    facturx_xml = throughput(pdf_docs, args.passes)
    warm_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cold_cii = cold_start("cen/cii-examples/CII_business_example_01.xml", "cii")
    cold_ubl = cold_start("cen/ubl-examples/guide-example1.xml", "ubl")

    print(
        f"Python {platform.python_version()}, saxonche {version('saxonche')}, lxml {etree.__version__}, "
        f"{args.passes} timed passes (median), 2-CPU machine\n"
    )
    print("| corpus | docs | ours (docs/s) | bare official XSLT (docs/s) | ours / bare |")
    print("|---|---|---|---|---|")
    for label, result in (
        ("UBL + CII XML (CEN anchor rows)", plain),
        ("Factur-X XML from PDFs, with profile", facturx_xml),
    ):
        print(
            f"| {label} | {result['n']} | {result['ours']:.0f} | {result['bare']:.0f} | "
            f"{result['ratio']:.2f} |"
        )
    print()
    print(
        f"Whole Validation stage per document (check_bytes: detect + parse + validate_xml + CPRO rules "
        f"+ catalogue), XML rows: {plain['stage']:.0f} docs/s = {plain['stage_ratio']:.2f} of the bare XSLT"
    )
    print()
    print("| start-up | value |")
    print("|---|---|")
    print(f"| compile all 7 stylesheets (in process) | {compile_s:.2f} s |")
    for label, (inner, outer, rss) in (("CII", cold_cii), ("UBL", cold_ubl)):
        print(
            f"| cold start {label}: import + compile + 1st document | {inner:.2f} s ({outer:.2f} s process) |"
        )
        print(f"| cold start {label}: peak RSS | {rss:.0f} MiB |")
    print(f"| warm process after the whole benchmark: peak RSS | {warm_rss:.0f} MiB |")


if __name__ == "__main__":
    main()
