// @ts-check
// The document title names the page first, so a screen reader's tab list and a
// browser's history both say where each entry leads (WCAG 2.4.2). When mentions
// wait unread, their count comes first: "(2) Inbox – Convene".
/** @type {string[]} */
let titleParts = [];
let titleCount = 0;

/** @param {...(string | null | undefined)} parts */
export function setTitle(...parts) {
  titleParts = /** @type {string[]} */ (parts.filter(Boolean));
  renderTitle();
}

/** The number of unread mentions shown before the title (0 shows none). @param {number} count */
export function setTitleCount(count) {
  titleCount = count;
  renderTitle();
}

function renderTitle() {
  document.title = `${titleCount ? `(${titleCount}) ` : ""}${[...titleParts, "Convene"].join(" – ")}`;
}
