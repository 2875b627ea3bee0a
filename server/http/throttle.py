"""A small in-process limiter for the doors that guess passwords or send mail.

Sliding window per key (client address, or address plus email). In-process is
enough to blunt guessing from one box; with several processes each counts alone,
which still bounds an attacker to N times the limit.
"""

from __future__ import annotations

import time
from collections import deque

from aiohttp import web

from server.domain.errors import DomainError


class RateLimited(DomainError):
    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many attempts; try again in {retry_after} seconds")
        self.retry_after = retry_after


class Throttle:
    def __init__(self, limit: int, window_seconds: float) -> None:
        self.limit = limit
        self.window = window_seconds
        self._hits: dict[str, deque[float]] = {}

    def check(self, key: str) -> None:
        """Count an attempt for ``key``; raise RateLimited past the limit."""
        now = time.monotonic()
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            raise RateLimited(int(hits[0] + self.window - now) + 1)
        hits.append(now)
        if len(self._hits) > 100_000:  # forget idle keys rather than grow without bound
            self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > now - self.window}


def client_address(request: web.Request) -> str:
    return request.remote or "unknown"
