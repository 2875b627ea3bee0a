// @ts-check
// The live connection: one Socket.IO socket per tab.
//
// The ordering rules (apply each room event once, in seq order, and catch up after
// a gap or a reconnect) live in room-feed.js; this module owns the socket, the
// connection state shown in the banner, and the end of a session: when the server
// says the session was revoked (or refuses to connect because it is gone), the
// socket stops for good instead of reconnecting forever, and main.js says so.
import { io } from "./vendor/socket.io/socket.io.esm.min.js";
import { announceStatus } from "./announcer.js";
import { createRoomFeeds } from "./room-feed.js";
import { isUnauthenticated } from "./session.js";

/** @typedef {import("./protocol.js").ServerEvent} ServerEvent */
/** @typedef {import("./protocol.js").RevocationReason} RevocationReason */
/** @typedef {import("./room-feed.js").FeedHandlers} FeedHandlers */
/** @typedef {"idle" | "connecting" | "connected" | "reconnecting" | "offline" | "signed-out"} ConnectionState */
/** @typedef {{ok: boolean, error?: import("./protocol.js").ErrorBody, [key: string]: any}} Ack */

export class RealtimeError extends Error {
  /** @param {string} code @param {string} message */
  constructor(code, message) {
    super(message);
    this.name = "RealtimeError";
    this.code = code;
  }
}

/** @type {import("socket.io-client").Socket | null} */
let socket = null;
/** @type {ConnectionState} */
let state = "idle";
/** @type {Set<(state: ConnectionState) => void>} */
const stateListeners = new Set();
/** @type {Set<() => void>} */
const connectListeners = new Set();
/** @type {((reason: RevocationReason | null) => void) | null} */
let onSessionEnded = null;
/** @type {Set<(event: import("./protocol.js").PersonalEvent) => void>} */
const personalListeners = new Set();

const feeds = createRoomFeeds({
  transport: {
    isConnected,
    subscribe: (rooms) => {
      const live = socket;
      if (!live || !live.connected) return Promise.reject(new RealtimeError("offline", "Not connected"));
      return live.timeout(15000).emitWithAck("subscribe", { rooms });
    },
    unsubscribe: (roomId) => {
      socket?.emit("unsubscribe", { room_id: roomId }, () => {});
    },
  },
});

export function isConnected() {
  return Boolean(socket && socket.connected);
}

/** @param {(state: ConnectionState) => void} listener */
export function onConnectionChange(listener) {
  stateListeners.add(listener);
  return () => stateListeners.delete(listener);
}

/** Runs after every successful (re)connect, e.g. to send queued messages. @param {() => void} listener */
export function onConnect(listener) {
  connectListeners.add(listener);
  return () => connectListeners.delete(listener);
}

/** @param {ConnectionState} next */
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
  for (const listener of [...stateListeners]) listener(next);
}

/**
 * Open the socket (after sign-in). `sessionEnded(reason)` is called once when the
 * server ends the session (signed out elsewhere, deactivated): the socket is
 * closed by then and will not reconnect.
 * @param {{sessionEnded?: (reason: RevocationReason | null) => void}} [options]
 */
export function start({ sessionEnded } = {}) {
  if (socket) return;
  onSessionEnded = sessionEnded || null;
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
  feeds.clear();
  setState("idle");
}

/** The session is over: stop for good and say so once. @param {RevocationReason | null} reason */
function endSession(reason) {
  const notify = onSessionEnded;
  onSessionEnded = null;
  stop();
  setState("signed-out");
  notify?.(reason);
}

// The browser knows before the socket's heartbeat does that the network is
// gone; closing at once gives people immediate feedback and lets us reconnect
// the moment the network returns instead of waiting out a back-off timer.
function handleOffline() {
  if (!socket) return;
  socket.disconnect();
  feeds.disconnected();
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
  setState("connected");
  feeds.connected();
  for (const listener of [...connectListeners]) {
    try {
      listener();
    } catch (error) {
      console.error(error);
    }
  }
}

/** @param {string} reason */
function handleDisconnect(reason) {
  feeds.disconnected();
  if (reason === "io client disconnect") return; // we closed it (offline or sign-out)
  if (reason === "io server disconnect") {
    // The server closed us on purpose: usually the session ended (its
    // session.revoked event, if it came, has already stopped us).
    checkSession();
    return;
  }
  setState(navigator.onLine === false ? "offline" : "reconnecting");
}

/** @param {Error} error */
function handleConnectError(error) {
  if (!socket) return;
  if (isUnauthenticated(error)) {
    endSession(null);
    return;
  }
  if (socket.active) {
    // A temporary failure; socket.io-client retries by itself.
    setState(navigator.onLine === false ? "offline" : "reconnecting");
    return;
  }
  // The server refused the connection for another reason: check the session.
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
    endSession(null);
    return;
  }
  setState("reconnecting");
  window.setTimeout(() => socket && !socket.connected && socket.connect(), 2000);
}

/**
 * Emit a client event and resolve with its acknowledgement object
 * ({ok: true, ...} or {ok: false, error}). Rejects with RealtimeError when not
 * connected or when no answer comes in time; the caller decides whether to retry.
 * @param {string} event
 * @param {object} payload
 * @param {number} [timeoutMs]
 * @returns {Promise<Ack>}
 */
export function request(event, payload, timeoutMs = 10000) {
  return new Promise((resolve, reject) => {
    // Never emit while disconnected: socket.io-client would buffer the packet
    // and send it later on its own, outside our retry bookkeeping.
    if (!socket || !socket.connected) {
      reject(new RealtimeError("offline", "Not connected"));
      return;
    }
    socket.timeout(timeoutMs).emit(event, payload, (/** @type {Error | null} */ err, /** @type {Ack | undefined} */ ack) => {
      if (err) reject(new RealtimeError("timeout", "No answer from the server"));
      else resolve(ack || { ok: false, error: { code: "invalid", message: "Empty answer" } });
    });
  });
}

/**
 * Follow a room's events from `lastSeq` on (see room-feed.js). Returns a function
 * that stops following it.
 * @param {number} roomId @param {number} lastSeq @param {FeedHandlers} handlers
 */
export function watchRoom(roomId, lastSeq, handlers) {
  return feeds.watch(roomId, lastSeq, handlers);
}

/**
 * Hear the events addressed to this person rather than to a room they follow
 * (`mention`, `read`, requests to join asked and decided), whichever rooms this tab
 * watches. Returns a function that stops listening.
 * @param {(event: import("./protocol.js").PersonalEvent) => void} listener
 */
export function onPersonalEvent(listener) {
  personalListeners.add(listener);
  return () => personalListeners.delete(listener);
}

/** @param {ServerEvent} event */
function handleServerEvent(event) {
  if (event && event.type === "session.revoked") {
    endSession(event.reason || null);
    return;
  }
  if (event && (event.type === "mention" || event.type === "read"
    || event.type === "join_request.decided" || event.type === "join_request.received"
    || event.type === "interest.changed" || event.type === "role.changed")) {
    for (const listener of [...personalListeners]) {
      try {
        listener(event);
      } catch (error) {
        console.error(error);
      }
    }
    if (event.type !== "read") return; // not a room event: no feed applies it
  }
  feeds.receive(event);
}
