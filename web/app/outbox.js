// Messages on their way to the server.
//
// A message is shown at once as pending, kept in localStorage until the server
// acknowledges it (so a reload or a crash loses nothing), and sent again with the
// same client_id after a dropped connection. The server stores one message per
// client_id, so a retry can never make it appear twice.
import * as realtime from "./realtime.js";
import { announceStatus } from "./announcer.js";

const RETRYABLE = new Set(["rate_limited", "timeout", "offline"]);
let userId = null;
let items = [];
const listeners = new Set();
const inFlight = new Set();
let retryTimer = null;

function storageKey() {
  return `convene.outbox.${userId}`;
}

function load() {
  try {
    const raw = localStorage.getItem(storageKey());
    const parsed = raw ? JSON.parse(raw) : [];
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

function save() {
  if (userId == null) return;
  try {
    if (items.length) localStorage.setItem(storageKey(), JSON.stringify(items));
    else localStorage.removeItem(storageKey());
  } catch {
    // Storage full or blocked (some locked-down browsers): keep them in memory.
  }
}

function notify(change) {
  for (const listener of listeners) {
    try {
      listener(change);
    } catch (error) {
      console.error(error);
    }
  }
}

/** Load the signed-in person's unsent messages and start sending them. */
export function open(user) {
  userId = user.id;
  items = load().map((item) => ({ ...item, status: item.status === "failed" ? "failed" : "pending" }));
  realtime.onConnect(flush);
  // Another tab may have sent or queued messages meanwhile.
  window.addEventListener("storage", onStorage);
}

/** Forget the queue (sign-out: unsent messages stay with the person who wrote them). */
export function close({ discard = false } = {}) {
  if (discard && userId != null) {
    try { localStorage.removeItem(storageKey()); } catch { /* ignore */ }
  }
  window.removeEventListener("storage", onStorage);
  userId = null;
  items = [];
  inFlight.clear();
}

function onStorage(event) {
  if (event.key !== storageKey()) return;
  items = load();
  notify({ type: "reloaded" });
}

/** Listen for changes: {type: "added"|"updated"|"sent"|"removed"|"reloaded", item, message}. */
export function subscribe(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function forThread(threadId) {
  return items.filter((item) => item.thread_id === threadId);
}

/** Queue a message and try to send it now. Returns the queued item. */
export function enqueue({ threadId, roomId, body }) {
  const item = {
    client_id: crypto.randomUUID(),
    thread_id: threadId,
    room_id: roomId,
    body,
    created_at: new Date().toISOString(),
    status: "pending",
    error: null,
  };
  items.push(item);
  save();
  notify({ type: "added", item });
  if (!realtime.isConnected()) {
    announceStatus("Not connected. Your message will be sent when the connection is back.");
  }
  send(item);
  return item;
}

/** The server has the message (acknowledged, or seen in an event, whichever
 * comes first): stop tracking it and say so. */
export function settle(clientId, message) {
  const item = items.find((i) => i.client_id === clientId);
  if (!item) return;
  items = items.filter((i) => i !== item);
  save();
  notify({ type: "sent", item, message });
  announceStatus("Message sent.");
}

export function discard(clientId) {
  const item = items.find((i) => i.client_id === clientId);
  if (!item) return;
  items = items.filter((i) => i !== item);
  save();
  notify({ type: "removed", item });
}

export function retry(clientId) {
  const item = items.find((i) => i.client_id === clientId);
  if (!item) return;
  item.status = "pending";
  item.error = null;
  save();
  notify({ type: "updated", item });
  send(item);
}

/** Send everything still pending, oldest first (run on every connect). */
export function flush() {
  for (const item of [...items]) {
    if (item.status === "pending") send(item);
  }
}

async function send(item) {
  if (inFlight.has(item.client_id) || !realtime.isConnected()) return;
  inFlight.add(item.client_id);
  let ack;
  try {
    ack = await realtime.request("send", {
      thread_id: item.thread_id,
      client_id: item.client_id,
      body: item.body,
    });
  } catch (error) {
    // Timed out or disconnected: the server may or may not have it. Sending
    // again with the same client_id is safe either way.
    inFlight.delete(item.client_id);
    scheduleRetry();
    return;
  }
  inFlight.delete(item.client_id);
  if (!items.includes(item)) return; // settled by an event meanwhile
  if (ack.ok && ack.message) {
    settle(item.client_id, ack.message);
    return;
  }
  const error = ack.error || { code: "invalid", message: "The message was not accepted." };
  if (RETRYABLE.has(error.code)) {
    scheduleRetry();
    return;
  }
  item.status = "failed";
  item.error = error.message || "The message was not accepted.";
  save();
  notify({ type: "updated", item });
  announceStatus(`Message not sent: ${item.error}`);
}

function scheduleRetry() {
  if (retryTimer) return;
  retryTimer = window.setTimeout(() => {
    retryTimer = null;
    flush();
  }, 3000);
}
