"""The ``seed`` command's door: find the acting account, apply the plan in one
transaction (rolled back for ``--dry-run``), show progress on stderr when it is a
terminal (nothing at all in a pipe) and the report on stdout. The running web server is told nothing: browsers load rooms over REST."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import select

from server.config import Settings
from server.contract.origin import Origin
from server.domain.accounts import normalise_email
from server.domain.errors import DomainError
from server.domain.seed_files import SeedPlan
from server.domain.seeding import DryRun, SeedReport, apply_seed, require_seeder, steps
from server.store.db import Database, make_engine
from server.store.models import User
from server.store.transaction import Transactions

SHOW_PROGRESS_FROM = 50  # steps; smaller seeds finish before a bar would be read

_OUTCOMES = {
    "invited": "invited",
    "added": "added",
    "made_owner": "made owner",
    "already_member": "already a member",
    "already_invited": "already invited",
    "deactivated": "NOT added: deactivated account",
}


class _NoPublisher:
    async def publish(self, events: object) -> None:
        return None  # nobody is connected to a command-line process


def print_problems(plan: SeedPlan, filename: str) -> None:
    print(f"{filename}: {len(plan.problems)} problem(s); nothing was applied.", file=sys.stderr)
    for problem in plan.problems:
        print(f"  {problem}", file=sys.stderr)


def render(report: SeedReport, dry_run: bool) -> str:
    would = "would be " if dry_run else ""
    lines = [f"Event {report.event!r}: {'new' if report.event_created else 'seeded before'}"]
    for room in report.rooms:
        owners = room.owner if not room.created or room.owner == report.seeder else f"{room.owner} and {report.seeder} (seeding)"
        lines.append(f"Room {room.title!r} (/r/{room.slug}): {would + 'created' if room.created else 'exists'}; owner {owners}")
        lines.extend(f"  similar to the existing room {s['title']!r} (/r/{s['slug']}): is it the same concept?" for s in room.similar)
        lines.extend(f"  thread {would}opened: {title}" for title in room.threads_created)
        lines.extend(f"  thread already open: {title}" for title in room.threads_existing)
        for email, outcome in room.people.items():
            role = " as owner" if email == room.owner and outcome in ("invited", "added") else ""
            lines.append(f"  {email}: {would if outcome in ('invited', 'added', 'made_owner') else ''}{_OUTCOMES[outcome]}{role}")
    lines.extend(f"No longer in the file (kept): {title!r}" for title in report.not_in_file)
    sent = {"invitation": "invitation", "notice": "notice of rooms added to"}
    mailed = "would be sent" if dry_run else "queued"
    lines.extend(f"Email {mailed} to {email}: {sent[kind]}" for email, kind in sorted(report.mails.items()))
    created = sum(r.created for r in report.rooms)
    threads = sum(len(r.threads_created) for r in report.rooms)
    verb = "Would create" if dry_run else "Created"
    lines.append(f"{verb} {created} room(s) and {threads} thread(s); {len(report.mails)} email(s) {'would be ' if dry_run else ''}sent.")
    if not report.changed:
        lines.append("Nothing to do: everything in the file is already there.")
    elif dry_run:
        lines.append("Dry run: nothing was written or sent.")
    return "\n".join(lines)


async def run_seed(settings: Settings, plan: SeedPlan, actor_email: str, *, dry_run: bool) -> int:
    db = Database(make_engine(settings.database_url))
    total = steps(plan)
    columns = (TextColumn("Seeding"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    console = Console(stderr=True)
    # A bar on a terminal only: in a pipe or a log (a CI job, `2> seed.log`) even the
    # blank line a finished bar leaves is noise.
    bar = Progress(*columns, console=console, transient=True, disable=total < SHOW_PROGRESS_FROM or not console.is_terminal)
    task = bar.add_task("seed", total=total)
    try:
        with bar:
            async with Transactions(db, _NoPublisher()).begin(Origin("command")) as tx:
                email = normalise_email(actor_email, "--as")
                actor = await tx.session.scalar(select(User).where(User.email == email))
                if actor is None:
                    print(f"error: no account has the address {email}; seeding needs a facilitator or administrator", file=sys.stderr)
                    return 2
                require_seeder(actor)
                report = await apply_seed(tx, settings, actor, plan, lambda n: bar.advance(task, n))
                if dry_run:
                    raise DryRun(report)
    except DryRun as done:
        report = done.report
    except DomainError as exc:
        print(f"error: {exc.field + ': ' if exc.field else ''}{exc.message}", file=sys.stderr)
        return 2
    finally:
        await db.dispose()
    for note in plan.notes:
        print(f"Note: {note}")
    for merge in plan.merged:
        print(f"Note: {merge}")
    print(render(report, dry_run))
    return 0
