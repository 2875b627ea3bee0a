"""Every event a test's Socket.IO client receives is checked against its one declared
shape (``server.contract.events``) and its nested objects against the response
structures the OpenAPI document is generated from (as Zulip's ``test_events.py``
checks each event against ``event_types.py``). A builder that adds, drops or retypes
a field fails the test that received the event."""

from __future__ import annotations

from typing import Any

import msgspec

from server.contract import matchmaking, pipeline, responses
from server.contract.events import EVENT_SHAPES

# Objects nested in events, by field name: the same shapes as over REST.
NESTED: dict[str, type] = {"message": responses.Message, "thread": responses.Thread, "room": responses.Room, "user": responses.Person}
NESTED["join_request"] = matchmaking.JoinRequest
NESTED["move"] = pipeline.StageMove


def event_problem(payload: Any) -> str | None:
    """None if ``payload`` is a well-formed event, else what is wrong with it."""
    if not isinstance(payload, dict) or payload.get("type") not in EVENT_SHAPES:
        return f"not an event of a declared type: {payload!r:.200}"
    try:
        msgspec.convert(payload, EVENT_SHAPES[payload["type"]], strict=True)
        for name, shape in NESTED.items():
            if name in payload:
                msgspec.convert(payload[name], shape, strict=True)
    except msgspec.ValidationError as error:
        return f"{payload['type']} off its declared shape: {error}"
    extra = set(payload) - set(EVENT_SHAPES[payload["type"]].__annotations__)
    if extra:
        return f"{payload['type']} carries undeclared fields {sorted(extra)}"
    return None
