// @ts-check
// Single-key keyboard shortcuts, one registry for the whole client.
//
// A view registers what a key does while it is on screen and unregisters it when
// it goes (`register` returns the function that undoes it); the shortcuts help
// (`?`) lists whatever is registered at that moment, so it never promises a key
// that does nothing here. Shortcuts never fire while the reader is typing (in an
// input, a textarea, a select or editable content), nor with Ctrl, Alt or Meta
// held, so browser and screen-reader keys keep working.
//
// Built in (installShortcuts):
//   /  focuses the search box: the element with id "search-box", when the page
//      has one. A search feature needs nothing more than that id; it may also
//      register its own "/" (the latest registration of a key wins).
//   ?  opens the shortcuts help (the dialog given to installShortcuts).
// Views add their own, e.g. the thread view's "r" (reply box).
//
// The registry and the typing test are plain functions: `node --test` runs them
// (web/test/shortcuts.test.js).

/**
 * @typedef {object} Shortcut
 * @property {string} key  the KeyboardEvent.key it answers ("r", "/", "?")
 * @property {string} description  what it does, for the help ("Go to the reply box")
 * @property {() => boolean | void} run  does it; returns false when it did nothing
 *   here (then the key keeps its normal meaning)
 * @property {() => boolean} [available]  whether it does anything on this page now
 *   (the help lists only those); always when absent
 */

/**
 * What the registry needs from a keydown event.
 * @typedef {object} KeyPress
 * @property {string} key
 * @property {boolean} [ctrlKey]
 * @property {boolean} [altKey]
 * @property {boolean} [metaKey]
 * @property {boolean} [isComposing]
 * @property {boolean} [defaultPrevented]
 * @property {EventTarget | null} [target]
 */

const TEXT_INPUT_TYPES = new Set(["", "text", "search", "email", "password", "url", "tel", "number", "date",
  "datetime-local", "month", "time", "week"]);

/**
 * Whether keys pressed in `target` are typing (so not shortcuts). Works on any
 * object with the element fields it reads, so node tests can pass plain objects.
 * @param {EventTarget | null | undefined} target
 */
export function isTypingTarget(target) {
  const element = /** @type {{tagName?: string, type?: string, isContentEditable?: boolean} | null} */ (target || null);
  if (!element || typeof element.tagName !== "string") return false;
  const tag = element.tagName.toUpperCase();
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") return TEXT_INPUT_TYPES.has(String(element.type || "").toLowerCase());
  return Boolean(element.isContentEditable);
}

export function createShortcutRegistry() {
  /** @type {Shortcut[]} */
  const shortcuts = [];

  return {
    /**
     * Add a shortcut; returns the function that removes it again.
     * @param {Shortcut} shortcut
     */
    register(shortcut) {
      shortcuts.push(shortcut);
      return () => {
        const index = shortcuts.indexOf(shortcut);
        if (index >= 0) shortcuts.splice(index, 1);
      };
    },

    /** What the help lists: one entry per key, the latest registration of each. */
    list() {
      /** @type {Map<string, Shortcut>} */
      const byKey = new Map();
      for (const shortcut of shortcuts) {
        byKey.delete(shortcut.key);
        byKey.set(shortcut.key, shortcut);
      }
      return [...byKey.values()].filter((shortcut) => !shortcut.available || shortcut.available());
    },

    /**
     * Run the shortcut for this key press, if any applies; returns whether one
     * did (the caller then prevents the key's default action).
     * @param {KeyPress} press
     */
    dispatch(press) {
      if (press.defaultPrevented || press.isComposing || press.ctrlKey || press.altKey || press.metaKey) return false;
      if (isTypingTarget(press.target)) return false;
      for (let i = shortcuts.length - 1; i >= 0; i -= 1) {
        if (shortcuts[i].key === press.key && shortcuts[i].run() !== false) return true;
      }
      return false;
    },
  };
}

/** The client's one registry. */
export const shortcuts = createShortcutRegistry();

/**
 * Listen for shortcuts on `doc` and register the built-in ones.
 * @param {object} options
 * @param {(list: Shortcut[]) => void} options.openHelp  shows the shortcuts help
 * @param {Document} [options.doc]
 */
export function installShortcuts({ openHelp, doc = document }) {
  shortcuts.register({
    key: "/",
    description: "Go to the search box",
    available: () => Boolean(doc.getElementById("search-box")),
    run: () => {
      const box = doc.getElementById("search-box");
      if (!box) return false;
      box.focus();
      return true;
    },
  });
  shortcuts.register({
    key: "?",
    description: "Show these keyboard shortcuts",
    run: () => openHelp(shortcuts.list()),
  });
  doc.addEventListener("keydown", (event) => {
    if (doc.querySelector("dialog[open]")) return; // a modal dialog has the keyboard
    if (shortcuts.dispatch(event)) event.preventDefault();
  });
}
