// Roving focus: which message the arrow keys, Home and End move to.
import { test } from "node:test";
import assert from "node:assert/strict";
import { nextIndex } from "../app/roving.js";

test("Up and Down move one message, stopping at the ends", () => {
  assert.equal(nextIndex("ArrowDown", 3, 10), 4);
  assert.equal(nextIndex("ArrowUp", 3, 10), 2);
  assert.equal(nextIndex("ArrowUp", 0, 10), 0);
  assert.equal(nextIndex("ArrowDown", 9, 10), 9);
});

test("Home and End go to the first and last message", () => {
  assert.equal(nextIndex("Home", 5, 10), 0);
  assert.equal(nextIndex("End", 5, 10), 9);
});

test("Page Up and Page Down move several, stopping at the ends", () => {
  assert.equal(nextIndex("PageDown", 3, 10), 8);
  assert.equal(nextIndex("PageDown", 7, 10), 9);
  assert.equal(nextIndex("PageUp", 2, 10), 0);
});

test("from no current message, keys count from the newest", () => {
  assert.equal(nextIndex("ArrowUp", -1, 4), 2);
  assert.equal(nextIndex("Home", -1, 4), 0);
});

test("other keys and empty lists move nowhere", () => {
  assert.equal(nextIndex("Enter", 2, 10), null);
  assert.equal(nextIndex("a", 2, 10), null);
  assert.equal(nextIndex("ArrowDown", -1, 0), null);
});
