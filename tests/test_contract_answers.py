"""Real answers against the served OpenAPI document: one scenario that reaches every
documented operation with a JSON answer (each answer checked by the hook in
tests/people.py), and proof that the check catches an answer off the document."""

from __future__ import annotations

import copy
import time
from pathlib import Path

import pytest

from server.domain.notification_settings import unsubscribe_token
from server.mail.handoff import handoff_key, signature

from .contract_check import AnswerChecker
from .people import Person


async def test_every_operation_answers_as_documented(people, admin, alice, bob):
    checker_doc = await admin.get("/api/openapi.json")
    newcomer = await people.signup("nia@probe.example", "Nia", "Probe Ltd")
    await newcomer.post("/api/v1/auth/resend-confirmation", expect=202)
    await newcomer.post("/api/v1/auth/confirm", {"token": await people.mailed_token("nia@probe.example", "/confirm?token=")}, expect=200)
    await newcomer.post("/api/v1/auth/signin", {"email": "nia@probe.example", "password": "correct horse battery"}, expect=200)
    await newcomer.post("/api/v1/auth/link", {"email": "nia@probe.example"}, expect=202)
    token = await people.mailed_token("nia@probe.example", "/signin/link?token=")
    await newcomer.post("/api/v1/auth/link/redeem", {"token": token}, expect=200)
    await newcomer.get("/api/v1/setup")
    await newcomer.get("/api/v1/session")
    async with people.new_session().get("/api/v1/session") as signed_out:  # nobody signed in: still 200
        assert signed_out.status == 200
    await newcomer.get("/api/v1/me")

    org = (await admin.post("/api/v1/organisations", {"name": "Probe Ltd", "domains": ["probe.example"]}, expect=201))["organisation"]
    await admin.call("PATCH", f"/api/v1/organisations/{org['id']}", json={"name": "Probe Limited"}, expect=200)
    await admin.get("/api/v1/organisations")
    await admin.call("PATCH", f"/api/v1/users/{bob.id}", json={"role": "facilitator"}, expect=200)

    room = await alice.create_room("Contract checks", tags=["api"], summary="**bold**")
    await alice.get("/api/v1/rooms?mine=1")
    await alice.call("PATCH", f"/api/v1/rooms/{room['slug']}", json={"stage": "live"}, expect=200)
    await alice.get(f"/api/v1/rooms/{room['slug']}")
    await newcomer.post(f"/api/v1/rooms/{room['id']}/join", expect=200)
    await newcomer.post(f"/api/v1/rooms/{room['id']}/leave", expect=200)
    await alice.post(f"/api/v1/rooms/{room['id']}/members", {"email": "nia@probe.example"}, expect=201)
    await alice.post(f"/api/v1/rooms/{room['id']}/members", {"emails": ["omar@invited.example"]}, expect=201)
    invited = Person(people, people.new_session(), {})
    invitation = await people.mailed_token("omar@invited.example", "/invitation?token=")
    await invited.post("/api/v1/invitations/preview", {"token": invitation}, expect=200)
    await invited.post("/api/v1/invitations/redeem", {"token": invitation}, expect=200)
    await alice.get(f"/api/v1/rooms/{room['id']}/members")
    opening = {"title": "First", "body": "hello @Nia", "client_id": "c-0"}
    started = await alice.post(f"/api/v1/rooms/{room['id']}/threads", opening, expect=201)
    await alice.post(f"/api/v1/rooms/{room['id']}/threads", {"title": "Bare"}, expect=201)
    await alice.get(f"/api/v1/rooms/{room['id']}/threads")
    await alice.get(f"/api/v1/rooms/{room['id']}/events?after=0")
    thread = started["thread"]
    await alice.get(f"/api/v1/threads/{thread['id']}")
    posted = (await alice.post(f"/api/v1/threads/{thread['id']}/messages", {"client_id": "c-1", "body": "v1"}, expect=201))["message"]
    await alice.post(f"/api/v1/threads/{thread['id']}/messages", {"client_id": "c-1", "body": "v1"}, expect=200)
    await alice.get(f"/api/v1/threads/{thread['id']}/messages?after=0&limit=1")
    await bob.call("PUT", f"/api/v1/threads/{thread['id']}/follow", expect=200)
    await bob.call("DELETE", f"/api/v1/threads/{thread['id']}/follow", expect=200)
    await bob.call("PUT", f"/api/v1/threads/{thread['id']}/read", json={"seq": posted["seq"]}, expect=200)
    await alice.call("PATCH", f"/api/v1/messages/{posted['id']}", json={"body": "v2"}, expect=200)
    await alice.get(f"/api/v1/messages/{posted['id']}")
    await alice.get(f"/api/v1/messages/{posted['id']}/history")
    await alice.get(f"/api/v1/messages/{posted['id']}/trimmed")  # the author's own (empty for a message from the browser)
    await alice.call("DELETE", f"/api/v1/messages/{posted['id']}", expect=200)
    await alice.post("/api/v1/preview", {"body": "*hi* @Nia", "room_id": room["id"]}, expect=200)
    await alice.get(f"/api/v1/rooms/{room['id']}/events?after=0")

    # Inbound mail: a hand-off signed with the key derived from SECRET_KEY (no webhook secret needed), then the record.
    mail = f"From: <nia@probe.example>\r\nTo: <reply+{'a' * 26}@{people.settings.mail_domain}>\r\nMessage-ID: <c@x>\r\n\r\nHi\r\n".encode()
    stamp = str(int(time.time()))
    signed = {"X-Convene-Timestamp": stamp, "X-Convene-Signature": signature(handoff_key(people.settings.secret_key), stamp, mail)}
    await newcomer.call("POST", "/api/v1/inbound-mail", data=mail, headers={"Content-Type": "message/rfc822", **signed}, expect=200)
    await admin.get("/api/v1/admin/inbound-mail?outcome=refused")

    # Email notifications: settings, a mute, and an unsubscribe link used without a session.
    await bob.get("/api/v1/me/notifications")
    await bob.call("PUT", "/api/v1/me/notifications", json={"mode": "digest"}, expect=200)
    await bob.call("PUT", f"/api/v1/threads/{thread['id']}/mute", expect=200)
    await bob.get(f"/api/v1/threads/{thread['id']}/mute")
    await bob.call("DELETE", f"/api/v1/threads/{thread['id']}/mute", expect=200)
    link = f"/api/v1/unsubscribe?token={unsubscribe_token(people.settings.secret_key, bob.id, thread['id'])}"
    await Person(people, people.new_session(), {}).get(link)
    await Person(people, people.new_session(), {}).post(link, expect=200)

    # Matchmaking: the board, a card, interest, a request to join accepted and one declined, suggestions.
    looking = await alice.create_room("Looking", visibility="invite", tags=["api"], looking_for_collaborators=True)
    await bob.get("/api/v1/collaborations?tag=api&kind=council")
    await bob.get(f"/api/v1/collaborations/{looking['slug']}")
    await bob.post(f"/api/v1/rooms/{looking['id']}/interest", {"kind": "same-problem"}, expect=200)
    await bob.get(f"/api/v1/rooms/{looking['id']}/interest")
    await bob.call("DELETE", f"/api/v1/rooms/{looking['id']}/interest?kind=same-problem", expect=200)
    asked = await bob.post(f"/api/v1/rooms/{looking['id']}/join-requests", {"message": "hello"}, expect=201)
    await alice.get(f"/api/v1/rooms/{looking['id']}/join-requests")
    await alice.post(f"/api/v1/join-requests/{asked['join_request']['id']}/accept", expect=200)
    await admin.post(f"/api/v1/rooms/{looking['id']}/join-requests", {}, expect=201)
    await admin.call("DELETE", f"/api/v1/rooms/{looking['id']}/join-requests", expect=200)
    declined = await admin.post(f"/api/v1/rooms/{looking['id']}/join-requests", {}, expect=201)
    await alice.post(f"/api/v1/join-requests/{declined['join_request']['id']}/decline", expect=200)
    await bob.get("/api/v1/suggestions")
    # The pipeline: a move to incubation with its criteria, the history, the board.
    criteria = {"user_need": "one form for both", "cost_benefit": "less re-keying", "rapid_success": "a pilot exists"}
    await alice.post(f"/api/v1/rooms/{room['id']}/stage", {"stage": "incubation", "note": "go", "criteria": criteria}, expect=201)
    await alice.get(f"/api/v1/rooms/{room['id']}/stages")
    await alice.get("/api/v1/pipeline?tag=api")
    # Seeding an event from its file (Bob is a facilitator), and the event pages.
    sample = (Path(__file__).parent / "seed_files" / "files" / "discovery-day.csv").read_bytes()
    upload = {"Content-Type": "text/csv", "X-Filename": "discovery-day.csv"}
    _, previewed = await bob.call("POST", "/api/v1/seed/preview", data=sample, headers=upload, expect=200)
    await bob.call("POST", "/api/v1/seed/apply", data=sample, headers=upload, params={"preview": previewed["preview"]}, expect=200)
    [event] = (await alice.get("/api/v1/events"))["events"]
    await alice.get(f"/api/v1/events/{event['id']}")
    # People and records: the audit log, administration, and a person's own account.
    await admin.get(f"/api/v1/admin/audit?action=role-changed&since=2000-01-01&person={bob.id}")
    await admin.get("/api/v1/admin/users?q=probe")
    await admin.get("/api/v1/admin/rooms")
    await alice.post(f"/api/v1/rooms/{room['id']}/members", {"emails": ["pat@invited.example"]}, expect=201)
    await admin.post(f"/api/v1/admin/rooms/{room['id']}/owner", {"user_id": bob.id}, expect=200)
    [pat] = (await admin.get("/api/v1/admin/users?q=pat@invited"))["people"]
    await admin.post(f"/api/v1/admin/users/{pat['id']}/resend-invitation", expect=200)
    await newcomer.call("PATCH", "/api/v1/me", json={"display_name": "Nia Probe"}, expect=200)
    await newcomer.get("/api/v1/me/sessions")
    await newcomer.post("/api/v1/me/email", {"email": "nia@probe2.example", "current_password": "correct horse battery"}, expect=202)
    changed = await people.mailed_token("nia@probe2.example", "/confirm-email?token=")
    await newcomer.post("/api/v1/auth/confirm-email", {"token": changed}, expect=200)
    new_password = {"current_password": "correct horse battery", "new_password": "another long phrase"}
    await newcomer.post("/api/v1/me/password", new_password, expect=200)

    await bob.get(f"/api/v1/rooms/{room['id']}/export?format=json")
    await newcomer.get("/api/v1/me/data")
    await admin.get(f"/api/v1/admin/users/{newcomer.id}/data")
    # Finding and catching up (issue 11).
    await alice.get("/api/v1/search?q=hello&sort=newest")
    await alice.get("/api/v1/similar-rooms?title=Contract&summary=checks")
    await newcomer.get("/api/v1/inbox")
    await newcomer.get("/api/v1/mentions?unread=1")
    await newcomer.post("/api/v1/inbox/read", {"all": True}, expect=200)

    checker = people.answers
    assert checker is not None
    wanted = {
        (method, path)
        for path, ops in checker_doc["paths"].items()
        if path.startswith("/api/v1/")
        for method, op in ops.items()
        if any(status.startswith("2") and "application/json" in answer.get("content", {}) for status, answer in op["responses"].items())
    }
    answered = {(method, path) for method, path, status in checker.seen if 200 <= status < 300}
    assert wanted - answered == set()


async def test_an_answer_off_the_document_is_caught(admin):
    doc = await admin.get("/api/openapi.json")
    checker = AnswerChecker(doc)
    me = await admin.get("/api/v1/me")
    checker.check("GET", "/api/v1/me", 200, me)
    for spoil in (
        lambda m: m["user"].update(surprise=1),  # an undeclared field
        lambda m: m["user"].pop("email"),  # a missing one
        lambda m: m["user"].update(role="emperor"),  # outside the enumeration
        lambda m: m["user"]["organisation"].update(verified="yes"),  # the wrong type
    ):
        spoilt = copy.deepcopy(me)
        spoil(spoilt)
        with pytest.raises(AssertionError, match="off the OpenAPI document"):
            checker.check("GET", "/api/v1/me", 200, spoilt)
    with pytest.raises(AssertionError):
        checker.check("GET", "/api/v1/nothing", 404, {"error": {"code": "not_found"}})
