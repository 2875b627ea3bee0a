"""The ``Origin`` of an HTTP request: what the audit log and the list of signed-in
sessions record about where a write came from."""

from __future__ import annotations

from aiohttp import web

from server.contract.origin import Origin
from server.http.throttle import client_address


def origin_of(request: web.Request) -> Origin:
    """The client's address (as the throttle sees it) and its User-Agent, cut short."""
    user_agent = request.headers.get("User-Agent")
    return Origin("http", client_address(request), user_agent[:300] if user_agent else None)
