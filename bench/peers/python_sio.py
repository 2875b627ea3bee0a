"""Stock python-socketio on aiohttp for `make bench`, as a team would write it from the
documentation: an event to join a room (acknowledged) and one to broadcast to it.

    python bench/peers/python_sio.py PORT
"""

from __future__ import annotations

import sys
from typing import Any

import socketio
from aiohttp import web

sio = socketio.AsyncServer(async_mode="aiohttp")


@sio.event
async def join(sid: str, room: str) -> bool:
    await sio.enter_room(sid, room)
    return True


@sio.event
async def broadcast(sid: str, data: dict[str, Any]) -> None:
    await sio.emit("msg", data, room=data["room"], skip_sid=sid)


def main() -> None:
    app = web.Application()
    sio.attach(app)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)


if __name__ == "__main__":
    main()
