"""The Signature stage (optional per provider): a PAdES seal on each PDF before deposit.

The sealed PDF is a new blob (the original stays untouched, as always) and
the document records its sha256; distribution then deposits the sealed file.
XML-only invoices have no PDF to seal and pass through. A provider whose
certificate cannot sign (wrong password, expired) puts the flow in error with
the resolution, since no document of it could be signed.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from chorusflow.context import HubContext
from chorusflow.core.entities import Flow, StoredFile
from chorusflow.core.provider import Provider
from chorusflow.core.statuses import DistributionStatus, FlowState, Stage
from chorusflow.core.transitions import transition
from chorusflow.signing.errors import SigningError
from chorusflow.signing.keys import Signer, load_signer
from chorusflow.signing.pades import seal_pdf

__all__ = ["run_signature"]

ACTOR = "signature"
D = DistributionStatus
_SIGNERS: dict[tuple[int, str], Signer] = {}


def _signer(ctx: HubContext, provider: Provider) -> Signer:
    """Loading a PKCS#12 costs ~100 ms: once per provider and certificate per process."""
    if not provider.pkcs12_token:
        raise SigningError(
            "PKCS12_NO_CERTIFICATE",
            f"Provider {provider.name} has signing on but no certificate.",
            "Add the provider's PKCS#12 certificate, or turn signing off for it.",
        )
    key = (provider.id or 0, provider.pkcs12_token)
    if key not in _SIGNERS:
        blob = ctx.secrets.open_bytes(provider.pkcs12_token).reveal()
        password = (
            ctx.secrets.open(provider.pkcs12_password_token).reveal()
            if provider.pkcs12_password_token
            else None
        )
        assert isinstance(blob, bytes)
        _SIGNERS[key] = load_signer(blob, password)
    return _SIGNERS[key]


def run_signature(ctx: HubContext, session: Session, flow: Flow, provider: Provider | None) -> None:
    accepted = [d for d in flow.documents if d.distribution_status is D.ACCEPTED_IN_VALIDATION]
    if provider is None or not provider.sign_pdf:
        transition(flow, (Stage.DISTRIBUTION, FlowState.RUNNING), actor=ACTOR)
        return
    try:
        signer = _signer(ctx, provider)
    except SigningError as exc:
        flow.error_stage, flow.error_type = Stage.SIGNATURE.value, exc.code
        flow.error_message, flow.error_resolution = exc.message, exc.resolution
        transition(flow, (Stage.SIGNATURE, FlowState.IN_ERROR), actor=ACTOR, comment=exc.code)
        return
    for document in accepted:
        stored = session.get(StoredFile, document.file_id)
        if stored is None or stored.format not in ("facturx", "pdf"):
            transition(document, D.SIGNING, actor=ACTOR, comment="No PDF to seal (XML invoice).")
            transition(document, D.IN_DISTRIBUTION, actor=ACTOR)
            continue
        transition(document, D.SIGNING, actor=ACTOR)
        try:
            sealed = seal_pdf(ctx.blobs.get(stored.sha256), signer, name=provider.name)
        except SigningError as exc:
            transition(
                document, D.IN_ERROR, actor=ACTOR, comment=f"{exc.code}: {exc.message} {exc.resolution}"
            )
            continue
        document.deposit_sha256 = ctx.blobs.put(sealed)
        transition(document, D.IN_DISTRIBUTION, actor=ACTOR)
    transition(flow, (Stage.DISTRIBUTION, FlowState.RUNNING), actor=ACTOR)
