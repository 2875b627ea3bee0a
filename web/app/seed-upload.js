// @ts-check
// Sending a workshop file to the seed doors (raw body, X-Filename) and reading the
// answer: plain JSON, or, when progress is wanted, JSON lines (progress, then one
// last line with the report or the error; see docs/protocol.md, "Seeding an event").
// The DOM-free parts are exported for tests (web/test/seed-upload.test.js).
import { ApiError } from "./api.js";

/**
 * @typedef {object} SeedProblem
 * @property {string} text
 * @property {string} message
 * @property {number | null} row
 * @property {number | null} line
 * @property {string | null} column
 */
/**
 * @typedef {object} SeededRoom
 * @property {string} title
 * @property {string} slug
 * @property {boolean} created
 * @property {string} owner
 * @property {string[]} owners
 * @property {{title: string, slug: string}[]} similar
 * @property {string[]} threads_created
 * @property {string[]} threads_existing
 * @property {{email: string, outcome: string, owner: boolean}[]} people
 */
/**
 * @typedef {object} SeedReport
 * @property {boolean} applied
 * @property {boolean} applicable
 * @property {boolean} changed
 * @property {string} event
 * @property {number | null} event_id
 * @property {boolean} event_created
 * @property {SeededRoom[]} rooms
 * @property {string[]} not_in_file
 * @property {{email: string, kind: "invitation" | "notice"}[]} mails
 * @property {number} rooms_created
 * @property {number} threads_created
 * @property {string[]} notes
 * @property {string[]} merged
 * @property {SeedProblem[]} problems
 * @property {string} file_sha256
 * @property {string | null} preview
 * @property {string | null} seeder
 */
/** @typedef {{done: number, total: number}} Progress */

/** The types the server reads, by extension (browsers often know none for .yaml). */
const TYPES = /** @type {Record<string, string>} */ ({
  csv: "text/csv",
  tsv: "text/tab-separated-values",
  txt: "text/plain",
  yaml: "application/yaml",
  yml: "application/yaml",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  xlsm: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
});

/** @param {string} name */
export function fileType(name) {
  const match = /\.([A-Za-z0-9]+)$/.exec(name);
  return (match && TYPES[match[1].toLowerCase()]) || "application/octet-stream";
}

/** The event's name the server uses by default: the file's name without its extension. @param {string} name */
export function defaultEventName(name) {
  const base = name.split(/[\\/]/).pop() || "";
  return base.replace(/\.[A-Za-z0-9]+$/, "").split(/\s+/).filter(Boolean).join(" ");
}

/**
 * Split streamed text into whole lines; returns [complete lines, the unfinished rest].
 * @param {string} buffered @returns {[string[], string]}
 */
export function splitLines(buffered) {
  const parts = buffered.split("\n");
  const rest = parts.pop() ?? "";
  return [parts.filter((line) => line.trim()), rest];
}

/**
 * What one streamed line means: progress, the report, or the error.
 * @param {any} line
 * @returns {{progress: Progress} | {report: SeedReport} | {error: ApiError}}
 */
export function readLine(line) {
  if (line.type === "progress") return { progress: { done: line.done, total: line.total } };
  if (line.type === "report") return { report: line.report };
  const error = line.error || {};
  return { error: new ApiError(line.status || 500, error.code || "internal", sentence(error.message), error.field || null) };
}

/** Rooms created, rooms changed (new questions or people), and rooms untouched. @param {SeedReport} report */
export function roomsByChange(report) {
  const changes = new Set(["invited", "added", "made_owner"]);
  const created = report.rooms.filter((room) => room.created);
  const changed = report.rooms.filter((room) => !room.created
    && (room.threads_created.length || room.people.some((person) => changes.has(person.outcome))));
  return { created, changed };
}

/** Where a problem is, as a facilitator finds it in the file. @param {SeedProblem} problem */
export function placeOf(problem) {
  if (problem.row != null) return `Row ${problem.row}`;
  if (problem.line != null) return `Line ${problem.line}`;
  return "The whole file";
}

/** @param {string | undefined} text */
function sentence(text) {
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : "Something went wrong. Try again.";
}

/**
 * Send ``file`` to /api/v1/seed/<step>; with ``onProgress`` the answer streams
 * progress lines first. Resolves with the report; rejects with ApiError.
 * @param {"preview" | "apply"} step
 * @param {File} file
 * @param {{event?: string, preview?: string}} params
 * @param {((progress: Progress) => void) | null} [onProgress]
 * @returns {Promise<SeedReport>}
 */
export async function sendSeed(step, file, params, onProgress = null) {
  const search = new URLSearchParams();
  if (params.event) search.set("event", params.event);
  if (params.preview) search.set("preview", params.preview);
  /** @type {Response} */
  let response;
  try {
    response = await fetch(`/api/v1/seed/${step}?${search}`, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": fileType(file.name),
        "X-Filename": encodeURIComponent(file.name),
        Accept: onProgress ? "application/x-ndjson" : "application/json",
      },
      body: file,
    });
  } catch {
    throw new ApiError(0, "network", "Convene could not be reached. Check your connection and try again.");
  }
  if ((response.headers.get("Content-Type") || "").startsWith("application/x-ndjson") && response.body) {
    return readStream(response.body, onProgress);
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (data && data.error) || {};
    throw new ApiError(response.status, error.code || `http_${response.status}`, sentence(error.message), error.field || null);
  }
  return data;
}

/**
 * @param {ReadableStream<Uint8Array>} body
 * @param {((progress: Progress) => void) | null} onProgress
 * @returns {Promise<SeedReport>}
 */
async function readStream(body, onProgress) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  /** @type {SeedReport | null} */
  let report = null;
  // Read to the end even after the report: a body left unread is cancelled, and the
  // browser then logs a request that answered 200 as aborted.
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buffered += decoder.decode(value, { stream: true });
    const [lines, rest] = splitLines(done ? `${buffered}\n` : buffered);
    buffered = rest;
    for (const line of lines) {
      if (report) continue;
      const meaning = readLine(JSON.parse(line));
      if ("progress" in meaning) onProgress?.(meaning.progress);
      else if ("report" in meaning) report = meaning.report;
      else throw meaning.error;
    }
    if (done) {
      if (report) return report;
      throw new ApiError(0, "network", "The connection closed before the seed finished; nothing was written. Try again.");
    }
  }
}
