"""Probe of the send and fan-out path, for measuring one change against another.

Starts the real server (``python -m server serve``, SQLite in a temporary folder) pinned
to CPU 0, and drives it from Node (socket.io-client, tests/bench/load.cjs and
tests/bench/fanout.cjs) pinned to CPU 1:

* durable sends: 20 connections x 10 in flight; acknowledged/s, ack p99, server CPU ms per
  message (every acknowledgement means "committed");
* fan-out for rooms of PROBE_SIZES subscribers: p50/p99 from send to receipt at a paced
  5,000 deliveries/s, then deliveries/s with PROBE_WINDOW sends in flight.

    .venv/bin/python -m tests.bench.fanout_probe

Not a test and not the cross-system harness (``make bench``): a quick before/after probe.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import aiohttp

from tests.bench.send_path import PASSWORD, ROOT, server_cpu_seconds
from tests.loopback import free_port, wait_healthy

SIZES = [int(n) for n in os.environ.get("PROBE_SIZES", "10,100,1000").split(",")]
SECONDS = os.environ.get("PROBE_SECONDS", "4")
WINDOW = os.environ.get("PROBE_WINDOW", "32")
MESSAGES = int(os.environ.get("PROBE_MESSAGES", "4000"))
SERVER_CPU = os.environ.get("PROBE_SERVER_CPU", "0")
CLIENT_CPU = os.environ.get("PROBE_CLIENT_CPU", "1")
# Another checkout's server (e.g. ``git archive`` of an older commit) to compare against.
SERVER_ROOT = Path(os.environ.get("PROBE_SERVER_ROOT", str(ROOT)))


def node(script: str, *args: Any, server_pid: int | None = None) -> dict[str, Any]:
    """Run a Node load script; with ``server_pid``, the server's CPU seconds in each of
    the phases the script announces (``phase NAME`` lines) are added to its answer."""
    command = ["taskset", "-c", CLIENT_CPU, "node", str(ROOT / "tests" / "bench" / script), *map(str, args)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    cpu = server_cpu_seconds(server_pid) if server_pid else 0.0
    phases: dict[str, float] = {}
    answer: dict[str, Any] = {}
    for line in process.stdout:
        if line.startswith("phase ") and server_pid:
            now = server_cpu_seconds(server_pid)
            phases[line.split()[1]] = round(now - cpu, 3)
            cpu = now
        elif line.strip():
            answer = dict(json.loads(line))
    if process.wait(timeout=900) != 0:
        raise RuntimeError(f"{script} failed")
    return answer | ({"server_cpu_seconds": phases} if phases else {})


async def main() -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="convene-probe-"))
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
    subprocess.run([sys.executable, "-m", "server", "migrate"], cwd=SERVER_ROOT, env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        ["taskset", "-c", SERVER_CPU, sys.executable, "-m", "server", "serve"],
        cwd=SERVER_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    results: dict[str, Any] = {"server": str(SERVER_ROOT), "load_average": os.getloadavg()}
    profiler = None
    try:
        await wait_healthy(url)
        if os.environ.get("PROBE_PYSPY"):  # a py-spy flame graph of the server, to this file
            command = ["py-spy", "record", "-p", str(server.pid), "-o", os.environ["PROBE_PYSPY"], "-f", "speedscope"]
            profiler = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        async with aiohttp.ClientSession(base_url=url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            async with http.post(
                "/api/v1/auth/signup",
                json={"email": "probe@example.org", "display_name": "Probe", "organisation": "Probe", "password": PASSWORD},
            ) as r:
                assert r.status == 201, await r.text()
            token = next(c.value for c in http.cookie_jar if c.key == "convene_session")

            async def room_and_thread(title: str) -> tuple[int, int, int]:
                async with http.post("/api/v1/rooms", json={"title": title}) as r:
                    room = (await r.json())["room"]
                async with http.post(f"/api/v1/rooms/{room['id']}/threads", json={"title": title}) as r:
                    thread = (await r.json())["thread"]
                async with http.get(f"/api/v1/rooms/{room['id']}") as r:
                    last_seq = (await r.json())["room"]["last_seq"]
                return room["id"], thread["id"], last_seq

            _, thread_id, _ = await room_and_thread("Durable sends")
            cpu = server_cpu_seconds(server.pid)
            sends = node("load.cjs", url, token, thread_id, MESSAGES, 20, 10)
            sends["server_cpu_ms_per_message"] = round(1000 * (server_cpu_seconds(server.pid) - cpu) / MESSAGES, 3)
            results["durable_sends"] = sends
            for size in SIZES:
                room_id, thread_id, last_seq = await room_and_thread(f"Fan-out {size}")
                fan = node("fanout.cjs", url, token, room_id, thread_id, last_seq, size, 5000, SECONDS, WINDOW, server_pid=server.pid)
                # Server CPU per delivery when saturated: deliveries/s one server core could make.
                busy = fan["server_cpu_seconds"]["saturated"]
                fan["saturated"]["deliveries_per_server_cpu_second"] = round(fan["saturated"]["deliveries"] / busy) if busy else None
                results[f"fanout_{size}"] = fan
                print(size, json.dumps(results[f"fanout_{size}"]), file=sys.stderr)
    finally:
        if profiler is not None:
            profiler.send_signal(2)
            profiler.wait(timeout=60)
        server.terminate()
        server.wait(timeout=30)
    results["load_average_after"] = os.getloadavg()
    return results


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main()), indent=1))
