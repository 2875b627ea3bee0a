"""The floor for `make bench`: a bare aiohttp websocket broadcast server.

No Socket.IO, no persistence, no access checks: "J<room>" joins a room (answered "J"),
"B<room>|<payload>" sends the payload to every other member. What any server built on
aiohttp's websockets pays at least to fan a frame out.

    python bench/peers/raw_ws.py PORT
"""

from __future__ import annotations

import sys
from collections import defaultdict

from aiohttp import WSMsgType, web

rooms: defaultdict[str, set[web.WebSocketResponse]] = defaultdict(set)


async def socket(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(compress=False)
    await ws.prepare(request)
    joined: list[str] = []
    try:
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            text = msg.data
            if text[0] == "B":
                room, _, payload = text[1:].partition("|")
                for peer in list(rooms[room]):
                    if peer is not ws and not peer.closed:
                        await peer.send_str(payload)
            elif text[0] == "J":
                rooms[text[1:]].add(ws)
                joined.append(text[1:])
                await ws.send_str("J")
    finally:
        for room in joined:
            rooms[room].discard(ws)
    return ws


def main() -> None:
    app = web.Application()
    app.router.add_get("/ws", socket)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)


if __name__ == "__main__":
    main()
