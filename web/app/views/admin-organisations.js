// @ts-check
// Administrators: organisations. Create one, rename it, set its email domains (people
// whose confirmed address is on one show as verified at once) and its kind.
import { h, replaceContent } from "../dom.js";
import { get, patch, post, ApiError } from "../api.js";
import { field, errorSummary, onValidSubmit } from "../forms.js";
import { adminNav, administratorsOnly } from "./admin-nav.js";

/** @typedef {{id: number, name: string, domains: string[], kind: string}} Organisation */

const KINDS = /** @type {[string, string][]} */ ([["council", "Council"], ["central-government", "Central government"],
  ["supplier", "Supplier"], ["sector-body", "Sector body"], ["other", "Other"]]);

/** @param {string} text */
function domainsOf(text) {
  return text.split(/[\s,]+/).map((d) => d.trim()).filter(Boolean);
}

/**
 * One organisation's form (or the form for a new one).
 * @param {Organisation | null} org @param {(saved: Organisation) => void} onSaved
 */
function organisationForm(org, onSaved) {
  const name = field({ name: "name", label: "Name", value: org?.name || "" });
  const domains = field({ name: "domains", label: "Email domains", value: org ? org.domains.join(", ") : "",
    hint: "Separated by commas, like camden.gov.uk", spellcheck: "false" });
  const kind = field({ name: "kind", label: "Kind", control: "select", options: KINDS, value: org?.kind || "council" });
  const errors = errorSummary();
  const button = h("button", { type: "submit", class: "button" }, org ? "Save" : "Create organisation",
    org ? h("span", { class: "visually-hidden" }, ` ${org.name}`) : null);
  const status = h("p", { class: "hint", role: "status" });
  const form = h("form", { class: "form", novalidate: true }, errors.box, name.wrapper, domains.wrapper, kind.wrapper,
    h("div", { class: "form-actions" }, button), status);
  onValidSubmit(form, errors, button, {
    send: async () => {
      const body = { name: name.input.value, domains: domainsOf(domains.input.value), kind: kind.input.value };
      const answer = org ? await patch(`/organisations/${org.id}`, body) : await post("/organisations", body);
      status.textContent = org ? "Saved." : `${answer.organisation.name} is created.`;
      onSaved(answer.organisation);
    },
    fieldNames: ["name", "domains", "kind"],
  });
  return form;
}

/** @param {HTMLElement} main */
export function adminOrganisationsView(main) {
  const heading = h("h1", { tabindex: "-1" }, "Organisations");
  if (!administratorsOnly(main, heading)) return { title: "Organisations", heading };
  const list = h("div", {});
  const status = h("p", { role: "status" });

  async function load() {
    try {
      /** @type {Organisation[]} */
      const organisations = (await get("/organisations")).organisations;
      replaceContent(list, organisations.map((org) => {
        const id = `organisation-${org.id}`;
        return h("section", { class: "profile-section", "aria-labelledby": id }, h("h3", { id }, org.name),
          organisationForm(org, () => undefined));
      }));
      status.textContent = organisations.length ? "" : "No organisations yet.";
    } catch (error) {
      status.textContent = error instanceof ApiError ? error.message : "Organisations could not be loaded.";
    }
  }

  replaceContent(main, h("div", { class: "narrow" }, adminNav("/admin/organisations"), heading,
    h("section", { class: "profile-section", "aria-labelledby": "new-organisation" }, h("h2", { id: "new-organisation" }, "Add an organisation"),
      organisationForm(null, () => load())),
    h("h2", {}, "Organisations"), status, list));
  return { title: "Organisations", heading, enter: async () => { await load(); return null; } };
}
