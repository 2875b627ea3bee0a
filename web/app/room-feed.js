// @ts-check
// Room events in order, each once, across reconnects (docs/protocol.md, "Sequence
// numbers").
//
// For every watched room we remember the highest seq applied and follow the
// protocol's three rules: apply seq == last + 1, ignore seq <= last, and on a gap
// ask the server again with `subscribe`. On every (re)connect we subscribe with
// those numbers so the server replays exactly what we missed; a room too far
// behind answers `resync` and its view reloads over REST. Events that arrive while
// a gap is being filled or the room reloads wait in a buffer.
//
// The socket is injected (`transport`), so `node --test` drives this with a fake
// server (web/test/room-feed.test.js).

/** @typedef {import("./protocol.js").DurableEvent} DurableEvent */
/** @typedef {import("./protocol.js").LiveEvent} LiveEvent */
/** @typedef {import("./protocol.js").ErrorBody} ErrorBody */
/** @typedef {import("./protocol.js").SubscribeAck} SubscribeAck */

/**
 * @typedef {object} FeedTransport
 * @property {() => boolean} isConnected
 * @property {(rooms: Record<string, number>) => Promise<SubscribeAck>} subscribe  rejects when no answer comes
 * @property {(roomId: number) => void} unsubscribe
 */

/**
 * @typedef {object} FeedHandlers
 * @property {(event: DurableEvent) => void} [onEvent]  each durable event, in seq order, once
 * @property {(event: LiveEvent) => void} [onLive]  events without seq (typing, presence, members, ...)
 * @property {() => Promise<number | undefined>} [onResync]  reload over REST; resolve with the room's seq then
 * @property {() => void} [onSubscribed]  after each (re)subscribe: re-read what is not replayed (members)
 * @property {(error: ErrorBody) => void} [onError]  the server refused the subscription
 */

/**
 * @typedef {object} Watch
 * @property {string} key
 * @property {number} lastSeq
 * @property {FeedHandlers} handlers
 * @property {DurableEvent[]} buffer
 * @property {number} inFlight
 * @property {boolean} resyncing
 * @property {number} retries
 */

/**
 * @typedef {object} RoomFeeds
 * @property {(roomId: number, lastSeq: number, handlers: FeedHandlers) => () => void} watch
 * @property {(event: {room_id?: number, seq?: number, type: string}) => void} receive  an event from the server
 * @property {() => void} connected  the socket (re)connected: subscribe every room
 * @property {() => void} disconnected  answers to requests on the old connection never come
 * @property {() => void} clear  forget every room (sign-out)
 * @property {(roomId: number) => number | null} lastSeq
 */

const MAX_RETRIES = 5;

/**
 * @param {{transport: FeedTransport, later?: (fn: () => void, ms: number) => unknown, retryMs?: number}} options
 * @returns {RoomFeeds}
 */
export function createRoomFeeds({ transport, later = (fn, ms) => setTimeout(fn, ms), retryMs = 1000 }) {
  /** @type {Map<string, Watch>} */
  const watches = new Map();
  let generation = 0; // which connection an answer belongs to

  /** @param {Watch} watch @param {() => void} call */
  function safely(watch, call) {
    try {
      call();
    } catch (error) {
      console.error("Room handler failed", watch.key, error);
    }
  }

  /** @param {string[]} keys */
  function subscribe(keys) {
    if (!transport.isConnected() || keys.length === 0) return;
    /** @type {Record<string, number>} */
    const rooms = {};
    for (const key of keys) {
      const watch = watches.get(key);
      if (!watch || watch.resyncing) continue;
      watch.inFlight += 1;
      rooms[key] = watch.lastSeq;
    }
    if (Object.keys(rooms).length === 0) return;
    const sentOn = generation;
    transport.subscribe(rooms).then(
      (ack) => answered(sentOn, rooms, ack),
      () => answered(sentOn, rooms, null),
    );
  }

  /** @param {number} sentOn @param {Record<string, number>} rooms @param {SubscribeAck | null} ack */
  function answered(sentOn, rooms, ack) {
    if (sentOn !== generation) return;
    for (const key of Object.keys(rooms)) {
      const watch = watches.get(key);
      if (!watch) continue;
      watch.inFlight = Math.max(0, watch.inFlight - 1);
      if (!ack || !ack.ok) {
        // No answer: the connection is probably going, and the next connect
        // subscribes again. If still connected, try once more shortly.
        if (transport.isConnected()) later(() => subscribe([key]), retryMs);
        continue;
      }
      const answer = ack.rooms ? ack.rooms[key] : null;
      if (!answer) continue;
      if (answer.error) {
        const error = answer.error;
        safely(watch, () => watch.handlers.onError?.(error));
        continue;
      }
      if (answer.resync) {
        resync(watch);
        continue;
      }
      for (const event of answer.events || []) applyDurable(watch, event);
      drain(watch);
      safely(watch, () => watch.handlers.onSubscribed?.());
      if (watch.lastSeq < answer.last_seq && watch.inFlight === 0 && watch.retries < MAX_RETRIES) {
        watch.retries += 1;
        subscribe([key]);
      } else {
        watch.retries = 0;
      }
    }
  }

  /** @param {Watch} watch @param {DurableEvent} event */
  function applyDurable(watch, event) {
    if (event.seq <= watch.lastSeq) return; // already applied
    if (watch.resyncing || event.seq !== watch.lastSeq + 1) {
      watch.buffer.push(event);
      // A gap: ask for what is missing unless a request is already on its way.
      if (!watch.resyncing && watch.inFlight === 0) subscribe([watch.key]);
      return;
    }
    watch.lastSeq = event.seq;
    safely(watch, () => watch.handlers.onEvent?.(event));
  }

  /** @param {Watch} watch */
  function drain(watch) {
    if (watch.buffer.length === 0) return;
    const buffered = watch.buffer.sort((a, b) => a.seq - b.seq);
    watch.buffer = [];
    for (const event of buffered) applyDurable(watch, event);
  }

  /** @param {Watch} watch */
  async function resync(watch) {
    watch.resyncing = true;
    try {
      const lastSeq = await watch.handlers.onResync?.();
      if (typeof lastSeq === "number") watch.lastSeq = Math.max(watch.lastSeq, lastSeq);
    } catch (error) {
      console.error("Resync failed", error);
    } finally {
      watch.resyncing = false;
    }
    if (watches.get(watch.key) !== watch) return;
    drain(watch);
    safely(watch, () => watch.handlers.onSubscribed?.());
  }

  return {
    watch(roomId, lastSeq, handlers) {
      const key = String(roomId);
      /** @type {Watch} */
      const watch = { key, lastSeq, handlers, buffer: [], inFlight: 0, resyncing: false, retries: 0 };
      watches.set(key, watch);
      subscribe([key]);
      return () => {
        if (watches.get(key) !== watch) return;
        watches.delete(key);
        if (transport.isConnected()) transport.unsubscribe(roomId);
      };
    },
    receive(event) {
      if (!event || event.room_id == null) return;
      const watch = watches.get(String(event.room_id));
      if (!watch) return;
      if (typeof event.seq === "number") applyDurable(watch, /** @type {DurableEvent} */ (event));
      else safely(watch, () => watch.handlers.onLive?.(/** @type {LiveEvent} */ (event)));
    },
    connected() {
      subscribe([...watches.keys()]);
    },
    disconnected() {
      generation += 1;
      for (const watch of watches.values()) watch.inFlight = 0;
    },
    clear() {
      generation += 1;
      watches.clear();
    },
    lastSeq(roomId) {
      return watches.get(String(roomId))?.lastSeq ?? null;
    },
  };
}
