// @ts-check
// Messages on their way to the server.
//
// A message is shown at once as pending, kept in storage until the server
// acknowledges it (so a reload or a crash loses nothing), and sent again with the
// same client_id after a dropped connection. The server stores one message per
// client_id, so a retry can never make it appear twice.
//
// Storage, the socket and timers are injected: main.js passes localStorage and the
// live connection; `node --test` passes fakes (web/test/outbox.test.js).

/** @typedef {import("./protocol.js").Message} Message */
/** @typedef {import("./protocol.js").ErrorBody} ErrorBody */

/**
 * @typedef {object} OutboxItem
 * @property {string} client_id
 * @property {number} thread_id
 * @property {number} room_id
 * @property {string} body
 * @property {string} created_at
 * @property {"pending" | "failed"} status
 * @property {string | null} error
 */

/**
 * @typedef {{type: "added" | "updated" | "sent" | "removed", item: OutboxItem, message?: Message}
 *   | {type: "reloaded"}} OutboxChange
 */

/** @typedef {{ok: boolean, message?: Message, error?: ErrorBody}} SendAck */

/**
 * @typedef {object} OutboxTransport
 * @property {() => boolean} isConnected
 * @property {(payload: {thread_id: number, client_id: string, body: string}) => Promise<SendAck>} send
 *   resolves with the acknowledgement; rejects when none comes (timeout, disconnected)
 */

/** @typedef {Pick<Storage, "getItem" | "setItem" | "removeItem">} KeyValueStorage */

/**
 * @typedef {object} Outbox
 * @property {(userId: number) => void} open  load this person's unsent messages
 * @property {(options?: {discard?: boolean}) => void} close
 * @property {() => string | null} storageKey
 * @property {() => void} reload  re-read storage (another tab changed it)
 * @property {(listener: (change: OutboxChange) => void) => () => void} subscribe
 * @property {(threadId: number) => OutboxItem[]} forThread
 * @property {() => OutboxItem[]} all
 * @property {(draft: {threadId: number, roomId: number, body: string}) => OutboxItem} enqueue
 * @property {(clientId: string, message?: Message) => void} settle
 * @property {(clientId: string) => void} discard
 * @property {(clientId: string) => void} retry
 * @property {() => void} flush  send everything pending (on every connect)
 */

const RETRYABLE = new Set(["rate_limited", "timeout", "offline"]);
const NOT_ACCEPTED = "The message was not accepted.";

/**
 * @param {object} options
 * @param {KeyValueStorage | null} options.storage
 * @param {OutboxTransport} options.transport
 * @param {(text: string) => void} [options.announce]
 * @param {() => string} [options.newId]
 * @param {() => string} [options.now]
 * @param {(fn: () => void, ms: number) => unknown} [options.later]
 * @param {number} [options.retryMs]
 * @returns {Outbox}
 */
export function createOutbox({
  storage, transport, announce = () => {}, newId = () => crypto.randomUUID(),
  now = () => new Date().toISOString(), later = (fn, ms) => setTimeout(fn, ms), retryMs = 3000,
}) {
  /** @type {number | null} */
  let userId = null;
  /** @type {OutboxItem[]} */
  let items = [];
  /** @type {Set<(change: OutboxChange) => void>} */
  const listeners = new Set();
  /** @type {Set<string>} */
  const inFlight = new Set();
  let retryScheduled = false;

  function storageKey() {
    return userId == null ? null : `convene.outbox.${userId}`;
  }

  /** @returns {OutboxItem[]} */
  function load() {
    const key = storageKey();
    if (!storage || !key) return [];
    try {
      const raw = storage.getItem(key);
      const parsed = raw ? JSON.parse(raw) : [];
      return Array.isArray(parsed) ? parsed : [];
    } catch {
      return [];
    }
  }

  function save() {
    const key = storageKey();
    if (!storage || !key) return;
    try {
      if (items.length) storage.setItem(key, JSON.stringify(items));
      else storage.removeItem(key);
    } catch {
      // Storage full or blocked (some locked-down browsers): keep them in memory.
    }
  }

  /** @param {OutboxChange} change */
  function notify(change) {
    for (const listener of [...listeners]) {
      try {
        listener(change);
      } catch (error) {
        console.error(error);
      }
    }
  }

  /** @param {string} clientId */
  function find(clientId) {
    return items.find((item) => item.client_id === clientId);
  }

  function scheduleRetry() {
    if (retryScheduled) return;
    retryScheduled = true;
    later(() => {
      retryScheduled = false;
      flush();
    }, retryMs);
  }

  /** @param {OutboxItem} item */
  async function send(item) {
    if (inFlight.has(item.client_id) || !transport.isConnected()) return;
    const owner = userId;
    inFlight.add(item.client_id);
    /** @type {SendAck} */
    let ack;
    try {
      ack = await transport.send({ thread_id: item.thread_id, client_id: item.client_id, body: item.body });
    } catch {
      // Timed out or disconnected: the server may or may not have it. Sending
      // again with the same client_id is safe either way.
      inFlight.delete(item.client_id);
      if (owner === userId) scheduleRetry();
      return;
    }
    inFlight.delete(item.client_id);
    if (owner !== userId || !items.includes(item)) return; // settled by an event meanwhile, or signed out
    if (ack && ack.ok && ack.message) {
      settle(item.client_id, ack.message);
      return;
    }
    const error = (ack && ack.error) || { code: "invalid", message: NOT_ACCEPTED };
    if (RETRYABLE.has(error.code)) {
      scheduleRetry();
      return;
    }
    item.status = "failed";
    item.error = error.message || NOT_ACCEPTED;
    save();
    notify({ type: "updated", item });
    announce(`Message not sent: ${item.error}`);
  }

  function flush() {
    for (const item of [...items]) {
      if (item.status === "pending") send(item);
    }
  }

  /** @param {string} clientId @param {Message} [message] */
  function settle(clientId, message) {
    const item = find(clientId);
    if (!item) return;
    items = items.filter((i) => i !== item);
    save();
    notify({ type: "sent", item, message });
    announce("Message sent.");
  }

  return {
    open(id) {
      userId = id;
      items = load().map((item) => ({ ...item, status: item.status === "failed" ? "failed" : "pending" }));
    },
    close({ discard = false } = {}) {
      const key = storageKey();
      if (discard && storage && key) {
        try { storage.removeItem(key); } catch { /* ignore */ }
      }
      userId = null;
      items = [];
      inFlight.clear();
    },
    storageKey,
    reload() {
      items = load();
      notify({ type: "reloaded" });
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    forThread(threadId) {
      return items.filter((item) => item.thread_id === threadId);
    },
    all() {
      return [...items];
    },
    enqueue({ threadId, roomId, body }) {
      /** @type {OutboxItem} */
      const item = {
        client_id: newId(), thread_id: threadId, room_id: roomId, body, created_at: now(), status: "pending", error: null,
      };
      items.push(item);
      save();
      notify({ type: "added", item });
      if (!transport.isConnected()) announce("Not connected. Your message will be sent when the connection is back.");
      send(item);
      return item;
    },
    settle,
    discard(clientId) {
      const item = find(clientId);
      if (!item) return;
      items = items.filter((i) => i !== item);
      save();
      notify({ type: "removed", item });
    },
    retry(clientId) {
      const item = find(clientId);
      if (!item) return;
      item.status = "pending";
      item.error = null;
      save();
      notify({ type: "updated", item });
      send(item);
    },
    flush,
  };
}
