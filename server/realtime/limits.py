"""Limits on what one client may ask of the real-time door, so that one flooding client
cannot slow everyone else: live connections per client address, events per connection
per second, typing notices and presence changes (subscribe, unsubscribe) per
connection per minute. Each is a setting (``server.config``; 0 turns it off).

Decisions:

* Checked before anything else is done for the event or connection (no database, no
  session read, no await): refusing is cheaper than serving, so a flood costs the
  server little more than reading its packets.
* Token buckets: a connection may burst up to the limit's allowance (two seconds' worth
  of events, a minute's worth of typing or presence changes), then at the steady rate.
* An event over a limit is answered (its acknowledgement) with the error code
  ``rate_limited`` and a message naming the setting and its value; the connection stays
  open (a client that slows down carries on). A connection over the per-address limit
  is refused at connect with the code ``too_many_connections``.
* Logged once: the first refusal of each limit for a connection (or, for connections
  per address, the first refusal since that address was last under its limit) is one
  WARNING line; the rest are counted silently, so a flood does not flood the log too.
* Per process: with several processes each counts its own connections, as presence is
  counted (README). Behind a reverse proxy every client has the proxy's address:
  raise or turn off ``SOCKET_CONNECTIONS_PER_ADDRESS`` there and limit at the proxy.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable

from server.config import Settings

log = logging.getLogger(__name__)

BURST_SECONDS = 2.0  # a connection may send two seconds' worth of events at once
TYPING_EVENTS = frozenset({"typing"})
PRESENCE_EVENTS = frozenset({"subscribe", "unsubscribe"})


@dataclass
class Bucket:
    """``capacity`` tokens, refilled at ``rate`` a second; an event takes one."""

    rate: float
    capacity: float
    tokens: float
    stamp: float

    def take(self, now: float) -> bool:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


WHAT = {"SOCKET_TYPING_PER_MINUTE": "typing notices", "SOCKET_PRESENCE_CHANGES_PER_MINUTE": "subscribes and unsubscribes"}


@dataclass(frozen=True)
class Limit:
    setting: str  # the environment variable, named in the refusal
    per: str  # "second" or "minute"
    value: int

    def bucket(self, now: float) -> Bucket:
        if self.per == "second":
            return Bucket(self.value, self.value * BURST_SECONDS, self.value * BURST_SECONDS, now)
        return Bucket(self.value / 60.0, self.value, self.value, now)

    def refusal(self) -> dict[str, Any]:
        what = WHAT.get(self.setting, "events")
        message = f"rate limited: more than {self.value} {what} a {self.per} on this connection ({self.setting}); slow down and retry"
        return {"code": "rate_limited", "message": message, "field": None}


@dataclass
class Connection:
    address: str
    buckets: dict[str, Bucket] = field(default_factory=dict)
    logged: set[str] = field(default_factory=set)


class TooManyConnections(Exception):
    """The client's address already holds as many live connections as it may."""

    def __init__(self, address: str, limit: int) -> None:
        super().__init__(
            f"too many live connections from your address (at most {limit}, SOCKET_CONNECTIONS_PER_ADDRESS); close some and try again"
        )
        self.address = address
        self.limit = limit


class Limits:
    """This process's counts. ``clock`` is injectable only so the steady state needs no sleeping."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_address = settings.socket_connections_per_address
        self.clock = clock
        self.event_limits: list[tuple[frozenset[str] | None, Limit]] = []
        if settings.socket_events_per_second:
            self.event_limits.append((None, Limit("SOCKET_EVENTS_PER_SECOND", "second", settings.socket_events_per_second)))
        if settings.socket_typing_per_minute:
            self.event_limits.append((TYPING_EVENTS, Limit("SOCKET_TYPING_PER_MINUTE", "minute", settings.socket_typing_per_minute)))
        if settings.socket_presence_changes_per_minute:
            limit = Limit("SOCKET_PRESENCE_CHANGES_PER_MINUTE", "minute", settings.socket_presence_changes_per_minute)
            self.event_limits.append((PRESENCE_EVENTS, limit))
        self.connections: dict[str, Connection] = {}
        self.addresses: dict[str, int] = defaultdict(int)
        self.refused_addresses: set[str] = set()  # logged since they were last under the limit

    # ---- connections --------------------------------------------------------------------

    def connecting(self, sid: str, address: str | None) -> None:
        """Count a new connection from ``address``, or raise ``TooManyConnections``."""
        address = address or "unknown"
        if self.per_address and self.addresses[address] >= self.per_address:
            if address not in self.refused_addresses:
                self.refused_addresses.add(address)
                log.warning("refused connections from %s: more than %d live (SOCKET_CONNECTIONS_PER_ADDRESS)", address, self.per_address)
            raise TooManyConnections(address, self.per_address)
        self.addresses[address] += 1
        self.connections[sid] = Connection(address)

    def gone(self, sid: str) -> None:
        """The connection closed (or was refused after it was counted)."""
        connection = self.connections.pop(sid, None)
        if connection is None:
            return
        left = self.addresses[connection.address] - 1
        if left > 0:
            self.addresses[connection.address] = left
        else:
            del self.addresses[connection.address]
        if left < self.per_address:
            self.refused_addresses.discard(connection.address)

    # ---- events -------------------------------------------------------------------------

    def admit(self, sid: str, event: str) -> dict[str, Any] | None:
        """None when the connection may have this event handled; otherwise the error to
        acknowledge it with (the first of each limit per connection is logged)."""
        connection = self.connections.get(sid)
        if connection is None:  # not counted (limits off at connect, or already gone)
            return None
        now = self.clock()
        for events, limit in self.event_limits:
            if events is not None and event not in events:
                continue
            bucket = connection.buckets.get(limit.setting)
            if bucket is None:
                bucket = connection.buckets[limit.setting] = limit.bucket(now)
            if not bucket.take(now):
                if limit.setting not in connection.logged:
                    connection.logged.add(limit.setting)
                    text = "rate limited a connection from %s: more than %d a %s (%s)"
                    log.warning(text, connection.address, limit.value, limit.per, limit.setting)
                return limit.refusal()
        return None
