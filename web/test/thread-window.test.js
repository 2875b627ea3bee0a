// The drawn run of a long thread: opening pages, widening at either end, the gap
// to the live edge. A fake server answers pages of a 200-message thread the way
// GET /threads/{id}/messages does.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { createRoomStore } from "../app/room-store.js";
import { createThreadWindow, PAGE } from "../app/thread-window.js";
import { CONTEXT_BEFORE } from "../app/thread-position.js";
import { ME, message, room } from "./fixtures.js";

const TOTAL = 200;

/** A thread of `total` messages with seqs 1..total, paged like the server. */
function fakeServer(total = TOTAL) {
  const all = Array.from({ length: total }, (_, i) => message(i + 1));
  const queries = [];
  return {
    all,
    queries,
    /** @param {string} query */
    async fetchPage(query) {
      queries.push(query);
      const q = new URLSearchParams(query);
      const limit = Number(q.get("limit"));
      if (q.has("after")) {
        const after = Number(q.get("after"));
        const rest = all.filter((m) => m.seq > after);
        const page = rest.slice(0, limit);
        return { messages: page, has_more_before: after > 0, has_more_after: rest.length > limit };
      }
      const before = q.has("before") ? Number(q.get("before")) : Infinity;
      const head = all.filter((m) => m.seq < before);
      const page = head.slice(Math.max(0, head.length - limit));
      return { messages: page, has_more_before: head.length > limit, has_more_after: before !== Infinity && before <= total };
    },
  };
}

function setUp(total = TOTAL) {
  const server = fakeServer(total);
  const store = createRoomStore(room(), { me: ME });
  store.openThread(1);
  const win = createThreadWindow({ store, threadId: 1, fetchPage: server.fetchPage });
  const seqs = () => win.drawn().map((m) => m.seq);
  return { server, store, win, seqs };
}

describe("opening", () => {
  test("with unread messages: the context before the marker and a page of unread ones", async () => {
    const { server, win, seqs } = setUp();
    assert.equal(await win.open({ lastReadSeq: 120, unreadCount: 80, messageId: null }), true);
    assert.deepEqual(server.queries, [`before=121&limit=${CONTEXT_BEFORE}`, `after=120&limit=${PAGE}`]);
    assert.equal(seqs()[0], 121 - CONTEXT_BEFORE);
    assert.equal(seqs().at(-1), 120 + PAGE);
    assert.equal(win.hasMoreBefore, true);
    assert.equal(win.hasMoreAfter, true);
  });

  test("with nothing unread: the newest page, nothing more after it", async () => {
    const { server, win, seqs } = setUp();
    await win.open({ lastReadSeq: 200, unreadCount: 0, messageId: null });
    assert.deepEqual(server.queries, [`limit=${PAGE}`]);
    assert.deepEqual([seqs()[0], seqs().at(-1)], [151, 200]);
    assert.equal(win.hasMoreAfter, false);
  });

  test("a permalink reads back from the newest page until the message is there", async () => {
    const { server, win, seqs } = setUp();
    const target = server.all[29]; // seq 30
    await win.open({ lastReadSeq: 10, unreadCount: 190, messageId: target.id });
    assert.ok(seqs().includes(30));
    assert.equal(seqs().at(-1), 200);
  });
});

describe("widening", () => {
  test("older pages join the run at its start; newer ones at its end until the newest", async () => {
    const { win, seqs } = setUp();
    await win.open({ lastReadSeq: 120, unreadCount: 80, messageId: null });
    const older = await win.older();
    assert.equal(older.length, PAGE);
    assert.equal(seqs()[0], 121 - CONTEXT_BEFORE - PAGE);
    assert.deepEqual(seqs(), Array.from({ length: seqs().length }, (_, i) => seqs()[0] + i), "no gaps");
    await win.newer();
    assert.equal(win.hasMoreAfter, false);
    assert.equal(seqs().at(-1), 200);
    await win.older();
    await win.older();
    assert.equal(seqs()[0], 1);
    assert.equal(win.hasMoreBefore, false);
    assert.deepEqual(await win.older(), [], "nothing more to read");
  });

  test("one page at a time per edge: a second call while reading shares the first", async () => {
    const { server, win } = setUp();
    await win.open({ lastReadSeq: 120, unreadCount: 80, messageId: null });
    const first = win.older();
    const second = win.older();
    assert.equal(first, second);
    await first;
    assert.equal(server.queries.filter((q) => q.startsWith("before=")).length, 2); // the opening's and this one
  });
});

describe("the gap to the live edge", () => {
  test("live messages past the gap are kept but not drawn until the run reaches them", async () => {
    const { store, win, seqs } = setUp();
    await win.open({ lastReadSeq: 120, unreadCount: 80, messageId: null });
    const live = message(201);
    store.addMessages(1, [live]);
    assert.equal(win.includes(live), false);
    assert.ok(!seqs().includes(201));
    await win.newer(); // 171..200, the newest: the gap is closed
    assert.equal(win.includes(live), true);
    assert.equal(seqs().at(-1), 201);
  });

  test("a newer opening drops the answers of an older one", async () => {
    const { win } = setUp();
    const first = win.open({ lastReadSeq: 120, unreadCount: 80, messageId: null });
    const second = win.open({ lastReadSeq: 200, unreadCount: 0, messageId: null });
    assert.equal(await first, false);
    assert.equal(await second, true);
  });
});
