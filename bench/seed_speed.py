"""Benchmark of seeding a large workshop file (``make bench-seed``).

Writes a generated CSV of ``--rows`` concepts (each with a summary, stage, lead
organisation, facilitator, three participants of whom one is shared across rows,
two opening questions and tags), migrates a fresh SQLite database in a temporary
folder (or uses DATABASE_URL), adds the facilitator who seeds, and runs the real
command as a separate process under ``/usr/bin/time -v``: its wall time, its CPU time
(user + system, steadier than wall time on a shared machine) and peak memory (maximum
resident set size) are printed. Then it seeds the same file again (nothing to do) and
reports that too. ``--source DIR`` runs the command from another checkout (to compare
with an earlier commit: ``git archive COMMIT | tar -x -C DIR``).

    python -m bench.seed_speed [--rows 3000] [--keep DIR] [--source DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from server.store.db import Database, make_engine
from server.store.models import User, utcnow
from server.store.schema import upgrade

ROOT = Path(__file__).resolve().parents[1]
ACTOR = "bench.facilitator@localdigital.example"
STAGES = ("Discovery", "Co-Design", "Incubation", "Live")


def workshop_csv(rows: int) -> bytes:
    """A CSV as a spreadsheet exports it (CRLF, quoted cells with commas and line
    breaks): ``rows`` distinct concepts."""
    lines = ["Concept,Summary,Stage,Lead organisation,Facilitator,Participants,Opening questions,Tags,User need,Cost benefit,Rapid success"]
    for n in range(rows):
        criteria = f"Need {n},Benefit {n},Success {n}" if STAGES[n % 4] == "Incubation" else ",,"
        lines.append(
            f'Concept {n},"Summary of concept {n}, with a comma",{STAGES[n % 4]},Council {n % 40},'
            f"facilitator{n % 5}@localdigital.example,"
            f'"a{n}@camden.example; Team {n} <team{n}@bristol.example>, shared{n % 50}@leeds.example",'
            f'"First question for {n}?\nSecond question?",api; tag{n % 7},{criteria}'
        )
    return ("\r\n".join(lines) + "\r\n").encode()


async def _add_actor(url: str) -> None:
    db = Database(make_engine(url))
    try:
        async with db.write_session() as session:
            session.add(User(email=ACTOR, display_name="Bench Facilitator", role="facilitator", email_confirmed_at=utcnow()))
            await session.commit()
    finally:
        await db.dispose()


def _timed_seed(path: Path, env: dict[str, str], source: Path) -> tuple[float, str]:
    command = [sys.executable, "-m", "server", "seed", str(path), "--as", ACTOR]
    if Path("/usr/bin/time").exists():
        command = ["/usr/bin/time", "-v", *command]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=source, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"seed failed ({result.returncode}):\n{result.stderr[-3000:]}")
    summary = result.stdout.strip().splitlines()[-1]
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    cpu = [float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", result.stderr)]
    if peak and len(cpu) == 2:
        summary += f" | CPU {sum(cpu):.1f} s | peak RSS {int(peak.group(1)) / 1024:.0f} MiB"
    return elapsed, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--keep", type=Path, help="folder to keep the file and database in")
    parser.add_argument("--source", type=Path, default=ROOT, help="checkout to run the seed command from")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="convene-seed-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    url = os.environ.get("DATABASE_URL") or f"sqlite+aiosqlite:///{folder / 'convene.db'}"
    upgrade(url)
    asyncio.run(_add_actor(url))
    path = folder / f"bench-{args.rows}.csv"
    path.write_bytes(workshop_csv(args.rows))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DATA_DIR": str(folder), "DATABASE_URL": url, "SECRET_KEY": "b" * 24}
    for label in ("first seed", "same file again"):
        elapsed, summary = _timed_seed(path, env, args.source)
        print(f"{args.rows} rows, {label}: {elapsed:.1f} s wall | {summary}")


if __name__ == "__main__":
    main()
