// The room's thread list, newest activity first, with unread counts.
//
// Items are updated in place rather than redrawn, so a keyboard user whose focus
// is on a thread link keeps it while new messages reorder the list.
import { h, replaceContent, hiddenText } from "../dom.js";
import { plural, unreadBadge } from "../labels.js";
import { timeElement } from "../time.js";

export function createThreadList({ threadUrl }) {
  const list = h("ul", { class: "thread-list" });
  const empty = h("p", { class: "thread-empty hint", hidden: true });
  const items = new Map(); // thread id -> li

  /**
   * Draw `threads` (a Map of id -> Thread). `openId` is the thread on screen;
   * `error` an ApiError from loading; `canStart` whether the reader may start one.
   */
  function render(threads, { openId = null, error = null, canStart = false } = {}) {
    if (error) {
      list.replaceChildren();
      items.clear();
      empty.hidden = false;
      empty.textContent = error.status === 403
        ? "Join this room to see its threads."
        : `Threads could not be loaded: ${error.message}`;
      return;
    }
    const focused = document.activeElement;
    const ordered = [...threads.values()].sort((a, b) =>
      (b.last_activity_at || b.created_at || "").localeCompare(a.last_activity_at || a.created_at || ""));
    for (const [id, li] of items) {
      if (!threads.has(id)) {
        li.remove();
        items.delete(id);
      }
    }
    let previous = null;
    for (const thread of ordered) {
      let li = items.get(thread.id);
      if (!li) {
        li = h("li", { class: "thread-item" }, h("a", { href: threadUrl(thread.id) }));
        items.set(thread.id, li);
      }
      fill(li.firstChild, thread, thread.id === openId);
      const expected = previous ? previous.nextSibling : list.firstChild;
      if (expected !== li) {
        if (previous) previous.after(li);
        else list.prepend(li);
      }
      previous = li;
    }
    // Moving a focused link in the DOM drops focus; put it back.
    if (focused && focused !== document.activeElement && list.contains(focused)) focused.focus();
    empty.hidden = ordered.length > 0;
    empty.textContent = canStart ? "No threads yet. Start the first one." : "No threads yet.";
  }

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
