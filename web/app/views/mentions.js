// @ts-check
// Mentions: every message that mentions you in your rooms, newest first, unread
// ones marked; each opens the message itself.
import { h, replaceContent } from "../dom.js";
import { get, query as toQuery } from "../api.js";
import { plural } from "../labels.js";
import { announceStatus } from "../announcer.js";
import { timeElement } from "../time.js";
import { refreshMentionCount } from "../attention.js";
import * as realtime from "../realtime.js";

/**
 * @typedef {object} Mention
 * @property {{id: number, slug: string, title: string}} room
 * @property {{id: number, title: string}} thread
 * @property {number} message_id
 * @property {number} seq
 * @property {import("../protocol.js").User} author
 * @property {string} snippet
 * @property {string} created_at
 * @property {boolean} unread
 */

/** @param {HTMLElement} main */
export function mentionsView(main) {
  const heading = h("h1", { tabindex: "-1" }, "Mentions");
  const summary = h("p", { class: "lead" }, "Loading mentions…");
  const list = h("ol", { class: "mentions-page-list" });
  const more = h("button", { type: "button", class: "button button-secondary", hidden: true }, "Show older mentions");
  /** @type {number | null} */
  let nextBefore = null;
  let destroyed = false;

  replaceContent(main,
    h("div", { class: "page-header" }, heading, h("p", { class: "page-links" }, h("a", { href: "/" }, "Back to the inbox"))),
    summary, list, more);

  /** @param {boolean} append */
  async function load(append) {
    /** @type {{mentions: Mention[], unread_mentions: number, next_before: number | null}} */
    let page;
    try {
      page = await get(`/mentions${toQuery({ before: append ? nextBefore : null })}`);
    } catch (error) {
      summary.textContent = `Mentions could not be loaded: ${error instanceof Error ? error.message : error}`;
      return;
    }
    if (destroyed) return;
    summary.textContent = page.unread_mentions
      ? `${plural(page.unread_mentions, "unread mention")}.`
      : page.mentions.length || append ? "No unread mentions." : "Nobody has mentioned you yet.";
    const items = page.mentions.map(item);
    if (append) items.forEach((li) => list.append(li));
    else replaceContent(list, items);
    nextBefore = page.next_before;
    more.hidden = nextBefore === null;
    if (append && items.length) items[0].querySelector("a")?.focus();
    if (append) announceStatus(`${plural(items.length, "older mention")} shown.`);
  }

  /** @param {Mention} mention */
  function item(mention) {
    const href = `/r/${encodeURIComponent(mention.room.slug)}/t/${mention.thread.id}/m/${mention.message_id}`;
    return h("li", { class: `mentions-page-item${mention.unread ? " mentions-page-unread" : ""}` },
      h("p", { class: "mentions-page-title" },
        h("a", { href }, mention.thread.title), " in ", mention.room.title,
        mention.unread ? h("span", { class: "badge badge-unread" }, "Unread") : null),
      h("p", { class: "mentions-page-snippet" }, h("span", { class: "inbox-author" }, mention.author.display_name, ": "), mention.snippet),
      h("p", { class: "mentions-page-meta" }, timeElement(mention.created_at)));
  }

  more.addEventListener("click", () => load(true));
  const stop = realtime.onPersonalEvent((event) => {
    if (event.type === "mention") load(false);
  });
  load(false);
  refreshMentionCount();

  return {
    title: "Mentions",
    heading,
    destroy() {
      destroyed = true;
      stop();
    },
  };
}
