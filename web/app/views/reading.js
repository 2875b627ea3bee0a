// @ts-check
// The read position of one thread: as messages scroll into view (at least half
// visible, with the tab in front), the highest seq seen is saved, over the socket
// when connected and over REST otherwise. Markers only move forward.
import { put } from "../api.js";
import * as realtime from "../realtime.js";

const SAVE_AFTER_MS = 600;

/**
 * `isReady()` says whether messages are settled (not mid-load); `onSaved(thread)`
 * receives the server's updated thread; `onVisibleChange()` runs whenever what
 * is on screen changes.
 */
/**
 * @param {object} options
 * @param {number} options.threadId
 * @param {number} [options.lastReadSeq]
 * @param {() => boolean} options.isReady
 * @param {(thread: import("../protocol.js").Thread) => void} options.onSaved
 * @param {() => void} [options.onVisibleChange]
 */
export function createReadTracker({ threadId, lastReadSeq = 0, isReady, onSaved, onVisibleChange }) {
  /** @type {Set<number>} */
  const visible = new Set();
  let saved = lastReadSeq;
  /** @type {number | undefined} */
  let timer;
  let stopped = false;

  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const seq = Number(/** @type {HTMLElement} */ (entry.target).dataset.seq);
      if (entry.isIntersecting) visible.add(seq);
      else visible.delete(seq);
    }
    check();
    onVisibleChange?.();
  }, { threshold: 0.5 });

  function check() {
    if (stopped || document.visibilityState !== "visible" || !isReady()) return;
    const seen = Math.max(0, ...visible);
    if (seen > saved) {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => save(seen), SAVE_AFTER_MS);
    }
  }

  /** @param {number} seq */
  async function save(seq) {
    if (stopped || seq <= saved) return;
    const previous = saved;
    saved = seq;
    try {
      let thread;
      if (realtime.isConnected()) {
        const ack = await realtime.request("read", { thread_id: threadId, seq });
        if (!ack.ok) throw new Error(ack.error?.message || "not saved");
        thread = ack.thread;
      } else {
        ({ thread } = await put(`/threads/${threadId}/read`, { seq }));
      }
      if (thread && !stopped) onSaved(thread);
    } catch {
      // Not saved (offline?): the next change on screen tries again.
      saved = previous;
    }
  }

  document.addEventListener("visibilitychange", check);

  return {
    observe: (/** @type {Element} */ element) => observer.observe(element),
    /** The server (or another tab) moved the marker. @param {number | undefined} seq */
    advance(seq) {
      if (typeof seq === "number") saved = Math.max(saved, seq);
    },
    check,
    destroy() {
      stopped = true;
      observer.disconnect();
      document.removeEventListener("visibilitychange", check);
      window.clearTimeout(timer);
    },
  };
}
