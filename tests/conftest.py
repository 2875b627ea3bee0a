"""Fixtures: a real database per test (an Alembic-migrated SQLite file copied from a
template, or a PostgreSQL database cloned from a migrated template), the real app on
a real loopback server, and people with their own cookie jars and Socket.IO clients."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import AsyncIterator, Awaitable, Callable, Iterator

import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from server.app import create_app
from server.config import Settings, load_settings
from server.store.schema import upgrade

from .people import Person, PersonFactory

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
PG_TEMPLATE = f"convene_template_{os.getpid()}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "convene.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


def _pg_url(database: str) -> str:
    base = POSTGRES_URL.rsplit("/", 1)[0]
    return f"{base}/{database}"


async def _pg_admin(sql: str) -> None:
    engine = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


def _pg_admin_blocking(sql: str) -> None:
    """Session fixtures may be first requested from inside a running loop: use a thread."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _pg_admin(sql)).result()


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    try:
        _pg_admin_blocking(f"DROP DATABASE IF EXISTS {PG_TEMPLATE}")
        _pg_admin_blocking(f"CREATE DATABASE {PG_TEMPLATE}")
    except OSError as exc:  # pragma: no cover - the machine runs PostgreSQL
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: {exc}")
    upgrade(_pg_url(PG_TEMPLATE))
    yield PG_TEMPLATE
    _pg_admin_blocking(f"DROP DATABASE IF EXISTS {PG_TEMPLATE}")


def base_settings(tmp_path: Path, database_url: str) -> Settings:
    env = {
        "DATABASE_URL": database_url,
        "DATA_DIR": str(tmp_path),
        "SECRET_KEY": "test-secret-key-0123456789",
        "ARGON2_TIME_COST": "1",
        "AUTH_ATTEMPTS_PER_10MIN": "1000",
        "ARGON2_MEMORY_KIB": "1024",
        # Tests drive sockets far harder than people do (hundreds of sends in a loop);
        # the real-time limits are proven on their own (tests/test_realtime_limits.py).
        "SOCKET_EVENTS_PER_SECOND": "0",
        "SOCKET_TYPING_PER_MINUTE": "0",
        "SOCKET_PRESENCE_CHANGES_PER_MINUTE": "0",
    }
    return load_settings(env)


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def settings(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> AsyncIterator[Settings]:
    if backend == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        db = tmp_path / "convene.db"
        shutil.copy(template, db)
        yield base_settings(tmp_path, f"sqlite+aiosqlite:///{db}")
        return
    template = request.getfixturevalue("pg_template")
    name = f"convene_test_{uuid.uuid4().hex[:12]}"
    await _pg_admin(f"CREATE DATABASE {name} TEMPLATE {template}")
    yield base_settings(tmp_path, _pg_url(name))
    await _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


ServerFactory = Callable[..., Awaitable[TestServer]]


@pytest.fixture
async def start_server() -> AsyncIterator[ServerFactory]:
    """Start the real app on a loopback port; stopped (gracefully) at teardown."""
    servers: list[TestServer] = []

    async def start(settings: Settings, **overrides: object) -> TestServer:
        server = TestServer(create_app(replace(settings, **overrides) if overrides else settings), host="127.0.0.1")
        await server.start_server()
        servers.append(server)
        return server

    yield start
    for server in reversed(servers):
        await server.close()
    # engine.io leaves each closed connection's 20-second ping sleeper behind; cancel
    # them so the closing event loop does not report them as destroyed while pending.
    for task in asyncio.all_tasks():
        if getattr(task.get_coro(), "__qualname__", "") == "AsyncSocket._send_ping":
            task.cancel()


@pytest.fixture
async def server(start_server: ServerFactory, settings: Settings) -> TestServer:
    return await start_server(settings)


@pytest.fixture
async def people(server: TestServer, settings: Settings) -> AsyncIterator[PersonFactory]:
    factory = PersonFactory(server, settings)
    yield factory
    await factory.close()


@pytest.fixture
async def admin(people: PersonFactory) -> Person:
    return await people.signup("ada@localdigital.example", "Ada Admin", "LocalGov Digital")


@pytest.fixture
async def alice(people: PersonFactory, admin: Person) -> Person:
    return await people.signup("alice@camden.example", "Alice Officer", "Camden Council", confirm=True)


@pytest.fixture
async def bob(people: PersonFactory, admin: Person) -> Person:
    return await people.signup("bob@bristol.example", "Bob Supplier", "Bristol City Council", confirm=True)


@pytest.fixture
async def carol(people: PersonFactory, admin: Person) -> Person:
    return await people.signup("carol@dh.example", "Carol Policy", "Department of Health", confirm=True)
