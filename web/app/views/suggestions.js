// @ts-check
// "Suggested for you" on the room directory: rooms looking for collaborators where
// organisations of the reader's kind are involved, or that share tags with their
// rooms (the server chooses them: GET /api/v1/suggestions). Nothing is shown when
// there is nothing to suggest.
import { h, replaceContent } from "../dom.js";
import { get } from "../api.js";
import { collaborationCard, followDecisions } from "./collaboration-card.js";

/** @typedef {import("../collaboration.js").Card} Card */

/** The section (hidden until it has suggestions) and a function that stops it. */
export function suggestionsSection() {
  const list = h("ul", { class: "room-list suggestion-list" });
  const element = h("section", { class: "suggestions", "aria-labelledby": "suggestions-title", hidden: true },
    h("h2", { id: "suggestions-title" }, "Suggested for you"),
    h("p", { class: "hint" }, "Rooms looking for collaborators that organisations like yours are in, or that share your rooms’ tags. ",
      h("a", { href: "/collaborate" }, "See every room looking for collaborators")),
    list);
  /** @type {ReturnType<typeof collaborationCard>[]} */
  let shown = [];
  let stopped = false;
  const stopFollowing = followDecisions(() => shown);

  (async () => {
    try {
      /** @type {{suggestions: Card[]}} */
      const { suggestions } = await get("/suggestions");
      if (stopped || !suggestions.length) return;
      shown = suggestions.map(collaborationCard);
      replaceContent(list, shown.map((c) => c.element));
      element.hidden = false;
    } catch {
      // Suggestions are a convenience; the directory works without them.
    }
  })();

  return {
    element,
    stop() {
      stopped = true;
      stopFollowing();
    },
  };
}
