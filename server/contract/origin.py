"""Where a write came from: the door that carried it and the client's address.

The door makes one ``Origin`` per request and opens its transaction with it
(``Transactions.begin(origin)``); the domain reads it from ``tx.origin`` when it
records an audit entry. So the client's address reaches the domain as a typed value,
and the domain never sees an aiohttp request, a socket or an SMTP session.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.vocabulary import Door


@dataclass(frozen=True)
class Origin:
    door: Door
    address: str | None = None  # the client's IP address, when the door knows one
    user_agent: str | None = None


# Transactions opened without saying where they came from: background work (the send
# queue, notifications, the mail deliverer) and doors not yet passing their origin.
UNKNOWN_ORIGIN = Origin("internal")
