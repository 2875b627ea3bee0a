import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultEventName, fileType, placeOf, readLine, roomsByChange, splitLines } from "../app/seed-upload.js";

test("the event's default name is the file's name without its extension", () => {
  assert.equal(defaultEventName("discovery-day.csv"), "discovery-day");
  assert.equal(defaultEventName("C:\\Users\\sam\\Co-Design  Day.xlsx"), "Co-Design Day");
  assert.equal(defaultEventName("notes"), "notes");
});

test("a file's type comes from its extension, whatever the browser thinks", () => {
  assert.equal(fileType("Day.CSV"), "text/csv");
  assert.equal(fileType("seed.yml"), "application/yaml");
  assert.equal(fileType("sheet.xlsx"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  assert.equal(fileType("photo"), "application/octet-stream");
});

test("streamed text is cut into whole lines, keeping the unfinished one", () => {
  assert.deepEqual(splitLines('{"a":1}\n{"b"'), [['{"a":1}'], '{"b"']);
  assert.deepEqual(splitLines('{"a":1}\n\n'), [['{"a":1}'], ""]);
});

test("lines become progress, the report, or an error with its status", () => {
  assert.deepEqual(readLine({ type: "progress", done: 3, total: 9 }), { progress: { done: 3, total: 9 } });
  const report = /** @type {any} */ ({ applied: true });
  assert.deepEqual(readLine({ type: "report", report }), { report });
  const failed = readLine({ type: "error", status: 409, error: { code: "conflict", message: "the file changed", field: "preview" } });
  assert.ok("error" in failed);
  assert.equal(failed.error.status, 409);
  assert.equal(failed.error.message, "The file changed");
  assert.equal(failed.error.field, "preview");
});

test("rooms are told apart: created, changed, and untouched", () => {
  const room = (title, created, threads, outcome) => ({
    title, slug: title, created, owner: "", threads_created: threads, threads_existing: [], people: [{ email: "a@b.example", outcome, owner: false }],
  });
  const report = /** @type {any} */ ({
    rooms: [room("new", true, [], "invited"), room("more", false, ["Q?"], "already_member"),
      room("person", false, [], "added"), room("same", false, [], "already_invited")],
  });
  const { created, changed } = roomsByChange(report);
  assert.deepEqual(created.map((r) => r.title), ["new"]);
  assert.deepEqual(changed.map((r) => r.title), ["more", "person"]);
});

test("a problem says where it is", () => {
  assert.equal(placeOf({ text: "", message: "", row: 4, line: null, column: "Stage" }), "Row 4");
  assert.equal(placeOf({ text: "", message: "", row: null, line: 12, column: "stage" }), "Line 12");
  assert.equal(placeOf({ text: "", message: "", row: null, line: null, column: null }), "The whole file");
});
