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
  the parsed query and the OPEN packet: ``ConveneEngine._open_session`` takes a new
  session in one step.

``install`` puts ``LeanWebSocket`` (served by ``serve_websocket``, writing frames built
by ``server.realtime.websocket``) and ``SocketQueue`` (counting what waits, for
``fanout``'s bounds: packets and bytes waiting, ``drop``) in engine.io's place.
``LeanWebSocket`` is engine.io's aiohttp websocket without per-message deflate: a chat
event is a few hundred bytes, and compressing it again for every recipient costs far
more CPU than the bytes it saves on loopback or a LAN (and it keeps the frames of one
event identical for everyone).

Measured with bench/ (``idle``: connections opened 100 at a time, namespace connected,
in no room): about 33 KiB per idle connection before, about 19 KiB after.

Every private name of python-engineio and python-socketio this needs (the ping sleeper,
the websocket handler, the driver table, the steps of ``AsyncServer.handle_request`` and
``_handle_connect`` that ``_open_session`` repeats) is reached through
``server.realtime.engine_adapter`` and nowhere else; aiohttp through its public API
only. python-engineio is pinned below 5 (and python-socketio below 6) for it;
tests/test_transport.py runs it over both transports with real clients, and
tests/conformance/ checks it against the published protocols beside a stock server.
"""

from __future__ import annotations

import asyncio
import json
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

from server.realtime import engine_adapter, fanout, websocket

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


def _write_now(ws: LeanWebSocket, pkt: Any) -> bool:
    """Write the packet to the websocket's transport now if it takes writes (open, not
    applying back-pressure); False if it must wait its turn."""
    transport = ws.transport
    if ws.protocol.writing_paused or transport.is_closing() or ws.response.closed:
        return False
    transport.write(websocket.frame_of(pkt))
    return True


async def _drain(queue: SocketQueue, ws: LeanWebSocket) -> None:
    """Write the queue's backlog, everything waiting in one write, waiting for a paused
    transport to drain before taking more; end once the queue is empty or detached."""
    try:
        while queue._sink is ws and not queue.empty():
            queue.new_batch()
            frames = queue.take_frames()
            transport = ws.transport
            if transport.is_closing() or ws.response.closed:
                return
            transport.write(b"".join(frames) if len(frames) > 1 else frames[0])
            if ws.protocol.writing_paused:
                await ws.request.writer.drain()
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

    Every time is the loop's clock, and an answer is judged by which ping it answers, not
    by comparing clocks: each ping is remembered with the stamp engine.io keeps for it
    (``socket.last_ping``, cleared by the client's pong and renewed by the next ping), and
    a socket whose stamp is still that ping's when its answer falls due has not answered.
    (Comparing ``time.time()`` with a deadline kept on the loop's clock missed about one
    silent client in four on uvloop, whose clock is read once per loop iteration, in
    milliseconds, and whose timers may fire a little early.) The time the timer is set
    for is kept here: uvloop's ``call_at`` gives a plain ``Handle``, with no ``when()``,
    for a deadline under half a millisecond away.

    A websocket whose client has not answered a ping in time is closed with a close
    frame (``LeanWebSocket.shut``): its reader ends and the connection closes like any
    other. Long-polling connections are left to engine.io (its service task and the
    poll's own timeout)."""

    __slots__ = ("interval", "timeout", "_pings", "_answers", "_timer", "_timer_when")

    def __init__(self, interval: float, timeout: float) -> None:
        self.interval = interval
        self.timeout = timeout
        self._pings: deque[tuple[float, Any]] = deque()
        self._answers: deque[tuple[float, Any, float]] = deque()
        self._timer: asyncio.Handle | None = None
        self._timer_when = 0.0

    def schedule(self, socket: Any) -> None:
        """Ping ``socket`` ``interval`` from now."""
        loop = asyncio.get_running_loop()
        when = loop.time() + self.interval
        self._pings.append((when, socket))
        if self._timer is not None and self._timer_when > when:
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
            self._timer_when = when
            self._timer = loop.call_at(when, self._tick, loop)

    def _tick(self, loop: asyncio.AbstractEventLoop) -> None:
        self._timer = None
        now = loop.time()
        pings, answers = self._pings, self._answers
        while pings and pings[0][0] <= now:
            socket = pings.popleft()[1]
            if socket.closing or socket.closed:
                # Closed meanwhile, perhaps by engine.io's service task (a connect handler
                # slower than pingTimeout): its websocket must not outlive it.
                _cut(socket, "session closed, closing its websocket")
            else:
                # What engine.io's ping sleeper does once its sleep is over.
                stamp = socket.last_ping = time.time()
                socket.queue.put_nowait(eio_packet.Packet(eio_packet.PING))
                answers.append((now + self.timeout, socket, stamp))
        while answers and answers[0][0] <= now:
            _, socket, stamp = answers.popleft()
            if socket.last_ping == stamp:
                # Not answered. engine.io's service task may have closed the session
                # already (it sends a CLOSE packet but leaves the websocket open): the
                # websocket is closed here either way.
                _cut(socket)
        self._arm(loop)


def _cut(socket: Any, why: str = "") -> None:
    """Close a websocket connection whose client has stopped answering pings (or whose
    session is already closed: ``why`` says so)."""
    ws = getattr(socket, "convene_ws", None)
    if ws is not None and not ws.response.closed:
        socket.server.logger.info("%s: %s", socket.sid, why or "Client is gone, closing websocket")
        if not why:
            socket.convene_timed_out = True
        ws.shut()


def _opened(engine: Any, sid: str, upgrades: list[str]) -> Any:
    """The OPEN packet: the ping settings in milliseconds as configured (engine.io 4.x
    rounds the interval down to whole seconds, announcing 0 for a sub-second one)."""
    interval = round((engine.ping_interval + engine.ping_interval_grace_period) * 1000)
    timeout = round(engine.ping_timeout * 1000)
    pkt = eio_packet.Packet(eio_packet.OPEN)
    # The same text engine.io's encode would give (a sid is base64url: nothing to
    # escape), without a JSON encoder built for every connection.
    pkt.encode_cache = (
        f'0{{"sid":"{sid}","upgrades":{json.dumps(upgrades, separators=(",", ":"))},"pingTimeout":{timeout},'
        f'"pingInterval":{interval},"maxPayload":{engine.max_http_buffer_size}}}'
    )
    return pkt


def _opens_session(request: Any) -> str | None:
    """The transport of a request that opens a new engine.io 4 session (a GET without a
    sid; on websocket, with the upgrade headers), or None."""
    if not isinstance(request, web.BaseRequest) or request.method != "GET":
        return None
    query = urllib.parse.parse_qs(request.query_string)
    if query.get("EIO") != ["4"] or "sid" in query or "j" in query:
        return None
    transport = query.get("transport", ["polling"])[0]
    if transport == "polling":
        return transport
    if transport != "websocket":
        return None
    headers = request.headers
    upgrade = ",".join(headers.getall("Upgrade", ())).lower()
    connection = [token.strip() for token in ",".join(headers.getall("Connection", ())).lower().split(",")]
    return transport if upgrade == "websocket" and "upgrade" in connection else None


def _closed_session(engine: Any, request: Any) -> str | None:
    """The sid of a request for a session that is closed but not yet forgotten (a poll
    or a POST after the client's close packet), or None."""
    if not isinstance(request, web.BaseRequest) or "sid=" not in request.query_string:
        return None
    sid = urllib.parse.parse_qs(request.query_string).get("sid", [""])[0]
    socket = engine.sockets.get(sid)
    return sid if socket is not None and socket.closed else None


def _oversized_post(engine: Any, request: Any) -> Any | None:
    """The open long-polling socket a POST over the size limit is for, or None."""
    if not isinstance(request, web.BaseRequest) or request.method != "POST":
        return None
    length = request.content_length
    if length is None or length <= engine.max_http_buffer_size:
        return None
    sid = urllib.parse.parse_qs(request.query_string).get("sid", [""])[0]
    return engine.sockets.get(sid)


class ConveneEngine(engine_adapter.EngineBase):
    """python-engineio's server with lean per-connection state (see the module)."""

    _clock: PingClock | None = None

    def create_queue(self, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:
            return super().create_queue(*args, **kwargs)
        return SocketQueue()

    def start_background_task(self, target: Any, *args: Any, **kwargs: Any) -> Any:
        socket = self.ping_target(target, args, kwargs)
        if socket is not None:
            if self._clock is None:
                self._clock = PingClock(self.ping_interval, self.ping_timeout)
            self._clock.schedule(socket)
            return None
        return super().start_background_task(target, *args, **kwargs)

    async def handle_request(self, *args: Any) -> Any:
        """A new session (``?EIO=4`` without a sid, on either transport) is opened by
        ``_open_session``; a request for a session already closed is refused with 400
        (engine.io answers a POST to one with a 500 and a traceback); every other request
        goes through engine.io's ``handle_request``."""
        if len(args) == 1:
            transport = _opens_session(args[0])
            if transport is not None and transport in self.transports and not (transport == "polling" and self.cookie):
                return await self._open_session(args[0], transport)
            sid = _closed_session(self, args[0])
            if sid is not None:
                del self.sockets[sid]
                self.logger.info("%s: request for a closed session refused", sid)
                return await self.refusal(RequestEnviron(args[0]), "Session is disconnected")
            oversized = _oversized_post(self, args[0])
            if oversized is not None:
                return await self._refuse_oversized(args[0], oversized)
        response = await super().handle_request(*args)
        if isinstance(response, web.Response) and response.status == 200 and response.body == b"OK":
            # A POST accepted: the specification's body is "ok" (engine.io 4.x says "OK").
            response.body = b"ok"
        return response

    async def _refuse_oversized(self, request: web.BaseRequest, socket: Any) -> web.Response:
        """A POST larger than maxPayload ends its session (as engine.io's does) and is
        answered 413 at once. engine.io 4.x waits, before answering, for the session's
        queue to be read by a poll that a long-polling client never sends while its POST
        is pending: the request hangs."""
        limit = self.max_http_buffer_size
        self.logger.warning("%s: POST of %s bytes over the %d-byte limit refused", socket.sid, request.content_length, limit)
        await socket.close(wait=False, abort=True)
        self.sockets.pop(socket.sid, None)
        return web.Response(status=413, text="Payload too large", headers={"Connection": "close"})

    async def _open_session(self, request: web.Request, transport: str) -> Any:
        """engine.io's way in (``handle_request``, ``_handle_connect``, and on websocket
        ``handle_get_request`` and ``_upgrade_websocket``), the same steps in one
        function: those frames and the parsed query would otherwise stay alive for as
        long as a websocket lasts, as would the OPEN packet the second one holds."""
        environ = RequestEnviron(request)
        refused = self.origin_refused(environ)
        if refused is not None:
            self.log_refused(refused, "bad-origin")
            return await self.refusal(environ, refused)
        self.start_service_once()
        sid = self.generate_id()
        socket = async_socket.AsyncSocket(self, sid)
        self.sockets[sid] = socket
        upgrades = ["websocket"] if transport == "polling" and self.allow_upgrades and "websocket" in self.transports else []
        await socket.send(_opened(self, sid, upgrades))
        accepted = await self.trigger_connect(sid, environ)
        if accepted is not None and accepted is not True:
            del self.sockets[sid]
            self.logger.warning("Application rejected connection")
            return await self.refusal(environ, accepted or None, unauthorized=True)
        del accepted
        socket.schedule_ping()
        if transport == "polling":
            socket.connected = True
            try:
                return await self.answer(environ, self.ok(await socket.poll()))
            except engineio.exceptions.QueueEmpty:
                return await self.refusal(environ, None)
        response = await self.open_websocket(socket)(environ)
        if socket.closed and sid in self.sockets:
            del self.sockets[sid]
        return response

    async def shutdown(self) -> None:
        if self._clock is not None:
            self._clock.stop()
        await super().shutdown()


class ConveneServer(engine_adapter.ServerBase):
    """python-socketio's server on ``ConveneEngine``."""

    engine_class = ConveneEngine


# Wait this long for a client's answer to the server's close frame before closing the
# TCP connection (aiohttp's default is 10 s): an answering client replies within a round
# trip, and a client cut for not answering pings will not reply at all.
CLOSE_WAIT = 2.0


class LeanWebSocket:
    """engine.io's aiohttp websocket driver (called with the environ, it serves the
    websocket), uncompressed, remembered on its engine.io socket as ``convene_ws`` (so a
    connection can be cut or closed from outside its reader), served by
    ``serve_websocket``: no writer task on an idle connection. Writes go straight to the
    request's transport (``SocketQueue``), through aiohttp's public request API."""

    __slots__ = ("handler", "server", "request", "response", "transport", "protocol", "environ", "_closing")

    def __init__(self, handler: Any, server: Any) -> None:
        self.handler = handler
        self.server = server

    async def __call__(self, environ: Any) -> web.WebSocketResponse:
        request: web.BaseRequest = environ["aiohttp.request"]
        self.request = request
        self.response = response = web.WebSocketResponse(
            max_msg_size=self.server.max_http_buffer_size, compress=False, timeout=CLOSE_WAIT, **fanout._WRITER_OPTIONS
        )
        await response.prepare(request)
        transport = request.transport
        if transport is None:  # the client went away during the handshake
            return response
        self.transport = transport
        self.protocol = request.protocol
        self.environ = environ
        self._closing: asyncio.Future[bool] | None = None
        owner = getattr(self.handler, "__self__", None)  # the engine.io socket
        if owner is None:
            await self.handler(self)
            return response
        owner.convene_ws = self
        await serve_websocket(owner, self)
        return response

    def abort(self) -> None:
        """Cut the connection at once (no close frame: the client is not reading)."""
        self.transport.abort()

    def shut(self) -> None:
        """Close with a close frame, from outside the reader: its ``receive`` ends, and
        the TCP connection closes once the client answers (or after ``CLOSE_WAIT``)."""
        if self._closing is None:
            self._closing = asyncio.ensure_future(self.response.close())

    async def close(self) -> None:
        await self.response.close()

    async def send(self, message: str | bytes) -> None:
        if isinstance(message, bytes):
            await self.response.send_bytes(message)
        else:
            await self.response.send_str(message)

    async def wait(self) -> str | bytes:
        data = (await self.response.receive()).data
        if not isinstance(data, (str, bytes)):
            raise OSError()
        return data


async def serve_websocket(socket: Any, ws: LeanWebSocket) -> None:
    """engine.io's websocket handler, the same protocol with fewer tasks: messages are
    read in the request's own task (engine.io wraps every read in a task of its own and
    ``wait_for``), packets are written as they are queued (``SocketQueue.attach``;
    engine.io keeps a writer task waiting), and a silent client is closed by the
    ``PingClock`` (engine.io: a timeout on every read). A CLOSE packet from the client
    closes the websocket at once (engine.io 4.x forgets the session but leaves the
    websocket open until the client hangs up)."""
    server = socket.server
    response = ws.response

    if socket.connected:
        # Upgrading from long-polling: the probe, then the upgrade packet.
        socket.upgrading = True  # hold packet sends during the upgrade
        data = await _receive(response, server)
        if data is None:
            socket.upgrading = False
            return
        probe = _decode(data)
        if probe is None or probe.packet_type != eio_packet.PING or probe.data != "probe":
            server.logger.info("%s: Failed websocket upgrade, no PING packet", socket.sid)
            socket.upgrading = False
            await response.close()
            return
        await ws.send(eio_packet.Packet(eio_packet.PONG, data="probe").encode())
        await socket.queue.put(eio_packet.Packet(eio_packet.NOOP))  # ends the pending poll
        data = await _receive(response, server)
        upgrade = _decode(data) if data is not None else None
        if upgrade is None or upgrade.packet_type != eio_packet.UPGRADE:
            server.logger.info("%s: Failed websocket upgrade, expected UPGRADE packet", socket.sid)
            socket.upgrading = False
            await response.close()
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
        while not socket.closed:  # (closed already if engine.io's service task ended it)
            # Read here rather than in a helper: one coroutine frame less per connection.
            try:
                data = (await response.receive()).data
            except (asyncio.CancelledError, Exception):
                break
            if not isinstance(data, (str, bytes)) or len(data) > limit:
                break  # closed (or shut by the PingClock), or over the size limit
            try:
                await socket.receive(eio_packet.Packet(encoded_packet=data))
            except engineio.exceptions.UnknownPacketError:
                pass
            except engineio.exceptions.SocketIsClosedError:
                break
            except (ValueError, TypeError, IndexError, KeyError):
                server.logger.info("%s: undecodable packet ignored", socket.sid)
            except Exception:
                server.logger.exception("Unknown receive error")
            if socket.closed:
                break  # the client's CLOSE packet (or the server closed it meanwhile)
    finally:
        try:
            # Shielded: aiohttp cancels this task when the client goes away, and what is
            # queued should still be sent and the websocket closed.
            await asyncio.shield(_finish(queue, ws))
        except (asyncio.CancelledError, Exception):
            pass
        reason = server.reason.PING_TIMEOUT if getattr(socket, "convene_timed_out", False) else server.reason.TRANSPORT_CLOSE
        await socket.close(wait=False, abort=True, reason=reason)


def _decode(data: str | bytes) -> Any | None:
    try:
        return eio_packet.Packet(encoded_packet=data)
    except (ValueError, TypeError, IndexError, KeyError):
        return None


async def _receive(response: web.WebSocketResponse, server: Any) -> str | bytes | None:
    """The next message, or None once the connection is over (closed, or sent a message
    over the size limit)."""
    try:
        message = await response.receive()
    except (asyncio.CancelledError, Exception):
        return None
    data = message.data
    if not isinstance(data, (str, bytes)) or len(data) > server.max_http_buffer_size:
        return None
    return data


async def _finish(queue: SocketQueue, ws: LeanWebSocket) -> None:
    """Send what is still queued (after the drain task, if one is running), then close
    the websocket: what engine.io's writer did once its reader had ended."""
    drainer = queue.detach()
    if drainer is not None:
        await drainer
    frames = queue.take_frames()
    queue.new_batch()
    if frames and not ws.transport.is_closing() and not ws.response.closed:
        ws.transport.write(b"".join(frames))
    if ws._closing is not None:
        await ws._closing
    else:
        await ws.response.close()


def install(sio: socketio.AsyncServer) -> None:
    """Serve this server's engine.io requests with ``RequestEnviron``, its websockets with
    ``LeanWebSocket`` and its connections' queues with ``SocketQueue`` (a copy of the
    driver table: other servers in the process keep theirs)."""
    engine_adapter.install_driver(sio.eio, translate_request, LeanWebSocket)
    sio.eio.create_queue = SocketQueue  # every connection's queue (engine.io makes it)
