"""axe-core finds no WCAG 2.2 A/AA violations on any screen, in its ordinary states
(empty, filled, with errors, with suggestions open). Runs on its own fresh server so
the first-run screen can be checked."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .conftest import PASSWORD, ROOT, ConveneServer, assert_accessible


@pytest.fixture
def browse(browser: Any, server: ConveneServer) -> Any:
    contexts: list[Any] = []
    problems: list[str] = []

    def new_page(width: int = 1280, height: int = 800) -> Any:
        # bypass_csp lets Playwright inject axe-core; the app itself never needs it.
        context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True, locale="en-GB")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(str(error)))
        return page

    yield new_page
    for context in contexts:
        context.close()
    assert not problems, problems


def test_every_screen_passes_axe(browse, server: ConveneServer):
    page = browse()
    url = server.url

    # First run: set-up screen, empty and with errors.
    page.goto(url("/"))
    page.wait_for_url("**/setup")
    page.locator("h1", has_text="Set up Convene").wait_for()
    assert_accessible(page, "set-up")
    page.get_by_role("button", name="Create administrator account").click()
    page.locator(".error-summary").wait_for()
    assert page.evaluate("() => document.activeElement.classList.contains('error-summary')")
    assert_accessible(page, "set-up with errors")
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Organisation").fill("Camden Council")
    page.get_by_label("Email address").fill("ada@camden.example")
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_role("button", name="Create administrator account").click()
    page.locator("h1", has_text="Inbox").wait_for()  # the signed-in home
    page.get_by_text("You are all caught up").wait_for()
    assert_accessible(page, "empty inbox")
    page.get_by_role("link", name="Rooms", exact=True).click()
    page.locator("h1", has_text="Rooms").wait_for()
    assert_accessible(page, "empty directory")

    # Create a room, with errors first.
    page.get_by_role("link", name="Create a room").first.click()
    page.locator("h1", has_text="Create a room").wait_for()
    assert_accessible(page, "create room")
    page.get_by_role("button", name="Create room").click()
    page.locator(".error-summary").wait_for()
    assert_accessible(page, "create room with errors")
    page.get_by_label("Room name").fill("Blue Badge renewals")
    page.get_by_label("Summary (optional)").fill("Renewing a **Blue Badge** online.\n\n- eligibility\n- payments")
    page.get_by_label("Tags (optional)").fill("blue-badge, api")
    page.get_by_label("Looking for collaborators").check()
    page.get_by_role("button", name="Create room").click()
    page.locator("h1", has_text="Blue Badge renewals").wait_for()
    page.get_by_role("heading", name="Members").wait_for()
    assert_accessible(page, "room")

    # Someone else joins, so mentions have someone to suggest.
    ben = browse()
    ben.request.post(url("/api/v1/auth/signup"), data={"email": "ben@dft.example", "display_name": "Ben Okafor",
                                                     "organisation": "Department for Transport", "password": PASSWORD})
    token = server.mail_link("ben@dft.example", "/confirm?token=").split("token=", 1)[1]
    ben.request.post(url("/api/v1/auth/confirm"), data={"token": token})
    ben.request.post(url("/api/v1/rooms/blue-badge-renewals/join"))
    # The room shows Ben arrive (member.joined, live) before anyone mentions him.
    page.locator(".room-members .member-name", has_text="Ben Okafor").wait_for()

    # Start a thread.
    page.get_by_role("link", name="Start a thread").click()
    page.get_by_role("heading", name="Start a thread").wait_for()
    assert_accessible(page, "start a thread")
    page.get_by_label("Title").fill("Eligibility check")
    page.get_by_label("First message").fill("The [draft rules](https://example.org/rules) are ready.\n\n1. age\n2. `benefit` status")
    page.get_by_role("button", name="Start thread").click()
    page.get_by_role("heading", name="Eligibility check").wait_for()
    page.locator(".message-body", has_text="draft rules").wait_for()

    # A thread with messages, the preview open, mention suggestions open, an edit box and a delete question.
    box = page.get_by_label("Reply", exact=True)
    box.fill("Second message with **bold**")
    box.press("Enter")
    page.locator("ol.message-list:not(.pending-list) > li", has_text="Second message").wait_for()
    assert_accessible(page, "thread")
    box.fill("A *preview*")
    page.get_by_role("button", name="Preview").click()
    page.locator(".preview-body em", has_text="preview").wait_for()
    assert_accessible(page, "thread with preview")
    box.fill("")
    box.press_sequentially("Hello @Be")
    page.get_by_role("option", name="Ben Okafor").wait_for()
    assert_accessible(page, "thread with mention suggestions")
    box.press("Escape")
    first = page.locator("ol.message-list > li").first
    first.get_by_role("button", name="Edit").click()
    assert_accessible(page, "thread with an edit box")
    page.keyboard.press("Escape")
    first.get_by_role("button", name="Delete").click()
    assert_accessible(page, "thread with a delete question")
    page.get_by_role("button", name="Keep it").click()

    # An edited message with its earlier versions open.
    second_id = page.locator("ol.message-list > li", has_text="Second message").get_attribute("id")
    second = page.locator(f"#{second_id}")
    second.locator("button[data-action=edit]").click()
    second.get_by_label("Edit your message").fill("Second message with **bold** and a correction")
    second.get_by_label("Edit your message").press("Enter")
    second.locator(".message-body", has_text="and a correction").wait_for()
    second.locator("button[data-action=history]").click()
    second.locator(".message-history .revision-body", has_text="Second message with bold").wait_for()
    assert_accessible(page, "thread with edit history open")

    # The room overview as its owner: the invite form, with an error.
    page.goto(url("/r/blue-badge-renewals"))
    page.get_by_role("heading", name="Members").wait_for()
    invite = page.locator("form", has=page.get_by_role("heading", name="Invite people by email"))
    invite.get_by_label("Email addresses").fill("")
    invite.get_by_role("button", name="Invite").click()
    invite.locator(".error-summary").wait_for()
    assert_accessible(page, "room with an invite error")

    # Room settings, as they are and with an error.
    page.get_by_role("link", name="Edit room").click()
    page.get_by_label("Room name").wait_for()
    assert_accessible(page, "edit room")
    page.get_by_label("Room name").fill("")
    page.get_by_role("button", name="Save changes").click()
    page.locator(".error-summary").wait_for()
    assert_accessible(page, "edit room with errors")

    # The directory with a room in it, filtered.
    page.goto(url("/rooms?stage=discovery"))
    page.locator(".room-card").first.wait_for()
    assert_accessible(page, "directory")

    # Signed out: sign in, sign up, emailed link, confirm.
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.locator("h1", has_text="Sign in").wait_for()
    assert_accessible(page, "sign in")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.locator(".error-summary").first.wait_for()
    assert_accessible(page, "sign in with errors")
    link_form = page.locator("form", has=page.get_by_role("heading", name="Or sign in with an emailed link"))
    link_form.get_by_label("Email address").fill("ada@camden.example")
    link_form.get_by_role("button", name="Email me a sign-in link").click()
    page.get_by_text("we have emailed it a sign-in link").wait_for()
    assert_accessible(page, "sign in, link sent")
    link = server.mail_link("ada@camden.example", "/signin/link?token=")
    page.goto(link)
    page.get_by_role("button", name="Sign me in").wait_for()
    assert_accessible(page, "emailed sign-in link")
    page.get_by_role("button", name="Sign me in").click()
    page.locator("h1", has_text="Inbox").wait_for()
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.locator("h1", has_text="Sign in").wait_for()

    page.goto(url("/signup"))
    page.locator("h1", has_text="Create an account").wait_for()
    assert_accessible(page, "sign up")
    page.get_by_label("Your name").fill("Cara Singh")
    page.get_by_label("Organisation").fill("Leeds City Council")
    page.get_by_label("Email address").fill("cara@leeds.example")
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    assert_accessible(page, "sign up, check your email")
    page.goto(server.mail_link("cara@leeds.example", "/confirm?token="))
    page.get_by_role("button", name="Confirm my address").wait_for()
    assert_accessible(page, "confirm")
    page.get_by_role("button", name="Confirm my address").click()
    page.get_by_role("heading", name="Your address is confirmed").wait_for()
    assert_accessible(page, "confirmed")

    page.goto(url("/accessibility"))
    page.locator("h1", has_text="Accessibility statement for Convene").wait_for()
    assert_accessible(page, "accessibility statement")
    page.goto(url("/no/such/page"))
    page.locator("h1", has_text="Page not found").wait_for()
    assert_accessible(page, "not found")


def test_statement_page_and_document_match():
    """docs/accessibility.md and the /accessibility page keep the same sections."""
    doc = (ROOT / "docs" / "accessibility.md").read_text(encoding="utf-8")
    page_source = (ROOT / "web" / "app" / "views" / "accessibility.js").read_text(encoding="utf-8")
    doc_headings = re.findall(r"^#{2,3} (.+)$", doc, flags=re.M)
    page_headings = re.findall(r'\["h[23]", "([^"]+)"\]', page_source)
    assert doc_headings == page_headings
    assert "27 November 2026" in doc and "27 November 2026" in page_source
