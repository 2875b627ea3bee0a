// @ts-check
// A thread: its header and following, the messages (thread-messages.js), the
// composer, unsent messages from the outbox, the typing indicator and the read
// position.
//
// The thread's fields and messages live in the room's store: the room view feeds
// it every event (in seq order, once) and this view redraws what the store says
// changed. Messages read over REST are merged into the store too, so a page that
// arrives after a live edit can never put the older text back.
import { h, replaceContent } from "../dom.js";
import { get, put, del } from "../api.js";
import { organisationLabel, plural } from "../labels.js";
import { createComposer } from "../composer.js";
import { createReadTracker } from "./reading.js";
import { createTypingIndicator } from "./typing.js";
import { createMessageList } from "./thread-messages.js";
import { session } from "../session.js";
import { announceStatus } from "../announcer.js";
import { orderedMessages, typingIn } from "../room-store.js";
import { canManage, isOwnMessage, postingState } from "../permissions.js";
import { outbox } from "../sending.js";
import * as realtime from "../realtime.js";

/** @typedef {import("../room-store.js").RoomStore} RoomStore */
/** @typedef {import("../room-store.js").Change} Change */
/** @typedef {import("../protocol.js").Thread} Thread */
/** @typedef {import("../protocol.js").Message} Message */
/** @typedef {ReturnType<typeof postingState>} Posting */

const PAGE = 50;

/**
 * @param {object} options
 * @param {RoomStore} options.store  the room's store; it holds this thread
 * @param {number} options.threadId
 * @param {number | null} options.messageId  a message to show (a permalink)
 * @param {() => unknown} options.onJoin
 */
export function createThreadView({ store, threadId, messageId, onJoin }) {
  const me = session.user;
  const room = store.state.room;
  const thread = () => /** @type {Thread} */ (store.state.threads.get(threadId));
  let loading = true;
  let loadFailed = false;
  let hasMoreBefore = false;
  let destroyed = false;
  /** @type {ReturnType<typeof createComposer> | null} */
  let composer = null;
  /** @type {Posting | null} */
  let postingNow = null;
  let abilities = "";

  const heading = h("h2", { id: `thread-title-${threadId}`, class: "thread-title", tabindex: "-1" }, thread().title);
  const meta = h("p", { class: "thread-meta" });
  const followButton = h("button", { type: "button", class: "button button-secondary button-small" });
  const followStatus = h("span", { class: "follow-status" });
  // Mute: no email about this thread (a toggle button; the server keeps the state).
  const muteButton = h("button", { type: "button", class: "button button-secondary button-small", "aria-pressed": "false",
    hidden: true }, "Mute emails");
  const earlier = h("button", { type: "button", class: "link-button load-earlier", hidden: true }, "Show earlier messages");
  const messages = createMessageList({
    store, threadId, me,
    observe: (li) => reading.observe(li),
    pendingActions: {
      onRetry: (item) => outbox.retry(item.client_id),
      onDiscard: (item) => {
        outbox.discard(item.client_id);
        composer?.focus();
        announceStatus("Unsent message discarded.");
      },
    },
  });
  const scroller = h("div", { class: "messages-scroller", tabindex: "0", role: "region",
    "aria-label": `Messages in ${thread().title}` }, earlier, messages.status, messages.list, messages.pendingList);
  const typing = createTypingIndicator(() => typingIn(store.state, threadId, Date.now()));
  const newBelow = h("button", { type: "button", class: "button button-small new-below", hidden: true }, "New messages below");
  const composerSlot = h("div", { class: "composer-slot" });
  const element = h("section", { class: "thread", "aria-labelledby": heading.id },
    h("div", { class: "thread-header" },
      h("p", { class: "back-link" }, h("a", { href: `/r/${encodeURIComponent(room.slug)}` }, "Back to ", room.title)),
      h("div", { class: "thread-heading" }, h("div", {}, heading, meta),
        h("div", { class: "follow" }, followButton, muteButton, followStatus))),
    scroller, newBelow, typing.element, composerSlot);

  // ---- header and following ---------------------------------------------

  function renderHeader() {
    const current = thread();
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
    const following = !thread().following;
    try {
      /** @type {{thread: Thread}} */
      const { thread: updated } = following
        ? await put(`/threads/${threadId}/follow`)
        : await del(`/threads/${threadId}/follow`);
      store.putThread({ ...updated, following: updated.following ?? following });
      announceStatus(following ? "You are now following this thread." : "You have stopped following this thread.");
    } catch (error) {
      announceStatus(`Could not change following: ${error instanceof Error ? error.message : error}`);
    }
  });

  get(`/threads/${threadId}/mute`).then((/** @type {{muted: boolean}} */ { muted }) => {
    muteButton.setAttribute("aria-pressed", String(muted));
    muteButton.hidden = false;
  }).catch(() => {});

  muteButton.addEventListener("click", async () => {
    const mute = muteButton.getAttribute("aria-pressed") !== "true";
    try {
      /** @type {{muted: boolean}} */
      const { muted } = mute ? await put(`/threads/${threadId}/mute`) : await del(`/threads/${threadId}/mute`);
      muteButton.setAttribute("aria-pressed", String(muted));
      announceStatus(muted ? "Emails about this thread are muted." : "Emails about this thread are back on.");
    } catch (error) {
      announceStatus(`Could not change muting: ${error instanceof Error ? error.message : error}`);
    }
  });

  // ---- composer ------------------------------------------------------------

  /** @param {Posting} state */
  function setPosting(state) {
    if (state === postingNow) return; // keep the composer, its draft and focus
    const hadFocus = composerSlot.contains(document.activeElement);
    postingNow = state;
    renderComposer();
    if (hadFocus) /** @type {HTMLElement} */ (composerSlot.querySelector("[tabindex='-1'], textarea, button") || heading).focus();
  }

  function renderComposer() {
    composer?.destroy();
    composer = null;
    if (postingNow === "archived") {
      replaceContent(composerSlot, h("div", { class: "notice archived-notice", tabindex: "-1" },
        "Replies are closed: this room is archived and read-only."));
    } else if (postingNow === "member" && me) {
      composer = createComposer({
        label: "Reply",
        roomId: room.id,
        getPeople: () => [...store.state.members.values()].map((m) => m.user).filter((u) => u.id !== me.id),
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
    return style.overflowY === "auto" || style.overflowY === "scroll" ? scroller : /** @type {Element} */ (document.scrollingElement);
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

  /** Scroll to the linked message, or to the newest one. */
  function position() {
    const target = messageId ? messages.element(messageId) : null;
    for (const li of messages.list.querySelectorAll(".is-target")) li.classList.remove("is-target");
    if (target) {
      target.classList.add("is-target");
      target.scrollIntoView({ block: "center" });
      target.focus({ preventScroll: true });
    } else {
      scrollToBottom();
    }
  }

  // ---- the store says what changed --------------------------------------------

  /** What the reader may do with messages, as one comparable string. */
  function abilitiesKey() {
    return `${postingState(room)}/${canManage(room)}`;
  }

  /** @param {Change} change */
  function onChange(change) {
    if (destroyed || !store.state.threads.has(threadId)) return;
    if (change.thread === threadId) {
      renderHeader();
      reading.advance(thread().last_read_seq);
    }
    if (change.typing === threadId) typing.refresh();
    if (change.room) {
      // What the reader may do with messages (archived, can_manage) may have changed.
      const key = abilitiesKey();
      if (key !== abilities) {
        abilities = key;
        if (!loading) messages.redraw();
      }
    }
    const message = change.message;
    if (!message || message.thread_id !== threadId || loading) return;
    const isNew = !messages.has(message.id);
    const atBottom = nearBottom();
    messages.upsert(message);
    if (!isNew) return;
    if (message.author) typing.refresh();
    const own = isOwnMessage(message, me ? me.id : null);
    if (atBottom || own) scrollToBottom();
    else newBelow.hidden = false;
  }

  const stopStore = store.subscribe(onChange);

  // ---- unsent messages -------------------------------------------------------

  const stopOutbox = outbox.subscribe((change) => {
    if (change.type === "reloaded") {
      messages.syncPending(outbox.forThread(threadId), realtime.isConnected());
      return;
    }
    if (change.item.thread_id !== threadId) return;
    if (change.type === "added" || change.type === "updated") {
      const atBottom = nearBottom();
      messages.showPending(change.item, realtime.isConnected());
      if (atBottom || change.type === "added") scrollToBottom();
    } else if (change.type === "sent") {
      if (change.message) store.putMessage(change.message);
      messages.removePending(change.item.client_id);
    } else if (change.type === "removed") {
      messages.removePending(change.item.client_id);
    }
  });

  const stopConnection = realtime.onConnectionChange((state) => {
    messages.syncPending(outbox.forThread(threadId), realtime.isConnected());
    if (state === "connected" && loadFailed && !loading) load();
  });

  // ---- reading position --------------------------------------------------------

  const reading = createReadTracker({
    threadId,
    lastReadSeq: thread().last_read_seq || 0,
    isReady: () => !loading && !destroyed,
    onSaved: (saved) => store.putThread(saved),
    onVisibleChange: () => {
      if (!newBelow.hidden && nearBottom()) newBelow.hidden = true;
    },
  });

  // ---- loading ---------------------------------------------------------------

  /** @param {string} query @returns {Promise<{messages: Message[], has_more_before: boolean, has_more_after: boolean}>} */
  function page(query) {
    return get(`/threads/${threadId}/messages?${query}`);
  }

  async function load() {
    loading = true;
    messages.setStatus("Loading messages…");
    store.closeThread(threadId);
    store.openThread(threadId); // live events from now on are kept while the pages load
    try {
      let answer = await page(`limit=${PAGE}`);
      if (destroyed) return;
      store.addMessages(threadId, answer.messages);
      hasMoreBefore = answer.has_more_before;
      // Whichever page the server starts from, read on to the newest message
      // so the list is contiguous up to the live edge.
      for (let i = 0; answer.has_more_after && i < 20; i += 1) {
        const newest = Math.max(...orderedMessages(store.state, threadId).map((m) => m.seq));
        answer = await page(`after=${newest}&limit=200`);
        if (destroyed) return;
        store.addMessages(threadId, answer.messages);
      }
      if (messageId) {
        for (let i = 0; !store.state.messages.get(threadId)?.has(messageId) && hasMoreBefore && i < 20; i += 1) {
          await readEarlier();
        }
      }
    } catch (error) {
      const retry = h("button", { type: "button", class: "link-button" }, "Try again");
      retry.addEventListener("click", load);
      messages.setStatus(`Messages could not be loaded: ${error instanceof Error ? error.message : error} `, retry);
      loading = false;
      loadFailed = true; // tried again when the connection is back
      return;
    }
    loading = false;
    loadFailed = false;
    abilities = abilitiesKey();
    messages.replaceAll(orderedMessages(store.state, threadId));
    earlier.hidden = !hasMoreBefore;
    if (!orderedMessages(store.state, threadId).length) messages.setStatus("No messages yet.");
    messages.syncPending(outbox.forThread(threadId), realtime.isConnected());
    position();
    reading.check(); // what is on screen now counts as read
  }

  /** Read the page before the oldest message into the store; returns it. */
  async function readEarlier() {
    const oldest = Math.min(...orderedMessages(store.state, threadId).map((m) => m.seq));
    const answer = await page(`before=${oldest}&limit=${PAGE}`);
    if (destroyed) return [];
    store.addMessages(threadId, answer.messages);
    hasMoreBefore = answer.has_more_before;
    return answer.messages;
  }

  earlier.addEventListener("click", async () => {
    try {
      const box = scrollBox();
      const fromBottom = box.scrollHeight - box.scrollTop;
      const added = await readEarlier();
      for (const message of added) {
        const kept = store.state.messages.get(threadId)?.get(message.id);
        if (kept) messages.upsert(kept);
      }
      earlier.hidden = !hasMoreBefore;
      box.scrollTop = box.scrollHeight - fromBottom; // keep what was on screen in place
      announceStatus(`${plural(added.length, "earlier message")} shown.`);
      if (earlier.hidden && added.length) messages.element(added[0].id)?.focus();
    } catch (error) {
      announceStatus(`Could not load earlier messages: ${error instanceof Error ? error.message : error}`);
    }
  });

  renderHeader();
  setPosting(postingState(room));
  load();

  return {
    element,
    heading,
    threadId,
    title: () => thread().title,
    reload: load,
    setPosting,
    /** Show a different message of the same thread (a permalink click). @param {number | null} id */
    showMessage(id) {
      messageId = id;
      if (id && !messages.has(id)) {
        load();
        return;
      }
      position();
    },
    destroy() {
      destroyed = true;
      stopStore();
      reading.destroy();
      stopOutbox();
      stopConnection();
      composer?.destroy();
      typing.destroy();
      store.closeThread(threadId);
    },
  };
}
