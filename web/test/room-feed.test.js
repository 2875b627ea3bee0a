// Realtime gap handling: each event once and in order, catch-up after a gap or a
// reconnect, resync when the server says so. A fake server stands in for the socket.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { createRoomFeeds } from "../app/room-feed.js";

const ROOM = 7;

/** @param {number} seq */
function event(seq) {
  return { type: "message.created", room_id: ROOM, seq, message: { id: seq, seq } };
}

/** A fake server: records `subscribe` calls; each waits until the test answers it. */
function fakeServer() {
  const calls = [];
  const unsubscribed = [];
  const timers = [];
  let connected = true;
  const transport = {
    isConnected: () => connected,
    subscribe: (rooms) => new Promise((resolve, reject) => calls.push({ rooms, resolve, reject })),
    unsubscribe: (roomId) => unsubscribed.push(roomId),
  };
  const feeds = createRoomFeeds({ transport, later: (fn) => timers.push(fn) });
  return {
    feeds, calls, unsubscribed, timers,
    setConnected(value) { connected = value; },
    /** Answer the oldest open call with `events` for the room and the room's `last_seq`. */
    async answer(answer) {
      const call = calls.shift();
      assert.ok(call, "a subscribe call was made");
      call.resolve({ ok: true, rooms: { [ROOM]: answer } });
      await settle();
      return call.rooms;
    },
  };
}

async function settle() {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

/** Watch the room from `lastSeq`, recording the seqs applied. */
function watch(server, lastSeq, handlers = {}) {
  const applied = [];
  const stop = server.feeds.watch(ROOM, lastSeq, { onEvent: (e) => applied.push(e.seq), ...handlers });
  return { applied, stop };
}

describe("room feed", () => {
  test("subscribes from the last seq seen and applies the missed events in order", async () => {
    const server = fakeServer();
    const { applied } = watch(server, 3);
    assert.deepEqual(await server.answer({ events: [event(4), event(5)], last_seq: 5 }), { [ROOM]: 3 });
    assert.deepEqual(applied, [4, 5]);
    assert.equal(server.feeds.lastSeq(ROOM), 5);
  });

  test("ignores repeats and events already replayed", async () => {
    const server = fakeServer();
    const { applied } = watch(server, 3);
    await server.answer({ events: [event(4)], last_seq: 4 });
    server.feeds.receive(event(4));
    server.feeds.receive(event(3));
    server.feeds.receive(event(5));
    server.feeds.receive(event(5));
    assert.deepEqual(applied, [4, 5]);
  });

  test("a gap holds later events back and asks the server for the missing ones", async () => {
    const server = fakeServer();
    const { applied } = watch(server, 3);
    await server.answer({ events: [], last_seq: 3 });
    server.feeds.receive(event(6)); // 4 and 5 were lost
    server.feeds.receive(event(7));
    assert.deepEqual(applied, []);
    assert.equal(server.calls.length, 1, "one catch-up request, not one per event");
    assert.deepEqual(server.calls[0].rooms, { [ROOM]: 3 });
    await server.answer({ events: [event(4), event(5), event(6)], last_seq: 7 });
    assert.deepEqual(applied, [4, 5, 6, 7]);
    server.feeds.receive(event(8));
    assert.deepEqual(applied, [4, 5, 6, 7, 8]);
  });

  test("a catch-up that stops short of the room's end asks again", async () => {
    const server = fakeServer();
    const { applied } = watch(server, 0);
    await server.answer({ events: [event(1)], last_seq: 3 });
    assert.deepEqual(server.calls.map((c) => c.rooms), [{ [ROOM]: 1 }]);
    await server.answer({ events: [event(2), event(3)], last_seq: 3 });
    assert.deepEqual(applied, [1, 2, 3]);
    assert.equal(server.calls.length, 0);
  });

  test("every reconnect subscribes again from where each room is", async () => {
    const server = fakeServer();
    const { applied } = watch(server, 3);
    await server.answer({ events: [event(4)], last_seq: 4 });
    server.setConnected(false);
    server.feeds.disconnected();
    server.setConnected(true);
    server.feeds.connected();
    assert.deepEqual(await server.answer({ events: [event(5), event(6)], last_seq: 6 }), { [ROOM]: 4 });
    assert.deepEqual(applied, [4, 5, 6]);
  });

  test("an answer meant for a connection that has gone is ignored", async () => {
    const server = fakeServer();
    const { applied } = watch(server, 3);
    const stale = server.calls.shift();
    server.feeds.disconnected();
    server.feeds.connected();
    stale.resolve({ ok: true, rooms: { [ROOM]: { events: [event(4), event(5)], last_seq: 5 } } });
    await settle();
    assert.deepEqual(applied, []);
    await server.answer({ events: [event(4), event(5)], last_seq: 5 });
    assert.deepEqual(applied, [4, 5]);
  });

  test("no answer while still connected: try again later", async () => {
    const server = fakeServer();
    const { applied } = watch(server, 3);
    server.calls.shift().reject(new Error("timeout"));
    await settle();
    assert.equal(server.timers.length, 1);
    server.timers.shift()();
    await server.answer({ events: [event(4)], last_seq: 4 });
    assert.deepEqual(applied, [4]);
  });

  test("resync: the room reloads over REST; events meanwhile wait, then only newer ones apply", async () => {
    const server = fakeServer();
    let finishReload;
    const reloads = [];
    let subscribed = 0;
    const { applied } = watch(server, 3, {
      onResync: () => new Promise((resolve) => { reloads.push(1); finishReload = resolve; }),
      onSubscribed: () => { subscribed += 1; },
    });
    await server.answer({ resync: true, last_seq: 900 });
    assert.equal(reloads.length, 1);
    server.feeds.receive(event(900)); // included in the reload
    server.feeds.receive(event(901)); // after it
    assert.deepEqual(applied, []);
    assert.equal(server.calls.length, 0, "no catch-up request while reloading");
    finishReload(900);
    await settle();
    assert.deepEqual(applied, [901]);
    assert.equal(server.feeds.lastSeq(ROOM), 901);
    assert.equal(subscribed, 1);
  });

  test("a refused subscription is reported", async () => {
    const server = fakeServer();
    const errors = [];
    watch(server, 0, { onError: (error) => errors.push(error.code) });
    await server.answer({ error: { code: "not_found" }, last_seq: 0 });
    assert.deepEqual(errors, ["not_found"]);
  });

  test("events without seq go to onLive; stopping unsubscribes and drops later events", async () => {
    const server = fakeServer();
    const live = [];
    const { applied, stop } = watch(server, 3, { onLive: (e) => live.push(e.type) });
    await server.answer({ events: [], last_seq: 3 });
    server.feeds.receive({ type: "presence", room_id: ROOM, online: [1] });
    server.feeds.receive({ type: "presence", room_id: 8, online: [1] });
    assert.deepEqual(live, ["presence"]);
    stop();
    assert.deepEqual(server.unsubscribed, [ROOM]);
    server.feeds.receive(event(4));
    assert.deepEqual(applied, []);
  });

  test("a handler that throws does not stop the events after it", async () => {
    const server = fakeServer();
    const applied = [];
    const original = console.error;
    console.error = () => {};
    try {
      server.feeds.watch(ROOM, 0, { onEvent: (e) => { applied.push(e.seq); if (e.seq === 1) throw new Error("boom"); } });
      await server.answer({ events: [event(1), event(2)], last_seq: 2 });
    } finally {
      console.error = original;
    }
    assert.deepEqual(applied, [1, 2]);
  });
});
