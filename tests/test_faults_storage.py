"""The database refusing a write at the moment of a send, for real (issue 17, item 17b):
locked by another connection past the busy timeout, made read-only, out of space.

In each case the sender gets an error (never an acknowledgement), the server keeps
serving (reads, health, other connections), nothing half-way is stored, and the retry
with the same ``client_id`` succeeds, once, when the fault clears.

How each fault is made real:

* locked: another ``sqlite3`` connection holds ``BEGIN EXCLUSIVE`` past the server's
  busy timeout (``SQLITE_BUSY_TIMEOUT_MS``, short here so the test is fast);
* read-only: the tests run as root, for whom ``chmod`` changes nothing, and a filesystem
  cannot be remounted read-only while SQLite holds files open for writing; the
  database file and its write-ahead log are made immutable (``chattr +i``), which
  refuses every write, root's included, through the descriptors already open (SQLite
  sees EPERM: ``SQLITE_IOERR_WRITE``);
* out of space: the data folder is a tmpfs of a few MiB mounted for the test, filled
  to the last byte by another file (SQLite answers ``SQLITE_FULL``); deleting the
  filler clears it.

The storage tests need root (mount and chattr); the machine and CI run them as root.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any, Iterator

import pytest
from aiohttp.test_utils import TestServer

from server.config import Settings

from .conftest import ServerFactory, base_settings
from .people import Person, PersonFactory

BUSY_MS = 300
ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not ROOT, reason="mounting a tmpfs and chattr +i need root (CI and this machine run as root)")


@pytest.fixture
async def server(start_server: ServerFactory, settings: Settings) -> TestServer:
    return await start_server(settings, sqlite_busy_timeout_ms=BUSY_MS)


def database_file(settings: Settings) -> Path:
    return Path(settings.database_url.split("///", 1)[1])


async def room_and_thread(person: Person) -> tuple[dict[str, Any], dict[str, Any]]:
    room = await person.create_room("Faults")
    thread = await person.start_thread(room, "Storage")
    return room, thread


async def stored_client_ids(person: Person, thread_id: int) -> list[str]:
    page = await person.get(f"/api/v1/threads/{thread_id}/messages", params={"limit": 200})
    return [m["client_id"] for m in page["messages"] if m["client_id"]]


async def assert_refused_then_retried(person: Person, thread: dict[str, Any], fault: contextlib.AbstractContextManager[Any]) -> None:
    """Under ``fault``: a socket send and a REST send are refused with ``unavailable``,
    reads and health still answer; after it: the same client ids succeed, stored once."""
    sock = await person.socket()
    send = {"thread_id": thread["id"], "client_id": "during-fault", "body": "sent while the disk said no"}
    with fault:
        answer = await sock.call("send", send)
        assert answer["ok"] is False, answer
        assert answer["error"]["code"] == "unavailable", answer
        status, body = await person.send(thread["id"], "over REST", "rest-during-fault")
        assert status == 503 and body["error"]["code"] == "unavailable", (status, body)
        for _ in range(3):  # more than one pooled connection meets the fault
            status, body = await person.call("POST", f"/api/v1/rooms/{thread['room_id']}/threads", json={"title": "Opened during"})
            assert status == 503 and body["error"]["code"] == "unavailable", (status, body)
        # The server keeps serving: reads, health, the same connection.
        assert "during-fault" not in await stored_client_ids(person, thread["id"])
        async with person.http.get("/healthz") as r:
            assert r.status == 200
        assert sock.client.connected
    again = await sock.call("send", send)
    assert again["ok"] is True and again["created"] is True, again
    status, body = await person.send(thread["id"], "over REST", "rest-during-fault")
    assert status == 201, (status, body)
    for n in range(4):  # the engine's pooled connections write again too, whichever is handed out
        await person.start_thread(thread["room_id"], f"Opened after {n}")
    twice = await sock.call("send", send)  # a second retry: the stored message, not a copy
    assert twice["ok"] and twice["created"] is False and twice["message"]["id"] == again["message"]["id"]
    stored = await stored_client_ids(person, thread["id"])
    assert stored.count("during-fault") == 1 and stored.count("rest-during-fault") == 1
    # Gapless numbering survived the refused writes.
    page = await person.get(f"/api/v1/threads/{thread['id']}/messages", params={"limit": 200})
    seqs = [m["seq"] for m in page["messages"]]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Another process-like connection holds the write lock (and blocks readers' checkpoints)."""
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    other.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


@contextlib.contextmanager
def immutable(path: Path) -> Iterator[None]:
    """The database file and its write-ahead log refuse every write (root's too)."""
    files = [str(p) for p in (path, Path(f"{path}-wal")) if p.exists()]
    subprocess.run(["chattr", "+i", *files], check=True)
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", *files], check=True)


async def test_a_locked_database_refuses_the_send_and_the_retry_succeeds(people: PersonFactory, settings: Settings) -> None:
    ada = await people.signup("ada@example.org", "Ada", "Org")
    _, thread = await room_and_thread(ada)
    await assert_refused_then_retried(ada, thread, locked(database_file(settings)))


@needs_root
async def test_a_read_only_database_refuses_the_send_and_the_retry_succeeds(people: PersonFactory, settings: Settings) -> None:
    ada = await people.signup("ada@example.org", "Ada", "Org")
    _, thread = await room_and_thread(ada)
    await assert_refused_then_retried(ada, thread, immutable(database_file(settings)))


@pytest.fixture
def tiny_disk(tmp_path: Path, sqlite_template: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs holding the data folder (the database copied in)."""
    mountpoint = tmp_path / "disk"
    mountpoint.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", str(mountpoint)], check=True)
    try:
        shutil.copy(sqlite_template, mountpoint / "convene.db")
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=True)


@contextlib.contextmanager
def disk_full(folder: Path) -> Iterator[None]:
    """Fill the filesystem to the last byte with another file; deleting it frees the space."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (65536, 4096, 1):  # down to the last byte
            with contextlib.suppress(OSError):  # ENOSPC: full at this size
                while True:
                    os.write(fd, b"\0" * size)
    finally:
        os.close(fd)
    try:
        yield
    finally:
        filler.unlink()


@needs_root
async def test_a_full_disk_refuses_the_send_and_the_retry_succeeds(start_server: ServerFactory, tiny_disk: Path) -> None:
    settings = base_settings(tiny_disk, f"sqlite+aiosqlite:///{tiny_disk / 'convene.db'}")
    server = await start_server(settings, sqlite_busy_timeout_ms=BUSY_MS)
    people = PersonFactory(server, settings)
    try:
        ada = await people.signup("ada@example.org", "Ada", "Org")
        _, thread = await room_and_thread(ada)
        await assert_refused_then_retried(ada, thread, disk_full(tiny_disk))
    finally:
        await people.close()
