"""``Thread-Index``: how Outlook desktop knows that mails belong to one conversation.

Outlook groups a conversation by the GUID inside ``Thread-Index`` (the MAPI property
PidTagConversationIndex, [MS-OXOMSG] 2.2.1.3) as well as by ``References``. The value is
base64 of

* a 22-byte header block: one reserved byte ``0x01``; five bytes of a FILETIME (100 ns
  ticks since 1601), its 40 most significant bits, big-endian; a 16-byte GUID that names
  the conversation (Data1, Data2 and Data3 big-endian, which is ``uuid.UUID.bytes``);
* then one 5-byte response level per reply: one bit DC, 31 bits of the time since the
  header's time (bits 18-48 of the difference when DC is 0, that is under about 1.78
  years; bits 23-53 when it is 1), and 8 bits that make two replies at the same moment
  differ.

Decision: every value is derived from the thread, never drawn at random, so each
notification of one thread, to anyone and from any process, shares the same header
block: the thread's creation time and a GUID made (UUID version 5) from the thread's own
Message-ID. The mail that carries a thread's first message is the conversation's root
(the header block alone); every later one is a reply to it (one response level, timed
at its newest message, its low byte from that message's number).
"""

from __future__ import annotations

import base64
import uuid
from datetime import datetime, timezone

FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=timezone.utc)
# The namespace of conversation GUIDs (a fixed, arbitrary UUID: changing it would split
# every conversation already in people's mailboxes).
NAMESPACE = uuid.UUID("3f0c8e52-6a51-4f4e-9d2b-8f1a2c7e5b10")
SHORT_DELTA = 1 << 49  # under this many ticks DC is 0 (about 1.78 years)


def filetime(moment: datetime) -> int:
    """100-nanosecond ticks since 1601-01-01 UTC (a naive datetime is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    delta = moment - FILETIME_EPOCH
    return (delta.days * 86_400 + delta.seconds) * 10_000_000 + delta.microseconds * 10


def header_block(started: datetime, conversation: uuid.UUID) -> bytes:
    return b"\x01" + (filetime(started) >> 24).to_bytes(5, "big") + conversation.bytes


def response_level(started: datetime, replied: datetime, low_byte: int) -> bytes:
    """One 5-byte child block for a reply at ``replied`` to a conversation ``started``
    then (a reply dated before the start counts as at the start)."""
    base = (filetime(started) >> 24) << 24  # the time the header block actually holds
    delta = max(0, filetime(replied) - base)
    if delta < SHORT_DELTA:
        word = (delta >> 18) & 0x7FFFFFFF
    else:
        word = (1 << 31) | ((delta >> 23) & 0x7FFFFFFF)
    return word.to_bytes(4, "big") + bytes([low_byte & 0xFF])


def conversation_guid(thread_message_id: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, thread_message_id)


def thread_index(thread_message_id: str, started: datetime, replied: datetime | None = None, low_byte: int = 0) -> str:
    """The ``Thread-Index`` value: the root's when ``replied`` is None, else a reply's."""
    block = header_block(started, conversation_guid(thread_message_id))
    if replied is not None:
        block += response_level(started, replied, low_byte)
    return base64.b64encode(block).decode("ascii")
