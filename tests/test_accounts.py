"""Accounts: first-run set-up, confirmation, password and emailed-link sign-in,
sessions, organisations and roles."""

from __future__ import annotations

import re


async def test_first_account_is_a_confirmed_administrator(people):
    anonymous = people.new_session()
    async with anonymous.get("/api/v1/setup") as r:
        assert await r.json() == {"needs_setup": True}
    admin = await people.signup("Ada@LocalDigital.example", "Ada", "LocalGov Digital")
    assert admin.user["role"] == "administrator"
    assert admin.user["email"] == "ada@localdigital.example"
    assert admin.user["email_confirmed"] is True
    async with anonymous.get("/api/v1/setup") as r:
        assert await r.json() == {"needs_setup": False}


async def test_later_accounts_must_confirm_before_posting(people, admin):
    room = await admin.create_room("Open room")
    thread = await admin.start_thread(room, "Hello")
    newcomer = await people.signup("dan@sevenoaks.example", "Dan", "Sevenoaks")
    assert newcomer.user["role"] == "member" and newcomer.user["email_confirmed"] is False
    # Can read open rooms...
    assert (await newcomer.get(f"/api/v1/threads/{thread['id']}/messages"))["messages"] == []
    # ...but not post, create rooms, or start threads.
    status, data = await newcomer.send(thread["id"], "hi", "d-1")
    assert status == 403 and data["error"]["code"] == "unconfirmed"
    status, data = await newcomer.call("POST", "/api/v1/rooms", json={"title": "Mine"})
    assert status == 403 and data["error"]["code"] == "unconfirmed"
    token = await people.mailed_token("dan@sevenoaks.example", "/confirm?token=")
    confirmed = await newcomer.post("/api/v1/auth/confirm", {"token": token}, expect=200)
    assert confirmed["user"]["email_confirmed"] is True
    status, _ = await newcomer.send(thread["id"], "hi", "d-1")
    assert status == 201
    # The link works once.
    status, data = await newcomer.call("POST", "/api/v1/auth/confirm", json={"token": token})
    assert status == 400 and data["error"] == {
        "code": "invalid",
        "message": "this link has already been used; ask for a new one",
        "field": "token",
    }


async def test_duplicate_email_and_weak_password_are_refused(people, admin):
    session = people.new_session()
    for body, field in (
        ({"email": "ADA@localdigital.example", "display_name": "X", "organisation": "Y", "password": "long enough pw"}, "email"),
        ({"email": "new@x.example", "display_name": "X", "organisation": "Y", "password": "short"}, "password"),
        ({"email": "not-an-email", "display_name": "X", "organisation": "Y", "password": "long enough pw"}, "email"),
        ({"email": "new@x.example", "display_name": " ", "organisation": "Y", "password": "long enough pw"}, "display_name"),
        ({"email": "new@x.example", "display_name": "X", "password": "long enough pw"}, "organisation"),
    ):
        async with session.post("/api/v1/auth/signup", json=body) as r:
            data = await r.json()
            assert r.status in (400, 409), data
            assert data["error"]["field"] == field


async def test_password_sign_in_sign_out_and_everywhere(people, admin):
    laptop = people.new_session()
    phone = people.new_session()
    for session in (laptop, phone):
        async with session.post(
            "/api/v1/auth/signin", json={"email": "ada@localdigital.example", "password": "correct horse battery"}
        ) as r:
            assert r.status == 200
    async with laptop.post("/api/v1/auth/signin", json={"email": "ada@localdigital.example", "password": "wrong password!"}) as r:
        assert r.status == 401
    async with laptop.post("/api/v1/auth/signout") as r:
        assert r.status == 204
    async with laptop.get("/api/v1/me") as r:
        assert r.status == 401
    async with phone.get("/api/v1/me") as r:
        assert r.status == 200  # signing out one session leaves the others
    await admin.post("/api/v1/auth/signout-everywhere", expect=204)
    async with phone.get("/api/v1/me") as r:
        assert r.status == 401


async def test_emailed_sign_in_link_is_single_use_and_confirms_the_address(people, admin):
    newcomer = await people.signup("erin@brighton-hove.example", "Erin", "Brighton & Hove")
    other = people.new_session()
    async with other.post("/api/v1/auth/link", json={"email": "erin@brighton-hove.example"}) as r:
        assert r.status == 202
    async with other.post("/api/v1/auth/link", json={"email": "nobody@brighton-hove.example"}) as r:
        assert r.status == 202  # the same answer: no account probing
    token = await people.mailed_token("erin@brighton-hove.example", "/signin/link?token=")
    async with other.post("/api/v1/auth/link/redeem", json={"token": token}) as r:
        data = await r.json()
        assert r.status == 200, data
        assert data["user"]["email"] == "erin@brighton-hove.example"
        assert data["user"]["email_confirmed"] is True
    async with other.get("/api/v1/me") as r:
        assert r.status == 200
    async with people.new_session().post("/api/v1/auth/link/redeem", json={"token": token}) as r:
        assert r.status == 400
    assert newcomer.id == data["user"]["id"]


async def test_organisation_is_verified_by_confirmed_domain(people, admin):
    alice = await people.signup("alice@camden.example", "Alice", "Camden (typed)", confirm=True)
    assert alice.user["organisation"] == {"name": "Camden (typed)", "verified": False}
    status, data = await alice.call("POST", "/api/v1/organisations", json={"name": "Camden Council", "domains": ["camden.example"]})
    assert status == 403
    await admin.post("/api/v1/organisations", {"name": "Camden Council", "domains": ["Camden.example", "@camden.gov.example"]}, expect=201)
    assert (await alice.get("/api/v1/me"))["user"]["organisation"] == {"name": "Camden Council", "verified": True}
    status, data = await admin.call("POST", "/api/v1/organisations", json={"name": "Other", "domains": ["camden.example"]})
    assert status == 409 and data["error"]["field"] == "domains"
    status, data = await admin.call("POST", "/api/v1/organisations", json={"name": "Bad", "domains": ["not a domain"]})
    assert status == 400 and data["error"]["field"] == "domains"
    # New sign-ups from the domain are verified once they confirm.
    bea = await people.signup("bea@camden.gov.example", "Bea", "whatever", confirm=True)
    assert bea.user["organisation"] == {"name": "Camden Council", "verified": True}
    listed = await bea.get("/api/v1/organisations")
    assert listed["organisations"][0]["domains"] == ["camden.example", "camden.gov.example"]
    org_id = listed["organisations"][0]["id"]
    # Renaming and narrowing the domains takes effect for everyone at once.
    await admin.call(
        "PATCH", f"/api/v1/organisations/{org_id}", json={"name": "London Borough of Camden", "domains": ["camden.gov.example"]}, expect=200
    )
    assert (await alice.get("/api/v1/me"))["user"]["organisation"] == {"name": "Camden (typed)", "verified": False}
    assert (await bea.get("/api/v1/me"))["user"]["organisation"] == {"name": "London Borough of Camden", "verified": True}
    status, _ = await alice.call("PATCH", f"/api/v1/organisations/{org_id}", json={"name": "Mine"})
    assert status == 403
    status, _ = await admin.call("PATCH", "/api/v1/organisations/999", json={"name": "x"})
    assert status == 404


async def test_organisation_kind_is_kept_by_administrators(people, admin):
    _, made = await admin.call("POST", "/api/v1/organisations", json={"name": "Leeds City Council", "kind": "council"}, expect=201)
    assert made["organisation"]["kind"] == "council"
    _, other = await admin.call("POST", "/api/v1/organisations", json={"name": "Acme Digital"}, expect=201)
    assert other["organisation"]["kind"] == "other"
    org_id = other["organisation"]["id"]
    _, changed = await admin.call("PATCH", f"/api/v1/organisations/{org_id}", json={"kind": "supplier"}, expect=200)
    assert changed["organisation"] == {"id": org_id, "name": "Acme Digital", "domains": [], "kind": "supplier"}
    status, data = await admin.call("PATCH", f"/api/v1/organisations/{org_id}", json={"kind": "charity"})
    assert status == 400 and data["error"]["field"] == "kind"
    member = await people.signup("mo@acme.example", "Mo", "Acme", confirm=True)
    status, _ = await member.call("PATCH", f"/api/v1/organisations/{org_id}", json={"kind": "council"})
    assert status == 403
    kinds = {o["name"]: o["kind"] for o in (await member.get("/api/v1/organisations"))["organisations"]}
    assert kinds == {"Leeds City Council": "council", "Acme Digital": "supplier"}


async def test_administrator_sets_roles(people, admin):
    fay = await people.signup("fay@localdigital.example", "Fay", "LocalGov Digital", confirm=True)
    updated = await admin.call("PATCH", f"/api/v1/users/{fay.id}", json={"role": "facilitator"}, expect=200)
    assert updated[1]["user"]["role"] == "facilitator"
    status, data = await admin.call("PATCH", f"/api/v1/users/{admin.id}", json={"role": "member"})
    assert status == 409
    status, data = await admin.call("PATCH", "/api/v1/users/99999", json={"role": "member"})
    assert status == 404


async def test_guessing_passwords_is_rate_limited(start_server, settings):
    from .people import PersonFactory

    server = await start_server(settings, auth_attempts_per_10min=5)
    people = PersonFactory(server, settings)
    try:
        await people.signup("ada@example.org", "Ada", "Org")  # attempt 1
        session = people.new_session()
        statuses = []
        for _ in range(6):
            async with session.post("/api/v1/auth/signin", json={"email": "ada@example.org", "password": "not the password"}) as r:
                statuses.append(r.status)
                if r.status == 429:
                    body = await r.json()
                    retry_after = int(r.headers["Retry-After"])
        assert statuses == [401, 401, 401, 401, 429, 429]
        assert body["error"]["code"] == "rate_limited" and 0 < retry_after <= 600
    finally:
        await people.close()


async def test_emailed_links_are_limited_per_address(people, admin):
    session = people.new_session()
    statuses = []
    for _ in range(6):
        async with session.post("/api/v1/auth/link", json={"email": "ada@localdigital.example"}) as r:
            statuses.append(r.status)
    assert statuses == [202] * 5 + [429]


async def test_session_state_answers_everyone_and_publishes_the_limits(people, settings):
    """GET /api/v1/session answers 200 signed out too (a signed-out page logs no 401)
    and publishes the bounds a browser checks forms against, from the server's own."""
    anonymous = people.new_session()
    async with anonymous.get("/api/v1/session") as r:
        assert r.status == 200
        state = await r.json()
    assert state["user"] is None and state["needs_setup"] is True
    limits = state["limits"]
    assert limits["message_chars"] == settings.max_message_chars
    assert limits["title_chars"] == settings.max_title_chars
    assert limits["display_name_chars"] == 100 and limits["password_min_chars"] == 10
    pattern = re.compile(limits["email_pattern"])
    assert pattern.match("ada@camden.gov.uk") and not pattern.match("ada@camden")
    admin = await people.signup("ada@camden.example", "Ada", "Camden")
    mine = await admin.get("/api/v1/session")
    assert mine["user"]["id"] == admin.id and mine["needs_setup"] is False
