"""The device key file and the binding of each ciphertext to its row."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

from offline.crypto import KEY_BYTES, load_or_create_key
from offline.errors import DecryptionFailed, KeyFileError, KeyMismatch
from offline.model import Kind, State
from offline.outbox import Outbox
from offline.sync import SyncWorker


def test_key_file_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "etc" / "kiosk" / "device.key"
    old_umask = os.umask(0)  # a careless umask must not make the key world-readable
    try:
        key = load_or_create_key(path)
    finally:
        os.umask(old_umask)
    assert len(key) == KEY_BYTES
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_key(path) == key  # the second start reads the same key
    assert [p.name for p in path.parent.iterdir()] == ["device.key"]  # no temp file left behind


def test_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "device.key"
    load_or_create_key(path)
    path.chmod(0o644)
    with pytest.raises(KeyFileError, match=r"permissions 0644.*chmod 600"):
        load_or_create_key(path)


@pytest.mark.parametrize("size", [0, 16, 33])
def test_key_file_of_the_wrong_size_is_refused(tmp_path: Path, size: int) -> None:
    path = tmp_path / "device.key"
    path.write_bytes(b"k" * size)
    path.chmod(0o600)
    with pytest.raises(KeyFileError, match=rf"{size} bytes, expected 32"):
        load_or_create_key(path)


def test_key_file_symlink_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "elsewhere.key"
    load_or_create_key(real)
    (tmp_path / "device.key").symlink_to(real)
    with pytest.raises(KeyFileError, match="symbolic link"):
        load_or_create_key(tmp_path / "device.key")


def test_outbox_refuses_a_key_it_was_not_written_with(tmp_path: Path) -> None:
    with Outbox(tmp_path / "outbox.db", tmp_path / "device.key") as outbox:
        outbox.enqueue(Kind.APPLICATION, {"name": "张三"})
    (tmp_path / "device.key").unlink()  # e.g. restored an image without the key partition
    with pytest.raises(KeyMismatch, match=r"does not match outbox .*Restore the original key file"):
        Outbox(tmp_path / "outbox.db", tmp_path / "device.key")


def test_a_ciphertext_moved_to_another_row_does_not_decrypt(tmp_path: Path) -> None:
    with Outbox(tmp_path / "outbox.db", tmp_path / "device.key") as outbox:
        first = outbox.enqueue(Kind.APPLICATION, {"name": "张三"}, images=[b"\xff\xd8\xff first"])
        second = outbox.enqueue(Kind.APPLICATION, {"name": "李四"}, images=[b"\xff\xd8\xff second"])
    raw = sqlite3.connect(tmp_path / "outbox.db")
    with raw:  # someone swaps the two payloads and images in the file
        for table in ("outbox_payloads", "outbox_image_data"):
            raw.execute(f"UPDATE {table} SET entry_id = -entry_id WHERE entry_id = ?", (first.id,))
            raw.execute(f"UPDATE {table} SET entry_id = ? WHERE entry_id = ?", (first.id, second.id))
            raw.execute(f"UPDATE {table} SET entry_id = ? WHERE entry_id = ?", (second.id, -first.id))
    raw.close()

    with Outbox(tmp_path / "outbox.db", tmp_path / "device.key") as outbox:
        with pytest.raises(DecryptionFailed, match=rf"entry {first.id} \(application\) payload.*moved"):
            outbox.read_payload(outbox.get(first.id))
        with pytest.raises(DecryptionFailed, match=rf"entry {second.id} \(application\) image 0"):
            outbox.read_image(outbox.get(second.id), 0)

        delivered: list[int] = []
        report = SyncWorker(outbox, lambda entry, payload, images: delivered.append(entry.id) or {}).sync_once()
        # Unreadable entries go to dead (visible, never sent, never blocking the queue), with a clear reason.
        assert delivered == [] and report.dead == 2
        dead = outbox.list(states=[State.DEAD])
        assert all("could not be decrypted" in (entry.last_error or "") for entry in dead)


def test_a_copied_outbox_does_not_open_with_another_devices_key(tmp_path: Path) -> None:
    with Outbox(tmp_path / "a" / "outbox.db", tmp_path / "a" / "device.key") as outbox:
        outbox.enqueue(Kind.APPLICATION, {"name": "张三"})
    (tmp_path / "b").mkdir()
    shutil.copy(tmp_path / "a" / "outbox.db", tmp_path / "b" / "outbox.db")
    load_or_create_key(tmp_path / "b" / "device.key")
    with pytest.raises(KeyMismatch):
        Outbox(tmp_path / "b" / "outbox.db", tmp_path / "b" / "device.key")
