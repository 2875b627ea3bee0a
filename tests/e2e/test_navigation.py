"""Deep links, reloads, the back button, presence and what screen readers hear."""

from __future__ import annotations

from urllib.parse import unquote

from .conftest import assert_accessible, create_room, post_message, start_thread, thread_path


def test_deep_links_reload_and_back_button(people):
    ada = people("Ada Lovelace", "Camden Council")
    room = create_room(ada, "Library e-books")
    first = start_thread(ada, room, "Supplier options", "Three suppliers replied")
    for n in range(1, 61):  # more than one page, so the linked message must be fetched
        ada.api("POST", f"/threads/{first['id']}/messages", {"client_id": f"nav-{n}", "body": f"Option note {n}"})
    target = ada.api("GET", f"/threads/{first['id']}/messages?limit=200")["messages"][3]
    second = start_thread(ada, room, "Accessibility of readers", "Which apps work with screen readers?")
    page = ada.page

    # A link to one message opens its thread with that message focused and marked.
    ada.goto(f"{thread_path(room, first)}/m/{target['id']}")
    marked = page.locator(f"#message-{target['id']}.is-target")
    marked.wait_for()
    assert page.evaluate("() => document.activeElement.id") == f"message-{target['id']}"
    assert "Option note 3" in marked.inner_text()

    # Move to the other thread, then to the room overview, with links.
    page.locator(".thread-item", has_text="Accessibility of readers").get_by_role("link").click()
    page.wait_for_url(f"**{thread_path(room, second)}")
    page.locator(".message-body", has_text="Which apps work").wait_for()
    assert page.title() == "Accessibility of readers – Library e-books – Convene"
    page.get_by_role("link", name="Rooms").first.click()
    page.locator("h1", has_text="Rooms").wait_for()

    # Back, back: the second thread, then the linked message again.
    page.go_back()
    page.locator(".message-body", has_text="Which apps work").wait_for()
    page.go_back()
    page.locator(f"#message-{target['id']}.is-target").wait_for()

    # A reload keeps you where you were.
    page.reload()
    page.locator(f"#message-{target['id']}.is-target").wait_for()
    assert page.url.endswith(f"/m/{target['id']}")

    # Signed out, a deep link asks you to sign in and then takes you there.
    ada.api("POST", "/auth/signout", {})
    ada.goto(thread_path(room, second))
    page.wait_for_url("**/signin?next=*")
    page.get_by_label("Email address").first.fill(ada.email)
    page.get_by_label("Password", exact=True).fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"**{thread_path(room, second)}")
    page.locator(".message-body", has_text="Which apps work").wait_for()


def test_presence_and_announcements(people):
    ada = people("Ada Lovelace", "Camden Council")
    ben = people("Ben Okafor", "Department for Transport")
    room = create_room(ada, "School admissions")
    thread = start_thread(ada, room, "Appeals form", "Draft form attached")
    ben.api("POST", f"/rooms/{room['id']}/join")

    ada.goto(f"/r/{room['slug']}")
    ada.wait_connected()
    ben_row = ada.page.locator(".member", has_text="Ben Okafor")
    ben_row.wait_for()
    assert "Offline" in ben_row.inner_text()
    assert "self-declared" in ben_row.inner_text()

    ben.goto(thread_path(room, thread))
    ben.wait_connected()
    ada.page.locator(".member.is-online", has_text="Ben Okafor").wait_for()
    assert "Online" in ben_row.inner_text()

    ada.goto(thread_path(room, thread))
    ada.wait_connected()
    post_message(ben.page, "I have comments on question 4")
    # Ada's screen reader hears a short summary; Ben hears that his message was sent.
    ada.page.wait_for_function(
        "() => document.getElementById('announcer-messages').textContent.includes('New message from Ben Okafor')")
    assert "question 4" in ada.page.locator("#announcer-messages").text_content()
    ben.page.wait_for_function("() => document.getElementById('announcer-status').textContent.includes('sent')")

    # A burst of messages is announced as one sentence, not one each.
    for n in range(1, 5):
        ben.api("POST", f"/threads/{thread['id']}/messages", {"client_id": f"burst-{n}", "body": f"Burst {n}"})
    ada.page.wait_for_function(
        "() => document.getElementById('announcer-messages').textContent.includes('new messages in Appeals form')")

    # Ben leaves: Ada sees him go offline.
    ben.page.close()
    ada.page.goto(ada.server.url(f"/r/{room['slug']}"))
    ada.page.locator(".member", has_text="Ben Okafor").locator(".presence-text", has_text="Offline").wait_for()


def test_sign_out_everywhere_tells_other_browsers_and_stops_reconnecting(people, browser):
    ada = people("Ada Lovelace", "Camden Council")
    room = create_room(ada, "Highways maintenance")
    # The same person signed in on a second device, reading the room.
    phone = browser.new_context(viewport={"width": 390, "height": 800}, bypass_csp=True)
    try:
        phone.request.post(ada.server.url("/api/v1/auth/signin"), data={"email": ada.email, "password": "correct horse battery staple"})
        phone_page = phone.new_page()
        errors: list[str] = []
        phone_page.on("pageerror", lambda error: errors.append(str(error)))
        phone_page.goto(ada.server.url(f"/r/{room['slug']}"))
        phone_page.wait_for_function("() => document.documentElement.dataset.connection === 'connected'")

        ada.goto("/")
        ada.page.get_by_role("link", name="Your account").click()  # account actions live on the account page
        ada.page.locator("main").get_by_role("button", name="Sign out everywhere").click()
        ada.page.get_by_role("dialog", name="Sign out everywhere?").get_by_role("button", name="Sign out everywhere").click()  # asked first
        ada.page.locator("h1", has_text="Sign in").wait_for()
        # This page signed out itself: it goes to the sign-in page, not the message.
        assert ada.page.get_by_role("heading", name="You were signed out").count() == 0

        # The other device is told, in an alert, and offered a way back to where it was.
        phone_page.get_by_role("heading", name="You were signed out").wait_for()
        alert = phone_page.get_by_role("alert")
        assert "You were signed out" in alert.inner_text()
        assert phone_page.evaluate("document.activeElement.textContent") == "You were signed out"
        assert phone_page.title() == "You were signed out – Convene"
        assert phone_page.evaluate("document.documentElement.dataset.connection") == "signed-out"
        assert phone_page.locator("#connection-banner").is_hidden()
        link = phone_page.get_by_role("link", name="Sign in again")
        assert unquote(link.get_attribute("href") or "") == f"/signin?next=/r/{room['slug']}"
        # ... and it does not try to reconnect.
        attempts: list[str] = []
        phone_page.on("request", lambda r: attempts.append(r.url) if "/socket.io/" in r.url else None)
        phone_page.wait_for_timeout(2500)
        assert attempts == []
        assert phone.request.get(ada.server.url("/api/v1/me")).status == 401
        assert_accessible(phone_page, "signed out")

        link.click()
        phone_page.wait_for_url("**/signin?next=*")
        assert f"/r/{room['slug']}" in unquote(phone_page.url)
        phone_page.get_by_role("heading", name="Sign in", exact=True).wait_for()
        assert errors == []
    finally:
        phone.close()


def test_directory_filters_join_and_create(people):
    ada = people("Ada Lovelace", "Wyre Forest District Council")
    ben = people("Ben Okafor", "Department for Transport")
    create_room(ada, "Parking permits online", stage="incubation", tags=["parking"], looking_for_collaborators=False)
    create_room(ada, "School transport", stage="discovery", tags=["education"])
    page = ben.page

    ben.goto("/rooms")
    cards = page.locator(".room-card")
    page.locator(".room-card", has_text="School transport").wait_for()
    school = page.locator(".room-card", has_text="School transport")
    assert "Looking for collaborators" in school.inner_text()
    assert "Discovery" in school.inner_text()

    # Filter by stage: the URL follows, so the filtered list can be shared.
    page.get_by_label("Stage").select_option("incubation")
    page.wait_for_url("**/rooms?stage=incubation")
    page.get_by_role("heading", name="1 room matches your filters").wait_for()
    assert cards.count() == 1 and "Parking permits online" in cards.first.inner_text()

    # Tag, then text.
    page.get_by_role("link", name="Clear filters").click()
    page.get_by_label("Tag", exact=True).fill("education")
    page.get_by_role("heading", name="1 room matches your filters").wait_for()
    assert "School transport" in cards.first.inner_text()
    page.get_by_label("Tag", exact=True).fill("")
    page.get_by_label("Search rooms").fill("parking")
    page.locator(".room-card", has_text="Parking permits online").wait_for()
    page.locator(".room-card", has_text="School transport").wait_for(state="detached")

    # Organisation: rooms with members from Ada's council.
    page.get_by_label("Search rooms").fill("")
    page.get_by_label("Organisation").fill("Wyre Forest")
    page.get_by_role("heading", name="2 rooms match your filters").wait_for()
    page.get_by_label("Organisation").fill("Nowhere Borough")
    page.get_by_role("heading", name="No rooms found").wait_for()

    # Join an open room from the directory.
    page.goto(ben.server.url("/rooms"))
    page.locator(".room-card", has_text="School transport").get_by_role("button", name="Join room").click()
    page.locator("h1", has_text="School transport").wait_for()
    page.locator(".member", has_text="Ben Okafor").wait_for()
    page.get_by_role("button", name="Leave room").wait_for()
    page.goto(ben.server.url("/?mine=1"))  # the directory's old address (it was the home page) still works
    page.wait_for_url("**/rooms?mine=1")
    page.get_by_role("heading", name="1 room matches your filters").wait_for()
