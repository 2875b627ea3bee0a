// What the reader may do follows the server's answers (can_manage, membership,
// stage), never anyone's role.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  canManage, canJoin, canLeave, canEditMessage, canDeleteMessage, postingState, canStartThread,
} from "../app/permissions.js";
import { ME, OTHER, room, message, user } from "./fixtures.js";

test("managing a room is what the server says, whatever the reader's role", () => {
  assert.equal(canManage(room({ can_manage: true, membership: null })), true);
  assert.equal(canManage(room({ can_manage: false, membership: "owner" })), false);
  assert.equal(canManage(room({ can_manage: undefined })), false);
});

test("authors edit their own messages unless the room is archived; managers delete any", () => {
  const mine = message(3, { author: user(ME) });
  const theirs = message(4, { author: user(OTHER) });
  const open = room();
  assert.equal(canEditMessage(open, mine, ME), true);
  assert.equal(canEditMessage(open, theirs, ME), false);
  assert.equal(canEditMessage(room({ stage: "archived" }), mine, ME), false);
  assert.equal(canDeleteMessage(open, mine, ME), true);
  assert.equal(canDeleteMessage(open, theirs, ME), false);
  assert.equal(canDeleteMessage(room({ can_manage: true }), theirs, ME), true);
  assert.equal(canDeleteMessage(room({ can_manage: true }), { ...theirs, deleted: true }, ME), false);
});

test("joining, leaving and posting follow membership, visibility and stage", () => {
  assert.equal(canJoin(room({ membership: null })), true);
  assert.equal(canJoin(room({ membership: null, visibility: "invite" })), false);
  assert.equal(canLeave(room({ membership: "member" })), true);
  assert.equal(canLeave(room({ membership: "owner" })), false);
  assert.equal(postingState(room({ membership: null })), "member"); // posting in an open room joins it
  assert.equal(postingState(room({ membership: null, visibility: "invite" })), "join");
  assert.equal(postingState(room({ membership: "member", stage: "archived" })), "archived");
  assert.equal(canStartThread(room({ membership: "member" })), true);
});
