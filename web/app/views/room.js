// @ts-check
// A room: its header, the thread list, and a pane that shows the room overview
// (room-overview.js), the "start a thread" form, or one thread (thread.js).
//
// Everything known about the room lives in one store (room-store.js): REST answers
// fill it, every live event goes through its `apply`, and the header, the list,
// the overview and the open thread redraw from it when it says what changed.
// The view owns the room's real-time subscription; moving between the overview
// and the room's threads keeps it (and its seq position); leaving the room ends it.
import { h, replaceContent } from "../dom.js";
import { get, post, ApiError } from "../api.js";
import { navigate } from "../router.js";
import { session } from "../session.js";
import { setTitle } from "../page.js";
import { announceMessage, announceStatus } from "../announcer.js";
import { createRoomStore } from "../room-store.js";
import { fetchRoom, loadThreads, loadMembers } from "../room-data.js";
import { isArchived, isOwnMessage, postingState, canStartThread } from "../permissions.js";
import { createRoomHeader } from "./room-header.js";
import { createRoomOverview } from "./room-overview.js";
import { createThreadView } from "./thread.js";
import { createThreadList } from "./thread-list.js";
import { roomError, accessLost, newThreadPane } from "./room-notices.js";
import { openStageMoveDialog } from "./stage-move.js";
import { stageLabel } from "../labels.js";
import * as realtime from "../realtime.js";
import { outbox } from "../sending.js";

/** @typedef {import("../room-store.js").RoomStore} RoomStore */
/** @typedef {import("../room-store.js").Change} Change */
/** @typedef {import("../protocol.js").DurableEvent} DurableEvent */
/** @typedef {import("../protocol.js").Thread} Thread */
/** @typedef {Record<string, string>} RoomParams  slug, and threadId, messageId or mode */
/** @typedef {ReturnType<typeof createThreadView>} ThreadView */

/** @param {HTMLElement} main @param {{params: RoomParams}} route */
export function roomView(main, { params }) {
  const me = session.user;
  const myId = me ? me.id : null;
  const slug = params.slug;
  /** @type {RoomStore | null} */
  let store = null;
  /** @type {unknown} */
  let threadsError = null;
  /** @type {(() => void) | null} */
  let stopWatching = null;
  /** @type {(() => void) | null} */
  let stopStore = null;
  /** @type {ThreadView | null} */
  let threadView = null;
  /** @type {ReturnType<typeof createRoomOverview> | null} */
  let overview = null;
  /** @type {{mode: string | null, threadId: number | null}} */
  let pane = { mode: null, threadId: null };
  let destroyed = false;
  /** @type {Promise<void> | null} */
  let ready = null;
  let roomFailed = false;
  let lastParams = params;

  const header = createRoomHeader({ onJoin: joinRoom, onLeave: leaveRoom, onMoveStage: moveStage });
  const heading = header.heading;
  const threadList = createThreadList({ threadUrl });
  const startLink = h("a", { class: "button button-small", href: `/r/${encodeURIComponent(slug)}/new` }, "Start a thread");
  const threadNav = h("nav", { class: "thread-nav", "aria-labelledby": "threads-heading" },
    h("div", { class: "thread-nav-header" }, h("h2", { id: "threads-heading" }, "Threads"), startLink),
    threadList.list, threadList.empty);
  const paneEl = h("div", { class: "room-pane" });
  const body = h("div", { class: "room-body" }, threadNav, paneEl);
  replaceContent(main, h("div", { class: "room" }, header.element, body));

  // ---- loading ---------------------------------------------------------------

  /** Read the room, its threads and members into a new store; returns it. */
  async function load() {
    const fresh = createRoomStore(await fetchRoom(slug), { me: myId });
    await Promise.all([readThreads(fresh), loadMembers(fresh).catch(() => fresh.setMembers([]))]);
    return fresh;
  }

  /** @param {RoomStore} target */
  async function readThreads(target) {
    try {
      await loadThreads(target);
      threadsError = null;
    } catch (error) {
      threadsError = error;
    }
  }

  /** Use `fresh` for the life of the view: draw it and follow its events. @param {RoomStore} fresh */
  function adopt(fresh) {
    store = fresh;
    stopStore = fresh.subscribe(onChange);
    follow();
    onChange({ room: true, threads: true, members: true, self: true });
  }

  /** (Re)start the room's subscription from the seq the store has reached. */
  function follow() {
    if (!store) return;
    stopWatching?.();
    stopWatching = realtime.watchRoom(store.state.room.id, store.state.room.last_seq, {
      onEvent, onLive: (event) => store?.apply(event), onResync, onSubscribed, onError: () => {},
    });
  }

  async function start() {
    try {
      const fresh = await load();
      if (destroyed) return;
      adopt(fresh);
    } catch (error) {
      if (destroyed) return;
      roomFailed = error instanceof ApiError && error.status === 0; // network trouble: try again on reconnect
      showNotice(roomError(error));
    }
  }

  // Joins, leaves and settings changes while we were not subscribed are not
  // replayed: re-read them.
  async function onSubscribed() {
    const current = store;
    if (!current) return;
    const [fresh] = await Promise.all([fetchRoom(current.state.room.id).catch(() => null), loadMembers(current).catch(() => {})]);
    if (!destroyed && fresh && current === store) current.setRoom(fresh);
  }

  /** The server says we are too far behind: read everything again. */
  async function onResync() {
    if (!store) return undefined;
    const current = store;
    const fresh = await fetchRoom(current.state.room.id);
    current.setRoom(fresh);
    await Promise.all([readThreads(current), loadMembers(current).catch(() => {})]);
    threadView?.reload();
    return fresh.last_seq;
  }

  /** Show a notice in place of the room. @param {{title: string, panel: HTMLElement}} notice */
  function showNotice({ title, panel }) {
    header.setTitle(title);
    setTitle(title);
    threadNav.hidden = true;
    replaceContent(paneEl, panel);
  }

  function showAccessLost() {
    stopWatching?.();
    stopWatching = null;
    threadView?.destroy();
    threadView = null;
    showNotice(accessLost());
    announceStatus("You no longer have access to this room.");
  }

  // ---- drawing from the store ---------------------------------------------

  /** @param {Change} change */
  function onChange(change) {
    if (destroyed || !store) return;
    const room = store.state.room;
    if (change.accessLost) {
      showAccessLost();
      return;
    }
    if (change.room || change.members) {
      header.render(room);
      startLink.hidden = !canStartThread(room);
    }
    if (change.threads || change.room) renderThreadList();
    if (pane.mode === "overview" && overview) {
      if (change.room) overview.renderAbout();
      if (change.members || change.room) overview.renderMembers();
      if (change.members) overview.membersChanged();
      if (change.room) setTitle(room.title);
    }
    if (change.stageMove) {
      overview?.addMove(change.stageMove);
      const by = change.stageMove.moved_by;
      announceStatus(`${by && by.id === myId ? "You moved this room" : "This room moved"} to ${stageLabel(change.stageMove.to_stage)}.`);
    }
    if (change.room || change.self) threadView?.setPosting(postingState(room));
    if (change.archived) {
      // The ways to post appear or disappear: say so, for people who cannot see it.
      announceStatus(isArchived(room)
        ? "This room has been archived. It is now read-only."
        : "This room is no longer archived. You can post in it again.");
      if (pane.mode === "new") renderNewThread();
    }
    if (change.unknownThread) readThreads(store).then(renderThreadList);
    if (change.self && !change.threads) refreshRoom(); // what they may do now comes from the server
  }

  async function refreshRoom() {
    const current = store;
    if (!current) return;
    const fresh = await fetchRoom(current.state.room.id).catch(() => null);
    if (fresh && current === store && !destroyed) current.setRoom(fresh);
  }

  function renderThreadList() {
    if (!store) return;
    threadList.render(store.state, {
      openId: pane.mode === "thread" ? pane.threadId : null,
      error: threadsError,
      canStart: canStartThread(store.state.room),
    });
  }

  /** @param {number} threadId */
  function threadUrl(threadId) {
    return `/r/${encodeURIComponent(store ? store.state.room.slug : slug)}/t/${threadId}`;
  }

  // ---- joining and leaving ----------------------------------------------------

  async function joinRoom() {
    if (!store) return;
    try {
      await post(`/rooms/${store.state.room.id}/join`);
    } catch (error) {
      announceStatus(`Could not join: ${error instanceof Error ? error.message : error}`);
      return;
    }
    announceStatus(`You joined ${store.state.room.title}.`);
    // Read the room again and subscribe again: before joining, the server may
    // have refused us the stream.
    stopWatching?.();
    stopWatching = null;
    await onResync().catch(() => undefined);
    if (destroyed) return;
    follow();
    heading.focus();
  }

  async function leaveRoom() {
    if (!store) return;
    /** @type {{room: import("../protocol.js").Room | null}} */
    let answer;
    try {
      answer = await post(`/rooms/${store.state.room.id}/leave`);
    } catch (error) {
      announceStatus(`Could not leave: ${error instanceof Error ? error.message : error}`);
      return;
    }
    announceStatus(`You left ${store.state.room.title}.`);
    if (!answer.room) return; // an invite-only room: room.access_lost follows
    store.setRoom(answer.room);
    await loadMembers(store).catch(() => {});
    heading.focus();
  }

  // ---- moving along the pipeline ---------------------------------------------

  /** The "Move stage" dialog; the move itself reaches the page as stage.moved. @param {HTMLElement} opener */
  function moveStage(opener) {
    if (!store) return;
    openStageMoveDialog({ room: store.state.room, opener, onMoved: () => opener.focus() });
  }

  // ---- panes -----------------------------------------------------------------

  function renderOverview() {
    if (!store) return;
    overview ??= createRoomOverview({ store, me, onInvited });
    overview.show(paneEl);
    setTitle(store.state.room.title);
  }

  // The invite answer names only the user id: the member list, re-read, has their name.
  /** @param {number} userId */
  async function onInvited(userId) {
    if (!store) return null;
    await loadMembers(store).catch(() => {});
    const member = store.state.members.get(userId);
    return member ? member.user.display_name : null;
  }

  function renderNewThread() {
    if (!store) return heading;
    const room = store.state.room;
    const { section, heading: sectionHeading } = newThreadPane(room, (thread) => {
      store?.putThread({ unread_count: 0, following: true, ...thread });
      announceStatus(`Thread ${thread.title} started.`);
      navigate(threadUrl(thread.id));
    });
    replaceContent(paneEl, section);
    setTitle("Start a thread", room.title);
    return sectionHeading;
  }

  /** @param {number} threadId @param {number | null} messageId */
  async function openThread(threadId, messageId) {
    if (!store) return heading;
    const room = store.state.room;
    if (threadView && threadView.threadId === threadId) {
      threadView.showMessage(messageId);
      setTitle(threadView.title(), room.title);
      // A permalink within the open thread: the message itself has taken focus.
      return messageId ? null : threadView.heading;
    }
    threadView?.destroy();
    threadView = null;
    if (!store.state.threads.has(threadId)) {
      try {
        /** @type {{thread: Thread}} */
        const { thread } = await get(`/threads/${threadId}`);
        if (thread.room_id !== room.id) throw new ApiError(404, "not_found", "Not in this room");
        store.putThread(thread);
      } catch (error) {
        const notFoundHeading = h("h2", { tabindex: "-1" }, "Thread not found");
        replaceContent(paneEl, notFoundHeading, h("p", {},
          error instanceof ApiError && (error.status === 404 || error.status === 403)
            ? "This thread does not exist in this room, or it was removed."
            : error instanceof Error ? error.message : String(error)));
        setTitle("Thread not found", room.title);
        return notFoundHeading;
      }
    }
    if (destroyed || pane.threadId !== threadId || !store) return null;
    threadView = createThreadView({ store, threadId, messageId, onJoin: () => joinRoom() });
    replaceContent(paneEl, threadView.element);
    setTitle(threadView.title(), room.title);
    return threadView.heading;
  }

  /** Show what the URL asks for; returns the element that should take focus. @param {RoomParams} routeParams */
  async function show(routeParams) {
    lastParams = routeParams;
    await ready;
    if (destroyed || !store || store.state.accessLost) return heading;
    const threadId = routeParams.threadId ? Number(routeParams.threadId) : null;
    const messageId = routeParams.messageId ? Number(routeParams.messageId) : null;
    const mode = threadId ? "thread" : routeParams.mode || "overview";
    const previous = pane;
    pane = { mode, threadId };
    body.classList.toggle("has-thread", mode !== "overview");
    if (mode !== "thread" && threadView) {
      threadView.destroy();
      threadView = null;
    }
    renderThreadList();
    if (mode === "thread" && threadId) return openThread(threadId, messageId);
    if (mode === "new") return renderNewThread();
    renderOverview();
    return previous.mode ? heading : null;
  }

  // ---- events ----------------------------------------------------------------

  /** @param {DurableEvent} event */
  function onEvent(event) {
    if (!store) return;
    store.apply(event);
    if (event.type !== "message.created") return;
    const message = event.message;
    const own = isOwnMessage(message, myId);
    if (own && message.client_id) outbox.settle(message.client_id, message);
    if (!own) {
      const thread = store.state.threads.get(message.thread_id);
      announceMessage({
        author: message.author ? message.author.display_name : "someone",
        where: thread ? thread.title : "a new thread",
        excerpt: message.body,
      });
    }
  }

  // What failed to load while the network was down loads once it is back.
  const stopConnection = realtime.onConnectionChange(async (state) => {
    if (state !== "connected" || destroyed) return;
    if (roomFailed) {
      roomFailed = false;
      threadNav.hidden = false;
      ready = start();
      show(lastParams);
      return;
    }
    if (store && threadsError instanceof ApiError && threadsError.status === 0) {
      await readThreads(store);
      renderThreadList();
    }
  });

  ready = start();

  return {
    title: "Room",
    heading,
    /** Routes within this room reuse the view and its subscription. @param {RoomParams} nextParams */
    update(nextParams) {
      if (nextParams.slug !== slug) return false;
      return show(nextParams);
    },
    /** @param {RoomParams} routeParams */
    enter: (routeParams) => show(routeParams),
    destroy() {
      destroyed = true;
      stopConnection();
      threadView?.destroy();
      overview?.destroy();
      stopWatching?.();
      stopStore?.();
    },
  };
}
