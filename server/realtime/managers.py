"""Socket.IO client managers that also carry directives (ending sessions, losing a
room, re-checking access) to EVERY process, through the same channel as events.

A directive is emitted like an event under a reserved name; instead of reaching
clients, it is handed to ``on_directive`` on each process: here at once, and on other
processes when Redis delivers it. Riding the event channel keeps it in order with the
events around it: a connection that lost a room is out of it before the next event of
that room is delivered anywhere.

This hooks one method of python-socketio's managers (``AsyncManager.emit`` and, through
``engine_adapter.RedisManagerBase``, the method that every emitted message passes
through on every host); python-socketio is pinned below 6 for it, and
tests/test_scale_out.py runs it across real processes. Plain emits (no acknowledgement
callback) go out through ``server.realtime.fanout`` on every host.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable

import socketio

from server.realtime import engine_adapter, fanout

DIRECTIVE_EVENT = "convene:directive"

OnDirective = Callable[[dict[str, Any]], Awaitable[None]]


def _plain(kwargs: dict[str, Any]) -> bool:
    """An emit with nothing per recipient (no acknowledgement, nobody skipped): the
    fast fan-out serves it (``server.realtime.fanout``)."""
    return kwargs.get("callback") is None and not kwargs.get("skip_sid") and set(kwargs) <= {"to", "callback", "skip_sid", "ignore_queue"}


class _Directives:
    on_directive: OnDirective | None = None

    async def _carry_out(self, data: Any) -> None:
        if self.on_directive is not None and isinstance(data, dict):
            await self.on_directive(data)


class LocalManager(_Directives, socketio.AsyncManager):  # type: ignore[misc]
    """One process: directives are carried out here, never sent to clients."""

    async def emit(self, event: str, data: Any, namespace: str | None = None, room: str | None = None, **kwargs: Any) -> Any:
        if event == DIRECTIVE_EVENT:
            await self._carry_out(data)
            return None
        if _plain(kwargs) and fanout.deliver(self, event, data, namespace, kwargs.get("to") or room):
            return None
        return await super().emit(event, data, namespace, room=room, **kwargs)


class RedisManager(_Directives, engine_adapter.RedisManagerBase):
    """Several processes: directives travel through Redis with the events."""

    async def handle_remote_emit(self, message: dict[str, Any]) -> None:
        if message.get("event") == DIRECTIVE_EVENT:
            data = message.get("data")
            await self._carry_out(data[0] if isinstance(data, list) and data else data)
            return
        data = message.get("data")
        plain = not message.get("binary") and not message.get("skip_sid") and message.get("callback") is None
        if plain and isinstance(data, list) and len(data) == 1:
            if fanout.deliver(self, message["event"], data[0], message.get("namespace"), message.get("room")):
                return
        await self.remote_emit(message)
