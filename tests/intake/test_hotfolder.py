"""The watched hot folder: each settled drop becomes one flow, then is archived."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

from chorusflow.context import HubContext
from chorusflow.intake.hotfolder import PROCESSED, HotFolder
from chorusflow.storage.flow_queries import Tab, get_flow, list_flows


def test_drop_is_imported_once_settled_and_moved_away(hub: HubContext, corpus: Path, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    folder = HotFolder(hub, inbox, settle_seconds=5)
    shutil.copy(corpus / "cen/cii-examples/CII_example1.xml", inbox / "a.xml")
    batch = inbox / "batch"
    shutil.copytree(corpus / "cen/ubl-examples", batch)
    (inbox / ".partial.tmp").write_bytes(b"still copying")

    assert folder.scan_once(now=1000.0) == []  # first sight: not settled yet
    assert folder.scan_once(now=1003.0) == []  # unchanged but not for long enough
    results = folder.scan_once(now=1006.0)
    assert len(results) == 2  # one flow per drop: the file and the folder
    assert sorted(p.name for p in inbox.iterdir()) == [".partial.tmp", PROCESSED]
    archived = sorted(p.name for p in next((inbox / PROCESSED).iterdir()).iterdir())
    assert archived == ["a.xml", "batch"]
    with hub.sessions() as session:
        flows = list_flows(session, Tab.ACTIVE)
        assert {f.source for f in flows} == {"hot_folder"}
        batch_flow = get_flow(session, max(r.flow_id for r in results))
        assert batch_flow is not None
        assert batch_flow.file_count == len(list((corpus / "cen/ubl-examples").iterdir()))
    assert folder.scan_once(now=2000.0) == []  # nothing re-imported


def test_growing_file_waits(hub: HubContext, tmp_path: Path) -> None:
    folder = HotFolder(hub, tmp_path / "in", settle_seconds=1)
    target = folder.inbox / "slow.xml"
    target.write_bytes(b"<a")
    folder.scan_once(now=10.0)
    target.write_bytes(b"<a></a>")  # still being written
    assert folder.scan_once(now=20.0) == []
    assert len(folder.scan_once(now=30.0)) == 1


def test_watch_loop_stops_and_survives_bad_drops(hub: HubContext, tmp_path: Path) -> None:
    folder = HotFolder(hub, tmp_path / "in", settle_seconds=0)
    (folder.inbox / "junk.bin").write_bytes(b"\x00\x01")
    stop = threading.Event()
    thread = threading.Thread(target=folder.watch, args=(stop,), kwargs={"interval": 0.05})
    thread.start()
    for _ in range(100):
        if (folder.inbox / PROCESSED).exists():
            break
        stop.wait(0.05)
    stop.set()
    thread.join(5)
    assert not thread.is_alive()
    with hub.sessions() as session:
        (flow,) = list_flows(session, Tab.TO_CHECK)
        assert flow.files[0].error_type == "UNSUPPORTED_FORMAT"
