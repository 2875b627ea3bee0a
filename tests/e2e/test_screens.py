"""Every screen, signed out and signed in, on a laptop (1280x800) and a phone (390x844):
a normal visit leaves the console clean (no errors or warnings, no failed or refused
requests), nothing scrolls sideways on the phone, and the site header stays within
its bounds (one row for an administrator on the laptop).

One server and one browser page for the whole walk keep it to a few seconds a screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .conftest import PASSWORD, ROOT, ConveneServer

SAMPLE = ROOT / "tests" / "seed_files" / "files" / "discovery-day.csv"
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# The header on a phone: the brand, the search box and the links in a few short rows.
PHONE_HEADER_MAX = 130
# On a laptop every link fits one row beside the brand (two rows measure over 90 px).
LAPTOP_HEADER_MAX = 70


@dataclass
class Console:
    """What a page reported since ``mark()``: console errors and warnings, requests that
    failed (aborted, refused) and answers of 400 or more. Requests started before the
    last navigation belong to the page left behind and are not counted."""

    page: Any
    problems: list[str] = field(default_factory=list)
    current: set[Any] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.page.on("console", lambda msg: self.problems.append(f"console {msg.type}: {msg.text}")
                     if msg.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("request", lambda r: self.current.add(r))
        self.page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.method} {r.url} {r.failure}")
                     if r in self.current else None)
        self.page.on("response", lambda r: self.problems.append(f"{r.status} from {r.request.method} {r.url}")
                     if r.status >= 400 and r.request in self.current else None)

    def mark(self) -> None:
        self.current.clear()

    def take(self) -> list[str]:
        found, self.problems[:] = list(self.problems), []
        return found


def visit(page: Any, console: Console, server: ConveneServer, path: str) -> None:
    console.mark()
    page.goto(server.url(path))
    page.locator("main h1").first.wait_for()
    page.wait_for_load_state("networkidle")


def measure(page: Any) -> dict[str, float]:
    return page.evaluate("""() => ({
        overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        header: document.querySelector('.site-header').getBoundingClientRect().height,
        widest: [...document.querySelectorAll('main *')].reduce((w, el) => Math.max(w, el.getBoundingClientRect().right), 0),
    })""")


def walk(page: Any, console: Console, server: ConveneServer, paths: list[str], who: str) -> list[str]:
    failures: list[str] = []
    for size in (LAPTOP, PHONE):
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


def test_every_screen_is_quiet_and_fits(browser: Any, server: ConveneServer, people):
    context = browser.new_context(viewport=LAPTOP, locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(10_000)
    page = context.new_page()
    console = Console(page)
    try:
        # Signed out, on a fresh server: the set-up screen, then the public pages.
        visit(page, console, server, "/")
        page.wait_for_url("**/setup")
        assert console.take() == []
        ada = people("Ada Lovelace", "LocalGov Digital")  # the first account: administrator
        failures = walk(page, console, server, ["/signin", "/signup", "/rooms", "/accessibility", "/no/such/page"], "signed out")

        # Signed in as the administrator; the sample workshop seeded through the page,
        # whose streamed preview and apply must not show as aborted requests.
        page.request.post(server.url("/api/v1/auth/signin"), data={"email": ada.email, "password": PASSWORD})
        visit(page, console, server, "/seed")
        page.get_by_label("Workshop file").set_input_files(str(SAMPLE))
        page.get_by_role("button", name="Preview").click()
        page.locator("h2", has_text="Preview").wait_for()
        page.get_by_role("button", name="Apply").click()
        page.locator("h2", has_text="Applied").wait_for()
        page.wait_for_load_state("networkidle")
        failures += [f"seeding: {problem}" for problem in console.take()]

        event = ada.api("GET", "/events")["events"][0]
        room = ada.api("GET", "/rooms")["rooms"][0]
        thread = ada.api("GET", f"/rooms/{room['id']}/threads")["threads"][0]
        slug = room["slug"]
        failures += walk(page, console, server, [
            "/", "/rooms", "/search?q=DVLA", "/mentions", "/rooms/new", "/profile", "/settings/notifications",
            "/collaborate", "/pipeline", "/seed", "/events", f"/events/{event['id']}",
            "/admin/people", "/admin/rooms", "/admin/organisations", "/admin/inbound-mail", "/admin/audit",
            f"/r/{slug}", f"/r/{slug}/new", f"/r/{slug}/settings", f"/r/{slug}/t/{thread['id']}",
            "/accessibility", "/no/such/page",
        ], "administrator")
        assert failures == [], "\n".join(failures)
    finally:
        context.close()
