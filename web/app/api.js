// @ts-check
// The REST client. Every call goes to /api/v1 on this origin with the session
// cookie; failures become ApiError so views can show the server's message and
// point at the field it names (see docs/protocol.md, "Errors").

export class ApiError extends Error {
  /** @param {number} status @param {string} code @param {string} message @param {string | null} [field] */
  constructor(status, code, message, field = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

const NETWORK_MESSAGE =
  "Convene could not be reached. Check your connection and try again.";

/**
 * Call the REST API; resolves with the JSON answer (null for 204).
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<any>}
 */
export async function api(method, path, body) {
  /** @type {Record<string, string>} */
  const headers = { Accept: "application/json" };
  /** @type {RequestInit} */
  const init = { method, credentials: "same-origin", headers };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(`/api/v1${path}`, init);
  } catch {
    throw new ApiError(0, "network", NETWORK_MESSAGE);
  }
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = (data && data.error) || {};
    throw new ApiError(
      response.status,
      error.code || `http_${response.status}`,
      sentence(error.message) || `Something went wrong (error ${response.status}). Try again.`,
      error.field || null,
    );
  }
  return data;
}

/** Server messages are lower-case fragments; shown alone they read as sentences. @param {string | undefined} text */
function sentence(text) {
  if (!text) return "";
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** @param {string} path */
export const get = (path) => api("GET", path);
/** @param {string} path @param {unknown} [body] */
export const post = (path, body = {}) => api("POST", path, body);
/** @param {string} path @param {unknown} [body] */
export const put = (path, body = {}) => api("PUT", path, body);
/** @param {string} path @param {unknown} body */
export const patch = (path, body) => api("PATCH", path, body);
/** @param {string} path */
export const del = (path) => api("DELETE", path);

/** Build a query string from an object, leaving out empty values. @param {Record<string, unknown>} params */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "" && value !== false) {
      search.set(key, String(value));
    }
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
