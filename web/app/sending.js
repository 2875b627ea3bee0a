// @ts-check
// This tab's outbox (outbox.js), kept in localStorage and sent over the live
// connection: flushed on every connect, reloaded when another tab changes it.
import { createOutbox } from "./outbox.js";
import * as realtime from "./realtime.js";
import { announceStatus } from "./announcer.js";

/** @returns {Storage | null} */
function browserStorage() {
  try {
    return window.localStorage;
  } catch {
    return null; // blocked: unsent messages live in memory only
  }
}

export const outbox = createOutbox({
  storage: browserStorage(),
  transport: {
    isConnected: realtime.isConnected,
    send: (payload) => realtime.request("send", payload),
  },
  announce: announceStatus,
});

realtime.onConnect(() => outbox.flush());

// Another tab may have sent or queued messages meanwhile.
window.addEventListener("storage", (event) => {
  if (event.key && event.key === outbox.storageKey()) outbox.reload();
});
