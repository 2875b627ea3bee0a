// The end of a session: recognising the server's refusal, and saying why.
import { test } from "node:test";
import assert from "node:assert/strict";
import { isUnauthenticated, signedOutReason, safeNext } from "../app/session.js";

test("a connect error with code unauthenticated ends the session; others do not", () => {
  const withData = Object.assign(new Error("sign in first"), { data: { code: "unauthenticated", message: "sign in first" } });
  const asText = new Error("{'code': 'unauthenticated', 'message': 'sign in first'}");
  assert.equal(isUnauthenticated(withData), true);
  assert.equal(isUnauthenticated(asText), true);
  assert.equal(isUnauthenticated(new Error("xhr poll error")), false);
  assert.equal(isUnauthenticated(Object.assign(new Error("refused"), { data: { code: "forbidden_origin" } })), false);
  assert.equal(isUnauthenticated(null), false);
});

test("each revocation reason has its own sentence", () => {
  const reasons = ["signed_out", "signed_out_everywhere", "deactivated", undefined];
  const sentences = new Set(reasons.map((reason) => signedOutReason(reason)));
  assert.equal(sentences.size, reasons.length);
  assert.match(signedOutReason("deactivated"), /deactivated/);
});

test("only same-site paths are followed after signing in", () => {
  assert.equal(safeNext("/r/room"), "/r/room");
  assert.equal(safeNext("//evil.example"), "/");
  assert.equal(safeNext("https://evil.example"), "/");
  assert.equal(safeNext("/signin"), "/");
});
