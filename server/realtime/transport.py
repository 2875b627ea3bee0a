"""Lean idle connections: what engine.io keeps for each open Socket.IO connection, cut to
what is used after the handshake. The protocol, both transports (long-polling and
websocket, and the upgrade between them), per-connection sessions, the origin check and
the Redis manager are unchanged; only the bookkeeping behind each connection is smaller.

Per connection, python-engineio (4.x) keeps:

- a full WSGI-style ``environ`` dict (every request header copied into an ``HTTP_*``
  string), held by python-socketio for the connection's life. ``RequestEnviron`` reads
  the same keys from the aiohttp request on demand (the request lives as long as the
  websocket anyway), and gives ``REMOTE_ADDR`` the real peer address (engine.io's aiohttp
  driver always says ``127.0.0.1``; the audit log records it);
- an ``asyncio.Queue``: four deques and an ``Event`` (about 3 KB) for what is usually an
  empty queue. ``SocketQueue`` has the same interface and allocates nothing until a
  packet or a waiter arrives;
- one task per connection sleeping until the next ping, and on websocket a timeout
  on every read: ``PingClock`` keeps both for every connection on one timer;
- on websocket, besides aiohttp's own request task, a writer task waiting through
  ``asyncio.wait_for`` (a second task) and, for every received message, a reader task
  waited on through ``wait_for``. ``serve_websocket`` reads in the request's own task,
  and ``SocketQueue`` writes each packet as it is queued (a drain task only while the
  client is behind);
- while a websocket lasts, the frames of the four nested calls that accepted it, with
  the parsed query and the OPEN packet: ``ConveneEngine._accept_websocket`` takes a new
  websocket in one step.

``install`` puts ``LeanWebSocket`` (served by ``serve_websocket``, writing frames built
by ``server.realtime.websocket``) and ``SocketQueue`` (counting what waits, for
``fanout``'s bounds: packets and bytes waiting, ``drop``) in engine.io's place.
``LeanWebSocket`` is engine.io's aiohttp websocket without per-message deflate: a chat
event is a few hundred bytes, and compressing it again for every recipient costs far
more CPU than the bytes it saves on loopback or a LAN (and it keeps the frames of one
event identical for everyone).

Measured with bench/ (``idle``: connections opened 100 at a time, namespace connected,
in no room): about 33 KiB per idle connection before, about 19 KiB after.

This reaches into python-engineio's internals (``AsyncSocket._websocket_handler`` and
``_send_ping``, the socket's ``queue`` and flags, the driver table ``_async``, and the
steps of ``AsyncServer.handle_request`` and ``_handle_connect`` that
``_accept_websocket`` repeats); python-engineio is pinned below 5 (and python-socketio
below 6) for it, and tests/test_transport.py runs it over both transports with real
clients.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
import urllib.parse
from collections import deque
from typing import Any, Iterator, Mapping

import engineio
import socketio
from aiohttp import web
from engineio import async_socket
from engineio import packet as eio_packet
from engineio.async_drivers import aiohttp as eio_aiohttp

from server.realtime import fanout, websocket

log = logging.getLogger(__name__)

_WSGI_CONSTANTS: dict[str, Any] = {
    "wsgi.version": (1, 0),
    "wsgi.async": True,
    "wsgi.multithread": False,
    "wsgi.multiprocess": False,
    "wsgi.run_once": False,
    "SERVER_SOFTWARE": "aiohttp",
    "SERVER_NAME": "aiohttp",
    "SERVER_PORT": "0",
    "REMOTE_PORT": "0",
    "SCRIPT_NAME": "",
}


class RequestEnviron(Mapping[str, Any]):
    """engine.io's WSGI-style environ for an aiohttp request, read from the request on
    demand instead of copied: the same keys and values as engine.io's
    ``translate_request`` (headers as ``HTTP_*``, repeated ones joined by commas), except
    ``REMOTE_ADDR``, which is the peer's address rather than a constant."""

    __slots__ = ("_request",)

    def __init__(self, request: web.BaseRequest) -> None:
        self._request = request

    def __getitem__(self, key: str) -> Any:
        request = self._request
        if key.startswith("HTTP_"):
            values = request.headers.getall(key[5:].replace("_", "-"), None)
            if not values or key in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                raise KeyError(key)
            return values[0] if len(values) == 1 else ",".join(values)
        if key == "REQUEST_METHOD":
            return request.method
        if key == "QUERY_STRING":
            return request.query_string or ""
        if key == "wsgi.url_scheme":
            return self.get("HTTP_X_FORWARDED_PROTO", "http")
        if key == "REMOTE_ADDR":
            return request.remote or "127.0.0.1"
        if key == "PATH_INFO":
            return request.path
        if key == "RAW_URI":
            return request.path_qs
        if key == "SERVER_PROTOCOL":
            return f"HTTP/{request.version[0]}.{request.version[1]}"
        if key == "CONTENT_TYPE" or key == "CONTENT_LENGTH":
            value = request.headers.get(key.replace("_", "-"))
            if value is None:
                raise KeyError(key)
            return value
        if key == "wsgi.input":
            return request.content
        if key == "wsgi.errors":
            return sys.stderr
        if key == "aiohttp.request":
            return request
        return _WSGI_CONSTANTS[key]

    def _keys(self) -> list[str]:
        keys = [*_WSGI_CONSTANTS, "wsgi.input", "wsgi.errors", "REQUEST_METHOD", "QUERY_STRING", "RAW_URI"]
        keys += ["SERVER_PROTOCOL", "REMOTE_ADDR", "aiohttp.request", "wsgi.url_scheme", "PATH_INFO"]
        for name in self._request.headers:
            upper = name.upper()
            key = upper.replace("-", "_") if upper in ("CONTENT-TYPE", "CONTENT-LENGTH") else "HTTP_" + upper.replace("-", "_")
            if key not in keys:
                keys.append(key)
        return keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys())

    def __len__(self) -> int:
        return len(self._keys())

    def __contains__(self, key: object) -> bool:
        try:
            self[key]  # type: ignore[index]
        except (KeyError, TypeError):
            return False
        return True


def translate_request(request: web.BaseRequest) -> RequestEnviron:
    return RequestEnviron(request)


class SocketQueue:
    """A connection's packet queue: ``asyncio.Queue``'s interface (unbounded; ``get``,
    ``put``, the ``_nowait`` pair, ``task_done``, ``join``, ``qsize``, ``empty``) and
    the accounting ``fanout``'s bounds read (``queued_bytes``, ``taken_bytes``, ``discard``),
    allocating nothing until a packet or a waiter arrives: an idle connection's queue is
    one small object, where an ``asyncio.Queue`` is four deques and an Event.

    On a websocket (``attach``), a packet put while nothing is waiting ahead of it and the
    transport takes writes is written at once (its frame built once for everyone when it
    is a fan-out packet); otherwise it waits here, in order, and a drain task writes the
    backlog at once, waits for a paused transport to drain, and ends when the queue is
    empty. So an idle websocket has no writer task, and a client that stops reading makes
    the queue grow, counted for ``fanout``'s bounds: what is
    queued, and the batch the drain task holds while the transport drains."""

    __slots__ = ("_items", "_getters", "_unfinished", "_joiners", "_sink", "_drainer", "queued_bytes", "taken_bytes", "_taken")

    def __init__(self, maxsize: int = 0) -> None:
        self._items: deque[Any] | None = None
        self._getters: list[asyncio.Future[None]] | tuple[()] = ()
        self._unfinished = 0
        self._joiners: list[asyncio.Future[None]] | None = None
        self._sink: Any = None  # the LeanWebSocket, once attached
        self._drainer: asyncio.Future[None] | None = None
        self.queued_bytes = 0  # of room events (fan-out packets carry ``convene_bytes``)
        self.taken_bytes = 0  # taken in the current batch (a poll's, or the drain task's)
        self._taken: list[int] | None = None

    def attach(self, ws: Any) -> None:
        """Write packets straight to ``ws`` from now on; what is waiting goes first."""
        self._sink = ws
        items = self._items
        while items and items[0] is not None and _write_now(ws, items[0]):
            pkt = self.get_nowait()
            self.task_done()
            if pkt.packet_type == eio_packet.OPEN:
                # Sent; but engine.io's connect handler keeps it referenced for as long as
                # the connection lasts: let its payload go.
                pkt.data = pkt.encode_cache = None
        self.new_batch()
        if self._items:
            self._drain()

    def detach(self) -> asyncio.Future[None] | None:
        """Stop writing to the websocket; the drain task still running, if any."""
        self._sink = None
        return self._drainer

    def _drain(self) -> None:
        if self._drainer is None:
            self._drainer = asyncio.ensure_future(_drain(self, self._sink))

    def new_batch(self) -> None:
        """What was taken before is written (or answered): no longer held."""
        self._taken = None
        self.taken_bytes = 0

    def discard(self) -> None:
        """Throw away every packet still in the queue (its connection is being dropped)."""
        held = len(self._taken) if self._taken else 0
        while not self.empty():
            self.get_nowait()
            self.task_done()
        taken = self._taken
        while taken and len(taken) > held:
            self.taken_bytes -= taken.pop()

    def take_frames(self) -> list[bytes]:
        """Take everything waiting, as websocket frames in order (a batch to write)."""
        frames = []
        while not self.empty():
            pkt = self.get_nowait()
            self.task_done()
            if pkt is not None:
                frames.append(websocket.frame_of(pkt))
        return frames

    def qsize(self) -> int:
        return len(self._items) if self._items else 0

    def empty(self) -> bool:
        return not self._items

    def full(self) -> bool:
        return False

    def put_nowait(self, item: Any) -> None:
        sink = self._sink
        if sink is not None and not self._items and self._drainer is None and item is not None and _write_now(sink, item):
            return
        items = self._items
        if items is None:
            items = self._items = deque()
        items.append(item)
        self.queued_bytes += getattr(item, "convene_bytes", 0)
        self._unfinished += 1
        if sink is not None:
            self._drain()
            return
        for getter in self._getters:
            if not getter.done():
                getter.set_result(None)
                break

    async def put(self, item: Any) -> None:
        self.put_nowait(item)

    def get_nowait(self) -> Any:
        items = self._items
        if not items:
            raise asyncio.QueueEmpty
        item = items.popleft()
        if not items:
            self._items = None  # an idle connection keeps no deque
        size: int = getattr(item, "convene_bytes", 0)
        if size:
            self.queued_bytes -= size
            self.taken_bytes += size
            if self._taken is None:
                self._taken = []
            self._taken.append(size)
        return item

    async def get(self) -> Any:
        # A poll asks for a new batch only once the last one is answered.
        self.new_batch()
        while not self._items:
            getter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            getters = self._getters
            if not isinstance(getters, list):
                getters = self._getters = []
            getters.append(getter)
            try:
                await getter
            except BaseException:
                getter.cancel()
                # Woken but cancelled before taking the packet: wake the next waiter.
                if self._items and not getter.cancelled():
                    self._wake()
                raise
            finally:
                try:
                    getters.remove(getter)
                except ValueError:
                    pass
                if not getters:
                    self._getters = ()
        return self.get_nowait()

    def _wake(self) -> None:
        for getter in self._getters:
            if not getter.done():
                getter.set_result(None)
                return

    def task_done(self) -> None:
        if self._unfinished <= 0:
            raise ValueError("task_done() called too many times")
        self._unfinished -= 1
        if self._unfinished == 0 and self._joiners:
            for joiner in self._joiners:
                if not joiner.done():
                    joiner.set_result(None)
            self._joiners = None

    async def join(self) -> None:
        if self._unfinished:
            joiner: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            if self._joiners is None:
                self._joiners = []
            self._joiners.append(joiner)
            await joiner


def _write_now(ws: Any, pkt: Any) -> bool:
    """Write the packet to the websocket's transport now if it takes writes (open, not
    applying back-pressure); False if it must wait its turn."""
    response = ws._sock
    writer = response._writer
    if writer is None or response.closed or writer.protocol._paused:
        return False
    transport = writer.transport
    if transport is None or transport.is_closing():
        return False
    transport.write(websocket.frame_of(pkt))
    return True


async def _drain(queue: SocketQueue, ws: Any) -> None:
    """Write the queue's backlog, everything waiting in one write, waiting for a paused
    transport to drain before taking more; end once the queue is empty or detached."""
    try:
        while queue._sink is ws and not queue.empty():
            queue.new_batch()
            frames = queue.take_frames()
            writer = ws._sock._writer
            if writer is None or writer.transport is None or writer.transport.is_closing():
                return
            writer.transport.write(b"".join(frames) if len(frames) > 1 else frames[0])
            if writer.protocol._paused:
                await writer.protocol._drain_helper()
    except (ConnectionError, RuntimeError, IndexError):
        pass  # the transport went away under the write: its reader ends the connection
    finally:
        queue.new_batch()
        queue._drainer = None


class PingClock:
    """Every connection's next ping, and the moment its answer is due, on one timer for
    the whole server: engine.io sleeps in one task per connection until its next ping,
    and its websocket reader waits for each message with a timeout of its own (two timers
    per connection). Pings are due ``interval`` after the client's last pong and answers
    ``timeout`` after the ping, so each queue is already in order.

    A websocket whose client has not answered a ping in time is cut at the transport:
    its reader ends and the connection closes like any other, as engine.io's reader
    timeout did. Long-polling connections are left to engine.io (its service task and
    the poll's own timeout)."""

    __slots__ = ("interval", "timeout", "_pings", "_answers", "_timer")

    def __init__(self, interval: float, timeout: float) -> None:
        self.interval = interval
        self.timeout = timeout
        self._pings: deque[tuple[float, Any]] = deque()
        self._answers: deque[tuple[float, Any]] = deque()
        self._timer: asyncio.TimerHandle | None = None

    def schedule(self, socket: Any) -> None:
        """Ping ``socket`` ``interval`` from now."""
        loop = asyncio.get_running_loop()
        when = loop.time() + self.interval
        self._pings.append((when, socket))
        if self._timer is not None and self._timer.when() > when:
            self._timer.cancel()
            self._timer = None
        self._arm(loop)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._pings.clear()
        self._answers.clear()

    def _arm(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._timer is None and (self._pings or self._answers):
            when = min(queue[0][0] for queue in (self._pings, self._answers) if queue)
            self._timer = loop.call_at(when, self._tick, loop)

    def _tick(self, loop: asyncio.AbstractEventLoop) -> None:
        self._timer = None
        now = loop.time()
        pings, answers = self._pings, self._answers
        while pings and pings[0][0] <= now:
            socket = pings.popleft()[1]
            if not socket.closing and not socket.closed:
                # What engine.io's AsyncSocket._send_ping does once its sleep is over.
                socket.last_ping = time.time()
                socket.queue.put_nowait(eio_packet.Packet(eio_packet.PING))
                answers.append((now + self.timeout, socket))
        while answers and answers[0][0] <= now:
            socket = answers.popleft()[1]
            if socket.last_ping is not None and time.time() - socket.last_ping >= self.timeout:
                _cut(socket)
        self._arm(loop)


def _cut(socket: Any) -> None:
    """End a websocket connection whose client has stopped answering (its reader ends)."""
    ws = getattr(socket, "convene_ws", None)
    if ws is not None and not ws.closed and ws._req is not None and ws._req.transport is not None:
        socket.server.logger.info("%s: Client is gone, closing websocket", socket.sid)
        ws._req.transport.abort()


def _opens_websocket(request: Any) -> bool:
    """A request engine.io would take straight to ``_upgrade_websocket``: a GET opening
    a new engine.io 4 session on the websocket transport, with the upgrade headers."""
    if not isinstance(request, web.BaseRequest) or request.method != "GET":
        return False
    query = urllib.parse.parse_qs(request.query_string)
    if query.get("EIO") != ["4"] or query.get("transport") != ["websocket"] or "sid" in query or "j" in query:
        return False
    headers = request.headers
    upgrade = ",".join(headers.getall("Upgrade", ())).lower()
    connection = [token.strip() for token in ",".join(headers.getall("Connection", ())).lower().split(",")]
    return upgrade == "websocket" and "upgrade" in connection


class ConveneEngine(engineio.AsyncServer):  # type: ignore[misc]
    """python-engineio's server with lean per-connection state (see the module)."""

    _clock: PingClock | None = None
    start_service_task: bool  # engine.io's, set in its __init__

    def create_queue(self, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:
            return super().create_queue(*args, **kwargs)
        return SocketQueue()

    def start_background_task(self, target: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(target, "__func__", None) is async_socket.AsyncSocket._send_ping and not args and not kwargs:
            if self._clock is None:
                self._clock = PingClock(self.ping_interval, self.ping_timeout)
            self._clock.schedule(target.__self__)
            return None
        return super().start_background_task(target, *args, **kwargs)

    async def handle_request(self, *args: Any) -> Any:
        """A new websocket connection (``?EIO=4&transport=websocket`` without a sid: how
        every websocket-first client opens) is accepted by ``_accept_websocket``; every
        other request goes through engine.io's ``handle_request``."""
        if len(args) == 1 and "websocket" in self.transports and _opens_websocket(args[0]):
            return await self._accept_websocket(args[0])
        return await super().handle_request(*args)

    async def _accept_websocket(self, request: web.Request) -> Any:
        """engine.io's way in for a websocket (``handle_request``, ``_handle_connect``,
        ``handle_get_request``, ``_upgrade_websocket``), the same steps in one function:
        those four frames and the parsed query would otherwise stay alive for as long as
        the connection lasts, as would the OPEN packet the second one holds."""
        environ = RequestEnviron(request)
        if self.cors_allowed_origins != []:
            origin = environ.get("HTTP_ORIGIN")
            if origin:
                allowed = self._cors_allowed_origins(environ)
                if allowed is not None and origin not in allowed:
                    self._log_error_once(origin + " is not an accepted origin.", "bad-origin")
                    return await self._make_response(self._bad_request(origin + " is not an accepted origin."), environ)
        if self.start_service_task:
            self.start_service_task = False
            self.service_task_handle = self.start_background_task(self._service_task)
        sid = self.generate_id()
        socket = async_socket.AsyncSocket(self, sid)
        self.sockets[sid] = socket
        opened = {
            "sid": sid,
            "upgrades": [],
            "pingTimeout": int(self.ping_timeout * 1000),
            "pingInterval": int(self.ping_interval + self.ping_interval_grace_period) * 1000,
            "maxPayload": self.max_http_buffer_size,
        }
        pkt = eio_packet.Packet(eio_packet.OPEN, opened)
        # The same text engine.io's encode would give (a sid is base64url: nothing to
        # escape), without a JSON encoder built for every connection.
        pkt.encode_cache = (
            f'0{{"sid":"{sid}","upgrades":[],"pingTimeout":{opened["pingTimeout"]},'
            f'"pingInterval":{opened["pingInterval"]},"maxPayload":{opened["maxPayload"]}}}'
        )
        await socket.send(pkt)
        del opened, pkt
        accepted = await self._trigger_event("connect", sid, environ, run_async=False)
        if accepted is not None and accepted is not True:
            del self.sockets[sid]
            self.logger.warning("Application rejected connection")
            return await self._make_response(self._unauthorized(accepted or None), environ)
        del accepted
        socket.schedule_ping()
        response = await self._async["websocket"](socket._websocket_handler, self)(environ)
        if socket.closed and sid in self.sockets:
            del self.sockets[sid]
        return response

    async def shutdown(self) -> None:
        if self._clock is not None:
            self._clock.stop()
        await super().shutdown()


class ConveneServer(socketio.AsyncServer):  # type: ignore[misc]
    """python-socketio's server on ``ConveneEngine``."""

    def _engineio_server_class(self) -> type[engineio.AsyncServer]:
        return ConveneEngine


class LeanWebSocket(eio_aiohttp.WebSocket):  # type: ignore[misc]
    """engine.io's aiohttp websocket, uncompressed, remembered on its engine.io socket as
    ``convene_ws`` (so a connection that falls behind can be cut at the transport), served
    by ``serve_websocket``: no writer task on an idle connection."""

    async def __call__(self, environ: Any) -> web.WebSocketResponse:
        request = environ["aiohttp.request"]
        self._sock = web.WebSocketResponse(max_msg_size=self.server.max_http_buffer_size, compress=False, **fanout._WRITER_OPTIONS)
        await self._sock.prepare(request)
        self.environ = environ
        owner = getattr(self.handler, "__self__", None)  # the engine.io socket
        if owner is None:
            await self.handler(self)
            return self._sock
        owner.convene_ws = self._sock
        await serve_websocket(owner, self)
        return self._sock


async def serve_websocket(socket: Any, ws: Any) -> None:
    """engine.io's websocket handler (``AsyncSocket._websocket_handler``), the same
    protocol with fewer tasks: messages are read in the request's own task (engine.io
    wraps every read in a task of its own and ``wait_for``), packets are written as they
    are queued (``SocketQueue.attach``; engine.io keeps a writer task waiting), and a
    silent client is cut by the ``PingClock`` (engine.io: a timeout on every read)."""
    server = socket.server
    response: web.WebSocketResponse = ws._sock

    if socket.connected:
        # Upgrading from long-polling: the probe, then the upgrade packet.
        socket.upgrading = True  # hold packet sends during the upgrade
        data = await _receive(response, server)
        if data is None:
            socket.upgrading = False
            return
        probe = eio_packet.Packet(encoded_packet=data)
        if probe.packet_type != eio_packet.PING or probe.data != "probe":
            server.logger.info("%s: Failed websocket upgrade, no PING packet", socket.sid)
            socket.upgrading = False
            return
        await ws.send(eio_packet.Packet(eio_packet.PONG, data="probe").encode())
        await socket.queue.put(eio_packet.Packet(eio_packet.NOOP))  # ends the pending poll
        data = await _receive(response, server)
        if data is None or eio_packet.Packet(encoded_packet=data).packet_type != eio_packet.UPGRADE:
            server.logger.info("%s: Failed websocket upgrade, expected UPGRADE packet", socket.sid)
            socket.upgrading = False
            return
        socket.upgraded = True
        socket.upgrading = False
    else:
        socket.connected = True
        socket.upgraded = True

    queue = socket.queue
    queue.attach(ws)
    try:
        limit = server.max_http_buffer_size
        while True:
            # Read here rather than in a helper: one coroutine frame less per connection.
            try:
                data = (await response.receive()).data
            except (asyncio.CancelledError, Exception):
                break
            if not isinstance(data, (str, bytes)) or len(data) > limit:
                break  # closed (or cut by the PingClock), or over the size limit
            try:
                await socket.receive(eio_packet.Packet(encoded_packet=data))
            except engineio.exceptions.UnknownPacketError:
                pass
            except engineio.exceptions.SocketIsClosedError:
                break
            except Exception:
                server.logger.exception("Unknown receive error")
    finally:
        try:
            # Shielded: aiohttp cancels this task when the client goes away, and what is
            # queued should still be sent and the websocket closed.
            await asyncio.shield(_finish(queue, ws))
        except (asyncio.CancelledError, Exception):
            pass
        await socket.close(wait=False, abort=True, reason=server.reason.TRANSPORT_CLOSE)


async def _receive(response: web.WebSocketResponse, server: Any) -> str | bytes | None:
    """The next message, or None once the connection is over (closed, cut by the
    ``PingClock`` for not answering, or sent a message over the size limit)."""
    try:
        message = await response.receive()
    except (asyncio.CancelledError, Exception):
        return None
    data = message.data
    if not isinstance(data, (str, bytes)) or len(data) > server.max_http_buffer_size:
        return None
    return data


async def _finish(queue: SocketQueue, ws: Any) -> None:
    """Send what is still queued (after the drain task, if one is running), then close
    the websocket: what engine.io's writer did once its reader had ended."""
    drainer = queue.detach()
    if drainer is not None:
        await drainer
    frames = queue.take_frames()
    queue.new_batch()
    writer = ws._sock._writer
    if frames and writer is not None and writer.transport is not None and not writer.transport.is_closing():
        writer.transport.write(b"".join(frames))
    await ws.close()


def install(sio: socketio.AsyncServer) -> None:
    """Serve this server's engine.io requests with ``RequestEnviron``, its websockets with
    ``LeanWebSocket`` and its connections' queues with ``SocketQueue`` (a copy of the
    driver table: other servers in the process keep theirs)."""
    sio.eio._async = {**sio.eio._async, "translate_request": translate_request, "websocket": LeanWebSocket}
    sio.eio.create_queue = SocketQueue  # every connection's queue (engine.io makes it)
