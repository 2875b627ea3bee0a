// The outbox: unsent messages are kept, and retried with the same client id until
// the server has them.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { createOutbox } from "../app/outbox.js";

class MemoryStorage {
  constructor() { this.data = new Map(); }
  getItem(key) { return this.data.has(key) ? this.data.get(key) : null; }
  setItem(key, value) { this.data.set(key, String(value)); }
  removeItem(key) { this.data.delete(key); }
}

/** A fake connection: records every send; each waits until the test answers it. */
function setup({ storage = new MemoryStorage(), connected = true } = {}) {
  const sends = [];
  const timers = [];
  const announced = [];
  let ids = 0;
  const state = { connected };
  const outbox = createOutbox({
    storage,
    transport: {
      isConnected: () => state.connected,
      send: (payload) => new Promise((resolve, reject) => sends.push({ payload, resolve, reject })),
    },
    announce: (text) => announced.push(text),
    newId: () => `client-${++ids}`,
    now: () => "2026-11-27T10:00:00Z",
    later: (fn) => timers.push(fn),
  });
  outbox.open(42);
  return { outbox, storage, sends, timers, announced, state };
}

async function settle() {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

function stored(storage) {
  return JSON.parse(storage.getItem("convene.outbox.42") || "[]");
}

const draft = { threadId: 9, roomId: 3, body: "Camden has one" };

describe("outbox", () => {
  test("sends at once and forgets the message when the server acknowledges it", async () => {
    const { outbox, storage, sends, announced } = setup();
    const changes = [];
    outbox.subscribe((change) => changes.push(change.type));
    const item = outbox.enqueue(draft);
    assert.deepEqual(sends.map((s) => s.payload), [{ thread_id: 9, client_id: item.client_id, body: "Camden has one" }]);
    assert.equal(stored(storage).length, 1, "kept until acknowledged");
    sends[0].resolve({ ok: true, message: { id: 1, client_id: item.client_id } });
    await settle();
    assert.deepEqual(outbox.forThread(9), []);
    assert.equal(storage.getItem("convene.outbox.42"), null);
    assert.deepEqual(changes, ["added", "sent"]);
    assert.ok(announced.includes("Message sent."));
  });

  test("written offline: kept in storage, sent with the same client id on connect", async () => {
    const { outbox, storage, sends, state } = setup({ connected: false });
    const item = outbox.enqueue(draft);
    assert.equal(sends.length, 0);
    assert.deepEqual(stored(storage).map((i) => [i.client_id, i.status]), [[item.client_id, "pending"]]);
    state.connected = true;
    outbox.flush();
    assert.deepEqual(sends.map((s) => s.payload.client_id), [item.client_id]);
  });

  test("no answer (timeout or dropped connection): retried later with the same client id", async () => {
    const { outbox, storage, sends, timers } = setup();
    const item = outbox.enqueue(draft);
    sends[0].reject(new Error("timeout"));
    await settle();
    assert.equal(stored(storage).length, 1);
    assert.equal(timers.length, 1);
    timers.shift()();
    assert.equal(sends.length, 2);
    assert.equal(sends[1].payload.client_id, item.client_id);
    sends[1].resolve({ ok: true, message: { id: 1, client_id: item.client_id } });
    await settle();
    assert.deepEqual(outbox.all(), []);
  });

  test("one send at a time per message, however often the queue is flushed", async () => {
    const { outbox, sends } = setup();
    outbox.enqueue(draft);
    outbox.flush();
    outbox.flush();
    assert.equal(sends.length, 1);
  });

  test("rate limited: retried; refused: kept as failed until the person retries or discards it", async () => {
    const { outbox, storage, sends, timers } = setup();
    const item = outbox.enqueue(draft);
    sends[0].resolve({ ok: false, error: { code: "rate_limited", message: "slow down" } });
    await settle();
    assert.equal(timers.length, 1);
    timers.shift()();
    sends[1].resolve({ ok: false, error: { code: "invalid", message: "Body is too long", field: "body" } });
    await settle();
    assert.equal(outbox.forThread(9)[0].status, "failed");
    assert.equal(outbox.forThread(9)[0].error, "Body is too long");
    assert.equal(stored(storage)[0].status, "failed");
    outbox.flush();
    assert.equal(sends.length, 2, "a failed message is not sent again by itself");
    outbox.retry(item.client_id);
    assert.equal(sends.length, 3);
    assert.equal(sends[2].payload.client_id, item.client_id);
    outbox.discard(item.client_id);
    assert.equal(storage.getItem("convene.outbox.42"), null);
  });

  test("after a reload, pending messages are sent again with their own client ids", async () => {
    const storage = new MemoryStorage();
    const first = setup({ storage, connected: false });
    const a = first.outbox.enqueue({ ...draft, body: "first" });
    const b = first.outbox.enqueue({ ...draft, body: "second" });
    // A new page: a new outbox over the same storage.
    const second = setup({ storage });
    assert.deepEqual(second.outbox.forThread(9).map((i) => i.body), ["first", "second"]);
    second.outbox.flush();
    assert.deepEqual(second.sends.map((s) => s.payload.client_id), [a.client_id, b.client_id]);
  });

  test("settled by the live event before the acknowledgement: announced once", async () => {
    const { outbox, sends, announced } = setup();
    const item = outbox.enqueue(draft);
    outbox.settle(item.client_id, { id: 1 });
    sends[0].resolve({ ok: true, message: { id: 1, client_id: item.client_id } });
    await settle();
    assert.equal(announced.filter((text) => text === "Message sent.").length, 1);
  });

  test("signing out forgets the queue but keeps it stored for that person", async () => {
    const { outbox, storage } = setup({ connected: false });
    outbox.enqueue(draft);
    outbox.close();
    assert.deepEqual(outbox.all(), []);
    assert.equal(stored(storage).length, 1);
    outbox.open(42);
    assert.equal(outbox.all().length, 1);
    outbox.close({ discard: true });
    assert.equal(storage.getItem("convene.outbox.42"), null);
  });
});
