// @ts-check
// "Ada is typing…" under a thread, drawn from the room store's typing notices
// (each lasts a few seconds: the server passes one on per person every 3 s while
// they type, and their message ends it). It is deliberately not a live region:
// announcing every keystroke burst would interrupt screen reader users constantly.
import { h } from "../dom.js";

/** @typedef {import("../protocol.js").User} User */

const RECHECK_MS = 1000;

/** @param {() => User[]} current  who is typing now */
export function createTypingIndicator(current) {
  const element = h("p", { class: "typing-indicator" });
  /** @type {number | undefined} */
  let timer;

  function refresh() {
    window.clearTimeout(timer);
    const names = current().map((user) => user.display_name);
    if (!names.length) element.textContent = "";
    else if (names.length === 1) element.textContent = `${names[0]} is typing…`;
    else if (names.length === 2) element.textContent = `${names[0]} and ${names[1]} are typing…`;
    else element.textContent = "Several people are typing…";
    // Notices expire: look again while anyone is shown.
    if (names.length) timer = window.setTimeout(refresh, RECHECK_MS);
  }

  return {
    element,
    refresh,
    destroy() {
      window.clearTimeout(timer);
    },
  };
}
