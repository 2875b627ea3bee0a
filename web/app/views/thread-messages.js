// @ts-check
// The messages of one thread on screen: the confirmed ones in seq order (drawn
// from the room store, updated in place so focus and open editors survive live
// changes) and, below them, the ones still in the outbox.
import { h } from "../dom.js";
import { get, patch, del } from "../api.js";
import { announceStatus } from "../announcer.js";
import { renderMessage, renderPending, openEditor, confirmDelete } from "./message.js";
import { canDeleteMessage, canEditMessage, isOwnMessage } from "../permissions.js";

/** @typedef {import("../protocol.js").Message} Message */
/** @typedef {import("../protocol.js").User} User */
/** @typedef {import("../outbox.js").OutboxItem} OutboxItem */
/** @typedef {import("../room-store.js").RoomStore} RoomStore */

/**
 * @param {object} options
 * @param {RoomStore} options.store
 * @param {number} options.threadId
 * @param {User | null} options.me
 * @param {(li: HTMLElement) => void} options.observe  watch a new message for the read position
 * @param {(li: HTMLElement) => void} [options.onDrawn]  after a message was (re)drawn and placed
 * @param {{onRetry: (item: OutboxItem) => void, onDiscard: (item: OutboxItem) => void}} options.pendingActions
 */
export function createMessageList({ store, threadId, me, observe, onDrawn, pendingActions }) {
  const myId = me ? me.id : null;
  /** @type {Map<number, HTMLElement>} message id -> li */
  const elements = new Map();
  /** @type {Map<string, HTMLElement>} client id -> li */
  const pendingElements = new Map();
  const list = h("ol", { class: "message-list", "aria-label": "Messages" });
  const pendingList = h("ol", { class: "message-list pending-list", "aria-label": "Messages not sent yet" });
  const status = h("p", { class: "thread-status" }, "Loading messages…");

  /** @param {Message} message */
  function permalink(message) {
    return `/r/${encodeURIComponent(store.state.room.slug)}/t/${threadId}/m/${message.id}`;
  }

  /** @param {number} id */
  function latest(id) {
    return store.state.messages.get(threadId)?.get(id);
  }

  /** Draw `message` (new or changed) in its place. @param {Message} message */
  function upsert(message) {
    if (message.thread_id !== threadId) return;
    let li = elements.get(message.id);
    if (li && li.classList.contains("is-editing")) return; // redrawn when the editor closes
    const isNew = !li;
    if (!li) {
      li = h("li");
      elements.set(message.id, li);
    }
    const room = store.state.room;
    // Redrawing replaces the message's buttons; keep keyboard focus where it was.
    const active = document.activeElement;
    const focusedAction = !isNew && active instanceof HTMLElement && li.contains(active) && active !== li
      ? active.dataset.action || null : null;
    renderMessage(li, message, {
      permalink: permalink(message),
      isOwn: isOwnMessage(message, myId),
      canEdit: canEditMessage(room, message, myId),
      canDelete: canDeleteMessage(room, message, myId),
      onEdit: startEdit,
      onDelete: startDelete,
      loadHistory: (m) => get(`/messages/${m.id}/history`),
      loadTrimmed: (m) => get(`/messages/${m.id}/trimmed`),
      onRestore: startEdit,
    });
    if (focusedAction) /** @type {HTMLElement} */ (li.querySelector(`[data-action="${focusedAction}"]`) || li).focus();
    if (isNew) {
      let before = /** @type {HTMLElement | null} */ (list.lastElementChild);
      while (before && Number(before.dataset.seq) > message.seq) before = /** @type {HTMLElement | null} */ (before.previousElementSibling);
      if (before) before.after(li);
      else list.prepend(li);
      observe(li);
    }
    onDrawn?.(li);
    if (message.client_id) removePending(message.client_id);
    updateStatus();
  }

  /** Redraw every message (what the reader may do with them changed). */
  function redraw() {
    for (const id of elements.keys()) {
      const message = latest(id);
      if (message) upsert(message);
    }
  }

  /** Draw exactly the store's messages, after a (re)load. @param {Message[]} messages */
  function replaceAll(messages) {
    list.replaceChildren();
    elements.clear();
    messages.forEach(upsert);
    updateStatus();
  }

  /** @param {HTMLElement} li @param {Message} message @param {string} [initialBody] */
  function startEdit(li, message, initialBody) {
    openEditor(li, message, {
      onSave: async (body) => {
        const { message: saved } = await patch(`/messages/${message.id}`, { body });
        store.putMessage(saved); // the store keeps whichever copy is newer
        announceStatus("Message edited.");
      },
      onClose: () => {
        upsert(latest(message.id) || message);
        /** @type {HTMLElement | null} */ (li.querySelector('[data-action="edit"]'))?.focus();
      },
    }, initialBody);
  }

  /** @param {HTMLElement} li @param {Message} message */
  function startDelete(li, message) {
    confirmDelete(li, {
      onConfirm: async () => {
        const { message: deleted } = await del(`/messages/${message.id}`);
        store.putMessage(deleted);
        upsert(latest(message.id) || deleted);
        li.focus();
        announceStatus("Message deleted.");
      },
      onCancel: () => /** @type {HTMLElement | null} */ (li.querySelector('[data-action="delete"]'))?.focus(),
    });
  }

  // ---- unsent messages -------------------------------------------------------

  /** @param {OutboxItem} item @param {boolean} connected */
  function showPending(item, connected) {
    let li = pendingElements.get(item.client_id);
    if (!li) {
      li = h("li");
      pendingElements.set(item.client_id, li);
      pendingList.append(li);
    }
    renderPending(li, item, { author: me, connected, ...pendingActions });
    updateStatus();
  }

  /** @param {string} clientId */
  function removePending(clientId) {
    pendingElements.get(clientId)?.remove();
    pendingElements.delete(clientId);
  }

  /** Show exactly `items` as unsent. @param {OutboxItem[]} items @param {boolean} connected */
  function syncPending(items, connected) {
    const keep = new Set(items.map((i) => i.client_id));
    for (const clientId of [...pendingElements.keys()]) if (!keep.has(clientId)) removePending(clientId);
    for (const item of items) showPending(item, connected);
  }

  function updateStatus() {
    status.hidden = elements.size > 0 || pendingElements.size > 0;
  }

  /** @param {string} text @param {...(Node | string)} extra */
  function setStatus(text, ...extra) {
    status.hidden = false;
    status.replaceChildren(text, ...extra);
  }

  return {
    list, pendingList, status, upsert, redraw, replaceAll, showPending, removePending, syncPending, setStatus,
    /** @param {number} id */
    element: (id) => elements.get(id),
    has: (/** @type {number} */ id) => elements.has(id),
  };
}
