// @ts-check
// @mention suggestions in a textarea.
//
// Typing "@" followed by part of a name offers the room's members in a listbox.
// The textarea keeps focus (aria-activedescendant points at the highlighted
// option) so people can keep typing; Up/Down move, Enter or Tab insert, Escape
// closes. The box shows a chosen person as "@Display Name", as chat apps do; on the
// way to the server (sending, previewing) mentionSource() turns "@Name" of anyone who
// can be mentioned into the server's syntax, @**Name**. Typing the name in full works
// the same as choosing it; text already in @**...** is left as it is.
import { h, uniqueId, replaceContent } from "./dom.js";
import { announceStatus } from "./announcer.js";
import { organisationLabel, plural } from "./labels.js";
import { placePopup } from "./placement.js";

const MAX_SUGGESTIONS = 8;

/**
 * The text with each "@Name" of these people (the longest name first, so "@Ben
 * Okafor" wins over "@Ben") written as the server's mention, "@**Name**". A name
 * counts only as a whole: followed by the end, a space or punctuation, not a letter.
 * @param {string} text @param {string[]} names
 */
export function mentionSource(text, names) {
  const wanted = [...new Set(names.filter((name) => name.trim()))].sort((a, b) => b.length - a.length);
  if (!wanted.length || !text.includes("@")) return text;
  const escaped = wanted.map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  // Not inside an address (ada@camden...): the @ starts the text or follows a non-word.
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}_])@(?:\\*\\*[^*\\n]*\\*\\*|(${escaped.join("|")})(?![\\p{L}\\p{N}_]))`, "gu");
  return text.replace(pattern, (/** @type {string} */ whole, /** @type {string | undefined} */ name) => (name ? `@**${name}**` : whole));
}

/**
 * Attach suggestions to `textarea`. `getPeople` returns [{id, display_name,
 * organisation}]. Returns {listbox, handleKeydown(event) -> bool, close()};
 * handleKeydown returns true when it used the key (so Enter does not also send).
 */
/** @typedef {import("./protocol.js").User} User */

/**
 * @param {HTMLTextAreaElement} textarea
 * @param {() => User[]} getPeople
 */
export function attachMentions(textarea, getPeople) {
  const listboxId = uniqueId("mention-list");
  const listbox = h("ul", { id: listboxId, role: "listbox", class: "mention-list", hidden: true,
    "aria-label": "People to mention" });
  /** @type {User[]} */
  let matches = [];
  let active = 0;
  /** @type {{start: number, end: number, query: string} | null} */
  let range = null;
  let lastAnnounced = "";

  textarea.setAttribute("aria-autocomplete", "list");

  function findQuery() {
    const caret = textarea.selectionStart;
    if (caret !== textarea.selectionEnd) return null;
    const before = textarea.value.slice(0, caret);
    const match = /(^|[\s(])@([^\s@*][^@*\n]{0,40})?$/.exec(before);
    if (!match) return null;
    const query = match[2] || "";
    return { start: caret - query.length - 1, end: caret, query };
  }

  /** @param {string} query */
  function search(query) {
    const needle = query.toLowerCase();
    const people = getPeople();
    const starts = [];
    const contains = [];
    for (const person of people) {
      const name = person.display_name.toLowerCase();
      if (name.startsWith(needle) || name.split(/\s+/).some((part) => part.startsWith(needle))) starts.push(person);
      else if (needle && name.includes(needle)) contains.push(person);
    }
    return [...starts, ...contains].slice(0, MAX_SUGGESTIONS);
  }

  function update() {
    const found = findQuery();
    if (!found) {
      close();
      return;
    }
    const next = search(found.query);
    if (!next.length) {
      close();
      return;
    }
    range = found;
    matches = next;
    active = 0;
    render();
    const sentence = `${plural(matches.length, "person", "people")} to mention. Up and down arrows to choose, Enter to insert.`;
    if (sentence !== lastAnnounced) {
      lastAnnounced = sentence;
      announceStatus(sentence);
    }
  }

  function render() {
    replaceContent(listbox, matches.map((person, index) => {
      const option = h("li", { id: `${listboxId}-${index}`, role: "option", class: "mention-option",
        "aria-selected": index === active ? "true" : "false" },
      h("span", { class: "mention-name" }, person.display_name),
      person.organisation ? [" ", organisationLabel(person.organisation)] : null);
      // mousedown, not click: keep focus in the textarea.
      option.addEventListener("mousedown", (event) => {
        event.preventDefault();
        choose(index);
      });
      return option;
    }));
    listbox.hidden = false;
    place();
    textarea.setAttribute("aria-controls", listboxId);
    textarea.setAttribute("aria-activedescendant", `${listboxId}-${active}`);
  }

  /** Open the list where it fits in the viewport (above a reply box at the bottom of the screen). */
  function place() {
    listbox.classList.remove("mention-list-above");
    listbox.style.maxHeight = "";
    const wanted = listbox.scrollHeight + 4; // its borders
    const field = textarea.getBoundingClientRect();
    const { side, maxHeight } = placePopup({ above: field.top, below: window.innerHeight - field.bottom, wanted });
    listbox.classList.toggle("mention-list-above", side === "above");
    listbox.style.maxHeight = `${maxHeight}px`;
    /** @type {HTMLElement | undefined} */ (listbox.children[active])?.scrollIntoView({ block: "nearest" });
  }

  /** @param {number} index */
  function choose(index) {
    const person = matches[index];
    if (!person || !range) return;
    const insert = `@${person.display_name} `;
    const value = textarea.value;
    textarea.value = value.slice(0, range.start) + insert + value.slice(range.end);
    const caret = range.start + insert.length;
    textarea.setSelectionRange(caret, caret);
    close();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    announceStatus(`Mentioned ${person.display_name}.`);
  }

  function close() {
    matches = [];
    range = null;
    lastAnnounced = "";
    listbox.hidden = true;
    listbox.replaceChildren();
    textarea.removeAttribute("aria-activedescendant");
    textarea.removeAttribute("aria-controls");
  }

  function isOpen() {
    return matches.length > 0 && !listbox.hidden;
  }

  /** @param {KeyboardEvent} event */
  function handleKeydown(event) {
    if (!isOpen()) return false;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      active = (active + (event.key === "ArrowDown" ? 1 : -1) + matches.length) % matches.length;
      render();
      return true;
    }
    if ((event.key === "Enter" && !event.shiftKey) || event.key === "Tab") {
      event.preventDefault();
      choose(active);
      return true;
    }
    if (event.key === "Escape") {
      event.preventDefault();
      close();
      return true;
    }
    return false;
  }

  // Closing on blur waits a moment (a click on an option blurs first); coming back to
  // the box or typing cancels it, so a late close cannot shut the list just opened.
  let closing = 0;
  const keepOpen = () => window.clearTimeout(closing);
  textarea.addEventListener("input", () => { keepOpen(); update(); });
  textarea.addEventListener("click", () => { keepOpen(); update(); });
  textarea.addEventListener("focus", keepOpen);
  textarea.addEventListener("blur", () => { closing = window.setTimeout(close, 150); });

  return { listbox, handleKeydown, close, isOpen };
}
