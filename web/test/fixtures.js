// Builders for the server's objects (docs/protocol.md), shared by the tests.

export const ME = 1;
export const OTHER = 2;

/** @param {number} id @param {string} [name] */
export function user(id, name = `Person ${id}`) {
  return { id, display_name: name, organisation: { name: "Camden Council", verified: true } };
}

/** @param {object} [fields] */
export function room(fields = {}) {
  return {
    id: 7, slug: "blue-badge", title: "Blue Badge", summary: "", summary_html: "", stage: "discovery",
    visibility: "open", tags: ["api"], looking_for_collaborators: false, member_count: 2, last_seq: 10,
    last_activity_at: "2026-11-27T10:00:00Z", membership: "member", unread_count: 0, can_manage: false,
    ...fields,
  };
}

/** @param {number} id @param {object} [fields] */
export function thread(id, fields = {}) {
  return {
    id, room_id: 7, title: `Thread ${id}`, seq: 1, created_by: user(OTHER), created_at: "2026-11-27T09:00:00Z",
    last_activity_at: "2026-11-27T10:00:00Z", message_count: 3, unread_count: 0, following: true, last_read_seq: 10,
    ...fields,
  };
}

let nextId = 100;

/** @param {number} seq @param {object} [fields] */
export function message(seq, fields = {}) {
  nextId += 1;
  return {
    id: nextId, room_id: 7, thread_id: 1, seq, client_id: `c-${nextId}`, author: user(OTHER), body: `Message ${seq}`,
    html: `<p>Message ${seq}</p>`, created_at: `2026-11-27T10:${String(seq).padStart(2, "0")}:00Z`, edited_at: null,
    deleted: false, mentions: [], ...fields,
  };
}

/** A durable message event numbered `seq` (an edit's seq is not its message's). */
export function messageEvent(type, seq, msg) {
  return { type, room_id: msg.room_id, seq, message: msg };
}
