// @ts-check
// Pure helpers for the inbox and search pages (no DOM: tested with node --test).

/**
 * @typedef {object} InboxEntry
 * @property {"mention" | "following" | "other"} reason
 * @property {{id: number, slug: string, title: string}} room
 * @property {{id: number, title: string}} thread
 * @property {number} unread_count
 * @property {number} mention_count
 * @property {number} latest_message_id
 * @property {number} latest_seq
 * @property {import("./protocol.js").User} author
 * @property {string} snippet
 * @property {string} last_activity_at
 */

/**
 * @typedef {object} SearchResult
 * @property {"message" | "thread"} kind
 * @property {{id: number, slug: string, title: string}} room
 * @property {{id: number, title: string}} thread
 * @property {number | null} message_id
 * @property {number | null} seq
 * @property {import("./protocol.js").User | null} author
 * @property {string} created_at
 * @property {string} snippet_html  escaped by the server; matches in <mark>
 */

const SEARCH_PARAMS = ["q", "room", "organisation", "since", "until", "sort"];

/** The link to a thread; it opens at the first unread message. @param {InboxEntry} entry */
export function threadHref(entry) {
  return `/r/${encodeURIComponent(entry.room.slug)}/t/${entry.thread.id}`;
}

/**
 * Entries of one inbox section in rooms, keeping the server's order (rooms by their
 * newest entry, entries newest first).
 * @param {InboxEntry[]} entries
 * @returns {{room: InboxEntry["room"], entries: InboxEntry[]}[]}
 */
export function groupByRoom(entries) {
  /** @type {Map<number, {room: InboxEntry["room"], entries: InboxEntry[]}>} */
  const groups = new Map();
  for (const entry of entries) {
    const group = groups.get(entry.room.id) || { room: entry.room, entries: [] };
    group.entries.push(entry);
    groups.set(entry.room.id, group);
  }
  return [...groups.values()];
}

/** Where a search result leads: the message's permalink, or the thread for a title. @param {SearchResult} result */
export function resultHref(result) {
  const thread = `/r/${encodeURIComponent(result.room.slug)}/t/${result.thread.id}`;
  return result.kind === "message" && result.message_id ? `${thread}/m/${result.message_id}` : thread;
}

/** The search parameters of a URL query, trimmed, without empty ones. @param {URLSearchParams} query */
export function searchParams(query) {
  /** @type {Record<string, string>} */
  const params = {};
  for (const name of SEARCH_PARAMS) {
    const value = (query.get(name) || "").trim();
    if (value) params[name] = value;
  }
  return params;
}
