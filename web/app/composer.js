// @ts-check
// The message composer: a textarea where Enter sends and Shift+Enter adds a
// line (on touch screens Enter adds a line and the button sends), @mention suggestions, and a preview rendered by the server exactly as the
// message will appear.
import { h, uniqueId, setServerHtml, replaceContent } from "./dom.js";
import { post } from "./api.js";
import { attachMentions, mentionSource } from "./mentions.js";
import { announceStatus } from "./announcer.js";

const TYPING_EVERY_MS = 3000;

// On touch screens (phones, tablets) most on-screen keyboards have no Shift+Enter,
// so there Enter adds a line and the Send button sends, as in mobile chat apps.
const ENTER_SENDS = !window.matchMedia("(pointer: coarse)").matches;

// A counter appears when this much of the limit is used (and stays while over it).
const COUNT_FROM = 0.8;

/**
 * What became of a send: the server accepted it ("sent"), the outbox keeps it to send
 * later ("queued": offline, or no answer yet; it is shown in the pending list and kept
 * across reloads), or the server refused it (its message).
 * @typedef {{outcome: "sent" | "queued"} | {outcome: "refused", error: string}} SendOutcome
 */

/**
 * Build a composer. Options:
 *   label        visible label of the textarea
 *   roomId       for mentions in the preview
 *   getPeople()  members who can be mentioned
 *   maxChars     the server's limit (GET /api/v1/session): a counter near it, and
 *                a longer message is refused here, before sending
 *   onSend(body) sends; resolves with a SendOutcome. The text stays in the box until
 *                the server accepts it (or the outbox keeps it); a refusal leaves it
 *                there with the reason beside it, so nothing written is lost
 *   onTyping()   called at most every 3 s while typing
 *   draftKey     localStorage key that keeps an unfinished message across reloads
 *   submitLabel  the button's text
 */
/**
 * @param {object} options
 * @param {string} options.label
 * @param {number} [options.roomId]
 * @param {() => import("./protocol.js").User[]} [options.getPeople]
 * @param {number} [options.maxChars]
 * @param {(body: string) => Promise<SendOutcome>} options.onSend
 * @param {() => unknown} [options.onTyping]
 * @param {string} [options.draftKey]
 * @param {string} [options.submitLabel]
 */
export function createComposer({ label, roomId, getPeople = () => [], maxChars = Infinity, onSend, onTyping, draftKey,
  submitLabel = "Send" }) {
  const id = uniqueId("composer");
  const hintId = `${id}-hint`;
  const countId = `${id}-count`;
  const errorId = `${id}-error`;
  const previewId = `${id}-preview`;
  const textarea = h("textarea", { id, name: "body", rows: 2, class: "textarea composer-input",
    "aria-describedby": `${errorId} ${countId} ${hintId}` });
  const count = h("p", { id: countId, class: "composer-count", hidden: true });
  const problem = h("p", { id: errorId, class: "error-message composer-error", hidden: true });
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
    problem,
    h("div", { class: "composer-field" }, textarea, mentions.listbox),
    count,
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

  /** The box shows "@Name"; the server reads "@**Name**" (see mentions.js). @param {string} text */
  function toSource(text) {
    return mentionSource(text, getPeople().map((person) => person.display_name));
  }

  /** @param {string | null} text */
  function showProblem(text) {
    problem.hidden = !text;
    replaceContent(problem, text ? [h("span", { class: "visually-hidden" }, "Error: "), text] : []);
    if (text) textarea.setAttribute("aria-invalid", "true");
    else textarea.removeAttribute("aria-invalid");
  }

  let wasOver = false;
  function updateCount() {
    const length = textarea.value.length;
    const over = length > maxChars;
    count.hidden = !(length >= maxChars * COUNT_FROM);
    count.classList.toggle("is-over", over);
    count.textContent = over ? `${(length - maxChars).toLocaleString("en-GB")} characters too many (the limit is ${maxChars.toLocaleString("en-GB")})`
      : `${(maxChars - length).toLocaleString("en-GB")} characters left`;
    // Said once when crossing the limit, not at every keystroke.
    if (over && !wasOver) announceStatus(`Your message is over the limit of ${maxChars.toLocaleString("en-GB")} characters.`);
    wasOver = over;
    if (!over && problem.dataset.kind === "length") showProblem(null);
  }

  let sending = false;
  async function submit() {
    const body = textarea.value;
    if (!body.trim()) {
      textarea.focus();
      return;
    }
    if (sending) return; // one send at a time: the box still holds the one on its way
    if (body.length > maxChars) {
      showProblem(`Not sent: your message is ${(body.length - maxChars).toLocaleString("en-GB")} characters over the limit `
        + `of ${maxChars.toLocaleString("en-GB")}. Shorten it, or split it into two messages.`);
      problem.dataset.kind = "length";
      textarea.focus();
      return;
    }
    showProblem(null);
    lastTyping = 0; // the next keystroke starts a new "typing" period
    mentions.close();
    sending = true;
    form.setAttribute("aria-busy", "true");
    let result;
    try {
      result = await onSend(toSource(body));
    } finally {
      sending = false;
      form.removeAttribute("aria-busy");
    }
    textarea.focus();
    if (result.outcome === "refused") {
      problem.dataset.kind = "refused";
      showProblem(`Not sent: ${result.error} Your message is still here to change and send again.`);
      return;
    }
    // Accepted or kept by the outbox: only now does the text leave the box (unless
    // the person has started the next message meanwhile).
    if (textarea.value === body) {
      textarea.value = "";
      updateCount();
    }
    // At once, not debounced: after a quick reload the text must not come back
    // as a draft while the outbox also holds it.
    writeDraft();
    if (!preview.hidden) refreshPreview();
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
    updateCount();
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
      const source = toSource(body);
      const { html } = await post("/preview", roomId ? { body: source, room_id: roomId } : { body: source });
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

  updateCount(); // a restored draft may already be near the limit
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
