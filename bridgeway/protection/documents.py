"""Encrypted documents: sniffed type, size limit, chunked AES-GCM with the subject's data key.

Files are stored under random names outside any public URL. Each 64 KiB segment is sealed with a
nonce made of a per-file random prefix, the segment number and a last-segment flag, and the AAD
binds it to the document id: segments cannot be reordered, dropped, truncated or moved to another
document without decryption failing.
"""

from __future__ import annotations

import codecs
import io
import os
import struct
import zipfile
from collections.abc import Iterator

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bridgeway.protection.crypto import DecryptionError

MAGIC = b"BWD1"
SEGMENT = 64 * 1024
PREFIX = 7
TAG = 16

ALLOWED_TYPES = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/webp": "WebP",
    "text/plain": "plain text",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (.docx)",
    "application/vnd.oasis.opendocument.text": "OpenDocument text (.odt)",
}


def sniff(head: bytes, data: bytes | None = None) -> str | None:
    """The content type from the bytes themselves, or None when it is not an allowed type."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"PK\x03\x04") and data is not None:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
                if "mimetype" in names and zf.read("mimetype").strip() == \
                        b"application/vnd.oasis.opendocument.text":
                    return "application/vnd.oasis.opendocument.text"
                if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
                    return ("application/vnd.openxmlformats-officedocument."
                            "wordprocessingml.document")
        except zipfile.BadZipFile:
            return None
        return None
    if b"\x00" not in head:
        try:
            # Not final: a multi-byte character may be cut at the end of the sample.
            text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        except UnicodeDecodeError:
            return None
        lowered = text.lstrip().lower()
        # Markup (HTML, SVG, XML) can carry scripts: not accepted as "text".
        if lowered.startswith("<") or "<script" in lowered or "<svg" in lowered:
            return None
        return "text/plain"
    return None


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", index) + (b"\x01" if last else b"\x00")


def encrypt(key: bytes, data: bytes, aad: bytes) -> bytes:
    prefix = os.urandom(PREFIX)
    aes = AESGCM(key)
    out = [MAGIC, prefix]
    count = max(1, -(-len(data) // SEGMENT))
    for index in range(count):
        chunk = data[index * SEGMENT:(index + 1) * SEGMENT]
        out.append(aes.encrypt(_nonce(prefix, index, index == count - 1), chunk, aad))
    return b"".join(out)


def decrypt_stream(key: bytes, stream, aad: bytes) -> Iterator[bytes]:
    head = stream.read(len(MAGIC) + PREFIX)
    if head[:len(MAGIC)] != MAGIC:
        raise DecryptionError("document: not a Bridgeway encrypted file.")
    prefix = head[len(MAGIC):]
    aes = AESGCM(key)
    index = 0
    block = stream.read(SEGMENT + TAG)
    while True:
        nxt = stream.read(SEGMENT + TAG)
        last = not nxt
        try:
            yield aes.decrypt(_nonce(prefix, index, last), block, aad)
        except InvalidTag:
            raise DecryptionError("document: a segment failed authentication (altered, "
                                  "truncated or moved).") from None
        if last:
            return
        block, index = nxt, index + 1
