"""The one place Convene touches private names of python-engineio and python-socketio.

Convene's transport (``transport``) and fan-out (``fanout``, ``managers``) replace parts of
engine.io's and Socket.IO's per-connection machinery. Where the libraries offer no public
hook, the hook is here, under a public name of ours, and nowhere else in ``server/``:

==========================================  ==============================================
private name                                why
==========================================  ==============================================
``engineio.AsyncServer._async``             the driver table: our request translation
                                            and websocket class (``install_driver``)
``engineio.AsyncServer._trigger_event``     the application's ``connect`` handler, run
                                            when a websocket opens (``trigger_connect``)
``engineio.AsyncServer._make_response``,    a refused websocket handshake answered like
``_bad_request``, ``_unauthorized``         engine.io answers it (``refusal``)
``engineio.AsyncServer._cors_allowed_origins``  the origin check (``origin_refused``)
``engineio.AsyncServer._service_task``      started once, as engine.io does
``engineio.AsyncServer._ok``                the answer to a polling handshake (``ok``)
``engineio.AsyncServer._log_error_once``    a refused request is logged at WARNING, not
                                            ERROR (a client's mistake is not a defect)
``AsyncSocket._send_ping``                  recognised when engine.io schedules it, so the
                                            ping clock takes its place (``ping_target``)
``AsyncSocket._websocket_handler``          the handler engine.io's driver is called with
``socketio.AsyncServer._engineio_server_class``  the engine.io server class to build
``socketio.AsyncPubSubManager._handle_emit``  every emit arriving through Redis
==========================================  ==============================================

aiohttp is used through its public API only (``BaseRequest.transport``,
``BaseRequest.protocol.writing_paused``, ``BaseRequest.writer.drain``).

``missing_names`` lists any of these the installed versions no longer have, and
``install_driver`` refuses to start on such versions, naming them; tests/conformance
/test_engine_adapter.py fails the same way. The pins (python-engineio<5,
python-socketio<6) are for this module.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

import engineio
import socketio
from engineio import async_socket
from socketio import async_pubsub_manager

log = logging.getLogger(__name__)

# (owner, attribute): class attributes, checked on the class.
_CLASS_NAMES: tuple[tuple[type, str], ...] = (
    (engineio.AsyncServer, "_trigger_event"),
    (engineio.AsyncServer, "_make_response"),
    (engineio.AsyncServer, "_bad_request"),
    (engineio.AsyncServer, "_unauthorized"),
    (engineio.AsyncServer, "_cors_allowed_origins"),
    (engineio.AsyncServer, "_service_task"),
    (engineio.AsyncServer, "_ok"),
    (engineio.AsyncServer, "_log_error_once"),
    (async_socket.AsyncSocket, "_send_ping"),
    (async_socket.AsyncSocket, "_websocket_handler"),
    (socketio.AsyncServer, "_engineio_server_class"),
    (async_pubsub_manager.AsyncPubSubManager, "_handle_emit"),
)
# Set by engine.io's server in its __init__: checked on an instance.
_INSTANCE_NAMES: tuple[str, ...] = ("_async",)


def missing_names() -> list[str]:
    """The private names this module relies on that the installed versions lack."""
    missing = [f"{owner.__module__}.{owner.__qualname__}.{name}" for owner, name in _CLASS_NAMES if not hasattr(owner, name)]
    probe = engineio.AsyncServer(async_mode="aiohttp")
    missing += [f"engineio.AsyncServer().{name}" for name in _INSTANCE_NAMES if not hasattr(probe, name)]
    if "websocket" not in getattr(probe, "_async", {}):
        missing.append("engineio.AsyncServer()._async['websocket']")
    return missing


class EngineBase(engineio.AsyncServer):  # type: ignore[misc]
    """engine.io's server, with its private steps under public names of ours."""

    start_service_task: bool  # engine.io's, set in its __init__

    def ping_target(self, target: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any | None:
        """The engine.io socket, if ``target`` is its ping sleeper (``_send_ping``)."""
        if getattr(target, "__func__", None) is async_socket.AsyncSocket._send_ping and not args and not kwargs:
            return target.__self__
        return None

    def start_service_once(self) -> None:
        if self.start_service_task:
            self.start_service_task = False
            self.service_task_handle = self.start_background_task(self._service_task)

    def origin_refused(self, environ: Any) -> str | None:
        """Why the request's Origin is refused (engine.io's check), or None."""
        if self.cors_allowed_origins == []:
            return None
        origin = environ.get("HTTP_ORIGIN")
        if origin:
            allowed = self._cors_allowed_origins(environ)
            if allowed is not None and origin not in allowed:
                return f"{origin} is not an accepted origin."
        return None

    async def refusal(self, environ: Any, message: str | None, unauthorized: bool = False) -> Any:
        """engine.io's answer to a refused handshake: 400 with ``message``, or 401."""
        return await self.answer(environ, self._unauthorized(message) if unauthorized else self._bad_request(message))

    async def answer(self, environ: Any, answer: dict[str, Any]) -> Any:
        """The aiohttp response for one of engine.io's answers (``ok``, ``refusal``)."""
        return await self._make_response(answer, environ)

    async def trigger_connect(self, sid: str, environ: Any) -> Any:
        """Run the application's engine.io ``connect`` handler (Socket.IO's)."""
        return await self._trigger_event("connect", sid, environ, run_async=False)

    def websocket_handler(self, socket: Any) -> Any:
        return socket._websocket_handler

    def open_websocket(self, socket: Any) -> Any:
        """engine.io's websocket driver for ``socket`` (called with the environ)."""
        return self._async["websocket"](socket._websocket_handler, self)

    def log_refused(self, message: str, key: str) -> None:
        """A refused request, logged as engine.io logs its own (``_log_error_once``)."""
        self._log_error_once(message, key)

    def ok(self, packets: list[Any], headers: list[tuple[str, str]] | None = None) -> Any:
        """engine.io's 200 answer to a poll (its payload encoding)."""
        return self._ok(packets, headers=headers)

    def _log_error_once(self, message: str, message_key: str) -> None:
        # engine.io logs a refused request (a bad origin, an unknown or closed session, a
        # bad transport) at ERROR once: that is the client's mistake, one WARNING line.
        if message_key not in self.log_message_keys:
            self.log_message_keys.add(message_key)
            self.logger.warning(message)
        else:
            self.logger.info(message)


def install_driver(eio: Any, translate_request: Callable[[Any], Any], websocket: type) -> None:
    """Serve ``eio``'s requests with ``translate_request`` and its websockets with
    ``websocket`` (a copy of the driver table: other servers keep theirs). Refuses to
    run on library versions that lack a name this module relies on."""
    missing = missing_names()
    if missing:
        raise RuntimeError("python-engineio/python-socketio changed: missing " + ", ".join(missing))
    eio._async = {**eio._async, "translate_request": translate_request, "websocket": websocket}


class ServerBase(socketio.AsyncServer):  # type: ignore[misc]
    """python-socketio's server on the engine.io server class ``engine_class``."""

    engine_class: type = engineio.AsyncServer

    def _engineio_server_class(self) -> type:
        return self.engine_class


class RedisManagerBase(socketio.AsyncRedisManager):  # type: ignore[misc]
    """python-socketio's Redis manager, every emit that arrives through Redis handed to
    ``handle_remote_emit`` (by default python-socketio's own handling, ``remote_emit``)."""

    async def _handle_emit(self, message: dict[str, Any]) -> None:
        await self.handle_remote_emit(message)

    async def handle_remote_emit(self, message: dict[str, Any]) -> None:
        await self.remote_emit(message)

    async def remote_emit(self, message: dict[str, Any]) -> None:
        await super()._handle_emit(message)
