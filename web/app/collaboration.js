// @ts-check
// Matchmaking, the pure part: what a card of a room looking for collaborators
// offers its reader, and how its words read. The server decides every permission
// (server/domain/access.py); these functions only read its answers.
import { plural } from "./labels.js";

/**
 * @typedef {object} Involvement
 * @property {string} summary
 * @property {{kind: string, count: number}[]} kinds
 * @property {{id: number, name: string, kind: string}[]} organisations
 * @property {number} unverified
 */
/**
 * @typedef {object} Card
 * @property {{id: number, slug: string, title: string, summary: string, summary_html: string, stage: string,
 *   visibility: "open" | "invite", tags: string[], looking_for_collaborators: boolean, last_activity_at: string}} room
 * @property {Involvement} involvement
 * @property {{same_problem: number, can_help: number}} interest
 * @property {"owner" | "member" | null} membership
 * @property {string[]} my_interest
 * @property {"pending" | "accepted" | "declined" | null} join_request
 * @property {{kind: string | null, tags: string[]}} [because]
 */
/**
 * @typedef {object} JoinRequest
 * @property {number} id
 * @property {{id: number, slug: string, title: string}} room
 * @property {import("./protocol.js").User} user
 * @property {string} message
 * @property {"pending" | "accepted" | "declined"} status
 * @property {string} created_at
 * @property {string | null} decided_at
 */

/** The two things one can say of a room, as the buttons read. @type {[string, string][]} */
export const INTEREST_KINDS = [
  ["same-problem", "We have this problem too"],
  ["can-help", "We could help"],
];

/** @type {[string, string][]} */
export const ORGANISATION_KINDS = [
  ["council", "Councils"],
  ["central-government", "Central government departments"],
  ["supplier", "Suppliers"],
  ["sector-body", "Sector bodies"],
  ["other", "Other organisations"],
];

/**
 * How the reader can get into the room: already in it, join it (open), ask to join
 * (invite-only), wait for an answer, or ask again after a decline.
 * @param {Card} card
 * @returns {"member" | "join" | "ask" | "pending" | "ask-again"}
 */
export function joinAction(card) {
  if (card.membership) return "member";
  if (card.room.visibility === "open") return "join";
  if (card.join_request === "pending") return "pending";
  if (card.join_request === "declined") return "ask-again";
  return "ask";
}

/** "2 organisations have this problem too; 1 organisation could help". @param {{same_problem: number, can_help: number}} counts */
export function interestSummary(counts) {
  const parts = [];
  if (counts.same_problem) {
    parts.push(`${plural(counts.same_problem, "organisation")} ${counts.same_problem === 1 ? "has" : "have"} this problem too`);
  }
  if (counts.can_help) parts.push(`${plural(counts.can_help, "organisation")} could help`);
  return parts.length ? parts.join("; ") : "No one has responded yet";
}

/**
 * The card after a live decision on the reader's request to join.
 * @param {Card} card @param {JoinRequest} request @returns {Card}
 */
export function withDecision(card, request) {
  if (card.room.id !== request.room.id) return card;
  if (request.status === "accepted") return { ...card, membership: card.membership || "member", join_request: "accepted" };
  return { ...card, join_request: request.status };
}

/** The card after the reader said (or took back) one thing. @param {Card} card @param {string[]} mine @param {{same_problem: number, can_help: number}} counts @returns {Card} */
export function withInterest(card, mine, counts) {
  return { ...card, my_interest: [...mine], interest: { ...counts } };
}

/** Why a room is suggested, in words. @param {{kind: string | null, tags: string[]}} because */
export function suggestionReason(because) {
  const parts = [];
  if (because.kind) {
    const found = ORGANISATION_KINDS.find(([value]) => value === because.kind);
    parts.push(`${found ? found[1] : "Organisations"} like yours are involved`);
  }
  if (because.tags.length) parts.push(`It shares ${because.tags.length === 1 ? "a tag" : "tags"} with your rooms: ${because.tags.join(", ")}`);
  return parts.join(". ");
}
