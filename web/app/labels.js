// @ts-check
// Words shown for the server's codes, and small pieces of text shared by views.
import { h, hiddenText } from "./dom.js";

/** @type {[string, string][]} */
export const STAGES = [
  ["discovery", "Discovery"],
  ["co-design", "Co-design"],
  ["incubation", "Incubation"],
  ["live", "Live"],
  ["archived", "Archived"],
];

/** @param {string} stage */
export function stageLabel(stage) {
  const found = STAGES.find(([value]) => value === stage);
  return found ? found[1] : stage || "Unknown";
}

/** The stage as a badge whose words, not its colour, carry the meaning. @param {string} stage */
export function stageBadge(stage) {
  return h("span", { class: `badge stage stage-${stage}` }, hiddenText("Stage: "), stageLabel(stage));
}

export function collaboratorsBadge() {
  return h("span", { class: "badge badge-collaborators" },
    h("span", { "aria-hidden": "true", class: "badge-icon" }, "+"), "Looking for collaborators");
}

/**
 * A person's organisation, marked verified (their email domain belongs to it) or
 * self-declared. The difference is spelled out in words and shape, not colour.
 * @param {import("./protocol.js").Organisation | null | undefined} organisation
 */
export function organisationLabel(organisation) {
  if (!organisation || !organisation.name) return null;
  if (organisation.verified) {
    return h("span", { class: "organisation organisation-verified" },
      organisation.name, " ",
      h("span", { class: "org-status" }, h("span", { "aria-hidden": "true" }, "✓ "), "verified"));
  }
  return h("span", { class: "organisation organisation-declared" },
    organisation.name, " ",
    h("span", { class: "org-status" }, "self-declared"));
}

/** @param {number} count @param {string} one @param {string} [many] */
export function plural(count, one, many = `${one}s`) {
  return `${count} ${count === 1 ? one : many}`;
}

/** An unread count badge: "3 unread" with the number visually prominent. @param {number | undefined} count */
export function unreadBadge(count) {
  if (!count) return null;
  return h("span", { class: "badge badge-unread" }, String(count), " unread");
}
