"""Loading a provider's PKCS#12: what works, and every upload mistake named precisely."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta

import pytest

from chorusflow.signing import PROVIDER_CODES, Signer, SigningError, check_validity, load_signer
from tests.signing.pki import (
    PASSWORD,
    TLS_ONLY_USAGE,
    Seal,
    bundle,
    bundle_with_foreign_certificate,
    ec_key,
    rsa_key,
    seal_certificate,
)


def _code(call: object, *args: object, **kwargs: object) -> SigningError:
    with pytest.raises(SigningError) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    assert caught.value.message and caught.value.resolution
    return caught.value


def test_rsa_and_ec_bundles_load_with_what_the_screens_show(rsa_seal: Seal, ec_seal: Seal) -> None:
    rsa_signer = load_signer(rsa_seal.p12, PASSWORD)
    ec_signer = load_signer(ec_seal.p12, PASSWORD)
    assert rsa_signer.key_description == "RSA-3072"
    assert ec_signer.key_description == "EC-secp256r1"
    for signer, seal in ((rsa_signer, rsa_seal), (ec_signer, ec_seal)):
        assert signer.subject == seal.cert.subject.rfc4514_string()
        assert "CN=ACME Facturation Seal" in signer.subject
        assert signer.serial_number == seal.cert.serial_number
        assert signer.not_valid_after == seal.cert.not_valid_after_utc
        # The container is measured once: an RSA-3072 signature is bigger than an ECDSA one.
        assert signer.bytes_reserved is not None
    assert rsa_signer.bytes_reserved > ec_signer.bytes_reserved  # type: ignore[operator]


def test_password_may_be_text(ec_seal: Seal) -> None:
    assert load_signer(ec_seal.p12, PASSWORD.decode()).subject


def test_bundle_without_password_loads_with_none() -> None:
    key = ec_key()
    assert load_signer(bundle(key, seal_certificate(key), password=None), None).key_description


def test_wrong_password(ec_seal: Seal) -> None:
    error = _code(load_signer, ec_seal.p12, b"wrong")
    assert error.code == "PKCS12_WRONG_PASSWORD"
    assert "wrong" in error.message
    assert error.provider_at_fault


def test_missing_password(ec_seal: Seal) -> None:
    error = _code(load_signer, ec_seal.p12, None)
    assert error.code == "PKCS12_WRONG_PASSWORD"
    assert "none was given" in error.message


@pytest.mark.parametrize(
    "blob",
    [b"", b"garbage", b"%PDF-1.7\n%%EOF", b"-----BEGIN CERTIFICATE-----\nMIIB\n", bytes(range(256)) * 4],
    ids=["empty", "garbage", "pdf", "pem", "binary"],
)
def test_not_a_pkcs12(blob: bytes) -> None:
    assert _code(load_signer, blob, PASSWORD).code == "PKCS12_INVALID"


def test_truncated_bundle_is_not_a_pkcs12(ec_seal: Seal) -> None:
    assert _code(load_signer, ec_seal.p12[: len(ec_seal.p12) // 2], PASSWORD).code == "PKCS12_INVALID"


def test_certificate_only_bundle_has_no_private_key(ec_seal: Seal) -> None:
    certs_only = bundle(None, None, extra=[ec_seal.cert])
    error = _code(load_signer, certs_only, PASSWORD)
    assert error.code == "PKCS12_NO_PRIVATE_KEY"
    assert "private key" in error.resolution


def test_key_only_bundle_has_no_certificate() -> None:
    assert _code(load_signer, bundle(ec_key(), None), PASSWORD).code == "PKCS12_NO_CERTIFICATE"


def test_key_with_another_keys_certificate_is_refused(ec_seal: Seal) -> None:
    foreign = bundle_with_foreign_certificate(ec_key(), ec_seal.cert)
    assert _code(load_signer, foreign, None).code == "PKCS12_NO_CERTIFICATE"


def test_matching_certificate_found_among_the_extra_certificates() -> None:
    key = ec_key()
    cert = seal_certificate(key, common_name="Extra Seal")
    assert "CN=Extra Seal" in load_signer(bundle(key, None, extra=[cert]), PASSWORD).subject


def test_expired_certificate() -> None:
    key = ec_key()
    expired = seal_certificate(key, valid_from=datetime.now(UTC) - timedelta(days=400), valid_days=365)
    error = _code(load_signer, bundle(key, expired), PASSWORD)
    assert error.code == "CERTIFICATE_EXPIRED"
    assert expired.not_valid_after_utc.strftime("%Y-%m-%d") in error.message
    assert "Renew" in error.resolution


def test_certificate_not_yet_valid() -> None:
    key = ec_key()
    future = seal_certificate(key, valid_from=datetime.now(UTC) + timedelta(days=3))
    assert _code(load_signer, bundle(key, future), PASSWORD).code == "CERTIFICATE_NOT_YET_VALID"


def test_validity_is_checked_at_the_moment_given(ec_seal: Seal) -> None:
    signer = load_signer(ec_seal.p12, PASSWORD)
    check_validity(signer, signer.not_valid_after - timedelta(seconds=1))
    after = signer.not_valid_after + timedelta(seconds=1)
    assert _code(check_validity, signer, after).code == "CERTIFICATE_EXPIRED"
    assert _code(load_signer, ec_seal.p12, PASSWORD, at=after).code == "CERTIFICATE_EXPIRED"


def test_tls_certificate_is_not_for_signing() -> None:
    key = ec_key()
    tls = seal_certificate(key, usage=TLS_ONLY_USAGE)
    assert _code(load_signer, bundle(key, tls), PASSWORD).code == "CERTIFICATE_NOT_FOR_SIGNING"


def test_certificate_without_key_usage_is_accepted() -> None:
    key = ec_key()
    assert load_signer(bundle(key, seal_certificate(key, usage=None)), PASSWORD).subject


def test_weak_rsa_key_is_refused() -> None:
    key = rsa_key(1024)
    error = _code(load_signer, bundle(key, seal_certificate(key)), PASSWORD)
    assert error.code == "KEY_NOT_SUPPORTED"
    assert "RSA-1024" in error.message


def test_signer_repr_shows_no_key_material(ec_signer: Signer) -> None:
    text = repr(ec_signer)
    assert "engine" not in text
    assert "PRIVATE" not in text


def test_signing_error_survives_pickling_for_the_task_queue() -> None:
    error = SigningError("PDF_DAMAGED", "broken", "ask again")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.code, copy.message, copy.resolution) == ("PDF_DAMAGED", "broken", "ask again")
    assert not copy.provider_at_fault
    assert "CERTIFICATE_EXPIRED" in PROVIDER_CODES


def test_unknown_code_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown SigningError code"):
        SigningError("NOPE", "x", "y")
