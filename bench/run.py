"""`make bench`: Convene against its peers, every system through the same workloads, one run.

Each system is started here on loopback with its server pinned to core 0 (`taskset -c 0`)
and driven by `bench/loadgen.cjs` pinned to core 1, then stopped; every system is a black
box reached through its public interface only (HTTP API and Socket.IO for Convene), so
whatever build of Convene is checked out is what gets measured. See bench/README.md.

    python -m bench [--size full|quick|tiny] [--systems raw,node-sio,python-sio,convene]
                    [--out bench/results.json] [--plot docs/bench.png] [--no-postgres]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.report import plot, table, targets

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
PYTHON = sys.executable
SERVER_CORE = "0"
GENERATOR_CORE = "1"
POSTGRES_ADMIN = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")

# Sizes: "full" is what README and results.json report (about 10-15 minutes); "quick" the
# same shape in a few minutes; "tiny" proves the harness works (make test).
SIZES: dict[str, dict[str, Any]] = {
    "full": {
        "room_sizes": [10, 100, 1000],
        "rates": [1000, 2000, 5000, 10_000, 20_000, 40_000, 60_000, 80_000, 100_000, 120_000, 150_000, 180_000, 220_000],
        "must_reach": 5000,
        "step_s": 2.0,
        "drain_ms": 6000,
        "idle": 5000,
        "idle_limit_s": 60,
        "durable_rates": [100, 500, 1000, 2000, 3000, 5000],
        "durable_step_s": 3.0,
        "durable_rooms": 20,
        "durable_per_room": 10,
        "durable_drain_ms": 15_000,
        "storm_rooms": 20,
        "storm_per_room": 100,
        "storm_before": 5,
        "storm_after": 5,
        "storm_limit_s": 120,
        "slow_size": 20,
        "slow_rate": 100,
        "slow_baseline_s": 3,
        "slow_stall_s": 12,
        "slow_pad": 9000,
        "concurrency": 100,
    },
    "quick": {
        "room_sizes": [10, 100, 1000],
        "rates": [1000, 5000, 20_000, 60_000, 120_000, 200_000],
        "must_reach": 5000,
        "step_s": 1.5,
        "drain_ms": 4000,
        "idle": 2000,
        "idle_limit_s": 30,
        "durable_rates": [100, 1000, 3000],
        "durable_step_s": 2.0,
        "durable_rooms": 20,
        "durable_per_room": 10,
        "durable_drain_ms": 10_000,
        "storm_rooms": 10,
        "storm_per_room": 50,
        "storm_before": 3,
        "storm_after": 3,
        "storm_limit_s": 60,
        "slow_size": 20,
        "slow_rate": 100,
        "slow_baseline_s": 2,
        "slow_stall_s": 6,
        "slow_pad": 9000,
        "concurrency": 100,
    },
    "tiny": {
        "room_sizes": [3, 10],
        "rates": [20, 50],
        "must_reach": 50,
        "step_s": 0.5,
        "drain_ms": 3000,
        "idle": 20,
        "idle_limit_s": 20,
        "durable_rates": [10, 20],
        "durable_step_s": 0.5,
        "durable_rooms": 2,
        "durable_per_room": 3,
        "durable_drain_ms": 5000,
        "storm_rooms": 2,
        "storm_per_room": 3,
        "storm_before": 2,
        "storm_after": 2,
        "storm_limit_s": 30,
        "slow_size": 3,
        "slow_rate": 10,
        "slow_baseline_s": 0.5,
        "slow_stall_s": 0.5,
        "slow_pad": 100,
        "concurrency": 10,
    },
}

SYSTEMS = {
    "raw": "raw aiohttp websocket (floor)",
    "node-sio": "Node socket.io 4.8",
    "python-sio": "stock python-socketio",
    "convene": "Convene",
}


def log(*parts: object) -> None:
    print("[bench]", *parts, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_port(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before listening on {port}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listened on port {port} within {timeout} s")


def pinned(core: str, argv: list[str]) -> list[str]:
    return ["taskset", "-c", core, *argv] if shutil.which("taskset") and (os.cpu_count() or 1) > 1 else argv


@dataclass
class Server:
    """One running system: its process, port and what the load generator needs to reach it."""

    system: str
    process: subprocess.Popen[bytes]
    port: int
    kind: str  # raw | sio | convene (the load generator's protocol)
    cookie: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> bool:
        """SIGTERM, as a service manager restarts it; SIGKILL after 15 s. True if it had to be killed."""
        if self.process.poll() is not None:
            return False
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
            return False
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return True


def start_process(argv: list[str], port: int, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        pinned(SERVER_CORE, argv), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    wait_port(port, process)
    return process


def start_peer(system: str) -> Server:
    port = free_port()
    if system == "raw":
        return Server(system, start_process([PYTHON, str(BENCH / "peers" / "raw_ws.py"), str(port)], port), port, "raw")
    if system == "python-sio":
        return Server(system, start_process([PYTHON, str(BENCH / "peers" / "python_sio.py"), str(port)], port), port, "sio")
    if system == "node-sio":
        return Server(system, start_process(["node", str(BENCH / "peers" / "node_sio.cjs"), str(port)], port), port, "sio")
    raise ValueError(system)


# ---------------------------------------------------------------- Convene through its public API


def convene_env(data_dir: Path, port: int, database_url: str | None) -> dict[str, str]:
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "PORT": str(port),
        "SECRET_KEY": "benchmark-secret-key-0123456789abcdef",
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "ARGON2_MEMORY_KIB": "8192",
        "ARGON2_TIME_COST": "1",
        "AUTH_ATTEMPTS_PER_10MIN": "1000",
        # Thousands of connections from one load generator's address, sending flat out.
        "SOCKET_CONNECTIONS_PER_ADDRESS": "0",
        "SOCKET_EVENTS_PER_SECOND": "0",
        "SOCKET_TYPING_PER_MINUTE": "0",
        "SOCKET_PRESENCE_CHANGES_PER_MINUTE": "0",
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def start_convene(data_dir: Path, database_url: str | None = None, port: int | None = None) -> Server:
    """`python -m server migrate` then `serve` on a data dir (SQLite there unless database_url)."""
    port = port or free_port()
    env = convene_env(data_dir, port, database_url)
    subprocess.run([PYTHON, "-m", "server", "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)
    process = start_process([PYTHON, "-m", "server", "serve"], port, env)
    server = Server("convene", process, port, "convene", extra={"data_dir": data_dir, "database_url": database_url})
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{server.url}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    return server


def api(server: Server, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[dict[str, Any], str]:
    request = urllib.request.Request(
        f"{server.url}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", **({"Cookie": server.cookie} if server.cookie else {})},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        cookies = answer.headers.get_all("Set-Cookie") or []
        return json.loads(answer.read() or b"{}"), "; ".join(c.split(";", 1)[0] for c in cookies)


def convene_account(server: Server) -> None:
    """Sign up the first account (the administrator) and keep its session cookie."""
    _, cookie = api(
        server,
        "POST",
        "/api/v1/auth/signup",
        {"email": "bench@example.org", "display_name": "Bench", "organisation": "Bench", "password": "benchmark password"},
    )
    server.cookie = cookie


def convene_room(server: Server, title: str) -> dict[str, int]:
    room = api(server, "POST", "/api/v1/rooms", {"title": title})[0]["room"]
    thread = api(server, "POST", f"/api/v1/rooms/{room['id']}/threads", {"title": f"{title} thread"})[0]["thread"]
    return {"room_id": int(room["id"]), "thread_id": int(thread["id"])}


# ---------------------------------------------------------------- the load generator


def loadgen(server: Server, workload: str, **job: Any) -> dict[str, Any]:
    """Run one workload in a fresh load-generator process pinned to the other core."""
    spec = {
        "system": server.system,
        "workload": workload,
        "kind": server.kind,
        "ws_url": f"ws://127.0.0.1:{server.port}",
        "cookie": server.cookie,
        "server_pid": server.process.pid,
        **job,
    }
    done = subprocess.run(
        pinned(GENERATOR_CORE, ["node", str(BENCH / "loadgen.cjs"), json.dumps(spec)]),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        timeout=900,
    )
    return parse_result(done.stdout)


def parse_result(stdout: str) -> dict[str, Any]:
    for line in stdout.splitlines():
        if line.startswith("RESULT "):
            return dict(json.loads(line[len("RESULT "):]))
    return {"error": "the load generator printed no result"}


def room_of(server: Server, size: int) -> dict[str, Any]:
    if server.kind == "convene":
        ids = convene_room(server, f"Fan-out {size} {time.monotonic_ns()}")
        return {"room": ids["room_id"], "thread_id": ids["thread_id"]}
    return {"room": f"r{size}", "thread_id": 0}


def fanout_sweeps(server: Server, size: dict[str, Any]) -> dict[str, Any]:
    """The fan-out sweep for every room size on one server."""
    out: dict[str, Any] = {}
    for room_size in size["room_sizes"]:
        log(f"{server.system}: fan-out, room of {room_size}")
        out[str(room_size)] = loadgen(
            server,
            "fanout",
            size=room_size,
            rates=size["rates"],
            must_reach=size["must_reach"],
            step_seconds=size["step_s"],
            drain_ms=size["drain_ms"],
            concurrency=size["concurrency"],
            **room_of(server, room_size),
        )
        time.sleep(0.5)
    return out


def idle(server: Server, size: dict[str, Any]) -> dict[str, Any]:
    log(f"{server.system}: {size['idle']} idle connections")
    return loadgen(server, "idle", count=size["idle"], concurrency=size["concurrency"], time_limit_s=size["idle_limit_s"])


def slow(server: Server, size: dict[str, Any]) -> dict[str, Any]:
    log(f"{server.system}: slow consumer")
    return loadgen(
        server,
        "slow",
        size=size["slow_size"],
        messages_per_s=size["slow_rate"],
        baseline_s=size["slow_baseline_s"],
        stall_s=size["slow_stall_s"],
        pad_bytes=size["slow_pad"],
        concurrency=size["concurrency"],
        **room_of(server, size["slow_size"] + 1),
    )


@contextlib.contextmanager
def running(system: str) -> Iterator[Server]:
    """A freshly started system (Convene on a fresh data dir with its account), stopped after."""
    with tempfile.TemporaryDirectory(prefix="convene-bench-") as tmp:
        server = start_convene(Path(tmp)) if system == "convene" else start_peer(system)
        try:
            if system == "convene":
                convene_account(server)
            yield server
        finally:
            server.stop()
    time.sleep(1)


def run_peer_workloads(system: str, size: dict[str, Any]) -> dict[str, Any]:
    """Idle connections, fan-out sweeps and slow consumer, the same for every system, each on
    a freshly started server: RSS deltas are only meaningful without the garbage (and the
    garbage collector) of an earlier workload."""
    out: dict[str, Any] = {}
    with running(system) as server:
        out["idle"] = idle(server, size)
    with running(system) as server:
        out["fanout"] = fanout_sweeps(server, size)
    with running(system) as server:
        out["slow"] = slow(server, size)
    return out


def durable(server: Server, size: dict[str, Any]) -> dict[str, Any]:
    rooms = [convene_room(server, f"Durable {n}") for n in range(size["durable_rooms"])]
    return loadgen(
        server,
        "durable",
        rooms=rooms,
        per_room=size["durable_per_room"],
        rates=size["durable_rates"],
        step_seconds=size["durable_step_s"],
        drain_ms=size["durable_drain_ms"],
        concurrency=size["concurrency"],
    )


def storm(server: Server, size: dict[str, Any]) -> dict[str, Any]:
    """Restart Convene under connected clients; the load generator reports who came back."""
    rooms = [convene_room(server, f"Storm {n}") for n in range(size["storm_rooms"])]
    spec = {
        "system": server.system,
        "workload": "storm",
        "kind": server.kind,
        "ws_url": f"ws://127.0.0.1:{server.port}",
        "cookie": server.cookie,
        "server_pid": server.process.pid,
        "rooms": rooms,
        "per_room": size["storm_per_room"],
        "before": size["storm_before"],
        "after": size["storm_after"],
        "time_limit_s": size["storm_limit_s"],
        "concurrency": size["concurrency"],
    }
    generator = subprocess.Popen(
        pinned(GENERATOR_CORE, ["node", str(BENCH / "loadgen.cjs"), json.dumps(spec)]),
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert generator.stdout is not None and generator.stdin is not None
    restarted = server
    restart: dict[str, Any] = {}
    for line in generator.stdout:
        if line.strip() == "READY":
            log("convene: restarting under the storm's clients")
            began = time.monotonic()
            restart["killed_after_15_s"] = server.stop()
            restart["shutdown_s"] = round(time.monotonic() - began, 3)
            began = time.monotonic()
            restarted = start_convene(server.extra["data_dir"], server.extra["database_url"], port=server.port)
            restart["startup_s"] = round(time.monotonic() - began, 3)
            restarted.cookie = server.cookie
            generator.stdin.write("UP\n")
            generator.stdin.flush()
        elif line.startswith("RESULT "):
            result = parse_result(line)
            break
    else:
        result = {"error": "the load generator stopped before a result"}
    generator.wait(timeout=60)
    restarted.stop()
    return result | restart


# ---------------------------------------------------------------- PostgreSQL


@contextlib.contextmanager
def postgres_database() -> Iterator[str | None]:
    """A database created for this run and dropped after it (None when PostgreSQL is absent)."""
    name = f"convene_bench_{os.getpid()}"
    admin = ["psql", f"{POSTGRES_ADMIN}/postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c"]
    try:
        subprocess.run([*admin, f"CREATE DATABASE {name}"], check=True, capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as error:
        log(f"PostgreSQL not available, skipping its durable workload: {error}")
        yield None
        return
    try:
        yield f"postgresql+asyncpg://{POSTGRES_ADMIN.split('://', 1)[1]}/{name}"
    finally:
        subprocess.run([*admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], capture_output=True, timeout=60)


# ---------------------------------------------------------------- the machine


def machine() -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "")

    def version(package: str) -> str | None:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            return importlib.metadata.version(package)
        return None

    def npm_version(package: str) -> str | None:
        with contextlib.suppress(OSError, ValueError):
            return str(json.loads((BENCH / "node_modules" / package / "package.json").read_text())["version"])
        return None

    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "node": node,
        "packages": {
            "aiohttp": version("aiohttp"),
            "python-socketio": version("python-socketio"),
            "python-engineio": version("python-engineio"),
            "sqlalchemy": version("sqlalchemy"),
            "uvloop": version("uvloop"),
            "socket.io (npm)": npm_version("socket.io"),
            "ws (npm)": npm_version("ws"),
        },
        "convene_commit": commit,
        "server_core": SERVER_CORE,
        "generator_core": GENERATOR_CORE,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--quick", action="store_const", const="quick", dest="size", help="same as --size quick")
    parser.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated subset of " + ", ".join(SYSTEMS))
    parser.add_argument("--out", type=Path, default=BENCH / "results.json")
    parser.add_argument("--plot", type=Path, default=ROOT / "docs" / "bench.png")
    parser.add_argument("--no-postgres", action="store_true", help="skip the durable workload on PostgreSQL")
    parser.add_argument("--no-storm", action="store_true", help="skip the reconnect storm")
    args = parser.parse_args(argv)
    size = SIZES[args.size]
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = set(systems) - set(SYSTEMS)
    if unknown:
        parser.error(f"unknown systems: {', '.join(sorted(unknown))}")

    started = time.time()
    results: dict[str, Any] = {
        "size": args.size,
        "settings": size,
        "machine": machine(),
        "load_average_before": os.getloadavg(),
        "systems": {s: SYSTEMS[s] for s in systems},
        "results": {},
        "convene": {},
    }
    for system in systems:
        log(f"starting {SYSTEMS[system]}")
        results["results"][system] = run_peer_workloads(system, size)

    if "convene" in systems:
        with tempfile.TemporaryDirectory(prefix="convene-bench-") as tmp:
            log("convene: durable sends on SQLite (synchronous=FULL)")
            server = start_convene(Path(tmp))
            try:
                convene_account(server)
                results["convene"]["durable_sqlite"] = durable(server, size)
            finally:
                server.stop()
        if not args.no_postgres:
            with postgres_database() as database_url, tempfile.TemporaryDirectory(prefix="convene-bench-") as tmp:
                if database_url:
                    log("convene: durable sends on PostgreSQL")
                    server = start_convene(Path(tmp), database_url)
                    try:
                        convene_account(server)
                        results["convene"]["durable_postgres"] = durable(server, size)
                    finally:
                        server.stop()
        if not args.no_storm:
            with tempfile.TemporaryDirectory(prefix="convene-bench-") as tmp:
                log("convene: reconnect storm")
                server = start_convene(Path(tmp))
                try:
                    convene_account(server)
                    results["convene"]["storm"] = storm(server, size)
                finally:
                    server.stop()

    results["load_average_after"] = os.getloadavg()
    results["seconds"] = round(time.time() - started, 1)
    results["table"] = table(results)
    results["targets"] = targets(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    if args.plot:
        plot(results, args.plot)
    print(results["table"])
    print("\nThe fast-path issue's targets, judged on this run:\n")
    print(results["targets"])
    print(f"\nwritten: {args.out}" + (f", {args.plot}" if args.plot else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
