"""Normal use logs no ERROR (issue 17, item 14): connecting, disconnecting, the close
packet and a client's requests after it, on both transports. ERROR and tracebacks mean a
defect; a refused request is one line at INFO or WARNING."""

from __future__ import annotations

import logging

import aiohttp
import pytest

from .conftest import Target
from .wire import join, poll, polling_join, post

pytestmark = pytest.mark.asyncio(loop_scope="package")


async def test_normal_flows_log_no_error(target: Target, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    async with aiohttp.ClientSession() as http:
        wire, _ = await join(http, target)  # websocket: connect, an event, the namespace left, closed
        await wire.send('421["echo"]')
        assert (await wire.text()).startswith("431[")
        await wire.send("41")
        await wire.send("1")
        await wire.closed(timeout=3.0)
        sid = await polling_join(http, target)  # long-polling: the client closes, then polls and posts again
        assert (await post(http, target, sid, "41", "1"))[0] == 200
        status, _ = await post(http, target, sid, '42["echo"]')
        assert status == 400
        status, _ = await poll(http, target, sid)
        assert status == 400
        async with http.get(f"{target.polling_url}&sid=never-was") as answer:  # an unknown session
            assert answer.status == 400
    errors = [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []
