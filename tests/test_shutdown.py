"""SIGTERM stops the server within 10 s whatever its clients did (platforms give 10 to
30 s before killing), without dropping acknowledged work (issue 6, item 11)."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import socketio

from .loopback import first_account, free_port, server_env, wait_healthy

ROOT = Path(__file__).resolve().parent.parent
GRACE = 10.0


async def _start(tmp_path: Path) -> tuple[subprocess.Popen[bytes], str, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = server_env(tmp_path, port)
    subprocess.run([sys.executable, "-m", "server", "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)
    with open(tmp_path / "server.log", "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "server", "serve"], cwd=ROOT, env=env, stdout=log, stderr=log)
    await wait_healthy(url)
    return process, url, await first_account(url)


async def _stop(process: subprocess.Popen[bytes]) -> float:
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.get_running_loop().run_in_executor(None, process.wait, 60)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    return time.monotonic() - started


@pytest.mark.timeout(120)
@pytest.mark.parametrize("transport", ["polling", "websocket"])
@pytest.mark.parametrize("client_left", [True, False], ids=["client-left", "client-connected"])
async def test_stops_promptly_whatever_its_clients_did(tmp_path: Path, transport: str, client_left: bool) -> None:
    process, url, token = await _start(tmp_path)
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(url, headers={"Cookie": f"convene_session={token}"}, transports=[transport])
    if client_left:
        await client.disconnect()
    try:
        took = await _stop(process)
    finally:
        if client.connected:
            await client.disconnect()
    assert process.returncode == 0, (tmp_path / "server.log").read_text()
    assert took < GRACE, f"SIGTERM took {took:.1f} s"
