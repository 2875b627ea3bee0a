"""Seeding as a facilitator found it (issue 19, item 6): a concept at stage Incubation
takes the three criteria from its columns or is refused naming what is missing; the
preview flags a concept that looks like an existing room and says the person seeding
becomes an owner of every new room; the command shows progress on a terminal and
stays quiet in a pipe. Real server, real SQLite, the real command in a subprocess
(on a pseudo-terminal for the progress bar)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time

from server.config import Settings

from .people import Person, PersonFactory
from .test_seed import ROOT, add_person
from .test_seed_http import facilitator, upload

HEAD = "Concept,Summary,Stage,Facilitator,Participants,Opening questions,User need,Cost benefit,Rapid success\n"


def row(title: str, stage: str, need: str = "", cost: str = "", rapid: str = "", summary: str = "") -> str:
    return f'{title},"{summary}",{stage},lead@camden.example,ann@bristol.example,Where next?,"{need}","{cost}","{rapid}"\n'


async def test_an_incubation_row_without_its_criteria_is_refused_naming_what_is_missing(people: PersonFactory, admin: Person):
    fac = await facilitator(people, admin)
    data = (HEAD + row("Blue badges", "Discovery") + row("Local Links", "Incubation", need="Residents get lost")).encode()
    _, preview = await upload(fac, "preview", data, "day.csv")
    assert preview["applicable"] is False and preview["rooms"] == []
    [problem] = preview["problems"]
    assert (problem["row"], problem["column"]) == (3, "Cost benefit")
    assert "Cost benefit and Rapid success are missing" in problem["message"]


async def test_an_incubation_row_with_its_criteria_arrives_with_them(people: PersonFactory, admin: Person):
    fac = await facilitator(people, admin)
    data = (HEAD + row("Local Links", "Incubation", "Residents get lost", "Fewer calls", "The checker exists")).encode()
    _, preview = await upload(fac, "preview", data, "day.csv")
    assert preview["applicable"], preview["problems"]
    await upload(fac, "apply", data, "day.csv", preview=preview["preview"])
    board = await fac.get("/api/v1/pipeline")
    [links] = [r for c in board["columns"] for r in c["rooms"] if r["title"] == "Local Links"]
    assert links["stage"] == "incubation"
    criteria = {"user_need": "Residents get lost", "cost_benefit": "Fewer calls", "rapid_success": "The checker exists"}
    assert links["incubation_criteria"] == criteria
    [event] = (await fac.get("/api/v1/events"))["events"]
    assert (await fac.get(f"/api/v1/events/{event['id']}"))["event"]["stage_moves"] == 0  # recorded at seeding, not a move since


async def test_the_preview_flags_a_likely_duplicate_and_names_every_owner(people: PersonFactory, admin: Person, alice: Person):
    await alice.create_room("Deferred care payments calculator", summary="Care Act deferred payment agreements.")
    await alice.create_room("Parking permits", summary="Payments for permits.")
    fac = await facilitator(people, admin)
    data = (
        HEAD
        + row("Deferred social care payments calculator", "Co-Design", summary="A calculator for deferred payments.")
        + row("School transport", "Discovery")
    ).encode()
    _, preview = await upload(fac, "preview", data, "day.csv")
    care, school = preview["rooms"]
    assert [s["title"] for s in care["similar"]] == ["Deferred care payments calculator"]
    assert school["similar"] == []
    assert preview["seeder"] == "fac@localdigital.example"
    assert care["owners"] == ["lead@camden.example", "fac@localdigital.example"]


def _command(settings: Settings, path: str, **extra: str) -> tuple[list[str], dict[str, str]]:
    env = {"PATH": "/usr/bin:/bin", "DATA_DIR": str(settings.data_dir), "DATABASE_URL": settings.database_url, "SECRET_KEY": "x" * 24}
    return [sys.executable, "-m", "server", "seed", path, "--as", "fac@localdigital.example", "--dry-run"], env | extra


async def test_the_command_shows_progress_on_a_terminal_and_nothing_in_a_pipe(settings: Settings, tmp_path):
    await add_person(settings, "fac@localdigital.example", "facilitator")
    path = tmp_path / "day.csv"
    path.write_text(HEAD + "".join(row(f"Concept {n}", "Discovery") for n in range(80)))
    command, env = _command(settings, str(path))

    piped = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert piped.returncode == 0, piped.stderr
    assert piped.stderr == ""  # not even a blank line where a bar would have been
    assert "Would create 80 room(s)" in piped.stdout

    leader, follower = pty.openpty()
    process = subprocess.Popen(command, cwd=ROOT, env=env | {"TERM": "xterm", "COLUMNS": "100"}, stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    shown = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the command closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        elif process.poll() is not None:
            break
    os.close(leader)
    assert process.wait(timeout=60) == 0
    assert b"Seeding" in shown and b"/" in shown, shown[-500:]
