"""Encryption of queued personal data at rest: one AES-256-GCM key per device, kept in a 0600 key file.

Record format: ``b"\\x01" + nonce (12 random bytes) + ciphertext + tag``. The leading version byte leaves room
for key rotation later. The associated data binds a ciphertext to its row (entry id, kind and part), so a
ciphertext copied into another row fails to authenticate instead of being sent under the wrong application.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from offline.errors import DecryptionFailed, KeyFileError

KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # 96-bit random nonce: the size GCM is designed for
_FORMAT_V1 = b"\x01"
_AAD_PREFIX = b"gov-kiosk/outbox/v1\x00"


def load_or_create_key(path: str | os.PathLike[str]) -> bytes:
    """Return the device key stored at ``path``, creating it (mode 0600, atomically) on first start.

    Refuses to use a key file that others can read or that has the wrong size: a loose key would expose
    every queued application, and a truncated one would make the queue unreadable.
    """
    key_path = Path(path)
    try:
        return _read_key(key_path)
    except FileNotFoundError:
        pass
    return _create_key(key_path)


def _read_key(path: Path) -> bytes:
    # O_NOFOLLOW: a symlink planted in place of the key file must not redirect us to another file.
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise KeyFileError(
                f"key file {path}: is a symbolic link; configure the path of the key file itself"
            ) from None
        if isinstance(exc, FileNotFoundError):
            raise
        raise KeyFileError(f"key file {path}: cannot be read ({exc.strerror}); check its owner and folder") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise KeyFileError(f"key file {path}: not a regular file; point the key path at the device key file")
        if info.st_mode & 0o077:
            raise KeyFileError(
                f"key file {path}: permissions {stat.S_IMODE(info.st_mode):04o} let other users read the key; "
                f"run 'chmod 600 {path}' (and check nobody copied it) before starting the kiosk"
            )
        if info.st_uid != os.geteuid():
            raise KeyFileError(
                f"key file {path}: owned by uid {info.st_uid}, not by the kiosk user (uid {os.geteuid()}); "
                f"run 'chown' so only the kiosk user owns it"
            )
        key = os.read(fd, KEY_BYTES + 1)
    finally:
        os.close(fd)
    if len(key) != KEY_BYTES:
        raise KeyFileError(
            f"key file {path}: {len(key)} bytes, expected {KEY_BYTES}; it is damaged or not a kiosk key. "
            f"Restore it from the device backup. Without the original key the queued entries cannot be read."
        )
    return key


def _create_key(path: Path) -> bytes:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = AESGCM.generate_key(bit_length=KEY_BYTES * 8)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # the umask may have removed bits, never added them; be explicit anyway
        os.write(fd, key)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        # link() instead of rename(): if another process created the key meanwhile, we must not replace it
        # (entries may already be encrypted under it); we read theirs instead.
        os.link(tmp, path)
    except FileExistsError:
        return _read_key(path)
    finally:
        os.unlink(tmp)
    _fsync_dir(path.parent)
    return key


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def record_aad(entry_id: int, kind: str, part: str) -> bytes:
    """Associated data for one stored record: ``part`` is ``"payload"``, ``"image:<n>"`` or ``"key-check"``."""
    return _AAD_PREFIX + f"{entry_id}\x00{kind}\x00{part}".encode()


class RecordCipher:
    """Seals and opens records with the device key; holds no state besides the key."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise KeyFileError(f"device key must be {KEY_BYTES} bytes, got {len(key)}")
        self._aead = AESGCM(key)

    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return _FORMAT_V1 + nonce + self._aead.encrypt(nonce, plaintext, aad)

    def open(self, record: bytes, aad: bytes, what: str) -> bytes:
        """Decrypt ``record``; ``what`` names the record in the error (never its content)."""
        if len(record) < 1 + NONCE_BYTES + 16 or record[:1] != _FORMAT_V1:
            raise DecryptionFailed(f"{what}: not an encrypted outbox record (unknown format or truncated)")
        nonce, body = record[1 : 1 + NONCE_BYTES], record[1 + NONCE_BYTES :]
        try:
            return self._aead.decrypt(nonce, body, aad)
        except InvalidTag:
            raise DecryptionFailed(
                f"{what}: could not be decrypted: the device key is not the one it was written with, "
                f"or the record was altered or moved to another entry"
            ) from None
