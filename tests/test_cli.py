"""The command line and configuration: help, migrate, refusing a stale schema,
create-admin, and clear configuration errors."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from server.config import ConfigError, load_settings
from server.store.db import make_engine
from server.store.schema import SchemaBehind, check_current, upgrade

from .loopback import free_port, wait_healthy

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, env: dict[str, str], input: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "server", *args]
    return subprocess.run(command, cwd=ROOT, env={"PATH": "/usr/bin:/bin", **env}, capture_output=True, text=True, input=input, timeout=60)


def test_help_lists_every_command(tmp_path):
    result = run("--help", env={"DATA_DIR": str(tmp_path)})
    assert result.returncode == 0
    for command in ("serve", "migrate", "create-admin"):
        assert command in result.stdout
    for command in ("serve", "migrate", "create-admin"):
        sub = run(command, "--help", env={"DATA_DIR": str(tmp_path)})
        assert sub.returncode == 0 and "usage:" in sub.stdout


def test_serve_refuses_a_database_behind_the_code(tmp_path):
    port = free_port()
    env = {"DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/old.db", "PORT": str(port)}
    result = run("serve", env=env)
    assert result.returncode == 2
    assert "python -m server migrate" in result.stderr


async def test_check_current_names_the_command_and_passes_after_migrate(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/c.db"
    engine = make_engine(url)
    try:
        with pytest.raises(SchemaBehind, match="python -m server migrate"):
            await check_current(engine)
        upgrade(url)
        await check_current(engine)
    finally:
        await engine.dispose()


def test_migrate_then_create_admin(tmp_path):
    env = {"DATA_DIR": str(tmp_path), "ARGON2_MEMORY_KIB": "1024", "ARGON2_TIME_COST": "1"}
    assert run("migrate", env=env).returncode == 0
    assert (tmp_path / "convene.db").exists()
    # A development secret key is generated once and kept, private, under DATA_DIR.
    key_file = tmp_path / "secret_key"
    assert key_file.exists() and oct(key_file.stat().st_mode)[-3:] == "600"
    made = run("create-admin", "--email", "Root@Example.org", "--password-stdin", env=env, input="a long enough password\n")
    assert made.returncode == 0, made.stderr
    assert "root@example.org is an administrator" in made.stdout
    weak = run("create-admin", "--email", "x@example.org", "--password-stdin", env=env, input="short\n")
    assert weak.returncode == 2 and "password" in weak.stderr


def test_configuration_errors_name_the_variable(tmp_path):
    base = {"DATA_DIR": str(tmp_path), "SECRET_KEY": "0123456789abcdef0123"}
    for env, name in (
        ({"PORT": "eighty"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"ALLOWED_ORIGINS": "*"}, "ALLOWED_ORIGINS"),
        ({"SMTP_URL": "http://mail"}, "SMTP_URL"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"MAX_MESSAGE_CHARS": "0"}, "MAX_MESSAGE_CHARS"),
    ):
        with pytest.raises(ConfigError, match=name):
            load_settings(base | env)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings({"DATA_DIR": str(tmp_path), "CONVENE_ENV": "production"})
    result = run("migrate", env={"DATA_DIR": str(tmp_path), "PORT": "eighty"})
    assert result.returncode == 2 and "configuration error: PORT" in result.stderr


def test_settings_defaults_follow_the_readme(tmp_path):
    settings = load_settings({"DATA_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path}/convene.db"
    assert settings.public_url == "http://127.0.0.1:8080" and settings.port == 8080
    assert settings.secure_cookies is False
    assert load_settings({"DATA_DIR": str(tmp_path), "PUBLIC_URL": "https://convene.example/"}).secure_cookies is True
    assert load_settings({"DATA_DIR": str(tmp_path), "DATABASE_URL": "postgresql://u@h/db"}).database_url == "postgresql+asyncpg://u@h/db"


async def test_serve_on_a_port_announces_it_and_emails_links_to_it(tmp_path):
    """``serve --port P`` with neither PORT nor PUBLIC_URL set: the start-up line names
    the address, and emailed links point at P, not at the default 8080."""
    port = free_port()
    env = {"DATA_DIR": str(tmp_path), "ARGON2_MEMORY_KIB": "1024", "ARGON2_TIME_COST": "1"}
    assert run("migrate", env=env).returncode == 0
    made = run("create-admin", "--email", "ada@camden.example", "--password-stdin", env=env, input="a long enough password\n")
    assert made.returncode == 0, made.stderr
    server = subprocess.Popen(
        [sys.executable, "-m", "server", "serve", "--port", str(port)],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        await wait_healthy(base)
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{base}/api/v1/auth/link", json={"email": "ada@camden.example"}) as response:
                assert response.status == 202
        mail = await _first_mail(tmp_path / "outbox")
        links = re.findall(r"https?://[^\s/]+/\S*", mail)
        assert links and all(link.startswith(f"{base}/") for link in links), links
    finally:
        server.send_signal(signal.SIGTERM)
        out, _ = server.communicate(timeout=30)
    assert f"Convene running on {base}" in out
    assert "Running on Convene" not in out


async def _first_mail(outbox: Path, timeout: float = 10.0) -> str:
    """The text of the first .eml the mail deliverer writes into ``outbox``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(outbox.glob("*.eml")) if outbox.is_dir() else []:
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            body = message.get_body(preferencelist=("plain",))
            assert body is not None
            return str(body.get_content())
        await asyncio.sleep(0.05)
    raise AssertionError(f"no mail arrived in {outbox} within {timeout} s")


def test_a_port_on_the_command_line_wins_and_public_url_follows_it(tmp_path):
    settings = load_settings({"DATA_DIR": str(tmp_path), "PORT": "9000"}, port=9123, host="0.0.0.0")
    assert (settings.port, settings.host, settings.public_url) == (9123, "0.0.0.0", "http://127.0.0.1:9123")
    pinned = load_settings({"DATA_DIR": str(tmp_path), "PUBLIC_URL": "https://convene.example"}, port=9123)
    assert pinned.public_url == "https://convene.example"
    with pytest.raises(ConfigError, match="--port"):
        load_settings({"DATA_DIR": str(tmp_path)}, port=0)
