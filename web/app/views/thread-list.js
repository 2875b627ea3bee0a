// @ts-check
// The room's thread list, newest activity first, with unread counts.
//
// Items are updated in place rather than redrawn, so a keyboard user whose focus
// is on a thread link keeps it while new messages reorder the list.
import { h, replaceContent, hiddenText } from "../dom.js";
import { plural, unreadBadge } from "../labels.js";
import { timeElement } from "../time.js";
import { orderedThreads } from "../room-store.js";

/** @typedef {import("../protocol.js").Thread} Thread */
/** @typedef {import("../room-store.js").RoomState} RoomState */

/** @param {{threadUrl: (threadId: number) => string}} options */
export function createThreadList({ threadUrl }) {
  const list = h("ul", { class: "thread-list" });
  const empty = h("p", { class: "thread-empty hint", hidden: true });
  /** @type {Map<number, HTMLElement>} thread id -> li */
  const items = new Map();

  /**
   * Draw the store's threads. `openId` is the thread on screen; `error` an
   * ApiError from loading; `canStart` whether the reader may start one.
   * @param {RoomState} state
   * @param {{openId?: number | null, error?: unknown, canStart?: boolean}} [options]
   */
  function render(state, { openId = null, error = null, canStart = false } = {}) {
    if (error) {
      list.replaceChildren();
      items.clear();
      empty.hidden = false;
      const { status, message } = /** @type {{status?: number, message?: string}} */ (error);
      empty.textContent = status === 403
        ? "Join this room to see its threads."
        : `Threads could not be loaded: ${message}`;
      return;
    }
    const focused = document.activeElement;
    const ordered = orderedThreads(state);
    for (const [id, li] of items) {
      if (!state.threads.has(id)) {
        li.remove();
        items.delete(id);
      }
    }
    /** @type {Element | null} */
    let previous = null;
    for (const thread of ordered) {
      let li = items.get(thread.id);
      if (!li) {
        li = h("li", { class: "thread-item" }, h("a", { href: threadUrl(thread.id) }));
        items.set(thread.id, li);
      }
      fill(/** @type {HTMLElement} */ (li.firstElementChild), thread, thread.id === openId);
      /** @type {ChildNode | null} */
      const expected = previous ? previous.nextSibling : list.firstChild;
      if (expected !== li) {
        if (previous) previous.after(li);
        else list.prepend(li);
      }
      previous = li;
    }
    // Moving a focused link in the DOM drops focus; put it back.
    if (focused instanceof HTMLElement && focused !== document.activeElement && list.contains(focused)) focused.focus();
    empty.hidden = ordered.length > 0;
    empty.textContent = canStart ? "No threads yet. Start the first one." : "No threads yet.";
  }

  /** @param {HTMLElement} link @param {Thread} thread @param {boolean} isOpen */
  function fill(link, thread, isOpen) {
    if (isOpen) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
    replaceContent(link,
      h("span", { class: "thread-item-title" }, thread.title),
      h("span", { class: "thread-item-meta" },
        plural(thread.message_count || 0, "message"),
        thread.last_activity_at ? [", last ", timeElement(thread.last_activity_at)] : null,
        thread.following ? [hiddenText(", "), h("span", { class: "following-mark" }, "following")] : null),
      thread.unread_count ? [hiddenText(", "), unreadBadge(thread.unread_count)] : null);
  }

  return { list, empty, render };
}
