"""Turning a provider's PKCS#12 into a ready signer, once per provider.

Loading is the expensive part of a seal: the PKCS#12 key derivation takes about
130 ms, and pyHanko's ``SimpleSigner`` re-parses the DER private key for every
raw signature (about 110 ms for RSA-3072, because ``cryptography`` validates the
RSA key on each load). :func:`load_signer` pays for the parsing once and keeps
the parsed key, and measures the signature container once so that sealing never
needs pyHanko's dry-run signature to size it. The caller caches the result per
provider.

Every way a certificate can be unusable becomes a :class:`SigningError` with a
code the provider screen can show, checked here rather than discovered half-way
through signing a document.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from asn1crypto import keys as asn1_keys
from asn1crypto import pkcs12 as asn1_pkcs12
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.serialization import pkcs12 as pyca_pkcs12
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.signers import SimpleSigner
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko_certvalidator.registry import SimpleCertificateStore

from chorusflow.signing.errors import SigningError

__all__ = ["MIN_RSA_BITS", "Signer", "check_validity", "load_signer"]

#: Below this an RSA key is refused: RGS and eIDAS guidance require 2048 bits or more.
MIN_RSA_BITS = 2048

#: Slack added to the measured signature container (hex characters): ECDSA
#: signatures vary by a few bytes from one signature to the next.
_RESERVE_SLACK = 512

_PrivateKey = (
    rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey
)

_FIX_PROVIDER = "Upload the provider's seal certificate again in the provider's signature settings."


@dataclass(frozen=True, slots=True)
class Signer:
    """A loaded seal certificate: what the screens show, and the engine that signs."""

    subject: str
    issuer: str
    serial_number: int
    not_valid_before: datetime
    not_valid_after: datetime
    key_description: str
    #: Hex characters reserved for the CMS container; ``None`` lets pyHanko
    #: estimate it with a dry-run signature on every document (slower).
    bytes_reserved: int | None
    engine: SimpleSigner = field(repr=False, compare=False)


class _ParsedKeySigner(SimpleSigner):
    """A ``SimpleSigner`` that signs with an already parsed key instead of re-loading it."""

    def __init__(self, private_key: _PrivateKey, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        key = self._private_key
        if mechanism == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        if mechanism == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(get_pyca_cryptography_hash(digest_algorithm)))
        # PSS and EdDSA are rare for seals: let pyHanko handle their parameters.
        return super().sign_raw(data, digest_algorithm)


def load_signer(
    pkcs12: bytes,
    password: bytes | str | None,
    *,
    at: datetime | None = None,
) -> Signer:
    """Load a PKCS#12 seal certificate and check it can sign now (or at ``at``).

    Raises :class:`SigningError` for a blob that is not PKCS#12, a wrong
    password, a bundle without private key or certificate, a key without its own
    certificate, a weak or unsupported key, a certificate that is
    expired, not yet valid or not meant for signatures.
    """
    if isinstance(password, str):
        password = password.encode("utf-8")
    key, cert, others = _open_pkcs12(pkcs12, password)
    key_description = _describe_key(key)
    signer = Signer(
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        serial_number=cert.serial_number,
        not_valid_before=cert.not_valid_before_utc,
        not_valid_after=cert.not_valid_after_utc,
        key_description=key_description,
        bytes_reserved=None,
        engine=_build_engine(key, cert, others),
    )
    check_validity(signer, at)
    _check_key_usage(cert)
    return _with_measured_reserve(signer)


def check_validity(signer: Signer, at: datetime | None = None) -> None:
    """Refuse a certificate outside its validity period; a cached signer can expire."""
    moment = at or datetime.now(UTC)
    if moment > signer.not_valid_after:
        raise SigningError(
            "CERTIFICATE_EXPIRED",
            f"The seal certificate of {signer.subject} expired on "
            f"{signer.not_valid_after:%Y-%m-%d %H:%M} UTC.",
            "Renew the seal certificate with its authority and upload the new PKCS#12 "
            "in the provider's signature settings, or turn the signature off for this provider.",
        )
    if moment < signer.not_valid_before:
        raise SigningError(
            "CERTIFICATE_NOT_YET_VALID",
            f"The seal certificate of {signer.subject} is only valid from "
            f"{signer.not_valid_before:%Y-%m-%d %H:%M} UTC.",
            "Wait until that date, or check the server clock.",
        )


def _open_pkcs12(
    data: bytes, password: bytes | None
) -> tuple[_PrivateKey, x509.Certificate, list[x509.Certificate]]:
    if not isinstance(data, bytes | bytearray | memoryview) or not _looks_like_pkcs12(bytes(data)):
        raise SigningError(
            "PKCS12_INVALID",
            "The seal certificate is not a PKCS#12 bundle (.p12 / .pfx).",
            "Export the certificate together with its private key as a .p12 or .pfx file "
            "and upload that file.",
        )
    try:
        key, cert, others = pyca_pkcs12.load_key_and_certificates(bytes(data), password)
    except ValueError:
        # The structure parsed above, so what failed is the decryption.
        message = (
            "The PKCS#12 bundle is protected by a password and none was given."
            if not password
            else "The PKCS#12 password is wrong, or the bundle uses an encryption this server cannot read."
        )
        raise SigningError(
            "PKCS12_WRONG_PASSWORD",
            message,
            "Enter the password that came with the certificate in the provider's signature "
            "settings; if it is right, export the bundle again with AES-256 encryption.",
        ) from None
    if key is None:
        raise SigningError(
            "PKCS12_NO_PRIVATE_KEY",
            "The PKCS#12 bundle holds certificates but no private key, so it cannot sign.",
            'Export the certificate again with its private key ("include private key") '
            "and upload that bundle.",
        )
    if cert is None:
        # The loader leaves out a certificate that does not match the key; a
        # matching one may still sit among the others without a key id.
        cert = next((c for c in others if _same_public_key(c, key)), None)
        if cert is None:
            raise SigningError(
                "PKCS12_NO_CERTIFICATE",
                "The PKCS#12 bundle holds a private key but not the certificate issued for that key.",
                _FIX_PROVIDER + " Export the certificate and its own private key together.",
            )
        others = [c for c in others if c is not cert]
    return key, cert, list(others)


def _looks_like_pkcs12(data: bytes) -> bool:
    """Tell a bundle we cannot decrypt from a file that is not a bundle at all."""
    try:
        pfx = asn1_pkcs12.Pfx.load(data, strict=True)
        return pfx["version"].native == "v3" and pfx["auth_safe"]["content_type"].native in (
            "data",
            "signed_data",
        )
    except (ValueError, TypeError, KeyError):
        return False


def _same_public_key(cert: x509.Certificate, key: object) -> bool:
    if not isinstance(key, _PrivateKey):
        return False
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    return cert.public_key().public_bytes(der, spki) == key.public_key().public_bytes(der, spki)


def _describe_key(key: object) -> str:
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < MIN_RSA_BITS:
            raise SigningError(
                "KEY_NOT_SUPPORTED",
                f"The seal key is RSA-{key.key_size}; signatures need at least RSA-{MIN_RSA_BITS}.",
                "Ask the certificate authority for a new seal certificate with an RSA-3072 or EC P-256 key.",
            )
        return f"RSA-{key.key_size}"
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return f"EC-{key.curve.name}"
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "Ed25519"
    if isinstance(key, ed448.Ed448PrivateKey):
        return "Ed448"
    raise SigningError(
        "KEY_NOT_SUPPORTED",
        f"The seal key type ({type(key).__name__}) cannot make PAdES signatures here.",
        "Ask the certificate authority for a seal certificate with an RSA or EC key.",
    )


def _check_key_usage(cert: x509.Certificate) -> None:
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not (usage.digital_signature or usage.content_commitment):
        raise SigningError(
            "CERTIFICATE_NOT_FOR_SIGNING",
            f"The certificate {cert.subject.rfc4514_string()} is not allowed to sign "
            "(its key usage has neither digitalSignature nor nonRepudiation).",
            "Use a seal (cachet) or signature certificate, not a TLS or encryption certificate.",
        )


def _build_engine(key: _PrivateKey, cert: x509.Certificate, others: list[x509.Certificate]) -> SimpleSigner:
    der = serialization.Encoding.DER
    key_info = asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    registry = SimpleCertificateStore()
    registry.register_multiple([asn1_x509.Certificate.load(c.public_bytes(der)) for c in others])
    return _ParsedKeySigner(
        key,
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(der)),
        signing_key=key_info,
        cert_registry=registry,
    )


def _with_measured_reserve(signer: Signer) -> Signer:
    """Size the CMS container once, as pyHanko would for each document, plus slack."""
    signed_attrs = PdfCMSSignedAttributes(signing_time=datetime.now(UTC))
    container = asyncio.run(
        signer.engine.async_sign(
            bytes(32), "sha256", dry_run=True, use_pades=True, signed_attr_settings=signed_attrs
        )
    )
    reserved = 2 * len(container.dump()) + _RESERVE_SLACK
    return replace(signer, bytes_reserved=reserved)
