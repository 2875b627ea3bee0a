// @ts-check
// The message composer: a textarea where Enter sends and Shift+Enter adds a
// line (on touch screens Enter adds a line and the button sends), @mention suggestions, and a preview rendered by the server exactly as the
// message will appear.
import { h, uniqueId, setServerHtml, replaceContent } from "./dom.js";
import { post } from "./api.js";
import { attachMentions } from "./mentions.js";

const TYPING_EVERY_MS = 3000;

// On touch screens (phones, tablets) most on-screen keyboards have no Shift+Enter,
// so there Enter adds a line and the Send button sends, as in mobile chat apps.
const ENTER_SENDS = !window.matchMedia("(pointer: coarse)").matches;

/**
 * Build a composer. Options:
 *   label        visible label of the textarea
 *   roomId       for mentions in the preview
 *   getPeople()  members who can be mentioned
 *   onSend(body) called with the text; the composer clears itself
 *   onTyping()   called at most every 3 s while typing
 *   draftKey     localStorage key that keeps an unfinished message across reloads
 *   submitLabel  the button's text
 */
/**
 * @param {object} options
 * @param {string} options.label
 * @param {number} [options.roomId]
 * @param {() => import("./protocol.js").User[]} [options.getPeople]
 * @param {(body: string) => void} options.onSend
 * @param {() => unknown} [options.onTyping]
 * @param {string} [options.draftKey]
 * @param {string} [options.submitLabel]
 */
export function createComposer({ label, roomId, getPeople = () => [], onSend, onTyping, draftKey, submitLabel = "Send" }) {
  const id = uniqueId("composer");
  const hintId = `${id}-hint`;
  const previewId = `${id}-preview`;
  const textarea = h("textarea", { id, name: "body", rows: 2, class: "textarea composer-input",
    "aria-describedby": hintId });
  const mentions = attachMentions(textarea, getPeople);
  const previewBody = h("div", { class: "prose preview-body" });
  const preview = h("section", { id: previewId, class: "preview", hidden: true, "aria-labelledby": `${previewId}-title` },
    h("h3", { id: `${previewId}-title`, class: "preview-title" }, "Preview"), previewBody);
  const previewButton = h("button", { type: "button", class: "button button-secondary",
    "aria-expanded": "false", "aria-controls": previewId }, "Preview");
  const sendButton = h("button", { type: "submit", class: "button" }, submitLabel);
  const form = h("form", { class: "composer", novalidate: true },
    h("label", { for: id, class: "label" }, label),
    h("p", { id: hintId, class: "hint" },
      ENTER_SENDS
        ? "Enter sends, Shift and Enter adds a line. Type @ to mention someone. Markdown works."
        : "Use the Send button to send. Type @ to mention someone. Markdown works."),
    h("div", { class: "composer-field" }, textarea, mentions.listbox),
    h("div", { class: "composer-actions" }, sendButton, previewButton),
    preview);

  let lastTyping = 0;
  /** @type {number | undefined} */
  let previewTimer;
  /** @type {number | undefined} */
  let draftTimer;

  if (draftKey) {
    try {
      textarea.value = localStorage.getItem(draftKey) || "";
    } catch { /* storage blocked */ }
  }

  function writeDraft() {
    window.clearTimeout(draftTimer);
    if (!draftKey) return;
    try {
      if (textarea.value) localStorage.setItem(draftKey, textarea.value);
      else localStorage.removeItem(draftKey);
    } catch { /* storage blocked */ }
  }

  function saveDraft() {
    window.clearTimeout(draftTimer);
    draftTimer = window.setTimeout(writeDraft, 300);
  }

  function submit() {
    const body = textarea.value;
    if (!body.trim()) {
      textarea.focus();
      return;
    }
    textarea.value = "";
    lastTyping = 0; // the next keystroke starts a new "typing" period
    // At once, not debounced: after a quick reload the text must not come back
    // as a draft while the outbox also holds it.
    writeDraft();
    mentions.close();
    if (!preview.hidden) refreshPreview();
    onSend(body);
    textarea.focus();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });

  textarea.addEventListener("keydown", (event) => {
    if (mentions.handleKeydown(event)) return;
    if (ENTER_SENDS && event.key === "Enter" && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });

  textarea.addEventListener("input", () => {
    saveDraft();
    const now = Date.now();
    if (onTyping && textarea.value.trim() && now - lastTyping > TYPING_EVERY_MS) {
      lastTyping = now;
      onTyping();
    }
    if (!preview.hidden) {
      window.clearTimeout(previewTimer);
      previewTimer = window.setTimeout(refreshPreview, 400);
    }
  });

  async function refreshPreview() {
    const body = textarea.value;
    if (!body.trim()) {
      replaceContent(previewBody, h("p", { class: "hint" }, "Nothing to preview yet."));
      return;
    }
    try {
      const { html } = await post("/preview", roomId ? { body, room_id: roomId } : { body });
      setServerHtml(previewBody, html);
    } catch (error) {
      replaceContent(previewBody, h("p", { class: "error-message" }, `Preview unavailable: ${error instanceof Error ? error.message : error}`));
    }
  }

  previewButton.addEventListener("click", () => {
    const opening = preview.hidden;
    preview.hidden = !opening;
    previewButton.setAttribute("aria-expanded", String(opening));
    previewButton.textContent = opening ? "Hide preview" : "Preview";
    if (opening) refreshPreview();
  });

  return {
    element: form,
    textarea,
    focus: () => textarea.focus(),
    destroy() {
      window.clearTimeout(previewTimer);
      writeDraft();
    },
  };
}
