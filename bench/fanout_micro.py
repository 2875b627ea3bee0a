"""A micro-figure for the fan-out path: frames per second of server CPU to N websockets.

    python -m bench.fanout_micro [--sockets 500] [--events 200]

One Convene Socket.IO server (no database: the transport, the queue and the fan-out),
N raw websocket clients in a child process, all in one room; the server emits
``--events`` events to the room and the figure is recipients x events divided by the
server process's CPU time spent emitting (CPU time, so other load on the machine
matters less than wall time would). The clients count what they receive, so the run
also checks nothing was lost. Used to compare the transport before and after a change
on the same machine in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time

from aiohttp import web

from server.realtime import transport
from server.realtime.managers import LocalManager

CLIENT = r"""
import asyncio, sys, aiohttp
async def one(http, url, expected, counts, i, ready):
    ws = await http.ws_connect(url)
    await ws.receive_str()
    await ws.send_str("40")
    await ws.receive_str()
    ready.append(i)
    while counts[i] < expected:
        msg = await ws.receive()
        if msg.type != aiohttp.WSMsgType.TEXT:
            break
        if msg.data == "2":
            await ws.send_str("3")
        elif msg.data.startswith("42"):
            counts[i] += 1
    await ws.close()
async def main():
    url, n, expected = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    counts, ready = [0] * n, []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        tasks = [asyncio.ensure_future(one(http, url, expected, counts, i, ready)) for i in range(n)]
        while len(ready) < n:
            await asyncio.sleep(0.05)
        print("ready", flush=True)
        await asyncio.gather(*tasks)
    print(sum(counts), flush=True)
asyncio.run(main())
"""


async def run(sockets: int, events: int) -> dict[str, float]:
    sio = transport.ConveneServer(async_mode="aiohttp", client_manager=LocalManager(), ping_interval=20, ping_timeout=20)
    transport.install(sio)

    async def connect(sid: str, environ: dict[str, object]) -> None:
        await sio.enter_room(sid, "room")

    sio.on("connect", connect)
    app = web.Application()
    sio.attach(app)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    url = f"http://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket"
    child = await asyncio.create_subprocess_exec(sys.executable, "-c", CLIENT, url, str(sockets), str(events), stdout=subprocess.PIPE)
    assert child.stdout is not None
    assert (await child.stdout.readline()).strip() == b"ready"
    payload = {"type": "message.created", "seq": 0, "message": {"body": "x" * 300}}
    cpu, wall = time.process_time(), time.perf_counter()
    for seq in range(events):
        payload["seq"] = seq
        await sio.emit("event", payload, room="room")
        await asyncio.sleep(0)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    received = int((await child.stdout.readline()).strip())
    await child.wait()
    await runner.cleanup()
    return {"sockets": sockets, "events": events, "received": received, "frames_per_cpu_s": sockets * events / cpu, "wall_s": wall}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sockets", type=int, default=500)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    best: dict[str, float] = {}
    for _ in range(args.repeat):
        result = asyncio.run(run(args.sockets, args.events))
        if not best or result["frames_per_cpu_s"] > best["frames_per_cpu_s"]:
            best = result
    print(json.dumps(best))


if __name__ == "__main__":
    main()
