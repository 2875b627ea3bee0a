// @ts-check
// Matchmaking on a room's overview: who is involved (organisations by kind), the
// interest other organisations have shown when the room is looking for
// collaborators (with the reader's own two answers), and, for the people who decide
// them, the pending requests to join with Accept and Decline. New requests arrive
// live (join_request.received); involvement follows members joining and leaving.
import { h, replaceContent } from "../dom.js";
import { get, post, del } from "../api.js";
import { organisationLabel, plural } from "../labels.js";
import { announceStatus } from "../announcer.js";
import { canManage } from "../permissions.js";
import { fetchRoom } from "../room-data.js";
import * as realtime from "../realtime.js";
import { INTEREST_KINDS, ORGANISATION_KINDS } from "../collaboration.js";
import { timeElement } from "../time.js";

/** @typedef {import("../room-store.js").RoomStore} RoomStore */
/** @typedef {import("../collaboration.js").JoinRequest} JoinRequest */
/**
 * @typedef {{organisations: number, groups: {organisation: {name: string, verified: boolean, kind: string | null},
 *   people: import("../protocol.js").User[]}[]}} Tally
 * @typedef {{room_id: number, same_problem: Tally, can_help: Tally, mine: string[]}} Interest
 */

/** @param {string} kind */
function kindName(kind) {
  const found = ORGANISATION_KINDS.find(([value]) => value === kind);
  return found ? found[1].replace(/s$/, "").replace(/ie$/, "y").toLowerCase() : kind;
}

/** @param {unknown} error */
function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}

/** @param {{store: RoomStore}} options */
export function createRoomMatchmaking({ store }) {
  const involved = h("section", { class: "room-involvement", "aria-labelledby": "involved-heading" });
  const interestBox = h("div", { class: "room-interest" });
  const requests = h("section", { class: "join-requests", "aria-labelledby": "requests-heading", hidden: true });
  const element = h("div", { class: "room-matchmaking" }, involved, requests);
  /** @type {Interest | null} */
  let interest = null;
  /** @type {JoinRequest[]} */
  let pending = [];
  /** @type {number | undefined} */
  let refreshTimer;
  let loadedFor = "";

  function renderInvolved() {
    const room = store.state.room;
    const involvement = room.involvement;
    replaceContent(involved,
      h("h2", { id: "involved-heading" }, "Who is involved"),
      h("p", { class: "involvement" }, involvement ? involvement.summary : "Loading…"),
      involvement && involvement.organisations.length
        ? h("ul", { class: "involved-list" }, involvement.organisations.map((o) =>
          h("li", {}, o.name, " ", h("span", { class: "hint" }, `(${kindName(o.kind)})`))))
        : null,
      involvement && involvement.unverified
        ? h("p", { class: "hint" }, "Unverified organisations are ones people named for themselves; "
          + "only organisations whose email domains are on record count by kind.")
        : null,
      room.looking_for_collaborators ? interestBox : null);
    if (room.looking_for_collaborators) renderInterest();
  }

  function renderInterest() {
    const room = store.state.room;
    if (!interest) {
      replaceContent(interestBox, h("h3", {}, "Interest from other organisations"), h("p", {}, "Loading…"));
      return;
    }
    const shown = interest;
    const buttons = INTEREST_KINDS.map(([kind, label]) => {
      const button = h("button", { type: "button", class: "button button-secondary toggle",
        "aria-pressed": String(shown.mine.includes(kind)) }, label);
      button.addEventListener("click", () => toggle(kind, label));
      return button;
    });
    /** @param {string} heading @param {Tally} tally */
    const tallyList = (heading, tally) => h("div", { class: "interest-tally" },
      h("h4", {}, `${heading}: ${plural(tally.organisations, "organisation")}`),
      tally.groups.length ? h("ul", {}, tally.groups.map((g) => h("li", {},
        g.organisation.name ? organisationLabel(g.organisation) : h("span", {}, "No organisation given"),
        ": ", g.people.map((p) => p.display_name).join(", ")))) : null);
    // Members are involved already: the answers are for the organisations looking in.
    replaceContent(interestBox,
      h("h3", {}, "Interest from other organisations"),
      tallyList("We have this problem too", shown.same_problem),
      tallyList("We could help", shown.can_help),
      room.membership ? null
        : h("div", { class: "interest-buttons", role: "group", "aria-label": `Your answer to ${room.title}` }, buttons));
  }

  /** @param {string} kind @param {string} label */
  async function toggle(kind, label) {
    if (!interest) return;
    const saying = !interest.mine.includes(kind);
    const id = store.state.room.id;
    try {
      ({ interest } = saying ? await post(`/rooms/${id}/interest`, { kind })
        : await del(`/rooms/${id}/interest?kind=${encodeURIComponent(kind)}`));
      renderInterest();
      const again = [...interestBox.querySelectorAll("button")].find((b) => b.textContent === label);
      again?.focus();
      announceStatus(saying ? `You said “${label}”.` : `You took back “${label}”.`);
    } catch (error) {
      announceStatus(`Could not save your answer: ${messageOf(error)}`);
    }
  }

  function renderRequests() {
    const room = store.state.room;
    requests.hidden = !canManage(room) || (room.visibility === "open" && !pending.length);
    if (requests.hidden) return;
    replaceContent(requests,
      h("h2", { id: "requests-heading", tabindex: "-1" }, "Requests to join"),
      pending.length
        ? h("ul", { class: "request-list" }, pending.map(requestItem))
        : h("p", { class: "hint" }, "No one is waiting to join."));
  }

  /** @param {JoinRequest} request */
  function requestItem(request) {
    const nameId = `request-${request.id}-name`;
    const accept = h("button", { type: "button", class: "button", "aria-describedby": nameId }, "Accept");
    const decline = h("button", { type: "button", class: "button button-secondary", "aria-describedby": nameId }, "Decline");
    accept.addEventListener("click", () => decide(request, "accept"));
    decline.addEventListener("click", () => decide(request, "decline"));
    return h("li", { class: "join-request" },
      h("p", {}, h("strong", { id: nameId }, request.user.display_name), " ",
        request.user.organisation ? organisationLabel(request.user.organisation) : null,
        " asked ", timeElement(request.created_at)),
      request.message ? h("blockquote", { class: "request-message" }, request.message) : null,
      h("div", { class: "form-actions" }, accept, decline));
  }

  /** @param {JoinRequest} request @param {"accept" | "decline"} verdict */
  async function decide(request, verdict) {
    try {
      await post(`/join-requests/${request.id}/${verdict}`);
      pending = pending.filter((r) => r.id !== request.id);
      renderRequests();
      announceStatus(verdict === "accept" ? `${request.user.display_name} is now a member.`
        : `You declined ${request.user.display_name}’s request.`);
      /** @type {HTMLElement | null} */ (requests.querySelector("#requests-heading"))?.focus();
    } catch (error) {
      announceStatus(`Could not ${verdict} the request: ${messageOf(error)}`);
    }
  }

  const stopListening = realtime.onPersonalEvent(async (event) => {
    if (event.type === "interest.changed" && event.room_id === store.state.room.id && interest) {
      try {
        interest = (await get(`/rooms/${event.room_id}/interest`)).interest;
      } catch {
        return; // the tally stays as it was; the next load shows the change
      }
      renderInterest();
      const said = INTEREST_KINDS.find(([kind]) => kind === event.kind)?.[1] || event.kind;
      announceStatus(event.said ? `${event.person.display_name} said “${said}”.`
        : `${event.person.display_name} took back “${said}”.`);
      return;
    }
    if (event.type !== "join_request.received" || event.room_id !== store.state.room.id) return;
    pending = [...pending.filter((r) => r.id !== event.join_request.id), event.join_request];
    renderRequests();
    announceStatus(`${event.join_request.user.display_name} asks to join this room.`);
  });

  /** Load what depends on the room's settings (again when they change). */
  async function load() {
    const room = store.state.room;
    const key = `${room.id}:${room.looking_for_collaborators}:${canManage(room)}`;
    if (key === loadedFor) return;
    loadedFor = key;
    try {
      interest = room.looking_for_collaborators ? (await get(`/rooms/${room.id}/interest`)).interest : null;
      pending = canManage(room) ? (await get(`/rooms/${room.id}/join-requests`)).join_requests : [];
    } catch {
      loadedFor = "";
    }
    render();
  }

  function render() {
    renderInvolved();
    renderRequests();
    load();
  }

  /** Members joined or left: the organisations involved may have changed. */
  function membersChanged() {
    window.clearTimeout(refreshTimer);
    refreshTimer = window.setTimeout(async () => {
      try {
        const fresh = await fetchRoom(store.state.room.id);
        store.state.room.involvement = fresh.involvement;
        renderInvolved();
      } catch {
        // The summary stays as it was; the next load shows the change.
      }
    }, 300);
  }

  return {
    element,
    render,
    membersChanged,
    destroy() {
      window.clearTimeout(refreshTimer);
      stopListening();
    },
  };
}
