// @ts-check
// What needs the person, whichever page is open: the number of unread mentions
// (in the tab title and on the header's Inbox link), kept current by the server's
// `mention` and `read` events, and an optional browser notification for a mention
// while the tab is hidden. Permission for notifications is only ever asked for
// after a click on a button that says so (see the inbox).
import { get } from "./api.js";
import { setTitleCount } from "./page.js";
import * as realtime from "./realtime.js";

let unreadMentions = 0;
let started = false;
/** @type {Set<(count: number) => void>} */
const listeners = new Set();
/** @type {number | undefined} */
let refreshTimer;

export function mentionCount() {
  return unreadMentions;
}

/** Called with the new count whenever it changes. @param {(count: number) => void} listener */
export function onMentionCount(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** @param {number} count */
function setCount(count) {
  if (count === unreadMentions) return;
  unreadMentions = count;
  setTitleCount(count);
  for (const listener of [...listeners]) listener(count);
}

/** Ask the server again (soon, once, however many events arrive together). */
export function refreshMentionCount() {
  window.clearTimeout(refreshTimer);
  refreshTimer = window.setTimeout(async () => {
    try {
      const { unread_mentions: count } = await get("/mentions?unread=1&limit=1");
      setCount(count);
    } catch {
      // Offline or signed out: the count stays as it was until the next event.
    }
  }, 150);
}

/** Start following the count for the signed-in person (idempotent). */
export function startAttention() {
  if (started) return;
  started = true;
  realtime.onPersonalEvent((event) => {
    if (event.type === "mention") notify(event);
    refreshMentionCount();
  });
  realtime.onConnect(refreshMentionCount); // a reconnect may have missed events
  refreshMentionCount();
}

/** Back to nothing (sign-out). */
export function stopAttention() {
  window.clearTimeout(refreshTimer);
  setCount(0);
}

export function notificationsSupported() {
  return typeof window !== "undefined" && "Notification" in window;
}

/** Whether asking makes sense: supported, and the person has not answered yet. */
export function canAskForNotifications() {
  return notificationsSupported() && Notification.permission === "default";
}

/** Ask for permission; call only from a click. @returns {Promise<NotificationPermission | "unsupported">} */
export async function askForNotifications() {
  if (!notificationsSupported()) return "unsupported";
  return Notification.requestPermission();
}

/** @param {import("./protocol.js").MentionEvent} event */
function notify(event) {
  if (!notificationsSupported() || Notification.permission !== "granted" || !document.hidden) return;
  const notification = new Notification(`${event.author.display_name} mentioned you`, {
    body: "Open Convene to read and reply.",
    tag: `convene-mention-${event.message_id}`,
  });
  notification.addEventListener("click", () => {
    window.focus();
    notification.close();
  });
}
