// Reading a pasted list of people to invite, and the sentence for each outcome.
import { test } from "node:test";
import assert from "node:assert/strict";
import { splitAddresses, describeResult, summarise, entryProblem } from "../app/invitees.js";

test("addresses separated by commas, semicolons, whitespace or new lines are split", () => {
  assert.deepEqual(splitAddresses("a@x.example, b@x.example;c@x.example\nd@x.example\r\n e@x.example\tf@x.example  "),
    ["a@x.example", "b@x.example", "c@x.example", "d@x.example", "e@x.example", "f@x.example"]);
  assert.deepEqual(splitAddresses(" ,;\n "), []);
  assert.deepEqual(splitAddresses(""), []);
});

test("a name and address as mail clients copy them stays one entry", () => {
  assert.deepEqual(splitAddresses('Ada Lovelace <ada@camden.example>; "Lovelace, Byron" <byron@camden.example>, x@y.example'),
    ["Ada Lovelace <ada@camden.example>", '"Lovelace, Byron" <byron@camden.example>', "x@y.example"]);
});

test("each outcome has its own sentence naming the address", () => {
  const base = { email: "nia@council.example", user_id: 5, display_name: "Nia" };
  assert.match(describeResult({ ...base, outcome: "invited" }), /^nia@council\.example: invited\./);
  assert.match(describeResult({ ...base, outcome: "added" }), /^Nia \(nia@council\.example\): added/);
  assert.match(describeResult({ ...base, outcome: "already_member" }), /already a member\. Nothing was sent\./);
  assert.match(describeResult({ ...base, outcome: "resent" }), /earlier link no longer works/);
  assert.match(describeResult({ ...base, outcome: "cooling_off" }), /no new email was sent/);
  const refused = describeResult({ email: "nope", user_id: null, display_name: null, outcome: "error",
    error: { code: "invalid", message: "nope is not an email address", field: "emails" } });
  assert.equal(refused, "nope: not invited. Nope is not an email address");
  assert.match(describeResult({ email: null, user_id: 3, display_name: "Bob", outcome: "already_member" }), /^Bob: already/);
  assert.equal(summarise([{ ...base, outcome: "invited" }, { ...base, outcome: "error" }]), "1 address done, 1 could not be invited");
});

test("words between addresses are not split into addresses; what is wrong is said in the form's words", () => {
  const pattern = /^[^@\s<>(),;:"[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
  assert.deepEqual(splitAddresses("sam at supplier, ada@camden.example"), ["sam at supplier", "ada@camden.example"]);
  assert.deepEqual(splitAddresses("a@x.example b@y.example"), ["a@x.example", "b@y.example"]);
  assert.match(entryProblem("sam at supplier", pattern) || "", /“sam at supplier” is not an email address/);
  assert.match(entryProblem("ada@camden", pattern) || "", /“ada@camden” is not a complete email address/);
  assert.equal(entryProblem("Ada <ada@camden.example>", pattern), null);
  assert.equal(entryProblem("ada@camden.example", pattern), null);
});
