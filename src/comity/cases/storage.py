"""Attachment files: encrypted at rest, content-addressed per State, streamed both ways.

Layout: `MEDIA_ROOT/attachments/<State code>/<aa>/<sha256>`, where `sha256` is the digest of the
plaintext, so an identical file is stored once per State (never shared between States). A blob is
written to a temporary file in `<State code>/.tmp/`, flushed, then renamed into place atomically.

Format (version 1), AES-256-GCM with keys from `settings.COMITY_ATTACHMENT_KEYS`:

    header  = MAGIC(8) | len(key id)(1) | key id | file id(16) | chunk size(4, big-endian)
    records = nonce(12) | ciphertext+tag  (one per plaintext chunk of `chunk size` bytes; the
              last one holds 0..chunk size bytes, so an empty file is one empty final chunk)

Each chunk's associated data is `header | State code | chunk index(8) | final flag(1)`, and the
final chunk's also carries the SHA-256 of the whole plaintext. So a modified byte, a chunk moved
within or between files, a truncated or extended file, a blob copied to another State or to
another digest's path, and a wrong key all fail authentication. The final chunk is checked
before the first byte is handed out (`open_blob`); a chunk damaged in the middle stops the
stream when it is reached.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from comity.core.errors import ComityError, InvalidInput

MAGIC = b"CMTYATT\x01"
CHUNK_SIZE = 64 * 1024
MAX_CHUNK_SIZE = 4 * 1024 * 1024  # a header asking for more is refused (memory)
NONCE_BYTES = 12
TAG_BYTES = 16
FILE_ID_BYTES = 16
_STATE_CODE = re.compile(r"[A-Z0-9]{2,8}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


class AttachmentTooLarge(InvalidInput):
    status = 413

    def __init__(self, limit: int) -> None:
        mib = limit / (1024 * 1024)
        super().__init__("file", f"The file is larger than the limit of {mib:g} MiB ({limit:,} bytes).")
        self.limit = limit


class AttachmentUnreadable(ComityError):
    """The stored file is missing, damaged, tampered with, or encrypted with an unknown key."""

    code = "attachment_unreadable"
    status = 500


@dataclass(frozen=True)
class StoredBlob:
    state_code: str
    sha256: str
    size: int
    created: bool  # False: the same content was already stored for this State


def _keys() -> list[tuple[str, bytes]]:
    keys: list[tuple[str, bytes]] = list(settings.COMITY_ATTACHMENT_KEYS)
    if not keys:
        raise AttachmentUnreadable("No attachment key is configured (COMITY_ATTACHMENT_KEYS).")
    return keys


def _root() -> Path:
    return Path(settings.MEDIA_ROOT) / "attachments"


def _check_state(state_code: str) -> str:
    if not _STATE_CODE.fullmatch(state_code):
        raise ValueError(f"not a State code: {state_code!r}")
    return state_code


def blob_path(state_code: str, sha256: str) -> Path:
    if not _SHA256.fullmatch(sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return _root() / _check_state(state_code) / sha256[:2] / sha256


def blob_exists(state_code: str, sha256: str) -> bool:
    return blob_path(state_code, sha256).is_file()


def _aad(header: bytes, state_code: str, index: int, final: bool, digest: bytes = b"") -> bytes:
    return b"".join((header, state_code.encode(), struct.pack(">QB", index, final), digest))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class BlobWriter:
    """Encrypts a stream written piece by piece into the State's store (`store_blob` drives one;
    the upload handler of comity.cases.views_attachments feeds one from the request body).

    Over `max_bytes` (default `COMITY_ATTACHMENT_MAX_BYTES`) `write` raises AttachmentTooLarge
    and has already removed its temporary file; any other failure calls `abort()`.
    """

    def __init__(self, *, state_code: str, max_bytes: int | None = None) -> None:
        self.state_code = _check_state(state_code)
        self.limit = settings.COMITY_ATTACHMENT_MAX_BYTES if max_bytes is None else max_bytes
        key_id, key = _keys()[0]
        self._aead = AESGCM(key)
        self._header = MAGIC + bytes([len(key_id)]) + key_id.encode() + secrets.token_bytes(FILE_ID_BYTES)
        self._header += struct.pack(">I", CHUNK_SIZE)
        tmp_dir = _root() / state_code / ".tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        self._tmp = tmp_dir / f"upload-{secrets.token_hex(16)}"
        self._out: BinaryIO = open(self._tmp, "xb")  # noqa: SIM115 - closed by finish()/abort()
        self._out.write(self._header)
        self._digest = hashlib.sha256()
        self._buffer = bytearray()
        self._index = 0
        self.size = 0

    def _seal(self, plain: bytes, *, final: bool, tail: bytes = b"") -> None:
        nonce = secrets.token_bytes(NONCE_BYTES)
        aad = _aad(self._header, self.state_code, self._index, final, tail)
        self._out.write(nonce)
        self._out.write(self._aead.encrypt(nonce, plain, aad))
        self._index += 1

    def write(self, data: bytes) -> None:
        try:
            self.size += len(data)
            if self.size > self.limit:
                raise AttachmentTooLarge(self.limit)
            self._digest.update(data)
            self._buffer += data
            # Seal only full chunks known not to be the last one.
            while len(self._buffer) > CHUNK_SIZE:
                self._seal(bytes(self._buffer[:CHUNK_SIZE]), final=False)
                del self._buffer[:CHUNK_SIZE]
        except BaseException:
            self.abort()
            raise

    def finish(self) -> StoredBlob:
        try:
            sha = self._digest.digest()
            self._seal(bytes(self._buffer), final=True, tail=sha)
            self._out.flush()
            os.fsync(self._out.fileno())
            self._out.close()
            target = blob_path(self.state_code, sha.hex())
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                self._tmp.unlink()
                return StoredBlob(self.state_code, sha.hex(), self.size, created=False)
            os.replace(self._tmp, target)
            _fsync_dir(target.parent)
            return StoredBlob(self.state_code, sha.hex(), self.size, created=True)
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        self._out.close()
        self._tmp.unlink(missing_ok=True)


def store_blob(*, state_code: str, chunks: Iterable[bytes], max_bytes: int | None = None) -> StoredBlob:
    """Encrypt `chunks` (any sizes, read one at a time) into the State's store.

    Over `max_bytes` (default `COMITY_ATTACHMENT_MAX_BYTES`): AttachmentTooLarge, nothing left
    on disk. Any other error also removes the temporary file.
    """
    writer = BlobWriter(state_code=state_code, max_bytes=max_bytes)
    try:
        for chunk in chunks:
            writer.write(chunk)
    except BaseException:
        writer.abort()
        raise
    return writer.finish()


def delete_blob(*, state_code: str, sha256: str) -> None:
    blob_path(state_code, sha256).unlink(missing_ok=True)


def _read_exact(handle: BinaryIO, count: int) -> bytes:
    data = handle.read(count)
    if len(data) != count:
        raise AttachmentUnreadable("The stored attachment is truncated.")
    return data


class PlaintextStream:
    """Iterator of plaintext chunks of one blob (close() releases the file; Django's
    StreamingHttpResponse calls it)."""

    def __init__(self, *, state_code: str, sha256: str) -> None:
        path = blob_path(state_code, sha256)
        try:
            self._handle: BinaryIO = open(path, "rb")  # noqa: SIM115 - closed by close()
        except FileNotFoundError:
            raise AttachmentUnreadable("The stored attachment is missing.") from None
        try:
            self._open(state_code, sha256, os.fstat(self._handle.fileno()).st_size)
        except BaseException:
            self._handle.close()
            raise

    def _open(self, state_code: str, sha256: str, file_size: int) -> None:
        handle = self._handle
        if _read_exact(handle, len(MAGIC)) != MAGIC:
            raise AttachmentUnreadable("The stored attachment is not in a known format.")
        key_len = _read_exact(handle, 1)[0]
        key_id = _read_exact(handle, key_len)
        file_id = _read_exact(handle, FILE_ID_BYTES)
        raw_size = _read_exact(handle, 4)
        (chunk_size,) = struct.unpack(">I", raw_size)
        if not 0 < chunk_size <= MAX_CHUNK_SIZE:
            raise AttachmentUnreadable("The stored attachment has an invalid chunk size.")
        keys = dict(_keys())
        key = keys.get(key_id.decode("ascii", "replace"))
        if key is None:
            raise AttachmentUnreadable("The stored attachment is encrypted with an unknown key.")
        self._aead = AESGCM(key)
        self._header = MAGIC + bytes([key_len]) + key_id + file_id + raw_size
        self._state_code = state_code
        self._digest = bytes.fromhex(sha256)
        self._record = NONCE_BYTES + chunk_size + TAG_BYTES
        body = file_size - len(self._header)
        full, last = divmod(body, self._record)
        if last == 0 and full > 0:
            full, last = full - 1, self._record
        if last < NONCE_BYTES + TAG_BYTES:
            raise AttachmentUnreadable("The stored attachment is truncated.")
        self._chunks = full + 1
        # Check the final chunk first: it binds the file to its State, its digest and its length.
        handle.seek(len(self._header) + full * self._record)
        self._decrypt(_read_exact(handle, last), full)
        handle.seek(len(self._header))
        self._index = 0

    def _decrypt(self, record: bytes, index: int) -> bytes:
        final = index == self._chunks - 1
        aad = _aad(self._header, self._state_code, index, final, self._digest if final else b"")
        try:
            return self._aead.decrypt(record[:NONCE_BYTES], record[NONCE_BYTES:], aad)
        except InvalidTag:
            raise AttachmentUnreadable(
                "The stored attachment failed its integrity check (damaged, tampered with or wrong key)."
            ) from None

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        if self._index >= self._chunks or self._handle.closed:
            self.close()
            raise StopIteration
        record = self._handle.read(self._record)
        try:
            plain = self._decrypt(record, self._index)
        except AttachmentUnreadable:
            self.close()
            raise
        self._index += 1
        return plain

    def close(self) -> None:
        self._handle.close()


def open_blob(*, state_code: str, sha256: str) -> PlaintextStream:
    """The plaintext of a stored blob, chunk by chunk, after checking its final chunk (so a
    missing, truncated, moved or wrongly keyed file is refused before any byte is returned)."""
    return PlaintextStream(state_code=state_code, sha256=sha256)
