// @ts-check
// Start-up and page switching: find out who is signed in, draw the header, pick
// the view for the URL, and keep the live connection and the outbox in step with
// the session. When the server ends the session (signed out elsewhere, the account
// deactivated), the page says so and offers to sign in again.
import { h, replaceContent } from "./dom.js";
import { route, fallback, match, start, navigate, currentLocation } from "./router.js";
import { session, onUserChange, isConfirmed, setUser, safeNext } from "./session.js";
import { setTitle } from "./page.js";
import { announceStatus } from "./announcer.js";
import { get } from "./api.js";
import * as realtime from "./realtime.js";
import { outbox } from "./sending.js";
import {
  setupView, signUpView, signInView, confirmView, linkSignInView, unconfirmedView, signOut, loadSession,
} from "./views/auth.js";
import { directoryView } from "./views/directory.js";
import { newRoomView } from "./views/new-room.js";
import { roomView } from "./views/room.js";
import { roomSettingsView } from "./views/room-settings.js";
import { accessibilityView } from "./views/accessibility.js";
import { signedOutView } from "./views/signed-out.js";
import { notificationSettingsView, unsubscribeView } from "./views/notification-settings.js";
import { adminInboundView } from "./views/admin-inbound.js";
import { invitationView } from "./views/invitation.js";
import { collaboratorsView } from "./views/collaborators.js";
import { pipelineView } from "./views/pipeline.js";
import { installShortcuts } from "./shortcuts.js";
import { openShortcutsHelp } from "./views/shortcuts-help.js";
import { seedView } from "./views/seed.js";
import { eventsView, eventView } from "./views/events.js";
import { profileView, confirmEmailView } from "./views/profile.js";
import { adminAuditView } from "./views/admin-audit.js";
import { adminPeopleView } from "./views/admin-people.js";
import { adminRoomsView } from "./views/admin-rooms.js";
import { adminOrganisationsView } from "./views/admin-organisations.js";
import { inboxView } from "./views/inbox.js";
import { mentionsView } from "./views/mentions.js";
import { searchView } from "./views/search.js";
import { startAttention, stopAttention, onMentionCount, mentionCount } from "./attention.js";

/**
 * What a mounted view offers main.js.
 * @typedef {object} View
 * @property {string} title
 * @property {HTMLElement} [heading]
 * @property {(params: Record<string, string>) => Promise<HTMLElement | null>} [enter]
 * @property {(params: Record<string, string>, query: URLSearchParams) => false | Promise<HTMLElement | null>} [update]
 * @property {() => void} [destroy]
 */
/** @typedef {(main: HTMLElement, route: {params: Record<string, string>, query: URLSearchParams}) => View} Mount */

route("/", "inbox");
route("/rooms", "directory");
route("/search", "search");
route("/mentions", "mentions");
route("/setup", "setup");
route("/signup", "signup");
route("/signin", "signin");
route("/signin/link", "link");
route("/confirm", "confirm");
route("/invitation", "invitation");
route("/accessibility", "accessibility");
route("/admin/inbound-mail", "admin-inbound");
route("/settings/notifications", "notification-settings");
route("/unsubscribe", "unsubscribe");
route("/rooms/new", "new-room");
route("/profile", "profile");
route("/confirm-email", "confirm-email");
route("/admin/audit", "admin-audit");
route("/admin/people", "admin-people");
route("/admin/rooms", "admin-rooms");
route("/admin/organisations", "admin-organisations");
route("/r/:slug", "room");
route("/r/:slug/new", "room-new-thread");
route("/r/:slug/settings", "room-settings");
route("/r/:slug/t/:threadId", "room");
route("/r/:slug/t/:threadId/m/:messageId", "room");
route("/collaborate", "collaborate");
route("/pipeline", "pipeline");
route("/seed", "seed");
route("/events", "events");
route("/events/:id", "event");
fallback("not-found");

/** name -> [mount function, needs a confirmed account] @type {Record<string, [Mount, boolean]>} */
const VIEWS = {
  inbox: [inboxView, true],
  directory: [directoryView, true],
  search: [searchView, true],
  mentions: [mentionsView, true],
  setup: [setupView, false],
  signup: [signUpView, false],
  signin: [signInView, false],
  link: [linkSignInView, false],
  confirm: [confirmView, false],
  invitation: [invitationView, false],
  accessibility: [accessibilityView, false],
  "admin-inbound": [adminInboundView, true],
  "notification-settings": [notificationSettingsView, true],
  unsubscribe: [unsubscribeView, false],
  "new-room": [newRoomView, true],
  room: [roomView, true],
  "room-new-thread": [roomView, true],
  "room-settings": [roomSettingsView, true],
  "not-found": [notFoundView, false],
  collaborate: [collaboratorsView, true],
  pipeline: [pipelineView, true],
  seed: [seedView, true],
  events: [eventsView, true],
  event: [eventView, true],
  profile: [profileView, true],
  "confirm-email": [confirmEmailView, false],
  "admin-audit": [adminAuditView, true],
  "admin-people": [adminPeopleView, true],
  "admin-rooms": [adminRoomsView, true],
  "admin-organisations": [adminOrganisationsView, true],
};

const main = /** @type {HTMLElement} */ (document.getElementById("main"));
/** @type {{mount: Mount, view: View} | null} */
let current = null;
let routeCount = 0;

/** @param {HTMLElement} container */
function notFoundView(container) {
  const heading = h("h1", { tabindex: "-1" }, "Page not found");
  replaceContent(container, h("div", { class: "narrow" }, heading,
    h("p", {}, "If you typed the web address, check it is correct. If you pasted it, check you copied the whole address."),
    h("p", {}, h("a", { href: "/rooms" }, "Go to the room directory"))));
  return { title: "Page not found", heading };
}

/**
 * Redirects that depend on who is signed in; returns a URL or null.
 * @param {string} name @param {boolean} needsAccount @param {string} path
 */
function redirectFor(name, needsAccount, path) {
  if (session.needsSetup && name !== "setup" && name !== "accessibility" && name !== "not-found") return "/setup";
  if (!session.needsSetup && name === "setup") return session.user ? "/" : "/signin";
  if (session.user && (name === "signin" || name === "signup")) {
    return name === "signin" ? safeNext(new URLSearchParams(location.search).get("next")) : "/";
  }
  if (needsAccount && !session.user) return `/signin?next=${encodeURIComponent(path)}`;
  // The directory used to be the home page: its filtered addresses still work.
  if (name === "inbox" && location.search) return `/rooms${location.search}`;
  return null;
}

/** @param {import("./router.js").Navigation} navigation */
async function onRoute({ initial, focus }) {
  const token = ++routeCount;
  const { path, query } = currentLocation();
  const { name, params } = match(path);
  const [mount, needsAccount] = VIEWS[name] || VIEWS["not-found"];
  const redirect = redirectFor(name, needsAccount, path + location.search);
  if (redirect) {
    navigate(redirect, { replace: true, focus });
    return;
  }
  renderHeader(name);
  if (name === "room-new-thread") params.mode = "new";

  // Moving inside the same room keeps the room view and its live subscription.
  if (current && current.mount === mount && current.view.update && needsAccount && isConfirmed()) {
    const result = current.view.update(params, query);
    if (result !== false) {
      const target = await result;
      if (token === routeCount && focus && target) target.focus();
      return;
    }
  }

  current?.view.destroy?.();
  current = null;
  window.scrollTo(0, 0);
  /** @type {View} */
  const view = needsAccount && !isConfirmed() ? unconfirmedView(main) : mount(main, { params, query });
  current = { mount, view };
  setTitle(view.title);
  let target = view.heading || main;
  if (view.enter) target = (await view.enter(params)) || target;
  if (token === routeCount && focus && !initial) target.focus();
}

/**
 * The server ended this session while the page was open: stop, and say so with a
 * way to sign in again (not a silent jump to the sign-in page).
 * @param {import("./protocol.js").RevocationReason | null} reason
 */
function sessionEnded(reason) {
  if (session.leaving) return; // this tab signed out: signOut() takes it from here
  const next = safeNext(location.pathname + location.search);
  current?.view.destroy?.();
  current = null;
  setUser(null); // the header, the outbox and the connection follow
  const view = signedOutView(main, { reason, next });
  current = { mount: () => view, view };
  setTitle(view.title);
  view.heading.focus();
}

// ---- header ------------------------------------------------------------------

// On a phone the signed-in header is the brand and a Menu button (a disclosure); the
// links and the search box open below it, so the page starts near the top.
const menuButton = /** @type {HTMLButtonElement} */ (document.getElementById("menu-button"));
/** @param {boolean} open */
function setMenu(open) {
  menuButton.setAttribute("aria-expanded", String(open));
  document.getElementById("account-nav")?.classList.toggle("menu-open", open);
}
menuButton.addEventListener("click", () => setMenu(menuButton.getAttribute("aria-expanded") !== "true"));
document.getElementById("account-nav")?.addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || menuButton.getAttribute("aria-expanded") !== "true") return;
  setMenu(false);
  menuButton.focus();
});

/** @param {string} routeName */
function renderHeader(routeName) {
  const nav = /** @type {HTMLElement} */ (document.getElementById("account-nav"));
  const user = session.user;
  setMenu(false);
  document.querySelector(".site-header")?.classList.toggle("signed-in", Boolean(user));
  if (!user) {
    replaceContent(nav, h("ul", { class: "header-links" },
      h("li", {}, h("a", { href: "/signin", "aria-current": routeName === "signin" ? "page" : null }, "Sign in")),
      session.needsSetup ? null
        : h("li", {}, h("a", { href: "/signup", "aria-current": routeName === "signup" ? "page" : null }, "Create an account"))));
    return;
  }
  const signOutButton = h("button", { type: "button", class: "header-button" }, "Sign out");
  signOutButton.addEventListener("click", () => signOut());
  const search = h("form", { class: "header-search", role: "search", "aria-label": "Search Convene" },
    h("label", { for: "search-box", class: "visually-hidden" }, "Search everything: rooms, threads and messages"),
    h("input", { id: "search-box", name: "q", type: "search", class: "input header-search-input", placeholder: "Search",
      value: routeName === "search" ? currentLocation().query.get("q") || null : null }),
    h("button", { type: "submit", class: "header-button" }, "Search"));
  search.addEventListener("submit", (event) => {
    event.preventDefault();
    const box = /** @type {HTMLInputElement} */ (search.querySelector("#search-box"));
    const words = box.value.trim();
    if (words) navigate(`/search?q=${encodeURIComponent(words)}`);
    else box.focus();
  });
  // "Create a room" lives on the Rooms page and the inbox, not here: with it, an
  // administrator's header no longer fits one row at 1280 px.
  replaceContent(nav, search, h("ul", { class: "header-links" },
    h("li", {}, h("a", { href: "/", "aria-current": routeName === "inbox" ? "page" : null }, "Inbox", inboxCount)),
    h("li", {}, h("a", { href: "/rooms", "aria-current": routeName === "directory" ? "page" : null }, "Rooms")),
    h("li", {}, h("a", { href: "/collaborate", "aria-current": routeName === "collaborate" ? "page" : null }, "Collaborate")),
    h("li", {}, h("a", { href: "/pipeline", "aria-current": routeName === "pipeline" ? "page" : null }, "Pipeline")),
    h("li", {}, h("a", { href: "/events", "aria-current": routeName === "events" || routeName === "event" ? "page" : null }, "Events")),
    user.role === "facilitator" || user.role === "administrator"
      ? h("li", {}, h("a", { href: "/seed", "aria-current": routeName === "seed" ? "page" : null }, "Seed rooms"))
      : null,
    user.role === "administrator"
      ? h("li", {}, h("a", { href: "/admin/people", "aria-current": routeName.startsWith("admin-") ? "page" : null },
        "Administration"))
      : null,
    h("li", {}, h("a", { href: "/profile", "aria-current": routeName === "profile" || routeName === "notification-settings" ? "page" : null },
      h("span", { class: "header-user" }, user.display_name), h("span", { class: "visually-hidden" }, ": your account"))),
    h("li", {}, signOutButton)));
}

// The unread-mention count beside "Inbox", kept current by attention.js.
const inboxCount = h("span", { class: "header-count" });
/** @param {number} count */
function renderInboxCount(count) {
  // The Menu button carries the count too: on a phone the Inbox link is behind it.
  replaceContent(/** @type {HTMLElement} */ (document.getElementById("menu-count")), count ? h("span", { class: "badge badge-mention" },
    h("span", { class: "visually-hidden" }, ", "), String(count),
    h("span", { class: "visually-hidden" }, count === 1 ? " unread mention" : " unread mentions")) : null);
  replaceContent(inboxCount, count ? h("span", { class: "badge badge-mention" },
    h("span", { class: "visually-hidden" }, ", "), String(count),
    h("span", { class: "visually-hidden" }, count === 1 ? " unread mention" : " unread mentions")) : null);
}
renderInboxCount(mentionCount());
onMentionCount(renderInboxCount);

// ---- connection banner -------------------------------------------------------

/** @param {import("./realtime.js").ConnectionState} state */
function renderConnection(state) {
  // Also exposed on <html> for styling hooks and for the end-to-end tests.
  document.documentElement.dataset.connection = state;
  const banner = /** @type {HTMLElement} */ (document.getElementById("connection-banner"));
  /** @type {Record<string, string>} */
  const texts = {
    offline: "You are offline. Messages you write are kept and will be sent when you are back online.",
    reconnecting: "Connection lost. Reconnecting… Messages you write are kept and will be sent when the connection is back.",
  };
  const text = texts[state];
  banner.hidden = !text;
  banner.textContent = text || "";
}

// ---- session -----------------------------------------------------------------

/** @type {string | null} */
let sessionKey = null;

/** @param {import("./protocol.js").User | null} user */
function followSession(user) {
  renderHeader(match(location.pathname).name);
  // Only a different person (or a newly confirmed one) needs a new connection;
  // a refreshed user object for the same person keeps the live subscriptions.
  const key = user && user.email_confirmed ? String(user.id) : null;
  if (key === sessionKey) return;
  sessionKey = key;
  realtime.stop();
  outbox.close();
  stopAttention();
  if (user && key) {
    outbox.open(user.id);
    realtime.start({ sessionEnded });
    startAttention();
  }
}

// The answer to one's own request to join, wherever one is in the app.
realtime.onPersonalEvent((event) => {
  if (event.type !== "join_request.decided") return;
  const { room, status } = event.join_request;
  announceStatus(status === "accepted" ? `Your request to join ${room.title} was accepted. You are a member now.`
    : `Your request to join ${room.title} was declined.`);
});

// A new site role: the header (the Seed link) and a page that depends on the role
// (seeding, administration, the pipeline, events) follow it without a reload. Room
// and thread pages keep their state (a half-written reply); what they show by role is
// read from the room as it updates.
const ROLE_PAGES = new Set(["seed", "pipeline", "events", "event", "admin-people", "admin-rooms", "admin-organisations",
  "admin-audit", "admin-inbound", "directory", "collaborate"]);
realtime.onPersonalEvent(async (event) => {
  if (event.type !== "role.changed") return;
  try {
    const { user } = await get("/me");
    setUser(user);
  } catch {
    return; // the session ended: session.revoked says so
  }
  announceStatus(`Your role is now ${event.role}.`);
  if (ROLE_PAGES.has(match(location.pathname).name)) navigate(location.pathname + location.search, { replace: true, focus: false });
});

async function boot() {
  await loadSession();
  realtime.onConnectionChange(renderConnection);
  onUserChange(followSession);
  followSession(session.user);
  start(onRoute);
}

installShortcuts({ openHelp: openShortcutsHelp });
boot();
