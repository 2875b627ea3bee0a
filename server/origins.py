"""Which browser origins may send state-changing requests and open Socket.IO
connections: the server's own (by the Host it was reached at, or PUBLIC_URL) and those
listed in ALLOWED_ORIGINS. Never a wildcard."""

from __future__ import annotations

from server.config import Settings


def origin_allowed(settings: Settings, origin: str | None, scheme: str, host: str | None) -> bool:
    """``origin`` is the request's Origin header; a request without one comes from a
    non-browser client, which cannot carry a victim's cookie, so it is allowed."""
    if origin is None:
        return True
    origin = origin.rstrip("/")
    if host and origin == f"{scheme}://{host}":
        return True
    return origin == settings.public_origin or origin in settings.allowed_origins
