"""Every screen, signed out and signed in, on a laptop (1280x800) and a phone (390x844):
a normal visit leaves the console clean (no errors or warnings, no failed or refused
requests), nothing scrolls sideways on the phone, and the site header stays within
its bounds (one row for an administrator on the laptop).

One server for the module; the signed-in walks share one page, seeded through the seed
page (whose streamed answers must not show as aborted requests).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

import pytest

from .conftest import PASSWORD, ROOT, ConveneServer

SAMPLE = ROOT / "tests" / "seed_files" / "files" / "discovery-day.csv"
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# The header on a phone: one row, the brand and the Menu button (the links open below).
PHONE_HEADER_MAX = 64
# On a laptop every link fits one row beside the brand (two rows measure over 90 px).
LAPTOP_HEADER_MAX = 70


@dataclass
class Console:
    """What a page reported: console errors and warnings, requests that failed (aborted,
    refused) and answers of 400 or more. Requests started before the last navigation
    committed belong to the page left behind (leaving aborts them) and are not counted."""

    page: Any
    problems: list[str] = field(default_factory=list)
    current: set[Any] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.page.on("console", lambda msg: self.problems.append(f"console {msg.type}: {msg.text}")
                     if msg.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("request", lambda r: self.current.add(r))
        self.page.on("framenavigated", lambda frame: self.current.clear() if frame == self.page.main_frame else None)
        self.page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.method} {r.url} {r.failure}")
                     if r in self.current else None)
        self.page.on("response", lambda r: self.problems.append(f"{r.status} from {r.request.method} {r.url}")
                     if r.status >= 400 and r.request in self.current else None)

    def take(self) -> list[str]:
        found, self.problems[:] = list(self.problems), []
        return found


LOADED = """() => !document.querySelector('main [aria-busy="true"]') && !/Loading/.test(document.querySelector('main').innerText)"""


def visit(page: Any, console: Console, server: ConveneServer, path: str) -> None:
    """Open ``path``, wait for its content and for the network to go quiet (a person
    reads a page before leaving it; leaving earlier aborts its requests)."""
    page.goto(server.url(path))
    page.locator("main h1").first.wait_for()
    page.wait_for_function(LOADED)
    page.wait_for_load_state("networkidle")


def measure(page: Any) -> dict[str, float]:
    return page.evaluate("""() => ({
        overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        header: document.querySelector('.site-header').getBoundingClientRect().height,
        widest: [...document.querySelectorAll('main *')].reduce((w, el) => Math.max(w, el.getBoundingClientRect().right), 0),
    })""")


def walk(page: Any, console: Console, server: ConveneServer, paths: list[str], who: str, sizes: tuple[dict[str, int], ...]) -> list[str]:
    failures: list[str] = []
    for size in sizes:
        page.set_viewport_size(size)
        for path in paths:
            visit(page, console, server, path)
            where = f"{who} {path} at {size['width']}x{size['height']}"
            failures += [f"{where}: {problem}" for problem in console.take()]
            shape = measure(page)
            if shape["overflow"] > 0:
                failures.append(f"{where}: scrolls sideways by {shape['overflow']}px (widest content ends at {shape['widest']:.0f}px)")
            bound = PHONE_HEADER_MAX if size is PHONE else LAPTOP_HEADER_MAX
            if shape["header"] > bound:
                failures.append(f"{where}: the header is {shape['header']:.0f}px tall (at most {bound})")
    return failures


@dataclass
class Site:
    page: Any
    console: Console
    paths: list[str]
    seeding: list[str]


def new_page(browser: Any) -> tuple[Any, Any, Console]:
    context = browser.new_context(viewport=LAPTOP, locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(10_000)
    page = context.new_page()
    return context, page, Console(page)


def test_signed_out_screens(browser: Any, server: ConveneServer):
    """First in the module: the set-up screen of a fresh server, then the public pages."""
    context, page, console = new_page(browser)
    try:
        visit(page, console, server, "/")
        page.wait_for_url("**/setup")
        failures = [f"set-up: {problem}" for problem in console.take()]
        failures += walk(page, console, server, ["/setup", "/signin", "/signup", "/rooms", "/accessibility", "/no/such/page"],
                         "signed out", (LAPTOP, PHONE))
        assert failures == [], "\n".join(failures)
    finally:
        context.close()


@pytest.fixture(scope="module")
def site(browser: Any, server: ConveneServer) -> Iterator[Site]:
    """The module's first account (so its administrator; the signed-out walk creates
    none), signed in, having seeded the sample workshop on the seed page."""
    context, page, console = new_page(browser)
    try:
        signup = page.request.post(server.url("/api/v1/auth/signup"), data={
            "email": "ada@localdigital.example", "display_name": "Ada Lovelace", "organisation": "LocalGov Digital",
            "password": PASSWORD})
        assert signup.status == 201 and signup.json()["user"]["role"] == "administrator", signup.text()
        visit(page, console, server, "/seed")
        page.get_by_label("Workshop file").set_input_files(str(SAMPLE))
        page.get_by_role("button", name="Preview").click()
        page.locator("h2", has_text="Preview").wait_for()
        page.get_by_role("button", name="Apply").click()
        page.locator("h2", has_text="Applied").wait_for()
        page.wait_for_load_state("networkidle")
        seeding = console.take()

        def api(path: str) -> Any:
            return page.request.get(server.url("/api/v1" + path)).json()

        event = api("/events")["events"][0]
        room = api("/rooms")["rooms"][0]
        thread = api(f"/rooms/{room['id']}/threads")["threads"][0]
        slug = room["slug"]
        paths = [
            "/", "/rooms", "/search?q=DVLA", "/mentions", "/rooms/new", "/profile", "/settings/notifications",
            "/collaborate", "/pipeline", "/seed", "/events", f"/events/{event['id']}",
            "/admin/people", "/admin/rooms", "/admin/organisations", "/admin/inbound-mail", "/admin/audit",
            f"/r/{slug}", f"/r/{slug}/new", f"/r/{slug}/settings", f"/r/{slug}/t/{thread['id']}",
            "/accessibility", "/no/such/page",
        ]
        yield Site(page, console, paths, seeding)
    finally:
        context.close()


def test_seeding_on_the_seed_page_leaves_the_console_clean(site: Site):
    assert site.seeding == []


def test_every_signed_in_screen_on_a_laptop(site: Site, server: ConveneServer):
    failures = walk(site.page, site.console, server, site.paths, "administrator", (LAPTOP,))
    assert failures == [], "\n".join(failures)


def test_every_signed_in_screen_on_a_phone(site: Site, server: ConveneServer):
    failures = walk(site.page, site.console, server, site.paths, "administrator", (PHONE,))
    assert failures == [], "\n".join(failures)
