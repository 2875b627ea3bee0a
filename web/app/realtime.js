// The live connection: one Socket.IO socket per tab.
//
// Durable room events carry a per-room sequence number (docs/protocol.md,
// "Sequence numbers"). For every room in view we remember the highest seq we
// applied and follow the protocol's three rules: apply seq == last + 1, ignore
// seq <= last, and on a gap ask the server again with `subscribe`. On every
// (re)connect we subscribe with those numbers so the server replays exactly what
// we missed; a room too far behind answers `resync` and its view reloads over
// REST. Together that means nothing is missed and nothing is applied twice.
import { io } from "./vendor/socket.io/socket.io.esm.min.js";
import { announceStatus } from "./announcer.js";

export class RealtimeError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "RealtimeError";
    this.code = code;
  }
}

let socket = null;
let state = "idle"; // idle | connecting | connected | reconnecting | offline
let everConnected = false;
const watches = new Map(); // room id (string) -> watch
const stateListeners = new Set();
const connectListeners = new Set();
let onSessionLost = null;

export function isConnected() {
  return Boolean(socket && socket.connected);
}

export function onConnectionChange(listener) {
  stateListeners.add(listener);
  return () => stateListeners.delete(listener);
}

/** Runs after every successful (re)connect, e.g. to send queued messages. */
export function onConnect(listener) {
  connectListeners.add(listener);
  return () => connectListeners.delete(listener);
}

function setState(next) {
  if (state === next) return;
  const previous = state;
  state = next;
  if (next === "reconnecting" && previous === "connected") {
    announceStatus("Connection lost. Reconnecting. Messages you send will be delivered when it is back.");
  } else if (next === "offline" && previous !== "offline") {
    announceStatus("You are offline. Messages you send will be delivered when you are back online.");
  } else if (next === "connected" && (previous === "reconnecting" || previous === "offline")) {
    announceStatus("Reconnected.");
  }
  for (const listener of stateListeners) listener(next);
}

/**
 * Open the socket (after sign-in). `sessionLost` is called when the server
 * refuses us because the session ended (signed out everywhere, for example).
 */
export function start({ sessionLost } = {}) {
  if (socket) return;
  onSessionLost = sessionLost || null;
  everConnected = false;
  socket = io({ withCredentials: true, reconnectionDelayMax: 5000 });
  setState(navigator.onLine === false ? "offline" : "connecting");
  socket.on("connect", handleConnect);
  socket.on("disconnect", handleDisconnect);
  socket.on("connect_error", handleConnectError);
  socket.on("event", handleServerEvent);
  window.addEventListener("offline", handleOffline);
  window.addEventListener("online", handleOnline);
}

/** Close the socket (on sign-out) and forget every room. */
export function stop() {
  if (!socket) return;
  window.removeEventListener("offline", handleOffline);
  window.removeEventListener("online", handleOnline);
  socket.removeAllListeners();
  socket.disconnect();
  socket = null;
  watches.clear();
  setState("idle");
}

// The browser knows before the socket's heartbeat does that the network is
// gone; closing at once gives people immediate feedback and lets us reconnect
// the moment the network returns instead of waiting out a back-off timer.
function handleOffline() {
  if (!socket) return;
  socket.disconnect();
  setState("offline");
}

function handleOnline() {
  if (!socket) return;
  if (!socket.connected) {
    setState("reconnecting");
    socket.connect();
  }
}

function handleConnect() {
  everConnected = true;
  setState("connected");
  subscribe([...watches.keys()]);
  for (const listener of connectListeners) {
    try {
      listener();
    } catch (error) {
      console.error(error);
    }
  }
}

function handleDisconnect(reason) {
  for (const watch of watches.values()) {
    // Acknowledgements of subscribe calls on the old connection never come.
    watch.inFlight = 0;
  }
  if (reason === "io client disconnect") return; // we closed it (offline or sign-out)
  if (reason === "io server disconnect") {
    // The server closed us on purpose, most likely because the session ended.
    checkSession();
    return;
  }
  setState(navigator.onLine === false ? "offline" : "reconnecting");
}

function handleConnectError() {
  if (!socket) return;
  if (socket.active) {
    // A temporary failure; socket.io-client retries by itself.
    setState(navigator.onLine === false ? "offline" : "reconnecting");
    return;
  }
  // The server refused the connection (a middleware error): check the session.
  setState("reconnecting");
  checkSession();
}

async function checkSession() {
  let signedIn = true;
  try {
    const response = await fetch("/api/v1/me", { credentials: "same-origin" });
    signedIn = response.status !== 401;
  } catch {
    signedIn = true; // network trouble, not a lost session
  }
  if (!socket) return;
  if (!signedIn) {
    onSessionLost?.();
    return;
  }
  window.setTimeout(() => socket && !socket.connected && socket.connect(), 2000);
}

/**
 * Emit a client event and resolve with its acknowledgement object
 * ({ok: true, ...} or {ok: false, error}). Rejects with RealtimeError when not
 * connected or when no answer comes in time; the caller decides whether to retry.
 */
export function request(event, payload, timeoutMs = 10000) {
  return new Promise((resolve, reject) => {
    // Never emit while disconnected: socket.io-client would buffer the packet
    // and send it later on its own, outside our retry bookkeeping.
    if (!socket || !socket.connected) {
      reject(new RealtimeError("offline", "Not connected"));
      return;
    }
    socket.timeout(timeoutMs).emit(event, payload, (err, ack) => {
      if (err) reject(new RealtimeError("timeout", "No answer from the server"));
      else resolve(ack || { ok: false, error: { code: "invalid", message: "Empty answer" } });
    });
  });
}

/**
 * Follow a room's events from `lastSeq` on. Handlers:
 *   onEvent(event)  durable events, exactly once each and in seq order
 *   onLive(event)   typing, presence, member and read events (no seq)
 *   onResync()      reload the room over REST; resolve with its last_seq
 *   onSubscribed()  the subscription is (again) in place
 *   onError(error)  the server refused the subscription
 * Returns a function that stops following.
 */
export function watchRoom(roomId, lastSeq, handlers) {
  const key = String(roomId);
  const watch = { key, lastSeq: Number(lastSeq) || 0, handlers, inFlight: 0, buffer: [], resyncing: false, retries: 0 };
  watches.set(key, watch);
  subscribe([key]);
  return () => {
    if (watches.get(key) !== watch) return;
    watches.delete(key);
    if (socket && socket.connected) socket.emit("unsubscribe", { room_id: Number(roomId) }, () => {});
  };
}

function subscribe(keys) {
  if (!socket || !socket.connected || keys.length === 0) return;
  const rooms = {};
  for (const key of keys) {
    const watch = watches.get(key);
    if (!watch || watch.resyncing) continue;
    watch.inFlight += 1;
    rooms[key] = watch.lastSeq;
  }
  if (Object.keys(rooms).length === 0) return;
  const sentOn = socket;
  socket.timeout(15000).emit("subscribe", { rooms }, (err, ack) => {
    if (sentOn !== socket) return;
    for (const key of Object.keys(rooms)) {
      const watch = watches.get(key);
      if (!watch) continue;
      watch.inFlight = Math.max(0, watch.inFlight - 1);
      if (err || !ack || !ack.ok) {
        // No answer: the connection is probably going; the next connect
        // subscribes again. If still connected, try once more shortly.
        if (socket && socket.connected) window.setTimeout(() => subscribe([key]), 1000);
        continue;
      }
      const answer = ack.rooms ? ack.rooms[key] : null;
      if (!answer) continue;
      if (answer.error) {
        watch.handlers.onError?.(answer.error);
        continue;
      }
      if (answer.resync) {
        resync(watch);
        continue;
      }
      for (const event of answer.events || []) applyDurable(watch, event);
      drain(watch);
      notifySubscribed(watch);
      if (watch.lastSeq < answer.last_seq && watch.inFlight === 0 && watch.retries < 5) {
        watch.retries += 1;
        subscribe([key]);
      } else {
        watch.retries = 0;
      }
    }
  });
}

// Events without seq (members joining, presence) are not replayed: tell the view
// it is subscribed again so it can refresh what those events would have changed.
function notifySubscribed(watch) {
  try {
    watch.handlers.onSubscribed?.();
  } catch (error) {
    console.error(error);
  }
}

function applyDurable(watch, event) {
  if (event.seq <= watch.lastSeq) return; // already applied
  if (watch.resyncing || (event.seq !== watch.lastSeq + 1)) {
    watch.buffer.push(event);
    // A gap: ask for what is missing unless a request is already on its way.
    if (!watch.resyncing && watch.inFlight === 0) subscribe([watch.key]);
    return;
  }
  watch.lastSeq = event.seq;
  try {
    watch.handlers.onEvent?.(event);
  } catch (error) {
    console.error("Failed to apply event", event, error);
  }
}

function drain(watch) {
  if (watch.buffer.length === 0) return;
  const buffered = watch.buffer.sort((a, b) => a.seq - b.seq);
  watch.buffer = [];
  for (const event of buffered) applyDurable(watch, event);
}

async function resync(watch) {
  watch.resyncing = true;
  try {
    const lastSeq = await watch.handlers.onResync?.();
    if (typeof lastSeq === "number") watch.lastSeq = lastSeq;
  } catch (error) {
    console.error("Resync failed", error);
  } finally {
    watch.resyncing = false;
  }
  drain(watch);
  notifySubscribed(watch);
}

function handleServerEvent(event) {
  if (!event || event.room_id == null) return;
  const watch = watches.get(String(event.room_id));
  if (!watch) return;
  if (typeof event.seq === "number") {
    applyDurable(watch, event);
  } else {
    try {
      watch.handlers.onLive?.(event);
    } catch (error) {
      console.error("Failed to apply live event", event, error);
    }
  }
}
