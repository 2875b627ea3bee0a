"""Email notification settings, thread mutes and one-click unsubscribe: what the API
reads and answers."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta, Struct

from server.contract.requests import Request
from server.contract.responses import Answer
from server.vocabulary import NotifyMode

UnsubscribeToken = Annotated[str, Meta(max_length=200, description="the token from an unsubscribe link")]


class NotificationChoice(Request, kw_only=True):
    """How to hear about activity by email: ``each`` message at once, after a ``delay``
    (unless read in the browser meanwhile), a daily ``digest``, or ``never``."""

    mode: NotifyMode


class NotificationSettings(Answer):
    """Your email settings; ``delay_seconds`` is the server's NOTIFY_DELAY_SECONDS."""

    mode: NotifyMode
    delay_seconds: int


class ThreadMute(Answer):
    """Whether you muted a thread (no email about it, whatever your mode)."""

    thread_id: int
    muted: bool


class UnsubscribeQuery(Struct, kw_only=True):
    token: UnsubscribeToken


class Unsubscribed(Answer):
    """What the link turns off (GET) or turned off (POST): one thread, or all email."""

    scope: Literal["thread", "all"]
    done: bool
    thread_title: str | None
    room_title: str | None
