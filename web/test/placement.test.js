// The mention suggestions open inside the viewport.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EDGE, placePopup } from "../app/placement.js";

test("opens below when it fits there", () => {
  assert.deepEqual(placePopup({ above: 600, below: 300, wanted: 200 }), { side: "below", maxHeight: 200 });
});

test("opens above a field at the bottom of the screen", () => {
  assert.deepEqual(placePopup({ above: 500, below: 60, wanted: 200 }), { side: "above", maxHeight: 200 });
});

test("when it fits on neither side: the side with more room, shortened to fit", () => {
  assert.deepEqual(placePopup({ above: 150, below: 40, wanted: 256 }), { side: "above", maxHeight: 150 - EDGE });
  assert.deepEqual(placePopup({ above: 40, below: 150, wanted: 256 }), { side: "below", maxHeight: 150 - EDGE });
});

test("no room at all gives a height of zero, never negative", () => {
  assert.deepEqual(placePopup({ above: 0, below: 0, wanted: 100 }), { side: "below", maxHeight: 0 });
});
