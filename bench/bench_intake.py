"""Import + parse throughput and peak memory for directories of generated invoices.

Usage: .venv/bin/python bench/bench_intake.py [--sizes 1000 10000] [--workdir DIR]

Each size runs in a fresh subprocess on a fresh data home (embedded default:
SQLite WAL + blob store), so peak RSS is that run's own. Invoices are made
from two public samples (one CII, one UBL) with a unique number each, so the
duplicate check does not short-circuit anything. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
SAMPLES = {
    "cii": CORPUS / "cen/cii-examples/CII_example1.xml",
    "ubl": CORPUS / "cen/ubl-examples/guide-example1.xml",
}


def generate(target: Path, count: int) -> None:
    target.mkdir(parents=True, exist_ok=True)
    cii = SAMPLES["cii"].read_text(encoding="utf-8")
    ubl = SAMPLES["ubl"].read_text(encoding="utf-8")
    cii_id = re.compile(r"(<rsm:ExchangedDocument>\s*<ram:ID>)([^<]*)(</ram:ID>)")
    ubl_id = re.compile(r"(<cbc:ID>)([^<]*)(</cbc:ID>)")
    for i in range(count):
        if i % 2:
            text, n = ubl_id.subn(rf"\g<1>BENCH-{i:06d}\g<3>", ubl, count=1)
            name = f"inv-{i:06d}.ubl.xml"
        else:
            text, n = cii_id.subn(rf"\g<1>BENCH-{i:06d}\g<3>", cii, count=1)
            name = f"inv-{i:06d}.cii.xml"
        assert n == 1, "sample changed: number not found"
        (target / f"{i // 1000:03d}").mkdir(exist_ok=True)
        (target / f"{i // 1000:03d}" / name).write_text(text, encoding="utf-8")


def child(folder: str, home: str) -> None:
    """Runs in the subprocess: one intake of the whole folder."""
    from chorusflow.context import HubContext
    from chorusflow.intake.service import import_items
    from chorusflow.intake.sources import from_paths
    from chorusflow.settings import Settings

    ctx = HubContext.open(Settings(home=Path(home)))
    start = time.perf_counter()
    result = import_items(ctx, from_paths([Path(folder)], max_bytes=10**8), submitter="bench")
    elapsed = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "documents": result.documents,
                "errors": result.errors,
                "seconds": elapsed,
                "peak_rss_mib": peak_kib / 1024,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    work = args.workdir or Path(tempfile.mkdtemp(prefix="cf-bench-"))
    rows = []
    for size in args.sizes:
        folder, home = work / f"in-{size}", work / f"home-{size}"
        generate(folder, size)
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(folder), str(home)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        data = json.loads(out.strip().splitlines()[-1])
        assert data["documents"] == size and data["errors"] == 0, data
        rows.append((size, data))
    base_size, base = rows[0]
    print("| invoices | seconds | documents/s | peak RSS (MiB) | time ratio vs first | size ratio |")
    print("|---|---|---|---|---|---|")
    for size, data in rows:
        print(
            f"| {size} | {data['seconds']:.1f} | {size / data['seconds']:.0f} | {data['peak_rss_mib']:.0f} "
            f"| {data['seconds'] / base['seconds']:.2f} | {size / base_size:.0f} |"
        )


if __name__ == "__main__":
    main()
