// @ts-check
// Reading a pasted list of people to invite, and saying what became of each.
//
// No DOM here: `node --test` runs it (web/test/invitees.test.js).

/**
 * One address's outcome, as POST /rooms/{room}/members answers it.
 * @typedef {object} InvitationResult
 * @property {string | null} email
 * @property {"invited" | "added" | "already_member" | "resent" | "cooling_off" | "error"} outcome
 * @property {number | null} user_id
 * @property {string | null} display_name
 * @property {{code: string, message: string, field: string | null}} [error]
 */

/**
 * Split what someone typed or pasted into entries: separated by commas,
 * semicolons, new lines, or spaces between addresses, as Outlook, Gmail and
 * spreadsheets copy them. A "Name <address>" entry stays whole (its name may hold spaces, and a
 * quoted name may hold commas), so the server can use the name.
 * @param {string} text
 * @returns {string[]}
 */
export function splitAddresses(text) {
  /** @type {string[]} */
  const chunks = [];
  let current = "";
  let quoted = false;
  let bracketed = false;
  for (const ch of text) {
    if (ch === '"' && !bracketed) quoted = !quoted;
    else if (ch === "<" && !quoted) bracketed = true;
    else if (ch === ">" && !quoted) bracketed = false;
    if (!quoted && !bracketed && /[,;\n\r]/.test(ch)) {
      chunks.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  chunks.push(current);
  /** @type {string[]} */
  const entries = [];
  for (const chunk of chunks) {
    const trimmed = chunk.trim();
    if (!trimmed) continue;
    const pieces = trimmed.split(/\s+/);
    // Spaces separate addresses only when every piece is one ("a@x b@y"); otherwise the
    // chunk stays whole ("sam at supplier" is one wrong address, not three), so the
    // problem can be shown as it was typed.
    if (trimmed.includes("<") || !pieces.every((piece) => piece.includes("@"))) entries.push(trimmed.replace(/\s+/g, " "));
    else entries.push(...pieces);
  }
  return entries;
}

/**
 * Why an entry cannot be invited, in the words of the form, or null when it is an
 * address (alone or as "Name <address>") by the server's rule (``pattern``, published
 * in GET /api/v1/session; the server checks again).
 * @param {string} entry @param {RegExp} pattern
 * @returns {string | null}
 */
export function entryProblem(entry, pattern) {
  const bracketed = /<([^<>]*)>\s*$/.exec(entry);
  const address = (bracketed ? bracketed[1] : entry).trim();
  if (pattern.test(address)) return null;
  if (/\s/.test(address)) {
    return `“${entry}” is not an email address. Write each address in full, like name@council.gov.uk, `
      + "and separate addresses with commas or new lines";
  }
  return `“${entry}” is not a complete email address. Write it in full, like name@council.gov.uk`;
}

/**
 * The sentence for one result, for the list shown (and read out) after inviting.
 * @param {InvitationResult} result
 * @returns {string}
 */
export function describeResult(result) {
  const who = result.email || result.display_name || "This person";
  const named = result.display_name && result.email && result.display_name !== result.email
    ? `${result.display_name} (${result.email})`
    : who;
  switch (result.outcome) {
    case "invited": return `${who}: invited. We have emailed them a link that signs them in to this room.`;
    case "added": return `${named}: added to the room. We have emailed them to say so.`;
    case "already_member": return `${named}: already a member. Nothing was sent.`;
    case "resent": return `${who}: invited again with a new link. The earlier link no longer works.`;
    case "cooling_off": return `${who}: invited recently, so no new email was sent. Ask them to check their junk folder.`;
    default: return `${who}: not invited. ${result.error ? sentence(result.error.message) : "Check the address and try again."}`;
  }
}

/** Server messages are lower-case fragments. @param {string} text */
function sentence(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * A one-line summary, for the form's heading over the list.
 * @param {InvitationResult[]} results
 */
export function summarise(results) {
  const failed = results.filter((r) => r.outcome === "error").length;
  const done = results.length - failed;
  const parts = [];
  if (done) parts.push(`${done} ${done === 1 ? "address" : "addresses"} done`);
  if (failed) parts.push(`${failed} could not be invited`);
  return parts.join(", ");
}
