// @ts-check
// One message in a thread: author, organisation, time (a permalink), "edited"
// (a button that shows the earlier versions), the server-rendered body, and the
// author's edit and delete controls. A reply by email whose quoted text and
// signature were cut shows a discreet marker; its author alone gets "Show trimmed
// text", which can put any of it back through the ordinary edit.
import { h, hiddenText, replaceContent, setServerHtml, uniqueId } from "../dom.js";
import { organisationLabel } from "../labels.js";
import { timeElement, formatTime } from "../time.js";

/** @typedef {import("../protocol.js").Message} Message */
/** @typedef {import("../protocol.js").User} User */
/** @typedef {import("../outbox.js").OutboxItem} OutboxItem */
/** @typedef {{body?: string, html: string, replaced_at?: string, edited_at?: string}} Revision */

/**
 * Earlier versions already fetched, per message element and edit, so a redraw
 * for another reason (the room archived, say) does not fetch them again.
 * @type {WeakMap<HTMLElement, {editedAt: string | null | undefined, revisions: Revision[]}>}
 */
const historyCache = new WeakMap();

/**
 * Fill `li` with `message`. `actions` = {canEdit, canDelete, onEdit(li, message),
 * onDelete(li, message)}; `permalink` is the message's URL; `loadHistory(message)`
 * resolves with the server's {revisions}.
 * @param {HTMLElement} li
 * @param {Message} message
 * @param {object} actions
 * @param {string} actions.permalink
 * @param {boolean} actions.canEdit
 * @param {boolean} actions.canDelete
 * @param {(li: HTMLElement, message: Message) => void} actions.onEdit
 * @param {(li: HTMLElement, message: Message) => void} actions.onDelete
 * @param {boolean} actions.isOwn
 * @param {(message: Message) => Promise<{revisions: Revision[]}>} actions.loadHistory
 * @param {(message: Message) => Promise<{text: string}>} [actions.loadTrimmed]
 * @param {(li: HTMLElement, message: Message, body: string) => void} [actions.onRestore]
 */
export function renderMessage(li, message, {
  permalink, canEdit, canDelete, onEdit, onDelete, isOwn, loadHistory, loadTrimmed, onRestore,
}) {
  li.className = "message";
  li.classList.toggle("is-own", Boolean(isOwn));
  li.classList.toggle("is-deleted", Boolean(message.deleted));
  li.dataset.id = String(message.id);
  li.dataset.seq = String(message.seq);
  li.id = `message-${message.id}`;
  li.tabIndex = -1;
  const metaId = `message-${message.id}-meta`;
  const when = formatTime(message.created_at);

  const meta = h("p", { class: "message-meta", id: metaId },
    h("span", { class: "message-author" }, message.author ? message.author.display_name : "Someone"),
    message.author && message.author.organisation ? [" ", organisationLabel(message.author.organisation)] : null,
    " ",
    h("a", { class: "message-time", href: permalink, "data-action": "permalink" },
      hiddenText("Sent "), timeElement(message.created_at)));

  let history = null;
  if (message.edited_at && !message.deleted) {
    history = editHistory(li, message, loadHistory);
    meta.append(" ", h("span", { class: "message-edited" }, "(", history.button, ")"));
  }

  let trimmed = null;
  let trimmedNote = null;
  if (message.trimmed && !message.deleted) {
    if (isOwn && loadTrimmed) {
      trimmed = trimmedText(li, message, loadTrimmed, canEdit && onRestore ? onRestore : null);
      trimmedNote = h("p", { class: "message-trimmed" }, "(trimmed quoted text and signature) ", trimmed.button);
    } else {
      trimmedNote = h("p", { class: "message-trimmed" }, "(trimmed quoted text and signature)");
    }
  }

  let body;
  if (message.deleted) {
    body = h("p", { class: "message-body message-tombstone" }, "This message was deleted.");
  } else {
    body = setServerHtml(h("div", { class: "message-body prose" }), message.html);
  }

  const actions = [];
  if (!message.deleted && canEdit) {
    const edit = h("button", { type: "button", class: "link-button message-action" },
      "Edit", hiddenText(` your message sent at ${when}`));
    edit.addEventListener("click", () => onEdit(li, message));
    edit.dataset.action = "edit";
    actions.push(edit);
  }
  if (!message.deleted && canDelete) {
    const remove = h("button", { type: "button", class: "link-button message-action" },
      "Delete", hiddenText(` message sent at ${when}`));
    remove.addEventListener("click", () => onDelete(li, message));
    remove.dataset.action = "delete";
    actions.push(remove);
  }
  replaceContent(li, meta, body, trimmedNote, history ? history.panel : null, trimmed ? trimmed.panel : null,
    actions.length ? h("div", { class: "message-actions" }, actions) : null);
  return li;
}

/**
 * The "edited" disclosure: a button (aria-expanded) that shows the message's
 * earlier versions below it, fetched each time it opens so they are current.
 * Whether it is open is kept on `li`, so it stays open when a live edit
 * redraws the message.
 */
/**
 * @param {HTMLElement} li @param {Message} message
 * @param {(message: Message) => Promise<{revisions: Revision[]}>} loadHistory
 */
function editHistory(li, message, loadHistory) {
  const panelId = `message-${message.id}-history`;
  const button = h("button", { type: "button", class: "link-button history-toggle", "aria-expanded": "false",
    "aria-controls": panelId, "data-action": "history" },
  "edited", hiddenText(` ${formatTime(message.edited_at)}: show earlier versions`));
  const panel = h("div", { class: "message-history", id: panelId, hidden: true });
  let request = 0;

  async function open() {
    const mine = ++request;
    button.setAttribute("aria-expanded", "true");
    li.dataset.historyOpen = "true";
    panel.hidden = false;
    // Redrawn for another reason (the room archived, say): the same edit has the same history.
    const cached = historyCache.get(li);
    let revisions = cached && cached.editedAt === message.edited_at ? cached.revisions : null;
    if (!revisions) {
      replaceContent(panel, h("p", { class: "hint" }, "Loading earlier versions…"));
      try {
        ({ revisions } = await loadHistory(message));
      } catch (error) {
        if (mine === request) {
          replaceContent(panel, h("p", { class: "error-message" },
            `Earlier versions could not be loaded: ${error instanceof Error ? error.message : error}`));
        }
        return;
      }
      if (mine !== request) return;
      historyCache.set(li, { editedAt: message.edited_at, revisions });
    }
    if (!revisions.length) {
      replaceContent(panel, h("p", { class: "hint" }, "No earlier versions are kept for this message."));
      return;
    }
    replaceContent(panel,
      h("p", { class: "message-history-title" }, `Earlier versions (${revisions.length})`),
      h("ol", { class: "revision-list" }, revisions.map((revision, index) => h("li", { class: "revision" },
        h("p", { class: "revision-meta" }, index === 0 ? "Original" : `Version ${index + 1}`,
          revision.replaced_at || revision.edited_at
            ? [", replaced ", timeElement(revision.replaced_at || revision.edited_at || "")] : null),
        setServerHtml(h("div", { class: "revision-body prose" }), revision.html)))));
  }

  function close() {
    request += 1;
    button.setAttribute("aria-expanded", "false");
    delete li.dataset.historyOpen;
    panel.hidden = true;
    panel.replaceChildren();
  }

  button.addEventListener("click", () => (button.getAttribute("aria-expanded") === "true" ? close() : open()));
  if (li.dataset.historyOpen) open();
  return { button, panel };
}

/**
 * "Show trimmed text": the author's own view of what was cut off their reply by
 * email, as plain text (never HTML), fetched each time it opens, with "Put it back"
 * opening the editor with the message and the trimmed text below it, to keep what
 * they want and save as an ordinary edit.
 * @param {HTMLElement} li @param {Message} message
 * @param {(message: Message) => Promise<{text: string}>} loadTrimmed
 * @param {((li: HTMLElement, message: Message, body: string) => void) | null} onRestore
 */
function trimmedText(li, message, loadTrimmed, onRestore) {
  const panelId = `message-${message.id}-trimmed`;
  const button = h("button", { type: "button", class: "link-button trimmed-toggle", "aria-expanded": "false",
    "aria-controls": panelId, "data-action": "trimmed" }, "Show trimmed text");
  const panel = h("div", { class: "message-trimmed-text", id: panelId, hidden: true });
  let request = 0;

  async function open() {
    const mine = ++request;
    button.setAttribute("aria-expanded", "true");
    li.dataset.trimmedOpen = "true";
    panel.hidden = false;
    replaceContent(panel, h("p", { class: "hint" }, "Loading the trimmed text…"));
    let text;
    try {
      ({ text } = await loadTrimmed(message));
    } catch (error) {
      if (mine === request) {
        replaceContent(panel, h("p", { class: "error-message" },
          `The trimmed text could not be loaded: ${error instanceof Error ? error.message : error}`));
      }
      return;
    }
    if (mine !== request) return;
    const restore = onRestore ? h("button", { type: "button", class: "link-button", "data-action": "restore" },
      "Put it back", hiddenText(" by editing your message")) : null;
    if (restore && onRestore) restore.addEventListener("click", () => onRestore(li, message, `${message.body}\n\n${text}`));
    replaceContent(panel,
      h("p", { class: "message-history-title" }, "Trimmed when your email arrived (only you can see this)"),
      h("pre", { class: "trimmed-body" }, text),
      restore);
  }

  function close() {
    request += 1;
    button.setAttribute("aria-expanded", "false");
    delete li.dataset.trimmedOpen;
    panel.hidden = true;
    panel.replaceChildren();
  }

  button.addEventListener("click", () => (button.getAttribute("aria-expanded") === "true" ? close() : open()));
  if (li.dataset.trimmedOpen) open();
  return { button, panel };
}

/**
 * A message that has not reached the server yet (from the outbox).
 * @param {HTMLElement} li
 * @param {OutboxItem} item
 * @param {{author: User | null, connected: boolean, onRetry: (item: OutboxItem) => void,
 *   onDiscard: (item: OutboxItem) => void}} options
 */
export function renderPending(li, item, { author, connected, onRetry, onDiscard }) {
  li.className = "message is-pending";
  li.classList.toggle("is-failed", item.status === "failed");
  li.id = `pending-${item.client_id}`;
  li.dataset.clientId = item.client_id;
  let status;
  if (item.status === "failed") status = `Not sent: ${item.error || "the server did not accept it"}`;
  else if (connected) status = "Sending…";
  else status = "Waiting for connection. It will be sent when you are back online.";
  const children = [
    h("p", { class: "message-meta" },
      h("span", { class: "message-author" }, author ? author.display_name : "You"), " ",
      h("span", { class: "message-status" }, h("span", { "aria-hidden": "true", class: "status-icon" },
        item.status === "failed" ? "⚠ " : "… "), status)),
    h("p", { class: "message-body message-plain" }, item.body),
  ];
  if (item.status === "failed") {
    const retry = h("button", { type: "button", class: "link-button" }, "Try again");
    retry.addEventListener("click", () => onRetry(item));
    const discard = h("button", { type: "button", class: "link-button" }, "Discard", hiddenText(" this unsent message"));
    discard.addEventListener("click", () => onDiscard(item));
    children.push(h("div", { class: "message-actions" }, retry, discard));
  }
  replaceContent(li, ...children);
  return li;
}

/**
 * Swap a message's body for an edit box. Enter saves, Shift+Enter adds a line,
 * Escape cancels. `onSave(body)` returns a promise; `onClose()` runs after.
 * @param {HTMLElement} li
 * @param {Message} message
 * @param {{onSave: (body: string) => Promise<void>, onClose: (result: {saved: boolean}) => void}} handlers
 * @param {string} [initialBody]  the text to start from (the message with its trimmed text put back)
 */
export function openEditor(li, message, { onSave, onClose }, initialBody) {
  const id = uniqueId("edit");
  const textarea = h("textarea", { id, class: "textarea", rows: initialBody ? 8 : 3, "aria-describedby": `${id}-hint` });
  textarea.value = initialBody ?? message.body;
  const error = h("p", { class: "error-message", role: "alert", hidden: true });
  const save = h("button", { type: "submit", class: "button" }, "Save changes");
  const cancel = h("button", { type: "button", class: "button button-secondary" }, "Cancel");
  const form = h("form", { class: "message-editor", novalidate: true },
    h("label", { for: id, class: "label" }, "Edit your message"),
    h("p", { id: `${id}-hint`, class: "hint" }, "Enter saves. Shift and Enter adds a new line. Escape cancels."),
    error, textarea, h("div", { class: "composer-actions" }, save, cancel));
  const body = /** @type {HTMLElement} */ (li.querySelector(".message-body"));
  const actions = /** @type {HTMLElement | null} */ (li.querySelector(".message-actions"));
  if (actions) actions.hidden = true;
  li.querySelector(".message-trimmed-text")?.setAttribute("hidden", "");
  body.replaceWith(form);
  li.classList.add("is-editing");
  let busy = false;

  async function submit() {
    if (busy) return;
    if (!textarea.value.trim()) {
      error.textContent = "Enter a message, or delete it instead";
      error.hidden = false;
      return;
    }
    busy = true;
    try {
      await onSave(textarea.value);
      li.classList.remove("is-editing");
      onClose({ saved: true });
    } catch (failure) {
      error.textContent = `Not saved: ${failure instanceof Error ? failure.message : failure}`;
      error.hidden = false;
    } finally {
      busy = false;
    }
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    } else if (event.key === "Escape") {
      event.preventDefault();
      li.classList.remove("is-editing");
      onClose({ saved: false });
    }
  });
  cancel.addEventListener("click", () => {
    li.classList.remove("is-editing");
    onClose({ saved: false });
  });
  textarea.focus();
  textarea.setSelectionRange(textarea.value.length, textarea.value.length);
}

/**
 * Ask "Delete this message?" inside the message, with the choice focused.
 * @param {HTMLElement} li
 * @param {{onConfirm: () => Promise<void>, onCancel: () => void}} handlers
 */
export function confirmDelete(li, { onConfirm, onCancel }) {
  const actions = /** @type {HTMLElement | null} */ (li.querySelector(".message-actions"));
  const yes = h("button", { type: "button", class: "button button-warning" }, "Yes, delete it");
  const no = h("button", { type: "button", class: "button button-secondary" }, "Keep it");
  const error = h("p", { class: "error-message", role: "alert", hidden: true });
  const box = h("div", { class: "confirm-delete", role: "group", "aria-label": "Confirm deletion" },
    h("p", {}, "Delete this message? Everyone in the room will see that a message was deleted."), error, yes, no);
  if (actions) actions.hidden = true;
  li.append(box);
  yes.addEventListener("click", async () => {
    try {
      await onConfirm();
    } catch (failure) {
      error.textContent = `Not deleted: ${failure instanceof Error ? failure.message : failure}`;
      error.hidden = false;
    }
  });
  function cancel() {
    box.remove();
    if (actions) actions.hidden = false;
    onCancel();
  }
  no.addEventListener("click", cancel);
  box.addEventListener("keydown", (event) => {
    if (event.key === "Escape") cancel();
  });
  yes.focus();
}
