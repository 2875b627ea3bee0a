// @ts-check
// The keyboard shortcuts help, opened with "?": a modal dialog listing the
// shortcuts registered right now (web/app/shortcuts.js) and the keys of the
// message list. A native <dialog> opened with showModal(): the rest of the page is
// inert, so Tab stays inside it; Escape or the Close button closes it and focus
// returns to where it was.
import { h } from "../dom.js";

/** @typedef {import("../shortcuts.js").Shortcut} Shortcut */

/** Keys that work inside the message list of a thread (web/app/roving.js). */
/** @type {[string[], string][]} */
const MESSAGE_KEYS = [
  [["↑", "↓"], "Previous or next message (in the message list)"],
  [["Home", "End"], "First or last message shown (in the message list)"],
  [["Page Up", "Page Down"], "Five messages up or down (in the message list)"],
];

/** @type {HTMLDialogElement | null} */
let open = null;

/** @param {string[]} keys */
function keyCaps(keys) {
  return keys.flatMap((key, i) => [i ? " " : "", h("kbd", {}, key)]);
}

/** Show the help; does nothing when it is already open. @param {Shortcut[]} list */
export function openShortcutsHelp(list) {
  if (open) return true;
  const returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const close = h("button", { type: "button", class: "button button-secondary button-small" }, "Close");
  const dialog = /** @type {HTMLDialogElement} */ (h("dialog", { class: "shortcuts-help", "aria-labelledby": "shortcuts-help-title" },
    h("h2", { id: "shortcuts-help-title" }, "Keyboard shortcuts"),
    h("p", { class: "hint" }, "They work when you are not typing in a box."),
    h("dl", { class: "shortcut-list" },
      list.map((shortcut) => h("div", { class: "shortcut" }, h("dt", {}, h("kbd", {}, shortcut.key)), h("dd", {}, shortcut.description))),
      MESSAGE_KEYS.map(([keys, what]) => h("div", { class: "shortcut" }, h("dt", {}, keyCaps(keys)), h("dd", {}, what)))),
    h("div", { class: "form-actions" }, close)));
  close.addEventListener("click", () => dialog.close());
  // showModal() makes the page inert, but Tab can still leave for the browser's
  // own controls: keep it cycling inside the dialog.
  dialog.addEventListener("keydown", (event) => {
    if (event.key !== "Tab") return;
    const stops = /** @type {HTMLElement[]} */ ([...dialog.querySelectorAll("button, a[href], [tabindex='0']")]);
    const first = stops[0];
    const last = stops[stops.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });
  dialog.addEventListener("close", () => {
    dialog.remove();
    open = null;
    if (returnTo && returnTo.isConnected) returnTo.focus();
  });
  document.body.append(dialog);
  open = dialog;
  dialog.showModal();
  close.focus();
  return true;
}
