"""Benchmark of the durable send path (`make bench`).

Starts the real server as a separate process (`python -m server serve`, SQLite in a
temporary folder, or DATABASE_URL if given) and drives it with real python-socketio
clients from this process:

1. throughput: CLIENTS connections each keep WINDOW sends in flight until MESSAGES
   are acknowledged; every acknowledgement means "committed". Reports messages per
   second and acknowledgement latency percentiles. Run twice: from python-socketio
   clients, and from Node's socket.io-client (tests/bench/load.cjs), which leaves
   more of the shared CPU to the server.
2. fan-out: SUBSCRIBERS connections subscribe to the room; one sender posts FANOUT
   messages at a steady pace; reports time from send to arrival at every subscriber.

Numbers depend on the machine; the README records them with the machine they came from.
Bounded in count and time; talks only to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import socketio

from tests.loopback import free_port, wait_healthy

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "20"))
WINDOW = int(os.environ.get("BENCH_WINDOW", "10"))
MESSAGES = int(os.environ.get("BENCH_MESSAGES", "10000"))
SUBSCRIBERS = int(os.environ.get("BENCH_SUBSCRIBERS", "50"))
FANOUT = int(os.environ.get("BENCH_FANOUT", "500"))
PASSWORD = "benchmark password"


def server_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the server process has used so far, from /proc. Less
    sensitive than wall time to other work on a shared machine: the comparison that
    matters is CPU per message, measured the same way for every build."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def with_cpu(result: dict[str, Any], pid: int, before: float, count: int) -> dict[str, Any]:
    return result | {"server_cpu_ms_per_message": round(1000 * (server_cpu_seconds(pid) - before) / count, 3)}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


async def connect(url: str, token: str) -> socketio.AsyncClient:
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(url, headers={"Cookie": f"convene_session={token}"}, transports=["websocket"], wait_timeout=10)
    return client


async def throughput(url: str, token: str, thread_id: int) -> dict[str, Any]:
    clients = [await connect(url, token) for _ in range(CLIENTS)]
    latencies: list[float] = []
    counter = iter(range(MESSAGES))

    async def worker(client: socketio.AsyncClient, lane: int) -> None:
        for i in counter:
            started = time.perf_counter()
            ack = await client.call(
                "send",
                {"thread_id": thread_id, "client_id": f"b{lane}-{i}", "body": f"benchmark message {i} with a little **markdown**"},
                timeout=60,
            )
            if not ack.get("ok"):
                raise RuntimeError(ack)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker(c, n) for n, c in enumerate(clients) for _ in range(WINDOW)))
    elapsed = time.perf_counter() - started
    for client in clients:
        await client.disconnect()
    return {
        "messages": len(latencies),
        "seconds": round(elapsed, 3),
        "messages_per_second": round(len(latencies) / elapsed),
        "ack_ms_p50": round(percentile(latencies, 0.50) * 1000, 1),
        "ack_ms_p95": round(percentile(latencies, 0.95) * 1000, 1),
        "ack_ms_p99": round(percentile(latencies, 0.99) * 1000, 1),
    }


def node_throughput(url: str, token: str, thread_id: int) -> dict[str, Any]:
    """The same throughput scenario driven from Node (lighter on the shared CPU)."""
    result = subprocess.run(
        ["node", str(ROOT / "tests" / "bench" / "load.cjs"), url, token, str(thread_id), str(MESSAGES), str(CLIENTS), str(WINDOW)],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return dict(json.loads(result.stdout))


async def fanout(url: str, token: str, room_id: int, thread_id: int, last_seq: int) -> dict[str, Any]:
    sent_at: dict[str, float] = {}
    delays: list[float] = []
    done = asyncio.Event()
    expected = SUBSCRIBERS * FANOUT
    subscribers = []
    for _ in range(SUBSCRIBERS):
        client = await connect(url, token)

        async def on_event(payload: dict[str, Any]) -> None:
            if payload.get("type") == "message.created":
                at = sent_at.get(payload["message"]["client_id"])
                if at is not None:
                    delays.append(time.perf_counter() - at)
                    if len(delays) >= expected:
                        done.set()

        client.on("event", on_event)
        await client.call("subscribe", {"rooms": {str(room_id): last_seq}}, timeout=30)
        subscribers.append(client)
    sender = await connect(url, token)
    started = time.perf_counter()
    for i in range(FANOUT):
        client_id = f"f-{i}"
        sent_at[client_id] = time.perf_counter()
        await sender.call("send", {"thread_id": thread_id, "client_id": client_id, "body": f"fan-out {i}"}, timeout=30)
    try:
        await asyncio.wait_for(done.wait(), 60)
    except asyncio.TimeoutError:
        pass
    elapsed = time.perf_counter() - started
    for client in [sender, *subscribers]:
        await client.disconnect()
    return {
        "subscribers": SUBSCRIBERS,
        "messages": FANOUT,
        "deliveries": len(delays),
        "expected_deliveries": expected,
        "deliveries_per_second": round(len(delays) / elapsed),
        "delivery_ms_p50": round(percentile(delays, 0.50) * 1000, 1),
        "delivery_ms_p99": round(percentile(delays, 0.99) * 1000, 1),
    }


async def main() -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="convene-bench-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATA_DIR": str(workdir),
        "PORT": str(port),
        "SECRET_KEY": "benchmark-secret-key-0123456789",
        "ARGON2_MEMORY_KIB": "8192",
        "ARGON2_TIME_COST": "1",
        "PUBLIC_URL": url,
        "AUTH_ATTEMPTS_PER_10MIN": "1000",
    }
    subprocess.run([sys.executable, "-m", "server", "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "server", "serve"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        await wait_healthy(url)
        async with aiohttp.ClientSession(base_url=url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            async with http.post(
                "/api/v1/auth/signup",
                json={"email": "bench@example.org", "display_name": "Bench", "organisation": "Bench", "password": PASSWORD},
            ) as r:
                assert r.status == 201, await r.text()
            token = next(c.value for c in http.cookie_jar if c.key == "convene_session")
            async with http.post("/api/v1/rooms", json={"title": "Benchmark"}) as r:
                room = (await r.json())["room"]
            async with http.post(f"/api/v1/rooms/{room['id']}/threads", json={"title": "Throughput"}) as r:
                thread = (await r.json())["thread"]
            cpu = server_cpu_seconds(server.pid)
            result_throughput = with_cpu(await throughput(url, token, thread["id"]), server.pid, cpu, MESSAGES)
            async with http.post(f"/api/v1/rooms/{room['id']}/threads", json={"title": "Throughput from Node"}) as r:
                node_thread = (await r.json())["thread"]
            cpu = server_cpu_seconds(server.pid)
            result_node = with_cpu(node_throughput(url, token, node_thread["id"]), server.pid, cpu, MESSAGES)
            async with http.get(f"/api/v1/rooms/{room['id']}") as r:
                last_seq = (await r.json())["room"]["last_seq"]
            cpu = server_cpu_seconds(server.pid)
            result_fanout = with_cpu(await fanout(url, token, room["id"], thread["id"], last_seq), server.pid, cpu, FANOUT)
            async with http.get(f"/api/v1/rooms/{room['id']}") as r:
                final_seq = (await r.json())["room"]["last_seq"]
        return {
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
            "database": env.get("DATABASE_URL", "sqlite (default, WAL)"),
            "settings": {"clients": CLIENTS, "window": WINDOW},
            "throughput": result_throughput,
            "throughput_node_clients": result_node,
            "fanout": result_fanout,
            "sequence_check": {"last_seq": final_seq, "expected": 2 + 2 * MESSAGES + FANOUT},
        }
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    results = asyncio.run(main())
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "send_path.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    if results["sequence_check"]["last_seq"] != results["sequence_check"]["expected"]:
        sys.exit("sequence numbers do not add up: messages were lost or doubled")
