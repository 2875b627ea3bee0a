"""Command line: ``python -m server <command>``."""

from __future__ import annotations

import argparse
import asyncio
import gc
import getpass
import logging
import sys

from server.config import ConfigError, load_settings


def _event_loop() -> asyncio.AbstractEventLoop:
    """uvloop where it is installed (a dependency, except on Windows): its loop and
    transports take less CPU per socket write than asyncio's, which fan-out to every
    member of a room multiplies; else the standard loop."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    return loop


def _serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from server.app import create_app
    from server.store.schema import SchemaBehind

    settings = load_settings(host=args.host, port=args.port)

    def announce(banner: str) -> None:
        # aiohttp's banner reads "======== Running on http://... ========"; say whose.
        print(banner.replace("Running on", "Convene running on", 1), flush=True)

    try:
        app = create_app(settings)
        app.on_startup.append(_freeze_startup_objects)  # after the resources (cleanup_ctx) are made
        web.run_app(
            app,
            loop=_event_loop(),
            host=settings.host,
            port=settings.port,
            print=announce,
            # A long-polling client that went away left engine.io's GET handler waiting
            # up to ping_interval + ping_timeout (40 s) for its next packet, and the
            # graceful stop waited for it (16 to 38 s measured). Cancel a handler once its
            # client has gone (writes are safe: Transactions.begin settles a commit even
            # if cancelled, and sends are shielded in the send queue), and give requests
            # still in flight at most 3 s, well inside the 10 to 30 s platforms allow.
            handler_cancellation=True,
            shutdown_timeout=3,
        )
    except SchemaBehind as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


async def _freeze_startup_objects(app: object) -> None:
    """What startup made (modules, the schema, caches) lives as long as the process: take
    it out of the garbage collector's way. Its full passes walk every tracked object and
    come more often as connections open; without this each one walks startup's objects
    again (about a third of the collector's time while connections are being accepted)."""
    gc.collect()
    gc.freeze()


def _migrate(args: argparse.Namespace) -> int:
    from server.store.schema import upgrade

    settings = load_settings()
    upgrade(settings.database_url, args.revision)
    print(f"database at {args.revision}")
    return 0


def _create_admin(args: argparse.Namespace) -> int:
    from server.domain.accounts import create_admin, hash_new_password
    from server.domain.errors import DomainError
    from server.domain.passwords import Passwords
    from server.store.db import Database, make_engine
    from server.store.transaction import Transactions

    settings = load_settings()
    password = args.password_stdin and sys.stdin.readline().rstrip("\n") or getpass.getpass("Password (10+ characters): ")

    async def run() -> int:
        db = Database(make_engine(settings.database_url))

        class NoPublisher:
            async def publish(self, events: object) -> None:
                return None  # nobody is connected to a command-line process

        try:
            password_hash = await hash_new_password(Passwords(settings.argon2_time_cost, settings.argon2_memory_kib), password)
            async with Transactions(db, NoPublisher()).begin() as tx:
                user = await create_admin(
                    tx, email=args.email, display_name=args.name, organisation=args.organisation, password_hash=password_hash
                )
        except DomainError as exc:
            print(f"error: {exc.field + ': ' if exc.field else ''}{exc.message}", file=sys.stderr)
            return 2
        finally:
            await db.dispose()
        print(f"{user.email} is an administrator")
        return 0

    return asyncio.run(run())


def _seed(args: argparse.Namespace) -> int:
    from pathlib import Path

    from server.domain.seed_files import read_seed
    from server.seed_command import print_problems, run_seed
    from server.vocabulary import STAGES

    settings = load_settings()
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"error: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    plan = read_seed(data, path.name, stages=STAGES, event_name=args.event, max_title_chars=settings.max_title_chars)
    if plan.problems:
        print_problems(plan, path.name)
        return 2
    return asyncio.run(run_seed(settings, plan, args.actor, dry_run=args.dry_run))


def _mail_listen(args: argparse.Namespace) -> int:
    from server.mail.listener import serve

    asyncio.run(serve(load_settings(), args.host, args.port))
    return 0


def _mail_in(args: argparse.Namespace) -> int:
    from server.config import delivery_envelope
    from server.mail import pipe

    settings = load_settings()
    envelope_from, envelope_to = pipe.envelope(args.to, args.sender, delivery_envelope())
    raw = pipe.read_message(sys.stdin.buffer, settings.inbound_max_bytes)
    return asyncio.run(pipe.run(settings, raw, envelope_from, envelope_to))


def _export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from server.export_command import run_export

    return asyncio.run(run_export(load_settings(), args.room, args.format, Path(args.out) if args.out else None, args.thread))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m server", description="Convene: rooms and threads for teams that span organisations.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")

    serve = sub.add_parser(
        "serve",
        help="serve the web app, API and Socket.IO",
        description="Serve HTTP and Socket.IO. Refuses to start on a database behind the code's schema.",
    )
    serve.add_argument("--host", help="address to listen on (default HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default PORT or 8080); without PUBLIC_URL, emailed links use it too")
    serve.set_defaults(run=_serve)

    migrate = sub.add_parser(
        "migrate", help="apply database migrations", description="Bring the database at DATABASE_URL to the code's schema revision."
    )
    migrate.add_argument("--revision", default="head", help="target revision (default: head)")
    migrate.set_defaults(run=_migrate)

    admin = sub.add_parser(
        "create-admin",
        help="create an administrator (or promote an account)",
        description="Create a confirmed administrator account, or make an existing one administrator.",
    )
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", default="Administrator", help="display name for a new account")
    admin.add_argument("--organisation", default="Convene", help="organisation for a new account")
    admin.add_argument("--password-stdin", action="store_true", help="read the password from standard input instead of prompting")
    admin.set_defaults(run=_create_admin)

    seed = sub.add_parser(
        "seed",
        help="turn a workshop's file (CSV, XLSX, YAML) into rooms, threads and invitations",
        description="Seed an event's rooms from a workshop's file, acting as a facilitator or administrator. "
        "Safe to repeat: a corrected file adds only what is new. Exit 0 when applied or nothing to do, 2 for a refused file.",
    )
    seed.add_argument("file", help="the .csv, .xlsx or .yaml file")
    seed.add_argument("--as", dest="actor", required=True, metavar="EMAIL", help="the facilitator or administrator seeding")
    seed.add_argument("--dry-run", action="store_true", help="show what would be created, changed and sent; write nothing")
    seed.add_argument("--event", help="the event's name (default: the YAML's event, else the file's name without extension)")
    seed.set_defaults(run=_seed)

    listen = sub.add_parser(
        "mail-listen",
        help="receive email over SMTP (replies and new threads)",
        description="Run the SMTP listener for MAIL_DOMAIN: replies to notifications and mail to room addresses post in Convene.",
    )
    listen.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    listen.add_argument("--port", type=int, default=2525, help="port (default 2525)")
    listen.set_defaults(run=_mail_listen)

    mail_in = sub.add_parser(
        "mail-in",
        help="receive one email on standard input (MTA pipe delivery)",
        description="Read one RFC 5322 message from standard input. Exit 0 when handled, 75 when the MTA should retry.",
    )
    mail_in.add_argument("--to", help="envelope recipient (default RECIPIENT or ORIGINAL_RECIPIENT, else the headers)")
    mail_in.add_argument("--from", dest="sender", help="envelope sender; empty for a bounce (default SENDER)")
    mail_in.set_defaults(run=_mail_in)

    exporter = sub.add_parser(
        "export",
        help="export a room (or one thread) as Markdown or JSON",
        description="Write a room's whole record (members, history, threads, messages with edits and deletions) for a records "
        "schedule or an FOI request. Recorded in the audit log. JSON follows docs/export-schema.md.",
    )
    exporter.add_argument("room", help="the room's id or slug")
    exporter.add_argument("--format", choices=("md", "json"), default="md", help="md (to read, the default) or json (complete)")
    exporter.add_argument("--out", help="file to write (default: standard output)")
    exporter.add_argument("--thread", type=int, help="export only this thread of the room")
    exporter.set_defaults(run=_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    try:
        return int(args.run(args))
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
