// @ts-check
// The room directory: find rooms by stage, tag, organisation and text; join open
// rooms. Filters live in the URL so a filtered list can be bookmarked and shared.
//
// Each room you belong to is kept in a room store (room-store.js) that follows the
// room's live events, so its unread count moves by the same rules as in the room.
import { h, replaceContent, setServerHtml, hiddenText } from "../dom.js";
import { get, post, query as toQuery } from "../api.js";
import { STAGES, stageBadge, collaboratorsBadge, plural, unreadBadge } from "../labels.js";
import { navigate } from "../router.js";
import { session } from "../session.js";
import { announceStatus } from "../announcer.js";
import { field, checkbox } from "../forms.js";
import { timeElement } from "../time.js";
import { createRoomStore } from "../room-store.js";
import { fetchRoom } from "../room-data.js";
import * as realtime from "../realtime.js";
import { suggestionsSection } from "./suggestions.js";

/** @typedef {import("../protocol.js").Room} Room */
/** @typedef {import("../room-store.js").RoomStore} RoomStore */
/** @typedef {Record<string, string>} Filters */

/** @param {HTMLElement} main @param {{query: URLSearchParams}} route */
export function directoryView(main, { query }) {
  const heading = h("h1", { tabindex: "-1" }, "Rooms");
  const filters = readFilters(query);
  /** @type {(() => void)[]} */
  const unwatchers = [];
  /** @type {Map<number, HTMLElement>} room id -> its unread badge slot */
  const unreadSlots = new Map();
  let loadToken = 0;
  /** @type {number | undefined} */
  let debounce;

  const q = field({ name: "q", label: "Search rooms", type: "search", value: filters.q, className: "filter-search" });
  const stage = field({ name: "stage", label: "Stage", control: "select", value: filters.stage,
    options: [["", "Any stage"], ...STAGES] });
  const tag = field({ name: "tag", label: "Tag", value: filters.tag, spellcheck: "false" });
  const organisation = field({ name: "organisation", label: "Organisation", value: filters.organisation,
    hint: "Rooms with members from this organisation." });
  const organisationList = h("datalist", { id: "directory-organisations" });
  organisation.input.setAttribute("list", organisationList.id);
  const mine = checkbox({ name: "mine", label: "Only rooms I am in", checked: filters.mine === "1" });
  const looking = checkbox({ name: "looking_for_collaborators", label: "Only rooms looking for collaborators",
    checked: filters.looking_for_collaborators === "1" });
  const tagList = h("datalist", { id: "directory-tags" });
  tag.input.setAttribute("list", tagList.id);

  const form = h("form", { class: "filters", role: "search", "aria-label": "Filter rooms" },
    q.wrapper, stage.wrapper, tag.wrapper, tagList, organisation.wrapper, organisationList, mine.wrapper,
    looking.wrapper,
    h("div", { class: "filter-actions" },
      h("button", { type: "submit", class: "button button-secondary" }, "Apply filters"),
      h("a", { href: "/rooms", class: "link-button" }, "Clear filters")));

  const resultsHeading = h("h2", { id: "rooms-results-title", class: "results-title" }, "Loading rooms…");
  const list = h("ul", { class: "room-list" });
  // Pages of rooms: "Load more" asks for the page after the last one shown.
  const more = h("button", { type: "button", class: "button button-secondary", hidden: true }, "Load more rooms");
  /** @type {string | null} */
  let nextCursor = null;
  /** @type {Room[]} */
  let shown = [];
  const results = h("section", { class: "results", "aria-labelledby": "rooms-results-title" }, resultsHeading, list, more);

  const suggestions = suggestionsSection();
  replaceContent(main,
    h("div", { class: "page-header" }, heading,
      h("a", { href: "/rooms/new", class: "button" }, "Create a room")),
    h("p", { class: "lead" }, "Each room is one product concept or workstream. Join a room to take part in its threads."),
    suggestions.element, form, results);

  loadOrganisations(organisationList);

  function currentFilters() {
    return {
      q: q.input.value.trim(),
      stage: stage.input.value,
      tag: tag.input.value.trim(),
      organisation: organisation.input.value,
      mine: mine.input.checked ? "1" : "",
      looking_for_collaborators: looking.input.checked ? "1" : "",
    };
  }

  /** @param {{announce: boolean}} options */
  function applyFilters({ announce }) {
    const next = currentFilters();
    // Keep the URL in step without adding a history entry per keystroke.
    history.replaceState(null, "", `/rooms${toQuery(next)}`);
    load(next, announce);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    applyFilters({ announce: true });
  });
  more.addEventListener("click", () => load(currentFilters(), true, nextCursor));
  for (const control of [stage.input, mine.input, looking.input]) {
    control.addEventListener("change", () => applyFilters({ announce: true }));
  }
  for (const control of [q.input, tag.input, organisation.input]) {
    control.addEventListener("input", () => {
      window.clearTimeout(debounce);
      debounce = window.setTimeout(() => applyFilters({ announce: true }), 400);
    });
  }

  /** @param {Filters} params @param {boolean} announce @param {string | null} [cursor] the page after the shown ones */
  async function load(params, announce, cursor = null) {
    const token = ++loadToken;
    list.setAttribute("aria-busy", "true");
    /** @type {Room[]} */
    let rooms;
    try {
      ({ rooms, next_cursor: nextCursor } = await get(`/rooms${toQuery({ ...params, limit: PAGE, cursor })}`));
    } catch (error) {
      if (token !== loadToken) return;
      resultsHeading.textContent = "Rooms could not be loaded";
      replaceContent(list, h("li", { class: "notice" }, error instanceof Error ? error.message : String(error)));
      list.removeAttribute("aria-busy");
      return;
    }
    if (token !== loadToken) return;
    list.removeAttribute("aria-busy");
    more.hidden = !nextCursor;
    if (cursor) {
      const firstNew = shown.length;
      shown = [...shown, ...rooms];
      render(shown);
      list.children[firstNew]?.querySelector("a")?.focus();
      announceStatus(`${plural(rooms.length, "more room")} shown.`);
      return;
    }
    shown = rooms;
    render(rooms);
    if (announce) announceStatus(`${plural(rooms.length, "room")} found${nextCursor ? ", and more" : ""}.`);
  }

  /** @param {Room[]} rooms */
  function render(rooms) {
    const filtered = Object.values(currentFilters()).some(Boolean);
    const count = `${nextCursor ? "The first " : ""}${plural(rooms.length, "room")}`;
    resultsHeading.textContent = rooms.length
      ? `${count}${filtered ? ` ${rooms.length === 1 ? "matches" : "match"} your filters` : ""}`
      : "No rooms found";
    /** @type {Set<string>} */
    const tags = new Set();
    rooms.forEach((room) => room.tags.forEach((t) => tags.add(t)));
    replaceContent(tagList, [...tags].sort().map((t) => h("option", { value: t })));
    if (!rooms.length) {
      replaceContent(list, h("li", { class: "empty" }, filtered
        ? "Try fewer filters, or create a room for your idea."
        : "There are no rooms yet. Create the first one."));
    } else {
      replaceContent(list, rooms.map(roomCard));
    }
    watchUnread(rooms);
  }

  /** @param {Room} room */
  function roomCard(room) {
    const unread = h("span", { class: "room-unread" }, unreadBadge(room.unread_count));
    unreadSlots.set(room.id, unread);
    const titleId = `room-card-${room.id}`;
    const card = h("li", { class: "room-card", dataset: { roomId: room.id } },
      h("h3", { class: "room-card-title", id: titleId }, h("a", { href: `/r/${encodeURIComponent(room.slug)}` }, room.title)),
      h("p", { class: "badges" }, stageBadge(room.stage),
        room.looking_for_collaborators ? collaboratorsBadge() : null,
        room.visibility === "invite" ? h("span", { class: "badge" }, "Invite only") : null),
      room.summary_html ? setServerHtml(h("div", { class: "room-card-summary prose" }), room.summary_html) : null,
      room.tags.length ? h("p", { class: "tags" }, hiddenText("Tags: "),
        room.tags.map((t) => h("span", { class: "tag" }, t))) : null,
      room.involvement ? h("p", { class: "involvement" }, h("strong", {}, "Involved: "), room.involvement.summary) : null,
      h("p", { class: "room-meta" },
        h("span", {}, plural(room.member_count, "member")),
        room.last_activity_at ? h("span", {}, "Active ", timeElement(room.last_activity_at)) : null,
        room.membership ? h("span", {}, room.membership === "owner" ? "You own this room" : "You are a member") : null,
        unread),
      joinButton(room, titleId));
    return card;
  }

  /** @param {Room} room @param {string} titleId */
  function joinButton(room, titleId) {
    if (room.membership || room.visibility !== "open") return null;
    const button = h("button", { type: "button", class: "button button-secondary",
      "aria-describedby": titleId }, "Join room");
    button.addEventListener("click", async () => {
      try {
        await post(`/rooms/${room.id}/join`);
        announceStatus(`You joined ${room.title}.`);
        navigate(`/r/${encodeURIComponent(room.slug)}`);
      } catch (error) {
        announceStatus(`Could not join ${room.title}: ${error instanceof Error ? error.message : error}`);
      }
    });
    return button;
  }

  // Unread badges follow the live events of the rooms you belong to, through one
  // store per room.
  /** @param {Room[]} rooms */
  function watchUnread(rooms) {
    while (unwatchers.length) unwatchers.pop()?.();
    const me = session.user ? session.user.id : null;
    for (const room of rooms) {
      if (!room.membership) continue;
      const store = createRoomStore(room, { me });
      const refresh = () => fetchRoom(room.id).then((fresh) => store.setRoom(fresh), () => undefined);
      const stopStore = store.subscribe((change) => {
        if (change.roomStale) refresh(); // a thread was read (in another tab): its count is the server's
        if (!change.room) return;
        const slot = unreadSlots.get(room.id);
        if (slot) replaceContent(slot, unreadBadge(store.state.room.unread_count));
      });
      const stopWatching = realtime.watchRoom(room.id, room.last_seq, {
        onEvent: (event) => store.apply(event),
        onLive: (event) => store.apply(event),
        onResync: async () => {
          const fresh = await fetchRoom(room.id);
          store.setRoom(fresh);
          return fresh.last_seq;
        },
      });
      unwatchers.push(() => {
        stopWatching();
        stopStore();
      });
    }
  }

  load(filters, false);

  return {
    title: "Rooms",
    heading,
    destroy() {
      window.clearTimeout(debounce);
      loadToken += 1;
      suggestions.stop();
      while (unwatchers.length) unwatchers.pop()?.();
    },
  };
}

const PAGE = 100; // rooms per page in the list (the API allows up to 500)

/** @param {URLSearchParams} query @returns {Filters} */
function readFilters(query) {
  return {
    q: query.get("q") || "",
    stage: query.get("stage") || "",
    tag: query.get("tag") || "",
    organisation: query.get("organisation") || "",
    mine: query.get("mine") || "",
    looking_for_collaborators: query.get("looking_for_collaborators") || "",
  };
}

// Known (verified) organisations as suggestions; people may also type an
// organisation someone declared for themselves.
/** @param {HTMLElement} datalist */
async function loadOrganisations(datalist) {
  try {
    const { organisations } = await get("/organisations");
    replaceContent(datalist, organisations.map((/** @type {{name: string}} */ organisation) => h("option", { value: organisation.name })));
  } catch {
    // Suggestions are a convenience; the filter works without them.
  }
}
