"""The event check used by every Socket.IO test client can fail: each catalogue
builder's output passes it, and events off their shape do not."""

from __future__ import annotations

from server.domain import events

from .event_check import event_problem

PERSON = {"id": 1, "display_name": "Ada", "organisation": {"name": "Camden", "verified": True}, "role": "member"}


def test_catalogue_events_pass_and_misshapen_ones_do_not() -> None:
    assert event_problem(events.presence(3, [1, 2])) is None
    assert event_problem(events.session_revoked("signed_out")) is None
    assert event_problem(events.member_left(3, PERSON)) is None
    assert event_problem(events.room_access_lost(3)) is None
    assert "presence" in (event_problem({"type": "presence", "room_id": 3, "online": "everyone"}) or "")
    assert "undeclared" in (event_problem({**events.room_access_lost(3), "secret": 1}) or "")
    assert event_problem({"type": "session.revoked", "reason": "bored"}) is not None
    assert event_problem({**events.member_left(3, PERSON), "user": {**PERSON, "email": "a@b.example"}}) is not None
    assert event_problem({"type": "no.such"}) is not None
