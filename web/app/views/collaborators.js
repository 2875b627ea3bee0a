// @ts-check
// "Looking for collaborators": ideas and problems that councils, departments and
// suppliers want partners for, invite-only rooms included (as cards: their threads
// stay private). Filters (tag, kind of organisation involved) live in the URL.
import { h, replaceContent } from "../dom.js";
import { get, query as toQuery } from "../api.js";
import { plural } from "../labels.js";
import { field } from "../forms.js";
import { announceStatus } from "../announcer.js";
import { ORGANISATION_KINDS } from "../collaboration.js";
import { collaborationCard, followDecisions } from "./collaboration-card.js";

/** @typedef {import("../collaboration.js").Card} Card */

/** @param {HTMLElement} main @param {{query: URLSearchParams}} route */
export function collaboratorsView(main, { query }) {
  const heading = h("h1", { tabindex: "-1" }, "Looking for collaborators");
  const tag = field({ name: "tag", label: "Tag", value: query.get("tag") || "", spellcheck: "false" });
  const kind = field({ name: "kind", label: "Organisations involved", control: "select", value: query.get("kind") || "",
    options: [["", "Any kind"], ...ORGANISATION_KINDS] });
  const form = h("form", { class: "filters", role: "search", "aria-label": "Filter rooms looking for collaborators" },
    tag.wrapper, kind.wrapper,
    h("div", { class: "filter-actions" },
      h("button", { type: "submit", class: "button button-secondary" }, "Apply filters"),
      h("a", { href: "/collaborate", class: "link-button" }, "Clear filters")));
  const resultsHeading = h("h2", { id: "collab-results-title", class: "results-title" }, "Loading…");
  const list = h("ul", { class: "room-list" });
  /** @type {ReturnType<typeof collaborationCard>[]} */
  let shown = [];
  let loadToken = 0;

  replaceContent(main,
    h("div", { class: "page-header" }, heading,
      h("a", { href: "/rooms/new?looking=1", class: "button" }, "Post an idea or a problem")),
    h("p", { class: "lead" },
      "Ideas and problems that councils, departments and suppliers want partners for. Say you have the same problem, "
      + "offer to help, or ask to join. Invite-only rooms show only their card here; their threads stay private."),
    form,
    h("section", { class: "results", "aria-labelledby": "collab-results-title" }, resultsHeading, list));

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    load(true);
  });
  kind.input.addEventListener("change", () => load(true));
  const stopFollowing = followDecisions(() => shown);

  /** @param {boolean} announce */
  async function load(announce) {
    const token = ++loadToken;
    const params = { tag: tag.input.value.trim(), kind: kind.input.value };
    history.replaceState(null, "", `/collaborate${toQuery(params)}`);
    list.setAttribute("aria-busy", "true");
    /** @type {Card[]} */
    let rooms;
    try {
      ({ rooms } = await get(`/collaborations${toQuery(params)}`));
    } catch (error) {
      if (token !== loadToken) return;
      resultsHeading.textContent = "Rooms could not be loaded";
      replaceContent(list, h("li", { class: "notice" }, error instanceof Error ? error.message : String(error)));
      list.removeAttribute("aria-busy");
      return;
    }
    if (token !== loadToken) return;
    list.removeAttribute("aria-busy");
    shown = rooms.map(collaborationCard);
    resultsHeading.textContent = rooms.length ? `${plural(rooms.length, "room")} looking for collaborators` : "No rooms found";
    replaceContent(list, shown.length ? shown.map((c) => c.element)
      : h("li", { class: "empty" }, "No room is looking for collaborators yet. Post your idea or problem."));
    if (announce) announceStatus(`${plural(rooms.length, "room")} found.`);
  }

  load(false);
  return {
    title: "Looking for collaborators",
    heading,
    destroy() {
      loadToken += 1;
      stopFollowing();
    },
  };
}
