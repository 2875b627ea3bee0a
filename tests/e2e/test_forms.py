"""Forms (issue 19): every problem at once, in the words of the labels, checked in the
browser against the limits the server publishes (nothing is sent while any remain),
and what only the server can know shown in the label's words too."""

from __future__ import annotations

from typing import Any

from .conftest import create_room


def watch_posts(page: Any) -> list[str]:
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.method in ("POST", "PATCH") and "/api/v1/" in r.url else None)
    return sent


def summary_items(page: Any, form: Any = None) -> list[str]:
    (form or page).locator(".error-summary").wait_for()
    return [text.strip() for text in (form or page).locator(".error-summary-list li").all_inner_texts()]


def test_sign_up_shows_every_problem_at_once_in_the_labels_words(people):
    visitor = people("Vic Visitor", signed_in=False)
    page = visitor.page
    visitor.goto("/signup")
    page.locator("h1", has_text="Create an account").wait_for()
    sent = watch_posts(page)
    page.get_by_label("Your name").fill("N" * 101)
    page.get_by_label("Email address").fill("ada@camden")
    page.get_by_label("Create a password").fill("short")
    page.get_by_role("button", name="Create account").click()
    assert summary_items(page) == [
        "Your name must be 100 characters or fewer (it is 101)",
        "Enter your organisation",
        "Email address must be a whole address, like name@council.gov.uk",
        "Your password must be at least 10 characters",
    ]
    assert page.locator(".form-group-error").count() == 4
    assert sent == []  # checked in the browser first


def test_room_forms_check_the_published_limits_and_speak_the_labels_words(people):
    ada = people("Ada Lovelace")
    page = ada.page
    ada.goto("/rooms/new")
    page.get_by_label("Room name").wait_for()
    sent = watch_posts(page)
    page.get_by_label("Room name").fill("R" * 201)
    page.get_by_label("Tags (optional)").fill("housing, " + "t" * 41)
    page.get_by_role("button", name="Create room").click()
    assert summary_items(page) == [
        "Room name must be 200 characters or fewer (it is 201)",
        f"Each tag must be 40 characters or fewer: “{'t' * 41}” is longer",
    ]
    assert [url for url in sent if url.endswith("/api/v1/rooms")] == []

    # What only the server can know, in the label's words (the server says "title").
    page.get_by_label("Room name").fill("Parking\u0000 data")
    page.get_by_label("Tags (optional)").fill("")
    page.get_by_role("button", name="Create room").click()
    page.locator(".error-summary-list li", has_text="cannot be stored").wait_for()
    assert summary_items(page)[0].startswith("Room name contains a character that cannot be stored")


def test_invitations_explain_what_is_not_an_address_instead_of_splitting_it(people):
    ada = people("Ada Lovelace")
    room = create_room(ada, "Blue Badge renewals")
    page = ada.page
    ada.goto(f"/r/{room['slug']}")
    invite = page.locator("form", has=page.get_by_role("heading", name="Invite people by email"))
    invite.get_by_label("Email addresses").wait_for()
    sent = watch_posts(page)
    invite.get_by_label("Email addresses").fill("sam at supplier, ada@camden\nben@dft.example")
    invite.get_by_role("button", name="Invite").click()
    assert summary_items(page, invite) == [
        "“sam at supplier” is not an email address. Write each address in full, like name@council.gov.uk, "
        "and separate addresses with commas or new lines",
        "“ada@camden” is not a complete email address. Write it in full, like name@council.gov.uk",
    ]
    assert [url for url in sent if url.endswith("/members")] == []
    assert invite.get_by_label("Email addresses").input_value() == "sam at supplier, ada@camden\nben@dft.example"
