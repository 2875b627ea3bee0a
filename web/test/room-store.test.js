// The room store: apply(event) for every event type, and what REST answers add.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import {
  apply, newRoomState, setThreads, setMembers, putThread, mergeRoom, putMessage, newerMessage,
  orderedThreads, orderedMessages, typingIn, createRoomStore, TYPING_MS,
} from "../app/room-store.js";
import { ME, OTHER, user, room, thread, message, messageEvent } from "./fixtures.js";

const context = { me: ME, now: 1_000_000 };

/** A room at seq 10 with thread 1 (read up to 10) and thread 2, both read over REST. */
function loadedRoom(fields = {}) {
  const state = newRoomState(room(fields));
  setThreads(state, [thread(1), thread(2, { last_activity_at: "2026-11-27T08:00:00Z" })]);
  setMembers(state, [{ user: user(ME), role: "member" }, { user: user(OTHER), role: "owner" }]);
  return state;
}

describe("message.created", () => {
  test("counts another person's message once, in the room and its thread", () => {
    const state = loadedRoom();
    const msg = message(11);
    const event = messageEvent("message.created", 11, msg);
    const change = apply(state, event, context);
    assert.deepEqual({ room: change.room, threads: change.threads, thread: change.thread }, { room: true, threads: true, thread: 1 });
    const t = state.threads.get(1);
    assert.equal(t.message_count, 4);
    assert.equal(t.unread_count, 1);
    assert.equal(t.last_activity_at, msg.created_at);
    assert.equal(state.room.unread_count, 1);
    assert.equal(state.room.last_seq, 11);
    assert.equal(state.room.last_activity_at, msg.created_at);
    // The same event again (a replay) changes nothing.
    apply(state, event, context);
    assert.equal(t.message_count, 4);
    assert.equal(t.unread_count, 1);
    assert.equal(state.room.unread_count, 1);
  });

  test("my own message is not unread", () => {
    const state = loadedRoom();
    apply(state, messageEvent("message.created", 11, message(11, { author: user(ME) })), context);
    assert.equal(state.threads.get(1).unread_count, 0);
    assert.equal(state.threads.get(1).message_count, 4);
    assert.equal(state.room.unread_count, 0);
  });

  test("a message already read (seq at or below the marker) is not unread", () => {
    const state = loadedRoom();
    state.threads.get(1).last_read_seq = 12;
    apply(state, messageEvent("message.created", 11, message(11)), context);
    assert.equal(state.threads.get(1).unread_count, 0);
  });

  test("a room the reader is not a member of counts no unread messages", () => {
    const state = loadedRoom({ membership: null });
    apply(state, messageEvent("message.created", 11, message(11)), context);
    assert.equal(state.room.unread_count, 0);
    assert.equal(state.threads.get(1).unread_count, 1);
  });

  test("a message the REST thread list already counted is not counted again", () => {
    const state = loadedRoom();
    // The list was read after message 11 was stored: its activity is message 11's.
    const msg = message(11);
    state.threads.get(1).last_activity_at = msg.created_at;
    apply(state, messageEvent("message.created", 11, msg), context);
    assert.equal(state.threads.get(1).message_count, 3);
    assert.equal(state.threads.get(1).unread_count, 0);
    // ... but the room, read before it, counts it.
    assert.equal(state.room.unread_count, 1);
  });

  test("messages of one batch (same time) in a thread seen in an event are each counted", () => {
    const state = loadedRoom();
    apply(state, { type: "thread.created", room_id: 7, seq: 11, thread: thread(3, { message_count: 0 }) }, context);
    const at = "2026-11-27T11:00:00Z";
    apply(state, messageEvent("message.created", 12, message(12, { thread_id: 3, created_at: at })), context);
    apply(state, messageEvent("message.created", 13, message(13, { thread_id: 3, created_at: at })), context);
    assert.equal(state.threads.get(3).message_count, 2);
    assert.equal(state.threads.get(3).unread_count, 2);
  });

  test("a message in a thread not in the list asks for the list again", () => {
    const state = loadedRoom();
    const change = apply(state, messageEvent("message.created", 11, message(11, { thread_id: 99 })), context);
    assert.equal(change.unknownThread, true);
    assert.equal(state.room.unread_count, 1);
  });

  test("without a thread list (the directory) only the room counts", () => {
    const state = newRoomState(room());
    const change = apply(state, messageEvent("message.created", 11, message(11)), context);
    assert.equal(change.unknownThread, undefined);
    assert.equal(state.room.unread_count, 1);
  });

  test("is kept in an open thread, and ends its author's typing notice", () => {
    const state = loadedRoom();
    state.messages.set(1, new Map());
    apply(state, { type: "typing", room_id: 7, thread_id: 1, user: user(OTHER) }, context);
    const msg = message(11);
    const change = apply(state, messageEvent("message.created", 11, msg), context);
    assert.equal(change.message, msg);
    assert.equal(change.typing, 1);
    assert.deepEqual(orderedMessages(state, 1), [msg]);
    assert.deepEqual(typingIn(state, 1, context.now), []);
  });
});

describe("message.edited", () => {
  test("replaces a loaded message and moves the room's seq", () => {
    const state = loadedRoom();
    state.messages.set(1, new Map());
    const original = message(5);
    putMessage(state, original);
    const edited = { ...original, body: "Fixed", html: "<p>Fixed</p>", edited_at: "2026-11-27T11:00:00Z" };
    const change = apply(state, messageEvent("message.edited", 11, edited), context);
    assert.equal(change.message, edited);
    assert.equal(state.messages.get(1).get(original.id).body, "Fixed");
    assert.equal(state.room.last_seq, 11);
    assert.equal(state.threads.get(1).message_count, 3);
    assert.equal(state.room.unread_count, 0);
  });

  test("an edit of a message not loaded is not kept", () => {
    const state = loadedRoom();
    state.messages.set(1, new Map());
    const change = apply(state, messageEvent("message.edited", 11, message(5, { edited_at: "2026-11-27T11:00:00Z" })), context);
    assert.equal(change.message, undefined);
    assert.equal(state.messages.get(1).size, 0);
  });

  test("an older copy from a REST page never undoes an edit", () => {
    const state = loadedRoom();
    state.messages.set(1, new Map());
    const original = message(5);
    putMessage(state, original);
    apply(state, messageEvent("message.edited", 11, { ...original, body: "New", edited_at: "2026-11-27T11:00:00Z" }), context);
    assert.equal(putMessage(state, original), false);
    assert.equal(state.messages.get(1).get(original.id).body, "New");
  });
});

describe("message.deleted", () => {
  test("leaves a tombstone and uncounts an unread message", () => {
    const state = loadedRoom();
    state.messages.set(1, new Map());
    const msg = message(11);
    apply(state, messageEvent("message.created", 11, msg), context);
    assert.equal(state.threads.get(1).unread_count, 1);
    const tombstone = { ...msg, body: "", html: "", deleted: true };
    const change = apply(state, messageEvent("message.deleted", 12, tombstone), context);
    assert.equal(change.message, tombstone);
    assert.equal(state.messages.get(1).get(msg.id).deleted, true);
    assert.equal(state.threads.get(1).message_count, 3);
    assert.equal(state.threads.get(1).unread_count, 0);
    assert.equal(state.room.unread_count, 0);
    // Replayed: nothing moves twice.
    apply(state, messageEvent("message.deleted", 12, tombstone), context);
    assert.equal(state.threads.get(1).message_count, 3);
  });

  test("deleting a read message changes no unread count", () => {
    const state = loadedRoom({ unread_count: 2 });
    state.threads.get(1).unread_count = 2;
    apply(state, messageEvent("message.deleted", 11, message(4, { deleted: true, body: "", html: "" })), context);
    assert.equal(state.threads.get(1).unread_count, 2);
    assert.equal(state.room.unread_count, 2);
    assert.equal(state.threads.get(1).message_count, 2);
  });

  test("a deletion beats a later edit of the same message", () => {
    const msg = message(5);
    const tombstone = { ...msg, deleted: true, body: "", html: "" };
    assert.equal(newerMessage(tombstone, { ...msg, edited_at: "2030-01-01T00:00:00Z" }), tombstone);
  });
});

describe("thread.created", () => {
  test("adds a thread without per-reader fields from the event", () => {
    const state = loadedRoom();
    const event = { type: "thread.created", room_id: 7, seq: 11, thread: thread(3, { message_count: 0, created_by: user(OTHER) }) };
    delete event.thread.unread_count;
    delete event.thread.following;
    delete event.thread.last_read_seq;
    const change = apply(state, event, context);
    assert.equal(change.threads, true);
    const added = state.threads.get(3);
    assert.equal(added.following, false);
    assert.equal(added.unread_count, 0);
    assert.equal(added.last_read_seq, 0);
    assert.equal(state.room.last_seq, 11);
    // Its opening message then makes it unread.
    apply(state, messageEvent("message.created", 12, message(12, { thread_id: 3 })), context);
    assert.equal(added.unread_count, 1);
    assert.equal(added.message_count, 1);
    assert.equal(orderedThreads(state)[0].id, 3);
  });

  test("a thread I started is followed and not unread", () => {
    const state = loadedRoom();
    apply(state, { type: "thread.created", room_id: 7, seq: 11, thread: thread(3, { message_count: 0, created_by: user(ME) }) }, context);
    apply(state, messageEvent("message.created", 12, message(12, { thread_id: 3, author: user(ME) })), context);
    assert.equal(state.threads.get(3).following, true);
    assert.equal(state.threads.get(3).unread_count, 0);
  });

  test("a thread already known keeps the reader's fields", () => {
    const state = loadedRoom();
    state.threads.get(1).unread_count = 2;
    apply(state, { type: "thread.created", room_id: 7, seq: 11, thread: thread(1, { title: "Renamed", unread_count: 0, following: false }) }, context);
    assert.equal(state.threads.get(1).unread_count, 2);
    assert.equal(state.threads.get(1).following, true);
  });
});

describe("members, presence and the room", () => {
  test("member.joined and member.left keep the list and the count", () => {
    const state = loadedRoom();
    const cara = user(3, "Cara");
    const joined = apply(state, { type: "member.joined", room_id: 7, user: cara, role: "member" }, context);
    assert.equal(joined.members, true);
    assert.equal(state.members.get(3).role, "member");
    assert.equal(state.room.member_count, 3);
    apply(state, { type: "member.joined", room_id: 7, user: cara, role: "member" }, context);
    assert.equal(state.room.member_count, 3);
    apply(state, { type: "member.left", room_id: 7, user: cara }, context);
    assert.equal(state.members.has(3), false);
    assert.equal(state.room.member_count, 2);
    assert.equal(state.memberChanges, 3);
  });

  test("my own membership changing asks for the room again", () => {
    const state = loadedRoom({ membership: null });
    const joined = apply(state, { type: "member.joined", room_id: 7, user: user(ME), role: "member" }, context);
    assert.equal(joined.self, true);
    assert.equal(state.room.membership, "member");
    const left = apply(state, { type: "member.left", room_id: 7, user: user(ME) }, context);
    assert.equal(left.self, true);
    assert.equal(state.room.membership, null);
  });

  test("presence marks who is online", () => {
    const state = loadedRoom();
    apply(state, { type: "presence", room_id: 7, online: [OTHER] }, context);
    assert.equal(state.members.get(OTHER).online, true);
    assert.equal(state.members.get(ME).online, false);
  });

  test("presence.changed marks who came and who went, leaving the rest", () => {
    const state = loadedRoom();
    apply(state, { type: "presence", room_id: 7, online: [ME] }, context);
    apply(state, { type: "presence.changed", room_id: 7, came: [OTHER], went: [] }, context);
    assert.equal(state.members.get(OTHER).online, true);
    assert.equal(state.members.get(ME).online, true);
    const change = apply(state, { type: "presence.changed", room_id: 7, came: [], went: [ME] }, context);
    assert.equal(change.members, true);
    assert.equal(state.members.get(ME).online, false);
    assert.equal(state.members.get(OTHER).online, true);
  });

  test("room.updated takes the settings but never the reader's fields", () => {
    const state = loadedRoom({ membership: "owner", unread_count: 4, can_manage: true, last_seq: 10 });
    const change = apply(state, {
      type: "room.updated", room_id: 7,
      room: { ...room({ title: "Renamed", stage: "archived", last_seq: 3 }), membership: undefined, can_manage: undefined, unread_count: undefined },
    }, context);
    assert.equal(change.archived, true);
    assert.equal(state.room.title, "Renamed");
    assert.equal(state.room.stage, "archived");
    assert.equal(state.room.membership, "owner");
    assert.equal(state.room.can_manage, true);
    assert.equal(state.room.unread_count, 4);
    assert.equal(state.room.last_seq, 10);
    const again = apply(state, { type: "room.updated", room_id: 7, room: { title: "Renamed again", stage: "archived" } }, context);
    assert.equal(again.archived, undefined);
  });

  test("room.access_lost is remembered", () => {
    const state = loadedRoom();
    assert.deepEqual(apply(state, { type: "room.access_lost", room_id: 7 }, context), { accessLost: true });
    assert.equal(state.accessLost, true);
  });

  test("typing notices expire and my own are ignored", () => {
    const state = loadedRoom();
    assert.deepEqual(apply(state, { type: "typing", room_id: 7, thread_id: 1, user: user(ME) }, context), {});
    apply(state, { type: "typing", room_id: 7, thread_id: 1, user: user(OTHER, "Ben") }, context);
    apply(state, { type: "typing", room_id: 7, thread_id: 1, user: user(3, "Cara") }, { ...context, now: context.now + 1000 });
    assert.deepEqual(typingIn(state, 1, context.now + 2000).map((u) => u.display_name), ["Ben", "Cara"]);
    assert.deepEqual(typingIn(state, 1, context.now + TYPING_MS).map((u) => u.display_name), ["Cara"]);
    assert.deepEqual(typingIn(state, 2, context.now), []);
  });

  test("read moves the marker and the unread counts of the thread and the room", () => {
    const state = loadedRoom({ unread_count: 5 });
    state.threads.get(1).unread_count = 3;
    const change = apply(state, { type: "read", room_id: 7, thread_id: 1, last_read_seq: 14, unread_count: 1 }, context);
    assert.equal(change.thread, 1);
    assert.equal(state.threads.get(1).last_read_seq, 14);
    assert.equal(state.threads.get(1).unread_count, 1);
    assert.equal(state.room.unread_count, 3);
  });

  test("read of a thread the store does not know asks for the room again", () => {
    const state = newRoomState(room());
    assert.deepEqual(apply(state, { type: "read", room_id: 7, thread_id: 1, last_read_seq: 14, unread_count: 0 }, context), { roomStale: true });
  });

  test("events of other rooms and session events change nothing", () => {
    const state = loadedRoom();
    const before = JSON.stringify({ room: state.room, threads: [...state.threads.values()] });
    assert.deepEqual(apply(state, messageEvent("message.created", 11, message(11, { room_id: 8 })), context), {});
    assert.deepEqual(apply(state, { type: "session.revoked", reason: "signed_out" }, context), {});
    assert.equal(JSON.stringify({ room: state.room, threads: [...state.threads.values()] }), before);
  });
});

describe("REST answers", () => {
  test("a room read again never moves last_seq back, and flags a change of membership", () => {
    const state = loadedRoom();
    apply(state, messageEvent("message.created", 11, message(11)), context);
    const change = mergeRoom(state, room({ last_seq: 10, membership: null, title: "New title" }));
    assert.equal(state.room.last_seq, 11);
    assert.equal(state.room.title, "New title");
    assert.equal(change.self, true);
    assert.equal(state.room.member_count, 2); // the member list is newer
  });

  test("a thread read over REST keeps the larger count and the counting position", () => {
    const state = loadedRoom();
    apply(state, { type: "thread.created", room_id: 7, seq: 11, thread: thread(3, { message_count: 0 }) }, context);
    apply(state, messageEvent("message.created", 12, message(12, { thread_id: 3 })), context);
    const merged = putThread(state, thread(3, { message_count: 0, following: true, unread_count: 0, last_read_seq: 12 }));
    assert.equal(merged.message_count, 1);
    assert.equal(merged.following, true);
    assert.equal(merged.known_seq, 12);
  });

  test("the store tells its listeners what changed", () => {
    const store = createRoomStore(room(), { me: ME, clock: () => context.now });
    const changes = [];
    const stop = store.subscribe((change) => changes.push(change));
    store.setThreads([thread(1)]);
    store.apply(messageEvent("message.created", 11, message(11)));
    store.apply({ type: "presence", room_id: 8, online: [] }); // another room: no change, no call
    stop();
    store.apply(messageEvent("message.created", 12, message(12)));
    assert.equal(changes.length, 2);
    assert.deepEqual(changes[0], { threads: true });
    assert.equal(changes[1].thread, 1);
    assert.equal(store.state.threads.get(1).unread_count, 2);
  });
});
