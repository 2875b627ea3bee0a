// A room: its header (title, stage, badges, join/leave, "Edit room"), the thread
// list, and a pane that shows the room overview (summary, members and, for people
// who may manage the room, the invite form), the "start a thread" form, or one
// thread. An archived room is read-only: a notice replaces the ways to post.
//
// The room view owns the room's real-time subscription. Moving between the
// overview and the room's threads keeps it (and its seq position); leaving the
// room ends it.
import { h, replaceContent, setServerHtml } from "../dom.js";
import { get, post, ApiError } from "../api.js";
import { stageBadge, collaboratorsBadge, plural } from "../labels.js";
import { whileBusy } from "../forms.js";
import { navigate } from "../router.js";
import { session } from "../session.js";
import { setTitle } from "../page.js";
import { announceMessage, announceStatus } from "../announcer.js";
import { createThreadView } from "./thread.js";
import { createThreadList } from "./thread-list.js";
import { createMembersPanel } from "./members.js";
import { inviteForm } from "./invite.js";
import { newThreadForm } from "./new-thread.js";
import * as realtime from "../realtime.js";
import * as outbox from "../outbox.js";

export function roomView(main, { params }) {
  const me = session.user;
  const slug = params.slug;
  let room = null;
  const threads = new Map(); // id -> Thread (with our per-reader fields)
  const members = new Map(); // user id -> member
  let threadsError = null;
  let stopWatching = null;
  let threadView = null;
  let pane = { mode: null, threadId: null };
  let destroyed = false;
  let ready = null;
  let roomFailed = false;
  let lastParams = params;

  const heading = h("h1", { tabindex: "-1", class: "room-title" }, "Loading room…");
  const badges = h("p", { class: "badges" });
  const actions = h("div", { class: "room-actions" });
  const threadList = createThreadList({ threadUrl });
  const startLink = h("a", { class: "button button-small", href: `/r/${encodeURIComponent(slug)}/new` }, "Start a thread");
  const threadNav = h("nav", { class: "thread-nav", "aria-labelledby": "threads-heading" },
    h("div", { class: "thread-nav-header" }, h("h2", { id: "threads-heading" }, "Threads"), startLink),
    threadList.list, threadList.empty);
  const paneEl = h("div", { class: "room-pane" });
  const body = h("div", { class: "room-body" }, threadNav, paneEl);
  const archivedNotice = h("p", { class: "notice archived-notice", hidden: true },
    "This room is archived and read-only. You can read its threads, but nobody can post in them.");
  const header = h("div", { class: "room-header" },
    h("nav", { class: "breadcrumbs", "aria-label": "Breadcrumb" },
      h("ol", {}, h("li", {}, h("a", { href: "/" }, "Rooms")))),
    heading, badges, actions, archivedNotice);
  // The overview's two sections persist while the room is open, so live updates
  // redraw them in place and cannot wipe a half-typed invitation.
  const about = h("section", { class: "room-about", "aria-labelledby": "about-heading" });
  const membersPanel = createMembersPanel(me);
  let invite = null;
  replaceContent(main, h("div", { class: "room" }, header, body));

  // ---- loading ---------------------------------------------------------------

  async function loadRoom() {
    ({ room } = await get(`/rooms/${encodeURIComponent(slug)}`));
    const lastSeq = room.last_seq;
    await Promise.all([loadThreads(), loadMembers()]);
    return lastSeq;
  }

  async function loadThreads() {
    try {
      const { threads: list } = await get(`/rooms/${room.id}/threads`);
      threadsError = null;
      const seen = new Set();
      for (const thread of list) {
        threads.set(thread.id, thread);
        seen.add(thread.id);
      }
      for (const id of [...threads.keys()]) if (!seen.has(id)) threads.delete(id);
    } catch (error) {
      threadsError = error;
    }
  }

  // Counts member.joined / member.left events applied live. A member list fetched
  // while one arrived may predate it, and must not overwrite it: fetch again.
  let memberChanges = 0;

  async function loadMembers() {
    for (let attempt = 0; attempt < 5; attempt++) {
      const changesBefore = memberChanges;
      let list;
      try {
        ({ members: list } = await get(`/rooms/${room.id}/members`));
      } catch {
        members.clear();
        return;
      }
      if (memberChanges !== changesBefore && attempt < 4) continue; // stale: a live change came meanwhile
      members.clear();
      for (const member of list) members.set(member.user.id, member);
      room.member_count = list.length; // the list is newer than the room we loaded
      return;
    }
  }

  async function start() {
    let lastSeq;
    try {
      lastSeq = await loadRoom();
    } catch (error) {
      if (destroyed) return;
      roomFailed = error.status === 0; // network trouble: try again on reconnect
      showRoomError(error);
      return;
    }
    if (destroyed) return;
    renderHeader();
    renderThreadList();
    stopWatching = realtime.watchRoom(room.id, lastSeq, { onEvent, onLive, onResync, onSubscribed, onError: () => {} });
  }

  // Joins, leaves and settings changes while we were not subscribed are not
  // replayed: re-read them.
  async function onSubscribed() {
    const [fresh] = await Promise.all([
      get(`/rooms/${room.id}`).then((answer) => answer.room, () => null),
      loadMembers(),
    ]);
    if (destroyed) return;
    if (fresh) applyRoom({ ...room, ...fresh, last_seq: room.last_seq, member_count: room.member_count });
    else renderHeader();
    refreshMembers();
  }

  async function onResync() {
    const lastSeq = await loadRoom();
    if (destroyed) return lastSeq;
    renderHeader();
    renderThreadList();
    if (pane.mode === "overview") renderOverview();
    threadView?.reload();
    return lastSeq;
  }

  function showRoomError(error) {
    const notFound = error instanceof ApiError && (error.status === 404 || error.status === 403);
    heading.textContent = notFound ? "Room not found" : "This room could not be loaded";
    setTitle(heading.textContent);
    threadNav.hidden = true;
    replaceContent(paneEl, h("div", { class: "panel" },
      h("p", {}, notFound
        ? "There is no room at this address, or it is invite-only and you have not been invited. Check the link, or ask the room’s owner to invite you."
        : error.message),
      h("p", {}, h("a", { href: "/" }, "Go to the room directory"))));
  }

  // ---- header ----------------------------------------------------------------

  function isArchived() {
    return room.stage === "archived";
  }

  /** What the reader may do in threads: "member" (reply), "join" (join first) or "archived" (nothing). */
  function posting() {
    if (isArchived()) return "archived";
    return room.membership ? "member" : "join";
  }

  function renderHeader() {
    heading.textContent = room.title;
    startLink.hidden = !room.membership || isArchived();
    archivedNotice.hidden = !isArchived();
    replaceContent(badges, stageBadge(room.stage),
      room.looking_for_collaborators ? collaboratorsBadge() : null,
      room.visibility === "invite" ? h("span", { class: "badge" }, "Invite only") : null,
      h("span", { class: "badge badge-plain" }, plural(room.member_count, "member")));
    // Rebuild the join/leave control only when it changes, so focus on it survives updates.
    const actionKey = `${room.membership}/${room.visibility}/${Boolean(room.can_manage)}/${room.slug}`;
    if (actions.dataset.key === actionKey) return;
    actions.dataset.key = actionKey;
    const controls = [];
    if (!room.membership && room.visibility === "open") {
      const join = h("button", { type: "button", class: "button" }, "Join room");
      join.addEventListener("click", () => whileBusy(join, joinRoom));
      controls.push(join);
    } else if (room.membership && room.membership !== "owner") {
      // Owners stay; the members list shows them as Owner.
      const leave = h("button", { type: "button", class: "button button-secondary button-small" }, "Leave room");
      leave.addEventListener("click", () => whileBusy(leave, leaveRoom));
      controls.push(leave);
    }
    if (room.can_manage) {
      controls.push(h("a", { class: "button button-secondary button-small", href: `/r/${encodeURIComponent(room.slug)}/settings` },
        "Edit room"));
    }
    replaceContent(actions, controls);
  }

  async function joinRoom() {
    try {
      ({ room } = await post(`/rooms/${room.id}/join`));
    } catch (error) {
      announceStatus(`Could not join: ${error.message}`);
      return;
    }
    announceStatus(`You joined ${room.title}.`);
    // Re-subscribe: before joining the server may have refused us the stream.
    stopWatching?.();
    const lastSeq = await loadRoom();
    if (destroyed) return;
    renderHeader();
    renderThreadList();
    stopWatching = realtime.watchRoom(room.id, lastSeq, { onEvent, onLive, onResync, onSubscribed, onError: () => {} });
    if (pane.mode === "overview") renderOverview();
    threadView?.setPosting(posting());
    heading.focus();
  }

  async function leaveRoom() {
    try {
      ({ room } = await post(`/rooms/${room.id}/leave`));
    } catch (error) {
      announceStatus(`Could not leave: ${error.message}`);
      return;
    }
    announceStatus(`You left ${room.title}.`);
    renderHeader();
    await loadMembers();
    if (pane.mode === "overview") renderOverview();
    threadView?.setPosting(posting());
    heading.focus();
  }

  // ---- thread list -----------------------------------------------------------

  function renderThreadList() {
    threadList.render(threads, {
      openId: pane.mode === "thread" ? pane.threadId : null,
      error: threadsError,
      canStart: Boolean(room && room.membership && !isArchived()),
    });
  }

  function threadUrl(threadId) {
    return `/r/${encodeURIComponent(room ? room.slug : slug)}/t/${threadId}`;
  }

  function mergeThread(changes) {
    const existing = threads.get(changes.id);
    const merged = { ...(existing || {}), ...changes };
    threads.set(changes.id, merged);
    return merged;
  }

  // ---- panes -----------------------------------------------------------------

  function renderOverview() {
    const summary = room.summary_html
      ? setServerHtml(h("div", { class: "prose" }), room.summary_html)
      : h("p", { class: "hint" }, "This room has no summary yet.");
    replaceContent(about,
      h("h2", { id: "about-heading" }, "About this room"),
      summary,
      room.tags.length ? h("p", { class: "tags" }, "Tags: ", room.tags.map((t) => h("span", { class: "tag" }, t))) : null);
    refreshMembers();
    if (about.parentNode !== paneEl || membersPanel.element.parentNode !== paneEl) {
      replaceContent(paneEl, about, membersPanel.element);
    }
    setTitle(room.title);
  }

  function refreshMembers() {
    membersPanel.render(members);
    if (room.can_manage && !invite) invite = inviteForm({ room, memberIds: () => members.keys(), onInvited });
    membersPanel.setInvite(room.can_manage ? invite.form : null);
  }

  // The invite answer names only the user id: the member list, re-read, has their name.
  async function onInvited(userId) {
    await loadMembers();
    if (!destroyed) {
      renderHeader();
      refreshMembers();
    }
    const member = members.get(userId);
    return member ? member.user.display_name : null;
  }

  function renderNewThread() {
    const sectionHeading = h("h2", { id: "new-thread-heading", tabindex: "-1" }, "Start a thread");
    let content;
    if (isArchived()) content = h("p", {}, "This room is archived, so no new threads can be started.");
    else if (room.membership) {
      content = newThreadForm({
        room,
        onStarted: (thread) => {
          mergeThread({ unread_count: 0, following: true, ...thread });
          renderThreadList();
          announceStatus(`Thread ${thread.title} started.`);
          navigate(threadUrl(thread.id));
        },
      }).form;
    } else content = h("p", {}, "Join this room to start a thread.");
    replaceContent(paneEl, h("section", { class: "new-thread", "aria-labelledby": "new-thread-heading" }, sectionHeading, content));
    setTitle("Start a thread", room.title);
    return sectionHeading;
  }

  async function openThread(threadId, messageId) {
    if (threadView && threadView.threadId === threadId) {
      threadView.showMessage(messageId);
      setTitle(threadView.title(), room.title);
      // A permalink within the open thread: the message itself has taken focus.
      return messageId ? null : threadView.heading;
    }
    threadView?.destroy();
    threadView = null;
    let thread = threads.get(threadId);
    if (!thread) {
      try {
        ({ thread } = await get(`/threads/${threadId}`));
        if (thread.room_id !== room.id) throw new ApiError(404, "not_found", "Not in this room");
        mergeThread(thread);
      } catch (error) {
        const notFoundHeading = h("h2", { tabindex: "-1" }, "Thread not found");
        replaceContent(paneEl, notFoundHeading, h("p", {},
          error.status === 404 || error.status === 403
            ? "This thread does not exist in this room, or it was removed."
            : error.message));
        setTitle("Thread not found", room.title);
        return notFoundHeading;
      }
    }
    if (destroyed || pane.threadId !== threadId) return null;
    threadView = createThreadView({
      room,
      thread,
      messageId,
      getPeople: () => [...members.values()].map((m) => m.user).filter((u) => !me || u.id !== me.id),
      posting: posting(),
      onThreadUpdate: (changes) => {
        mergeThread(changes);
        renderThreadList();
      },
      onJoin: () => joinRoom(),
    });
    replaceContent(paneEl, threadView.element);
    setTitle(thread.title, room.title);
    return threadView.heading;
  }

  /** Show what the URL asks for; returns the element that should take focus. */
  async function show(routeParams) {
    lastParams = routeParams;
    await ready;
    if (destroyed || !room) return heading;
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
    if (mode === "thread") return openThread(threadId, messageId);
    if (mode === "new") return renderNewThread();
    renderOverview();
    return previous.mode ? heading : null;
  }

  // ---- events ----------------------------------------------------------------

  /** Show changed room settings (title, stage, tags, ...) in place. */
  function applyRoom(next) {
    const wasArchived = isArchived();
    room = next;
    renderHeader();
    renderThreadList();
    if (pane.mode === "overview") renderOverview();
    threadView?.setPosting(posting());
    if (wasArchived !== isArchived()) {
      // The ways to post appear or disappear: say so, for people who cannot see it.
      announceStatus(isArchived()
        ? "This room has been archived. It is now read-only."
        : "This room is no longer archived. You can post in it again.");
      if (pane.mode === "new") renderNewThread();
    }
  }

  function onEvent(event) {
    if (event.type === "thread.created") {
      const thread = event.thread;
      const mine = me && thread.created_by && thread.created_by.id === me.id;
      const existing = threads.get(thread.id);
      mergeThread({
        unread_count: mine ? 0 : thread.message_count || 0,
        following: Boolean(mine),
        last_read_seq: 0,
        ...existing,
        ...thread,
        // Event thread objects carry no per-reader fields; keep ours.
        ...(existing ? { unread_count: existing.unread_count, following: existing.following, last_read_seq: existing.last_read_seq } : {}),
      });
      renderThreadList();
      return;
    }
    const message = event.message;
    if (!message) return;
    const thread = threads.get(message.thread_id);
    if (event.type === "message.created") {
      const own = Boolean(me && message.author && message.author.id === me.id);
      if (own && message.client_id) outbox.settle(message.client_id, message);
      if (thread) {
        // Already counted when the thread list was loaded after this message.
        if (!thread.last_activity_at || message.created_at > thread.last_activity_at) {
          thread.message_count = (thread.message_count || 0) + 1;
          thread.last_activity_at = message.created_at;
          if (!own && message.seq > (thread.last_read_seq || 0)) thread.unread_count = (thread.unread_count || 0) + 1;
        }
        renderThreadList();
        if (threadView && threadView.threadId === thread.id) threadView.update({ message_count: thread.message_count });
      } else {
        loadThreads().then(renderThreadList);
      }
      if (!own) {
        announceMessage({
          author: message.author ? message.author.display_name : "someone",
          where: thread ? thread.title : "a new thread",
          excerpt: message.body,
        });
      }
    }
    threadView?.applyEvent(event);
  }

  function onLive(event) {
    // room.updated and room.access_lost are not numbered: ignoring them would leave a
    // stale page, and onSubscribed re-reads the room for any missed while away.
    if (event.type === "room.updated" && event.room) {
      // The event's room carries no per-reader fields (membership, unread, seq,
      // can_manage): keep ours.
      applyRoom({ ...room, ...event.room, membership: room.membership, unread_count: room.unread_count,
        last_seq: room.last_seq, can_manage: room.can_manage });
      return;
    }
    if (event.type === "room.access_lost") {
      stopWatching?.();
      stopWatching = null;
      threadView?.destroy();
      threadView = null;
      announceStatus("You no longer have access to this room.");
      showRoomError(new ApiError(403, "forbidden", "No access"));
      return;
    }
    if (event.type === "typing") {
      threadView?.applyLive(event);
    } else if (event.type === "presence") {
      const online = new Set(event.online);
      for (const member of members.values()) member.online = online.has(member.user.id);
      refreshMembers();
    } else if (event.type === "member.joined" && event.user) {
      memberChanges += 1;
      const existing = members.get(event.user.id);
      members.set(event.user.id, {
        joined_at: new Date().toISOString(), online: false, ...existing,
        role: event.role || existing?.role || "member", user: event.user,
      });
      if (!existing) room.member_count += 1;
      renderHeader();
      refreshMembers();
    } else if (event.type === "member.left" && event.user) {
      memberChanges += 1;
      if (members.delete(event.user.id)) room.member_count = Math.max(0, room.member_count - 1);
      renderHeader();
      refreshMembers();
    } else if (event.type === "read") {
      const thread = threads.get(event.thread_id);
      if (!thread) return;
      thread.last_read_seq = event.last_read_seq;
      thread.unread_count = event.unread_count;
      renderThreadList();
      if (threadView && threadView.threadId === thread.id) {
        threadView.update({ last_read_seq: event.last_read_seq, unread_count: event.unread_count });
      }
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
    if (threadsError && threadsError.status === 0) {
      await loadThreads();
      renderThreadList();
    }
  });

  ready = start();

  return {
    title: "Room",
    heading,
    /** Routes within this room reuse the view and its subscription. */
    update(nextParams) {
      if (nextParams.slug !== slug) return false;
      return show(nextParams);
    },
    enter: (routeParams) => show(routeParams),
    destroy() {
      destroyed = true;
      stopConnection();
      threadView?.destroy();
      stopWatching?.();
    },
  };
}
