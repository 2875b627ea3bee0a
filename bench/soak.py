"""The soak (`make soak`; not part of `make test`): hundreds of real python-socketio
clients against a real server for a long time, dropping and coming back at random.

What runs: ``python -m server migrate`` and ``serve`` on a fresh data folder (SQLite,
``synchronous=FULL``), a handful of confirmed people made through the REST API, rooms
with a thread each, and ``--clients`` python-socketio clients (several tabs per person),
each in one room. Each client behaves as the web client does: it subscribes from the
last sequence number it saw, sends at random intervals with its own client ids, keeps
every room event it receives by number, and when its connection drops it reconnects,
catches up and sends again, with the same client id, whatever was not acknowledged.
At random (about once a ``--drop-every`` seconds each) a client drops: half say goodbye
(an Engine.IO close), half vanish (the websocket closed without one); it comes back
after 0.5 to 5 s.

What is measured:

* **lost**: acknowledged messages not stored as acknowledged, and room events a client
  never received (after a final reconnect and catch-up) -- target 0;
* **doubled**: a message stored twice (by client id or by body) or one number carrying
  two different events for a client -- target 0;
* **memory**: the server's RSS (``/proc/<pid>/status``) every few seconds; growth is the
  last sample against the first sample after the warm-up (the first fifth of the run, at
  most 5 minutes) -- target under 10%;
* **latency**: send to acknowledgement (committed), and send to the live event at the
  other clients of the room (one process, one clock), as p50/p95/p99 per window.

It writes ``bench/soak-results.json`` and ``docs/soak.png``. The clients share one
process (and the machine with the server): on a busy machine latency includes their
waiting for a core, and the results record the load average at the start and the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import email
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from email import policy
from pathlib import Path
from typing import Any

import aiohttp
import socketio

ROOT = Path(__file__).resolve().parent.parent
FAILURES = (
    socketio.exceptions.TimeoutError,
    socketio.exceptions.BadNamespaceError,
    socketio.exceptions.DisconnectedError,
    socketio.exceptions.ConnectionError,
    aiohttp.ClientError,
    OSError,
    asyncio.TimeoutError,
)
PASSWORD = "a soak-test passphrase"


def percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@dataclass
class Window:
    """What happened in one stretch of the run."""

    start: float
    ack_ms: list[float] = field(default_factory=list)
    delivery_ms: list[float] = field(default_factory=list)
    sends: int = 0
    drops: int = 0

    def summary(self, t0: float) -> dict[str, Any]:
        return {
            "t_s": round(self.start - t0, 1),
            "sends": self.sends,
            "drops": self.drops,
            "ack_p50_ms": percentile(self.ack_ms, 0.5),
            "ack_p95_ms": percentile(self.ack_ms, 0.95),
            "ack_p99_ms": percentile(self.ack_ms, 0.99),
            "delivery_p50_ms": percentile(self.delivery_ms, 0.5),
            "delivery_p95_ms": percentile(self.delivery_ms, 0.95),
            "delivery_p99_ms": percentile(self.delivery_ms, 0.99),
            "deliveries": len(self.delivery_ms),
        }


class Soak:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.rng = random.Random(args.seed)
        self.t0 = time.monotonic()
        self.windows: list[Window] = [Window(self.t0)]
        self.sent_at: dict[str, float] = {}  # client id -> when first sent (for delivery latency)
        self.stopping = asyncio.Event()
        self.connected = 0
        self.doubled_in_views: list[str] = []
        self.refused: Counter[str] = Counter()

    def window(self) -> Window:
        now = time.monotonic()
        if now - self.windows[-1].start >= self.args.window:
            self.windows.append(Window(now))
        return self.windows[-1]


@dataclass
class Client:
    soak: Soak
    name: str
    url: str
    token: str
    room_id: int
    thread_id: int
    view: dict[int, tuple[Any, ...]] = field(default_factory=dict)
    acknowledged: dict[str, int] = field(default_factory=dict)
    pending: dict[str, str] = field(default_factory=dict)
    serial: int = 0
    sio: socketio.AsyncClient | None = None
    gone: asyncio.Event = field(default_factory=asyncio.Event)

    def apply(self, event: dict[str, Any]) -> None:
        seq = event.get("seq")
        if event.get("room_id") != self.room_id or not isinstance(seq, int):
            return
        inner = event.get("message") or event.get("thread") or {}
        identity = (event["type"], inner.get("id"), inner.get("client_id"))
        known = self.view.setdefault(seq, identity)
        if known != identity:
            self.soak.doubled_in_views.append(f"{self.name} seq {seq}: {known} then {identity}")
        return

    async def on_event(self, event: dict[str, Any]) -> None:
        fresh = event.get("seq") not in self.view
        self.apply(event)
        client_id = (event.get("message") or {}).get("client_id")
        if fresh and event.get("type") == "message.created" and client_id in self.soak.sent_at:
            if not client_id.startswith(self.name + "-"):
                self.soak.window().delivery_ms.append((time.monotonic() - self.soak.sent_at[client_id]) * 1000)

    async def connect(self) -> None:
        client = socketio.AsyncClient(reconnection=False)
        client.on("event", self.on_event)
        self.gone = gone = asyncio.Event()
        client.on("disconnect", lambda *reason: gone.set())
        try:
            await client.connect(self.url, headers={"Cookie": f"convene_session={self.token}"}, transports=["websocket"], wait_timeout=10)
        except BaseException:
            if client.eio.http is not None and not client.eio.http.closed:  # a refused handshake leaves it open
                await client.eio.http.close()
            raise
        self.sio = client
        answer = await client.call("subscribe", {"rooms": {str(self.room_id): max(self.view, default=0)}}, timeout=30)
        room = answer["rooms"][str(self.room_id)]
        if "resync" in room:  # more missed than CATCHUP_LIMIT: cannot happen with the soak's setting
            raise RuntimeError(f"{self.name} was told to resync")
        for event in room["events"]:
            self.apply(event)

    async def send(self, client_id: str, body: str) -> None:
        assert self.sio is not None
        self.pending.setdefault(client_id, body)
        started = time.monotonic()
        self.soak.sent_at.setdefault(client_id, started)
        call = asyncio.ensure_future(self.sio.call("send", {"thread_id": self.thread_id, "client_id": client_id, "body": body}, timeout=30))
        dropped = asyncio.ensure_future(self.gone.wait())
        await asyncio.wait({call, dropped}, return_when=asyncio.FIRST_COMPLETED)
        dropped.cancel()
        if not call.done():
            call.cancel()
            raise socketio.exceptions.DisconnectedError("dropped")
        answer = call.result()
        window = self.soak.window()
        window.sends += 1
        if not answer.get("ok"):
            self.soak.refused[answer["error"]["code"]] += 1
            return  # stays pending: sent again after the next reconnect
        window.ack_ms.append((time.monotonic() - started) * 1000)
        seq = answer["message"]["seq"]
        if self.acknowledged.setdefault(client_id, seq) != seq:
            self.soak.doubled_in_views.append(f"{client_id} acknowledged as {self.acknowledged[client_id]} and {seq}")
        self.pending.pop(client_id, None)

    async def drop(self, vanish: bool) -> None:
        client, self.sio = self.sio, None
        if client is None:
            return
        with contextlib.suppress(*FAILURES):
            if vanish and client.eio.ws is not None:
                await client.eio.ws.close()  # the websocket goes without an Engine.IO goodbye
                await asyncio.sleep(0.1)
            await asyncio.wait_for(client.disconnect(), 5)

    async def live(self) -> None:
        """Connect, send, drop, come back: until the soak stops."""
        args, rng = self.soak.args, self.soak.rng
        while not self.soak.stopping.is_set():
            try:
                await self.connect()
            except FAILURES:
                await asyncio.sleep(rng.uniform(0.5, 2))
                continue
            self.soak.connected += 1
            drop_at = time.monotonic() + rng.expovariate(1 / args.drop_every)
            try:
                for client_id, body in list(self.pending.items()):
                    await self.send(client_id, body)
                while not self.soak.stopping.is_set() and time.monotonic() < drop_at:
                    pause = min(rng.expovariate(1 / args.send_every), max(0.0, drop_at - time.monotonic()))
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(self.soak.stopping.wait(), pause)
                    if self.soak.stopping.is_set() or time.monotonic() >= drop_at:
                        break
                    self.serial += 1
                    await self.send(f"{self.name}-{self.serial}", f"{self.name} says {self.serial} at {time.time():.3f}")
            except FAILURES:
                pass
            self.soak.connected -= 1
            if self.soak.stopping.is_set():
                break
            self.soak.window().drops += 1
            await self.drop(vanish=rng.random() < 0.5)
            await asyncio.sleep(rng.uniform(0.5, 5))
        await self.drop(vanish=False)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def wait_healthy(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"{url}/healthz") as r:
                    if r.status == 200:
                        return
            await asyncio.sleep(0.1)
    raise RuntimeError("the server did not become healthy")


async def make_people(url: str, data_dir: Path, count: int) -> list[str]:
    """Sign up ``count`` people and confirm their addresses (from the mail outbox); their session tokens."""
    tokens = []
    for n in range(count):
        address = f"person{n}@soak.example"
        async with aiohttp.ClientSession(base_url=url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            body = {"email": address, "display_name": f"Person {n}", "organisation": f"Org {n % 5}", "password": PASSWORD}
            async with http.post("/api/v1/auth/signup", json=body) as r:
                assert r.status == 201, await r.text()
            if n:  # the first is the administrator; the others confirm their address to post
                token = await mailed_token(data_dir / "outbox", address)
                async with http.post("/api/v1/auth/confirm", json={"token": token}) as r:
                    assert r.status == 200, await r.text()
            tokens.append(next(c.value for c in http.cookie_jar if c.key == "convene_session"))
    return tokens


async def mailed_token(outbox: Path, address: str) -> str:
    for _ in range(200):
        for path in sorted(outbox.glob("*.eml")) if outbox.is_dir() else []:
            mail = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            if mail["To"] == address:
                text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
                found = re.search(r"/confirm\?token=([A-Za-z0-9_\-]+)", text)
                if found:
                    return found.group(1)
        await asyncio.sleep(0.05)
    raise RuntimeError(f"no confirmation mail to {address}")


async def make_rooms(url: str, token: str, count: int) -> list[tuple[int, int]]:
    rooms = []
    async with aiohttp.ClientSession(base_url=url, headers={"Cookie": f"convene_session={token}"}) as http:
        for n in range(count):
            async with http.post("/api/v1/rooms", json={"title": f"Soak room {n}"}) as r:
                room = (await r.json())["room"]
            async with http.post(f"/api/v1/rooms/{room['id']}/threads", json={"title": "Soak"}) as r:
                thread = (await r.json())["thread"]
            rooms.append((room["id"], thread["id"]))
    return rooms


def stored(database: Path) -> tuple[dict[int, dict[int, tuple[Any, ...]]], list[tuple[str, str, int]]]:
    """(room -> seq -> event identity, every message's (client id, body, seq)) from the file."""
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        log: dict[int, dict[int, tuple[Any, ...]]] = {}
        for room_id, seq, payload in db.execute("SELECT room_id, seq, payload FROM room_events"):
            event = json.loads(payload)
            inner = event.get("message") or event.get("thread") or {}
            log.setdefault(room_id, {})[seq] = (event["type"], inner.get("id"), inner.get("client_id"))
        messages = db.execute("SELECT client_id, body, seq FROM messages").fetchall()
    return log, messages


async def sample(soak: Soak, pid: int, samples: list[dict[str, Any]]) -> None:
    while not soak.stopping.is_set():
        samples.append(
            {
                "t_s": round(time.monotonic() - soak.t0, 1),
                "rss_kib": rss_kib(pid),
                "cpu_s": round(cpu_seconds(pid), 2),
                "connected": soak.connected,
                "load": os.getloadavg()[0],
            }
        )
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(soak.stopping.wait(), soak.args.sample_every)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix="convene-soak-"))
    port = args.port
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "PORT": str(port),
        "PUBLIC_URL": url,
        "SECRET_KEY": "soak-secret-key-0123456789",
        "ARGON2_MEMORY_KIB": "1024",
        "ARGON2_TIME_COST": "1",
        "AUTH_ATTEMPTS_PER_10MIN": "100000",
        "CATCHUP_LIMIT": "100000",
    }
    subprocess.run([sys.executable, "-m", "server", "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)
    log = open(data_dir / "server.log", "ab")
    server = subprocess.Popen([sys.executable, "-m", "server", "serve"], cwd=ROOT, env=env, stdout=log, stderr=log)
    load_start = os.getloadavg()
    try:
        await wait_healthy(url)
        tokens = await make_people(url, data_dir, args.people)
        rooms = await make_rooms(url, tokens[0], args.rooms)
        soak = Soak(args)
        clients = [
            Client(soak, f"c{n}", url, tokens[n % len(tokens)], *rooms[n % len(rooms)]) for n in range(args.clients)
        ]
        samples: list[dict[str, Any]] = []
        sampler = asyncio.create_task(sample(soak, server.pid, samples))

        async def started(client: Client, delay: float) -> None:
            await asyncio.sleep(delay)  # a ramp: not every client in the same instant
            await client.live()

        lives = [asyncio.create_task(started(c, n * args.ramp / len(clients))) for n, c in enumerate(clients)]
        deadline = soak.t0 + args.minutes * 60
        while time.monotonic() < deadline:
            await asyncio.sleep(min(10.0, max(0.0, deadline - time.monotonic())))
            w = soak.windows[-1]
            print(
                f"{time.monotonic() - soak.t0:7.0f} s  connected {soak.connected:4d}  rss {samples[-1]['rss_kib'] / 1024:6.1f} MiB  "
                f"ack p95 {percentile(w.ack_ms, 0.95) or 0:7.1f} ms  delivery p95 {percentile(w.delivery_ms, 0.95) or 0:7.1f} ms  "
                f"load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
        soak.stopping.set()
        await asyncio.gather(*lives)
        await sampler
        ran_s = time.monotonic() - soak.t0
        # The end: everyone reconnects once more, sends what was never answered, and
        # catches up; then every view is compared with the database.
        final_failures = 0
        for chunk in range(0, len(clients), 50):
            async def settle(client: Client) -> None:
                nonlocal final_failures
                try:
                    await client.connect()
                    for client_id, body in list(client.pending.items()):
                        await client.send(client_id, body)
                    await client.drop(vanish=False)
                    await client.connect()  # a last catch-up: live events still in flight
                    await client.drop(vanish=False)
                except FAILURES:
                    final_failures += 1

            await asyncio.gather(*(settle(c) for c in clients[chunk : chunk + 50]))
        rss_end = rss_kib(server.pid)
        server_cpu = cpu_seconds(server.pid)
    finally:
        server.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(15)
        server.kill()
        server.wait()
        log.close()
    log_text = (data_dir / "server.log").read_text(errors="replace")
    if args.server_log is not None:
        shutil.copy(data_dir / "server.log", args.server_log)
    room_log, messages = stored(data_dir / "convene.db")
    shutil.rmtree(data_dir, ignore_errors=True)

    acknowledged = {cid: seq for c in clients for cid, seq in c.acknowledged.items()}
    by_client_id = {cid: seq for cid, _, seq in messages}
    lost_acknowledged = sorted(cid for cid, seq in acknowledged.items() if by_client_id.get(cid) != seq)
    doubled_ids = [cid for cid, n in Counter(cid for cid, _, _ in messages).items() if n > 1]
    doubled_bodies = [body for body, n in Counter(body for _, body, _ in messages).items() if n > 1]
    missing_events = sum(len(room_log.get(c.room_id, {}).keys() - c.view.keys()) for c in clients)
    extra_events = sum(len(c.view.keys() - room_log.get(c.room_id, {}).keys()) for c in clients)
    mismatched = sum(1 for c in clients for seq, ident in c.view.items() if room_log.get(c.room_id, {}).get(seq, ident) != ident)
    warm_until = min(300.0, ran_s / 5)
    warm = next((s for s in samples if s["t_s"] >= warm_until), samples[-1])
    # The last sample of the steady run (the final reconnect-everyone step comes after).
    rss_growth = (samples[-1]["rss_kib"] - warm["rss_kib"]) / warm["rss_kib"]
    windows = [w.summary(soak.t0) for w in soak.windows]
    all_ack = [ms for w in soak.windows for ms in w.ack_ms]
    all_delivery = [ms for w in soak.windows for ms in w.delivery_ms]
    return {
        "settings": {k: v for k, v in vars(args).items() if k not in ("out", "plot")},
        "ran_minutes": round(ran_s / 60, 2),
        "machine": {"cpus": os.cpu_count(), "load_at_start": load_start, "load_at_end": os.getloadavg()},
        "clients": len(clients),
        "people": args.people,
        "rooms": args.rooms,
        "sends_acknowledged": len(acknowledged),
        "messages_stored": len(messages),
        "still_pending_after_final_retry": sum(len(c.pending) for c in clients),
        "final_reconnect_failures": final_failures,
        "refused_sends_by_code": dict(soak.refused),
        "drops": sum(w.drops for w in soak.windows),
        "lost": {"acknowledged_not_stored": len(lost_acknowledged), "events_missing_from_views": missing_events},
        "doubled": {
            "client_ids_stored_twice": len(doubled_ids),
            "bodies_stored_twice": len(doubled_bodies),
            "conflicting_events_in_views": len(soak.doubled_in_views) + mismatched,
            "events_in_views_not_stored": extra_events,
        },
        "memory": {
            "rss_after_warmup_mib": round(warm["rss_kib"] / 1024, 1),
            "warmup_ends_s": warm["t_s"],
            "rss_end_of_run_mib": round(samples[-1]["rss_kib"] / 1024, 1),
            "rss_after_final_reconnects_mib": round(rss_end / 1024, 1),
            "rss_peak_mib": round(max(s["rss_kib"] for s in samples) / 1024, 1),
            "growth": round(rss_growth, 4),
        },
        "latency_ms": {
            "ack_p50": percentile(all_ack, 0.5),
            "ack_p95": percentile(all_ack, 0.95),
            "ack_p99": percentile(all_ack, 0.99),
            "delivery_p50": percentile(all_delivery, 0.5),
            "delivery_p95": percentile(all_delivery, 0.95),
            "delivery_p99": percentile(all_delivery, 0.99),
            "worst_window_ack_p95": max((w["ack_p95_ms"] or 0 for w in windows), default=None),
        },
        "server_cpu_s": round(server_cpu, 1),
        "server_log": {
            "errors": sum(1 for line in log_text.splitlines() if " ERROR " in line),
            "tracebacks": log_text.count("Traceback"),
            "distinct_errors": error_kinds(log_text),
        },
        "targets_met": {
            "lost_0": not lost_acknowledged and missing_events == 0,
            "doubled_0": not doubled_ids and not doubled_bodies and not soak.doubled_in_views and mismatched == 0 and extra_events == 0,
            "memory_growth_under_10pct": rss_growth < 0.10,
        },
        "windows": windows,
        "samples": samples,
        "ack_median_overall_ms": statistics.median(all_ack) if all_ack else None,
    }


def error_kinds(log_text: str) -> dict[str, int]:
    """Each ERROR line's message (times and ids dropped) with its count, and each
    traceback's last line: what a reader of the log would look into."""
    kinds: Counter[str] = Counter()
    lines = log_text.splitlines()
    for n, line in enumerate(lines):
        if " ERROR " in line:
            kinds[re.sub(r"[0-9a-f]{8,}|\d+", "#", line.split(" ERROR ", 1)[1])[:160]] += 1
        elif line.startswith("Traceback"):
            end = next((m for m in range(n + 1, len(lines)) if lines[m] and not lines[m].startswith((" ", "Traceback", "During"))), None)
            if end is not None:
                kinds["traceback: " + lines[end][:160]] += 1
    return dict(kinds.most_common(20))


def plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    windows, samples = results["windows"], results["samples"]
    fig, (top, middle, bottom) = plt.subplots(3, 1, figsize=(9, 8), sharex=True)
    minutes = [w["t_s"] / 60 for w in windows]
    top.plot(minutes, [w["ack_p95_ms"] for w in windows], label="send -> acknowledgement p95")
    top.plot(minutes, [w["delivery_p95_ms"] for w in windows], label="send -> live event at others p95")
    top.set_ylabel("ms")
    top.set_yscale("log")
    top.legend(loc="upper right", fontsize=8)
    top.set_title(
        f"Soak: {results['clients']} clients, {results['ran_minutes']} min, {results['drops']} drops; "
        f"lost {results['lost']['acknowledged_not_stored'] + results['lost']['events_missing_from_views']}, "
        f"doubled {sum(results['doubled'].values())}",
        fontsize=10,
    )
    sample_minutes = [s["t_s"] / 60 for s in samples]
    middle.plot(sample_minutes, [s["rss_kib"] / 1024 for s in samples], color="tab:red")
    middle.axvline(results["memory"]["warmup_ends_s"] / 60, color="grey", linestyle=":", linewidth=1)
    middle.set_ylabel("server RSS (MiB)")
    middle.set_ylim(bottom=0)
    bottom.plot(sample_minutes, [s["connected"] for s in samples], color="tab:green", label="connected clients")
    bottom.set_ylabel("connected")
    twin = bottom.twinx()
    twin.plot(sample_minutes, [s["load"] for s in samples], color="tab:grey", linewidth=0.8, label="load average")
    twin.set_ylabel("machine load (1 min)")
    bottom.set_xlabel("minutes")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="how long the soak runs (default 30)")
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--people", type=int, default=20, help="accounts the clients share (tabs per person)")
    parser.add_argument("--rooms", type=int, default=10)
    parser.add_argument("--send-every", type=float, default=10.0, help="mean seconds between a client's sends")
    parser.add_argument("--drop-every", type=float, default=60.0, help="mean seconds a client stays before it drops")
    parser.add_argument("--ramp", type=float, default=15.0, help="seconds over which the clients first connect")
    parser.add_argument("--window", type=float, default=30.0, help="seconds per latency window")
    parser.add_argument("--sample-every", type=float, default=5.0)
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--server-log", type=Path, default=None, help="keep the server's log here (else only its ERROR lines are kept)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "soak-results.json")
    parser.add_argument("--plot", type=Path, default=ROOT / "docs" / "soak.png")
    args = parser.parse_args(argv)
    results = asyncio.run(run(args))
    args.out.write_text(json.dumps(results, indent=1, default=str) + "\n")
    plot(results, args.plot)
    summary = {k: results[k] for k in ("ran_minutes", "clients", "sends_acknowledged", "drops", "lost", "doubled", "memory", "latency_ms")}
    print(json.dumps(summary, indent=1))
    print(f"wrote {args.out} and {args.plot}")
    met = results["targets_met"]
    return 0 if met["lost_0"] and met["doubled_0"] else 1


if __name__ == "__main__":
    sys.exit(main())
