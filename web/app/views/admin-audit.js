// @ts-check
// Administrators: the audit log (who did what, to whom or which room, when, from
// where), newest first, filtered by person, action, room and dates, a page at a time,
// with a CSV download of everything the filters match (GET /api/v1/admin/audit).
import { h, replaceContent } from "../dom.js";
import { get, query, ApiError } from "../api.js";
import { session } from "../session.js";
import { timeElement } from "../time.js";
import { field } from "../forms.js";
import { adminNav } from "./admin-nav.js";

/**
 * @typedef {{id: number, display_name: string, email: string}} AuditPerson
 * @typedef {object} AuditEntry
 * @property {number} id
 * @property {string} at
 * @property {string} action
 * @property {AuditPerson | null} actor
 * @property {AuditPerson | null} user
 * @property {{id: number, slug: string, title: string} | null} room
 * @property {{id: number, name: string} | null} organisation
 * @property {string} door
 * @property {string | null} address
 * @property {string} detail
 */

export const ACTIONS = ["signed-in", "sign-in-failed", "signed-out-everywhere", "session-ended", "password-changed",
  "email-change-requested", "email-changed", "profile-changed", "role-changed", "deactivated", "reactivated", "account-deleted",
  "organisation-created", "organisation-changed", "room-visibility-changed", "room-stage-changed", "room-ownership-transferred",
  "invited", "message-deleted", "room-exported", "thread-exported", "personal-data-exported", "seeded", "inbound-mail"];

/** @param {AuditPerson | null} person */
function who(person) {
  return person ? [person.display_name, h("br"), h("span", { class: "hint" }, person.email)] : "—";
}

/** @param {AuditEntry} entry */
function row(entry) {
  const target = [
    entry.user ? who(entry.user) : null,
    entry.room ? h("a", { href: `/r/${encodeURIComponent(entry.room.slug)}` }, entry.room.title) : null,
    entry.organisation ? entry.organisation.name : null,
  ].filter(Boolean);
  return h("tr", {},
    h("td", {}, timeElement(entry.at)),
    h("td", {}, entry.action.replaceAll("-", " ")),
    h("td", {}, who(entry.actor)),
    h("td", {}, target.length ? target : "—"),
    h("td", {}, entry.detail),
    h("td", {}, entry.address ? `${entry.address} (${entry.door})` : entry.door));
}

/** @param {HTMLElement} main */
export function adminAuditView(main) {
  const heading = h("h1", { tabindex: "-1" }, "Audit log");
  if (session.user?.role !== "administrator") {
    replaceContent(main, h("div", { class: "narrow" }, heading, h("p", {}, "Only administrators can see this page.")));
    return { title: "Audit log", heading };
  }
  const action = field({ name: "action", label: "Action", control: "select",
    options: [["", "All actions"], ...ACTIONS.map((a) => /** @type {[string, string]} */ ([a, a.replaceAll("-", " ")]))] });
  const person = field({ name: "person", label: "Person (account id)", inputmode: "numeric" });
  const room = field({ name: "room", label: "Room (id)", inputmode: "numeric" });
  const since = field({ name: "since", label: "From", type: "date" });
  const until = field({ name: "until", label: "To", type: "date" });
  const apply = h("button", { type: "submit", class: "button" }, "Show entries");
  const csv = h("a", { href: "/api/v1/admin/audit.csv", download: "convene-audit.csv" }, "Download these entries as CSV");
  const form = h("form", { class: "filters", role: "search", "aria-label": "Filter the audit log" },
    [action, person, room, since, until].map((f) => f.wrapper), h("div", { class: "form-actions" }, apply));
  const body = h("tbody");
  const status = h("p", { role: "status" });
  const more = h("button", { type: "button", class: "link-button", hidden: true }, "Show older entries");
  /** @type {number | null} */
  let before = null;

  function filters() {
    return { action: action.input.value, person: person.input.value.trim(), room: room.input.value.trim(),
      since: since.input.value, until: until.input.value };
  }

  /** @param {boolean} reset */
  async function load(reset) {
    if (reset) {
      before = null;
      replaceContent(body);
      csv.setAttribute("href", `/api/v1/admin/audit.csv${query(filters())}`);
    }
    status.textContent = "Loading…";
    try {
      const page = await get(`/admin/audit${query({ ...filters(), before, limit: 50 })}`);
      /** @type {AuditEntry[]} */
      const entries = page.entries;
      body.append(...entries.map(row));
      before = entries.length ? entries[entries.length - 1].id : before;
      more.hidden = !page.has_more;
      status.textContent = body.childElementCount ? `${body.childElementCount} entries shown.` : "No entries match.";
    } catch (error) {
      status.textContent = error instanceof ApiError ? error.message : "The audit log could not be loaded.";
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    load(true);
  });
  more.addEventListener("click", () => load(false));
  const table = h("table", { class: "records-table" },
    h("caption", { class: "visually-hidden" }, "Audit log, newest first"),
    h("thead", {}, h("tr", {}, ["When", "Action", "By", "About", "Detail", "From"].map((t) => h("th", { scope: "col" }, t)))),
    body);
  replaceContent(main, h("div", {}, adminNav("/admin/audit"), heading,
    h("p", {}, "Who did what, when and from where. Message text, passwords and tokens are never recorded."),
    form, h("p", {}, csv), h("div", { class: "table-scroll" }, table), status, more));
  return { title: "Audit log", heading, enter: async () => { await load(true); return null; } };
}
