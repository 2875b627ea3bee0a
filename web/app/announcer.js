// @ts-check
// Screen reader announcements through the two live regions in index.html.
//
// New messages can arrive many per second in a busy room. Reading each one out
// would drown the person using a screen reader, so messages are collected for a
// short window and announced as one sentence ("3 new messages in Budget"). Status
// changes (sent, failed, reconnecting) go to a separate role="status" region so a
// burst of messages cannot push them out.

const MESSAGE_WINDOW_MS = 2000;
/** @type {{author: string, where: string, excerpt: string}[]} */
let pending = [];
/** @type {number | null} */
let timer = null;

/** @param {string} id */
function region(id) {
  return document.getElementById(id);
}

/** @param {HTMLElement | null} el @param {string} text */
function speak(el, text) {
  if (!el) return;
  // Clearing first makes the same sentence twice in a row still be read.
  el.textContent = "";
  window.setTimeout(() => { el.textContent = text; }, 50);
}

/** Announce a status change: "Message sent", "Reconnecting", ... @param {string} text */
export function announceStatus(text) {
  speak(region("announcer-status"), text);
}

/**
 * Queue a new message for announcement. `where` names the thread; `excerpt` is
 * plain text (never HTML).
 * @param {{author: string, where: string, excerpt: string}} message
 */
export function announceMessage({ author, where, excerpt }) {
  pending.push({ author, where, excerpt });
  if (timer) return;
  timer = window.setTimeout(flush, MESSAGE_WINDOW_MS);
}

function flush() {
  timer = null;
  const batch = pending;
  pending = [];
  if (batch.length === 0) return;
  let text;
  if (batch.length === 1) {
    const [m] = batch;
    text = `New message from ${m.author} in ${m.where}: ${truncate(m.excerpt, 140)}`;
  } else {
    const places = [...new Set(batch.map((m) => m.where))];
    const authors = [...new Set(batch.map((m) => m.author))];
    text = `${batch.length} new messages in ${listOf(places)} from ${listOf(authors)}`;
  }
  speak(region("announcer-messages"), text);
}

/** @param {string} text @param {number} max */
function truncate(text, max) {
  const clean = (text || "").replace(/\s+/g, " ").trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** @param {string[]} items */
function listOf(items) {
  if (items.length <= 1) return items.join("");
  if (items.length > 3) return `${items.slice(0, 3).join(", ")} and others`;
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
