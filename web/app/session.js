// @ts-check
// Who is signed in. Views read `session.user`; the header, the real-time
// connection and the outbox follow changes through onUserChange.
//
// No DOM here: `node --test` runs the pure parts (web/test/session.test.js).

/** @typedef {import("./protocol.js").User} User */
/** @typedef {import("./protocol.js").RevocationReason} RevocationReason */

/** @type {Set<(user: User | null) => void>} */
const listeners = new Set();

/** @typedef {import("./protocol.js").Limits} Limits */

/**
 * Until GET /api/v1/session answers (or if it cannot), the server's defaults; the
 * server re-checks everything, so a stale bound only moves where the error shows.
 * @type {Limits}
 */
const DEFAULT_LIMITS = {
  message_chars: 10000, title_chars: 200, summary_chars: 20000, display_name_chars: 100, organisation_chars: 200,
  tag_chars: 40, tags: 20, email_chars: 254, email_pattern: "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", password_min_chars: 10,
  password_max_chars: 1000, invitees: 100,
};

/** @type {{user: User | null, needsSetup: boolean, leaving: boolean, limits: Limits}} */
export const session = {
  user: null,
  needsSetup: false,
  limits: DEFAULT_LIMITS,
  // This tab asked to sign out: the revocation the server sends back is expected.
  leaving: false,
};

/** @param {User | null} user */
export function setUser(user) {
  session.user = user || null;
  for (const listener of [...listeners]) listener(session.user);
}

/** @param {(user: User | null) => void} listener */
export function onUserChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function isConfirmed() {
  return Boolean(session.user && session.user.email_confirmed);
}

/**
 * Where to go after signing in. Only same-site paths are accepted, so a crafted
 * ?next= cannot send someone to another site.
 * @param {unknown} value
 * @returns {string}
 */
export function safeNext(value) {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//")) return "/";
  if (value.startsWith("/signin") || value.startsWith("/signup") || value.startsWith("/setup")) return "/";
  return value;
}

/**
 * Whether a Socket.IO connect error says the session is gone (the server answers
 * `{"code": "unauthenticated"}`), as opposed to a network or server failure.
 * @param {unknown} error
 */
export function isUnauthenticated(error) {
  if (!error || typeof error !== "object") return false;
  const { data, message } = /** @type {{data?: any, message?: unknown}} */ (error);
  if (data && (data.code === "unauthenticated" || data.error?.code === "unauthenticated")) return true;
  // python-socketio sends a refusal's single argument as the message text.
  return typeof message === "string" && /["']code["']\s*:\s*["']unauthenticated["']/.test(message);
}

/**
 * The sentence that says why someone was signed out.
 * @param {RevocationReason | null | undefined} reason
 */
export function signedOutReason(reason) {
  switch (reason) {
    case "signed_out": return "You signed out of Convene in another tab or window.";
    case "signed_out_everywhere": return "You chose to sign out everywhere, on this or another device.";
    case "deactivated": return "Your account has been deactivated. Contact your administrator if you think this is a mistake.";
    default: return "Your session has ended.";
  }
}
