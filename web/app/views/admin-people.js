// @ts-check
// Administrators: people. Find them by name or address, role or status; change a
// role; deactivate (asked first: every session ends) or reactivate; send an invited
// person their invitation again. Changes go through PATCH /api/v1/users/{id}.
import { h, replaceContent } from "../dom.js";
import { get, patch, post, query, ApiError } from "../api.js";
import { field } from "../forms.js";
import { confirmAction } from "../confirm-dialog.js";
import { adminNav, administratorsOnly } from "./admin-nav.js";

/**
 * @typedef {object} AdminPerson
 * @property {number} id
 * @property {string} display_name
 * @property {string} email
 * @property {{name: string, verified: boolean}} organisation
 * @property {"administrator" | "facilitator" | "member"} role
 * @property {boolean} active
 * @property {boolean} email_confirmed
 * @property {boolean} invited
 */

const ROLES = [["member", "Member"], ["facilitator", "Facilitator"], ["administrator", "Administrator"]];

/** @param {HTMLElement} main */
export function adminPeopleView(main) {
  const heading = h("h1", { tabindex: "-1" }, "People");
  if (!administratorsOnly(main, heading)) return { title: "People", heading };
  const text = field({ name: "q", label: "Name or email address contains" });
  const role = field({ name: "role", label: "Role", control: "select", options: [["", "Any role"], ...ROLES.map(([v, l]) =>
    /** @type {[string, string]} */ ([v, l]))] });
  const active = field({ name: "active", label: "Status", control: "select",
    options: [["", "Active or not"], ["true", "Active"], ["false", "Deactivated"]] });
  const form = h("form", { class: "filters", role: "search", "aria-label": "Find people" },
    text.wrapper, role.wrapper, active.wrapper, h("div", { class: "form-actions" }, h("button", { type: "submit", class: "button" }, "Find")));
  const body = h("tbody");
  const status = h("p", { role: "status" });
  const more = h("button", { type: "button", class: "link-button", hidden: true }, "Show more people");
  /** @type {number | null} */
  let after = null;

  /** @param {string} message */
  function say(message) {
    status.textContent = message;
  }

  /** @param {AdminPerson} person */
  function row(person) {
    const tr = h("tr", { dataset: { person: String(person.id) } });
    const roleSelect = h("select", { class: "select", "aria-label": `Role of ${person.display_name}` },
      ROLES.map(([value, label]) => h("option", { value, selected: value === person.role }, label)));
    const saveRole = h("button", { type: "button", class: "button button-secondary button-small" }, "Change role",
      h("span", { class: "visually-hidden" }, ` of ${person.display_name}`));
    saveRole.addEventListener("click", async () => {
      try {
        await patch(`/users/${person.id}`, { role: roleSelect.value });
        say(`${person.display_name} is now ${roleSelect.value === "administrator" ? "an" : "a"} ${roleSelect.value}.`);
      } catch (error) {
        say(error instanceof ApiError ? error.message : String(error));
      }
    });
    const toggle = h("button", { type: "button", class: `button button-small ${person.active ? "button-warning" : "button-secondary"}` },
      person.active ? "Deactivate" : "Reactivate", h("span", { class: "visually-hidden" }, ` ${person.display_name}`));
    toggle.addEventListener("click", async () => {
      if (person.active && !(await confirmAction({ title: `Deactivate ${person.display_name}?`, confirmLabel: "Deactivate",
        text: "They are signed out everywhere at once and cannot sign in or reply by email until reactivated." }))) return;
      try {
        const answer = await patch(`/users/${person.id}`, { active: !person.active });
        Object.assign(person, { active: answer.user.active });
        const fresh = row(person);
        tr.replaceWith(fresh);
        say(`${person.display_name} is ${person.active ? "reactivated" : "deactivated"}.`);
        /** @type {HTMLElement | null} */ (fresh.querySelector("td:last-child button"))?.focus(); // the same place, redrawn
      } catch (error) {
        say(error instanceof ApiError ? error.message : String(error));
      }
    });
    const resend = person.invited ? h("button", { type: "button", class: "button button-secondary button-small" }, "Resend invitation",
      h("span", { class: "visually-hidden" }, ` to ${person.display_name}`)) : null;
    resend?.addEventListener("click", async () => {
      try {
        const answer = await post(`/admin/users/${person.id}/resend-invitation`);
        /** @type {{outcome: string}[]} */
        const results = answer.results;
        say(results.some((r) => r.outcome === "resent") ? `A fresh invitation is on its way to ${person.email}.`
          : `Nothing sent: an invitation went to ${person.email} too recently.`);
      } catch (error) {
        say(error instanceof ApiError ? error.message : String(error));
      }
    });
    replaceContent(tr,
      h("td", {}, person.display_name, person.invited ? h("span", { class: "hint" }, " (invited)") : null),
      h("td", {}, person.email),
      h("td", {}, person.organisation.name, person.organisation.verified ? "" : h("span", { class: "hint" }, " (self-declared)")),
      h("td", {}, roleSelect, " ", saveRole),
      h("td", {}, person.active ? "Active" : "Deactivated"),
      h("td", {}, toggle, resend ? " " : null, resend));
    return tr;
  }

  /** @param {boolean} reset */
  async function load(reset) {
    if (reset) {
      after = null;
      replaceContent(body);
    }
    say("Loading…");
    try {
      const page = await get(`/admin/users${query({ q: text.input.value.trim(), role: role.input.value, active: active.input.value,
        after, limit: 100 })}`);
      /** @type {AdminPerson[]} */
      const people = page.people;
      body.append(...people.map(row));
      after = people.length ? people[people.length - 1].id : after;
      more.hidden = !page.has_more;
      say(body.childElementCount ? `${body.childElementCount} people shown.` : "Nobody matches.");
    } catch (error) {
      say(error instanceof ApiError ? error.message : "People could not be loaded.");
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    load(true);
  });
  more.addEventListener("click", () => load(false));
  const table = h("table", { class: "records-table" }, h("caption", { class: "visually-hidden" }, "People"),
    h("thead", {}, h("tr", {}, ["Name", "Email address", "Organisation", "Role", "Status", "Account"].map((t) =>
      h("th", { scope: "col" }, t)))), body);
  replaceContent(main, h("div", {}, adminNav("/admin/people"), heading, form, status, h("div", { class: "table-scroll" }, table), more));
  return { title: "People", heading, enter: async () => { await load(true); return null; } };
}
