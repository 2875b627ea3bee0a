// Where the reader is in a long thread: the unread divider, the opening pages,
// reading more at the edges, "Jump to latest" and scroll anchoring.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import {
  CONTEXT_BEFORE, anchoredScrollTop, distanceFromBottom, edgesToFill, farFromLatest, firstUnreadIndex, openingPages,
  pickAnchor,
} from "../app/thread-position.js";

const ME = 1;
const OTHER = 2;
/** @param {number} seq @param {number} author */
const msg = (seq, author = OTHER) => ({ seq, author: { id: author } });

describe("first unread message", () => {
  test("is the first one after the read marker", () => {
    assert.equal(firstUnreadIndex([msg(4), msg(5), msg(6), msg(7)], 5, ME), 2);
  });

  test("skips the reader's own messages after the marker", () => {
    assert.equal(firstUnreadIndex([msg(5), msg(6, ME), msg(7, ME), msg(8)], 5, ME), 3);
  });

  test("is -1 when everything is read, or only the reader's own messages are newer", () => {
    assert.equal(firstUnreadIndex([msg(1), msg(2)], 2, ME), -1);
    assert.equal(firstUnreadIndex([msg(1), msg(2, ME)], 1, ME), -1);
    assert.equal(firstUnreadIndex([], 0, ME), -1);
  });

  test("a message whose author is gone counts as unread", () => {
    assert.equal(firstUnreadIndex([{ seq: 3, author: null }], 2, ME), 0);
  });

  test("a reader who never read the thread starts at its first message", () => {
    assert.equal(firstUnreadIndex([msg(1), msg(2)], 0, null), 0);
  });
});

describe("pages read when a thread opens", () => {
  test("with nothing unread: the newest page", () => {
    assert.deepEqual(openingPages({ lastReadSeq: 120, unreadCount: 0, pageSize: 50 }), ["limit=50"]);
  });

  test("with unread messages: the read context up to the marker, then the unread ones", () => {
    assert.deepEqual(openingPages({ lastReadSeq: 120, unreadCount: 80, pageSize: 50 }),
      [`before=121&limit=${CONTEXT_BEFORE}`, "after=120&limit=50"]);
  });

  test("never read: from the first message, no context to read", () => {
    assert.deepEqual(openingPages({ lastReadSeq: 0, unreadCount: 3, pageSize: 50 }), ["after=0&limit=50"]);
  });
});

describe("edges and the latest messages", () => {
  const box = (scrollTop, scrollHeight = 10000, clientHeight = 500) => ({ scrollTop, scrollHeight, clientHeight });
  const more = { hasMoreBefore: true, hasMoreAfter: true };

  test("distance from the bottom is never negative", () => {
    assert.equal(distanceFromBottom(box(9500)), 0);
    assert.equal(distanceFromBottom(box(9600)), 0);
    assert.equal(distanceFromBottom(box(9000)), 500);
  });

  test("reads older messages within a screen of the top, newer within a screen of the bottom", () => {
    assert.deepEqual(edgesToFill(box(499), more), { before: true, after: false });
    assert.deepEqual(edgesToFill(box(500), more), { before: false, after: false });
    assert.deepEqual(edgesToFill(box(9001), more), { before: false, after: true });
    assert.deepEqual(edgesToFill(box(9000), more), { before: false, after: false });
  });

  test("reads nothing where the server has nothing more", () => {
    assert.deepEqual(edgesToFill(box(0, 600), { hasMoreBefore: false, hasMoreAfter: false }), { before: false, after: false });
  });

  test("a small box still reads ahead by at least 200 px", () => {
    assert.equal(edgesToFill(box(150, 10000, 100), more).before, true);
  });

  test("Jump to latest: more than two screens up, or the newest messages not drawn", () => {
    assert.equal(farFromLatest(box(9500 - 1000), false), false);
    assert.equal(farFromLatest(box(9500 - 1001), false), true);
    assert.equal(farFromLatest(box(9500), true), true);
  });
});

describe("scroll anchoring", () => {
  test("the anchor is the first item still (partly) visible", () => {
    const items = [{ id: 1, top: -80, bottom: -20 }, { id: 2, top: -20, bottom: 30 }, { id: 3, top: 30, bottom: 90 }];
    assert.equal(pickAnchor(items, 0)?.id, 2);
    assert.equal(pickAnchor(items, 100), null);
  });

  test("content drawn above moves the scroll position by the anchor's shift", () => {
    // 1200 px of older messages drawn above: the anchor moved from 40 to 1240.
    assert.equal(anchoredScrollTop(300, 40, 1240), 1500);
    assert.equal(anchoredScrollTop(300, 40, 40), 300);
  });

  test("never scrolls above the top", () => {
    assert.equal(anchoredScrollTop(10, 100, 20), 0);
  });
});
