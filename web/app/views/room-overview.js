// @ts-check
// A room's overview pane: "About this room" (summary, tags), who is involved and
// the matchmaking around it (room-matchmaking.js), the members with
// their presence, and, for people who may manage the room, the invite form.
//
// Both sections persist while the room is open, so live updates redraw them in
// place and cannot wipe a half-typed invitation.
import { h, replaceContent, setServerHtml } from "../dom.js";
import { createMembersPanel } from "./members.js";
import { inviteForm } from "./invite.js";
import { canManage } from "../permissions.js";
import { createRoomMatchmaking } from "./room-matchmaking.js";

/** @typedef {import("../room-store.js").RoomStore} RoomStore */
/** @typedef {import("../protocol.js").User} User */

/**
 * @param {{store: RoomStore, me: User | null, onInvited: (userId: number) => Promise<string | null>}} options
 */
export function createRoomOverview({ store, me, onInvited }) {
  const about = h("section", { class: "room-about", "aria-labelledby": "about-heading" });
  const membersPanel = createMembersPanel(me);
  const matchmaking = createRoomMatchmaking({ store });
  /** @type {HTMLFormElement | null} */
  let invite = null;

  function renderAbout() {
    const room = store.state.room;
    const summary = room.summary_html
      ? setServerHtml(h("div", { class: "prose" }), room.summary_html)
      : h("p", { class: "hint" }, "This room has no summary yet.");
    replaceContent(about,
      h("h2", { id: "about-heading" }, "About this room"),
      summary,
      room.tags.length ? h("p", { class: "tags" }, "Tags: ", room.tags.map((t) => h("span", { class: "tag" }, t))) : null);
    matchmaking.render();
  }

  function renderMembers() {
    const room = store.state.room;
    membersPanel.render(store.state.members);
    if (canManage(room) && !invite) {
      invite = inviteForm({ room, memberIds: () => store.state.members.keys(), onInvited }).form;
    }
    membersPanel.setInvite(canManage(room) ? invite : null);
  }

  /** Put both sections in `pane` (if not there yet) and draw them. @param {HTMLElement} pane */
  function show(pane) {
    renderAbout();
    renderMembers();
    if (about.parentNode !== pane || membersPanel.element.parentNode !== pane) {
      replaceContent(pane, about, matchmaking.element, membersPanel.element);
    }
  }

  return { show, renderAbout, renderMembers, membersChanged: matchmaking.membersChanged, destroy: matchmaking.destroy };
}
