// @ts-check
// Reading a room over REST into its store (room-store.js).
import { get } from "./api.js";

/** @typedef {import("./protocol.js").Room} Room */
/** @typedef {import("./protocol.js").Thread} Thread */
/** @typedef {import("./protocol.js").Member} Member */
/** @typedef {import("./room-store.js").RoomStore} RoomStore */

/** @param {string | number} ref  the room's id or slug @returns {Promise<Room>} */
export async function fetchRoom(ref) {
  const { room } = await get(`/rooms/${encodeURIComponent(String(ref))}`);
  return room;
}

/**
 * Read the thread list. When the room's seq is the same before and after, the
 * list is exactly the room at that seq, and each thread counts later events by
 * number; otherwise (a busy room) by time (see room-store.js).
 * @param {RoomStore} store
 */
export async function loadThreads(store) {
  const id = store.state.room.id;
  const before = store.state.room.last_seq;
  /** @type {{threads: Thread[]}} */
  const { threads } = await get(`/rooms/${id}/threads`);
  let exact = false;
  try {
    exact = (await fetchRoom(id)).last_seq === before;
  } catch {
    exact = false;
  }
  store.setThreads(exact ? threads.map((thread) => ({ ...thread, known_seq: before })) : threads);
}

/**
 * Read the member list. A list read while a member event arrived may predate it
 * and must not overwrite it: read again.
 * @param {RoomStore} store
 */
export async function loadMembers(store) {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const changesBefore = store.state.memberChanges;
    /** @type {{members: Member[]}} */
    const { members } = await get(`/rooms/${store.state.room.id}/members`);
    if (store.state.memberChanges !== changesBefore && attempt < 4) continue;
    const online = new Map([...store.state.members.values()].map((m) => [m.user.id, Boolean(m.online)]));
    store.setMembers(members.map((m) => ({ ...m, online: m.online ?? online.get(m.user.id) ?? false })));
    return;
  }
}
