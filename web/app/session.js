// Who is signed in. Views read `session.user`; the header, the real-time
// connection and the outbox follow changes through onChange.

const listeners = new Set();

export const session = {
  user: null,
  needsSetup: false,
};

export function setUser(user) {
  session.user = user || null;
  for (const listener of listeners) listener(session.user);
}

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
 */
export function safeNext(value) {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//")) return "/";
  if (value.startsWith("/signin") || value.startsWith("/signup") || value.startsWith("/setup")) return "/";
  return value;
}
