"""Inbound mail, the pure part: one raw RFC 5322 message in, one typed decision out.

``read_inbound`` parses, screens, routes, limits and trims a message without touching the
database or the network; the doors (SMTP listener, webhook, pipe) call it and hand its
answer to the domain, which checks the reply token and the sender's membership, posts
exactly once, records the outcome, and answers the sender when ``may_tell_sender``.
"""

from .limits import InboundLimits
from .reading import read_inbound
from .result import Accepted, Destination, Inbound, MailFacts, Reason, Refused, ReplyAddress, RoomAddress

__all__ = [
    "Accepted",
    "Destination",
    "Inbound",
    "InboundLimits",
    "MailFacts",
    "Reason",
    "Refused",
    "ReplyAddress",
    "RoomAddress",
    "read_inbound",
]
