// @ts-check
// What the browser knows about one room, and the one function that changes it for
// a server event: `apply(state, event, context)`. The directory, the room and the
// thread views all keep their room in a store and draw from it, so counts, edits and
// settings follow the same rules everywhere.
//
// Counts stay exact across the overlap of a REST answer and the live stream:
// room-level counters move only for events numbered after the room's `last_seq`;
// a thread first seen in an event counts from that event's seq (`known_seq`); a
// thread read over REST counts a message only if it is newer than its last
// activity. Per-reader fields (membership, unread, following, read marker,
// can_manage) are never taken from an event's copy of a room or thread.
//
// No DOM here: `node --test` runs it (web/test/room-store.test.js).

/** @typedef {import("./protocol.js").Room} Room */
/** @typedef {import("./protocol.js").Thread} Thread */
/** @typedef {import("./protocol.js").Message} Message */
/** @typedef {import("./protocol.js").Member} Member */
/** @typedef {import("./protocol.js").User} User */
/** @typedef {import("./protocol.js").RoomEvent} RoomEvent */

/** How long "is typing" lasts after the last notice (the server sends one every 3 s). */
export const TYPING_MS = 6000;

/**
 * @typedef {object} RoomState
 * @property {Room} room
 * @property {Map<number, Thread>} threads
 * @property {boolean} threadsLoaded  whether `threads` is the whole list (the directory never loads it)
 * @property {Map<number, Member>} members
 * @property {boolean} membersLoaded
 * @property {number} memberChanges  member events applied; a member list read meanwhile may be older
 * @property {Map<number, Map<number, Message>>} messages  thread id -> loaded messages, for open threads only
 * @property {Map<number, Map<number, {user: User, at: number}>>} typing  thread id -> user id -> last notice
 * @property {boolean} accessLost
 */

/**
 * What an update changed, so views redraw only that.
 * @typedef {object} Change
 * @property {boolean} [room]  the room's own fields (title, stage, counts, membership)
 * @property {boolean} [archived]  the room became archived, or stopped being
 * @property {boolean} [self]  the reader's own membership changed: re-read the room for what they may do now
 * @property {boolean} [threads]  the thread list (order or any thread's fields)
 * @property {number} [thread]  the thread whose fields changed
 * @property {boolean} [unknownThread]  an event for a thread not in the list: re-read it
 * @property {boolean} [roomStale]  a count this store cannot keep itself changed: re-read the room
 * @property {Message} [message]  a message added or changed in a loaded thread
 * @property {boolean} [members]
 * @property {number} [typing]  the thread whose typing notices changed
 * @property {boolean} [accessLost]
 * @property {import("./protocol.js").StageMove} [stageMove]  the room moved to another stage (stage.moved)
 */

/**
 * @typedef {object} Context
 * @property {number | null} me  the reader's user id
 * @property {number} [now]  milliseconds, for typing notices
 */

/** @param {Room} room @returns {RoomState} */
export function newRoomState(room) {
  return {
    room: { ...room },
    threads: new Map(),
    threadsLoaded: false,
    members: new Map(),
    membersLoaded: false,
    memberChanges: 0,
    messages: new Map(),
    typing: new Map(),
    accessLost: false,
  };
}

const PER_READER_ROOM = /** @type {const} */ (["membership", "unread_count", "can_manage", "last_seq"]);

/**
 * Apply one server event to `state`. Idempotent for durable events already applied
 * (the realtime layer also drops repeats). Returns what changed.
 * @param {RoomState} state
 * @param {RoomEvent} event
 * @param {Context} context
 * @returns {Change}
 */
export function apply(state, event, context) {
  if (!event || event.room_id !== state.room.id) return {};
  switch (event.type) {
    case "message.created": return messageCreated(state, event.seq, event.message, context);
    case "message.edited": return messageChanged(state, event.seq, event.message);
    case "message.deleted": return messageDeleted(state, event.seq, event.message, context);
    case "thread.created": return threadCreated(state, event.seq, event.thread, context);
    case "member.joined": return memberJoined(state, event.user, event.role || "member", context);
    case "member.left": return memberLeft(state, event.user, context);
    case "room.updated": return roomUpdated(state, event.room);
    case "stage.moved": return stageMoved(state, event.seq, event.move);
    case "room.access_lost":
      state.accessLost = true;
      return { accessLost: true };
    case "typing": return typing(state, event.thread_id, event.user, context);
    case "presence": return presence(state, event.online);
    case "presence.changed": return presenceChanged(state, event.came, event.went);
    case "read": return read(state, event.thread_id, event.last_read_seq, event.unread_count);
    default: return {};
  }
}

/** @param {Message} message @param {Context} context */
function isOwn(message, context) {
  return context.me != null && message.author != null && message.author.id === context.me;
}

/** Move the room's seq; true the first time this seq is seen. @param {RoomState} state @param {number} seq */
function advanceRoom(state, seq) {
  if (seq <= state.room.last_seq) return false;
  state.room.last_seq = seq;
  return true;
}

/** @param {string | null | undefined} a @param {string | null | undefined} b */
function later(a, b) {
  if (!a) return b || null;
  if (!b) return a;
  return b > a ? b : a;
}

/**
 * Whether `thread`'s counts already include the event numbered `seq` at `at`.
 * @param {Thread} thread @param {number} seq @param {string} at
 */
function alreadyCounted(thread, seq, at) {
  if (typeof thread.known_seq === "number") return seq <= thread.known_seq;
  return Boolean(thread.last_activity_at && at <= thread.last_activity_at);
}

/** @param {RoomState} state @param {number} seq @param {Message} message @param {Context} context @returns {Change} */
function messageCreated(state, seq, message, context) {
  /** @type {Change} */
  const change = {};
  const own = isOwn(message, context);
  if (advanceRoom(state, seq)) {
    state.room.last_activity_at = later(state.room.last_activity_at, message.created_at);
    if (!own && state.room.membership) state.room.unread_count = (state.room.unread_count || 0) + 1;
    change.room = true;
  }
  const thread = state.threads.get(message.thread_id);
  if (thread) {
    if (!alreadyCounted(thread, seq, message.created_at)) {
      thread.message_count = (thread.message_count || 0) + 1;
      thread.last_activity_at = later(thread.last_activity_at, message.created_at);
      if (!own && seq > (thread.last_read_seq || 0)) thread.unread_count = (thread.unread_count || 0) + 1;
      thread.known_seq = seq; // from here on, counted by number
      change.threads = true;
      change.thread = thread.id;
    }
  } else if (state.threadsLoaded) {
    change.unknownThread = true;
  }
  if (putMessage(state, message)) change.message = message;
  const typers = state.typing.get(message.thread_id);
  if (message.author && typers && typers.delete(message.author.id)) change.typing = message.thread_id;
  return change;
}

/** @param {RoomState} state @param {number} seq @param {Message} message @returns {Change} */
function messageChanged(state, seq, message) {
  /** @type {Change} */
  const change = advanceRoom(state, seq) ? { room: true } : {};
  const loaded = state.messages.get(message.thread_id);
  if (loaded && loaded.has(message.id) && putMessage(state, message)) change.message = message;
  return change;
}

/** @param {RoomState} state @param {number} seq @param {Message} message @param {Context} context @returns {Change} */
function messageDeleted(state, seq, message, context) {
  const first = seq > state.room.last_seq;
  const change = messageChanged(state, seq, message);
  const thread = state.threads.get(message.thread_id);
  if (!first || !thread) return change;
  // A deleted message no longer counts, as an unread one or at all.
  const wasUnread = !isOwn(message, context) && message.seq > (thread.last_read_seq || 0);
  thread.message_count = Math.max(0, (thread.message_count || 0) - 1);
  if (wasUnread) {
    thread.unread_count = Math.max(0, (thread.unread_count || 0) - 1);
    if (state.room.membership) state.room.unread_count = Math.max(0, (state.room.unread_count || 0) - 1);
  }
  return { ...change, room: true, threads: true, thread: thread.id };
}

/** @param {RoomState} state @param {number} seq @param {Thread} thread @param {Context} context @returns {Change} */
function threadCreated(state, seq, thread, context) {
  /** @type {Change} */
  const change = {};
  if (advanceRoom(state, seq)) {
    state.room.last_activity_at = later(state.room.last_activity_at, thread.created_at);
    change.room = true;
  }
  const existing = state.threads.get(thread.id);
  if (existing) {
    existing.title = thread.title;
    return { ...change, threads: true, thread: thread.id };
  }
  const mine = context.me != null && thread.created_by != null && thread.created_by.id === context.me;
  state.threads.set(thread.id, {
    ...thread,
    // The event's thread carries no per-reader fields: a new thread is unread
    // only through the messages that follow it.
    unread_count: 0,
    following: mine,
    last_read_seq: 0,
    known_seq: seq,
  });
  return { ...change, threads: true, thread: thread.id };
}

/** @param {RoomState} state @param {User} user @param {string} role @param {Context} context @returns {Change} */
function memberJoined(state, user, role, context) {
  state.memberChanges += 1;
  const existing = state.members.get(user.id);
  state.members.set(user.id, { joined_at: new Date(context.now ?? Date.now()).toISOString(), online: false, ...existing, role, user });
  if (!existing) state.room.member_count = (state.room.member_count || 0) + 1;
  /** @type {Change} */
  const change = { members: true, room: true };
  if (user.id === context.me && state.room.membership !== role) {
    state.room.membership = role === "owner" ? "owner" : "member";
    change.self = true;
  }
  return change;
}

/** @param {RoomState} state @param {User} user @param {Context} context @returns {Change} */
function memberLeft(state, user, context) {
  state.memberChanges += 1;
  if (state.members.delete(user.id) || !state.membersLoaded) {
    state.room.member_count = Math.max(0, (state.room.member_count || 0) - 1);
  }
  /** @type {Change} */
  const change = { members: true, room: true };
  if (user.id === context.me && state.room.membership) {
    state.room.membership = null;
    change.self = true;
  }
  return change;
}

/** @param {RoomState} state @param {Partial<Room>} room @returns {Change} */
function roomUpdated(state, room) {
  const wasArchived = state.room.stage === "archived";
  const next = { ...room };
  for (const key of PER_READER_ROOM) delete next[key];
  next.last_activity_at = later(state.room.last_activity_at, room.last_activity_at);
  if (typeof next.member_count !== "number" || state.membersLoaded) delete next.member_count;
  Object.assign(state.room, next);
  /** @type {Change} */
  const change = { room: true, threads: true };
  if (wasArchived !== (state.room.stage === "archived")) change.archived = true;
  return change;
}

/**
 * The room moved to another stage: a numbered event like a message, so it counts
 * once, in order, whether it arrives live or in a catch-up replay.
 * @param {RoomState} state @param {number} seq @param {import("./protocol.js").StageMove} move @returns {Change}
 */
function stageMoved(state, seq, move) {
  if (!advanceRoom(state, seq)) return {};
  const wasArchived = state.room.stage === "archived";
  state.room.stage = move.to_stage;
  if (move.criteria) state.room.incubation_criteria = move.criteria;
  state.room.last_activity_at = later(state.room.last_activity_at, move.moved_at);
  /** @type {Change} */
  const change = { room: true, stageMove: move };
  if (wasArchived !== (move.to_stage === "archived")) change.archived = true;
  return change;
}

/** @param {RoomState} state @param {number} threadId @param {User} user @param {Context} context @returns {Change} */
function typing(state, threadId, user, context) {
  if (!user || user.id === context.me) return {};
  let typers = state.typing.get(threadId);
  if (!typers) {
    typers = new Map();
    state.typing.set(threadId, typers);
  }
  typers.set(user.id, { user, at: context.now ?? Date.now() });
  return { typing: threadId };
}

/** @param {RoomState} state @param {number[]} online @returns {Change} */
function presence(state, online) {
  const ids = new Set(online);
  for (const member of state.members.values()) member.online = ids.has(member.user.id);
  return { members: true };
}

/**
 * Who came online and who went offline since the last list or delta (the server sends
 * the whole list once per subscribe, then only these).
 * @param {RoomState} state @param {number[]} came @param {number[]} went @returns {Change}
 */
function presenceChanged(state, came, went) {
  const arrived = new Set(came);
  const left = new Set(went);
  for (const member of state.members.values()) {
    if (arrived.has(member.user.id)) member.online = true;
    else if (left.has(member.user.id)) member.online = false;
  }
  return { members: true };
}

/** @param {RoomState} state @param {number} threadId @param {number} lastReadSeq @param {number} unread @returns {Change} */
function read(state, threadId, lastReadSeq, unread) {
  const thread = state.threads.get(threadId);
  if (!thread) return { roomStale: true };
  const before = thread.unread_count || 0;
  thread.last_read_seq = Math.max(thread.last_read_seq || 0, lastReadSeq);
  thread.unread_count = unread;
  if (state.room.membership) state.room.unread_count = Math.max(0, (state.room.unread_count || 0) + unread - before);
  return { threads: true, thread: threadId, room: true };
}

// ---- what REST answers add ---------------------------------------------------------

/**
 * Of two copies of a message, the one to keep: a deletion beats everything, then
 * the later edit. A REST page read while events arrived can never undo an edit.
 * @param {Message | undefined} kept @param {Message} incoming @returns {Message}
 */
export function newerMessage(kept, incoming) {
  if (!kept) return incoming;
  if (kept.deleted && !incoming.deleted) return kept;
  if (incoming.deleted && !kept.deleted) return incoming;
  return (incoming.edited_at || "") >= (kept.edited_at || "") ? incoming : kept;
}

/**
 * Keep `message` if its thread is loaded; true when the stored copy changed.
 * @param {RoomState} state @param {Message} message
 */
export function putMessage(state, message) {
  const loaded = state.messages.get(message.thread_id);
  if (!loaded) return false;
  const kept = loaded.get(message.id);
  const next = newerMessage(kept, message);
  if (next === kept) return false;
  loaded.set(message.id, next);
  return true;
}

/**
 * A room read over REST: take its fields, but never move `last_seq` back (events
 * already applied stay applied).
 * @param {RoomState} state @param {Room} room @returns {Change}
 */
export function mergeRoom(state, room) {
  const wasArchived = state.room.stage === "archived";
  const membership = state.room.membership;
  Object.assign(state.room, { ...room, last_seq: Math.max(state.room.last_seq, room.last_seq) });
  if (state.membersLoaded) state.room.member_count = state.members.size;
  /** @type {Change} */
  const change = { room: true, threads: true };
  if (wasArchived !== (state.room.stage === "archived")) change.archived = true;
  if ((membership || null) !== (state.room.membership || null)) change.self = true;
  return change;
}

/**
 * The thread list read over REST, replacing the one kept.
 * @param {RoomState} state @param {Thread[]} threads
 */
export function setThreads(state, threads) {
  state.threads = new Map(threads.map((thread) => [thread.id, { ...thread }]));
  state.threadsLoaded = true;
}

/**
 * One thread read over REST (opened by link, followed, read): its per-reader fields
 * are current; its counts are only newer if it has more messages.
 * @param {RoomState} state @param {Thread} thread @returns {Thread}
 */
export function putThread(state, thread) {
  const existing = state.threads.get(thread.id);
  const merged = { ...existing, ...thread };
  if (existing && (existing.message_count || 0) > (thread.message_count || 0)) {
    merged.message_count = existing.message_count;
    merged.last_activity_at = existing.last_activity_at;
  }
  if (existing && typeof existing.known_seq === "number") merged.known_seq = existing.known_seq;
  state.threads.set(thread.id, merged);
  return merged;
}

/** @param {RoomState} state @param {Member[]} members */
export function setMembers(state, members) {
  state.members = new Map(members.map((member) => [member.user.id, { ...member }]));
  state.membersLoaded = true;
  state.room.member_count = members.length;
}

/** Threads, latest activity first. @param {RoomState} state @returns {Thread[]} */
export function orderedThreads(state) {
  return [...state.threads.values()].sort((a, b) =>
    (b.last_activity_at || b.created_at || "").localeCompare(a.last_activity_at || a.created_at || "") || b.id - a.id);
}

/** A loaded thread's messages in seq order. @param {RoomState} state @param {number} threadId @returns {Message[]} */
export function orderedMessages(state, threadId) {
  return [...(state.messages.get(threadId)?.values() || [])].sort((a, b) => a.seq - b.seq);
}

/**
 * Who is typing in a thread at `now`, oldest notice first; notices older than
 * TYPING_MS are forgotten.
 * @param {RoomState} state @param {number} threadId @param {number} now @returns {User[]}
 */
export function typingIn(state, threadId, now) {
  const typers = state.typing.get(threadId);
  if (!typers) return [];
  for (const [id, typer] of typers) if (now - typer.at >= TYPING_MS) typers.delete(id);
  return [...typers.values()].sort((a, b) => a.at - b.at).map((typer) => typer.user);
}

// ---- the store: state, apply and listeners together --------------------------------

/**
 * @typedef {object} RoomStore
 * @property {RoomState} state
 * @property {(event: RoomEvent) => Change} apply
 * @property {(room: Room) => Change} setRoom
 * @property {(threads: Thread[]) => void} setThreads
 * @property {(thread: Thread) => Thread} putThread
 * @property {(members: Member[]) => void} setMembers
 * @property {(threadId: number, messages: Message[]) => void} addMessages  keep these (opening the thread if needed)
 * @property {(message: Message) => void} putMessage  a message from a REST answer (an edit or delete we made)
 * @property {(threadId: number) => void} openThread  start keeping a thread's messages
 * @property {(threadId: number) => void} closeThread  stop keeping them
 * @property {(change: Change) => void} notify
 * @property {(listener: (change: Change) => void) => () => void} subscribe
 */

/**
 * @param {Room} room
 * @param {{me: number | null, clock?: () => number}} options
 * @returns {RoomStore}
 */
export function createRoomStore(room, { me, clock = Date.now }) {
  const state = newRoomState(room);
  /** @type {Set<(change: Change) => void>} */
  const listeners = new Set();

  /** @param {Change} change */
  function notify(change) {
    if (Object.keys(change).length === 0) return;
    for (const listener of [...listeners]) {
      try {
        listener(change);
      } catch (error) {
        console.error(error);
      }
    }
  }

  return {
    state,
    apply(event) {
      const change = apply(state, event, { me, now: clock() });
      notify(change);
      return change;
    },
    setRoom(fresh) {
      const change = mergeRoom(state, fresh);
      notify(change);
      return change;
    },
    setThreads(threads) {
      setThreads(state, threads);
      notify({ threads: true });
    },
    putThread(thread) {
      const merged = putThread(state, thread);
      notify({ threads: true, thread: thread.id });
      return merged;
    },
    setMembers(members) {
      setMembers(state, members);
      notify({ members: true, room: true });
    },
    openThread(threadId) {
      if (!state.messages.has(threadId)) state.messages.set(threadId, new Map());
    },
    closeThread(threadId) {
      state.messages.delete(threadId);
    },
    addMessages(threadId, messages) {
      if (!state.messages.has(threadId)) state.messages.set(threadId, new Map());
      for (const message of messages) putMessage(state, message);
    },
    putMessage(message) {
      if (putMessage(state, message)) notify({ message });
    },
    notify,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
