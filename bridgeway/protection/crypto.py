"""Envelope encryption: one AES-256-GCM data key per data subject, wrapped by a key-encryption
key (KEK) that lives outside the database (settings.BRIDGEWAY_KEKS).

Every ciphertext is bound to where it belongs through associated data (AAD): a wrapped data key
to its subject, a field value to its table, column and row. A value copied elsewhere fails to
decrypt, and so does any altered byte.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

VERSION = b"\x01"
NONCE = 12


class DecryptionError(Exception):
    """A ciphertext failed authentication: it was altered, moved, or the key is wrong."""


class KeyUnavailable(Exception):
    """The KEK a subject's data key is wrapped with is not loaded on this server."""


class SubjectErased(Exception):
    """The subject was erased: its data key is destroyed and nothing can be decrypted."""


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE)
    return VERSION + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def open_sealed(key: bytes, sealed: bytes, aad: bytes, *, what: str) -> bytes:
    if len(sealed) < 1 + NONCE + 16 or sealed[:1] != VERSION:
        raise DecryptionError(f"{what}: not a Bridgeway ciphertext.")
    try:
        return AESGCM(key).decrypt(sealed[1:1 + NONCE], sealed[1 + NONCE:], aad)
    except InvalidTag:
        raise DecryptionError(f"{what}: failed authentication (altered, moved, or wrong key).") \
            from None


def kek(key_id: str) -> bytes:
    try:
        return settings.BRIDGEWAY_KEKS[key_id]
    except KeyError:
        raise KeyUnavailable(
            f"Key-encryption key {key_id!r} is not loaded (BRIDGEWAY_KEKS). Data protected by it "
            "cannot be read on this server."
        ) from None


def kek_fingerprint(key_id: str) -> str:
    """A short public identifier of a loaded KEK, so operators can check which key is which."""
    digest = hmac.new(kek(key_id), b"bridgeway.kek.fingerprint", hashlib.sha256).hexdigest()
    return f"{digest[:4]}-{digest[4:8]}-{digest[8:12]}"


def wrap_data_key(data_key: bytes, *, key_id: str, subject_id: str) -> bytes:
    return seal(kek(key_id), data_key, f"bridgeway.dek|{subject_id}".encode())


def unwrap_data_key(wrapped: bytes, *, key_id: str, subject_id: str) -> bytes:
    return open_sealed(kek(key_id), wrapped, f"bridgeway.dek|{subject_id}".encode(),
                       what=f"data key of subject {subject_id}")


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)
