"""A request aiohttp's parser refuses (a NUL byte in a header, an 8 KB request line) is
answered 400 and logged as one INFO line, never a traceback at ERROR; sent over a raw
socket, as no HTTP client library would write them."""

from __future__ import annotations

import asyncio
import logging

import pytest

BAD_REQUESTS = {
    "nul-in-header": b"GET /api/v1/rooms HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Note: a\x00b\r\n\r\n",
    "8kb-url": b"GET /api/v1/search?q=" + b"a" * 8200 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
}


@pytest.mark.parametrize("name", sorted(BAD_REQUESTS))
async def test_a_request_the_parser_refuses_is_one_info_line(server, caplog, name):
    caplog.set_level(logging.DEBUG)
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        writer.write(BAD_REQUESTS[name])
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), 10)
        await asyncio.wait_for(reader.read(), 10)  # the server closes the connection after a 400
    finally:
        writer.close()
    assert status_line.split(b" ")[1] == b"400", status_line
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert not loud, [(r.levelname, r.getMessage()[:200]) for r in loud]
    refused = [r for r in caplog.records if r.name == "aiohttp.server"]
    assert len(refused) == 1 and refused[0].levelno == logging.INFO and "not valid HTTP" in refused[0].getMessage()
    assert len(refused[0].getMessage()) < 400
