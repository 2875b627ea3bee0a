// A thread: its messages, live updates, the composer, unsent messages from the
// outbox, the typing indicator and the read position.
//
// The room view owns the real-time subscription and hands this view the events
// for its thread, already in seq order and without repeats. Events that arrive
// while the first page of messages is loading are queued and applied after it,
// so an edit can never be overwritten by an older copy from the REST answer.
import { h, replaceContent } from "../dom.js";
import { get, put, patch, del } from "../api.js";
import { organisationLabel, plural } from "../labels.js";
import { createComposer } from "../composer.js";
import { renderMessage, renderPending, openEditor, confirmDelete } from "./message.js";
import { createReadTracker } from "./reading.js";
import { createTypingIndicator } from "./typing.js";
import { session } from "../session.js";
import { announceStatus } from "../announcer.js";
import * as outbox from "../outbox.js";
import * as realtime from "../realtime.js";

const PAGE = 50;

/**
 * `posting` is what the reader may do: "member" (reply), "join" (asked to join
 * first) or "archived" (the room is read-only).
 */
export function createThreadView({ room, thread, messageId, getPeople, posting, onThreadUpdate, onJoin }) {
  const me = session.user;
  const threadId = thread.id;
  const slug = encodeURIComponent(room.slug);
  const byId = new Map(); // message id -> message
  const elements = new Map(); // message id -> li
  const pendingElements = new Map(); // client id -> li
  let queue = [];
  let loading = true;
  let hasMoreBefore = false;
  let current = thread;
  let destroyed = false;
  let composer = null;
  let loadFailed = false;
  let postingState = null;

  const heading = h("h2", { id: `thread-title-${threadId}`, class: "thread-title", tabindex: "-1" }, thread.title);
  const meta = h("p", { class: "thread-meta" });
  const followButton = h("button", { type: "button", class: "button button-secondary button-small" });
  const followStatus = h("span", { class: "follow-status" });
  const earlier = h("button", { type: "button", class: "link-button load-earlier", hidden: true }, "Show earlier messages");
  const list = h("ol", { class: "message-list", "aria-label": "Messages" });
  const pendingList = h("ol", { class: "message-list pending-list", "aria-label": "Messages not sent yet" });
  const status = h("p", { class: "thread-status" }, "Loading messages…");
  const scroller = h("div", { class: "messages-scroller", tabindex: "0", role: "region",
    "aria-label": `Messages in ${thread.title}` }, earlier, status, list, pendingList);
  const typing = createTypingIndicator();
  const newBelow = h("button", { type: "button", class: "button button-small new-below", hidden: true }, "New messages below");
  const composerSlot = h("div", { class: "composer-slot" });
  const element = h("section", { class: "thread", "aria-labelledby": heading.id },
    h("div", { class: "thread-header" },
      h("p", { class: "back-link" }, h("a", { href: `/r/${slug}` }, "Back to ", room.title)),
      h("div", { class: "thread-heading" }, h("div", {}, heading, meta),
        h("div", { class: "follow" }, followButton, followStatus))),
    scroller, newBelow, typing.element, composerSlot);

  renderHeader();
  setPosting(posting);

  // ---- header and following ---------------------------------------------

  function renderHeader() {
    heading.textContent = current.title;
    replaceContent(meta,
      "Started by ", current.created_by ? current.created_by.display_name : "someone",
      current.created_by && current.created_by.organisation ? [" ", organisationLabel(current.created_by.organisation)] : null,
      " · ", plural(current.message_count || 0, "message"));
    followButton.textContent = current.following ? "Unfollow thread" : "Follow thread";
    followStatus.textContent = current.following
      ? "You follow this thread: it counts in your unread totals."
      : "You do not follow this thread.";
  }

  followButton.addEventListener("click", async () => {
    const following = !current.following;
    try {
      const { thread: updated } = following
        ? await put(`/threads/${threadId}/follow`)
        : await del(`/threads/${threadId}/follow`);
      update({ ...updated, following: updated.following ?? following });
      onThreadUpdate(current);
      announceStatus(following ? "You are now following this thread." : "You have stopped following this thread.");
    } catch (error) {
      announceStatus(`Could not change following: ${error.message}`);
    }
  });

  function update(changes) {
    current = { ...current, ...changes };
    reading.advance(changes.last_read_seq);
    renderHeader();
  }

  // ---- composer ------------------------------------------------------------

  function setPosting(state) {
    if (state === postingState) return; // keep the composer, its draft and focus
    const hadFocus = composerSlot.contains(document.activeElement);
    const wasArchived = postingState === "archived";
    postingState = state;
    renderComposer();
    // Edit buttons come and go with the archived state.
    if (wasArchived || state === "archived") for (const message of byId.values()) upsert(message);
    if (hadFocus) (composerSlot.querySelector("[tabindex='-1'], textarea, button") || heading).focus();
  }

  function renderComposer() {
    composer?.destroy();
    composer = null;
    if (postingState === "archived") {
      replaceContent(composerSlot, h("div", { class: "notice archived-notice", tabindex: "-1" },
        "Replies are closed: this room is archived and read-only."));
    } else if (postingState === "member") {
      composer = createComposer({
        label: "Reply",
        roomId: room.id,
        getPeople,
        draftKey: `convene.draft.${me.id}.${threadId}`,
        onSend: (body) => {
          outbox.enqueue({ threadId, roomId: room.id, body });
          scrollToBottom();
        },
        onTyping: () => realtime.request("typing", { thread_id: threadId }, 5000).catch(() => {}),
      });
      replaceContent(composerSlot, composer.element);
    } else {
      const join = h("button", { type: "button", class: "button" }, "Join room");
      join.addEventListener("click", () => onJoin());
      replaceContent(composerSlot, h("div", { class: "panel join-prompt" },
        h("p", {}, "Join this room to reply in its threads."), join));
    }
  }

  // ---- scrolling -------------------------------------------------------------

  // On wide screens the message list scrolls inside its own box; on narrow
  // screens and at high zoom the whole page scrolls instead.
  function scrollBox() {
    const style = getComputedStyle(scroller);
    return style.overflowY === "auto" || style.overflowY === "scroll" ? scroller : document.scrollingElement;
  }

  function nearBottom() {
    const box = scrollBox();
    return box.scrollHeight - box.scrollTop - box.clientHeight < 120;
  }

  function scrollToBottom() {
    const box = scrollBox();
    box.scrollTop = box.scrollHeight;
    newBelow.hidden = true;
  }

  newBelow.addEventListener("click", () => {
    scrollToBottom();
    composer?.focus();
  });

  // ---- messages --------------------------------------------------------------

  function permalink(message) {
    return `/r/${slug}/t/${threadId}/m/${message.id}`;
  }

  function canDelete(message) {
    return Boolean(me && ((message.author && message.author.id === me.id)
      || room.membership === "owner" || me.role === "administrator" || me.role === "facilitator"));
  }

  function upsert(message) {
    if (message.thread_id !== threadId) return;
    byId.set(message.id, message);
    let li = elements.get(message.id);
    if (li && li.classList.contains("is-editing")) {
      li._deferred = message; // re-render when the editor closes
      return;
    }
    const isNew = !li;
    if (isNew) {
      li = h("li");
      elements.set(message.id, li);
    }
    const own = Boolean(me && message.author && message.author.id === me.id);
    // Re-rendering replaces the message's buttons; keep keyboard focus where it was.
    const active = document.activeElement;
    const focusedAction = !isNew && li.contains(active) && active !== li ? active.dataset.action || null : null;
    renderMessage(li, message, {
      permalink: permalink(message),
      isOwn: own,
      canEdit: own && postingState !== "archived",
      canDelete: canDelete(message),
      onEdit: startEdit,
      onDelete: startDelete,
      loadHistory: (m) => get(`/messages/${m.id}/history`),
    });
    if (focusedAction) (li.querySelector(`[data-action="${focusedAction}"]`) || li).focus();
    if (isNew) {
      let before = list.lastElementChild;
      while (before && Number(before.dataset.seq) > message.seq) before = before.previousElementSibling;
      if (before) before.after(li);
      else list.prepend(li);
      reading.observe(li);
    }
    if (message.client_id && pendingElements.has(message.client_id)) {
      pendingElements.get(message.client_id).remove();
      pendingElements.delete(message.client_id);
    }
    status.hidden = byId.size > 0 || pendingElements.size > 0;
  }

  function startEdit(li, message) {
    openEditor(li, message, {
      onSave: async (body) => {
        const { message: saved } = await patch(`/messages/${message.id}`, { body });
        // An event for this message may have arrived while editing; keep the newer.
        const other = li._deferred;
        const otherIsNewer = other && (other.deleted || (other.edited_at || "") > (saved.edited_at || ""));
        li._deferred = otherIsNewer ? other : saved;
        announceStatus("Message edited.");
      },
      onClose: () => {
        const latest = li._deferred || byId.get(message.id);
        li._deferred = null;
        upsert(latest);
        li.querySelector('[data-action="edit"]')?.focus();
      },
    });
  }

  function startDelete(li, message) {
    confirmDelete(li, {
      onConfirm: async () => {
        const { message: deleted } = await del(`/messages/${message.id}`);
        upsert(deleted);
        li.focus();
        announceStatus("Message deleted.");
      },
      onCancel: () => li.querySelector('[data-action="delete"]')?.focus(),
    });
  }

  // ---- unsent messages -------------------------------------------------------

  function renderPendingItem(item) {
    let li = pendingElements.get(item.client_id);
    if (!li) {
      li = h("li");
      pendingElements.set(item.client_id, li);
      pendingList.append(li);
    }
    renderPending(li, item, {
      author: me,
      connected: realtime.isConnected(),
      onRetry: (i) => outbox.retry(i.client_id),
      onDiscard: (i) => {
        outbox.discard(i.client_id);
        composer?.focus();
        announceStatus("Unsent message discarded.");
      },
    });
    status.hidden = true;
  }

  function renderAllPending() {
    const items = outbox.forThread(threadId);
    const keep = new Set(items.map((i) => i.client_id));
    for (const [clientId, li] of pendingElements) {
      if (!keep.has(clientId)) {
        li.remove();
        pendingElements.delete(clientId);
      }
    }
    items.forEach(renderPendingItem);
  }

  const stopOutbox = outbox.subscribe((change) => {
    if (change.type === "reloaded") {
      renderAllPending();
      return;
    }
    if (!change.item || change.item.thread_id !== threadId) return;
    if (change.type === "added" || change.type === "updated") {
      const atBottom = nearBottom();
      renderPendingItem(change.item);
      if (atBottom || change.type === "added") scrollToBottom();
    } else if (change.type === "sent") {
      if (change.message) upsert(change.message);
      pendingElements.get(change.item.client_id)?.remove();
      pendingElements.delete(change.item.client_id);
    } else if (change.type === "removed") {
      pendingElements.get(change.item.client_id)?.remove();
      pendingElements.delete(change.item.client_id);
    }
  });

  const stopConnection = realtime.onConnectionChange((state) => {
    renderAllPending();
    if (state === "connected" && loadFailed && !loading) load();
  });

  // ---- reading position and typing ------------------------------------------

  const reading = createReadTracker({
    threadId,
    lastReadSeq: thread.last_read_seq || 0,
    isReady: () => !loading && !destroyed,
    onSaved: (saved) => {
      update({ unread_count: saved.unread_count, last_read_seq: saved.last_read_seq });
      onThreadUpdate(current);
    },
    onVisibleChange: () => {
      if (!newBelow.hidden && nearBottom()) newBelow.hidden = true;
    },
  });

  // ---- loading ---------------------------------------------------------------

  async function load() {
    loading = true;
    queue = [];
    status.hidden = false;
    status.textContent = "Loading messages…";
    try {
      let page = await get(`/threads/${threadId}/messages?limit=${PAGE}`);
      if (destroyed) return;
      list.replaceChildren();
      byId.clear();
      elements.clear();
      page.messages.forEach(upsert);
      hasMoreBefore = page.has_more_before;
      // Whichever page the server starts from, read on to the newest message
      // so the list is contiguous up to the live edge.
      for (let i = 0; page.has_more_after && i < 20; i += 1) {
        const newest = Math.max(...[...byId.values()].map((m) => m.seq));
        page = await get(`/threads/${threadId}/messages?after=${newest}&limit=200`);
        if (destroyed) return;
        page.messages.forEach(upsert);
      }
      if (messageId) {
        for (let i = 0; !byId.has(messageId) && hasMoreBefore && i < 20; i += 1) await loadEarlier();
      }
    } catch (error) {
      status.hidden = false;
      replaceContent(status, `Messages could not be loaded: ${error.message} `,
        retryButton());
      loading = false;
      loadFailed = true; // tried again when the connection is back
      return;
    }
    loading = false;
    loadFailed = false;
    const queued = queue;
    queue = [];
    queued.forEach(applyEvent);
    earlier.hidden = !hasMoreBefore;
    if (!byId.size) {
      status.hidden = false;
      status.textContent = "No messages yet.";
    }
    renderAllPending();
    position();
    reading.check(); // what is on screen now counts as read
  }

  function retryButton() {
    const retry = h("button", { type: "button", class: "link-button" }, "Try again");
    retry.addEventListener("click", load);
    return retry;
  }

  async function loadEarlier() {
    const oldest = Math.min(...[...byId.values()].map((m) => m.seq));
    const box = scrollBox();
    const fromBottom = box.scrollHeight - box.scrollTop;
    const page = await get(`/threads/${threadId}/messages?before=${oldest}&limit=${PAGE}`);
    if (destroyed) return [];
    page.messages.forEach(upsert);
    hasMoreBefore = page.has_more_before;
    earlier.hidden = !hasMoreBefore;
    box.scrollTop = box.scrollHeight - fromBottom; // keep what was on screen in place
    return page.messages;
  }

  earlier.addEventListener("click", async () => {
    try {
      const added = await loadEarlier();
      announceStatus(`${plural(added.length, "earlier message")} shown.`);
      if (earlier.hidden && added.length) elements.get(added[0].id)?.focus();
    } catch (error) {
      announceStatus(`Could not load earlier messages: ${error.message}`);
    }
  });

  /** Scroll to the linked message, or to the newest one. */
  function position() {
    const target = messageId ? elements.get(messageId) : null;
    for (const li of list.querySelectorAll(".is-target")) li.classList.remove("is-target");
    if (target) {
      target.classList.add("is-target");
      target.scrollIntoView({ block: "center" });
      target.focus({ preventScroll: true });
    } else {
      scrollToBottom();
    }
  }

  // ---- events from the room --------------------------------------------------

  /** Apply a durable event for this thread (in seq order, each once). */
  function applyEvent(event) {
    if (loading) {
      queue.push(event);
      return;
    }
    const message = event.message;
    if (!message || message.thread_id !== threadId) return;
    if (event.type === "message.created") {
      const atBottom = nearBottom();
      const own = me && message.author && message.author.id === me.id;
      if (message.author) typing.stop(message.author.id);
      upsert(message);
      if (message.client_id) outbox.settle(message.client_id, message);
      if (atBottom || own) scrollToBottom();
      else newBelow.hidden = false;
    } else if (event.type === "message.edited" || event.type === "message.deleted") {
      if (byId.has(message.id)) upsert(message);
    }
  }

  /** Typing and other events without seq. */
  function applyLive(event) {
    if (event.type !== "typing" || event.thread_id !== threadId || !event.user) return;
    if (me && event.user.id === me.id) return;
    typing.show(event.user);
  }

  load();

  return {
    element,
    heading,
    threadId,
    title: () => current.title,
    applyEvent,
    applyLive,
    update,
    reload: load,
    setPosting,
    /** Show a different message of the same thread (a permalink click). */
    showMessage(id) {
      messageId = id;
      if (id && !byId.has(id)) {
        load();
        return;
      }
      position();
    },
    destroy() {
      destroyed = true;
      reading.destroy();
      stopOutbox();
      stopConnection();
      composer?.destroy();
      typing.destroy();
    },
  };
}
