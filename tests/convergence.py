"""A client as the web client behaves, for the fault tests: it remembers the last
sequence number it saw in a room, keeps every room event it received (live or by
catch-up) by its number, sends with its own client ids and sends again, with the same
id, whatever was not acknowledged. Its view must end equal to the stored log."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import socketio

FAILURES = (
    socketio.exceptions.TimeoutError,
    socketio.exceptions.BadNamespaceError,
    socketio.exceptions.DisconnectedError,
    socketio.exceptions.ConnectionError,
    aiohttp.ClientError,
    OSError,
)


@dataclass
class ViewClient:
    name: str
    url: str
    token: str
    room_id: int
    thread_id: int
    view: dict[int, dict[str, Any]] = field(default_factory=dict)  # seq -> room event
    acknowledged: dict[str, int] = field(default_factory=dict)  # client id -> seq
    pending: dict[str, str] = field(default_factory=dict)  # client id -> body, sent but not acknowledged
    refused: list[dict[str, Any]] = field(default_factory=list)  # error answers (not acknowledgements)
    sent: int = 0
    sio: socketio.AsyncClient | None = None
    gone: asyncio.Event = field(default_factory=asyncio.Event)  # the connection dropped

    @property
    def last_seq(self) -> int:
        return max(self.view, default=0)

    def _apply(self, event: dict[str, Any]) -> None:
        seq = event.get("seq")
        if event.get("room_id") == self.room_id and isinstance(seq, int):
            # Once stored, an event's payload may be replayed; the first copy wins, and
            # a replay must match it (the same message, the same number).
            known = self.view.setdefault(seq, event)
            if known is not event:
                assert _identity(known) == _identity(event), (self.name, known, event)

    async def connect(self, timeout: float = 5) -> None:
        """Connect, subscribe from the last number seen, and apply the catch-up."""
        client = socketio.AsyncClient(reconnection=False)
        client.on("event", self._on_event)
        self.gone = gone = asyncio.Event()
        client.on("disconnect", lambda *reason: gone.set())
        await client.connect(self.url, headers={"Cookie": f"convene_session={self.token}"}, transports=["websocket"], wait_timeout=timeout)
        self.sio = client
        answer = await client.call("subscribe", {"rooms": {str(self.room_id): self.last_seq}}, timeout=timeout)
        assert answer["ok"], answer
        room = answer["rooms"][str(self.room_id)]
        assert "resync" not in room, f"{self.name} was told to resync; raise CATCHUP_LIMIT"
        for event in room["events"]:
            self._apply(event)

    async def _on_event(self, event: dict[str, Any]) -> None:
        self._apply(event)

    async def send(self, client_id: str, body: str, timeout: float = 5) -> bool:
        """Send (or send again) one message; True once acknowledged."""
        assert self.sio is not None
        self.pending.setdefault(client_id, body)
        self.sent += 1
        # A call on a connection that drops is never answered: stop waiting when it drops.
        payload = {"thread_id": self.thread_id, "client_id": client_id, "body": body}
        call = asyncio.ensure_future(self.sio.call("send", payload, timeout=timeout))
        dropped = asyncio.ensure_future(self.gone.wait())
        await asyncio.wait({call, dropped}, return_when=asyncio.FIRST_COMPLETED)
        dropped.cancel()
        if not call.done():
            call.cancel()
            raise socketio.exceptions.DisconnectedError("the connection dropped before the answer")
        answer = call.result()
        if not answer.get("ok"):
            self.refused.append(answer)
            return False
        seq = answer["message"]["seq"]
        assert self.acknowledged.setdefault(client_id, seq) == seq, (client_id, seq, self.acknowledged[client_id])
        self.pending.pop(client_id, None)
        return True

    async def retry_pending(self, timeout: float = 5) -> None:
        for client_id, body in list(self.pending.items()):
            await self.send(client_id, body, timeout)

    async def close(self) -> None:
        client, self.sio = self.sio, None
        if client is not None:
            try:
                await asyncio.wait_for(client.disconnect(), 2)
            except (asyncio.TimeoutError, *FAILURES):
                pass  # the server is gone; there is nothing to say goodbye to


def _identity(event: dict[str, Any]) -> tuple[Any, ...]:
    inner = event.get("message") or event.get("thread") or {}
    return (event["type"], event["seq"], inner.get("id"), inner.get("client_id"))


def stored_log(database: Path, room_id: int) -> dict[int, dict[str, Any]]:
    """Every durable event of the room, by number, read from the database file itself."""
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        rows = db.execute("SELECT seq, payload FROM room_events WHERE room_id = ? ORDER BY seq", (room_id,)).fetchall()
    return {seq: json.loads(payload) for seq, payload in rows}


def stored_messages(database: Path, thread_id: int) -> list[tuple[str, str, int]]:
    """(client id, body, seq) of every message stored in the thread."""
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        return db.execute("SELECT client_id, body, seq FROM messages WHERE thread_id = ? ORDER BY seq", (thread_id,)).fetchall()


def view_problems(client: ViewClient, log: dict[int, dict[str, Any]]) -> list[str]:
    """How the client's view differs from the stored log (empty: it converged)."""
    problems = []
    if client.view.keys() != log.keys():
        missing, extra = sorted(log.keys() - client.view.keys()), sorted(client.view.keys() - log.keys())
        problems.append(f"{client.name}: missing {missing[:10]}, extra {extra[:10]}")
    for seq in client.view.keys() & log.keys():
        if _identity(client.view[seq]) != _identity(log[seq]):
            problems.append(f"{client.name}: seq {seq} is {_identity(client.view[seq])}, stored {_identity(log[seq])}")
    return problems
