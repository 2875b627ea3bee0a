// @ts-check
// What the reader may do, from what the server says. The server decides every
// permission (server/domain: `can_manage` for owners, facilitators and
// administrators; the reader's `membership`; the room's `stage` and
// `visibility`); the browser never looks at anyone's role. These functions only
// read those answers, so a button shown here is one the server will honour.

/** @typedef {import("./protocol.js").Room} Room */
/** @typedef {import("./protocol.js").Message} Message */

/** Change the room's settings and invite people. @param {Room} room */
export function canManage(room) {
  return room.can_manage === true;
}

/** @param {Room} room */
export function isArchived(room) {
  return room.stage === "archived";
}

/**
 * What the reader may do in threads: "member" (reply: a member, or anyone in an open
 * room, since posting there joins it, as the server does), "join" (an invite-only
 * room they are not in) or "archived" (nothing: the room is read-only).
 * @param {Room} room
 * @returns {"member" | "join" | "archived"}
 */
export function postingState(room) {
  if (isArchived(room)) return "archived";
  return room.membership || room.visibility === "open" ? "member" : "join";
}

/** Starting a thread stays with members (the room page offers Join room first). @param {Room} room */
export function canStartThread(room) {
  return Boolean(room.membership) && !isArchived(room);
}

/** Open rooms can be joined by anyone who is not in them yet. @param {Room} room */
export function canJoin(room) {
  return !room.membership && room.visibility === "open";
}

/** Owners stay (the members list shows them as Owner); other members may leave. @param {Room} room */
export function canLeave(room) {
  return Boolean(room.membership) && room.membership !== "owner";
}

/**
 * @param {Message} message
 * @param {number | null} me  the reader's user id
 */
export function isOwnMessage(message, me) {
  return me != null && message.author != null && message.author.id === me;
}

/** Authors edit their own messages, except in an archived room. @param {Room} room @param {Message} message @param {number | null} me */
export function canEditMessage(room, message, me) {
  return !message.deleted && isOwnMessage(message, me) && !isArchived(room);
}

/** Authors delete their own messages; whoever may manage the room deletes any. @param {Room} room @param {Message} message @param {number | null} me */
export function canDeleteMessage(room, message, me) {
  return !message.deleted && (isOwnMessage(message, me) || canManage(room));
}
