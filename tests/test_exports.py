"""Exports of a room or thread (issue 12): the JSON holds every message, edit, deletion
and system message; the Markdown reads as expected; only owners and administrators
export, and an invite-only room stays hidden from everyone who may not read it."""

from __future__ import annotations

import asyncio
import json
import re
import sys
from asyncio.subprocess import PIPE
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from server.config import Settings
from server.export_command import run_export
from server.http.keys import DATABASE
from server.store.models import Message

from .people import Person

pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
ROOT = Path(__file__).resolve().parent.parent


async def download(person: Person, path: str, expect: int = 200) -> tuple[str, Any]:
    async with person.http.get(path) as response:
        text = await response.text()
        assert response.status == expect, (response.status, text)
        return response.headers.get("Content-Disposition", ""), text


async def sample_room(alice: Person, bob: Person, admin: Person) -> tuple[dict[str, Any], dict[str, Any], dict[str, int]]:
    """A room with an edit, a deletion by the author, one by the owner and a stage change."""
    room = await alice.create_room("DVLA data API", summary="Keeper data for **parking**.", tags=["api"])
    await bob.post(f"/api/v1/rooms/{room['id']}/join", expect=200)
    thread = await alice.start_thread(room, "Which keeper fields?", "What does each council request?")
    answer = (await bob.send(thread["id"], "Name and VRM.", "b1"))[1]["message"]
    await bob.call("PATCH", f"/api/v1/messages/{answer['id']}", {"body": "Name, address and VRM."}, expect=200)
    mistake = (await bob.send(thread["id"], "Wrong thread, sorry", "b2"))[1]["message"]
    await bob.call("DELETE", f"/api/v1/messages/{mistake['id']}", expect=200)
    spam = (await bob.send(thread["id"], "Buy now", "b3"))[1]["message"]
    await alice.call("DELETE", f"/api/v1/messages/{spam['id']}", expect=200)
    other = await alice.start_thread(room, "Legal gateways", "Which apply to licensing?")
    await alice.call("PATCH", f"/api/v1/rooms/{room['id']}", {"stage": "co-design"}, expect=200)
    return room, other, {"answer": answer["id"], "mistake": mistake["id"], "spam": spam["id"]}


async def test_the_json_export_holds_every_message_edit_deletion_and_system_message(
    server: Any, admin: Person, alice: Person, bob: Person
) -> None:
    room, _, ids = await sample_room(alice, bob, admin)
    disposition, text = await download(alice, f"/api/v1/rooms/{room['slug']}/export?format=json")
    assert disposition == 'attachment; filename="dvla-data-api.json"'
    data = json.loads(text)
    assert data["format"] == "convene-room-export" and data["version"] == 1 and data["scope"] == "room"
    assert data["room"]["slug"] == "dvla-data-api" and data["room"]["tags"] == ["api"] and data["room"]["stage"] == "co-design"
    exported = {m["id"]: m for t in data["threads"] for m in t["messages"]}
    async with server.app[DATABASE].read() as session:
        stored = set(await session.scalars(select(Message.id).where(Message.room_id == room["id"])))
    assert set(exported) == stored and len(stored) == 5
    answer = exported[ids["answer"]]
    assert answer["body"] == "Name, address and VRM." and answer["edited_at"] is not None
    assert [r["body"] for r in answer["revisions"]] == ["Name and VRM."]
    for key, by in (("mistake", bob), ("spam", alice)):
        gone = exported[ids[key]]
        assert gone["deleted_at"] is not None and gone["deleted_by"]["id"] == by.id and gone["body"] == ""
    assert [(h["action"], h["detail"]) for h in data["history"]] == [
        ("message-deleted", f"message {ids['spam']}"),
        ("room-stage-changed", "stage: discovery -> co-design"),
    ]
    assert {m["user"]["id"]: m["role"] for m in data["members"]} == {alice.id: "owner", bob.id: "member"}
    assert [t["title"] for t in data["threads"]] == ["Which keeper fields?", "Legal gateways"]
    assert "address" not in json.dumps(data["history"])  # no addresses in a room's record


EXPECTED_MARKDOWN = """# DVLA data API

- Room: dvla-data-api (open, stage co-design)
- Tags: api
- Created: TIME
- Exported: TIME by Alice Officer (Camden Council, self-declared)

Keeper data for **parking**.

## Members

- Alice Officer (Camden Council, self-declared), owner, joined TIME
- Bob Supplier (Bristol City Council, self-declared), member, joined TIME

## Room history

- TIME: Alice Officer (Camden Council, self-declared) deleted a message by Bob Supplier (Bristol City Council, self-declared) (message SPAM)
- TIME: Alice Officer (Camden Council, self-declared) changed the stage: discovery -> co-design

## Which keeper fields?

Started by Alice Officer (Camden Council, self-declared) on TIME

**Alice Officer (Camden Council, self-declared)**, TIME (#N)

> What does each council request?

**Bob Supplier (Bristol City Council, self-declared)**, TIME (#N), edited TIME

> Name, address and VRM.

*Before TIME it read:*

> Name and VRM.

**Bob Supplier (Bristol City Council, self-declared)**, TIME (#N)

*Message deleted by Bob Supplier (Bristol City Council, self-declared) on TIME.*

**Bob Supplier (Bristol City Council, self-declared)**, TIME (#N)

*Message deleted by Alice Officer (Camden Council, self-declared) on TIME.*

## Legal gateways

Started by Alice Officer (Camden Council, self-declared) on TIME

**Alice Officer (Camden Council, self-declared)**, TIME (#N)

> Which apply to licensing?

"""


def _steady(markdown: str) -> str:
    """Times and sequence numbers replaced by placeholders: what a reader sees otherwise."""
    return re.sub(r"\(#\d+\)", "(#N)", re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", "TIME", markdown))


async def test_the_markdown_export_of_a_sample_room_reads_as_expected(admin: Person, alice: Person, bob: Person) -> None:
    room, _, ids = await sample_room(alice, bob, admin)
    disposition, text = await download(alice, f"/api/v1/rooms/{room['id']}/export")
    assert disposition == 'attachment; filename="dvla-data-api.md"'
    assert _steady(text) == EXPECTED_MARKDOWN.replace("SPAM", str(ids["spam"]))


async def test_a_thread_export_holds_only_that_thread_and_each_export_is_audited(admin: Person, alice: Person, bob: Person) -> None:
    room, other, _ = await sample_room(alice, bob, admin)
    _, text = await download(admin, f"/api/v1/rooms/{room['id']}/export?format=json&thread={other['id']}")
    data = json.loads(text)
    assert data["scope"] == "thread" and [t["title"] for t in data["threads"]] == ["Legal gateways"]
    await download(alice, f"/api/v1/rooms/{room['id']}/export?format=md")
    audit = (await admin.get("/api/v1/admin/audit?limit=200"))["entries"]
    exports = [(e["action"], e["actor"]["id"], e["detail"]) for e in audit if e["action"].endswith("-exported")]
    assert exports == [("room-exported", alice.id, "room as md"), ("thread-exported", admin.id, f"thread {other['id']} as json")]
    status, answer = await alice.call("GET", f"/api/v1/rooms/{room['id']}/export?format=pdf")
    assert status == 400 and answer["error"]["field"] == "format"
    status, answer = await alice.call("GET", f"/api/v1/rooms/{room['id']}/export?thread=999999")
    assert status == 404 and answer["error"]["field"] == "thread"


async def test_nothing_from_an_invite_only_room_is_exported_to_someone_who_may_not_read_it(
    people: Any, admin: Person, alice: Person, bob: Person, carol: Person
) -> None:
    room = await alice.create_room("Secret pilot", visibility="invite")
    await alice.start_thread(room, "Budget", "The figure is 42.")
    await alice.post(f"/api/v1/rooms/{room['id']}/members", {"user_id": carol.id}, expect=201)
    for fmt in ("md", "json"):
        status, answer = await bob.call("GET", f"/api/v1/rooms/{room['id']}/export?format={fmt}")
        assert status == 404 and "42" not in json.dumps(answer)  # an outsider: the room does not exist
        status, answer = await carol.call("GET", f"/api/v1/rooms/{room['id']}/export?format={fmt}")
        assert status == 403 and "42" not in json.dumps(answer)  # a member who is not an owner
    async with people.new_session().get(f"/api/v1/rooms/{room['id']}/export") as response:
        assert response.status == 401
    _, text = await download(admin, f"/api/v1/rooms/{room['id']}/export")
    assert "The figure is 42." in text
    audit = (await admin.get("/api/v1/admin/audit?action=room-exported"))["entries"]
    assert [e["actor"]["id"] for e in audit] == [admin.id]  # refused attempts recorded nothing


async def test_the_command_exports_a_room_to_a_file(settings: Settings, admin: Person, alice: Person, bob: Person, tmp_path: Path) -> None:
    room, _, _ = await sample_room(alice, bob, admin)
    out = tmp_path / "dvla.json"
    assert await run_export(settings, "dvla-data-api", "json", out) == 0
    data = json.loads(out.read_text())
    assert data["exported_by"] is None and sum(len(t["messages"]) for t in data["threads"]) == 5
    assert await run_export(settings, "no-such-room", "md", None) == 2
    entry = (await admin.get("/api/v1/admin/audit?action=room-exported"))["entries"][0]
    assert entry["door"] == "command" and entry["actor"] is None and entry["room"]["id"] == room["id"]


async def test_the_command_runs_as_a_process_and_writes_to_standard_output(
    settings: Settings, admin: Person, alice: Person, bob: Person
) -> None:
    await sample_room(alice, bob, admin)
    env = {"PATH": "/usr/bin:/bin", "DATA_DIR": str(settings.data_dir), "DATABASE_URL": settings.database_url}
    command = [sys.executable, "-m", "server", "export", "dvla-data-api", "--format", "md"]
    done = await asyncio.create_subprocess_exec(*command, cwd=ROOT, env=env, stdout=PIPE, stderr=PIPE)
    out, err = await done.communicate()
    assert done.returncode == 0, err.decode()
    assert out.decode().startswith("# DVLA data API\n") and "> Name, address and VRM." in out.decode()
