import { test } from "node:test";
import assert from "node:assert/strict";
import { groupByRoom, resultHref, searchParams, threadHref } from "../app/finding.js";
import { user } from "./fixtures.js";

/** @param {number} roomId @param {number} threadId */
function entry(roomId, threadId) {
  return {
    reason: "other", room: { id: roomId, slug: `room-${roomId}`, title: `Room ${roomId}` }, thread: { id: threadId, title: `T${threadId}` },
    unread_count: 1, mention_count: 0, latest_message_id: threadId * 10, latest_seq: 3, author: user(2), snippet: "hi",
    last_activity_at: "2026-11-27T10:00:00Z",
  };
}

test("inbox entries are grouped by room in the server's order", () => {
  const groups = groupByRoom([entry(2, 20), entry(1, 10), entry(2, 21), entry(1, 11)]);
  assert.deepEqual(groups.map((g) => [g.room.id, g.entries.map((e) => e.thread.id)]), [[2, [20, 21]], [1, [10, 11]]]);
  assert.equal(threadHref(entry(3, 30)), "/r/room-3/t/30");
});

test("a message result opens its permalink, a title result its thread", () => {
  const base = { room: { id: 1, slug: "a b", title: "A" }, thread: { id: 5, title: "T" }, seq: 4, author: null,
    created_at: "2026-11-27T10:00:00Z", snippet_html: "" };
  assert.equal(resultHref({ ...base, kind: "message", message_id: 9 }), "/r/a%20b/t/5/m/9");
  assert.equal(resultHref({ ...base, kind: "thread", message_id: null }), "/r/a%20b/t/5");
});

test("search parameters come from the URL, trimmed, without empty or unknown ones", () => {
  const params = searchParams(new URLSearchParams("q=%20keeper%20&room=&sort=newest&offset=20&evil=1"));
  assert.deepEqual(params, { q: "keeper", sort: "newest" });
});
