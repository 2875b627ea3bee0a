// A room: its header (title, stage, badges, join/leave), the thread list, and a
// pane that shows the room overview (summary and members), the "start a thread"
// form, or one thread.
//
// The room view owns the room's real-time subscription. Moving between the
// overview and the room's threads keeps it (and its seq position); leaving the
// room ends it.
import { h, replaceContent, setServerHtml, hiddenText } from "../dom.js";
import { get, post, ApiError } from "../api.js";
import { stageBadge, collaboratorsBadge, organisationLabel, plural, unreadBadge } from "../labels.js";
import { timeElement } from "../time.js";
import { field, errorSummary, showErrors, clearErrors, errorsFrom, whileBusy } from "../forms.js";
import { navigate } from "../router.js";
import { session } from "../session.js";
import { setTitle } from "../page.js";
import { announceMessage, announceStatus } from "../announcer.js";
import { createThreadView } from "./thread.js";
import * as realtime from "../realtime.js";
import * as outbox from "../outbox.js";

const ROLE_NAMES = { owner: "Owner", facilitator: "Facilitator" };

export function roomView(main, { params }) {
  const me = session.user;
  const slug = params.slug;
  let room = null;
  const threads = new Map(); // id -> Thread (with our per-reader fields)
  const threadItems = new Map(); // id -> li
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
  const threadList = h("ul", { class: "thread-list" });
  const threadEmpty = h("p", { class: "thread-empty hint", hidden: true });
  const startLink = h("a", { class: "button button-small", href: `/r/${encodeURIComponent(slug)}/new` }, "Start a thread");
  const threadNav = h("nav", { class: "thread-nav", "aria-labelledby": "threads-heading" },
    h("div", { class: "thread-nav-header" }, h("h2", { id: "threads-heading" }, "Threads"), startLink),
    threadList, threadEmpty);
  const paneEl = h("div", { class: "room-pane" });
  const body = h("div", { class: "room-body" }, threadNav, paneEl);
  const header = h("div", { class: "room-header" },
    h("nav", { class: "breadcrumbs", "aria-label": "Breadcrumb" },
      h("ol", {}, h("li", {}, h("a", { href: "/" }, "Rooms")))),
    heading, badges, actions);
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

  async function loadMembers() {
    try {
      const { members: list } = await get(`/rooms/${room.id}/members`);
      members.clear();
      for (const member of list) members.set(member.user.id, member);
    } catch {
      members.clear();
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
    stopWatching = realtime.watchRoom(room.id, lastSeq, { onEvent, onLive, onResync, onError: () => {} });
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

  function renderHeader() {
    heading.textContent = room.title;
    replaceContent(badges, stageBadge(room.stage),
      room.looking_for_collaborators ? collaboratorsBadge() : null,
      room.visibility === "invite" ? h("span", { class: "badge" }, "Invite only") : null,
      h("span", { class: "badge badge-plain" }, plural(room.member_count, "member")));
    if (!room.membership && room.visibility === "open") {
      const join = h("button", { type: "button", class: "button" }, "Join room");
      join.addEventListener("click", () => whileBusy(join, joinRoom));
      replaceContent(actions, join);
    } else if (room.membership && room.membership !== "owner") {
      const leave = h("button", { type: "button", class: "button button-secondary button-small" }, "Leave room");
      leave.addEventListener("click", () => whileBusy(leave, leaveRoom));
      replaceContent(actions, leave);
    } else {
      actions.replaceChildren(); // owners stay; the members list shows them as Owner
    }
    startLink.hidden = !room.membership;
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
    stopWatching = realtime.watchRoom(room.id, lastSeq, { onEvent, onLive, onResync, onError: () => {} });
    if (pane.mode === "overview") renderOverview();
    threadView?.setCanPost(true);
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
    threadView?.setCanPost(false);
    heading.focus();
  }

  // ---- thread list -----------------------------------------------------------

  function sortedThreads() {
    return [...threads.values()].sort((a, b) =>
      (b.last_activity_at || b.created_at || "").localeCompare(a.last_activity_at || a.created_at || ""));
  }

  function renderThreadList() {
    if (threadsError) {
      threadList.replaceChildren();
      threadItems.clear();
      threadEmpty.hidden = false;
      threadEmpty.textContent = threadsError.status === 403
        ? "Join this room to see its threads."
        : `Threads could not be loaded: ${threadsError.message}`;
      return;
    }
    const focused = document.activeElement;
    const ordered = sortedThreads();
    for (const [id, li] of threadItems) {
      if (!threads.has(id)) {
        li.remove();
        threadItems.delete(id);
      }
    }
    let previous = null;
    for (const thread of ordered) {
      let li = threadItems.get(thread.id);
      if (!li) {
        li = h("li", { class: "thread-item" }, h("a", { href: threadUrl(thread.id) }));
        threadItems.set(thread.id, li);
      }
      fillThreadLink(li.firstChild, thread);
      const expected = previous ? previous.nextSibling : threadList.firstChild;
      if (expected !== li) {
        if (previous) previous.after(li);
        else threadList.prepend(li);
      }
      previous = li;
    }
    // Moving a focused link in the DOM drops focus; put it back.
    if (focused && focused !== document.activeElement && threadList.contains(focused)) focused.focus();
    threadEmpty.hidden = ordered.length > 0;
    threadEmpty.textContent = room && room.membership ? "No threads yet. Start the first one." : "No threads yet.";
  }

  function fillThreadLink(link, thread) {
    const isOpen = pane.mode === "thread" && pane.threadId === thread.id;
    if (isOpen) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
    replaceContent(link,
      h("span", { class: "thread-item-title" }, thread.title),
      h("span", { class: "thread-item-meta" },
        plural(thread.message_count || 0, "message"),
        thread.last_activity_at ? [", last ", timeElement(thread.last_activity_at)] : null,
        thread.following ? [hiddenText(", "), h("span", { class: "following-mark" }, "following")] : null),
      thread.unread_count ? [hiddenText(", "), unreadBadge(thread.unread_count)] : null);
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
    replaceContent(paneEl,
      h("section", { class: "room-about", "aria-labelledby": "about-heading" },
        h("h2", { id: "about-heading" }, "About this room"),
        summary,
        room.tags.length ? h("p", { class: "tags" }, "Tags: ", room.tags.map((t) => h("span", { class: "tag" }, t))) : null),
      membersSection());
    setTitle(room.title);
  }

  function membersSection() {
    const list = [...members.values()].sort((a, b) =>
      Number(Boolean(b.online)) - Number(Boolean(a.online)) || a.user.display_name.localeCompare(b.user.display_name));
    const online = list.filter((m) => m.online).length;
    return h("section", { class: "room-members", "aria-labelledby": "members-heading" },
      h("h2", { id: "members-heading" }, "Members"),
      h("p", { class: "members-summary" }, `${plural(list.length, "member")}, ${online} online now.`),
      h("ul", { class: "member-list" }, list.map((member) => h("li", { class: `member${member.online ? " is-online" : ""}` },
        h("span", { class: "presence-dot", "aria-hidden": "true" }),
        h("span", { class: "member-name" }, member.user.display_name),
        me && member.user.id === me.id ? h("span", { class: "hint" }, " (you)") : null,
        member.user.organisation ? [" ", organisationLabel(member.user.organisation)] : null,
        ROLE_NAMES[member.role] ? [" ", h("span", { class: "badge badge-plain" }, ROLE_NAMES[member.role])] : null,
        " ",
        h("span", { class: "presence-text" }, member.online ? "Online" : "Offline")))));
  }

  function refreshMembers() {
    const section = paneEl.querySelector(".room-members");
    if (section) section.replaceWith(membersSection());
  }

  function renderNewThread() {
    const title = field({ name: "title", label: "Title", hint: "A short description, for example ‘Data sharing agreement’." });
    const first = field({ name: "body", label: "First message", control: "textarea", rows: 6,
      hint: "Markdown works, for example **bold** and lists. Type @ followed by a name to mention someone." });
    const errors = errorSummary();
    const submit = h("button", { type: "submit", class: "button" }, "Start thread");
    const sectionHeading = h("h2", { id: "new-thread-heading", tabindex: "-1" }, "Start a thread");
    const form = h("form", { class: "form", novalidate: true }, errors.box, title.wrapper, first.wrapper,
      h("div", { class: "form-actions" }, submit,
        h("a", { href: `/r/${encodeURIComponent(room.slug)}`, class: "link-button" }, "Cancel")));
    const clientId = crypto.randomUUID(); // one per form, so a double submit stores one thread
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const problems = [];
      if (!title.input.value.trim()) problems.push({ field: "title", message: "Enter a title for the thread" });
      if (!first.input.value.trim()) problems.push({ field: "body", message: "Enter the first message" });
      if (problems.length) {
        showErrors(form, errors, problems);
        return;
      }
      clearErrors(form, errors);
      whileBusy(submit, async () => {
        try {
          const { thread } = await post(`/rooms/${room.id}/threads`, {
            title: title.input.value.trim(), body: first.input.value, client_id: clientId,
          });
          mergeThread({ unread_count: 0, following: true, ...thread });
          renderThreadList();
          announceStatus(`Thread ${thread.title} started.`);
          navigate(threadUrl(thread.id));
        } catch (error) {
          showErrors(form, errors, errorsFrom(error, ["title", "body"]));
        }
      });
    });
    first.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
    });
    replaceContent(paneEl, h("section", { class: "new-thread", "aria-labelledby": "new-thread-heading" },
      sectionHeading, room.membership ? form : h("p", {}, "Join this room to start a thread.")));
    setTitle("Start a thread", room.title);
    return sectionHeading;
  }

  async function openThread(threadId, messageId) {
    if (threadView && threadView.threadId === threadId) {
      threadView.showMessage(messageId);
      setTitle(threadView.title(), room.title);
      return threadView.heading;
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
      canPost: Boolean(room.membership),
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
    if (event.type === "typing") {
      threadView?.applyLive(event);
    } else if (event.type === "presence") {
      const online = new Set(event.online);
      for (const member of members.values()) member.online = online.has(member.user.id);
      refreshMembers();
    } else if (event.type === "member.joined" && event.user) {
      const existing = members.get(event.user.id);
      members.set(event.user.id, {
        joined_at: new Date().toISOString(), online: false, ...existing,
        role: event.role || existing?.role || "member", user: event.user,
      });
      if (!existing) room.member_count += 1;
      renderHeader();
      refreshMembers();
    } else if (event.type === "member.left" && event.user) {
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
