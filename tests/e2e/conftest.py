"""Browser tests: the real server in a subprocess, Debian's Chromium driven by
Playwright, and people signed up through the REST API.

Each test module gets its own server and a fresh SQLite database, so a module can
rely on a clean first run (the accessibility module checks the set-up screen).
"""

from __future__ import annotations

import email
import email.policy
import itertools
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from ..loopback import free_port

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery staple"
MISSING_BROWSER = "browser tests skipped: /usr/bin/chromium not found (apt-get install chromium)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(MISSING_BROWSER.replace("skipped", "cannot run") + " — CI must install it", pytrace=False)
    pytest.skip(MISSING_BROWSER)


# ---- the server ----------------------------------------------------------------


@dataclass
class ConveneServer:
    base_url: str
    data_dir: Path
    _seen_mail: set[Path] = field(default_factory=set)

    def url(self, path: str) -> str:
        return self.base_url + path

    def mail_link(self, to: str, marker: str, timeout: float = 10.0) -> str:
        """The newest emailed link to ``to`` whose path contains ``marker`` (e.g. "/confirm?token=")."""
        outbox = self.data_dir / "outbox"
        pattern = re.compile(re.escape(self.base_url) + re.escape(marker) + r"[A-Za-z0-9_\-.~%]+")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            files = sorted(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns, reverse=True) if outbox.is_dir() else []
            for path in files:
                message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                if to.lower() not in str(message["To"]).lower():
                    continue
                body = message.get_body(preferencelist=("plain",))
                found = pattern.search(body.get_content() if body else "")
                if found:
                    return found.group(0)
            time.sleep(0.1)
        raise AssertionError(f"no email to {to} with a link containing {marker!r} in {outbox}")


def _environment(port: int, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "SMTP_"))}
    env.update(
        DATABASE_URL=f"sqlite+aiosqlite:///{data_dir / 'convene.db'}",
        DATA_DIR=str(data_dir),
        PORT=str(port),
        HOST="127.0.0.1",
        PUBLIC_URL=f"http://127.0.0.1:{port}",
        SECRET_KEY="test-secret-key-0123456789abcdef",
        ARGON2_MEMORY_KIB="8192",
        ARGON2_TIME_COST="1",
        AUTH_ATTEMPTS_PER_10MIN="100000",  # one server serves a whole module of sign-ins
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConveneServer]:
    """A real Convene on a free loopback port with its own SQLite file; stopped after the
    module. A module may set ``SERVER_ENV = {...}`` for extra settings."""
    require_chromium()
    data_dir = tmp_path_factory.mktemp("convene")
    port = free_port()
    env = _environment(port, data_dir) | getattr(request.module, "SERVER_ENV", {})
    subprocess.run([sys.executable, "-m", "server", "migrate"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=60)
    log_path = data_dir / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "server", "serve"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base_url, process, log_path)
        yield ConveneServer(base_url, data_dir)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_healthy(base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log_path.read_text(errors='replace')[-4000:]}")
        try:
            with urllib.request.urlopen(base_url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server did not become healthy:\n{log_path.read_text(errors='replace')[-4000:]}")


# ---- the browser ---------------------------------------------------------------


@pytest.fixture(scope="package")
def playwright_driver() -> Iterator[Any]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    manager = sync_playwright()
    driver = manager.start()
    try:
        yield driver
    finally:
        manager.__exit__(None, None, None)


@pytest.fixture(scope="package")
def browser(playwright_driver: Any) -> Iterator[Any]:
    browser = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()


# ---- people --------------------------------------------------------------------


@dataclass
class Person:
    """Someone with their own browser context (cookie jar) and one page."""

    name: str
    email: str
    context: Any
    page: Any
    user: dict[str, Any]
    server: ConveneServer
    problems: list[str]

    def api(self, method: str, path: str, data: Any = None, expect: int | tuple[int, ...] = (200, 201, 204)) -> Any:
        """Call the REST API with this person's session cookie."""
        response = self.context.request.fetch(self.server.url("/api/v1" + path), method=method, data=data)
        expected = (expect,) if isinstance(expect, int) else expect
        assert response.status in expected, f"{method} {path} -> {response.status} {response.text()}"
        return response.json() if response.status != 204 else None

    def goto(self, path: str) -> None:
        self.page.goto(self.server.url(path))

    def wait_connected(self, timeout: float = 10_000) -> None:
        self.page.wait_for_function("() => document.documentElement.dataset.connection === 'connected'", timeout=timeout)


_emails = itertools.count(1)


@pytest.fixture
def people(browser: Any, server: ConveneServer) -> Iterator[Callable[..., Person]]:
    """Make people: ``people("Ada", organisation="Camden")``. The first account on a
    server is its administrator; later ones confirm their address from the emailed link.
    Fails the test if a page throws or the browser reports a CSP violation."""
    made: list[Person] = []

    def make(name: str, organisation: str = "Camden Council", *, signed_in: bool = True, bypass_csp: bool = False,
             viewport: dict[str, int] | None = None, phone: bool = False) -> Person:
        address = f"{name.lower().replace(' ', '.')}.{next(_emails)}@example.gov.uk"
        device = {"is_mobile": True, "has_touch": True} if phone else {}
        context = browser.new_context(viewport=viewport or {"width": 1280, "height": 800}, bypass_csp=bypass_csp,
                                      locale="en-GB", timezone_id="Europe/London", **device)
        context.set_default_timeout(10_000)
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("console", lambda msg: problems.append(f"console: {msg.text}")
                if msg.type == "error" and ("Content Security Policy" in msg.text or "Refused to" in msg.text) else None)
        person = Person(name, address, context, page, {}, server, problems)
        made.append(person)
        signup = person.api("POST", "/auth/signup", {"email": address, "display_name": name, "organisation": organisation,
                                                     "password": PASSWORD}, expect=201)
        person.user = signup["user"]
        if not person.user["email_confirmed"]:
            link = server.mail_link(address, "/confirm?token=")
            token = link.split("token=", 1)[1]
            person.user = person.api("POST", "/auth/confirm", {"token": token})["user"]
        if not signed_in:
            person.api("POST", "/auth/signout", {})
        return person

    yield make
    problems = [f"{p.name}: {problem}" for p in made for problem in p.problems]
    for person in made:
        person.context.close()
    assert not problems, "\n".join(problems)


# ---- shared steps ----------------------------------------------------------------


def create_room(owner: Person, title: str, **fields: Any) -> dict[str, Any]:
    body = {"title": title, "summary": fields.pop("summary", f"Where we work on **{title}**."), "stage": "discovery",
            "visibility": "open", "tags": ["api"], "looking_for_collaborators": True} | fields
    return owner.api("POST", "/rooms", body, expect=201)["room"]


def start_thread(person: Person, room: dict[str, Any], title: str, body: str) -> dict[str, Any]:
    return person.api("POST", f"/rooms/{room['id']}/threads", {"title": title, "body": body, "client_id": f"seed-{time.time_ns()}"},
                      expect=201)["thread"]


def thread_path(room: dict[str, Any], thread: dict[str, Any]) -> str:
    return f"/r/{room['slug']}/t/{thread['id']}"


def two_in_a_thread(people: Callable[..., Person], room_title: str, thread_title: str, opening: str,
                    *, open_pages: tuple[str, ...] = ("ada", "ben")) -> tuple[Person, Person, dict[str, Any], dict[str, Any]]:
    """Ada (Camden) owns a room with a thread and Ben (DfT) has joined it. The pages
    named in ``open_pages`` are on the thread, connected, and marked so a test can
    tell whether they reloaded (``window.__sameDocument``)."""
    ada = people("Ada Lovelace", "Camden Council")
    ben = people("Ben Okafor", "Department for Transport")
    room = create_room(ada, room_title)
    thread = start_thread(ada, room, thread_title, opening)
    ben.api("POST", f"/rooms/{room['id']}/join")
    for person in (p for p in (ada, ben) if p.name.split()[0].lower() in open_pages):
        person.goto(thread_path(room, thread))
        person.wait_connected()
        person.page.evaluate("window.__sameDocument = true")  # disappears if the page reloads
    return ada, ben, room, thread


def message_texts(page: Any) -> list[str]:
    """Bodies of the confirmed messages on screen, in order."""
    return page.locator("ol.message-list:not(.pending-list) > li .message-body").all_inner_texts()


def post_message(page: Any, text: str, shown: str | None = None) -> None:
    """Type into the reply box and press Enter; wait until the server confirmed it.
    ``shown`` is the rendered text when Markdown changes it."""
    box = page.get_by_label("Reply", exact=True)
    box.fill(text)
    box.press("Enter")
    page.locator("ol.message-list:not(.pending-list) > li .message-body", has_text=shown or text).wait_for()
    page.wait_for_function("() => document.querySelectorAll('ol.pending-list > li').length === 0")


def run_axe(page: Any) -> list[dict[str, Any]]:
    """Violations of WCAG 2.0/2.1/2.2 A and AA rules on the current page (needs bypass_csp)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
                resultTypes: ["violations"],
            });
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + n.failureSummary),
            }));
        }"""
    )


# axe reports text whose background it cannot work out (white on a white page behind a
# flex container, for one) as "incomplete", not as a violation; this check computes it.
# For every visible element holding text (and every filled form control): its computed
# colour against the background found by blending the computed background colours of it
# and its ancestors up to an opaque one (the canvas is white), WCAG 2.x contrast ratio,
# 4.5:1 for normal text and 3:1 for large (24px, or 18.66px bold). Disabled controls are
# exempt (WCAG 1.4.3); an element over a background image is reported as unknown.
CONTRAST_SCRIPT = """() => {
    const parse = (text) => {
        const m = /^rgba?\\(([^)]+)\\)$/.exec(text.trim());
        if (!m) return null;
        const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
        return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
    };
    const over = (top, bottom) => ({
        r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a),
        b: top.b * top.a + bottom.b * (1 - top.a), a: 1});
    const luminance = (c) => {
        const f = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
        return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
    };
    const describe = (el) => {
        let text = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
            [...el.classList].map((c) => "." + c).join("");
        const parent = el.parentElement;
        if (parent) text = parent.tagName.toLowerCase() + [...parent.classList].map((c) => "." + c).join("") + " > " + text;
        return text;
    };
    const background = (el) => {
        const layers = [];
        let opacity = 1;
        for (let node = el; node; node = node.parentElement) {
            const style = getComputedStyle(node);
            opacity *= Number(style.opacity);
            if (style.backgroundImage !== "none") return {unknown: true};
            const colour = parse(style.backgroundColor);
            if (colour && colour.a > 0) {
                layers.push(colour);
                if (colour.a >= 1) break;
            }
        }
        let result = {r: 255, g: 255, b: 255, a: 1};
        for (const layer of layers.reverse()) result = over(layer, result);
        return {colour: result, opacity};
    };
    const elements = new Set();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.textContent.trim() && node.parentElement) elements.add(node.parentElement);
    }
    for (const control of document.querySelectorAll("input, textarea, select")) {
        if (control.value && !["checkbox", "radio", "hidden", "file", "range", "color"].includes(control.type)) elements.add(control);
    }
    const problems = [];
    for (const el of elements) {
        if (el.closest("script, style, noscript, svg, option")) continue;
        if (!el.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
        const rect = el.getBoundingClientRect();
        if (rect.width <= 1 || rect.height <= 1) continue;
        if (el.matches(":disabled") || el.closest("[disabled]")) continue;
        const style = getComputedStyle(el);
        const fg = parse(style.color);
        const bg = background(el);
        const label = describe(el) + " '" + (el.value || el.textContent).trim().slice(0, 40) + "'";
        if (!fg || bg.unknown) { problems.push(label + ": colours unknown (" + style.color + ")"); continue; }
        const shown = over({...fg, a: fg.a * bg.opacity}, bg.colour);
        const [l1, l2] = [luminance(shown), luminance(bg.colour)].sort((x, y) => y - x);
        const ratio = (l1 + 0.05) / (l2 + 0.05);
        const size = parseFloat(style.fontSize);
        const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
        const needed = large ? 3 : 4.5;
        if (ratio < needed - 0.005) {
            problems.push(label + ": " + ratio.toFixed(2) + ":1, needs " + needed + ":1 (" + style.color + " on rgb(" +
                [bg.colour.r, bg.colour.g, bg.colour.b].map(Math.round).join(", ") + "))");
        }
    }
    return problems;
}"""


def contrast_problems(page: Any) -> list[str]:
    """Text on the current page whose computed colours fall short of WCAG 1.4.3."""
    problems: list[str] = page.evaluate(CONTRAST_SCRIPT)
    return problems


def assert_accessible(page: Any, screen: str) -> None:
    """No axe violations and no text below WCAG contrast on ``screen``; callers first
    wait for the content they mean to check."""
    violations = run_axe(page)
    assert violations == [], f"{screen}: " + "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in violations)
    low = contrast_problems(page)
    assert low == [], f"{screen}: text below WCAG contrast:\n    " + "\n    ".join(low)
