"""Signed inbound mail over HTTP: the webhook's signature, and the hand-off from the
``mail-listen`` and ``mail-in`` processes to the running web server.

A request carries ``X-Convene-Timestamp`` (unix seconds) and ``X-Convene-Signature:
sha256=<hex>``, the HMAC-SHA256 of ``"{timestamp}.{body}"``. Mail services sign with
``INBOUND_WEBHOOK_SECRET``. Convene's own mail processes sign with a key derived from
``SECRET_KEY`` (which every process of one deployment shares), so the hand-off works
without a webhook secret and outsiders cannot use it; only a hand-off may name the door
the mail really came through (``X-Convene-Door``).

Why hand off at all: a post must reach connected browsers within a second whichever door
it came through. With ``REDIS_URL`` the doors publish through Redis themselves; without
it (SQLite, one web process) only the web process can tell its Socket.IO clients, so the
doors give it the raw message and it runs the pipeline. When the web server does not
answer, the door runs the pipeline itself: the post is stored, and as no browser can be
connected to a server that is down, nobody misses a live event (they catch up on connect).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from dataclasses import dataclass
from typing import Any

import aiohttp

from server.domain.inbound_record import Handled
from server.vocabulary import INBOUND_OUTCOMES, MailDoor

log = logging.getLogger(__name__)
PATH = "/api/v1/inbound-mail"
MAX_SKEW_SECONDS = 300


def handoff_key(secret_key: str) -> str:
    return hmac.new(secret_key.encode(), b"convene inbound mail hand-off", hashlib.sha256).hexdigest()


def signature(key: str, timestamp: int | str, body: bytes) -> str:
    mac = hmac.new(key.encode(), f"{timestamp}.".encode(), hashlib.sha256)
    mac.update(body)
    return "sha256=" + mac.hexdigest()


class Verifier:
    """Computes the candidate signatures while a body streams in (nothing kept but the MACs)."""

    def __init__(self, keys: dict[str, str], timestamp: str) -> None:
        self._macs = {name: hmac.new(key.encode(), f"{timestamp}.".encode(), hashlib.sha256) for name, key in keys.items()}

    def update(self, chunk: bytes) -> None:
        for mac in self._macs.values():
            mac.update(chunk)

    def matching(self, given: str) -> str | None:
        """The name of the key that made ``given``, compared in constant time; None when none did."""
        found = None
        for name, mac in self._macs.items():
            if hmac.compare_digest(("sha256=" + mac.hexdigest()).encode(), given.strip().encode()):
                found = name
        return found


def fresh(timestamp: str, now: float | None = None) -> bool:
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    return abs((time.time() if now is None else now) - sent) <= MAX_SKEW_SECONDS


class HandOffFailed(Exception):
    """The web server did not take the message (unreachable, or not a Convene that knows the hand-off)."""


class WebAsksRetry(Exception):
    """The web server took the message but could not handle it now (503: its database did not answer)."""


@dataclass
class HandOff:
    """POSTs a raw message to the web server's webhook, signed with the hand-off key."""

    base_url: str
    key: str
    timeout: float = 30.0

    async def deliver(self, raw: bytes, *, envelope_from: str | None, envelope_to: list[str], door: MailDoor) -> Handled:
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": "message/rfc822",
            "X-Convene-Timestamp": stamp,
            "X-Convene-Signature": signature(self.key, stamp, raw),
            "X-Convene-Door": door,
            "X-Convene-Envelope-To": ",".join(envelope_to),
        }
        if envelope_from is not None:
            headers["X-Convene-Envelope-From"] = envelope_from or "<>"
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout)) as session:
                async with session.post(self.base_url + PATH, data=raw, headers=headers) as response:
                    if response.status == 503:
                        raise WebAsksRetry(await response.text())
                    if response.status != 200:
                        raise HandOffFailed(f"the web server answered {response.status}")
                    answer: dict[str, Any] = await response.json()
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            raise HandOffFailed(f"the web server at {self.base_url} did not answer: {error}") from error
        return _handled(answer)


def _handled(answer: dict[str, Any]) -> Handled:
    outcome = answer.get("outcome")
    if outcome not in INBOUND_OUTCOMES:
        raise HandOffFailed(f"unexpected answer {answer!r}")
    return Handled(
        outcome=outcome,
        reason=str(answer.get("reason", "")),
        detail=str(answer.get("detail", "")),
        record_id=int(answer.get("record_id", 0)),
        thread_id=answer.get("thread_id"),
        message_id=answer.get("message_id"),
    )
