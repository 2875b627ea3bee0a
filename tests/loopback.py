"""Helpers for tests and benchmarks that run the real server as its own process on
loopback: a free port, and waiting until /healthz answers."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from pathlib import Path

import aiohttp


def free_port() -> int:
    """A port nothing listens on right now (for servers that cannot bind port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def wait_healthy(url: str, timeout: float = 30) -> None:
    """Return once GET {url}/healthz answers 200; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(f"{url}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError(f"the server at {url} did not become healthy within {timeout} s")


def server_env(data_dir: Path, port: int, **extra: str) -> dict[str, str]:
    """The environment for ``python -m server`` as its own process on loopback: its own
    data folder and port, a fixed secret and cheap password hashing."""
    return {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "PORT": str(port),
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "SECRET_KEY": "loopback-secret-key-0123",
        "ARGON2_MEMORY_KIB": "1024",
        "ARGON2_TIME_COST": "1",
        "AUTH_ATTEMPTS_PER_10MIN": "1000",
        # Streams of sends from one connection, far beyond a person's pace (see conftest.py).
        "SOCKET_EVENTS_PER_SECOND": "0",
        "SOCKET_TYPING_PER_MINUTE": "0",
        "SOCKET_PRESENCE_CHANGES_PER_MINUTE": "0",
        **extra,
    }


async def first_account(url: str) -> str:
    """Sign up the first account (the administrator) on a fresh server; returns its
    session token."""
    async with aiohttp.ClientSession(base_url=url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        body = {"email": "a@example.org", "display_name": "A", "organisation": "O", "password": "long enough password"}
        async with http.post("/api/v1/auth/signup", json=body) as r:
            assert r.status == 201, await r.text()
        return next(c.value for c in http.cookie_jar if c.key == "convene_session")
