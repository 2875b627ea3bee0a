// @ts-check
// Which messages of a long thread are drawn: one contiguous run, read from the
// server a page at a time (cursor pagination by seq) and widened at either end as
// the reader scrolls towards it. While the newest messages are not read yet
// (`hasMoreAfter`), live messages are kept in the room store but not drawn: they
// would leave a gap; they appear when the run reaches them.
//
// No DOM: the thread view measures and draws; node tests drive this with a fake
// server (web/test/thread-window.test.js).
import { openingPages } from "./thread-position.js";
import { orderedMessages } from "./room-store.js";

/** @typedef {import("./protocol.js").Message} Message */
/** @typedef {import("./room-store.js").RoomStore} RoomStore */
/** @typedef {{messages: Message[], has_more_before: boolean, has_more_after: boolean}} Page */

export const PAGE = 50;

/**
 * @param {object} options
 * @param {RoomStore} options.store  keeps the thread's messages (the view opened it)
 * @param {number} options.threadId
 * @param {(query: string) => Promise<Page>} options.fetchPage  GET /threads/{id}/messages?query
 */
export function createThreadWindow({ store, threadId, fetchPage }) {
  let hasMoreBefore = false;
  let hasMoreAfter = false;
  /** The newest drawn seq while `hasMoreAfter` (beyond it the run has a gap). */
  let lastSeq = 0;
  /** Pages in flight, so one edge is never read twice at once. @type {{before: Promise<Message[]> | null, after: Promise<Message[]> | null}} */
  const busy = { before: null, after: null };
  /** Bumped on every (re)open: answers to an older opening are dropped. */
  let generation = 0;

  /** @param {Message[]} messages */
  function keep(messages) {
    store.addMessages(threadId, messages);
  }

  function drawn() {
    return orderedMessages(store.state, threadId).filter(includes);
  }

  /** Whether `message` belongs in the drawn run. @param {{seq: number}} message */
  function includes(message) {
    return !hasMoreAfter || message.seq <= lastSeq;
  }

  /** @param {Page[]} answers */
  function settle(answers) {
    const seqs = answers.flatMap((a) => a.messages.map((m) => m.seq));
    hasMoreBefore = answers[0].has_more_before;
    hasMoreAfter = answers[answers.length - 1].has_more_after;
    lastSeq = seqs.length ? Math.max(...seqs) : 0;
  }

  /**
   * Read the opening pages: around the first unread message when there are unread
   * ones, else the newest page; with `messageId` (a permalink), back from the newest
   * until that message is read. Returns false when a newer opening overtook it.
   * @param {{lastReadSeq: number, unreadCount: number, messageId: number | null}} reader
   */
  async function open({ lastReadSeq, unreadCount, messageId }) {
    const mine = ++generation;
    busy.before = busy.after = null;
    const queries = openingPages({ lastReadSeq, unreadCount: messageId ? 0 : unreadCount, pageSize: PAGE });
    const answers = await Promise.all(queries.map(fetchPage));
    if (mine !== generation) return false;
    answers.forEach((answer) => keep(answer.messages));
    settle(answers);
    for (let i = 0; messageId && !store.state.messages.get(threadId)?.has(messageId) && hasMoreBefore && i < 20; i += 1) {
      await readBefore(mine);
      if (mine !== generation) return false;
    }
    return true;
  }

  /** @param {number} mine */
  async function readBefore(mine) {
    const oldest = drawn()[0];
    if (!oldest) return [];
    const answer = await fetchPage(`before=${oldest.seq}&limit=${PAGE}`);
    if (mine !== generation) return [];
    keep(answer.messages);
    hasMoreBefore = answer.has_more_before;
    return answer.messages;
  }

  async function readAfter(/** @type {number} */ mine) {
    const answer = await fetchPage(`after=${lastSeq}&limit=${PAGE}`);
    if (mine !== generation) return [];
    keep(answer.messages);
    if (answer.messages.length) lastSeq = Math.max(lastSeq, ...answer.messages.map((m) => m.seq));
    hasMoreAfter = answer.has_more_after;
    return answer.messages;
  }

  return {
    open,
    includes,
    drawn,
    get hasMoreBefore() { return hasMoreBefore; },
    get hasMoreAfter() { return hasMoreAfter; },
    /** Read the page before the oldest drawn message; returns its messages. */
    older() {
      if (!hasMoreBefore) return Promise.resolve([]);
      if (!busy.before) {
        const reading = readBefore(generation).finally(() => { if (busy.before === reading) busy.before = null; });
        busy.before = reading;
      }
      return busy.before;
    },
    /** Read the page after the newest drawn message; returns its messages. */
    newer() {
      if (!hasMoreAfter) return Promise.resolve([]);
      if (!busy.after) {
        const reading = readAfter(generation).finally(() => { if (busy.after === reading) busy.after = null; });
        busy.after = reading;
      }
      return busy.after;
    },
  };
}
