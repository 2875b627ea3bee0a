"""Losing access reaches every process: two real server processes (``python -m
server serve``) on one PostgreSQL database and one Redis, each person's connections
spread over both. Found by outside probes (issue 6, item 2)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import AsyncIterator

import pytest
import socketio

from server.config import Settings

from .conftest import _pg_admin, _pg_url, base_settings
from .loopback import free_port, server_env, wait_healthy
from .people import Person, PersonFactory, Socket

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class Process:
    """What PersonFactory needs of a server: its address."""

    def __init__(self, url: str) -> None:
        self.url = url

    def make_url(self, path: str) -> str:
        return self.url + path


class Cluster:
    def __init__(self, settings: Settings, first: PersonFactory, second: PersonFactory) -> None:
        self.settings = settings
        self.first = first
        self.second = second

    def elsewhere(self, person: Person) -> Person:
        """The same signed-in session (the same cookie) used against the other process."""
        other = Person(self.second, person.http, person.user)
        self.second.people.append(other)
        return other


@pytest.fixture
async def cluster(tmp_path: Path, pg_template: str) -> AsyncIterator[Cluster]:
    name = f"convene_test_{uuid.uuid4().hex[:12]}"
    await _pg_admin(f"CREATE DATABASE {name} TEMPLATE {pg_template}")
    settings = base_settings(tmp_path, _pg_url(name))
    processes: list[subprocess.Popen[bytes]] = []
    factories: list[PersonFactory] = []
    channel = f"convene-test-{uuid.uuid4().hex}"
    try:
        for _ in range(2):
            port = free_port()
            env = server_env(tmp_path, port, DATABASE_URL=settings.database_url, REDIS_URL=REDIS_URL, REDIS_CHANNEL=channel)
            with open(tmp_path / f"server-{port}.log", "wb") as log:  # the child keeps its own copy
                processes.append(subprocess.Popen([sys.executable, "-m", "server", "serve"], cwd=ROOT, env=env, stdout=log, stderr=log))
            url = f"http://127.0.0.1:{port}"
            await wait_healthy(url)
            factories.append(PersonFactory(Process(url), settings))  # type: ignore[arg-type]
        yield Cluster(settings, factories[0], factories[1])
    finally:
        for factory in factories:
            await factory.close()
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        await _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def _disconnected_within(sock: Socket, timeout: float) -> float:
    started = time.monotonic()
    while sock.client.connected:
        assert time.monotonic() - started < timeout, "the socket on the other process is still connected"
        await asyncio.sleep(0.02)
    return time.monotonic() - started


async def _people(cluster: Cluster) -> tuple[Person, Person, Person]:
    admin = await cluster.first.signup("ada@localdigital.example", "Ada Admin", "LocalGov Digital")
    alice = await cluster.first.signup("alice@camden.example", "Alice Officer", "Camden Council", confirm=True)
    bob = await cluster.first.signup("bob@bristol.example", "Bob Supplier", "Bristol City Council", confirm=True)
    return admin, alice, bob


async def test_signing_out_everywhere_ends_sockets_on_every_process(cluster: Cluster) -> None:
    _, alice, _ = await _people(cluster)
    room = await alice.create_room("Shared")
    thread = await alice.start_thread(room, "T")
    other_browser = await cluster.second.signin("alice@camden.example")
    there = await other_browser.socket()
    same_cookie_there = await cluster.elsewhere(alice).socket()
    await alice.post("/api/v1/auth/signout-everywhere", expect=204)
    try:  # whatever it manages to send now is refused, never stored
        late = await there.call("send", {"thread_id": thread["id"], "client_id": "late-1", "body": "after sign-out"})
        assert late["ok"] is False, late
    except (socketio.exceptions.BadNamespaceError, socketio.exceptions.TimeoutError, socketio.exceptions.DisconnectedError):
        pass
    for sock in (there, same_cookie_there):
        await _disconnected_within(sock, 5)
        assert [e["reason"] for e in sock.of_type("session.revoked")] == ["signed_out_everywhere"]
    status, _ = await other_browser.call("GET", "/api/v1/me")
    assert status == 401
    reader = await cluster.first.signup("carol@dh.example", "Carol", "DH", confirm=True)
    assert (await reader.get(f"/api/v1/threads/{thread['id']}/messages"))["messages"] == []


async def test_a_plain_sign_out_ends_that_sessions_sockets_on_the_other_process(cluster: Cluster) -> None:
    _, alice, _ = await _people(cluster)
    room = await alice.create_room("Shared")
    thread = await alice.start_thread(room, "T")
    kept = await (await cluster.second.signin("alice@camden.example")).socket()
    ended = await cluster.elsewhere(alice).socket()
    await alice.post("/api/v1/auth/signout", expect=204)
    await _disconnected_within(ended, 5)
    assert [e["reason"] for e in ended.of_type("session.revoked")] == ["signed_out"]
    ack = await kept.call("send", {"thread_id": thread["id"], "client_id": "k-1", "body": "still signed in there"})
    assert ack["ok"], ack


async def test_leaving_an_invite_only_room_unsubscribes_sockets_on_every_process(cluster: Cluster) -> None:
    _, alice, bob = await _people(cluster)
    room = await alice.create_room("Private", visibility="invite")
    await alice.post(f"/api/v1/rooms/{room['id']}/members", {"user_id": bob.id}, expect=201)
    thread = await alice.start_thread(room, "T")
    bob_there = cluster.elsewhere(bob)
    sock = await bob_there.socket()
    await sock.subscribe({room["id"]: 0})
    await bob.post(f"/api/v1/rooms/{room['id']}/leave", expect=200)
    await sock.wait_for("room.access_lost")
    await alice.send(thread["id"], "after bob left", "x-1")
    own = await bob.start_thread(await bob.create_room("Bob's own"), "Sentinel")
    await sock.barrier(own["id"])
    assert sock.of_type("message.created") == []


async def test_a_demoted_facilitator_loses_rooms_on_every_process(cluster: Cluster) -> None:
    admin, alice, bob = await _people(cluster)
    await admin.call("PATCH", f"/api/v1/users/{bob.id}", json={"role": "facilitator"}, expect=200)
    room = await alice.create_room("Private", visibility="invite")
    thread = await alice.start_thread(room, "T")
    here, there = await bob.socket(), await cluster.elsewhere(bob).socket()
    for sock in (here, there):
        assert "error" not in (await sock.subscribe({room["id"]: 0}))[str(room["id"])]
    await admin.call("PATCH", f"/api/v1/users/{bob.id}", json={"role": "member"}, expect=200)
    for sock in (here, there):
        [lost] = await sock.wait_for("room.access_lost")
        assert lost["room_id"] == room["id"]
    await alice.send(thread["id"], "not for bob any more", "d-1")
    own = await bob.start_thread(await bob.create_room("Bob's own"), "Sentinel")
    for sock in (here, there):
        await sock.barrier(own["id"])
        assert sock.of_type("message.created") == []


async def test_a_room_becoming_invite_only_unsubscribes_outsiders_on_every_process(cluster: Cluster) -> None:
    _, alice, bob = await _people(cluster)
    room = await alice.create_room("Was open")
    thread = await alice.start_thread(room, "T")
    outsider = await cluster.elsewhere(bob).socket()
    await outsider.subscribe({room["id"]: 0})
    await alice.call("PATCH", f"/api/v1/rooms/{room['id']}", json={"visibility": "invite"}, expect=200)
    await outsider.wait_for("room.access_lost")
    await alice.send(thread["id"], "members only now", "p-1")
    own = await bob.start_thread(await bob.create_room("Bob's own"), "Sentinel")
    await outsider.barrier(own["id"])
    assert outsider.of_type("message.created") == []


async def test_deactivation_ends_sockets_on_every_process(cluster: Cluster) -> None:
    admin, _, bob = await _people(cluster)
    here, there = await bob.socket(), await cluster.elsewhere(bob).socket()
    await admin.call("PATCH", f"/api/v1/users/{bob.id}", json={"active": False}, expect=200)
    for sock in (here, there):
        await _disconnected_within(sock, 5)
        assert [e["reason"] for e in sock.of_type("session.revoked")] == ["deactivated"]
