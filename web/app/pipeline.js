// @ts-check
// The pipeline's words and rules for the browser: the stages a room can move to,
// the programme's three incubation criteria, the body of a move request and the
// checks made before sending it, and the keys of the "Move" menu. The server
// decides (POST /api/v1/rooms/{room}/stage); these only spare a round trip.
//
// No DOM here: `node --test` runs it (web/test/pipeline.test.js).
import { STAGES } from "./labels.js";

export const INCUBATION = "incubation";

/** The criteria a move to incubation records, as the server names them. @type {[string, string][]} */
export const CRITERIA = [
  ["user_need", "The user need that only central-local collaboration can meet"],
  ["cost_benefit", "The cost benefit"],
  ["rapid_success", "The prospects of rapid success"],
];

/** Organisation kinds (server/vocabulary.py) with the words people read. @type {[string, string][]} */
export const KINDS = [
  ["council", "Council"],
  ["central-government", "Central government"],
  ["supplier", "Supplier"],
  ["sector-body", "Sector body"],
  ["other", "Other"],
];

/** @param {string | null | undefined} kind */
export function kindLabel(kind) {
  const found = KINDS.find(([value]) => value === kind);
  return found ? found[1] : "";
}

/** Every stage but the one the room is in: moving to the same stage is refused. @param {string} current */
export function stagesTo(current) {
  return STAGES.filter(([value]) => value !== current);
}

/**
 * The request body for a move: the note only when there is one, the criteria only
 * for incubation (the server refuses them for any other stage).
 * @param {string} stage @param {string} note @param {Record<string, string>} criteria
 * @returns {{stage: string, note?: string, criteria?: Record<string, string>}}
 */
export function moveBody(stage, note, criteria) {
  /** @type {{stage: string, note?: string, criteria?: Record<string, string>}} */
  const body = { stage };
  if (note.trim()) body.note = note.trim();
  if (stage === INCUBATION) {
    body.criteria = Object.fromEntries(CRITERIA.map(([name]) => [name, (criteria[name] || "").trim()]));
  }
  return body;
}

/**
 * What is missing before a move can be sent, as [{field, message}] with the
 * server's field names (criteria.user_need ...).
 * @param {{stage: string, criteria?: Record<string, string>}} body @param {string} current
 * @returns {{field: string, message: string}[]}
 */
export function moveProblems(body, current) {
  if (!body.stage) return [{ field: "stage", message: "Choose the stage to move the room to" }];
  if (body.stage === current) return [{ field: "stage", message: "The room is already at this stage; choose another" }];
  if (body.stage !== INCUBATION) return [];
  return CRITERIA.filter(([name]) => !(body.criteria && body.criteria[name]))
    .map(([name, label]) => ({ field: `criteria.${name}`, message: `Enter ${label.charAt(0).toLowerCase()}${label.slice(1)}` }));
}

/**
 * Where focus goes in a menu of `count` items for a key, from `index`; null for a
 * key the menu does not handle (WAI-ARIA menu button pattern: arrows wrap).
 * @param {string} key @param {number} index @param {number} count
 * @returns {number | null}
 */
export function menuMove(key, index, count) {
  if (count === 0) return null;
  switch (key) {
    case "ArrowDown": return (index + 1) % count;
    case "ArrowUp": return (index - 1 + count) % count;
    case "Home": return 0;
    case "End": return count - 1;
    default: return null;
  }
}
