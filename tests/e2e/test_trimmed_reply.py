"""A message by email with its signature and quoted history trimmed, in the browser: the room
sees a discreet marker and never the phone number; the author alone opens "Show trimmed text"
and puts part of it back with an ordinary edit."""

from __future__ import annotations

from .conftest import assert_accessible, create_room, thread_path
from .test_inbound_admin import SECRET, deliver

SERVER_ENV = {"INBOUND_WEBHOOK_SECRET": SECRET, "MAIL_DOMAIN": "convene.example"}

BODY = (
    "Camden can take the keeper data nightly.\r\n"
    "\r\n"
    "Kind regards,\r\n"
    "Ada Lovelace\r\n"
    "Parking Services Manager | Camden Council\r\n"
    "M: 07700 900461\r\n"
    "\r\n"
    "________________________________\r\n"
    "From: Convene <reply+abc@convene.example>\r\n"
    "Sent: 03 March 2025 10:15\r\n"
    "Subject: Keeper data\r\n"
    "\r\n"
    "Who can take the keeper data?\r\n"
)


def test_the_room_sees_a_marker_and_the_author_restores_what_was_trimmed(people, server):
    ada = people("Ada Lovelace", "Camden Council", bypass_csp=True)
    ben = people("Ben Okafor", "Department for Transport")
    room = create_room(ada, "Keeper data by email")
    ben.api("POST", f"/rooms/{room['id']}/join")
    deliver(
        server.base_url,
        (
            f"From: Ada Lovelace <{ada.email}>\r\nTo: <{room['slug']}@convene.example>\r\nSubject: Nightly keeper file\r\n"
            "Message-ID: <e2e-trimmed@example.gov.uk>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + BODY
        ).encode(),
    )
    [thread] = ada.api("GET", f"/rooms/{room['id']}/threads")["threads"]

    ben.goto(thread_path(room, thread))
    message = ben.page.locator("ol.message-list > li.message").first
    message.get_by_text("(trimmed quoted text and signature)").wait_for()
    assert message.get_by_role("button", name="Show trimmed text").count() == 0
    assert "07700" not in ben.page.content()

    ada.goto(thread_path(room, thread))
    mine = ada.page.locator("ol.message-list > li.message").first
    mine.get_by_role("button", name="Show trimmed text").click()
    panel = mine.locator(".message-trimmed-text")
    panel.get_by_text("M: 07700 900461").wait_for()
    assert "Sent: 03 March 2025 10:15" in panel.inner_text()
    assert_accessible(ada.page, "trimmed text shown to its author")

    panel.get_by_role("button", name="Put it back").click()
    editor = mine.get_by_label("Edit your message")
    assert editor.input_value().startswith("Camden can take the keeper data nightly.\n\nKind regards,")
    editor.fill("Camden can take the keeper data nightly.\n\nAda Lovelace, Parking Services Manager")
    mine.get_by_role("button", name="Save changes").click()
    message.locator(".message-body", has_text="Parking Services Manager").wait_for()
    assert "07700" not in ben.page.get_by_role("list", name="Messages", exact=True).inner_text()
