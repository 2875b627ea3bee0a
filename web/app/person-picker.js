// @ts-check
// Choosing one person by typing part of their name or address: a combobox (the ARIA
// 1.2 pattern) whose options the server finds (GET /admin/users?q=...&limit=8), so
// the page never holds every account. Up and Down move through the options, Enter
// or a click chooses, Escape closes; focus stays in the box throughout.
import { h, uniqueId, replaceContent } from "./dom.js";
import { get, query } from "./api.js";
import { announceStatus } from "./announcer.js";

const SHOWN = 8;
const PAUSE_MS = 200; // ask once typing pauses, not for every key

/** @typedef {{id: number, display_name: string, email: string}} PickedPerson */

/**
 * @param {{label: string}} options
 * @returns {{element: HTMLElement, input: HTMLInputElement, chosen: () => PickedPerson | null}}
 */
export function personPicker({ label }) {
  const listId = uniqueId("people-list");
  const input = /** @type {HTMLInputElement} */ (h("input", {
    type: "text", class: "input person-picker-input", role: "combobox", "aria-label": label, "aria-autocomplete": "list",
    "aria-expanded": "false", "aria-controls": listId, autocomplete: "off", spellcheck: "false",
    placeholder: "Type a name or address",
  }));
  const list = h("ul", { id: listId, role: "listbox", class: "person-picker-list", hidden: true, "aria-label": `${label}: matches` });
  /** @type {PickedPerson[]} */
  let found = [];
  let active = -1;
  /** @type {PickedPerson | null} */
  let chosen = null;
  let timer = 0;
  let asked = 0;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function render() {
    if (!found.length) {
      close();
      return;
    }
    replaceContent(list, found.map((person, index) => {
      const option = h("li", { id: `${listId}-${index}`, role: "option", class: "person-picker-option",
        "aria-selected": index === active ? "true" : "false" },
        h("span", { class: "person-picker-name" }, person.display_name), " ", h("span", { class: "person-picker-email" }, person.email));
      // mousedown, not click: the box keeps focus, so the list does not close first.
      option.addEventListener("mousedown", (event) => {
        event.preventDefault();
        choose(person);
      });
      return option;
    }));
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    if (active >= 0) input.setAttribute("aria-activedescendant", `${listId}-${active}`);
    else input.removeAttribute("aria-activedescendant");
  }

  /** @param {PickedPerson} person */
  function choose(person) {
    chosen = person;
    input.value = `${person.display_name} (${person.email})`;
    close();
  }

  async function search() {
    const words = input.value.trim();
    const ask = ++asked;
    if (!words) {
      found = [];
      render();
      return;
    }
    try {
      const answer = await get(`/admin/users${query({ q: words, active: true, limit: SHOWN })}`);
      if (ask !== asked) return; // a later search is on its way
      found = answer.people;
      active = -1;
      render();
      announceStatus(found.length ? `${found.length} ${found.length === 1 ? "person matches" : "people match"}; use the arrow keys.`
        : `Nobody matches ${words}.`);
    } catch {
      if (ask === asked) announceStatus("People could not be searched. Try again.");
    }
  }

  input.addEventListener("input", () => {
    chosen = null;
    window.clearTimeout(timer);
    timer = window.setTimeout(search, PAUSE_MS);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!found.length) return;
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      active = (active + step + found.length) % found.length;
      render();
    } else if (event.key === "Enter" && !list.hidden && active >= 0) {
      event.preventDefault();
      choose(found[active]);
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", close);

  return { element: h("div", { class: "person-picker" }, input, list), input, chosen: () => chosen };
}
