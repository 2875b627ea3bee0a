"""The Socket.IO side of the contract, without a server: ``parse`` for each event's
payload, and the JSON module that bounds depth and refuses lone surrogates."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from server.config import Settings
from server.contract.jsontext import SocketJson, depth_exceeds
from server.contract.socket_payloads import PAYLOADS, Delete, Edit, Read, Send, Subscribe, Typing, Unsubscribe, parse
from server.domain.errors import Invalid, NotFound

SETTINGS = Settings(
    database_url="sqlite+aiosqlite:///unused", secret_key="x" * 20, public_url="http://127.0.0.1:8080", data_dir=Path("unused")
)


def test_each_event_has_its_shape():
    assert set(PAYLOADS) == {"subscribe", "unsubscribe", "send", "edit", "delete", "typing", "read"}
    assert parse(Send, {"thread_id": 3, "client_id": "c-1", "body": "hi"}, SETTINGS) == Send(thread_id=3, client_id="c-1", body="hi")
    assert parse(Edit, {"message_id": 4, "body": "x"}, SETTINGS).message_id == 4
    assert parse(Delete, {"message_id": 4}, SETTINGS).message_id == 4
    assert parse(Typing, {"thread_id": 5}, SETTINGS).thread_id == 5
    assert parse(Read, {"thread_id": 5, "seq": 0}, SETTINGS).seq == 0
    assert parse(Unsubscribe, {"room_id": 6}, SETTINGS).room_id == 6


@pytest.mark.parametrize(
    ("shape", "payload", "field"),
    [
        (Send, None, None),
        (Send, "text", None),
        (Send, [1, 2], None),
        (Send, {"client_id": "x", "body": "hi"}, "thread_id"),
        (Send, {"thread_id": "1", "client_id": "x", "body": "hi"}, "thread_id"),
        (Send, {"thread_id": 1.0, "client_id": "x", "body": "hi"}, "thread_id"),
        (Send, {"thread_id": 2**31, "client_id": "x", "body": "hi"}, "thread_id"),
        (Send, {"thread_id": 10**30, "client_id": "x", "body": "hi"}, "thread_id"),
        (Send, {"thread_id": 1, "body": "hi"}, "client_id"),
        (Send, {"thread_id": 1, "client_id": "x" * 65, "body": "hi"}, "client_id"),
        (Send, {"thread_id": 1, "client_id": "bad id!", "body": "hi"}, "client_id"),
        (Send, {"thread_id": 1, "client_id": "x", "body": 5}, "body"),
        (Send, {"thread_id": 1, "client_id": "x", "body": "a" * 10_001}, "body"),
        (Send, {"thread_id": 1, "client_id": "x", "body": "x\ud800y"}, "body"),
        (Send, {"thread_id": 1, "client_id": "x", "body": "x\x00y"}, "body"),
        (Edit, {"message_id": True, "body": "x"}, "message_id"),
        (Delete, {}, "message_id"),
        (Subscribe, {"rooms": []}, "rooms"),
        (Subscribe, {"rooms": {}}, "rooms"),
        (Subscribe, {}, "rooms"),
        (Subscribe, {"rooms": {str(i): 0 for i in range(1, 202)}}, "rooms"),
        (Typing, {"thread_id": -1}, "thread_id"),
        (Read, {"thread_id": 1, "seq": "5"}, "seq"),
        (Read, {"thread_id": 1, "seq": -1}, "seq"),
    ],
)
def test_bad_payloads_name_the_field(shape, payload, field):
    with pytest.raises(Invalid) as caught:
        parse(shape, payload, SETTINGS)
    assert caught.value.field == field
    assert caught.value.message


def test_the_message_limit_comes_from_settings():
    short = replace(SETTINGS, max_message_chars=10)
    with pytest.raises(Invalid, match="at most 10 characters"):
        parse(Send, {"thread_id": 1, "client_id": "x", "body": "a" * 11}, short)
    assert parse(Send, {"thread_id": 1, "client_id": "x", "body": "a" * 10}, short).body == "a" * 10


def test_subscribe_sorts_entries_into_wanted_and_refused():
    rooms = {"3": 17, "04": 0, "abc": 0, "5": -1, "6": True, "99999999999999999999": 0, "\u0663": 0}
    wanted = parse(Subscribe, {"rooms": rooms}, SETTINGS).split()
    assert wanted.last_seen == {3: 17, 4: 0}
    assert set(wanted.refused) == {"abc", "5", "6", "99999999999999999999", "\u0663"}
    assert isinstance(wanted.refused["99999999999999999999"], NotFound)
    assert all(e.field in ("rooms", "room") for e in wanted.refused.values())


def test_socket_json_refuses_deep_nesting_and_lone_surrogates():
    for deep in ("[" * 50_000 + "]" * 50_000, '["send", {"body": ' + "[" * 50_000 + "]" * 50_000 + "}]"):
        with pytest.raises(ValueError, match="deeper"):
            SocketJson.loads(deep)
    with pytest.raises(ValueError, match="surrogate"):
        SocketJson.loads('["send", {"thread_id": 1, "body": "x\\ud800y"}]')
    with pytest.raises(ValueError, match="surrogate"):
        SocketJson.loads('["send", {"x\\udc00": 1}]')
    # Paired surrogates (an emoji from an ensure_ascii encoder) and brackets in text are fine.
    assert SocketJson.loads('["send", {"body": "\\ud83d\\ude00 [[[[" }]')[1]["body"] == "\U0001f600 [[[["
    text = json.dumps(["send", {"body": "[" * 1000 + "{" * 1000}])
    assert SocketJson.loads(text) == json.loads(text)
    assert SocketJson.dumps({"a": [1]}, separators=(",", ":")) == '{"a":[1]}'


def test_depth_is_measured_outside_strings():
    assert not depth_exceeds(b'{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\"[[[[[[[["}')
    assert depth_exceeds(b"[" * 33 + b"]" * 33)
    assert not depth_exceeds(b"[" * 32 + b"]" * 32)
    assert not depth_exceeds("[" * 20 + "]" * 20 + "[" * 20 + "]" * 20)
