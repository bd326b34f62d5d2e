"""The encrypted referral package: its file format, and a standalone command to open it.

This module needs only Python 3 and the `cryptography` package (no Django, nothing else from
Bridgeway), so a recipient who is not on the platform can copy it and run

    python -m bridgeway.referrals.package_open FILE [--key PRIVATE_KEY_FILE] [--out DIR]

Without --key it asks for the passphrase (never echoed). The decrypted content is a zip file
(package.json, package.html, documents/…) written to --out (default: FILE without its suffix +
".zip"). See docs/referral-package.md for the format.

Format (all integers big-endian):

    magic    6 bytes   b"BWPKG1"
    version  1 byte    1
    mode     1 byte    1 = passphrase (scrypt), 2 = recipient key (X25519)
    mode 1:  salt 16 bytes; scrypt n, r, p as 4-byte unsigned integers
    mode 2:  ephemeral X25519 public key, 32 bytes
    nonce    12 bytes
    rest     AES-256-GCM ciphertext with its 16-byte tag

The whole header (everything before the ciphertext) is the associated data, so changing any of
it fails decryption. Mode 2 derives the key with HKDF-SHA256 (no salt, info
b"bridgeway referral package v1" + ephemeral public key + recipient public key) from the X25519
shared secret.
"""

from __future__ import annotations

import argparse
import base64
import getpass
import os
import struct
import sys
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"BWPKG1"
VERSION = 1
MODE_PASSPHRASE = 1
MODE_RECIPIENT_KEY = 2
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
SALT = 16
NONCE = 12
MIN_PASSPHRASE = 12
HKDF_INFO = b"bridgeway referral package v1"


class PackageError(Exception):
    """The file is not a package, or the passphrase or key does not open it."""


@dataclass
class Header:
    mode: int
    salt: bytes = b""
    n: int = SCRYPT_N
    r: int = SCRYPT_R
    p: int = SCRYPT_P
    ephemeral: bytes = b""
    nonce: bytes = b""

    def encode(self) -> bytes:
        out = MAGIC + bytes([VERSION, self.mode])
        if self.mode == MODE_PASSPHRASE:
            out += self.salt + struct.pack(">III", self.n, self.r, self.p)
        else:
            out += self.ephemeral
        return out + self.nonce


def _scrypt(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def _hkdf(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=HKDF_INFO + ephemeral + recipient).derive(shared)


def load_public_key(text: str) -> X25519PublicKey:
    """A recipient's X25519 public key: 32 raw bytes in base64 (standard or URL-safe)."""
    raw = _b64(text or "")
    if raw is None:
        raise PackageError("not an X25519 public key (32 bytes in base64)")
    return X25519PublicKey.from_public_bytes(raw)


def load_private_key(data: bytes) -> X25519PrivateKey:
    """A recipient's X25519 private key: PEM (PKCS#8), or 32 raw bytes in base64."""
    data = data.strip()
    if data.startswith(b"-----BEGIN"):
        key = serialization.load_pem_private_key(data, password=None)
        if not isinstance(key, X25519PrivateKey):
            raise PackageError("the PEM file does not hold an X25519 private key")
        return key
    raw = _b64(data.decode("ascii", "replace"))
    if raw is None:
        raise PackageError("not an X25519 private key (PEM, or 32 bytes in base64)")
    return X25519PrivateKey.from_private_bytes(raw)


def _b64(text: str) -> bytes | None:
    """32 raw bytes from standard or URL-safe base64, padded or not; None otherwise."""
    text = text.strip().replace("-", "+").replace("_", "/").rstrip("=")
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except ValueError:
        return None
    return raw if len(raw) == 32 else None


def seal(plaintext: bytes, *, passphrase: str | None = None,
         public_key: X25519PublicKey | None = None) -> bytes:
    nonce = os.urandom(NONCE)
    if passphrase is not None:
        header = Header(MODE_PASSPHRASE, salt=os.urandom(SALT), nonce=nonce)
        key = _scrypt(passphrase, header.salt, header.n, header.r, header.p)
    elif public_key is not None:
        ephemeral = X25519PrivateKey.generate()
        eph_pub = ephemeral.public_key().public_bytes_raw()
        header = Header(MODE_RECIPIENT_KEY, ephemeral=eph_pub, nonce=nonce)
        key = _hkdf(ephemeral.exchange(public_key), eph_pub, public_key.public_bytes_raw())
    else:
        raise ValueError("a passphrase or a public key is needed")
    head = header.encode()
    return head + AESGCM(key).encrypt(nonce, plaintext, head)


def read_header(blob: bytes) -> tuple[Header, int]:
    if len(blob) < len(MAGIC) + 2 or not blob.startswith(MAGIC):
        raise PackageError("not a Bridgeway referral package")
    version, mode = blob[len(MAGIC)], blob[len(MAGIC) + 1]
    if version != VERSION:
        raise PackageError(f"package version {version} is not supported")
    at = len(MAGIC) + 2
    if mode == MODE_PASSPHRASE:
        salt = blob[at:at + SALT]
        n, r, p = struct.unpack(">III", blob[at + SALT:at + SALT + 12])
        at += SALT + 12
        header = Header(mode, salt=salt, n=n, r=r, p=p)
    elif mode == MODE_RECIPIENT_KEY:
        header = Header(mode, ephemeral=blob[at:at + 32])
        at += 32
    else:
        raise PackageError(f"unknown mode {mode}")
    header.nonce = blob[at:at + NONCE]
    at += NONCE
    if len(blob) < at + 16:
        raise PackageError("the package is truncated")
    return header, at


def open_package(blob: bytes, *, passphrase: str | None = None,
                 private_key: X25519PrivateKey | None = None) -> bytes:
    header, at = read_header(blob)
    if header.mode == MODE_PASSPHRASE:
        if passphrase is None:
            raise PackageError("this package is opened with a passphrase")
        if not (2**10 <= header.n <= 2**20 and header.r <= 32 and header.p <= 16):
            raise PackageError("unreasonable scrypt parameters")
        key = _scrypt(passphrase, header.salt, header.n, header.r, header.p)
    else:
        if private_key is None:
            raise PackageError("this package is opened with the recipient's private key")
        own = private_key.public_key().public_bytes_raw()
        try:
            shared = private_key.exchange(X25519PublicKey.from_public_bytes(header.ephemeral))
        except ValueError:
            raise PackageError("the package or the key is damaged") from None
        key = _hkdf(shared, header.ephemeral, own)
    try:
        return AESGCM(key).decrypt(header.nonce, blob[at:], blob[:at])
    except InvalidTag:
        raise PackageError("wrong passphrase or key, or the file was changed") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bridgeway.referrals.package_open",
                                     description="Open an encrypted Bridgeway referral package.")
    parser.add_argument("file")
    parser.add_argument("--key", help="file with your X25519 private key (PEM or base64)")
    parser.add_argument("--out", help="where to write the decrypted zip file")
    args = parser.parse_args(argv)
    with open(args.file, "rb") as fh:
        blob = fh.read()
    try:
        header, _at = read_header(blob)
        if header.mode == MODE_PASSPHRASE:
            plain = open_package(blob, passphrase=getpass.getpass("Passphrase: "))
        else:
            if not args.key:
                raise PackageError("this package needs --key with your private key file")
            with open(args.key, "rb") as fh:
                plain = open_package(blob, private_key=load_private_key(fh.read()))
    except PackageError as exc:
        print(f"Cannot open the package: {exc}.", file=sys.stderr)
        return 1
    out = args.out or os.path.splitext(args.file)[0] + ".zip"
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(plain)
    print(f"Decrypted to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
