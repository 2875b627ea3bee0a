// @ts-check
// Events rooms were seeded from, and one event's page: the rooms that came out of it
// (those the reader may see) and what has happened in them since: threads opened,
// messages, organisations taking part, opening questions nobody has answered yet,
// and each room's stage. From GET /api/v1/events and /api/v1/events/{id}.
import { h, replaceContent } from "../dom.js";
import { get, ApiError } from "../api.js";
import { stageBadge, stageLabel } from "../labels.js";
import { timeElement } from "../time.js";
import { setTitle } from "../page.js";

/**
 * @typedef {object} EventRoom
 * @property {number} id
 * @property {string} slug
 * @property {string} title
 * @property {string} stage
 * @property {string | null} lead_organisation
 * @property {number} member_count
 * @property {number} new_threads
 * @property {number} messages
 * @property {string[]} active_organisations
 * @property {string[]} involved_organisations
 * @property {string[]} unanswered
 * @property {import("../protocol.js").StageMove[]} stage_moves
 * @property {string} last_activity_at
 */
/**
 * @typedef {object} SeedEvent
 * @property {number} id
 * @property {string} name
 * @property {string | null} date
 * @property {string | null} place
 * @property {string} created_at
 * @property {number} room_count
 */
/**
 * @typedef {SeedEvent & {rooms: EventRoom[], new_threads: number, messages: number,
 *   active_organisations: string[], involved_organisations: string[], unanswered: number, stage_moves: number}} EventDetail
 */

/** @param {number} n @param {string} one @param {string} [many] */
function count(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

/** @param {SeedEvent} event */
function when(event) {
  return [event.date, event.place].filter(Boolean).join(", ");
}

/** @param {HTMLElement} main */
export function eventsView(main) {
  const heading = h("h1", { tabindex: "-1" }, "Events");
  const list = h("ul", { class: "event-list" });
  const status = h("p", { role: "status" }, "Loading…");
  replaceContent(main, h("div", { class: "narrow" }, heading,
    h("p", {}, "Workshops whose output became rooms, and what has happened since."), status, list));
  return {
    title: "Events",
    heading,
    enter: async () => {
      try {
        /** @type {SeedEvent[]} */
        const events = (await get("/events")).events;
        list.append(...events.map((event) => h("li", {},
          h("a", { href: `/events/${event.id}` }, event.name),
          when(event) ? ` (${when(event)})` : "", `: ${count(event.room_count, "room")}`)));
        status.textContent = events.length ? "" : "No events have been seeded yet.";
      } catch (error) {
        status.textContent = error instanceof ApiError ? error.message : "The events could not be loaded.";
      }
      return null;
    },
  };
}

/** @param {EventRoom} room */
function roomRow(room) {
  return h("tr", {},
    h("th", { scope: "row" }, h("a", { href: `/r/${encodeURIComponent(room.slug)}` }, room.title)),
    h("td", {}, stageBadge(room.stage)),
    h("td", {}, room.lead_organisation || ""),
    h("td", { class: "number" }, String(room.member_count)),
    h("td", { class: "number" }, String(room.new_threads)),
    h("td", { class: "number" }, String(room.messages)),
    h("td", {}, room.involved_organisations.join(", ") || "None yet"),
    h("td", {}, room.active_organisations.join(", ") || "None yet"),
    h("td", {}, room.unanswered.length ? h("ul", { class: "compact-list" }, room.unanswered.map((q) => h("li", {}, q))) : "All answered"),
    h("td", {}, room.stage_moves.length
      ? h("ul", { class: "compact-list" }, room.stage_moves.map((m) => h("li", {},
        `${stageLabel(m.from_stage)} to ${stageLabel(m.to_stage)}, `, timeElement(m.moved_at))))
      : "None"),
    h("td", {}, timeElement(room.last_activity_at)));
}

/** @param {HTMLElement} main @param {{params: Record<string, string>}} route */
export function eventView(main, { params }) {
  const heading = h("h1", { tabindex: "-1" }, "Event");
  const body = h("div", {}, h("p", { role: "status" }, "Loading…"));
  replaceContent(main, h("div", {}, h("p", {}, h("a", { href: "/events" }, "All events")), heading, body));
  return {
    title: "Event",
    heading,
    enter: async () => {
      try {
        /** @type {EventDetail} */
        const event = (await get(`/events/${encodeURIComponent(params.id)}`)).event;
        heading.textContent = event.name;
        setTitle(event.name, "Events");
        const totals = h("dl", { class: "event-totals" },
          h("dt", {}, "Rooms"), h("dd", {}, String(event.room_count)),
          h("dt", {}, "Threads opened since"), h("dd", {}, String(event.new_threads)),
          h("dt", {}, "Messages since"), h("dd", {}, String(event.messages)),
          h("dt", {}, "Opening questions unanswered"), h("dd", {}, String(event.unanswered)),
          h("dt", {}, "Stage moves since"), h("dd", {}, String(event.stage_moves)),
          h("dt", {}, "Organisations involved"), h("dd", {}, event.involved_organisations.join(", ") || "None yet"),
          h("dt", {}, "Organisations posting since"), h("dd", {}, event.active_organisations.join(", ") || "None yet"));
        const table = h("div", { class: "table-scroll" }, h("table", { class: "event-rooms" },
          h("caption", {}, "Rooms from this event, most recently active first"),
          h("thead", {}, h("tr", {}, ["Room", "Stage", "Lead organisation", "Members", "New threads", "Messages",
            "Organisations involved", "Posting since", "Unanswered opening questions", "Stage moves since", "Last activity"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, event.rooms.map(roomRow))));
        replaceContent(body,
          when(event) ? h("p", {}, when(event)) : null,
          h("h2", {}, "Since the event"), totals,
          event.rooms.length ? table : h("p", {}, "None of this event’s rooms are visible to you."));
      } catch (error) {
        replaceContent(body, h("p", { role: "alert" }, error instanceof ApiError ? error.message : "The event could not be loaded."));
      }
      return null;
    },
  };
}
