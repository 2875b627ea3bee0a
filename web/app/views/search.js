// @ts-check
// Search results: rooms whose name, summary or tags match (first, in their own
// group), then messages and thread titles matching the words, from rooms you may
// read, with the matching words highlighted. The query and filters live in the URL
// (/search?q=...), so a search can be bookmarked, shared and reloaded.
import { h, replaceContent, setServerHtml } from "../dom.js";
import { get, query as toQuery } from "../api.js";
import { plural, stageBadge } from "../labels.js";
import { navigate } from "../router.js";
import { announceStatus } from "../announcer.js";
import { field } from "../forms.js";
import { timeElement } from "../time.js";
import { resultHref, searchParams } from "../finding.js";

/** @typedef {import("../finding.js").SearchResult} SearchResult */
/**
 * @typedef {{id: number, slug: string, title: string, summary_html: string, stage: string, visibility: string,
 *   tags: string[]}} RoomMatch
 */

/** @param {HTMLElement} main @param {{query: URLSearchParams}} route */
export function searchView(main, { query }) {
  const params = searchParams(query);
  const heading = h("h1", { tabindex: "-1" }, params.q ? `Search results for ‘${params.q}’` : "Search");
  const q = field({ name: "q", label: "Search rooms, threads and messages", type: "search", value: params.q || "",
    hint: "All the words must appear. Put a phrase in \"quotes\"; put - before a word to leave it out." });
  const room = field({ name: "room", label: "Room", control: "select", value: params.room || "", options: [["", "All rooms"]] });
  const organisation = field({ name: "organisation", label: "Author's organisation", value: params.organisation || "" });
  const since = field({ name: "since", label: "From", type: "date", value: params.since || "" });
  const until = field({ name: "until", label: "To", type: "date", value: params.until || "" });
  const sort = field({ name: "sort", label: "Order", control: "select", value: params.sort || "relevance",
    options: [["relevance", "Best match first"], ["newest", "Newest first"]] });
  const form = h("form", { class: "filters", role: "search", "aria-label": "Search messages" },
    q.wrapper, room.wrapper, organisation.wrapper, since.wrapper, until.wrapper, sort.wrapper,
    h("div", { class: "filter-actions" }, h("button", { type: "submit", class: "button" }, "Search")));
  const resultsHeading = h("h2", { id: "search-results-title", class: "results-title" }, params.q ? "Searching…" : "Type words to search for");
  const list = h("ol", { class: "search-results" });
  const roomsList = h("ul", { class: "search-results search-rooms" });
  const roomsSection = h("section", { class: "results", "aria-labelledby": "search-rooms-title", hidden: true },
    h("h2", { id: "search-rooms-title", class: "results-title" }, "Rooms"), roomsList);
  const more = h("button", { type: "button", class: "button button-secondary", hidden: true }, "Show more results");
  /** @type {number | null} */
  let nextOffset = null;
  let shown = 0;
  let destroyed = false;

  replaceContent(main, heading, form, roomsSection,
    h("section", { class: "results", "aria-labelledby": "search-results-title" }, resultsHeading, list, more));

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = {
      q: q.input.value.trim(), room: room.input.value, organisation: organisation.input.value.trim(),
      since: since.input.value, until: until.input.value, sort: sort.input.value === "relevance" ? "" : sort.input.value,
    };
    navigate(`/search${toQuery(next)}`);
  });
  more.addEventListener("click", () => load(nextOffset || 0));

  loadRooms();

  async function loadRooms() {
    try {
      const { rooms } = await get("/rooms");
      if (destroyed) return;
      const select = /** @type {HTMLSelectElement} */ (room.input);
      for (const r of /** @type {import("../protocol.js").Room[]} */ (rooms)) {
        select.append(h("option", { value: r.slug, selected: r.slug === params.room }, r.title));
      }
    } catch {
      // The room filter is a convenience; searching works without it.
    }
  }

  /** @param {number} offset */
  async function load(offset) {
    /** @type {{rooms: RoomMatch[], results: SearchResult[], next_offset: number | null}} */
    let page;
    list.setAttribute("aria-busy", "true");
    try {
      page = await get(`/search${toQuery({ ...params, offset: offset || null })}`);
    } catch (error) {
      if (destroyed) return;
      list.removeAttribute("aria-busy");
      resultsHeading.textContent = "The search could not be done";
      replaceContent(list, h("li", { class: "notice" }, error instanceof Error ? error.message : String(error)));
      announceStatus(`The search could not be done: ${error instanceof Error ? error.message : error}`);
      return;
    }
    if (destroyed) return;
    list.removeAttribute("aria-busy");
    if (!offset) {
      roomsSection.hidden = !page.rooms.length;
      replaceContent(roomsList, page.rooms.map(roomItem));
      /** @type {HTMLElement} */ (roomsSection.querySelector("h2")).textContent = `Rooms (${page.rooms.length})`;
    }
    const items = page.results.map(resultItem);
    if (offset) items.forEach((li) => list.append(li));
    else replaceContent(list, items);
    shown += items.length;
    nextOffset = page.next_offset;
    more.hidden = nextOffset === null;
    const rooms = roomsSection.hidden ? 0 : roomsList.children.length;
    resultsHeading.textContent = shown
      ? `Messages and threads: ${nextOffset === null ? "" : "first "}${plural(shown, "result")}`
      : rooms ? "No messages or threads match" : "No results: try other words, or fewer filters";
    announceStatus(shown || rooms
      ? [rooms && !offset ? plural(rooms, "room") : "", shown ? plural(items.length, "result") : ""].filter(Boolean).join(" and ") + " shown."
      : "No results.");
    if (offset && items.length) items[0].querySelector("a")?.focus();
  }

  /** @param {RoomMatch} found */
  function roomItem(found) {
    return h("li", { class: "search-result search-room" },
      h("h3", { class: "search-result-title" }, h("a", { href: `/r/${encodeURIComponent(found.slug)}` }, found.title)),
      h("p", { class: "badges" }, stageBadge(found.stage),
        found.visibility === "invite" ? h("span", { class: "badge" }, "Invite only") : null),
      found.summary_html ? setServerHtml(h("div", { class: "search-snippet prose" }), found.summary_html) : null,
      found.tags.length ? h("p", { class: "tags" }, found.tags.map((t) => h("span", { class: "tag" }, t))) : null);
  }

  /** @param {SearchResult} result */
  function resultItem(result) {
    return h("li", { class: "search-result" },
      h("h3", { class: "search-result-title" },
        h("a", { href: resultHref(result) }, result.kind === "thread" ? `Thread: ${result.thread.title}` : result.thread.title)),
      setServerHtml(h("p", { class: "search-snippet" }), result.snippet_html),
      h("p", { class: "search-meta" },
        "In ", h("a", { href: `/r/${encodeURIComponent(result.room.slug)}` }, result.room.title),
        result.author ? ` · ${result.author.display_name}` : "", " · ", timeElement(result.created_at)));
  }

  if (params.q) load(0);

  return {
    title: params.q ? `Search: ${params.q}` : "Search",
    heading,
    destroy() {
      destroyed = true;
    },
  };
}
