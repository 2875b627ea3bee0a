"""Inviting from the web: several addresses in one go, what happened to each read out,
and the invited person following the emailed link into the room."""

from __future__ import annotations

from .conftest import assert_accessible, create_room, start_thread

NEWCOMER = "nia.jones@newcouncil.example"


def test_owner_invites_several_addresses_and_a_newcomer_follows_the_link(people, browser, server):
    ada = people("Ada Lovelace", "Camden Council", bypass_csp=True)
    ben = people("Ben Okafor", "Department for Transport")
    room = create_room(ada, "Fraud referrals", visibility="invite", summary="Sharing **referral** patterns.")
    start_thread(ada, room, "Referral forms", "Which fields does each council collect?")

    ada.goto(f"/r/{room['slug']}")
    ada.wait_connected()
    form = ada.page.locator("form", has=ada.page.get_by_role("heading", name="Invite people by email"))
    form.wait_for()

    # Nothing entered: the error is on the field and in the summary.
    form.get_by_role("button", name="Invite").click()
    form.locator(".error-summary a", has_text="Enter the email address of at least one person to invite").wait_for()
    assert form.get_by_label("Email addresses").get_attribute("aria-invalid") == "true"

    # A typo among the addresses is explained in the browser (issue 19), and nothing is sent.
    form.get_by_label("Email addresses").fill(f"{ben.email}; {NEWCOMER}\nnot-an-address")
    form.get_by_role("button", name="Invite").click()
    form.locator(".error-summary a", has_text="“not-an-address” is not a complete email address").wait_for()
    assert form.get_by_label("Email addresses").input_value() == f"{ben.email}; {NEWCOMER}\nnot-an-address"

    # Ben (an account) and a newcomer, pasted as one list: sent in one request.
    form.get_by_label("Email addresses").fill(f"{ben.email}; {NEWCOMER}")
    with ada.page.expect_request(lambda r: r.method == "POST" and r.url.endswith(f"/rooms/{room['id']}/members")) as sent:
        form.get_by_role("button", name="Invite").click()
    assert sent.value.post_data_json == {"emails": [ben.email, NEWCOMER]}
    results = form.get_by_role("status")
    results.locator("li", has_text=f"Ben Okafor ({ben.email}): added to the room").wait_for()
    results.locator("li", has_text=f"{NEWCOMER}: invited").wait_for()
    assert results.locator("p").inner_text() == "2 addresses done:"
    # Nothing was refused, so nothing stays in the box.
    assert form.get_by_label("Email addresses").input_value() == ""
    ada.page.locator(".member-list .member-name", has_text="Ben Okafor").wait_for()
    ada.page.locator(".member-list .member-name", has_text="Nia Jones").wait_for()
    assert_accessible(ada.page, "room with invitation results")

    # Inviting the newcomer again at once sends nothing new.
    form.get_by_label("Email addresses").fill(NEWCOMER)
    form.get_by_role("button", name="Invite").click()
    results.locator("li", has_text=f"{NEWCOMER}: invited recently, so no new email was sent").wait_for()

    # The newcomer opens the link in a fresh browser: nothing happens until the button is pressed.
    link = server.mail_link(NEWCOMER, "/invitation?token=")
    context = browser.new_context(locale="en-GB")
    try:
        page = context.new_page()
        page.goto(link)
        page.get_by_role("heading", name="Accept your invitation").wait_for()
        assert context.cookies() == []  # merely opening the link (as a mail scanner would) signs nobody in
        page.get_by_role("button", name="Accept and go to the room").click()
        page.locator("h1", has_text="Fraud referrals").wait_for()
        assert page.url.endswith(f"/r/{room['slug']}")
        page.get_by_role("link", name="Referral forms").wait_for()
        page.locator(".header-user", has_text="Nia Jones").wait_for()

        # The link works once.
        page.goto(link)
        page.get_by_role("button", name="Accept and go to the room").click()
        page.get_by_role("alert").get_by_text("already been used").wait_for()
        page.get_by_role("link", name="sign in with your password or an emailed link").wait_for()
    finally:
        context.close()
