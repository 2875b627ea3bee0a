// @ts-check
// The inbox, the signed-in home: what happened in your rooms while you were away.
// Threads with messages you have not read, mentions of you first, then threads you
// follow, then the rest of your rooms; each grouped by room, newest first. It stays
// live: every room you are in is watched, and a new message (or a read in another
// tab) re-reads the inbox, so entries move up without a reload.
import { h, replaceContent, hiddenText } from "../dom.js";
import { get, post } from "../api.js";
import { plural } from "../labels.js";
import { announceStatus } from "../announcer.js";
import { timeElement } from "../time.js";
import { fetchRoom } from "../room-data.js";
import * as realtime from "../realtime.js";
import { canAskForNotifications, askForNotifications, refreshMentionCount } from "../attention.js";
import { groupByRoom, threadHref } from "../finding.js";

/** @typedef {import("../finding.js").InboxEntry} InboxEntry */
/**
 * Interest and requests to join in a room the person owns.
 * @typedef {{kind: "same-problem" | "can-help" | "join-request", room: {id: number, slug: string, title: string},
 *   person: import("../protocol.js").User, at: string}} InboxSignal
 * @typedef {{entries: InboxEntry[], signals: InboxSignal[], unread_threads: number, unread_mentions: number}} Inbox
 */

/** @type {Record<InboxSignal["kind"], string>} */
const SIGNAL_WORDS = {
  "same-problem": "said “We have this problem too” about",
  "can-help": "said “We could help” with",
  "join-request": "asks to join",
};

/** @param {InboxSignal[]} signals */
function signalSection(signals) {
  if (!signals.length) return null;
  return h("section", { class: "inbox-section inbox-signals", "aria-labelledby": "inbox-signals" },
    h("h2", { id: "inbox-signals" }, "Interest in your rooms", " ", h("span", { class: "count" }, `(${signals.length})`)),
    h("ul", { class: "inbox-list" }, signals.map((s) => h("li", { class: "inbox-entry", dataset: { kind: s.kind } },
      h("p", {}, h("strong", {}, s.person.display_name),
        s.person.organisation && s.person.organisation.name ? ` (${s.person.organisation.name})` : "",
        ` ${SIGNAL_WORDS[s.kind]} `, h("a", { href: `/r/${encodeURIComponent(s.room.slug)}` }, s.room.title)),
      h("p", { class: "inbox-entry-meta" }, timeElement(s.at))))));
}

/** @type {[InboxEntry["reason"], string][]} */
const SECTIONS = [
  ["mention", "Mentions of you"],
  ["following", "Threads you follow"],
  ["other", "Other threads in your rooms"],
];

/** @param {HTMLElement} main */
export function inboxView(main) {
  const heading = h("h1", { tabindex: "-1" }, "Inbox");
  const summary = h("p", { class: "lead", id: "inbox-summary" }, "Loading what is new…");
  const markAll = h("button", { type: "button", class: "button button-secondary", hidden: true }, "Mark all as read");
  const notifyButton = h("button", { type: "button", class: "button button-secondary", hidden: !canAskForNotifications() },
    "Notify me of mentions");
  const body = h("div", { class: "inbox", "aria-busy": "true" });
  /** @type {(() => void)[]} */
  const unwatchers = [];
  let loadToken = 0;
  let destroyed = false;
  /** @type {number | undefined} */
  let reloadTimer;

  replaceContent(main,
    h("div", { class: "page-header" }, heading,
      h("p", { class: "page-links" },
        h("a", { href: "/mentions" }, "Mentions"), " ",
        h("a", { href: "/rooms" }, "Browse all rooms"))),
    summary,
    h("div", { class: "inbox-actions" }, markAll, notifyButton),
    body);

  markAll.addEventListener("click", async () => {
    try {
      const { marked } = await post("/inbox/read", { all: true });
      announceStatus(`${plural(marked, "thread")} marked as read.`);
      await load();
      heading.focus();
    } catch (error) {
      announceStatus(`Could not mark as read: ${error instanceof Error ? error.message : error}`);
    }
  });
  notifyButton.addEventListener("click", async () => {
    const answer = await askForNotifications();
    notifyButton.hidden = true;
    announceStatus(answer === "granted"
      ? "You will be notified of mentions while Convene is in the background."
      : "Notifications are off. You can change this in your browser's site settings.");
  });

  async function load() {
    const token = ++loadToken;
    /** @type {Inbox} */
    let inbox;
    try {
      inbox = await get("/inbox");
    } catch (error) {
      if (token !== loadToken || destroyed) return;
      summary.textContent = `The inbox could not be loaded: ${error instanceof Error ? error.message : error}`;
      body.removeAttribute("aria-busy");
      return;
    }
    if (token !== loadToken || destroyed) return;
    render(inbox);
    refreshMentionCount();
  }

  /** Re-read soon, once, however many events arrive together. */
  function reloadSoon() {
    window.clearTimeout(reloadTimer);
    reloadTimer = window.setTimeout(load, 250);
  }

  /** @param {Inbox} inbox */
  function render(inbox) {
    body.removeAttribute("aria-busy");
    markAll.hidden = inbox.entries.length === 0;
    const signals = signalSection(inbox.signals || []);
    if (!inbox.entries.length) {
      summary.textContent = "You are all caught up: nothing unread in your rooms.";
      replaceContent(body, signals, h("p", {}, h("a", { href: "/rooms" }, "Find rooms to join"), " or ",
        h("a", { href: "/rooms/new" }, "create a room"), "."));
      return;
    }
    summary.textContent = `${plural(inbox.unread_threads, "thread")} with unread messages` +
      (inbox.unread_mentions ? `, ${plural(inbox.unread_mentions, "mention")} of you.` : ".");
    replaceContent(body, signals, SECTIONS.map(([reason, title]) => {
      const entries = inbox.entries.filter((e) => e.reason === reason);
      if (!entries.length) return null;
      const id = `inbox-${reason}`;
      return h("section", { class: "inbox-section", "aria-labelledby": id },
        h("h2", { id }, title, " ", h("span", { class: "count" }, `(${entries.length})`)),
        groupByRoom(entries).map((group) => h("div", { class: "inbox-room" },
          h("h3", { class: "inbox-room-title" },
            h("a", { href: `/r/${encodeURIComponent(group.room.slug)}` }, group.room.title)),
          h("ul", { class: "inbox-list" }, group.entries.map(entryItem)))));
    }));
  }

  /** @param {InboxEntry} entry */
  function entryItem(entry) {
    const titleId = `inbox-thread-${entry.thread.id}`;
    const done = h("button", { type: "button", class: "link-button", "aria-describedby": titleId }, "Mark as read");
    done.addEventListener("click", async () => {
      try {
        await post("/inbox/read", { thread_ids: [entry.thread.id] });
        announceStatus(`${entry.thread.title} marked as read.`);
        const next = done.closest("li")?.nextElementSibling?.querySelector("a");
        await load();
        (next && document.contains(next) ? next : heading).focus();
      } catch (error) {
        announceStatus(`Could not mark as read: ${error instanceof Error ? error.message : error}`);
      }
    });
    return h("li", { class: "inbox-entry", dataset: { threadId: entry.thread.id, reason: entry.reason } },
      h("p", { class: "inbox-entry-title", id: titleId },
        h("a", { href: threadHref(entry) }, entry.thread.title),
        " ", h("span", { class: "badge badge-unread" }, plural(entry.unread_count, "unread message")),
        entry.mention_count ? h("span", { class: "badge badge-mention" }, hiddenText(", "), plural(entry.mention_count, "mention")) : null),
      h("p", { class: "inbox-entry-snippet" },
        h("span", { class: "inbox-author" }, entry.author.display_name, ": "), entry.snippet),
      h("p", { class: "inbox-entry-meta" }, timeElement(entry.last_activity_at), " ", done));
  }

  // Live: watch every room you are in; any new message, edit or thread re-reads.
  async function watchRooms() {
    /** @type {{rooms: import("../protocol.js").Room[]}} */
    let page;
    try {
      page = await get("/rooms?mine=1");
    } catch {
      return; // the inbox still works; it just is not live
    }
    if (destroyed) return;
    for (const room of page.rooms) {
      unwatchers.push(realtime.watchRoom(room.id, room.last_seq, {
        onEvent: reloadSoon,
        onResync: async () => {
          reloadSoon();
          return (await fetchRoom(room.id)).last_seq;
        },
      }));
    }
  }
  unwatchers.push(realtime.onPersonalEvent(reloadSoon));

  load();
  watchRooms();

  return {
    title: "Inbox",
    heading,
    destroy() {
      destroyed = true;
      window.clearTimeout(reloadTimer);
      while (unwatchers.length) unwatchers.pop()?.();
    },
  };
}
