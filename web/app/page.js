// @ts-check
// The document title names the page first, so a screen reader's tab list and a
// browser's history both say where each entry leads (WCAG 2.4.2).
/** @param {...(string | null | undefined)} parts */
export function setTitle(...parts) {
  const named = parts.filter(Boolean);
  document.title = [...named, "Convene"].join(" – ");
}
