// @ts-check
// A thread: its header and following, the messages (thread-messages.js), the
// composer, unsent messages from the outbox, the typing indicator and the read
// position. A long thread opens at the first unread message, below a "New"
// divider, and reads more pages as the reader scrolls towards either end
// (thread-window.js), keeping what is on screen in place (thread-position.js).
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
import { typingIn } from "../room-store.js";
import { createThreadWindow } from "../thread-window.js";
import { edgesToFill, farFromLatest, firstUnreadIndex } from "../thread-position.js";
import { createThreadScroll } from "./thread-scroll.js";
import { createRovingFocus } from "../roving.js";
import { shortcuts } from "../shortcuts.js";
import { canManage, isOwnMessage, postingState } from "../permissions.js";
import { outbox } from "../sending.js";
import * as realtime from "../realtime.js";

// How long the reply box holds a message waiting for the server's answer before
// leaving it to the outbox (which keeps it, shows it as pending and sends it later).
const SEND_PATIENCE_MS = 8000;

/** @typedef {import("../room-store.js").RoomStore} RoomStore */
/** @typedef {import("../room-store.js").Change} Change */
/** @typedef {import("../protocol.js").Thread} Thread */
/** @typedef {import("../protocol.js").Message} Message */
/** @typedef {ReturnType<typeof postingState>} Posting */

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
  const later = h("button", { type: "button", class: "link-button load-later", hidden: true }, "Show later messages");
  const listHint = h("p", { id: `messages-hint-${threadId}`, class: "visually-hidden" },
    "In the message list, the up and down arrow keys move between messages, Home and End go to the first and last.");
  const messages = createMessageList({
    store, threadId, me,
    observe: (li) => reading.observe(li),
    onDrawn: (li) => roving.refresh(li),
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
    "aria-label": `Messages in ${thread().title}`, "aria-describedby": listHint.id },
  listHint, earlier, messages.status, messages.list, later, messages.pendingList);
  const roving = createRovingFocus({ list: messages.list, itemSelector: "li.message" });
  const typing = createTypingIndicator(() => typingIn(store.state, threadId, Date.now()));
  const newBelow = h("button", { type: "button", class: "button button-small new-below", hidden: true }, "New messages below");
  const jump = h("button", { type: "button", class: "button button-small jump-latest", hidden: true }, "Jump to latest");
  // Above the first unread message while the thread is open. A list item (the
  // list holds only items), read out as "New messages"; its seq sorts it there.
  const divider = h("li", { class: "unread-divider" },
    h("span", { class: "unread-divider-label" }, "New", h("span", { class: "visually-hidden" }, " messages")));
  const composerSlot = h("div", { class: "composer-slot" });
  const element = h("section", { class: "thread", "aria-labelledby": heading.id },
    h("div", { class: "thread-header" },
      h("p", { class: "back-link" }, h("a", { href: `/r/${encodeURIComponent(room.slug)}` }, "Back to ", room.title)),
      h("div", { class: "thread-heading" }, h("div", {}, heading, meta),
        h("div", { class: "follow" }, followButton, muteButton, followStatus))),
    scroller, h("div", { class: "thread-footer" }, h("div", { class: "thread-jumps" }, newBelow, jump), typing.element, composerSlot));

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

  /**
   * Queue ``body`` in the outbox and resolve with what became of it. A refusal takes
   * the message out of the outbox: the composer keeps its text instead (one place,
   * editable). Offline, or with no answer for a while, the outbox keeps it to send
   * later and shows it as pending.
   * @param {string} body @returns {Promise<import("../composer.js").SendOutcome>}
   */
  function sendThroughOutbox(body) {
    return new Promise((resolve) => {
      /** @type {import("../outbox.js").OutboxItem | null} */
      let item = null;
      const timer = window.setTimeout(() => finish({ outcome: "queued" }), SEND_PATIENCE_MS);
      const stop = outbox.subscribe((change) => {
        if (!item || !("item" in change) || change.item !== item) return;
        if (change.type === "sent") finish({ outcome: "sent" });
        else if (change.type === "updated" && item.status === "failed") {
          const error = item.error || "the server did not accept it.";
          outbox.discard(item.client_id);
          finish({ outcome: "refused", error: /[.!?]$/.test(error) ? error : `${error}.` });
        }
      });
      /** @param {import("../composer.js").SendOutcome} outcome */
      function finish(outcome) {
        window.clearTimeout(timer);
        stop();
        resolve(outcome);
      }
      item = outbox.enqueue({ threadId, roomId: room.id, body });
      if (!realtime.isConnected()) finish({ outcome: "queued" });
    });
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
        maxChars: session.limits.message_chars,
        onSend: (body) => {
          const outcome = sendThroughOutbox(body);
          // Reading in the middle of a long thread: the reply goes after the newest
          // message, so show those first.
          if (win.hasMoreAfter) load({ latest: true });
          else scrollToBottom();
          return outcome;
        },
        onTyping: () => realtime.request("typing", { thread_id: threadId }, 5000).catch(() => {}),
      });
      replaceContent(composerSlot, room.membership ? null
        : h("p", { class: "hint" }, "Replying here joins this room: you will see it in your rooms and hear of replies."),
        composer.element);
    } else {
      const join = h("button", { type: "button", class: "button" }, "Join room");
      join.addEventListener("click", () => onJoin());
      replaceContent(composerSlot, h("div", { class: "panel join-prompt" },
        h("p", {}, "Join this room to reply in its threads."), join));
    }
  }

  // ---- scrolling -------------------------------------------------------------

  const scroll = createThreadScroll({ scroller, list: messages.list, onScroll: () => onScroll() });
  const nearBottom = scroll.nearBottom;

  function scrollToBottom() {
    scroll.toBottom();
    newBelow.hidden = true;
    jump.hidden = true;
  }

  newBelow.addEventListener("click", () => jumpToLatest());
  jump.addEventListener("click", () => jumpToLatest());

  /** Show the newest messages (reading them first when they are not drawn) and go to the reply box. */
  async function jumpToLatest() {
    if (win.hasMoreAfter) await load({ latest: true });
    scrollToBottom();
    if (composer) composer.focus();
    else roving.reset();
  }

  /** Read more where the reader is heading, and offer "Jump to latest" when far up. */
  function onScroll() {
    if (loading || destroyed) return;
    const box = scroll.box();
    const edges = edgesToFill(box, win);
    if (edges.before) showOlder().catch(() => {});
    if (edges.after) showNewer().catch(() => {});
    jump.hidden = !farFromLatest(box, win.hasMoreAfter);
    if (!jump.hidden) newBelow.hidden = true;
  }

  /** Scroll to the linked message, to the first unread one, or to the newest one. */
  function position() {
    const target = messageId ? messages.element(messageId) : null;
    for (const li of messages.list.querySelectorAll(".is-target")) li.classList.remove("is-target");
    if (target) {
      target.classList.add("is-target");
      target.scrollIntoView({ block: "center" });
      roving.choose(target);
      target.focus({ preventScroll: true });
    } else if (divider.isConnected) {
      scroll.toTop(divider, 8);
      const first = /** @type {HTMLElement | null} */ (divider.nextElementSibling);
      if (first) roving.choose(first);
    } else {
      scrollToBottom();
    }
    onScroll();
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
    if (isNew && !win.includes(message)) {
      // Beyond the drawn run (the newest messages are not read yet): offer them.
      jump.hidden = false;
      return;
    }
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

  const win = createThreadWindow({
    store, threadId,
    fetchPage: (query) => get(`/threads/${threadId}/messages?${query}`),
  });

  /**
   * (Re)read the thread: around the first unread message, at a permalinked one,
   * or (with `latest`, or nothing unread) at the newest.
   * @param {{latest?: boolean}} [options]
   */
  async function load({ latest = false } = {}) {
    loading = true;
    messages.setStatus("Loading messages…");
    store.closeThread(threadId);
    store.openThread(threadId); // live events from now on are kept while the pages load
    const current = thread();
    const lastReadSeq = current.last_read_seq || 0;
    const unreadCount = latest ? 0 : current.unread_count || 0;
    try {
      if (!(await win.open({ lastReadSeq, unreadCount, messageId: latest ? null : messageId })) || destroyed) return;
    } catch (error) {
      const retry = h("button", { type: "button", class: "link-button" }, "Try again");
      retry.addEventListener("click", () => load());
      messages.setStatus(`Messages could not be loaded: ${error instanceof Error ? error.message : error} `, retry);
      loading = false;
      loadFailed = true; // tried again when the connection is back
      return;
    }
    loading = false;
    loadFailed = false;
    abilities = abilitiesKey();
    const drawn = win.drawn();
    messages.replaceAll(drawn);
    placeDivider(drawn, unreadCount > 0 && !messageId ? lastReadSeq : null);
    showEdges();
    if (!drawn.length) messages.setStatus("No messages yet.");
    messages.syncPending(outbox.forThread(threadId), realtime.isConnected());
    if (latest) messageId = null;
    position();
    reading.check(); // what is on screen now counts as read
  }

  /**
   * Put the "New" divider above the first unread message (none when `lastReadSeq`
   * is null or nothing is unread), and say so to screen readers.
   * @param {Message[]} drawn @param {number | null} lastReadSeq
   */
  function placeDivider(drawn, lastReadSeq) {
    divider.remove();
    if (lastReadSeq === null) return;
    const first = drawn[firstUnreadIndex(drawn, lastReadSeq, me ? me.id : null)];
    const li = first && messages.element(first.id);
    if (!first || !li) return;
    divider.dataset.seq = String(first.seq - 0.5); // sorts between the read and the unread
    li.before(divider);
    const unread = thread().unread_count || 0;
    announceStatus(`${plural(unread, "new message")} since you last read. Showing the first, below the line marked New.`);
  }

  function showEdges() {
    earlier.hidden = !win.hasMoreBefore;
    later.hidden = !win.hasMoreAfter;
  }

  /** Draw the messages of the window not drawn yet (after a page was read). */
  function drawNew() {
    const added = win.drawn().filter((m) => !messages.has(m.id));
    for (const message of added) messages.upsert(message);
    return added;
  }

  /** Read and draw the page above, keeping what is on screen in place. */
  async function showOlder() {
    const page = await win.older();
    if (destroyed || loading || !page.length) return page;
    scroll.keepInPlace(drawNew);
    showEdges();
    return page;
  }

  /** Read and draw the page below (it appears under what is on screen). */
  async function showNewer() {
    const page = await win.newer();
    if (destroyed || loading) return page;
    drawNew();
    showEdges();
    return page;
  }

  earlier.addEventListener("click", async () => {
    try {
      const added = await showOlder();
      announceStatus(`${plural(added.length, "earlier message")} shown.`);
      if (earlier.hidden && added.length) messages.element(added[0].id)?.focus();
    } catch (error) {
      announceStatus(`Could not load earlier messages: ${error instanceof Error ? error.message : error}`);
    }
  });

  later.addEventListener("click", async () => {
    try {
      const added = await showNewer();
      announceStatus(`${plural(added.length, "later message")} shown.`);
      if (added.length) messages.element(added[0].id)?.focus();
    } catch (error) {
      announceStatus(`Could not load later messages: ${error instanceof Error ? error.message : error}`);
    }
  });

  // "r" goes to the reply box (or to the Join button when the reader cannot reply yet).
  const stopShortcut = shortcuts.register({
    key: "r",
    description: "Go to the reply box",
    run: () => {
      const target = composer ? composer.textarea : composerSlot.querySelector("button, [tabindex='-1']");
      if (!(target instanceof HTMLElement)) return false;
      target.focus();
      return true;
    },
  });

  renderHeader();
  setPosting(postingState(room));
  load();

  return {
    element,
    heading,
    threadId,
    title: () => thread().title,
    reload: () => load(),
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
      stopShortcut();
      scroll.destroy();
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
