// @ts-check
// Building DOM nodes without HTML strings.
//
// Everything a person typed reaches the page through text nodes, never through
// innerHTML: that is what keeps one user's message from running script in another
// user's browser. The only HTML we insert is what the server rendered and
// sanitised itself (a message's `html`, a room's `summary_html`), and that goes
// through setServerHtml so it is easy to audit.

/** @typedef {Node | string | number | boolean | null | undefined | ChildList} Child */
/** @typedef {Child[]} ChildList */
/** @typedef {Record<string, unknown>} Attributes */

/**
 * Create an element. `attrs` values: null/false are skipped, true sets an empty
 * attribute, functions under "on<event>" become listeners, "class" and "text"
 * are shortcuts. Children may be nodes, strings (added as text) or nested arrays.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attributes | null} [attrs]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value == null || value === false) continue;
    if (key === "class") el.className = String(value);
    else if (key === "text") el.textContent = String(value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
    } else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  appendChildren(el, children);
  return el;
}

/**
 * @template {Element} E
 * @param {E} el
 * @param {Child[]} children
 * @returns {E}
 */
export function appendChildren(el, children) {
  for (const child of flatten(children)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** @param {Child[]} children @returns {Child[]} */
function flatten(children) {
  return children.flatMap((child) => (Array.isArray(child) ? flatten(child) : [child]));
}

/**
 * Replace an element's content with the given children.
 * @template {Element} E
 * @param {E} el
 * @param {...Child} children
 * @returns {E}
 */
export function replaceContent(el, ...children) {
  el.replaceChildren();
  return appendChildren(el, children);
}

/**
 * Insert HTML that the Convene server rendered from Markdown with its safe
 * renderer. Never call this with anything a browser produced.
 * @template {Element} E
 * @param {E} el
 * @param {string | null | undefined} html
 * @returns {E}
 */
export function setServerHtml(el, html) {
  el.innerHTML = html || "";
  // Links in messages lead away from Convene: open them without giving the
  // other page a handle on this one.
  for (const a of el.querySelectorAll("a[href]")) {
    const url = new URL(a.getAttribute("href") || "", location.href);
    if (url.origin !== location.origin) a.setAttribute("rel", "noopener noreferrer");
  }
  return el;
}

/** Text that screen readers read but that is not shown. @param {string} text */
export function hiddenText(text) {
  return h("span", { class: "visually-hidden" }, text);
}

let idCounter = 0;
/** A document-unique id for wiring labels, descriptions and controls. @param {string} [prefix] */
export function uniqueId(prefix = "id") {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}
