"""``make screenshots``: the README's screenshots and a gallery of every screen.

Starts a real Convene (a fresh SQLite database in a temporary folder, on a free
loopback port), fills it with demo data through the REST API as people would (an
administrator, two councils, a facilitator who seeds ``docs/seed-example.yaml``, a
conversation with a mention, interest and a request to join), then opens every screen
in Chromium (``/usr/bin/chromium`` through Playwright) at 1280x800 and 390x844 and
writes:

* ``docs/screenshot-room.png`` and ``docs/screenshot-thread.png`` (the README's);
* ``docs/screens/<screen>-desktop.png`` and ``-phone.png``;
* ``docs/screens/README.md``, the list of them.

PNGs are reduced to a 256-colour palette (Pillow) so the gallery stays small in git.

    python scripts/screenshots.py [--out docs]
"""

from __future__ import annotations

import argparse
import email
import email.policy
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import APIRequestContext, Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery staple"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


# ---- the server ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def convene(folder: Path) -> Iterator[str]:
    """A real server on a free port with its own database; its address."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "SMTP_"))}
    env |= {
        "DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'convene.db'}",
        "DATA_DIR": str(folder),
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "SECRET_KEY": "screenshots-secret-key-0123456789",
        "ARGON2_MEMORY_KIB": "8192",
        "ARGON2_TIME_COST": "1",
        "AUTH_ATTEMPTS_PER_10MIN": "100000",
        "NOTIFY_DELAY_SECONDS": "0",
    }
    subprocess.run([sys.executable, "-m", "server", "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)
    with open(folder / "server.log", "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "server", "serve"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit(f"the server did not start; see {folder / 'server.log'}") from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


# ---- demo data ------------------------------------------------------------------------


@dataclass
class Someone:
    name: str
    email: str
    request: APIRequestContext
    user: dict[str, Any]

    def call(self, method: str, path: str, data: Any = None, **kw: Any) -> Any:
        response = self.request.fetch("/api/v1" + path, method=method, data=data, **kw)
        if not response.ok:
            raise SystemExit(f"{self.name}: {method} {path} -> {response.status} {response.text()}")
        return response.json() if response.status != 204 else None


def _mailed_token(folder: Path, address: str, marker: str) -> str:
    pattern = re.compile(re.escape(marker) + r"([A-Za-z0-9_\-.~%]+)")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for path in sorted((folder / "outbox").glob("*.eml"), key=lambda p: p.stat().st_mtime_ns, reverse=True):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            body = message.get_body(preferencelist=("plain",))
            found = pattern.search(body.get_content() if body else "")
            if address in str(message["To"]) and found:
                return found.group(1)
        time.sleep(0.1)
    raise SystemExit(f"no email to {address} with {marker}")


@dataclass
class Demo:
    folder: Path
    people: dict[str, Someone]
    room: dict[str, Any]
    thread: dict[str, Any]
    private: dict[str, Any]
    event_id: int
    invitation: str


def sign_up(playwright: Any, base: str, folder: Path, name: str, organisation: str, address: str) -> Someone:
    request = playwright.request.new_context(base_url=base)
    person = Someone(name, address, request, {})
    body = {"email": address, "display_name": name, "organisation": organisation, "password": PASSWORD}
    person.user = person.call("POST", "/auth/signup", body)["user"]
    if not person.user["email_confirmed"]:
        token = _mailed_token(folder, address, "/confirm?token=")
        person.user = person.call("POST", "/auth/confirm", {"token": token})["user"]
    return person


def demo_data(playwright: Any, base: str, folder: Path) -> Demo:
    ada = sign_up(playwright, base, folder, "Ada Lovelace", "Camden Council", "ada@camden.example")  # the first: administrator
    for name, domain, kind in (
        ("Camden Council", "camden.example", "council"),
        ("Leeds City Council", "leeds.example", "council"),
        ("Acme Digital", "acme.example", "supplier"),
    ):
        ada.call("POST", "/organisations", {"name": name, "domains": [domain], "kind": kind})
    ben = sign_up(playwright, base, folder, "Ben Okafor", "Leeds City Council", "ben@leeds.example")
    fay = sign_up(playwright, base, folder, "Fay Facilitator", "LocalGov Digital", "fay@localgov.example")
    ada.call("PATCH", f"/users/{fay.user['id']}", {"role": "facilitator"})

    room = ada.call(
        "POST",
        "/rooms",
        {
            "title": "Blue Badge renewals",
            "summary": "Renewing a **Blue Badge** online, without a second proof of identity.",
            "stage": "discovery",
            "visibility": "open",
            "tags": ["blue badge", "api"],
            "looking_for_collaborators": True,
        },
    )["room"]
    thread = ada.call(
        "POST",
        f"/rooms/{room['id']}/threads",
        {"title": "Evidence for renewals", "body": "Which documents do we still ask for at renewal?", "client_id": "demo-0"},
    )["thread"]
    ben.call("POST", f"/rooms/{room['id']}/join")
    lines = [
        (ben, "Leeds asks for proof of address only when it has changed."),
        (ada, "Camden still asks for both. @**Ben Okafor** do you keep the old photo?"),
        (ben, "We reuse it for ten years, as the **DfT guidance** allows."),
        (ada, "Then we could drop the second check. I will draft the change:\n\n1. reuse the photo\n2. ask only for a new address"),
        (ben, "Sounds right. The [guidance](https://www.gov.uk/) says the same."),
    ]
    for n, (who, text) in enumerate(lines, start=1):
        who.call("POST", f"/threads/{thread['id']}/messages", {"body": text, "client_id": f"demo-{n}"})
    ada.call(
        "POST", f"/rooms/{room['id']}/threads", {"title": "Online payments", "body": "Who takes the £10 fee online?", "client_id": "demo-p"}
    )

    care = ada.call(
        "POST",
        "/rooms",
        {
            "title": "Deferred care payments calculator",
            "summary": "For Care Act deferred payments.",
            "stage": "co-design",
            "visibility": "open",
            "tags": ["care act"],
            "looking_for_collaborators": True,
        },
    )
    ben.call("POST", f"/rooms/{care['room']['id']}/interest", {"kind": "same-problem"})
    private = ada.call(
        "POST",
        "/rooms",
        {
            "title": "Housing repairs",
            "summary": "Repairs reported once, seen by every team.",
            "stage": "discovery",
            "visibility": "invite",
            "tags": ["housing"],
            "looking_for_collaborators": True,
        },
    )["room"]
    ben.call("POST", f"/rooms/{private['id']}/join-requests", {"message": "Leeds has the same backlog."})

    seed = (ROOT / "docs" / "seed-example.yaml").read_bytes()
    headers = {"Content-Type": "application/yaml", "X-Filename": "seed-example.yaml"}
    preview = fay.call("POST", "/seed/preview", data=seed, headers=headers)
    fay.call("POST", f"/seed/apply?preview={preview['preview']}", data=seed, headers=headers)
    event_id = fay.call("GET", "/events")["events"][0]["id"]

    ada.call("POST", f"/rooms/{room['id']}/members", {"emails": ["sam@acme.example"]})
    invitation = _mailed_token(folder, "sam@acme.example", "/invitation?token=")
    return Demo(folder, {"ada": ada, "ben": ben, "fay": fay}, room, thread, private, event_id, invitation)


# ---- the screens ----------------------------------------------------------------------


@dataclass(frozen=True)
class Screen:
    name: str
    title: str
    who: str | None  # whose browser (None: signed out)
    path: Callable[[Demo], str]
    ready: str  # a selector shown once the screen has loaded


SCREENS = (
    Screen("signin", "Sign in", None, lambda d: "/signin", "h1"),
    Screen("signup", "Create an account", None, lambda d: "/signup", "h1"),
    Screen(
        "invitation",
        "An invitation link: who invited, which room",
        None,
        lambda d: f"/invitation?token={d.invitation}",
        ".invitation-intro strong",
    ),
    Screen("accessibility", "Accessibility statement", None, lambda d: "/accessibility", "h1"),
    Screen("inbox", "Inbox, with interest in your rooms", "ada", lambda d: "/", ".inbox-signals, .inbox-section"),
    Screen("directory", "Rooms", "ada", lambda d: "/rooms", ".room-card"),
    Screen("new-room", "Create a room", "ada", lambda d: "/rooms/new", "main form"),
    Screen("room", "A room: overview, who is involved, requests", "ada", lambda d: f"/r/{d.private['slug']}", ".join-request"),
    Screen("thread", "A thread", "ada", lambda d: f"/r/{d.room['slug']}/t/{d.thread['id']}", "ol.message-list li"),
    Screen("new-thread", "Start a thread", "ada", lambda d: f"/r/{d.room['slug']}/new", "main form"),
    Screen("room-settings", "Room settings", "ada", lambda d: f"/r/{d.room['slug']}/settings", "main form"),
    Screen("search", "Search: rooms first, then threads and messages", "ada", lambda d: "/search?q=renewals", ".search-result"),
    Screen("mentions", "Mentions", "ben", lambda d: "/mentions", "main h1"),
    Screen("collaborate", "Looking for collaborators", "ben", lambda d: "/collaborate", ".collab-card"),
    Screen("pipeline", "Pipeline", "fay", lambda d: "/pipeline", ".pipeline-incubation"),
    Screen("events", "Events", "fay", lambda d: "/events", "main a[href^='/events/']"),
    Screen("event", "An event and what happened since", "fay", lambda d: f"/events/{d.event_id}", ".event-totals"),
    Screen("seed", "Seed rooms from an event", "fay", lambda d: "/seed", "main form"),
    Screen("profile", "Your profile", "ben", lambda d: "/profile", "main form"),
    Screen("notifications", "Notification settings", "ben", lambda d: "/settings/notifications", "main form"),
    Screen("admin-people", "Administration: people", "ada", lambda d: "/admin/people", "table"),
    Screen("admin-rooms", "Administration: rooms", "ada", lambda d: "/admin/rooms", "table"),
    Screen("admin-organisations", "Administration: organisations", "ada", lambda d: "/admin/organisations", "main form"),
    Screen("admin-inbound", "Administration: inbound email", "ada", lambda d: "/admin/inbound-mail", "main h1"),
    Screen("admin-audit", "Administration: audit log", "ada", lambda d: "/admin/audit", "table"),
)


def _small_png(path: Path) -> None:
    """A 256-colour palette: a screen of text loses nothing visible and most of its bytes."""
    with Image.open(path) as image:
        reduced = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        reduced.save(path, optimize=True)


def _context(browser: Browser, base: str, demo: Demo, who: str | None, size: str) -> Any:
    device = {"is_mobile": True, "has_touch": True, "device_scale_factor": 1} if size == "phone" else {}
    context = browser.new_context(
        viewport=SIZES[size], locale="en-GB", timezone_id="Europe/London", base_url=base, reduced_motion="reduce", **device
    )
    if who is not None:
        state = demo.people[who].request.storage_state()
        context.add_cookies(state["cookies"])
    return context


def shoot(page: Page, base: str, path: str, ready: str, target: Path) -> None:
    page.goto(base + path)
    page.locator(ready).first.wait_for(timeout=15_000)
    page.wait_for_load_state("networkidle")
    page.evaluate("document.activeElement && document.activeElement.blur && document.activeElement.blur()")
    page.screenshot(path=str(target))
    _small_png(target)


def gallery(browser: Browser, base: str, demo: Demo, out: Path) -> list[tuple[Screen, str]]:
    screens = out / "screens"
    screens.mkdir(parents=True, exist_ok=True)
    taken: list[tuple[Screen, str]] = []
    for size in SIZES:
        contexts: dict[str | None, Any] = {}
        try:
            for screen in SCREENS:
                if screen.who not in contexts:
                    contexts[screen.who] = _context(browser, base, demo, screen.who, size)
                page = contexts[screen.who].new_page()
                try:
                    shoot(page, base, screen.path(demo), screen.ready, screens / f"{screen.name}-{size}.png")
                finally:
                    page.close()
                taken.append((screen, size))
                print(f"  {screen.name}-{size}.png")
        finally:
            for context in contexts.values():
                context.close()
    return taken


def readme_shots(browser: Browser, base: str, demo: Demo, out: Path) -> None:
    """The README's two: a room's overview and a thread, at 1280x800, as Ben sees them."""
    context = _context(browser, base, demo, "ben", "desktop")
    try:
        page = context.new_page()
        shoot(page, base, f"/r/{demo.room['slug']}", ".room-involvement", out / "screenshot-room.png")
        shoot(page, base, f"/r/{demo.room['slug']}/t/{demo.thread['id']}", "ol.message-list li", out / "screenshot-thread.png")
    finally:
        context.close()


def write_index(out: Path, taken: list[tuple[Screen, str]]) -> None:
    lines = [
        "# Every screen",
        "",
        "Made by `make screenshots` (`scripts/screenshots.py`): a real server with demo data, Chromium at",
        "1280x800 (desktop) and 390x844 (phone). Regenerate after changing the web client.",
        "",
        "| screen | who | desktop | phone |",
        "| --- | --- | --- | --- |",
    ]
    for screen in SCREENS:
        sizes = {size for s, size in taken if s is screen}
        cells = [f"[{size}]({screen.name}-{size}.png)" if size in sizes else "" for size in SIZES]
        who = {"ada": "administrator", "ben": "member", "fay": "facilitator", None: "signed out"}[screen.who]
        lines.append(f"| {screen.title} | {who} | {cells[0]} | {cells[1]} |")
    (out / "screens" / "README.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="convene-screens-") as tmp, convene(Path(tmp)) as base, sync_playwright() as playwright:
        demo = demo_data(playwright, base, Path(tmp))
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            readme_shots(browser, base, demo, args.out)
            taken = gallery(browser, base, demo, args.out)
        finally:
            browser.close()
            for person in demo.people.values():
                person.request.dispose()
        write_index(args.out, taken)
    print(f"{len(taken)} screens in {args.out / 'screens'}; README screenshots in {args.out}")


if __name__ == "__main__":
    main()
