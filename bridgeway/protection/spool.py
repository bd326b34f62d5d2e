"""Uploads too large to keep in memory are spooled to disk encrypted, never in clear.

Django writes an upload over FILE_UPLOAD_MAX_MEMORY_SIZE to a named temporary file in clear
(`TemporaryFileUploadHandler`); a worker killed during the request leaves it behind, and even a
deleted one stays on the disk's blocks. Here the bytes go to an unnamed temporary file
(`tempfile.TemporaryFile`: gone with the process, whatever kills it), sealed in 64 KiB segments
with AES-256-GCM under a key that exists only in this process's memory.
"""

from __future__ import annotations

import io
import os
import tempfile

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

SEGMENT = 64 * 1024
TAG = 16


class EncryptedSpool(io.RawIOBase):
    """Written once from start to end (`write`, then `finish`), then read and sought freely."""

    def __init__(self) -> None:
        self._aes = AESGCM(AESGCM.generate_key(bit_length=256))
        self._fh = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self._pending = bytearray()
        self._segments = 0
        self.size = 0
        self._pos = 0
        self._finished = False
        self._cache: tuple[int, bytes] | None = None

    def _nonce(self, index: int) -> bytes:
        return index.to_bytes(12, "big")

    def _seal(self, chunk: bytes | bytearray) -> None:
        self._fh.write(self._aes.encrypt(self._nonce(self._segments), bytes(chunk), None))
        self._segments += 1

    def write(self, data) -> int:
        if self._finished:
            raise ValueError("the spool is finished")
        self._pending += data
        self.size += len(data)
        while len(self._pending) >= SEGMENT:
            self._seal(self._pending[:SEGMENT])
            del self._pending[:SEGMENT]
        return len(data)

    def finish(self) -> None:
        if self._pending:
            self._seal(self._pending)
            self._pending = bytearray()
        self._finished = True

    def readable(self) -> bool:
        return self._finished

    def seekable(self) -> bool:
        return self._finished

    def writable(self) -> bool:
        return not self._finished

    def _segment(self, index: int) -> bytes:
        if self._cache and self._cache[0] == index:
            return self._cache[1]
        self._fh.seek(index * (SEGMENT + TAG))
        plain = self._aes.decrypt(self._nonce(index), self._fh.read(SEGMENT + TAG), None)
        self._cache = (index, plain)
        return plain

    def readinto(self, target) -> int:
        view, filled = memoryview(target).cast("B"), 0
        while filled < len(view) and self._pos < self.size:
            index, offset = divmod(self._pos, SEGMENT)
            chunk = self._segment(index)[offset:offset + len(view) - filled]
            view[filled:filled + len(chunk)] = chunk
            filled += len(chunk)
            self._pos += len(chunk)
        return filled

    def seek(self, pos: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._pos, os.SEEK_END: self.size}[whence]
        self._pos = max(base + pos, 0)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._fh.close()
        super().close()


class EncryptedTemporaryFileUploadHandler(FileUploadHandler):
    """Stands where Django's TemporaryFileUploadHandler stood (settings.FILE_UPLOAD_HANDLERS)."""

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.spool = EncryptedSpool()

    def receive_data_chunk(self, raw_data, start):
        self.spool.write(raw_data)

    def file_complete(self, file_size):
        self.spool.finish()
        return UploadedFile(file=io.BufferedReader(self.spool, buffer_size=SEGMENT),
                            name=self.file_name, content_type=self.content_type,
                            size=file_size, charset=self.charset,
                            content_type_extra=self.content_type_extra)

    def upload_interrupted(self) -> None:
        if hasattr(self, "spool"):
            self.spool.close()
