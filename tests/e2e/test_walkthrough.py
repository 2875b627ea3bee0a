"""The first ten minutes, played by four people on a fresh server, in Chromium.

Ada (Camden) opens the fresh server and becomes its first administrator, records her
council's email domain and opens a room looking for collaborators. Ben (Leeds) says
"We have this problem too" and replies; Ada's open page hears both. Fay, made
facilitator while her page is open, seeds a workshop file (the preview says she will
own every new room and flags a concept like Ada's) and moves a concept to incubation
with the keyboard. Sam, a supplier Ada invites by email, follows the link (the page
says who invited him and asks his organisation), and answers Ada by email: the real
``python -m server mail-in`` fed an .eml, and Ada's and Ben's pages show it live.

Everything a person does is done in their browser; the API is used only to read
what the test checks, and the mail is read from the outbox the server writes.
"""

from __future__ import annotations

import email
import email.policy
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from .conftest import PASSWORD, ROOT, ConveneServer, _environment

SERVER_ENV = {"NOTIFY_DELAY_SECONDS": "0"}  # Sam's notification leaves at once

WORKSHOP = (
    "Concept,Summary,Stage,Facilitator,Participants,Opening questions,Tags,User need,Cost benefit,Rapid success\r\n"
    'Fly-tipping reports for councils,"One form, every council.",Discovery,,ops@leeds.example,Who collects the reports?,waste,,,\r\n'
    'School transport eligibility,"Check eligibility once.",Co-Design,,transport@kent.example,Which rules differ?,transport,,,\r\n'
)


def _page(browser: Any) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(30_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    return context, page, problems


def _sign_up(page: Any, server: ConveneServer, name: str, organisation: str, address: str) -> None:
    page.goto(server.url("/signup"))
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Organisation").fill(organisation)
    page.get_by_label("Email address").fill(address)
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.goto(server.mail_link(address, "/confirm?token="))
    page.get_by_role("button", name="Confirm my address").click()
    page.get_by_role("heading", name="Your address is confirmed").wait_for()
    page.get_by_role("link", name="Go to the rooms").click()
    page.locator(".header-user", has_text=name).wait_for()


def _connected(page: Any) -> None:
    page.wait_for_function("() => document.documentElement.dataset.connection === 'connected'", timeout=15_000)


def _api(context: Any, server: ConveneServer, method: str, path: str, data: Any = None) -> Any:
    response = context.request.fetch(server.url("/api/v1" + path), method=method, data=data)
    assert response.ok, f"{method} {path} -> {response.status} {response.text()}"
    return response.json()


def _mail_to(server: ConveneServer, address: str, marker: str, timeout: float = 40.0) -> email.message.EmailMessage:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted((server.data_dir / "outbox").glob("*.eml"), key=lambda p: p.stat().st_mtime_ns, reverse=True):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            body = message.get_body(preferencelist=("plain",))
            if address in str(message["To"]) and body is not None and marker in body.get_content():
                return message  # type: ignore[return-value]
        time.sleep(0.1)
    sent = [
        f"{m['To']}: {m['Subject']}"
        for m in (email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in (server.data_dir / "outbox").glob("*.eml"))
    ]
    raise AssertionError(f"no email to {address} holding {marker!r}; sent: {sent}; log: {server.data_dir / 'server.log'}")


@pytest.mark.timeout(240)  # four people and a subprocess on a shared machine: more than one test's minute
def test_four_new_people_in_their_first_ten_minutes(browser: Any, server: ConveneServer, tmp_path: Path) -> None:
    opened: list[tuple[str, Any, list[str]]] = []
    try:
        # ---- Ada: the first administrator of a fresh server --------------------------
        ada_context, ada, ada_problems = _page(browser)
        opened.append(("Ada", ada_context, ada_problems))
        ada.goto(server.url("/"))
        ada.wait_for_url("**/setup")
        ada.get_by_label("Your name").fill("Ada Lovelace")
        ada.get_by_label("Organisation").fill("Camden Council")
        ada.get_by_label("Email address").fill("ada@camden.example")
        ada.get_by_label("Create a password").fill(PASSWORD)
        ada.get_by_role("button", name="Create administrator account").click()
        ada.locator(".header-user", has_text="Ada Lovelace").wait_for()

        # Her council's domain, so its people show as a verified council.
        ada.goto(server.url("/admin/organisations"))
        ada.get_by_label("Name").fill("Camden Council")
        ada.get_by_label("Email domains").fill("camden.example")
        ada.get_by_label("Kind").select_option("council")
        ada.get_by_role("button", name="Create organisation").click()
        ada.get_by_text("Camden Council is created.").wait_for()
        me = _api(ada_context, server, "GET", "/me")["user"]
        assert me["organisation"] == {"name": "Camden Council", "verified": True} or me["organisation"]["verified"] is True

        # A room looking for collaborators, with a thread (from the Rooms page: the header
        # keeps to one row and has no "Create a room").
        ada.get_by_role("link", name="Rooms", exact=True).first.click()
        ada.get_by_role("link", name="Create a room").first.click()
        ada.get_by_label("Room name").fill("Deferred care payments calculator")
        ada.get_by_label("Summary (optional)").fill("Care Act deferred payment agreements, worked out before April.")
        ada.get_by_label("Tags (optional)").fill("care act")
        ada.get_by_label("Looking for collaborators").check()
        ada.get_by_role("button", name="Create room").click()
        ada.get_by_role("heading", name="Who is involved").wait_for()
        room_path = "/" + ada.url.split("/", 3)[3]
        ada.get_by_role("link", name="Start a thread").click()
        ada.get_by_label("Title").fill("Interest rates")
        ada.get_by_label("First message").fill("Which interest rate do your councils charge?")
        ada.get_by_role("button", name="Start thread").click()
        ada.get_by_role("heading", name="Interest rates").wait_for()
        thread_path = "/" + ada.url.split("/", 3)[3]
        ada.goto(server.url(room_path))
        _connected(ada)
        involved = ada.get_by_role("region", name="Who is involved")
        involved.get_by_text("We have this problem too: 0 organisations").wait_for()

        # ---- Ben (Leeds): interest, then a reply that joins the room ------------------
        ben_context, ben, ben_problems = _page(browser)
        opened.append(("Ben", ben_context, ben_problems))
        _sign_up(ben, server, "Ben Okafor", "Leeds City Council", "ben@leeds.example")
        ben.get_by_role("link", name="Collaborate").click()
        ben.get_by_role("heading", name="Looking for collaborators", level=1).wait_for()
        card = ben.locator(".collab-card", has_text="Deferred care payments calculator")
        card.get_by_role("button", name="We have this problem too").click()
        card.locator(".interest-who", has_text="Leeds City Council (Ben Okafor)").wait_for()
        involved.get_by_text("We have this problem too: 1 organisation").wait_for()  # Ada's page, live
        ada.get_by_role("link", name="Inbox").click()
        ada.get_by_role("region", name="Interest in your rooms").get_by_text("Ben Okafor").wait_for()

        ada.goto(server.url(thread_path))
        _connected(ada)
        ben.goto(server.url(thread_path))
        _connected(ben)
        ben.get_by_text("Replying here joins this room").wait_for()
        box = ben.get_by_label("Reply", exact=True)
        box.fill("Leeds charges the maximum rate; happy to share the sheet.")
        box.press("Enter")
        ada.locator("ol.message-list:not(.pending-list) > li", has_text="Leeds charges the maximum rate").wait_for()
        started = time.monotonic()

        # ---- Fay: made facilitator while her page is open; seeds; moves by keyboard ---
        fay_context, fay, fay_problems = _page(browser)
        opened.append(("Fay", fay_context, fay_problems))
        _sign_up(fay, server, "Fay Facilitator", "LocalGov Digital", "fay@localgov.example")
        fay.goto(server.url("/seed"))
        fay.get_by_text("Only facilitators and administrators can seed rooms.").wait_for()
        _connected(fay)
        fay_id = _api(fay_context, server, "GET", "/me")["user"]["id"]
        ada.goto(server.url("/admin/people"))
        ada.get_by_label("Role of Fay Facilitator").select_option("facilitator")
        ada.locator("tr", has_text="fay@localgov.example").get_by_role("button", name="Change role").click()
        fay.get_by_role("link", name="Seed rooms").wait_for()  # live: no reload
        assert _api(fay_context, server, "GET", "/me")["user"]["role"] == "facilitator"
        assert fay_id

        workshop = tmp_path / "care-day.csv"
        workshop.write_text(WORKSHOP.replace("Fly-tipping reports for councils", "Deferred social care payments calculator"))
        fay.get_by_label("Workshop file").set_input_files(str(workshop))
        fay.get_by_role("button", name="Preview").click()
        fay.locator("h2", has_text="Preview").wait_for()
        assert "will be an owner of each" in fay.locator(".seed-seeder").inner_text()
        fay.locator(".seed-similar", has_text="Deferred care payments calculator").wait_for()
        fay.get_by_role("button", name="Apply").click()
        fay.locator("h2", has_text="Applied").wait_for()

        fay.get_by_role("link", name="Pipeline").click()
        fay.get_by_role("heading", name="Pipeline", level=1).wait_for()
        move = fay.get_by_role("button", name="Move School transport eligibility")
        move.focus()
        fay.keyboard.press("Enter")
        fay.get_by_role("menu", name="Move School transport eligibility to").wait_for()
        for _ in range(10):  # down the menu to Incubation
            if fay.evaluate("() => document.activeElement.innerText.trim()") == "Incubation":
                break
            fay.keyboard.press("ArrowDown")
        fay.keyboard.press("Enter")
        dialog = fay.get_by_role("dialog", name="Move School transport eligibility")
        dialog.wait_for()
        for text in ("Pupils' families apply twice", "One check instead of three", "Kent has the rules written"):
            fay.keyboard.type(text)
            fay.keyboard.press("Tab")
        fay.evaluate("() => document.querySelector('dialog [name=\"note\"]')?.focus()")
        fay.keyboard.type("Agreed on the day")
        dialog.get_by_role("button", name="Move room").focus()
        fay.keyboard.press("Enter")
        dialog.wait_for(state="detached")
        fay.locator("section.pipeline-incubation").get_by_role("link", name="School transport eligibility").wait_for()

        # ---- Sam (supplier): invited by email, names his organisation, replies by mail ---
        ada.goto(server.url(room_path))
        form = ada.locator("form", has=ada.get_by_role("heading", name="Invite people by email"))
        form.get_by_label("Email addresses").fill("sam@supplier.example")
        form.get_by_role("button", name="Invite").click()
        form.get_by_role("status").locator("li", has_text="sam@supplier.example: invited").wait_for()
        link = server.mail_link("sam@supplier.example", "/invitation?token=")

        sam_context, sam, sam_problems = _page(browser)
        opened.append(("Sam", sam_context, sam_problems))
        sam.goto(link)
        intro = sam.locator(".invitation-intro", has_text="invited you")
        intro.wait_for()
        assert "Ada Lovelace (Camden Council) invited you" in intro.inner_text()
        assert "Deferred care payments calculator" in intro.inner_text()
        sam.get_by_label("Your organisation").fill("Acme Digital")
        sam.get_by_role("button", name="Accept and go to the room").click()
        sam.get_by_role("heading", name="Deferred care payments calculator", level=1).wait_for()
        sam.goto(server.url(thread_path))
        sam.get_by_role("button", name="Follow thread").click()
        sam.get_by_role("button", name="Unfollow thread").wait_for()
        sam.goto(server.url("/"))  # away from the thread: a message read on screen is not mailed
        sam.get_by_role("heading", name="Inbox").wait_for()

        ada.goto(server.url(thread_path))
        _connected(ada)
        box = ada.get_by_label("Reply", exact=True)
        box.fill("Sam, can your calculator take a council's own rate?")
        box.press("Enter")
        ada.locator("ol.message-list:not(.pending-list) > li", has_text="can your calculator").wait_for()
        notice = _mail_to(server, "sam@supplier.example", "can your calculator")
        reply_to = str(notice["Reply-To"]).strip("<> ")
        assert reply_to.startswith("reply+"), reply_to

        reply = (
            f"From: Sam <sam@supplier.example>\r\nTo: {reply_to}\r\nSubject: Re: {notice['Subject']}\r\n"
            f"Message-ID: <walkthrough-1@supplier.example>\r\nIn-Reply-To: {notice['Message-ID']}\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            "Yes: each council sets its own rate in the settings.\r\n\r\n"
            "On Monday, Convene wrote:\r\n> Sam, can your calculator take a council's own rate?\r\n"
        ).encode()
        port = server.base_url.rsplit(":", 1)[1]
        env = _environment(int(port), server.data_dir) | SERVER_ENV
        done = subprocess.run(
            [sys.executable, "-m", "server", "mail-in", "--to", reply_to, "--from", "sam@supplier.example"],
            cwd=ROOT, env=env, input=reply, capture_output=True, timeout=60,
        )
        assert done.returncode == 0, done.stderr.decode()
        assert b"posted" in done.stdout, done.stdout
        for page in (ada, ben):
            answer = page.locator("ol.message-list:not(.pending-list) > li", has_text="each council sets its own rate")
            answer.wait_for()
            assert "Acme Digital" in answer.inner_text()
        assert "On Monday, Convene wrote" not in ada.locator("ol.message-list:not(.pending-list)").inner_text()  # the quote is trimmed
        assert time.monotonic() - started < 300
    finally:
        problems = [f"{name}: {problem}" for name, _, listed in opened for problem in listed]
        for _, context, _ in opened:
            context.close()
    assert not problems, "\n".join(problems)
