"""Helpers for tests and benchmarks that run the real server as its own process on
loopback: a free port, and waiting until /healthz answers."""

from __future__ import annotations

import asyncio
import socket
import time

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
