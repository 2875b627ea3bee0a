// @ts-check
// Administrators: every room, invite-only ones too, with owners, members and
// activity; hand a room to a new owner, archive it (asked first), export its record.
import { h, replaceContent } from "../dom.js";
import { get, patch, post, ApiError } from "../api.js";
import { confirmAction } from "../confirm-dialog.js";
import { timeElement } from "../time.js";
import { stageBadge } from "../labels.js";
import { adminNav, administratorsOnly } from "./admin-nav.js";
import { personPicker } from "../person-picker.js";

/**
 * @typedef {object} AdminRoom
 * @property {number} id
 * @property {string} slug
 * @property {string} title
 * @property {import("../protocol.js").Room["stage"]} stage
 * @property {"open" | "invite"} visibility
 * @property {number} member_count
 * @property {number} message_count
 * @property {string} last_activity_at
 * @property {{id: number, display_name: string}[]} owners
 */

/** @param {HTMLElement} main */
export function adminRoomsView(main) {
  const heading = h("h1", { tabindex: "-1" }, "Rooms");
  if (!administratorsOnly(main, heading)) return { title: "Rooms", heading };
  const body = h("tbody");
  const status = h("p", { role: "status" });

  /** @param {string} message */
  function say(message) {
    status.textContent = message;
  }

  /** @param {AdminRoom} room */
  function row(room) {
    const tr = h("tr", { dataset: { room: room.slug } });
    // Chosen by typing: a list of every account would not scale past a few hundred.
    const owner = personPicker({ label: `New owner of ${room.title}` });
    const transfer = h("button", { type: "button", class: "button button-secondary button-small" }, "Make owner",
      h("span", { class: "visually-hidden" }, ` of ${room.title}`));
    transfer.addEventListener("click", async () => {
      const person = owner.chosen();
      if (!person) {
        say(`Type a name or address and choose the new owner of ${room.title} first.`);
        owner.input.focus();
        return;
      }
      try {
        const answer = await post(`/admin/rooms/${room.id}/owner`, { user_id: person.id });
        const fresh = row(answer.room);
        tr.replaceWith(fresh);
        say(`${room.title} now belongs to ${answer.room.owners.map((/** @type {{display_name: string}} */ o) => o.display_name).join(", ")}.`);
        /** @type {HTMLElement | null} */ (fresh.querySelector("input"))?.focus();
      } catch (error) {
        say(error instanceof ApiError ? error.message : String(error));
      }
    });
    const archive = room.stage === "archived" ? null : h("button", { type: "button", class: "button button-warning button-small" },
      "Archive", h("span", { class: "visually-hidden" }, ` ${room.title}`));
    archive?.addEventListener("click", async () => {
      if (!(await confirmAction({ title: `Archive ${room.title}?`, confirmLabel: "Archive room",
        text: "The room becomes read-only: its threads stay readable, nobody can post. You can change its stage back later." }))) return;
      try {
        await patch(`/rooms/${room.id}`, { stage: "archived" });
        const fresh = row({ ...room, stage: "archived" });
        tr.replaceWith(fresh);
        say(`${room.title} is archived.`);
        /** @type {HTMLElement | null} */ (fresh.querySelector("input"))?.focus();
      } catch (error) {
        say(error instanceof ApiError ? error.message : String(error));
      }
    });
    replaceContent(tr,
      h("td", {}, h("a", { href: `/r/${encodeURIComponent(room.slug)}` }, room.title), room.visibility === "invite" ? " (invite only)" : ""),
      h("td", {}, stageBadge(room.stage)),
      h("td", {}, room.owners.length ? room.owners.map((o) => o.display_name).join(", ") : "No owner"),
      h("td", {}, String(room.member_count)),
      h("td", {}, timeElement(room.last_activity_at)),
      h("td", {}, h("div", { class: "person-transfer" }, owner.element, transfer)),
      h("td", {}, archive, archive ? " " : null,
        h("a", { href: `/api/v1/rooms/${room.id}/export`, download: `${room.slug}.md` }, "Export",
          h("span", { class: "visually-hidden" }, ` ${room.title} as Markdown`))));
    return tr;
  }

  async function load() {
    say("Loading…");
    try {
      /** @type {AdminRoom[]} */
      const rooms = (await get("/admin/rooms")).rooms;
      replaceContent(body, rooms.map(row));
      say(rooms.length ? `${rooms.length} rooms.` : "No rooms yet.");
    } catch (error) {
      say(error instanceof ApiError ? error.message : "Rooms could not be loaded.");
    }
  }

  const table = h("table", { class: "records-table" }, h("caption", { class: "visually-hidden" }, "Every room, most recently active first"),
    h("thead", {}, h("tr", {}, ["Room", "Stage", "Owners", "Members", "Last active", "Transfer", "Record"].map((t) =>
      h("th", { scope: "col" }, t)))), body);
  replaceContent(main, h("div", {}, adminNav("/admin/rooms"), heading,
    h("p", {}, "Every room, including invite-only ones."), status, h("div", { class: "table-scroll" }, table)));
  return { title: "Rooms", heading, enter: async () => { await load(); return null; } };
}
