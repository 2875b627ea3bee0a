// @ts-check
// Roving focus over a list of messages: the list is one stop in the Tab order
// (its current message); Up and Down move to the previous and next message, Home
// and End to the first and last, and only the current message's links and buttons
// are in the Tab order, so Tab from the list goes on to the reply box instead of
// through every link of every message.
//
// `nextIndex` is plain arithmetic (web/test/roving.test.js); `createRovingFocus`
// applies it to the DOM.
import { isTypingTarget } from "./shortcuts.js";

/**
 * The item to move to for `key` from `index` in a list of `count` items, or null
 * when the key is not a movement key (or there is nothing to move to).
 * @param {string} key
 * @param {number} index  the current item, -1 for none
 * @param {number} count
 * @param {number} [pageStep]  items per Page Up / Page Down
 */
export function nextIndex(key, index, count, pageStep = 5) {
  if (count <= 0) return null;
  const from = index < 0 ? count - 1 : index;
  switch (key) {
    case "ArrowUp": return Math.max(0, from - 1);
    case "ArrowDown": return Math.min(count - 1, from + 1);
    case "PageUp": return Math.max(0, from - pageStep);
    case "PageDown": return Math.min(count - 1, from + pageStep);
    case "Home": return 0;
    case "End": return count - 1;
    default: return null;
  }
}

const CONTROLS = "a[href], button, input, select, textarea, summary, [tabindex]";

/**
 * @param {object} options
 * @param {HTMLElement} options.list  the element whose items rove
 * @param {string} options.itemSelector  the items, direct children of `list`
 * @param {(item: HTMLElement) => void} [options.onMove]  after a key moved focus to `item`
 */
export function createRovingFocus({ list, itemSelector, onMove }) {
  /** @type {HTMLElement | null} */
  let current = null;
  /** Whether the reader chose the current item (else it follows the newest). */
  let chosen = false;

  function items() {
    return /** @type {HTMLElement[]} */ ([...list.children].filter((child) => child.matches(itemSelector)));
  }

  /** Put `item`'s own controls in (or out of) the Tab order. @param {HTMLElement} item @param {boolean} tabbable */
  function setControls(item, tabbable) {
    for (const control of /** @type {NodeListOf<HTMLElement>} */ (item.querySelectorAll(CONTROLS))) {
      if (tabbable) {
        if (control.dataset.rovingTabindex !== undefined) {
          if (control.dataset.rovingTabindex) control.setAttribute("tabindex", control.dataset.rovingTabindex);
          else control.removeAttribute("tabindex");
          delete control.dataset.rovingTabindex;
        }
      } else if (control.dataset.rovingTabindex === undefined) {
        control.dataset.rovingTabindex = control.getAttribute("tabindex") || "";
        control.tabIndex = -1;
      }
    }
  }

  /** Make `item` the list's Tab stop. @param {HTMLElement | null} item */
  function setCurrent(item) {
    current = item;
    for (const each of items()) {
      each.tabIndex = each === item ? 0 : -1;
      setControls(each, each === item);
    }
  }

  /** Re-apply the state to an item that was (re)drawn. @param {HTMLElement} item */
  function refresh(item) {
    if (!current || !current.isConnected || (!chosen && item !== current && isAfter(item, current))) {
      setCurrent(chosen && current && current.isConnected ? current : newest());
      return;
    }
    item.tabIndex = item === current ? 0 : -1;
    setControls(item, item === current);
  }

  /** @param {HTMLElement} a @param {HTMLElement} b */
  function isAfter(a, b) {
    return Boolean(b.compareDocumentPosition(a) & Node.DOCUMENT_POSITION_FOLLOWING);
  }

  function newest() {
    const all = items();
    return all.length ? all[all.length - 1] : null;
  }

  list.addEventListener("focusin", (event) => {
    const item = /** @type {HTMLElement | null} */ (/** @type {HTMLElement} */ (event.target).closest(itemSelector));
    if (item && item.parentElement === list && item !== current) {
      chosen = true;
      setCurrent(item);
    }
  });

  list.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || isTypingTarget(event.target)) return;
    const all = items();
    const item = /** @type {HTMLElement | null} */ (/** @type {HTMLElement} */ (event.target).closest(itemSelector));
    if (!item) return;
    const target = nextIndex(event.key, all.indexOf(item), all.length);
    if (target === null) return;
    event.preventDefault();
    chosen = true;
    setCurrent(all[target]);
    all[target].focus();
    onMove?.(all[target]);
  });

  return {
    refresh,
    /** Make `item` the Tab stop without moving focus (e.g. the first unread message). @param {HTMLElement} item */
    choose(item) {
      chosen = true;
      setCurrent(item);
    },
    /** Back to following the newest message (after a reload). */
    reset() {
      chosen = false;
      setCurrent(newest());
    },
  };
}
