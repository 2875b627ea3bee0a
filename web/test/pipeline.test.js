// The pipeline's rules in the browser: which stages a room can move to, the move
// request and what is checked before sending it, the Move menu's keys, and a
// stage.moved event applied to a room store once, live or replayed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { stagesTo, moveBody, moveProblems, menuMove, kindLabel } from "../app/pipeline.js";
import { newRoomState, apply } from "../app/room-store.js";
import { room, user, ME } from "./fixtures.js";

const CRITERIA = { user_need: "one form", cost_benefit: "£2m", rapid_success: "pilot runs" };

test("a room moves to any stage but its own", () => {
  assert.deepEqual(stagesTo("co-design").map(([value]) => value), ["discovery", "incubation", "live", "archived"]);
});

test("the note is sent only when written; the criteria only for incubation, trimmed", () => {
  assert.deepEqual(moveBody("live", "  ", CRITERIA), { stage: "live" });
  assert.deepEqual(moveBody("live", " Launched ", {}), { stage: "live", note: "Launched" });
  assert.deepEqual(moveBody("incubation", "", { user_need: " one form ", cost_benefit: "£2m" }),
    { stage: "incubation", criteria: { user_need: "one form", cost_benefit: "£2m", rapid_success: "" } });
});

test("a move to incubation needs all three criteria, named as the server names them", () => {
  assert.deepEqual(moveProblems(moveBody("incubation", "", CRITERIA), "co-design"), []);
  const missing = moveProblems(moveBody("incubation", "", { cost_benefit: "£2m" }), "co-design");
  assert.deepEqual(missing.map((p) => p.field), ["criteria.user_need", "criteria.rapid_success"]);
  assert.match(missing[0].message, /^Enter the user need that only central-local collaboration can meet$/);
  assert.deepEqual(moveProblems({ stage: "" }, "discovery").map((p) => p.field), ["stage"]);
  assert.deepEqual(moveProblems({ stage: "discovery" }, "discovery").map((p) => p.field), ["stage"]);
  assert.deepEqual(moveProblems({ stage: "live" }, "discovery"), []);
});

test("the Move menu's arrows wrap, Home and End jump, other keys are left alone", () => {
  assert.equal(menuMove("ArrowDown", 3, 4), 0);
  assert.equal(menuMove("ArrowUp", 0, 4), 3);
  assert.equal(menuMove("Home", 2, 4), 0);
  assert.equal(menuMove("End", 0, 4), 3);
  assert.equal(menuMove("a", 0, 4), null);
  assert.equal(menuMove("ArrowDown", 0, 0), null);
});

test("organisation kinds read as words", () => {
  assert.equal(kindLabel("central-government"), "Central government");
  assert.equal(kindLabel(null), "");
});

test("stage.moved moves the room once, in order, and says when it is archived or reopened", () => {
  const state = newRoomState(room({ last_seq: 10 }));
  const move = { id: 1, room_id: 7, seq: 11, from_stage: "discovery", to_stage: "incubation", note: "",
    criteria: CRITERIA, moved_by: user(ME), moved_at: "2026-11-27T11:00:00Z" };
  const change = apply(state, { type: "stage.moved", room_id: 7, seq: 11, move }, { me: ME });
  assert.equal(change.room, true);
  assert.equal(change.stageMove, move);
  assert.equal(change.archived, undefined);
  assert.equal(state.room.stage, "incubation");
  assert.equal(state.room.last_seq, 11);
  assert.deepEqual(state.room.incubation_criteria, CRITERIA);
  assert.equal(state.room.last_activity_at, "2026-11-27T11:00:00Z");
  // Replayed again on catch-up: nothing changes twice.
  assert.deepEqual(apply(state, { type: "stage.moved", room_id: 7, seq: 11, move }, { me: ME }), {});
  const archive = { ...move, id: 2, seq: 12, from_stage: "incubation", to_stage: "archived", criteria: null };
  assert.equal(apply(state, { type: "stage.moved", room_id: 7, seq: 12, move: archive }, { me: ME }).archived, true);
  assert.deepEqual(state.room.incubation_criteria, CRITERIA); // the criteria recorded stay on the room
});
