"""Import and Preparation: an intake becomes one tracked flow with its documents.

Every file is stored in the blob store *before* anything reads it, so a file
that crashes a parser, is hostile, or is refused is still kept byte for byte.
Errors are per file: one bad file of a batch is marked in error with its type
and a resolution path, and the others go on. Nothing here raises on bad input;
only a broken database or disk stops an intake.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from chorusflow.context import HubContext
from chorusflow.core.archive import ArchiveError, ArchiveLimits, is_zip, iter_zip_members
from chorusflow.core.entities import Document, Flow, StoredFile
from chorusflow.core.formats import FileFormat, FormatError, read_document
from chorusflow.core.statuses import ErrorType, FlowState, Stage
from chorusflow.core.transitions import transition
from chorusflow.intake.documents import document_from_invoice, document_needing_data
from chorusflow.intake.metadata import MetadataError, apply_metadata, is_sidecar, read_sidecar
from chorusflow.intake.sources import IntakeItem, TooLarge
from chorusflow.storage.flow_queries import find_original

__all__ = ["IntakeResult", "import_items"]

log = logging.getLogger(__name__)
Progress = Callable[[str, str], None]  # (stage, file name)
_COMMIT_EVERY = 200


@dataclass(frozen=True, slots=True)
class IntakeResult:
    flow_id: int
    files: int
    documents: int
    errors: int
    duplicates: int


def import_items(
    ctx: HubContext,
    items: Iterable[IntakeItem],
    *,
    submitter: str,
    source: str = "cli",
    provider: str | None = None,
    progress: Progress | None = None,
    metadata: Mapping[str, dict[str, Any]] | None = None,
) -> IntakeResult:
    """Run Import and Preparation for one intake and return what was found.

    ``metadata`` (from the API) maps a file name, or ``#<number>``, to values
    that win over the document's own; sidecar files in the intake add to it.
    """
    now = datetime.now(UTC)
    limits = ArchiveLimits(
        max_members=ctx.settings.zip_max_members,
        max_total_bytes=ctx.settings.zip_max_total_bytes,
        max_ratio=ctx.settings.zip_max_ratio,
    )
    with ctx.sessions() as session:
        flow = Flow(submitter=submitter, imported_at=now, source=source, provider=provider)
        session.add(flow)
        session.commit()
        worker = _Intake(ctx, session, flow, limits, submitter)
        worker.metadata.update(metadata or {})
        for count, item in enumerate(items, start=1):
            worker.take(item)
            if progress:
                progress(Stage.IMPORT.value, item.name)
            if count % _COMMIT_EVERY == 0:
                session.commit()
        session.commit()
        worker.prepare(progress)
        worker.finish()
        session.commit()
        return IntakeResult(
            flow_id=flow.id or 0,
            files=len(flow.files),
            documents=worker.document_count,
            errors=sum(1 for f in flow.files if f.in_error),
            duplicates=sum(1 for f in flow.files if f.duplicate_of_flow_id is not None),
        )


class _Intake:
    """The state of one running intake; split out so each step stays small."""

    def __init__(
        self, ctx: HubContext, session: Session, flow: Flow, limits: ArchiveLimits, actor: str
    ) -> None:
        self.ctx, self.session, self.flow, self.limits, self.actor = ctx, session, flow, limits, actor
        self.seen: set[str] = set()
        self.to_prepare: list[StoredFile] = []
        self.metadata: dict[str, dict[str, Any]] = {}
        self.pending_documents: list[Document] = []
        self.document_count = 0
        self.dates: list[Any] = []  # [min, max] invoice date
        self.numbers: list[str] = []  # [min, max] invoice number

    def take(self, item: IntakeItem) -> None:
        try:
            data = item.read()
        except TooLarge as exc:
            self._record_unreadable(item.name, ErrorType.FILE_TOO_LARGE, exc)
            return
        except OSError as exc:
            self._record_unreadable(item.name, ErrorType.INTERNAL, exc)
            return
        self._take_bytes(item.name, data, parent=None)

    def _take_bytes(self, name: str, data: bytes, *, parent: str | None) -> None:
        digest = self.ctx.blobs.put(data)  # the original is safe before anything parses it
        original_flow = self._original_flow(digest)
        stored = StoredFile(
            name=name,
            size=len(data),
            sha256=digest,
            media_type="application/octet-stream",
            format=FileFormat.UNSUPPORTED.value,
            parent_name=parent,
        )
        self.flow.files.append(stored)
        if original_flow is not None:
            stored.duplicate_of_flow_id = original_flow
            stored.error_type = ErrorType.DUPLICATE_FILE.value
            stored.error_message = (
                f"This file was already imported (flow {original_flow}); it was not processed again."
            )
            stored.error_resolution = (
                "Nothing to do if it was sent twice by mistake. A corrected invoice is a new "
                "document: change the file (and its number if it was already submitted)."
            )
            return
        if is_sidecar(name):
            self._take_sidecar(stored, data)
            return
        if is_zip(data):
            stored.media_type, stored.format = "application/zip", FileFormat.ZIP.value
            self._take_zip(stored, data)
            return
        self.to_prepare.append(stored)

    def _take_sidecar(self, stored: StoredFile, data: bytes) -> None:
        stored.format = "metadata"
        stored.media_type = "text/csv" if stored.name.lower().endswith(".csv") else "application/json"
        try:
            for key, values in read_sidecar(stored.name, data).items():
                self.metadata.setdefault(key, {}).update(values)
        except MetadataError as exc:
            stored.error_type, stored.error_message = "METADATA_INVALID", str(exc)
            stored.error_resolution = "Fix the metadata file and import the flow again."

    def _original_flow(self, digest: str) -> int | None:
        """The flow that first imported this content, checked before the new row exists."""
        if digest in self.seen:
            return self.flow.id
        self.seen.add(digest)
        with self.session.no_autoflush:  # this flow's own rows are covered by ``seen``
            original = find_original(self.session, digest)
        return original.flow_id if original is not None else None

    def _take_zip(self, stored: StoredFile, data: bytes) -> None:
        try:
            for member in iter_zip_members(data, self.limits):
                if member.data is None:
                    self.flow.files.append(
                        StoredFile(
                            name=member.name,
                            size=0,
                            sha256="",
                            media_type="application/octet-stream",
                            format=FileFormat.UNSUPPORTED.value,
                            parent_name=stored.name,
                            error_type=member.error_code,
                            error_message=member.error_message,
                            error_resolution=member.error_resolution,
                        )
                    )
                    continue
                self._take_bytes(member.name, member.data, parent=stored.name)
        except ArchiveError as exc:
            stored.error_type, stored.error_message, stored.error_resolution = (
                exc.code,
                exc.message,
                exc.resolution,
            )

    def _prepare(self, stored: StoredFile, data: bytes) -> None:
        try:
            detected, invoice = read_document(data, stored.name)
        except FormatError as exc:
            stored.error_type, stored.error_message, stored.error_resolution = (
                exc.code,
                exc.message,
                exc.resolution,
            )
            return
        except Exception as exc:  # a parser bug must not lose the rest of the batch
            log.exception("unexpected error while reading %s", stored.name)
            stored.error_type = ErrorType.INTERNAL.value
            stored.error_message = f"Unexpected error while reading the file: {type(exc).__name__}: {exc}"
            stored.error_resolution = "Report this to your administrator; the original file is kept."
            return
        stored.media_type, stored.format, stored.profile = (
            detected.media_type,
            detected.format.value,
            detected.profile,
        )
        if invoice is not None:
            for attachment in invoice.attachments:
                if attachment.content is not None:
                    self.ctx.blobs.put(attachment.content)
            document = document_from_invoice(invoice)
        else:
            document = document_needing_data(stored.name)
        document.file_id = stored.id  # set: the import stage was committed before preparation
        given = {**self.metadata.get("#" + (document.number or ""), {}), **self.metadata.get(stored.name, {})}
        if given:
            problems = apply_metadata(document, given)
            if problems:
                document.comment = "Metadata ignored: " + "; ".join(problems)
        # Added by id, not through ``flow.documents``: the collection is never loaded, and
        # committed documents are let go, so memory stays flat for a 10,000-invoice flow.
        document.flow_id = self.flow.id
        self.session.add(document)
        self.pending_documents.append(document)
        self.document_count += 1
        self._track_interval(document)

    def _record_unreadable(self, name: str, error: ErrorType, exc: Exception) -> None:
        size = exc.size if isinstance(exc, TooLarge) else 0
        if isinstance(exc, TooLarge):
            message = (
                f"The file is {size // (1024 * 1024)} MB, over the {exc.limit // (1024 * 1024)} MB limit."
            )
            resolution = "Split the batch or send the invoice without oversized content; the limit is "
            resolution += "CHORUSFLOW_MAX_FILE_BYTES."
        else:
            message, resolution = f"The file could not be read: {exc}", "Check the file's permissions."
        self.flow.files.append(
            StoredFile(
                name=name,
                size=size,
                sha256="",
                media_type="application/octet-stream",
                format=FileFormat.UNSUPPORTED.value,
                error_type=error.value,
                error_message=message,
                error_resolution=resolution,
            )
        )

    def prepare(self, progress: Progress | None = None) -> None:
        """Preparation stage: read every stored original from the blob store."""
        transition(self.flow, (Stage.PREPARATION, FlowState.RUNNING), actor=self.actor)
        for count, stored in enumerate(self.to_prepare, start=1):
            self._prepare(stored, self.ctx.blobs.get(stored.sha256))
            if progress:
                progress(Stage.PREPARATION.value, stored.name)
            if count % _COMMIT_EVERY == 0:
                self._release()
        self._release()
        self.to_prepare.clear()

    def _release(self) -> None:
        self.session.commit()
        for document in self.pending_documents:
            self.session.expunge(document)
        self.pending_documents.clear()

    def _track_interval(self, document: Document) -> None:
        if document.issue_date is not None:
            d = document.issue_date
            self.dates = [min(self.dates[0], d), max(self.dates[1], d)] if self.dates else [d, d]
        if document.number:
            n = document.number
            self.numbers = [min(self.numbers[0], n), max(self.numbers[1], n)] if self.numbers else [n, n]

    def finish(self) -> None:
        flow = self.flow
        self.session.expire(flow, ["documents"])  # documents were added by id: reload on next use
        if self.dates:
            flow.first_invoice_date, flow.last_invoice_date = self.dates
        if self.numbers:
            flow.first_invoice_number, flow.last_invoice_number = self.numbers
        failed = [f for f in flow.files if f.in_error]
        if self.document_count or (flow.files and not failed):  # nothing new is not an error
            transition(flow, (Stage.PREPARATION, FlowState.DONE), actor=self.actor)
            return
        first = failed[0] if failed else None
        flow.error_stage = Stage.PREPARATION.value
        flow.error_type = first.error_type if first else ErrorType.NO_DOCUMENT.value
        flow.error_message = f"No invoice could be read from the {len(flow.files)} file(s) of this flow."
        if first:
            flow.error_message += f" First problem ({first.name}): {first.error_message}"
        flow.error_resolution = (first.error_resolution if first else None) or "Import at least one invoice."
        flow.error_at = datetime.now(UTC)
        transition(flow, (Stage.PREPARATION, FlowState.IN_ERROR), actor=self.actor, comment=flow.error_type)
