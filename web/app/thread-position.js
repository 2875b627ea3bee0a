// @ts-check
// Where the reader is in a long thread, as plain arithmetic: which message is the
// first unread one (the "New" divider goes above it), which pages to read when the
// thread opens, when to read more at either edge, when to offer "Jump to latest",
// and how far to scroll so that what was on screen stays put when older messages
// are drawn above it (scroll anchoring).
//
// No DOM here: `node --test` runs it (web/test/thread-position.test.js); the thread
// view measures the page and asks these functions what to do.

/** How many already-read messages to show above the first unread one, for context. */
export const CONTEXT_BEFORE = 20;

/**
 * The first message the reader has not read: after their read marker and not
 * their own (posting a message does not make it "new" to its author). -1 when
 * every message is read.
 * @param {{seq: number, author?: {id: number} | null}[]} messages  in seq order
 * @param {number} lastReadSeq
 * @param {number | null} myId
 */
export function firstUnreadIndex(messages, lastReadSeq, myId) {
  return messages.findIndex((m) => m.seq > lastReadSeq && !(m.author && myId !== null && m.author.id === myId));
}

/**
 * The pages to read when a thread opens. With unread messages: the read context
 * just before the marker and the unread ones after it, so the view can open at the
 * first unread message without reading the whole thread; otherwise the newest page.
 * @param {{lastReadSeq: number, unreadCount: number, pageSize: number}} reader
 * @returns {string[]}  query strings for GET /threads/{id}/messages
 */
export function openingPages({ lastReadSeq, unreadCount, pageSize }) {
  if (unreadCount <= 0) return [`limit=${pageSize}`];
  const pages = [`after=${lastReadSeq}&limit=${pageSize}`];
  if (lastReadSeq > 0) pages.unshift(`before=${lastReadSeq + 1}&limit=${CONTEXT_BEFORE}`);
  return pages;
}

/**
 * What a scroll box looks like right now (all in CSS pixels).
 * @typedef {{scrollTop: number, scrollHeight: number, clientHeight: number}} Viewport
 */

/** @param {Viewport} box */
export function distanceFromBottom(box) {
  return Math.max(0, box.scrollHeight - box.scrollTop - box.clientHeight);
}

/**
 * Whether to read more at either edge: when the reader is within one screen of
 * the first (or last) drawn message and the server has more beyond it.
 * @param {Viewport} box
 * @param {{hasMoreBefore: boolean, hasMoreAfter: boolean}} more
 */
export function edgesToFill(box, { hasMoreBefore, hasMoreAfter }) {
  const margin = Math.max(200, box.clientHeight);
  return {
    before: hasMoreBefore && box.scrollTop < margin,
    after: hasMoreAfter && distanceFromBottom(box) < margin,
  };
}

/**
 * "Jump to latest" is offered when the newest messages are not drawn yet, or when
 * the reader is more than two screens above them.
 * @param {Viewport} box
 * @param {boolean} hasMoreAfter
 */
export function farFromLatest(box, hasMoreAfter) {
  return hasMoreAfter || distanceFromBottom(box) > 2 * box.clientHeight;
}

/**
 * The element to keep in place while content is added above: the first one whose
 * bottom is below the top of the visible area (so it is at least partly visible).
 * @template {{top: number, bottom: number}} T
 * @param {T[]} items  in document order, with positions relative to the viewport
 * @param {number} viewTop  the top of the visible area, on the same scale
 * @returns {T | null}
 */
export function pickAnchor(items, viewTop) {
  return items.find((item) => item.bottom > viewTop) || null;
}

/**
 * The scroll position that puts the anchor back where it was on screen after
 * content was drawn above it (which pushed it down by `topAfter - topBefore`).
 * @param {number} scrollTop  before the content was drawn
 * @param {number} topBefore  the anchor's top before
 * @param {number} topAfter  the anchor's top after, at the unchanged scrollTop
 */
export function anchoredScrollTop(scrollTop, topBefore, topAfter) {
  return Math.max(0, scrollTop + (topAfter - topBefore));
}
