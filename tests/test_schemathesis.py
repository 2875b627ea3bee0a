"""The served OpenAPI document against the real server, checked by a schema fuzzer.

Schemathesis (pinned in the ``test`` extra) runs as its own process against the app
on a loopback port with a real SQLite file, once signed in as a member and once as the
administrator (it signs in again through /api/v1/auth/signin whenever a session ends,
as signing out is one of the operations it calls). Every check is on, in every phase:
examples, coverage, fuzzing and stateful sequences that follow the document's links.
The run must find nothing beyond the accepted deviations listed, each with its
reason, in ``tests/schemathesis-baseline.toml``; and the server must log nothing at
ERROR while it is fuzzed (a refused request is one line at INFO).

``SCHEMATHESIS_MAX_EXAMPLES`` (fuzzing cases per operation) and
``SCHEMATHESIS_STATEFUL_EXAMPLES`` (stateful scenarios) raise the figures for a longer
run by hand; the suite's run is sized to about a minute.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import shutil
import sys
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from server.config import Settings

from .conftest import base_settings
from .people import Person, PersonFactory

BASELINE = Path(__file__).with_name("schemathesis-baseline.toml")
PASSWORD = "correct horse battery"
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "3"))
STATEFUL_EXAMPLES = int(os.environ.get("SCHEMATHESIS_STATEFUL_EXAMPLES", "40"))
# Every check schemathesis has (``--checks all`` would override the baseline's switches).
CHECKS = (
    "not_a_server_error", "status_code_conformance", "content_type_conformance", "response_headers_conformance",
    "response_schema_conformance", "negative_data_rejection", "positive_data_acceptance", "missing_required_header",
    "unsupported_method", "allow_header_conformance", "use_after_free", "ensure_resource_availability", "ignored_auth",
    "object_level_authorization",
)  # fmt: skip
WORKSHOP = b"Concept,Stage,Facilitator,Participants,Opening questions\nSchema walks,Discovery,,walker@invited.example,Where next?\n"


def deviations() -> list[dict[str, str]]:
    """The accepted deviations: each names its operation (or operations) and check and
    says why; one entry per operation is returned."""
    entries: list[dict[str, Any]] = tomllib.loads(BASELINE.read_text(encoding="utf-8"))["deviation"]
    found = []
    for entry in entries:
        assert {"check", "reason"} <= entry.keys() and len(entry["reason"]) > 20, entry
        assert entry["check"] in CHECKS, entry
        for operation in entry.get("operations", [entry.get("operation")]):
            assert operation, entry
            found.append({"operation": operation, "check": entry["check"], "reason": entry["reason"]})
    return found


def config(email: str) -> str:
    """Schemathesis' configuration: sign in as ``email`` (again after any 401), every
    check, and each accepted deviation switched off for its operation only."""
    lines = [f"checks.{check}.enabled = true" for check in CHECKS]
    lines += [
        "",
        "[auth.dynamic.openapi.session]",
        'path = "/api/v1/auth/signin"',
        f"payload = {{ email = {json.dumps(email)}, password = {json.dumps(PASSWORD)} }}",
        'extract_from = "cookie"',
        'extract_selector = "convene_session"',
        "retry_on = [401]",
        "",
        "[phases.coverage]",
        'unexpected-methods = ["TRACE"]',  # one undeclared method a path proves 405 with Allow
        "",
        "[phases.fuzzing.generation]",
        f"max-examples = {MAX_EXAMPLES}",
        "",
        "[phases.stateful]",
        "max-steps = 6",
        "",
        "[phases.stateful.generation]",
        f"max-examples = {STATEFUL_EXAMPLES}",
    ]
    for entry in deviations():
        lines += ["", "[[operations]]", f"include-name = {json.dumps(entry['operation'])}", f"checks.{entry['check']}.enabled = false"]
    return "\n".join(lines) + "\n"


async def prepare(admin: Person, member: Person, people: PersonFactory) -> None:
    """Something of everything, so every operation has data to reach: rooms, a thread
    and a message, a request to join, an organisation, a seeded event with a person
    invited (who has no account yet)."""
    room = await admin.create_room("Shared concept", tags=["api"])
    await admin.start_thread(room, "First thread", "A first message")
    looking = await admin.create_room("Invite-only concept", visibility="invite", looking_for_collaborators=True)
    await member.post(f"/api/v1/rooms/{looking['id']}/join-requests", {"message": "may I?"}, expect=201)
    await member.post(f"/api/v1/rooms/{room['id']}/join", expect=200)
    await admin.post("/api/v1/organisations", {"name": "Camden Council", "domains": ["camden.example"]}, expect=201)
    headers = {"Content-Type": "text/csv", "X-Filename": quote("workshop.csv")}
    _, preview = await admin.call("POST", "/api/v1/seed/preview", data=WORKSHOP, headers=headers, expect=200)
    await admin.call("POST", "/api/v1/seed/apply", data=WORKSHOP, headers=headers, params={"preview": preview["preview"]}, expect=200)


async def fuzz(url: str, who: str, email: str, tmp_path: Path) -> dict[str, Any]:
    """One schemathesis run as ``email``; returns its figures and output."""
    (tmp_path / f"{who}.toml").write_text(config(email), encoding="utf-8")
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file", str(tmp_path / f"{who}.toml"),
        "run", f"{url}/api/openapi.json",
        "--phases", "examples,coverage,fuzzing,stateful",
        "--workers", "1",
        "--seed", "20261207",
        "--no-color",
    ]  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        *command, cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT  # its cache goes to tmp_path
    )
    output, _ = await process.communicate()
    text = output.decode(errors="replace")
    (tmp_path / f"{who}.txt").write_text(text, encoding="utf-8")  # the whole report, for reading after a failure
    generated = re.search(r"(\d+) generated", text)
    failures = re.search(r"(\d+) unique failures", text)
    return {
        "exit": process.returncode,
        "output": text,
        "generated": int(generated[1]) if generated else 0,
        "failures": int(failures[1]) if failures else 0,
    }


async def serve(start_server: Any, settings: Settings, member_email: str) -> str:
    """The app on a loopback port with its own SQLite file, an administrator, a member
    and data; returns its address."""
    server = await start_server(settings, auth_attempts_per_10min=1_000_000)
    people = PersonFactory(server, settings)
    try:
        admin = await people.signup("ada@localdigital.example", "Ada Admin", "LocalGov Digital", password=PASSWORD)
        member = await people.signup(member_email, "Mo Member", "Camden Council", confirm=True, password=PASSWORD)
        await prepare(admin, member, people)
    finally:
        await people.close()
    return f"http://127.0.0.1:{server.port}"


@pytest.mark.timeout(int(os.environ.get("SCHEMATHESIS_TIMEOUT", "300")))
async def test_the_document_and_the_server_agree(start_server, settings, sqlite_template, tmp_path, caplog):
    # One server per signed-in person: the administrator's run may deactivate the
    # member, which would end a member's run on a shared server.
    second = tmp_path / "second"
    second.mkdir()
    shutil.copy(sqlite_template, second / "convene.db")
    other = base_settings(second, f"sqlite+aiosqlite:///{second / 'convene.db'}")
    member_email = "mo@camden.example"
    urls = [await serve(start_server, settings, member_email), await serve(start_server, other, member_email)]
    caplog.set_level(logging.INFO)
    # Both runs at once: each is its own process against its own server.
    member_run, admin_run = await asyncio.gather(
        fuzz(urls[0], "member", member_email, tmp_path),
        fuzz(urls[1], "administrator", "ada@localdigital.example", tmp_path),
    )
    for who, run in (("member", member_run), ("administrator", admin_run)):
        print(f"schemathesis as {who}: {run['generated']} cases, {run['failures']} failures")
        assert run["exit"] == 0, f"schemathesis as {who} found failures (whole report in {tmp_path / who}.txt):\n{run['output'][-20000:]}"
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, "\n".join(f"{r.name}: {r.getMessage()}" for r in errors[:10])
