// A card of a room looking for collaborators offers what the server's answer allows.
import { test } from "node:test";
import assert from "node:assert/strict";
import { joinAction, interestSummary, withDecision, withInterest, suggestionReason } from "../app/collaboration.js";

/** @param {object} [overrides] */
function card(overrides = {}) {
  return {
    room: { id: 7, slug: "housing", title: "Housing", summary: "", summary_html: "", stage: "discovery", visibility: "invite",
      tags: ["housing"], looking_for_collaborators: true, last_activity_at: "2026-11-27T10:00:00Z" },
    involvement: { summary: "1 council", kinds: [{ kind: "council", count: 1 }], organisations: [], unverified: 0 },
    interest: { same_problem: 0, can_help: 0 },
    membership: null,
    my_interest: [],
    join_request: null,
    ...overrides,
  };
}

test("an invite-only room is asked to join, an open one joined, a member's opened", () => {
  assert.equal(joinAction(card()), "ask");
  assert.equal(joinAction(card({ join_request: "pending" })), "pending");
  assert.equal(joinAction(card({ join_request: "declined" })), "ask-again");
  assert.equal(joinAction(card({ room: { ...card().room, visibility: "open" } })), "join");
  assert.equal(joinAction(card({ membership: "member", join_request: "accepted" })), "member");
  // Accepted once, left since: asking again is a fresh request.
  assert.equal(joinAction(card({ join_request: "accepted" })), "ask");
});

test("interest reads as organisations, singular and plural", () => {
  assert.equal(interestSummary({ same_problem: 0, can_help: 0 }), "No one has responded yet");
  assert.equal(interestSummary({ same_problem: 1, can_help: 0 }), "1 organisation has this problem too");
  assert.equal(interestSummary({ same_problem: 2, can_help: 1 }), "2 organisations have this problem too; 1 organisation could help");
});

test("a live decision changes only the card of its room", () => {
  const request = { id: 1, room: { id: 7, slug: "housing", title: "Housing" }, user: { id: 2, display_name: "Bob" },
    message: "", status: "accepted", created_at: "", decided_at: "" };
  assert.equal(withDecision(card({ join_request: "pending" }), request).membership, "member");
  assert.equal(withDecision(card({ join_request: "pending" }), { ...request, status: "declined" }).join_request, "declined");
  const other = card({ room: { ...card().room, id: 8 } });
  assert.equal(withDecision(other, request), other);
  const said = withInterest(card(), ["can-help"], { same_problem: 0, can_help: 1 });
  assert.deepEqual([said.my_interest, said.interest.can_help], [["can-help"], 1]);
});

test("a suggestion says why", () => {
  assert.equal(suggestionReason({ kind: "council", tags: [] }), "Councils like yours are involved");
  assert.equal(suggestionReason({ kind: null, tags: ["payments", "api"] }), "It shares tags with your rooms: payments, api");
  assert.equal(suggestionReason({ kind: "supplier", tags: ["api"] }),
    "Suppliers like yours are involved. It shares a tag with your rooms: api");
});
