"""A throw-away PKI for the signature tests and benchmark, made with ``cryptography``.

Real seal certificates come from a qualified authority; what the tests need is
the same shapes (RSA-3072 and EC P-256 keys, self-signed seal certificates,
password-protected PKCS#12 bundles) plus the broken ones providers really upload.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from asn1crypto import cms, core
from asn1crypto import keys as asn1_keys
from asn1crypto import pkcs12 as asn1_pkcs12
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

PASSWORD = b"s3al-test"
DER = serialization.Encoding.DER

SEAL_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=True,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=False,
    crl_sign=False,
    encipher_only=False,
    decipher_only=False,
)
TLS_ONLY_USAGE = x509.KeyUsage(
    digital_signature=False,
    content_commitment=False,
    key_encipherment=True,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=False,
    crl_sign=False,
    encipher_only=False,
    decipher_only=False,
)

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class Seal:
    key: PrivateKey
    cert: x509.Certificate
    p12: bytes

    @property
    def cert_der(self) -> bytes:
        return self.cert.public_bytes(DER)


def rsa_key(bits: int = 3072) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def seal_certificate(
    key: PrivateKey,
    *,
    common_name: str = "ACME Facturation Seal",
    valid_from: datetime | None = None,
    valid_days: int = 365,
    usage: x509.KeyUsage | None = SEAL_USAGE,
) -> x509.Certificate:
    start = valid_from or datetime.now(UTC) - timedelta(days=1)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ACME SAS"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=valid_days))
    )
    if usage is not None:
        builder = builder.add_extension(usage, critical=True)
    return builder.sign(key, hashes.SHA256())


def bundle(
    key: PrivateKey | None,
    cert: x509.Certificate | None,
    *,
    password: bytes | None = PASSWORD,
    extra: list[x509.Certificate] | None = None,
) -> bytes:
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return pkcs12.serialize_key_and_certificates(b"seal", key, cert, extra, encryption)


def make_seal(key: PrivateKey, **cert_options: object) -> Seal:
    cert = seal_certificate(key, **cert_options)  # type: ignore[arg-type]
    return Seal(key=key, cert=cert, p12=bundle(key, cert))


def bundle_with_foreign_certificate(key: PrivateKey, cert: x509.Certificate) -> bytes:
    """An unencrypted PKCS#12 pairing ``key`` with a certificate of another key.

    ``cryptography`` refuses to write such a bundle, so it is assembled by hand:
    this is what a provider uploads after exporting the wrong certificate.
    """
    key_id = [{"type": "local_key_id", "values": [b"\x01"]}]
    key_info = asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_bag = asn1_pkcs12.CertBag(
        {"cert_id": "x509", "cert_value": asn1_x509.Certificate.load(cert.public_bytes(DER))}
    )
    bags = asn1_pkcs12.SafeContents(
        [
            asn1_pkcs12.SafeBag({"bag_id": "key_bag", "bag_value": key_info, "bag_attributes": key_id}),
            asn1_pkcs12.SafeBag({"bag_id": "cert_bag", "bag_value": cert_bag, "bag_attributes": key_id}),
        ]
    )
    safe = asn1_pkcs12.AuthenticatedSafe(
        [cms.ContentInfo({"content_type": "data", "content": core.OctetString(bags.dump())})]
    )
    pfx = asn1_pkcs12.Pfx(
        {
            "version": "v3",
            "auth_safe": cms.ContentInfo({"content_type": "data", "content": core.OctetString(safe.dump())}),
        }
    )
    return pfx.dump()
