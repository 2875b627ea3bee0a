// @ts-check
// Administrators: every inbound email and what became of it (posted, refused with its
// reason, or a duplicate delivery), newest first, from GET /api/v1/admin/inbound-mail.
import { h, replaceContent } from "../dom.js";
import { get, query, ApiError } from "../api.js";
import { session } from "../session.js";
import { timeElement } from "../time.js";
import { adminNav } from "./admin-nav.js";

/**
 * @typedef {object} InboundRecord
 * @property {number} id
 * @property {string} received_at
 * @property {string} door
 * @property {string} sender
 * @property {string} recipient
 * @property {string} subject
 * @property {"posted" | "refused" | "duplicate" | "unsubscribed"} outcome
 * @property {string} reason
 * @property {string} detail
 * @property {number | null} thread_id
 * @property {string | null} replied_at
 */

const OUTCOMES = [["", "All"], ["posted", "Posted"], ["refused", "Refused"], ["duplicate", "Duplicates"],
  ["unsubscribed", "Unsubscribe requests"]];

/** @param {InboundRecord} record */
function row(record) {
  const what = record.outcome === "refused"
    ? [h("strong", {}, record.reason.replaceAll("_", " ")), record.detail ? h("br") : null, record.detail]
    : record.outcome === "unsubscribed" ? ["unsubscribed", record.detail ? h("br") : null, record.detail] : record.outcome;
  return h("tr", { dataset: { outcome: record.outcome } },
    h("td", {}, timeElement(record.received_at)),
    h("td", {}, record.door),
    h("td", {}, record.sender || "(none)"),
    h("td", {}, record.recipient),
    h("td", {}, record.subject),
    h("td", {}, what),
    h("td", {}, record.replied_at ? "Explained to sender" : ""));
}

/** @param {HTMLElement} main */
export function adminInboundView(main) {
  const heading = h("h1", { tabindex: "-1" }, "Inbound email");
  if (session.user?.role !== "administrator") {
    replaceContent(main, h("div", { class: "narrow" }, heading, h("p", {}, "Only administrators can see this page.")));
    return { title: "Inbound email", heading };
  }
  const filter = h("select", { id: "inbound-outcome" },
    OUTCOMES.map(([value, label]) => h("option", { value }, label)));
  const body = h("tbody");
  const status = h("p", { role: "status" });
  const more = h("button", { type: "button", class: "link-button", hidden: true }, "Show older");
  /** @type {number | null} */
  let before = null;

  /** @param {boolean} reset */
  async function load(reset) {
    if (reset) {
      before = null;
      replaceContent(body);
    }
    status.textContent = "Loading…";
    try {
      const page = await get(`/admin/inbound-mail${query({ outcome: filter.value, before, limit: 50 })}`);
      /** @type {InboundRecord[]} */
      const records = page.records;
      body.append(...records.map(row));
      before = records.length ? records[records.length - 1].id : before;
      more.hidden = !page.has_more;
      status.textContent = body.childElementCount ? "" : "No inbound email recorded yet.";
    } catch (error) {
      status.textContent = error instanceof ApiError ? error.message : "The record could not be loaded.";
    }
  }

  filter.addEventListener("change", () => load(true));
  more.addEventListener("click", () => load(false));
  const table = h("table", { class: "inbound-record" },
    h("caption", { class: "visually-hidden" }, "Inbound email, newest first"),
    h("thead", {}, h("tr", {}, ["Received", "Door", "From", "To", "Subject", "Outcome", "Answer"].map((t) => h("th", { scope: "col" }, t)))),
    body);
  replaceContent(main, h("div", {}, adminNav("/admin/inbound-mail"), heading,
    h("p", {}, "Replies and new threads received by email, and why any were refused."),
    h("p", {}, h("label", { for: "inbound-outcome" }, "Show "), filter),
    h("div", { class: "table-scroll" }, table), status, more));
  return { title: "Inbound email", heading, enter: async () => { await load(true); return null; } };
}
